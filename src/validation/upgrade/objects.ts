import { namespaceOf } from '../located-object';
import { LocatedObject } from '../located-object';

/** An object of both outputs: the previous and the current version of it. */
export interface ObjectPair {
  readonly previous: LocatedObject;
  readonly current: LocatedObject;
}

/** The previous and current outputs, paired by identity. */
export interface OutputDiff {
  /** Objects present in both (matched by API group, kind, namespace and name; the version may differ). */
  readonly pairs: ObjectPair[];
  /** Objects of the previous output that the current one no longer has. */
  readonly removed: LocatedObject[];
  /** Objects new in the current output. */
  readonly added: LocatedObject[];
  /** Every object of the previous output. */
  readonly previous: LocatedObject[];
  /** Every object of the current output. */
  readonly current: LocatedObject[];
}

/** The API group of an apiVersion (`''` for the core group). */
export function groupOf(apiVersion: string | undefined): string {
  const slash = (apiVersion ?? '').indexOf('/');
  return slash < 0 ? '' : (apiVersion ?? '').slice(0, slash);
}

/** Identity of an object across versions: what the API server stores it under. */
export function identityOf(object: any): string {
  return `${groupOf(object?.apiVersion)}|${object?.kind}|${namespaceOf(object)}|${object?.metadata?.name}`;
}

/** `Kind/namespace/name` (or `Kind/name` when cluster-scoped), as reports and kubectl name objects. */
export function describeObject(object: any): string {
  const ns = namespaceOf(object);
  return `${object?.kind}/${ns ? `${ns}/` : ''}${object?.metadata?.name}`;
}

/** Pairs the objects of two outputs. */
export function diffOutputs(previous: LocatedObject[], current: LocatedObject[]): OutputDiff {
  const byIdentity = new Map(current.map((located) => [identityOf(located.object), located]));
  const previousIds = new Set(previous.map((located) => identityOf(located.object)));
  const pairs: ObjectPair[] = [];
  const removed: LocatedObject[] = [];
  for (const located of previous) {
    const match = byIdentity.get(identityOf(located.object));
    if (match) pairs.push({ previous: located, current: match });
    else removed.push(located);
  }
  const added = current.filter((located) => !previousIds.has(identityOf(located.object)));
  return { pairs, removed, added, previous, current };
}

/** Deep equality of decoded YAML/JSON values, where an explicit null equals an absent field (as the API server decodes it). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => sameValue(v, (b as unknown[])[i]));
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  return [...keys].every((k) => sameValue((a as any)[k], (b as any)[k]));
}

/** A value for a message: short JSON, `(unset)` when absent. */
export function show(value: unknown): string {
  if (value === undefined || value === null) return '(unset)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The fields of `a` and `b` (objects) whose values differ, in a stable order. */
export function changedKeys(a: any, b: any, ignore: ReadonlySet<string> = new Set()): string[] {
  const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
  return keys.filter((k) => !ignore.has(k) && !sameValue(a?.[k], b?.[k]));
}
