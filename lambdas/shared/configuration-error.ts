/**
 * A problem of the deployment, not of a request (a missing setting, a secret in the wrong
 * form), with a fixed message that names what to fix and never quotes a value: safe to log.
 */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}
