import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { InvalidPropError } from '../common/errors';
import { namespaceOf } from '../validation/located-object';

const guardedRoots = new WeakSet<IConstruct>();

/** At most this many clashing objects are spelled out per pair of charts; the rest are counted. */
const LISTED = 5;

/**
 * Makes the app of `scope` refuse to synthesize when two of its objects are one object to
 * Kubernetes (same API group, kind, namespace and name): `kubectl apply` would silently let the
 * later one overwrite the earlier, or never converge when they differ.
 *
 * It is a construct validation on the root, added once however many charts ask for it, because
 * both cdk8s's `App.synth()` and `LinearSynthApp.synth()` run every construct's validations before
 * they write a file, and a single pass over the app's objects keeps it linear in their number.
 */
export function guardAgainstObjectClashes(scope: IConstruct): void {
  const root = scope.node.root;
  if (guardedRoots.has(root)) return;
  guardedRoots.add(root);
  root.node.addValidation({ validate: () => findObjectClashes(root) });
}

/** One message per pair of charts (or chart with itself) emitting the same objects. */
export function findObjectClashes(root: IConstruct): string[] {
  const firstOwner = new Map<string, ApiObject>();
  const clashes = new Map<string, { first: ApiObject; second: ApiObject; objects: string[] }>();
  for (const construct of root.node.findAll()) {
    if (!(construct instanceof ApiObject)) continue;
    const identity = identityOf(construct);
    const first = firstOwner.get(identity);
    if (!first) {
      firstOwner.set(identity, construct);
      continue;
    }
    const pair = `${Chart.of(first).node.path}\u0000${Chart.of(construct).node.path}`;
    const clash = clashes.get(pair) ?? { first, second: construct, objects: [] };
    clash.objects.push(identity);
    clashes.set(pair, clash);
  }
  return [...clashes.values()].map(({ first, second, objects }) => {
    const [a, b] = [Chart.of(first), Chart.of(second)];
    const listed = objects.slice(0, LISTED).join(', ') + (objects.length > LISTED ? ` and ${objects.length - LISTED} more` : '');
    const who = a === b
      ? `Chart "${a.node.path}" emits ${listed} twice (${first.node.path} and ${second.node.path})`
      : `Charts "${a.node.path}" and "${b.node.path}" both emit ${listed}`;
    const sharedNamespace = objects.some((o) => o.startsWith('Namespace '));
    const advice = sharedNamespace
      ? 'Each chart creates the namespace it deploys into: give each its own namespace (and release name).'
      : 'Give each its own name, or its own namespace for namespaced objects.';
    return `${who}: Kubernetes stores one object per API group, kind, namespace and name, so one would silently overwrite the other. ${advice}`;
  });
}

/** `[group/]Kind [namespace/]name`: what the API server identifies an object by (the version does not count). */
function identityOf(object: ApiObject): string {
  const slash = object.apiVersion.lastIndexOf('/');
  const group = slash >= 0 ? `${object.apiVersion.slice(0, slash)}/` : '';
  const namespace = namespaceOf({ kind: object.kind, metadata: { namespace: object.metadata.namespace } });
  return `${group}${object.kind} ${namespace ? `${namespace}/` : ''}${object.name}`;
}

/**
 * Rejects an id already taken under `scope` with a message that says where, instead of the
 * constructs library's "There is already a Construct": a fleet names each site's chart after the
 * site, so a chart id and a site name meet here.
 */
export function checkIdFree(scope: IConstruct, id: string, prop: string): void {
  const taken = scope.node.tryFindChild(id);
  if (taken) {
    const where = scope.node.path ? `"${scope.node.path}"` : 'the app';
    throw new InvalidPropError(prop, id, `a name no other construct directly under ${where} has: "${taken.node.path}" already exists (a WordPressFleet names each site's chart after the site)`);
  }
}
