import { Construct } from 'constructs';
import { checkNamespace } from '../common/checks';
import { markClusterScoped } from '../common/cluster-scoped';
import { k8s } from '../common/k8s';

/** Props of {@link AgentNamespace}. */
export interface AgentNamespaceProps {
  /** Name of the namespace. */
  readonly name: string;
  /** Labels. */
  readonly labels: Record<string, string>;
}

/**
 * A namespace for node agents only. Agents need hostPath (and node-exporter hostNetwork/hostPID),
 * which the baseline Pod Security level forbids, so it enforces `privileged` and warns and audits
 * at `baseline` so anything else deployed here is flagged.
 */
export class AgentNamespace extends Construct {
  /** The Namespace. */
  public readonly namespace: k8s.KubeNamespace;

  constructor(scope: Construct, id: string, props: AgentNamespaceProps) {
    super(scope, id);
    this.namespace = new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: checkNamespace('namespace', props.name),
        labels: {
          ...props.labels,
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/warn': 'baseline',
          'pod-security.kubernetes.io/audit': 'baseline',
        },
      },
    });
    markClusterScoped(this.namespace);
  }
}
