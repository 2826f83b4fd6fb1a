/**
 * Faster stand-ins for the `toJson_*` converters that `cdk8s import` generates (cdk8s-plus's `k8s`
 * module and the bindings in imports/), built by reading each converter's own source.
 *
 * A generated converter lists every field of its type in an object literal, then drops the
 * undefined ones with `Object.entries(result).reduce((r, i) => ... ({ ...r, [i[0]]: i[1] }), {})`:
 * one pair per declared field (a PodSpec declares 37) and one new object per defined field, each a
 * copy of the last. Objects built that way also take about twice the memory of the same object
 * built by assignment, and a synth keeps every written object for its extras. The generator writes
 * each field with one of a few expressions (a copy, another converter, a list or map of either,
 * `?.value` for IntOrString and Quantity, `?.toISOString()`); a converter whose text is exactly
 * that shape is run here as the same steps, building each object once, in the same key order.
 * Any other text (another generator version, another transpiler) gives no stand-in: the caller
 * then uses the converter itself.
 */

type Convert = (value: any) => any;

/** Stand-ins by converter, or null for a converter that is not of the known shape. */
const known = new WeakMap<Function, Convert | null>();

/**
 * A function that returns what `converter` returns for data as `ApiObject.toJson()` produces it
 * (plain objects, arrays, strings, numbers, booleans), or undefined when its text is not of the
 * generated shape. `exported` is the module that exports it, where the converters it calls are found.
 */
export function fasterConverter(converter: Function, exported: Record<string, unknown>): Convert | undefined {
  if (!known.has(converter)) {
    const building = new Map<Function, Plan>();
    const plan = planOf(converter, exported, building);
    // All or nothing: a converter that calls one of unknown shape gets no stand-in either.
    for (const [fn, built] of building) known.set(fn, plan ? built.run : null);
    if (!plan) known.set(converter, null);
  }
  return known.get(converter) ?? undefined;
}

interface Plan {
  run: Convert;
}

const FUNCTION = /^function (toJson_\w+)\(obj\) \{\n\s*if \(obj === undefined\) \{\n\s*return undefined;\n\s*\}\n\s*const result = \{\n([\s\S]*?)\n\s*\};\n\s*\/\/ filter undefined values\n\s*return Object\.entries\(result\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: i\[1\] \}\), \{\}\);\n\s*\}$/;
const FIELD = /^'([^'\\]+)': (.*),$/;

function planOf(converter: Function, exported: Record<string, unknown>, building: Map<Function, Plan>): Plan | undefined {
  const ready = known.get(converter);
  if (ready === null) return undefined;
  if (ready) return { run: ready };
  const started = building.get(converter);
  if (started) return started;
  const source = FUNCTION.exec(Function.prototype.toString.call(converter));
  if (!source || exported[source[1]] !== converter) return undefined;
  const fields: [string, string, Convert][] = [];
  // Filled in below; converters that call this one (recursive types) hold the plan, not its run.
  const plan: Plan = { run: () => undefined };
  building.set(converter, plan);
  for (const line of source[2].split('\n').map((l) => l.trim())) {
    const field = FIELD.exec(line);
    const prop = field && /\bobj\.(\w+)/.exec(field[2])?.[1];
    if (!field || !prop || field[1] === '__proto__' || fields.some(([key]) => key === field[1])) return undefined;
    const step = stepOf(field[2], `obj.${prop}`, exported, building);
    if (!step) return undefined;
    fields.push([field[1], prop, step]);
  }
  plan.run = (obj) => {
    if (obj === undefined) return undefined;
    const result: any = {};
    for (const [key, prop, step] of fields) {
      const value = step(obj[prop]);
      if (value !== undefined) result[key] = value;
    }
    return result;
  };
  return plan;
}

const MAP_INDEX = '[i[0]]: ';

/** What the generated expression `text` does to the value written `subject` in it, or undefined when unknown. */
function stepOf(text: string, subject: string, exported: Record<string, unknown>, building: Map<Function, Plan>): Convert | undefined {
  if (text === subject) return (value) => value;
  if (text === `${subject}?.value`) return (value) => (value === null || value === undefined ? undefined : value.value);
  if (text === `${subject}?.toISOString()`) return (value) => (value === null || value === undefined ? undefined : value.toISOString());
  const call = /^(toJson_\w+)\((.*)\)$/.exec(text);
  if (call && call[2] === subject) {
    const callee = exported[call[1]];
    const plan = typeof callee === 'function' ? planOf(callee, exported, building) : undefined;
    return plan && ((value) => plan.run(value));
  }
  const each = `${subject}?.map(y => `;
  if (text.startsWith(each) && text.endsWith(')')) {
    const item = stepOf(text.slice(each.length, -1), 'y', exported, building);
    return item && ((value) => (value === null || value === undefined ? undefined : value.map((y: any) => item(y))));
  }
  const map = `((${subject}) === undefined) ? undefined : (Object.entries(${subject}).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, ${MAP_INDEX}`;
  const end = ' }), {}))';
  if (text.startsWith(map) && text.endsWith(end)) {
    const entry = stepOf(text.slice(map.length, -end.length), 'i[1]', exported, building);
    return entry && ((value) => (value === undefined ? undefined : mapOf(value, entry)));
  }
  return undefined;
}

/** The generated map reduction: entries whose value is undefined dropped, the others converted. */
function mapOf(value: any, entry: Convert): any {
  const result: any = {};
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item === undefined) continue;
    // A computed key in a literal defines even `__proto__` as an own property; assignment would not.
    if (key === '__proto__') Object.defineProperty(result, key, { value: entry(item), writable: true, enumerable: true, configurable: true });
    else result[key] = entry(item);
  }
  return result;
}
