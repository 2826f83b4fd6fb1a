import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/** What the `app.kubernetes.io/*` labels of one component say. */
export interface StandardLabelsProps {
  /** `app.kubernetes.io/name`: the application, e.g. `mysql`. */
  readonly name: string;
  /** `app.kubernetes.io/instance`: the release this object belongs to. */
  readonly instance: string;
  /** `app.kubernetes.io/component`: its role, e.g. `database`. */
  readonly component: string;
  /** `app.kubernetes.io/part-of`: the larger application (and the value of the prune label, see markPrunable). */
  readonly partOf: string;
}

/** The recommended Kubernetes labels for one component of a release. */
export class StandardLabels {
  constructor(private readonly props: StandardLabelsProps) {}

  /** The immutable subset used in selectors: it must never change after the first apply. */
  public get selector(): Record<string, string> {
    return {
      'app.kubernetes.io/name': this.props.name,
      'app.kubernetes.io/instance': this.props.instance,
      'app.kubernetes.io/component': this.props.component,
    };
  }

  /** Every standard label, for object metadata and pod templates. */
  public get all(): Record<string, string> {
    // Keys added to the selector's fresh object rather than `{ ...this.selector, ... }`: once
    // optimised, Node 20's V8 gives every object built by a spread followed by more keys a map of
    // its own (a fleet builds thousands).
    return Object.assign(this.selector, {
      'app.kubernetes.io/part-of': this.props.partOf,
      'app.kubernetes.io/managed-by': 'cdk8s',
    });
  }

  /** The same release and application, another component. */
  public withComponent(component: string, name = this.props.name): StandardLabels {
    return new StandardLabels({ ...this.props, component, name });
  }
}

/**
 * Label that `kubectl apply --prune -l` selects by, on every object that may be deleted when the
 * code no longer emits it. Its value is the chart's `partOf`, so two apps on one cluster (with
 * different `partOf`) never prune each other's objects. Objects that hold data never carry it.
 */
export const PRUNE_LABEL = 'cdk8s-wordpress-eks/prune-set';

/**
 * Kinds whose deletion loses data: a Namespace takes its claims and Secrets with it, a claim its
 * volume (the default StorageClasses of kind and EKS reclaim with Delete), a Secret the generated
 * passwords. They never carry {@link PRUNE_LABEL} and are never in the prune allowlist.
 */
// An ExternalSecret owns the Secret it writes (the operator's default creationPolicy: Owner): deleting
// it garbage-collects the database credentials with it.
export const DATA_HOLDER_KINDS: readonly string[] = ['Namespace', 'PersistentVolume', 'PersistentVolumeClaim', 'Secret', 'ExternalSecret'];

const pruneSets = new WeakMap<IConstruct, Set<string>>();

/**
 * Puts {@link PRUNE_LABEL} with `pruneSet` on every object under `scope` that holds no data, and
 * records `pruneSet` on the app so the documented prune command selects it (also when the scope
 * emits nothing prunable any more). A StatefulSet is prunable only while its claims outlive it
 * (`persistentVolumeClaimRetentionPolicy.whenDeleted: Retain`, the default): deleting it stops the
 * database but keeps its volume. Call it again after adding objects; objects added without it are
 * never pruned.
 */
export function markPrunable(scope: IConstruct, pruneSet: string): void {
  const root = scope.node.root;
  if (!pruneSets.has(root)) pruneSets.set(root, new Set());
  pruneSets.get(root)!.add(pruneSet);
  for (const construct of scope.node.findAll()) {
    if (construct instanceof ApiObject && !holdsData(construct)) construct.metadata.addLabel(PRUNE_LABEL, pruneSet);
  }
}

/** Every `pruneSet` that {@link markPrunable} recorded under the app of `scope`, sorted. */
export function pruneSetsOf(scope: IConstruct): string[] {
  return [...(pruneSets.get(scope.node.root) ?? [])].sort();
}

function holdsData(object: ApiObject): boolean {
  if (DATA_HOLDER_KINDS.includes(object.kind)) return true;
  return object.kind === 'StatefulSet' && claimsDeletedWith(object);
}

/**
 * Whether a StatefulSet's claims go with it. Read from the spec it was given when that is plain
 * data: `toJson()` would resolve its whole pod template, for every StatefulSet of every site of a
 * fleet, twice. A spec that is a token or a JSON patch can change the answer, so those resolve.
 */
function claimsDeletedWith(object: ApiObject): boolean {
  const given = object as unknown as { props?: { spec?: unknown }; patches?: unknown[] };
  const spec = given.props?.spec;
  if (given.patches?.length === 0 && isPlain(spec)) {
    const policy = spec.persistentVolumeClaimRetentionPolicy;
    // null: not plain data either, so resolve
    const whenDeleted = policy === undefined ? undefined : isPlain(policy) ? policy.whenDeleted : null;
    if (whenDeleted === undefined || typeof whenDeleted === 'string') return whenDeleted === 'Delete';
  }
  return object.toJson().spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
