import { DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * `new DependencyGraph(scope.node).topology()`, the order cdk8s writes charts and objects in, for
 * `constructs` = `scope.node.findAll()`, without its cost on a large app: cdk8s keys every vertex
 * by `node.path` (a string built by walking up to the root, for every construct, every time) and
 * searches for a cycle before each edge. This keys vertices by the construct itself and looks for
 * cycles once; an app with a cycle is handed to cdk8s, so its error stays cdk8s's own.
 */
export function dependencyOrder(scope: IConstruct, constructs: readonly IConstruct[]): IConstruct[] {
  const vertices = vertexOrder(constructs);
  // A vertex's dependencies inside `scope`, in the order cdk8s adds the edges; most have none.
  const edges = new Map<IConstruct, IConstruct[] | undefined>(vertices.map((c) => [c, undefined]));
  const hasDependants = new Set<IConstruct>();
  for (const source of constructs) {
    for (const target of source.node.dependencies) {
      // Like cdk8s, dependencies on constructs outside `scope` are not edges.
      if (!edges.has(target)) continue;
      const targets = edges.get(source) ?? [];
      if (!targets.includes(target)) targets.push(target);
      edges.set(source, targets);
      hasDependants.add(target);
    }
  }
  if (hasCycle(edges)) return new DependencyGraph(scope.node).topology();
  const order: IConstruct[] = [];
  const placed = new Set<IConstruct>();
  // Depth first, each vertex after its dependencies. cdk8s walks a placed vertex's dependencies
  // again, which places nothing new (they were placed before it): skipping them keeps this linear.
  const visit = (vertex: IConstruct) => {
    if (placed.has(vertex)) return;
    for (const target of edges.get(vertex) ?? []) visit(target);
    placed.add(vertex);
    order.push(vertex);
  };
  for (const vertex of vertices) {
    if (!hasDependants.has(vertex)) visit(vertex);
  }
  return order;
}

/**
 * The order cdk8s's vertex table (a plain object keyed by path) enumerates constructs in: paths
 * that are array indices (a chart named `7` directly under the app) first, ascending, then the
 * rest in `findAll()` order. Only a direct child of the root has a path without a slash.
 */
function vertexOrder(constructs: readonly IConstruct[]): IConstruct[] {
  const indexed: { construct: IConstruct; index: number }[] = [];
  const rest: IConstruct[] = [];
  for (const construct of constructs) {
    const scope = construct.node.scope;
    const index = scope && !scope.node.scope ? arrayIndex(construct.node.id) : undefined;
    if (index === undefined) rest.push(construct);
    else indexed.push({ construct, index });
  }
  if (indexed.length === 0) return rest;
  return [...indexed.sort((a, b) => a.index - b.index).map((i) => i.construct), ...rest];
}

function arrayIndex(key: string): number | undefined {
  if (!/^(?:0|[1-9][0-9]*)$/.test(key)) return undefined;
  const index = Number(key);
  return index < 2 ** 32 - 1 ? index : undefined;
}

function hasCycle(edges: Map<IConstruct, IConstruct[] | undefined>): boolean {
  const done = new Set<IConstruct>();
  const onPath = new Set<IConstruct>();
  const reachesItself = (vertex: IConstruct): boolean => {
    if (onPath.has(vertex)) return true;
    if (done.has(vertex)) return false;
    onPath.add(vertex);
    for (const target of edges.get(vertex) ?? []) {
      if (reachesItself(target)) return true;
    }
    onPath.delete(vertex);
    done.add(vertex);
    return false;
  };
  // Only a vertex with dependencies can be on a cycle.
  for (const [vertex, targets] of edges) {
    if (targets && reachesItself(vertex)) return true;
  }
  return false;
}
