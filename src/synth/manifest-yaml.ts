// cdk8s's own `Yaml.stringify` (the `yaml` library it bundles, YAML 1.1, no folding) rather than our
// `yaml` dependency: that copy is loaded with cdk8s anyway, and a second copy costs a tenth of a synth to load.
import { Yaml } from 'cdk8s';

/**
 * Strings the `yaml` library writes plain in any position: a letter, then letters, digits and
 * `_ . / -`, and not one of YAML 1.1's boolean or null words. Everything else is asked of the
 * library itself (and remembered), so quoting and block scalars stay exactly the library's.
 */
const PLAIN = /^[A-Za-z][A-Za-z0-9_./-]*$/;
const YAML_11_WORDS = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;
/**
 * Values (not keys) the library also writes plain, common in manifests: paths, flags, commands,
 * `host:port`, lists with commas, quantities and IPv4 CIDRs. Each shape starts where no YAML
 * indicator or number can, holds no comment (` #`) or mapping (`: `) marker and ends in neither
 * a space nor a colon, so only the 1.1 words remain to rule out. Asking the library costs far more
 * than writing: a default synth would otherwise spend a tenth of its time on these.
 */
const PLAIN_VALUE = /^(?:[A-Za-z/]|--?[A-Za-z])[A-Za-z0-9_./:=,+@& -]*$/;
const QUANTITY = /^[1-9][0-9]*(?:m|k|[KMGTPE]i?)$/;
const IPV4_CIDR = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}\/[0-9]{1,2}$/;

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
      const parts: string[] = [];
      block(doc, 0, padOf(0), parts);
      return parts.join('');
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
    }
  }
  return Yaml.stringify(doc);
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
 * first, which starts with `first` instead (`- ` of the sequence item that holds it, or the pad),
 * appended to `parts` (joined once per document: cheaper than a string built by concatenation).
 */
function block(collection: Collection, indent: number, first: string, parts: string[]): void {
  const pad = padOf(indent);
  let lead = first;
  if (Array.isArray(collection)) {
    for (const item of collection) {
      // A nested collection starts on the dash's line: `- name: x` / `- - a`.
      if (isCollection(item) && !isEmpty(item)) block(item, indent + 2, `${lead}- `, parts);
      else parts.push(`${lead}- ${inline(item, indent)}\n`);
      lead = pad;
    }
    return;
  }
  for (const name of Object.keys(collection)) {
    const value = collection[name];
    const key = keyOf(name);
    if (isCollection(value) && !isEmpty(value)) {
      parts.push(`${lead}${key}:\n`);
      block(value, indent + 2, padOf(indent + 2), parts);
    } else {
      parts.push(`${lead}${key}: ${inline(value, indent)}\n`);
    }
    lead = pad;
  }
}

/** A scalar or empty collection after `key: ` or `- `, its block scalar lines indented under `indent`. */
function inline(value: unknown, indent: number): string {
  if (typeof value === 'string') {
    if (isPlainValue(value)) return value;
    const text = cached(valueCache, value, () => Yaml.stringify({ v: value }).slice('v: '.length, -1));
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

function isPlainValue(value: string): boolean {
  if (QUANTITY.test(value) || IPV4_CIDR.test(value)) return true;
  return PLAIN_VALUE.test(value) && !YAML_11_WORDS.test(value) && !/: | $|:$/.test(value);
}

/** Whether the library writes `text` plain: see PLAIN; the YAML 1.1 words are all five letters or fewer. */
function isPlain(text: string): boolean {
  return PLAIN.test(text) && (text.length > 5 || !YAML_11_WORDS.test(text));
}

function keyOf(name: string): string {
  if (isPlain(name)) return name;
  if (name.includes('\n')) throw new Unsupported();
  return cached(keyCache, name, () => Yaml.stringify({ [name]: null }).slice(0, -': null\n'.length));
}

function cached(cache: Map<string, string>, key: string, compute: () => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    text = compute();
    cache.set(key, text);
  }
  return text;
}
