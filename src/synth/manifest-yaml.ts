import * as YAML from 'yaml';

/** What cdk8s's `Yaml.stringify` passes to the `yaml` library: YAML 1.1 (what kubectl reads), no folding. */
const OPTIONS = { keepUndefined: true, lineWidth: 0, version: '1.1' } as const;

/**
 * Strings the `yaml` library writes plain in any position: a letter, then letters, digits and
 * `_ . / -`, and not one of YAML 1.1's boolean or null words. Everything else is asked of the
 * library itself (and remembered), so quoting and block scalars stay exactly the library's.
 */
const PLAIN = /^[A-Za-z][A-Za-z0-9_./-]*$/;
const YAML_11_WORDS = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

const valueCache = new Map<string, string>();
const keyCache = new Map<string, string>();

/** A value this writer leaves to the library, for the whole document. */
class Unsupported extends Error {}

/**
 * The same text as cdk8s's `Yaml.stringify(...docs)` (the `yaml` library, YAML 1.1, no line folding),
 * written directly from the JSON data instead of through the library's document model, which is
 * most of the time a large synth spends. Documents it does not handle (undefined values, keys with
 * line breaks, non-integer numbers inside collections) go to the library whole.
 */
export function stringifyManifests(docs: readonly unknown[]): string {
  return docs.map((doc) => (doc === undefined ? '\n' : stringifyDocument(doc))).join('---\n');
}

function stringifyDocument(doc: unknown): string {
  if (isCollection(doc) && !isEmpty(doc)) {
    try {
      return block(doc, 0);
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
    }
  }
  return YAML.stringify(doc, OPTIONS);
}

type Collection = Record<string, unknown> | unknown[];

function isCollection(value: unknown): value is Collection {
  return typeof value === 'object' && value !== null;
}

function isEmpty(value: Collection): boolean {
  if (Array.isArray(value)) return value.length === 0;
  // Data from toJson() has no inherited enumerable keys: the first key answers, without listing them all.
  for (const _ in value) return false;
  return true;
}

/** Indentation strings, made once per depth: every line of every manifest starts with one. */
const PADS: string[] = [];

function padOf(indent: number): string {
  return PADS[indent] ??= ' '.repeat(indent);
}

/**
 * A non-empty map or sequence in block style, every line indented by `indent` spaces except the
 * first, which starts with `first` instead (`- ` of the sequence item that holds it, or the pad).
 */
function block(collection: Collection, indent: number, first: string = padOf(indent)): string {
  const pad = padOf(indent);
  let text = '';
  let lead = first;
  if (Array.isArray(collection)) {
    for (const item of collection) {
      // A nested collection starts on the dash's line: `- name: x` / `- - a`.
      text += isCollection(item) && !isEmpty(item)
        ? block(item, indent + 2, `${lead}- `)
        : `${lead}- ${inline(item, indent)}\n`;
      lead = pad;
    }
    return text;
  }
  for (const name of Object.keys(collection)) {
    const value = collection[name];
    const key = keyOf(name);
    text += isCollection(value) && !isEmpty(value)
      ? `${lead}${key}:\n${block(value, indent + 2)}`
      : `${lead}${key}: ${inline(value, indent)}\n`;
    lead = pad;
  }
  return text;
}

/** A scalar or empty collection after `key: ` or `- `, its block scalar lines indented under `indent`. */
function inline(value: unknown, indent: number): string {
  if (typeof value === 'string') {
    if (isPlain(value)) return value;
    const text = cached(valueCache, value, () => libraryText({ v: value }).slice('v: '.length, -1));
    // A block scalar (`|-` and its lines) is written two spaces in from its container.
    return indent > 0 && text.includes('\n') ? text.replace(/\n(?=.)/g, `\n${padOf(indent)}`) : text;
  }
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value) && value.length === 0) return '[]';
  if (isCollection(value) && isEmpty(value)) return '{}';
  throw new Unsupported();
}

/** Whether the library writes `text` plain: see PLAIN; the YAML 1.1 words are all five letters or fewer. */
function isPlain(text: string): boolean {
  return PLAIN.test(text) && (text.length > 5 || !YAML_11_WORDS.test(text));
}

function keyOf(name: string): string {
  if (isPlain(name)) return name;
  if (name.includes('\n')) throw new Unsupported();
  return cached(keyCache, name, () => libraryText({ [name]: null }).slice(0, -': null\n'.length));
}

/**
 * What `YAML.stringify(map, OPTIONS)` writes, through one document reused for every call: a new
 * document per scalar costs twice as much, and a fleet asks for a few new scalars per site.
 */
function libraryText(map: Record<string, unknown>): string {
  scratch ??= new YAML.Document(null, OPTIONS);
  scratch.contents = scratch.createNode(map, OPTIONS);
  return scratch.toString(OPTIONS);
}

let scratch: YAML.Document | undefined;

function cached(cache: Map<string, string>, key: string, compute: () => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    text = compute();
    cache.set(key, text);
  }
  return text;
}
