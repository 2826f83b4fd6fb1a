import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { contentHash } from '../common/content-hash';
import { CONFIG_HASH_ANNOTATION } from '../common/annotations';
import { quantityToNumber } from '../common/checks';
import { StandardLabels } from '../common/labels';
import { ResourceBudget } from '../common/resource-budget';
import { ComputeResources, ResolvedComputeResources, resolveResources, toResourceRequirements } from '../common/resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../common/security-context';
import { REDIS_SECRET_KEYS } from '../credentials/secret-keys';
import { checkRedisImage, REDIS } from '../images';

/** The Redis object cache. */
export interface ObjectCacheOptions {
  /** Official Redis image, 7.2 or later, with a tag (digest optional). @default - REDIS in src/images.ts */
  readonly image?: string;
  /** Container resources; Redis may use 75% of the memory limit for keys. @default - requests 50m/64Mi, limits 500m/128Mi */
  readonly resources?: ComputeResources;
  /** The Redis Object Cache plugin (`redis-cache`) at an exact version, installed by the plugins Job. @default 'redis-cache@2.6.3' */
  readonly plugin?: string;
}

/** Props of {@link Redis}. */
export interface RedisProps {
  /** Name of the Deployment and Service. */
  readonly name: string;
  /** The image, checked by the caller's registry rewrite. @default - REDIS in src/images.ts */
  readonly image?: string;
  /** Container resources. @default - requests 50m/64Mi, limits 500m/128Mi */
  readonly resources?: ComputeResources;
  /** Secret with the key `password`. */
  readonly passwordSecret: string;
  /** Labels of the release; Redis is its `cache` component. */
  readonly labels: StandardLabels;
}

/** Port Redis listens on. */
export const REDIS_PORT = 6379;
const DEFAULT_RESOURCES: ResolvedComputeResources = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { cpu: '500m', memory: '128Mi' },
};
const CONFIG_DIR = '/etc/redis/conf';
const PASSWORD_DIR = '/etc/redis/auth';
const RUN_DIR = '/run/redis';

/**
 * Redis as a cache only: one replica, nothing persisted (a restart starts cold, which a cache
 * tolerates), keys evicted least-recently-used at 75% of the memory limit.
 *
 * - Official image as redis (999:1000), read-only root filesystem, no token.
 * - The password is never in argv or in the manifests: a shell appends `requirepass` (printf is a
 *   builtin) from the mounted Secret to the base config in a memory-backed, owner-only file, then
 *   execs `redis-server` with that file.
 */
export class Redis extends Construct {
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The ClusterIP Service WordPress connects to. */
  public readonly service: k8s.KubeService;
  /** Labels of the Redis pod. */
  public readonly podSelector: Record<string, string>;
  /** The port. */
  public readonly port = REDIS_PORT;
  /** Its pod (plus a rollout), for namespace quotas. */
  public readonly budget: ResourceBudget;

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    const image = checkRedisImage('wordpress.objectCache.image', props.image ?? REDIS.image);
    const resources = resolveResources('wordpress.objectCache.resources', props.resources, DEFAULT_RESOURCES);
    const maxMemoryMb = Math.floor(quantityToNumber(resources.limits.memory) * 0.75 / 2 ** 20);
    const labels = props.labels.withComponent('cache', 'redis');
    this.podSelector = labels.selector;
    this.budget = { pods: 1, perPod: resources, storageBytes: 0, claims: 0 };

    const config = renderRedisConfig(maxMemoryMb);
    const configMap = new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: `${props.name}-config`, labels: labels.all },
      data: { 'redis.conf': config },
    });
    const serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: props.name, labels: labels.all },
      automountServiceAccountToken: false,
    });
    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: props.name, labels: labels.all },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels.selector },
        // A cache needs no overlap: the old pod goes, the new one starts cold.
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels: labels.all, annotations: { [CONFIG_HASH_ANNOTATION]: contentHash(config) } },
          spec: {
            serviceAccountName: serviceAccount.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(REDIS.identity),
            containers: [{
              name: 'redis',
              image,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', [
                'set -eu',
                'umask 077',
                `{ cat ${CONFIG_DIR}/redis.conf; printf 'requirepass "%s"\\n' "$(cat ${PASSWORD_DIR}/${REDIS_SECRET_KEYS.password})"; } > ${RUN_DIR}/redis.conf`,
                `exec redis-server ${RUN_DIR}/redis.conf`,
              ].join('\n')],
              ports: [{ name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' }],
              resources: toResourceRequirements(resources),
              securityContext: restrictedContainerSecurityContext(REDIS.identity),
              readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('redis') }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
              livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('redis') }, periodSeconds: 15, timeoutSeconds: 2, failureThreshold: 4 },
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                { name: 'password', mountPath: PASSWORD_DIR, readOnly: true },
                { name: 'run', mountPath: RUN_DIR },
                { name: 'data', mountPath: '/data' },
              ],
            }],
            volumes: [
              { name: 'config', configMap: { name: configMap.name, defaultMode: 0o444 } },
              // Until the Secret exists the pod waits in ContainerCreating instead of crash-looping.
              { name: 'password', secret: { secretName: props.passwordSecret, defaultMode: 0o440, items: [{ key: REDIS_SECRET_KEYS.password, path: REDIS_SECRET_KEYS.password }] } },
              { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
              // The working directory; nothing is saved there (no RDB, no AOF).
              { name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
            ],
          },
        },
      },
    });
    this.service = new k8s.KubeService(this, 'service', {
      metadata: { name: props.name, labels: labels.all },
      spec: {
        type: 'ClusterIP',
        selector: labels.selector,
        ports: [{ name: 'redis', port: REDIS_PORT, targetPort: k8s.IntOrString.fromString('redis'), protocol: 'TCP' }],
      },
    });
  }
}

/** The base redis.conf: a cache, with nothing persisted; the password is appended at start. */
export function renderRedisConfig(maxMemoryMb: number): string {
  return [
    `port ${REDIS_PORT}`,
    'bind * -::*',
    'protected-mode yes',
    'dir /data',
    'save ""',
    'appendonly no',
    `maxmemory ${maxMemoryMb}mb`,
    'maxmemory-policy allkeys-lru',
    '',
  ].join('\n');
}
