import { Construct } from 'constructs';
import { CONFIG_HASH_ANNOTATION } from '../common/annotations';
import { checkDnsLabel, checkImage, checkInteger } from '../common/checks';
import { markClusterScoped } from '../common/cluster-scoped';
import { namespaceOf } from '../common/namespace-of';
import { contentHash } from '../common/content-hash';
import { InvalidPropError } from '../common/errors';
import { k8s } from '../common/k8s';
import { StandardLabels } from '../common/labels';
import { ComputeResources, ResolvedComputeResources, resolveResources, toResourceRequirements } from '../common/resources';
import { UnixIdentity } from '../common/security-context';
import { IWorkloadIdentity } from '../identity/workload-identity-interface';
import { WorkloadServiceAccount } from '../identity/workload-service-account';
import { NodeSelection } from './node-selection';
import { Tolerations } from './tolerations';

/** A directory of the node the agent sees. */
export interface HostMount {
  /** Name of the volume. */
  readonly name: string;
  /** Path on the node. */
  readonly hostPath: string;
  /** Path in the container. */
  readonly mountPath: string;
  /** Only the agent's own state directory should be writable. @default true */
  readonly readOnly?: boolean;
  /** hostPath type. @default 'Directory' */
  readonly type?: 'Directory' | 'DirectoryOrCreate' | 'Socket' | 'File';
  /** Mount propagation (HostToContainer for the node's root). @default - none */
  readonly mountPropagation?: 'HostToContainer';
}

/** Where every agent runs and how it rolls out: the choices a user makes per agent. */
export interface NodeAgentPlacement {
  /** Which nodes run the agent. @default NodeSelection.allLinux() */
  readonly nodes?: NodeSelection;
  /** Taints the agent tolerates. @default Tolerations.all() */
  readonly tolerations?: Tolerations;
  /** Priority class; agents should outlive the workloads they watch. @default 'system-node-critical' */
  readonly priorityClassName?: string;
  /** Nodes whose agent may be down at once during a rollout (a count or a percentage). @default 1 */
  readonly maxUnavailable?: number | string;
  /** Container resources. @default - per agent, small requests with memory limits */
  readonly resources?: ComputeResources;
}

/** Props of {@link NodeAgent}. */
export interface NodeAgentProps extends NodeAgentPlacement {
  /** Name of the DaemonSet and ServiceAccount; the ClusterRole and its binding are `<namespace>-<name>`. */
  readonly name: string;
  /** Where the agent's options sit in the props the user wrote (`logs`), for error messages. @default - the name */
  readonly propPath?: string;
  /** Labels of the agent (its own component). */
  readonly labels: StandardLabels;
  /** Pinned image. */
  readonly image: string;
  /** The user the image must run as. */
  readonly identity: UnixIdentity;
  /** Container command. @default - the image's entrypoint */
  readonly command?: string[];
  /** Container arguments. @default - none */
  readonly args?: string[];
  /** Environment. @default - none */
  readonly env?: k8s.EnvVar[];
  /** Ports. @default - none */
  readonly ports?: k8s.ContainerPort[];
  /** Readiness and liveness probe. @default - none */
  readonly probe?: k8s.Probe;
  /** Node directories. @default - none */
  readonly hostMounts?: HostMount[];
  /** Files of a ConfigMap, mounted at `configMountPath`; a change rolls the pods. @default - none */
  readonly config?: Record<string, string>;
  /** Where the config files appear. @default '/etc/agent' */
  readonly configMountPath?: string;
  /** Cluster-wide read rules; a token is mounted only when there are some. @default - no API access */
  readonly clusterRules?: k8s.PolicyRule[];
  /** The node's network and process namespaces (node-exporter). @default false */
  readonly hostNetworkAndPid?: boolean;
  /** Cloud identity. @default - none */
  readonly workloadIdentity?: IWorkloadIdentity;
  /** Defaults of `resources`. */
  readonly defaultResources: ResolvedComputeResources;
  /** Whether the root filesystem is read-only. @default true */
  readonly readOnlyRootFilesystem?: boolean;
}

/**
 * One agent pod on every selected node: a DaemonSet with its own ServiceAccount, least-privilege
 * ClusterRole (no wildcards, and none at all when the agent does not call the API), read-only host
 * mounts except its state, and a config hash that rolls the pods when the config changes.
 */
export class NodeAgent extends Construct {
  /** The DaemonSet. */
  public readonly daemonSet: k8s.KubeDaemonSet;
  /** The ServiceAccount. */
  public readonly serviceAccountName: string;

  constructor(scope: Construct, id: string, props: NodeAgentProps) {
    super(scope, id);
    const name = checkDnsLabel('agent.name', props.name);
    const at = props.propPath ?? name;
    const image = checkImage(`${at}.image`, props.image);
    const labels = props.labels;
    const resources = resolveResources(`${at}.resources`, props.resources, props.defaultResources);
    const maxUnavailable = checkMaxUnavailable(`${at}.maxUnavailable`, props.maxUnavailable ?? 1);
    const priorityClassName = checkDnsLabel(`${at}.priorityClassName`, props.priorityClassName ?? 'system-node-critical', 253);
    const rules = props.clusterRules ?? [];
    for (const [i, rule] of rules.entries()) {
      if ([...(rule.verbs ?? []), ...(rule.resources ?? []), ...(rule.apiGroups ?? [])].includes('*')) {
        throw new InvalidPropError(`${at}.clusterRules[${i}]`, rule, 'explicit verbs, resources and API groups, no wildcards');
      }
    }
    const callsApi = rules.length > 0;
    new WorkloadServiceAccount(this, 'service-account', {
      name, labels: labels.all, identity: props.workloadIdentity, callsKubernetesApi: callsApi,
    });
    this.serviceAccountName = name;
    if (callsApi) {
      // Cluster-scoped names carry the namespace: two instances (or this one beside the upstream
      // fluent-bit chart or the CloudWatch add-on, which use the bare names) never bind over each other.
      const namespace = namespaceOf(this, 'A node agent');
      const clusterScopedName = `${namespace}-${name}`;
      const role = new k8s.KubeClusterRole(this, 'cluster-role', { metadata: { name: clusterScopedName, labels: labels.all }, rules });
      markClusterScoped(role);
      const binding = new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
        metadata: { name: clusterScopedName, labels: labels.all },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterScopedName },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      });
      markClusterScoped(binding);
    }

    const volumes: k8s.Volume[] = [];
    const mounts: k8s.VolumeMount[] = [];
    for (const mount of props.hostMounts ?? []) {
      volumes.push({ name: mount.name, hostPath: { path: mount.hostPath, type: mount.type ?? 'Directory' } });
      mounts.push({
        name: mount.name, mountPath: mount.mountPath, readOnly: mount.readOnly ?? true,
        ...(mount.mountPropagation ? { mountPropagation: mount.mountPropagation } : {}),
      });
    }
    const annotations: Record<string, string> = {};
    if (props.config) {
      const configMap = new k8s.KubeConfigMap(this, 'config', { metadata: { name, labels: labels.all }, data: props.config });
      volumes.push({ name: 'config', configMap: { name: configMap.name } });
      mounts.push({ name: 'config', mountPath: props.configMountPath ?? '/etc/agent', readOnly: true });
      annotations[CONFIG_HASH_ANNOTATION] = contentHash(props.config);
    }
    const nonRoot = props.identity.uid !== 0;
    const nodes = props.nodes ?? NodeSelection.allLinux();
    const affinity = nodes.affinity;
    this.daemonSet = new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: { name, labels: labels.all },
      spec: {
        selector: { matchLabels: labels.selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable } },
        template: {
          metadata: { labels: labels.all, ...(Object.keys(annotations).length ? { annotations } : {}) },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: callsApi,
            enableServiceLinks: false,
            priorityClassName,
            nodeSelector: nodes.nodeSelector,
            ...(affinity ? { affinity } : {}),
            tolerations: (props.tolerations ?? Tolerations.all()).tolerations,
            ...(props.hostNetworkAndPid ? { hostNetwork: true, hostPid: true, dnsPolicy: 'ClusterFirstWithHostNet' } : {}),
            securityContext: {
              ...(nonRoot ? { runAsNonRoot: true, runAsUser: props.identity.uid, runAsGroup: props.identity.gid } : {}),
              seccompProfile: { type: 'RuntimeDefault' },
            },
            terminationGracePeriodSeconds: 30,
            containers: [{
              name,
              image,
              imagePullPolicy: 'IfNotPresent',
              ...(props.command ? { command: props.command } : {}),
              ...(props.args ? { args: props.args } : {}),
              ...(props.env ? { env: props.env } : {}),
              ...(props.ports ? { ports: props.ports } : {}),
              ...(props.probe ? { readinessProbe: props.probe, livenessProbe: { ...props.probe, failureThreshold: 6 } } : {}),
              resources: toResourceRequirements(resources),
              securityContext: {
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: props.readOnlyRootFilesystem ?? true,
                capabilities: { drop: ['ALL'] },
                ...(nonRoot ? { runAsNonRoot: true, runAsUser: props.identity.uid, runAsGroup: props.identity.gid } : {}),
              },
              volumeMounts: mounts,
            }],
            volumes,
          },
        },
      },
    });
  }
}

function checkMaxUnavailable(prop: string, value: number | string): k8s.IntOrString {
  if (typeof value === 'number') return k8s.IntOrString.fromNumber(checkInteger(prop, value, 1, 10000));
  if (!/^([1-9]\d?|100)%$/.test(value)) throw new InvalidPropError(prop, value, 'a positive integer or a percentage from 1% to 100%');
  return k8s.IntOrString.fromString(value);
}
