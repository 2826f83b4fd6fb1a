import { ApiObject, ApiObjectMetadataDefinition, App, ImplicitTokenResolver, JsonPatch, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { fasterConverter } from './binding-converters';

/**
 * `ApiObject.toJson()` without the cost of cdk8s's general machinery, for the objects where the
 * answer is certain to be the same.
 *
 * cdk8s resolves every value of an object one by one: for each it walks up to the App for its
 * resolvers, allocates a context and a key path, asks the three built-in resolvers, and then
 * copies the whole result once more to sort its keys (`sanitizeValue`). With only the built-in
 * resolvers, a string, number or boolean is never replaced, so one walk that resolves and sorts
 * at once gives the same data. This does that walk and hands back to `object.toJson()` itself
 * whenever anything could make the two differ: custom resolvers, `CDK8S_DISABLE_SORT`, a `Lazy` or a token anywhere in the object, a value that is not plain data, or a
 * `toJson()` override it does not recognise. Generated bindings (`cdk8s import`, cdk8s-plus's
 * `k8s`) override `toJson()` with one fixed shape, `{ ...X.GVK, ...toJson_XProps(super.toJson()) }`:
 * the override's source is checked against that shape and the same converter is called on the
 * result (or its stand-in from `binding-converters.ts`). Nothing of cdk8s is patched: other code in the process sees the library unchanged.
 */
export class ObjectJson {
  /** Whether the App resolves like this walk does; otherwise every object goes to `toJson()`. */
  private readonly usable: boolean;
  /** How each class that overrides `toJson()` finishes an object; undefined when unrecognised. */
  private readonly finishers = new Map<object, Finisher | undefined>();

  constructor(app: App) {
    this.usable = !process.env.CDK8S_DISABLE_SORT && onlyBuiltInResolvers(app) && primitivesAreNeverResolved();
  }

  /** Exactly `object.toJson()`. */
  public of(object: ApiObject): any {
    if (!this.usable || Object.prototype.hasOwnProperty.call(object, 'toJson')) return object.toJson();
    const finish = this.finisherOf(object);
    if (finish === undefined) return object.toJson();
    try {
      return finish(baseJson(object));
    } catch {
      // Handed back: the library's own toJson() says what is wrong, its way.
      return object.toJson();
    }
  }

  private finisherOf(object: ApiObject): Finisher | undefined {
    const proto = Object.getPrototypeOf(object);
    if (!this.finishers.has(proto)) this.finishers.set(proto, finisherFor(proto));
    return this.finishers.get(proto);
  }
}

type Finisher = (json: any) => any;

const identity: Finisher = (json) => json;

/** Thrown inside the walk for anything it leaves to the library. */
const HAND_BACK = new Error('handed back to ApiObject.toJson()');

function onlyBuiltInResolvers(app: App): boolean {
  const kinds = app.resolvers.map((resolver) => resolver.constructor);
  return kinds.length === 3 && kinds[0] === LazyResolver && kinds[1] === ImplicitTokenResolver && kinds[2] === NumberStringUnionResolver;
}

/**
 * The built-in resolvers read `.resolve`, `.value` and `.constructor` of every value, strings and
 * numbers included; the walk relies on the standard prototypes not answering them.
 */
function primitivesAreNeverResolved(): boolean {
  return [String.prototype, Number.prototype, Boolean.prototype, Object.prototype, Array.prototype].every((proto) => !('resolve' in proto) && !('value' in proto))
    && Object.prototype.constructor === Object && Array.prototype.constructor === Array;
}

/**
 * What `toJson()` does after the base `ApiObject.toJson()` for objects of a prototype: nothing, or
 * a generated binding's converter; undefined when the override is anything else.
 */
function finisherFor(proto: any): Finisher | undefined {
  let owner = proto;
  while (owner !== null && !Object.prototype.hasOwnProperty.call(owner, 'toJson')) owner = Object.getPrototypeOf(owner);
  if (owner === ApiObject.prototype) return identity;
  if (owner === null || Object.getPrototypeOf(owner) !== ApiObject.prototype) return undefined;
  const cls = owner.constructor;
  const shape = /^toJson\(\)\s*\{\s*const (\w+) = super\.toJson\(\);\s*return \{\s*\.\.\.(\w+)\.GVK,\s*\.\.\.(toJson_\w+)\(\1\),?\s*\};?\s*\}$/
    .exec(Function.prototype.toString.call(owner.toJson));
  if (!shape || shape[2] !== cls.name) return undefined;
  const exported = moduleExporting(cls, shape[3]);
  if (!exported) return undefined;
  const convert = fasterConverter(exported[shape[3]], exported) ?? exported[shape[3]];
  // Object.assign, not a spread: once optimised, Node 20's V8 gives every object built as
  // `{ ...a, ...b }` a map of its own (about 250 bytes each, for every object a synth keeps).
  return (json) => Object.assign({}, cls.GVK, convert(json));
}

/** The loaded module that exports `cls` and the function `name` beside it (the override calls it by that name). */
function moduleExporting(cls: any, name: string): Record<string, any> | undefined {
  // A bundled build may have no module cache: then every such object goes to toJson().
  for (const loaded of Object.values(require.cache ?? {})) {
    const exported = loaded?.exports;
    if (exported && exported[cls.name] === cls && typeof exported[name] === 'function') return exported;
  }
  return undefined;
}

/** `ApiObject.prototype.toJson`, under the built-in resolvers and sorted keys. */
function baseJson(object: ApiObject): any {
  const metadata = metadataJson(object.metadata);
  // The library walks the metadata it just resolved once more; that walk copies it unchanged (it
  // is already plain, sorted and without empty values), so here it joins afterwards.
  const json = resolved({ ...(object as any).props, metadata: undefined }, false);
  if (metadata !== undefined) json.metadata = metadata;
  const patches: JsonPatch[] = (object as any).patches;
  const patched = patches.length === 0 ? json : JsonPatch.apply(json, ...patches);
  const result: any = {};
  for (const key of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) {
    if (key in patched) result[key] = patched[key];
  }
  return result;
}

/** `ApiObjectMetadataDefinition.prototype.toJson`; an override is handed back with its object. */
function metadataJson(metadata: ApiObjectMetadataDefinition): any {
  const m = metadata as any;
  if (m.toJson !== ApiObjectMetadataDefinition.prototype.toJson) throw HAND_BACK;
  // The library spreads its options (made slow to copy by a `delete`) under these six; a loop copies them faster.
  const data: any = {};
  const additional = m._additionalAttributes;
  for (const key of Object.keys(additional)) data[key] = additional[key];
  data.name = m.name;
  data.namespace = m.namespace;
  data.annotations = m.annotations;
  data.finalizers = m.finalizers;
  data.ownerReferences = m.ownerReferences;
  data.labels = m.labels;
  return resolved(data, true);
}

/**
 * cdk8s's `sanitizeValue(resolve([], value, object), { sortKeys: true })` (with `filterEmpty` also
 * its `filterEmptyArrays` and `filterEmptyObjects`), for the built-in resolvers.
 */
function resolved(value: any, filterEmpty: boolean): any {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string': case 'number': case 'boolean': return value;
    case 'object': break;
    default: throw HAND_BACK;
  }
  const proto = Object.getPrototypeOf(value);
  // A plain object: no Lazy, and its constructor is Object unless it has its own (handed back). A
  // token's `resolve` can only be its own, a function, and functions are handed back.
  if (proto === Object.prototype) return plainResolved(value, filterEmpty);
  if (proto === Array.prototype && value.value === undefined && value.resolve === undefined) {
    if (filterEmpty && value.length === 0) return undefined;
    return value.map((item: any) => resolved(item, filterEmpty));
  }
  // LazyResolver and ImplicitTokenResolver: producers run once, in the library's order, so not here.
  if (value instanceof Lazy || typeof value.resolve === 'function') throw HAND_BACK;
  // NumberStringUnionResolver: IntOrString, Quantity and the like become `{ value }`.
  const inner = value.value;
  if (value.constructor !== Object && (typeof inner === 'number' || typeof inner === 'string')) return { value: inner };
  throw HAND_BACK;
}

function plainResolved(value: any, filterEmpty: boolean): any {
  // Resolved in the order of the keys, as the library does, then written sorted without empty values.
  const keys = Object.keys(value);
  let sorted = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === '__proto__' || key === 'constructor') throw HAND_BACK;
    if (i > 0 && sorted) sorted = keys[i - 1] < key;
  }
  const result: any = {};
  let empty = true;
  if (sorted) {
    // Already in order (as `{ name, value }`, most labels, and every object this walk wrote): one copy.
    for (const key of keys) {
      const item = resolved(value[key], filterEmpty);
      if (item !== undefined) {
        result[key] = item;
        empty = false;
      }
    }
  } else {
    const all: any = {};
    for (const key of keys) all[key] = resolved(value[key], filterEmpty);
    for (const key of keys.sort()) {
      const item = all[key];
      if (item !== undefined) {
        result[key] = item;
        empty = false;
      }
    }
  }
  return filterEmpty && empty ? undefined : result;
}
