import { writeFileSync, mkdirSync } from 'fs';
import { dirname } from 'path';
import { Construct, IConstruct } from 'constructs';

/** One EKS Pod Identity association the cluster needs. */
export interface PodIdentityAssociation {
  /** Namespace of the ServiceAccount. */
  readonly namespace: string;
  /** Name of the ServiceAccount. */
  readonly serviceAccount: string;
  /** IAM role the pods assume. */
  readonly roleArn: string;
}

const REGISTRY_ID = 'pod-identity-associations';

/**
 * The Pod Identity associations of an app, collected while its charts are built. They are not
 * Kubernetes objects: write them next to the output (never inside it, where `kubectl apply -f`
 * would try to apply a .json file) for `aws eks create-pod-identity-association`, Terraform or eksctl.
 */
export class PodIdentityAssociations extends Construct {
  /** The app-wide registry of `scope`'s app. */
  public static of(scope: IConstruct): PodIdentityAssociations {
    const root = scope.node.root;
    return (root.node.tryFindChild(REGISTRY_ID) as PodIdentityAssociations | undefined) ?? new PodIdentityAssociations(root as Construct, REGISTRY_ID);
  }

  private readonly entries: PodIdentityAssociation[] = [];

  /** Records one association. */
  public add(association: PodIdentityAssociation): void {
    this.entries.push(association);
  }

  /** Every association, sorted. */
  public get associations(): PodIdentityAssociation[] {
    return [...this.entries].sort((a, b) => `${a.namespace}/${a.serviceAccount}`.localeCompare(`${b.namespace}/${b.serviceAccount}`));
  }

  /** Writes the associations as JSON to `file` (outside the manifests folder). */
  public writeTo(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ podIdentityAssociations: this.associations }, null, 2)}\n`);
  }
}
