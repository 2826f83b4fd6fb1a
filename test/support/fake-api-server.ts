import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { writeFileSync } from 'fs';
import { join } from 'path';

/** One resource type the fake serves, as discovery describes it. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const type = (group: string, version: string, kind: string, namespaced = true, plural = `${kind.toLowerCase()}s`): ResourceType =>
  ({ group, version, kind, plural, namespaced });

/**
 * Every kind the project emits, every kind kubectl prunes by default (it refuses to prune when
 * discovery lacks one) and the kinds a cluster creates on its own (Pods, ReplicaSets).
 */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  type('', 'v1', 'Namespace', false),
  type('', 'v1', 'PersistentVolume', false),
  type('', 'v1', 'ConfigMap'),
  type('', 'v1', 'Endpoints', true, 'endpoints'),
  type('', 'v1', 'LimitRange'),
  type('', 'v1', 'PersistentVolumeClaim'),
  type('', 'v1', 'Pod'),
  type('', 'v1', 'ReplicationController'),
  type('', 'v1', 'ResourceQuota'),
  type('', 'v1', 'Secret'),
  type('', 'v1', 'Service'),
  type('', 'v1', 'ServiceAccount'),
  type('apps', 'v1', 'DaemonSet'),
  type('apps', 'v1', 'Deployment'),
  type('apps', 'v1', 'ReplicaSet'),
  type('apps', 'v1', 'StatefulSet'),
  type('autoscaling', 'v2', 'HorizontalPodAutoscaler', true, 'horizontalpodautoscalers'),
  type('batch', 'v1', 'CronJob'),
  type('batch', 'v1', 'Job'),
  type('networking.k8s.io', 'v1', 'Ingress', true, 'ingresses'),
  type('networking.k8s.io', 'v1', 'IngressClass', false, 'ingressclasses'),
  type('networking.k8s.io', 'v1', 'NetworkPolicy', true, 'networkpolicies'),
  type('policy', 'v1', 'PodDisruptionBudget'),
  type('rbac.authorization.k8s.io', 'v1', 'ClusterRole', false),
  type('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', false),
  type('rbac.authorization.k8s.io', 'v1', 'Role'),
  type('rbac.authorization.k8s.io', 'v1', 'RoleBinding'),
  type('storage.k8s.io', 'v1', 'StorageClass', false, 'storageclasses'),
];

/** A request as the fake received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body?: any;
}

/** An object the fake removed: by a DELETE request, or with its Namespace. */
export interface Deletion {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** The Namespace whose deletion took it along, if it was not deleted by name. */
  readonly withNamespace?: string;
}

/**
 * A loopback Kubernetes API server, just enough for the real kubectl to apply, get, list by label,
 * patch and delete: discovery, CRUD on {@link RESOURCE_TYPES}, label selectors, JSON and
 * strategic merge patches (merged as JSON: list directives are dropped), and a Namespace deletion
 * that removes every object in it, as the namespace controller would. Its OpenAPI v3 documents
 * declare only that PATCH takes `fieldValidation`, so kubectl leaves validation to the server
 * (which accepts everything) and builds patches from its compiled-in types. Every request is recorded.
 */
export class FakeApiServer {
  /** Starts a server on a free port of 127.0.0.1. */
  public static async start(): Promise<FakeApiServer> {
    const fake = new FakeApiServer();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Every request, in order. */
  public readonly requests: RecordedRequest[] = [];
  /** Every object removed, in order. */
  public readonly deletions: Deletion[] = [];
  private readonly store = new Map<string, any>();
  private readonly server: Server;
  private resourceVersion = 1;

  private constructor() {
    this.server = createServer((request, response) => this.receive(request, response));
  }

  /** `http://127.0.0.1:<port>`. */
  public get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Writes a kubeconfig for this server into `dir` and returns its path. */
  public writeKubeconfig(dir: string): string {
    const path = join(dir, 'kubeconfig');
    writeFileSync(path, JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: this.url } }],
      users: [{ name: 'fake', user: {} }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake', namespace: 'default' } }],
      'current-context': 'fake',
    }));
    return path;
  }

  /** Stores an object as if another client had created it (e.g. a Secret from the credentials Job). */
  public put(object: any): void {
    const resource = typeOfKind(object.kind);
    this.save(resource, object.metadata.namespace, { ...object, metadata: { ...object.metadata } });
  }

  /** Every stored object, optionally of one kind. */
  public objects(kind?: string): any[] {
    return [...this.store.values()].filter((o) => kind === undefined || o.kind === kind);
  }

  /** The stored object, if any. */
  public get(kind: string, namespace: string | undefined, name: string): any | undefined {
    return this.store.get(keyOf(typeOfKind(kind), namespace, name));
  }

  /** Forgets the requests and deletions recorded so far (the objects stay). */
  public clearRecords(): void {
    this.requests.length = 0;
    this.deletions.length = 0;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private receive(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? JSON.parse(text) : undefined;
      const recorded: RecordedRequest = { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, body };
      this.requests.push(recorded);
      let status = 200;
      let payload: any;
      try {
        [status, payload] = this.handle(recorded);
      } catch (error) {
        [status, payload] = [500, failure(500, 'InternalError', (error as Error).message)];
      }
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(payload));
    });
  }

  private handle(request: RecordedRequest): [number, any] {
    const { method, path } = request;
    if (path === '/version') return [200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' }];
    if (path === '/api') return [200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }];
    if (path === '/apis') return [200, groupList()];
    if (path === '/openapi/v3') return [200, openApiRoot()];
    if (path.startsWith('/openapi/v3/')) return [200, openApiDocument(path.slice('/openapi/v3/'.length))];
    const route = parseRoute(path);
    if (!route) return [404, failure(404, 'NotFound', `the server could not find the requested resource (${method} ${path})`)];
    if (!route.resource) return [200, resourceList(route.group, route.version)];
    const { resource, namespace, name } = route;
    if (name === undefined) {
      if (method === 'GET') return [200, this.list(resource, namespace, request.query.get('labelSelector') ?? '')];
      if (method === 'POST') return this.create(resource, namespace, request.body, isDryRun(request));
    } else {
      const stored = this.store.get(keyOf(resource, namespace, name));
      if (!stored) return [404, failure(404, 'NotFound', `${resource.plural} "${name}" not found`, { name, kind: resource.plural, group: resource.group })];
      if (method === 'GET') return [200, stored];
      if (method === 'PATCH') return [200, this.patch(resource, stored, request.body, isDryRun(request))];
      if (method === 'PUT') return [200, isDryRun(request) ? request.body : this.save(resource, namespace, request.body)];
      if (method === 'DELETE') return [200, isDryRun(request) ? stored : this.remove(resource, stored)];
    }
    return [405, failure(405, 'MethodNotAllowed', `${method} is not supported on ${path}`)];
  }

  private list(resource: ResourceType, namespace: string | undefined, selector: string): any {
    const matches = parseSelector(selector);
    const items = [...this.store.values()]
      .filter((o) => o.kind === resource.kind && (namespace === undefined || o.metadata.namespace === namespace))
      .filter((o) => matches(o.metadata.labels ?? {}));
    return { kind: `${resource.kind}List`, apiVersion: apiVersionOf(resource), metadata: { resourceVersion: String(this.resourceVersion) }, items };
  }

  private create(resource: ResourceType, namespace: string | undefined, object: any, dryRun: boolean): [number, any] {
    const name = object?.metadata?.name;
    if (this.store.has(keyOf(resource, namespace, name))) {
      return [409, failure(409, 'AlreadyExists', `${resource.plural} "${name}" already exists`, { name, kind: resource.plural, group: resource.group })];
    }
    if (resource.namespaced && !this.store.has(keyOf(typeOfKind('Namespace'), undefined, namespace ?? ''))) {
      return [404, failure(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' })];
    }
    return [201, dryRun ? object : this.save(resource, namespace, object)];
  }

  private patch(resource: ResourceType, stored: any, patch: any, dryRun: boolean): any {
    const merged = mergePatch(stored, patch);
    return dryRun ? merged : this.save(resource, stored.metadata.namespace, merged);
  }

  private save(resource: ResourceType, namespace: string | undefined, object: any): any {
    const saved = {
      ...object,
      apiVersion: apiVersionOf(resource),
      kind: resource.kind,
      metadata: {
        uid: `uid-${this.resourceVersion}`,
        creationTimestamp: '2026-01-01T00:00:00Z',
        ...object.metadata,
        ...(resource.namespaced ? { namespace } : {}),
        resourceVersion: String(++this.resourceVersion),
      },
    };
    this.store.set(keyOf(resource, namespace, saved.metadata.name), saved);
    return saved;
  }

  private remove(resource: ResourceType, object: any, withNamespace?: string): any {
    const { name, namespace } = object.metadata;
    this.store.delete(keyOf(resource, namespace, name));
    this.deletions.push({ kind: resource.kind, namespace, name, ...(withNamespace ? { withNamespace } : {}) });
    if (resource.kind === 'Namespace') {
      for (const contained of [...this.store.values()].filter((o) => o.metadata.namespace === name)) {
        this.remove(typeOfKind(contained.kind), contained, name);
      }
    }
    return object;
  }
}

interface Route {
  readonly group: string;
  readonly version: string;
  readonly resource?: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
}

/** `/api/v1[/namespaces/<ns>]/<plural>[/<name>]` or the same under `/apis/<group>/<version>`. */
function parseRoute(path: string): Route | undefined {
  const segments = path.split('/').filter(Boolean);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 2) [group, version, rest] = ['', segments[1], segments.slice(2)];
  else if (segments[0] === 'apis' && segments.length >= 3) [group, version, rest] = [segments[1], segments[2], segments.slice(3)];
  else return undefined;
  const types = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  if (rest.length === 0) return { group, version };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) [namespace, rest] = [rest[1], rest.slice(2)];
  const resource = types.find((t) => t.plural === rest[0] && (t.namespaced || namespace === undefined));
  if (!resource || rest.length > 2) return undefined;
  return { group, version, resource, namespace, name: rest[1] };
}

function groupList(): any {
  const groups = [...new Set(RESOURCE_TYPES.map((t) => t.group).filter(Boolean))];
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((name) => {
      const versions = [...new Set(RESOURCE_TYPES.filter((t) => t.group === name).map((t) => t.version))]
        .map((version) => ({ groupVersion: `${name}/${version}`, version }));
      return { name, versions, preferredVersion: versions[0] };
    }),
  };
}

function resourceList(group: string, version: string): any {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: RESOURCE_TYPES.filter((t) => t.group === group && t.version === version).map((t) => ({
      name: t.plural,
      singularName: t.kind.toLowerCase(),
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    })),
  };
}

function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** The OpenAPI v3 discovery document: one document per group version. */
function openApiRoot(): any {
  const paths: Record<string, any> = {};
  for (const t of RESOURCE_TYPES) {
    const path = groupVersionPath(t.group, t.version);
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=fake` };
  }
  return { paths };
}

/**
 * A group version's OpenAPI v3 document, reduced to what kubectl reads before it applies: for each
 * kind, a PATCH operation tagged with the kind that takes the `fieldValidation` query parameter.
 */
function openApiDocument(groupVersion: string): any {
  const paths: Record<string, any> = {};
  for (const t of RESOURCE_TYPES.filter((r) => groupVersionPath(r.group, r.version) === groupVersion)) {
    paths[`/${groupVersion}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}/{name}`] = {
      patch: {
        'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
        'parameters': [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
        'responses': { 200: { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}

/**
 * A label selector as the API server reads it: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k`, `!k`, joined by commas (outside parentheses).
 */
export function parseSelector(selector: string): (labels: Record<string, string>) => boolean {
  const requirements = selector.split(/,(?![^(]*\))/).map((r) => r.trim()).filter(Boolean).map((requirement) => {
    const set = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(requirement);
    if (set) {
      const values = set[3].split(',').map((v) => v.trim());
      return (labels: Record<string, string>) => (set[2] === 'in') === (set[1] in labels && values.includes(labels[set[1]]));
    }
    const equality = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(requirement);
    if (equality) {
      const [, key, op, value] = equality;
      return (labels: Record<string, string>) => (labels[key] === value) === (op !== '!=');
    }
    if (/^![^\s!=]+$/.test(requirement)) return (labels: Record<string, string>) => !(requirement.slice(1) in labels);
    if (/^[^\s!=]+$/.test(requirement)) return (labels: Record<string, string>) => requirement in labels;
    throw new Error(`unparsable label selector requirement "${requirement}"`);
  });
  return (labels) => requirements.every((matches) => matches(labels));
}

/** RFC 7386 merge; keys starting with `$` (strategic merge directives) are dropped. */
function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: any = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function typeOfKind(kind: string): ResourceType {
  const found = RESOURCE_TYPES.find((t) => t.kind === kind);
  if (!found) throw new Error(`the fake API server does not serve kind ${kind}`);
  return found;
}

function keyOf(resource: ResourceType, namespace: string | undefined, name: string): string {
  return `${resource.group}/${resource.plural}/${resource.namespaced ? namespace : ''}/${name}`;
}

function apiVersionOf(resource: ResourceType): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

function isDryRun(request: RecordedRequest): boolean {
  return request.query.has('dryRun');
}

function failure(code: number, reason: string, message: string, details?: any): any {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details ? { details } : {}) };
}
