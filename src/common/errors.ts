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
    super(`Invalid ${prop}: ${describeValue(value)}. Allowed: ${allowed}.`);
    this.name = 'InvalidPropError';
  }
}

// Marks where a number JSON cannot spell (NaN, Infinity) stood, so it is printed as itself, not as null.
const NON_FINITE = '@@non-finite@@';

/**
 * A value as the user would recognise it: JSON, except that `undefined`, `NaN` and `Infinity`
 * (which JSON prints as nothing or `null`) keep their own names, and a value JSON cannot hold
 * (a cycle, a bigint) falls back to its string form.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    const json = JSON.stringify(value, (_key, v: unknown) => {
      return typeof v === 'number' && !Number.isFinite(v) ? `${NON_FINITE}${v}` : v;
    });
    return json.replace(new RegExp(`"${NON_FINITE}(-?\\w+)"`, 'g'), '$1');
  } catch {
    return String(value);
  }
}
