import { readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { ManifestSource } from './types';

/**
 * Reads manifest files (or every .yaml/.yml/.json file of directories): multi-document YAML,
 * JSON, and `List` objects expanded into their items. Empty documents are dropped.
 */
export function loadManifestFiles(paths: string[]): ManifestSource[] {
  return paths.flatMap(expand).map((file) => ({ file, objects: parseManifest(readFileSync(file, 'utf8'), file) }));
}

function expand(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().filter((f) => /\.(ya?ml|json)$/.test(f)).map((f) => join(path, f)).filter((f) => !statSync(f).isDirectory());
}

/** The objects of one file's text. */
export function parseManifest(text: string, file = '(input)'): unknown[] {
  const objects: unknown[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
    const value = document.toJS();
    if (value === null || value === undefined) continue;
    objects.push(...expandLists(value));
  }
  return objects;
}

function expandLists(value: any): unknown[] {
  if (value && typeof value === 'object' && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    return value.items.flatMap(expandLists);
  }
  return [value];
}
