import { readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { DocumentCache } from './document-cache';
import { ManifestSource } from './types';

/**
 * Reads manifest files (or every .yaml/.yml/.json file of directories): multi-document YAML,
 * JSON, and `List` objects expanded into their items. Empty documents are dropped.
 */
export function loadManifestFiles(paths: string[], cache?: DocumentCache): ManifestSource[] {
  return paths.flatMap(expand).map((file) => ({ file, objects: parseManifest(readFileSync(file, 'utf8'), file, cache) }));
}

function expand(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().filter((f) => /\.(ya?ml|json)$/.test(f)).map((f) => join(path, f)).filter((f) => !statSync(f).isDirectory());
}

/** The objects of one file's text; with a cache, documents it already holds are not parsed again. */
export function parseManifest(text: string, file = '(input)', cache?: DocumentCache): unknown[] {
  const values = (cache && cachedValues(text, cache)) ?? parseValues(text, file);
  return values.filter((value) => value !== null && value !== undefined).flatMap(expandLists);
}

function parseValues(text: string, file: string): unknown[] {
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
    return document.toJS();
  });
}

/**
 * The documents' values, each looked up by its own text, or undefined when the text cannot be cut
 * into documents without parsing it (directives, `...` markers, a byte order mark) or a document
 * has errors (parsing the whole text then reports them as always).
 */
function cachedValues(text: string, cache: DocumentCache): unknown[] | undefined {
  if (/^(%|\.\.\.)/m.test(text) || text.startsWith('\uFEFF')) return undefined;
  const values: unknown[] = [];
  for (const part of documentTexts(text)) {
    const cached = cache.get(part);
    if (cached) {
      values.push(cached.value);
      continue;
    }
    const documents = parseAllDocuments(part);
    if (documents.length > 1 || documents.some((d) => d.errors.length > 0)) return undefined;
    // Without directives a document ends only where the next `---` line starts another, so each
    // part is one document (none when it holds only comments).
    for (const document of documents) {
      const value = document.toJS();
      cache.set(part, value);
      values.push(value);
    }
  }
  return values;
}

/** The text cut before every `---` line (the only document marker left once directives and `...` are ruled out). */
function documentTexts(text: string): string[] {
  const starts = [...text.matchAll(/^---(?=[ \t\r\n]|$)/gm)].map((m) => m.index!);
  const cuts = [0, ...starts.filter((i) => i > 0), text.length];
  return cuts.slice(0, -1).map((start, i) => text.slice(start, cuts[i + 1])).filter((part) => part.length > 0);
}

function expandLists(value: any): unknown[] {
  if (value && typeof value === 'object' && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    return value.items.flatMap(expandLists);
  }
  return [value];
}
