import { Construct } from 'constructs';

/** The ServiceAccount a workload identity is attached to. */
export interface ServiceAccountReference {
  /** Namespace of the ServiceAccount. */
  readonly namespace: string;
  /** Name of the ServiceAccount. */
  readonly name: string;
}

/** A network endpoint the pods must reach to obtain their credentials. */
export interface IdentityEndpoint {
  /** What it is, for messages. */
  readonly description: string;
  /** TCP port. */
  readonly port: number;
  /** Its address ranges. @default - public internet addresses, reached through the internet egress */
  readonly cidrs?: readonly string[];
}

/**
 * How a workload's pods get cloud credentials (IRSA, EKS Pod Identity, or none).
 * Implementations live with the platform that provides them (see `src/eks/`).
 */
export interface IWorkloadIdentity {
  /** Annotations to put on the workload's dedicated ServiceAccount. */
  readonly serviceAccountAnnotations: Record<string, string>;
  /** Endpoints the pods must reach for credentials, for their NetworkPolicies. @default - none */
  readonly endpoints?: readonly IdentityEndpoint[];
  /** Records anything the cluster must set up outside the manifests for this ServiceAccount. */
  bind(scope: Construct, serviceAccount: ServiceAccountReference): void;
}
