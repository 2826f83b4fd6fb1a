/**
 * Raised at construction time when a prop has a value the cluster would reject
 * or the image could not run with. Synthesis stops before any file is written.
 */
export class InvalidPropError extends Error {
  constructor(
    /** Dotted path of the prop, e.g. `mysql.storageSize`. */
    public readonly prop: string,
    /** The value that was given. */
    public readonly value: unknown,
    /** What would have been accepted. */
    public readonly allowed: string,
  ) {
    super(`Invalid ${prop}: ${JSON.stringify(value)}. Allowed: ${allowed}.`);
    this.name = 'InvalidPropError';
  }
}
