/**
 * The repository's one HTML escaper. The proxy's pages need it and the proxy stays small and
 * dependency-free, so it lives here; the local tools and the sample app import it.
 */

/** Text or a quoted attribute value as HTML: each of & < > " ' as a numeric character reference. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
