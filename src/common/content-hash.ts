import { createHash } from 'crypto';

/** A short, stable hash of a value, for rollout-triggering annotations and immutable-object names. */
export function contentHash(value: unknown, length = 10): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, length);
}
