import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'fs';
import { basename, dirname, join } from 'path';

/**
 * Entries a cache directory of parsed documents or schema results keeps. Each synth after an edit
 * adds a few small files (a few kilobytes each); this bounds a year of edits to a few megabytes.
 */
export const MAX_CACHE_ENTRIES = 5000;

const checked = new Set<string>();

/**
 * Called before a process first adds to `dir`: when it holds more than `max` entries, the oldest
 * written are removed until half remain. Once per directory and process, so a synth that adds a
 * hundred entries lists the directory once. An entry removed while in use only costs speed: a
 * cache miss parses or checks again.
 */
export function limitCacheEntries(dir: string, max: number = MAX_CACHE_ENTRIES): void {
  if (checked.has(dir)) return;
  checked.add(dir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return; // not created yet
  }
  if (names.length <= max) return;
  const byAge = names
    .map((name) => ({ path: join(dir, name), written: writtenAt(join(dir, name)) }))
    .sort((a, b) => a.written - b.written);
  for (const { path } of byAge.slice(0, names.length - Math.floor(max / 2))) rmSync(path, { force: true });
}

function writtenAt(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Writes a cache entry through a temporary name, so a concurrent reader never sees half a file;
 * `bounded` folders (entries that grow with every edit) are limited first. A read-only home or a
 * full disk only costs speed: failures are ignored.
 */
export function writeCacheEntry(file: string, text: string, bounded: boolean): void {
  try {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true });
    if (bounded) limitCacheEntries(dir);
    const temporary = join(dir, `.${basename(file)}.${process.pid}`);
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch {
    // only speed is lost
  }
}
