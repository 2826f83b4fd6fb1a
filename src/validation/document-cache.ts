import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { writeCacheEntry } from './cache-limit';

/**
 * Bumped whenever the way a document's text becomes values changes (parser options, splitting), so
 * old entries are ignored. The `yaml` version is part of every key as well.
 */
const FORMAT = 'documents-1';

/** Entries of every cache in this process: the previous output's documents are mostly the new output's. */
const memory = new Map<string, string>();

/**
 * The values of YAML documents, keyed by a hash of each document's text and of the parser. Parsing is
 * most of what validating a synth output costs, and between two synths almost every document is
 * unchanged (and equal to the committed one the upgrade gate reads), so each distinct text is
 * parsed once: later in the same process from memory, later processes from `dir`. Values are kept
 * as JSON, so only documents whose values JSON holds exactly are cached (no `.inf`, `-0`, binary).
 */
export class DocumentCache {
  /**
   * @param dir where entries are kept between processes; none: this process only
   * @param parser what turns text into values (the entries of another parser are not read)
   */
  constructor(private readonly dir?: string, private readonly parser = `${FORMAT}/yaml@${require('yaml/package.json').version}`) {}

  /** The document's value, a fresh copy, or undefined when it was never stored. */
  public get(text: string): { value: unknown } | undefined {
    const key = this.key(text);
    let json = memory.get(key);
    if (json === undefined && this.dir) {
      try {
        json = readFileSync(join(this.dir, `${key}.json`), 'utf8');
        memory.set(key, json);
      } catch {
        return undefined;
      }
    }
    return json === undefined ? undefined : { value: JSON.parse(json) };
  }

  public set(text: string, value: unknown): void {
    if (!isJsonExact(value)) return;
    const key = this.key(text);
    const json = JSON.stringify(value);
    memory.set(key, json);
    if (this.dir) writeCacheEntry(join(this.dir, `${key}.json`), json, true);
  }

  private key(text: string): string {
    return createHash('sha256').update(this.parser).update('\0').update(text).digest('hex').slice(0, 32);
  }
}

/** Whether JSON.parse(JSON.stringify(value)) gives back an equal value. */
export function isJsonExact(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isJsonExact);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value as object).every(isJsonExact);
  return false;
}
