import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { StandardLabels } from '../common/labels';

/** Props of {@link NamespaceIsolation}. */
export interface NamespaceIsolationProps {
  /** Labels of the release. */
  readonly labels: StandardLabels;
  /** Prefix of the policy names. */
  readonly namePrefix: string;
}

/**
 * Deny all traffic to and from every pod of the namespace, except DNS lookups.
 * Each component then opens exactly the flows it needs with {@link allowTraffic}.
 */
export class NamespaceIsolation extends Construct {
  constructor(scope: Construct, id: string, props: NamespaceIsolationProps) {
    super(scope, id);
    const labels = props.labels.all;
    new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: { name: `${props.namePrefix}-default-deny`, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    // Any destination: cluster DNS is kube-dns, NodeLocal DNSCache or a node address depending on the cluster.
    new k8s.KubeNetworkPolicy(this, 'allow-dns', {
      metadata: { name: `${props.namePrefix}-allow-dns`, labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          ports: [
            { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
            { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
          ],
        }],
      },
    });
  }
}

/** One allowed flow. */
export interface TrafficRule {
  /** Name of the NetworkPolicy. */
  readonly name: string;
  /** Labels of the pods the policy applies to. */
  readonly podSelector: Record<string, string>;
  /** 'Ingress' to let traffic in, 'Egress' to let it out. */
  readonly direction: 'Ingress' | 'Egress';
  /** TCP ports (on the selected pods for Ingress, on the peer for Egress). */
  readonly ports: number[];
  /** Labels of the peer pods in the same namespace. @default - any peer */
  readonly peerPodSelector?: Record<string, string>;
  /** Namespaces whose pods are peers (in addition to the others). @default - none */
  readonly peerNamespaces?: string[];
  /** Address ranges of the peers (in addition to `peerPodSelector`'s pods). @default - any peer */
  readonly peerIpBlocks?: k8s.IpBlock[];
  /** Labels for the policy object. */
  readonly labels: Record<string, string>;
}

/** A NetworkPolicy that opens one flow on top of {@link NamespaceIsolation}. */
export function allowTraffic(scope: Construct, id: string, rule: TrafficRule): k8s.KubeNetworkPolicy {
  // No ports would mean every port.
  if (rule.ports.length === 0) throw new Error(`NetworkPolicy ${rule.name} needs at least one port`);
  const ports = rule.ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
  const peerList = [
    ...(rule.peerPodSelector ? [{ podSelector: { matchLabels: rule.peerPodSelector } }] : []),
    ...(rule.peerNamespaces ?? []).map((name) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } })),
    ...(rule.peerIpBlocks ?? []).map((ipBlock) => ({ ipBlock })),
  ];
  const peers = peerList.length ? peerList : undefined;
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: rule.name, labels: rule.labels },
    spec: {
      podSelector: { matchLabels: rule.podSelector },
      policyTypes: [rule.direction],
      ...(rule.direction === 'Ingress'
        ? { ingress: [{ ports, ...(peers ? { from: peers } : {}) }] }
        : { egress: [{ ports, ...(peers ? { to: peers } : {}) }] }),
    },
  });
}

/** One side of a {@link PodFlow}: its pods and the id and name of the policy that opens its end. */
export interface FlowEnd {
  /** Labels of the pods. */
  readonly podSelector: Record<string, string>;
  /** Construct id of this end's NetworkPolicy. */
  readonly policyId: string;
  /** Name of this end's NetworkPolicy. */
  readonly policyName: string;
}

/** A connection between two groups of pods of one namespace. */
export interface PodFlow {
  /** The pods that connect. */
  readonly client: FlowEnd;
  /** The pods that listen, on `port`. */
  readonly server: FlowEnd;
  /** TCP port of the server pods. */
  readonly port: number;
  /** Labels for both policy objects. */
  readonly labels: Record<string, string>;
}

/**
 * Opens a pod-to-pod connection under {@link NamespaceIsolation}, which denies both directions:
 * the server's Ingress from exactly the clients, and the clients' Egress to exactly the server.
 */
export function allowPodFlow(scope: Construct, flow: PodFlow): void {
  const { client, server, port, labels } = flow;
  allowTraffic(scope, server.policyId, {
    name: server.policyName, podSelector: server.podSelector, direction: 'Ingress', ports: [port], peerPodSelector: client.podSelector, labels,
  });
  allowTraffic(scope, client.policyId, {
    name: client.policyName, podSelector: client.podSelector, direction: 'Egress', ports: [port], peerPodSelector: server.podSelector, labels,
  });
}
