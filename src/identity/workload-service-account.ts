import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { namespaceOf } from '../common/namespace-of';
import { IWorkloadIdentity } from './workload-identity-interface';

/** Props of {@link WorkloadServiceAccount}. */
export interface WorkloadServiceAccountProps {
  /** Name of the ServiceAccount. */
  readonly name: string;
  /** Labels. */
  readonly labels: Record<string, string>;
  /** Cloud identity of the workload. @default - none */
  readonly identity?: IWorkloadIdentity;
  /** Mount a Kubernetes API token in the pods. @default false */
  readonly callsKubernetesApi?: boolean;
}

/** The dedicated ServiceAccount of one workload, carrying its cloud identity. */
export class WorkloadServiceAccount extends Construct {
  /** The ServiceAccount. */
  public readonly serviceAccount: k8s.KubeServiceAccount;

  constructor(scope: Construct, id: string, props: WorkloadServiceAccountProps) {
    super(scope, id);
    const annotations = props.identity?.serviceAccountAnnotations ?? {};
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: props.name, labels: props.labels, ...(Object.keys(annotations).length ? { annotations } : {}) },
      automountServiceAccountToken: props.callsKubernetesApi ?? false,
    });
    props.identity?.bind(this, { namespace: namespaceOf(this, 'A workload identity'), name: props.name });
  }
}
