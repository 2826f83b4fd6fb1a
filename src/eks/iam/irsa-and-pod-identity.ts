import { Construct } from 'constructs';
import { checkInteger } from '../../common/checks';
import { InvalidPropError } from '../../common/errors';
import { IdentityEndpoint, IWorkloadIdentity, ServiceAccountReference } from '../../identity/workload-identity-interface';
import { checkRoleArn } from '../aws-values';
import { PodIdentityAssociations } from './pod-identity-associations';

/** Options of IAM roles for service accounts. */
export interface IrsaOptions {
  /** Audience of the projected token. @default 'sts.amazonaws.com' */
  readonly audience?: string;
  /** Use the regional STS endpoint. @default true */
  readonly stsRegionalEndpoints?: boolean;
  /** Lifetime of the projected token in seconds (600-86400). @default 86400 */
  readonly tokenExpirationSeconds?: number;
}

/** How pods get AWS credentials: IRSA annotations, or an EKS Pod Identity association. */
export abstract class WorkloadIdentity implements IWorkloadIdentity {
  /** IAM roles for service accounts: the pod identity webhook reads the ServiceAccount's annotations. */
  public static irsa(roleArn: string, options: IrsaOptions = {}): WorkloadIdentity {
    return new Irsa(checkRoleArn('identity.roleArn', roleArn), options);
  }

  /**
   * EKS Pod Identity: a plain ServiceAccount, and an association made in the EKS API. The synth
   * records the association for Terraform or eksctl (see PodIdentityAssociations).
   */
  public static podIdentity(roleArn: string): WorkloadIdentity {
    return new PodIdentity(checkRoleArn('identity.roleArn', roleArn));
  }

  public abstract readonly serviceAccountAnnotations: Record<string, string>;
  public abstract readonly endpoints: IdentityEndpoint[];
  public abstract bind(scope: Construct, serviceAccount: ServiceAccountReference): void;
}

class Irsa extends WorkloadIdentity {
  public readonly serviceAccountAnnotations: Record<string, string>;
  // The SDK trades the projected token for credentials at STS, a public endpoint.
  public readonly endpoints: IdentityEndpoint[] = [{ description: 'AWS STS (sts.<region>.amazonaws.com)', port: 443 }];

  constructor(roleArn: string, options: IrsaOptions) {
    super();
    const audience = options.audience ?? 'sts.amazonaws.com';
    if (!/^[\x21-\x7e]{1,256}$/.test(audience)) throw new InvalidPropError('identity.audience', audience, 'a non-empty audience without spaces');
    this.serviceAccountAnnotations = {
      'eks.amazonaws.com/role-arn': roleArn,
      'eks.amazonaws.com/audience': audience,
      'eks.amazonaws.com/sts-regional-endpoints': String(options.stsRegionalEndpoints ?? true),
      'eks.amazonaws.com/token-expiration': String(checkInteger('identity.tokenExpirationSeconds', options.tokenExpirationSeconds ?? 86400, 600, 86400)),
    };
  }

  public bind(): void {
    // The annotations are all IRSA needs.
  }
}

class PodIdentity extends WorkloadIdentity {
  public readonly serviceAccountAnnotations = {};
  // The agent's link-local addresses (a DaemonSet on every node), IPv4 and IPv6.
  public readonly endpoints: IdentityEndpoint[] = [
    { description: 'the EKS Pod Identity agent', port: 80, cidrs: ['169.254.170.23/32', 'fd00:ec2::23/128'] },
  ];

  constructor(private readonly roleArn: string) {
    super();
  }

  public bind(scope: Construct, serviceAccount: ServiceAccountReference): void {
    PodIdentityAssociations.of(scope).add({ namespace: serviceAccount.namespace, serviceAccount: serviceAccount.name, roleArn: this.roleArn });
  }
}
