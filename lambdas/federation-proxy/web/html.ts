/**
 * HTML escaping, the one escaper of the repository: the proxy's pages need it and the proxy
 * stays dependency-free, so the local tools and the sample app import it from here.
 */

/** Text or a quoted attribute value as HTML: each of & < > " ' as a numeric character reference. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
