import { checkAnnotationKey } from '../../common/checks';
import { InvalidPropError } from '../../common/errors';

/**
 * Merges escape-hatch annotations into typed ones: keys must be valid annotation keys, and a typed
 * option cannot be overridden behind the type checks' back.
 */
export function mergeExtraAnnotations(prop: string, typed: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  for (const [key, value] of Object.entries(extra)) {
    checkAnnotationKey(`${prop}.${key}`, key);
    if (key in typed) throw new InvalidPropError(`${prop}.${key}`, value, `a key the typed options do not set (use the typed option for ${key})`);
    if (typeof value !== 'string') throw new InvalidPropError(`${prop}.${key}`, value, 'a string (annotation values are strings)');
  }
  return { ...typed, ...extra };
}
