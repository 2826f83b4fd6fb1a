import { Construct } from 'constructs';
import { checkDnsSubdomain, checkInteger, checkOneOf } from '../../common/checks';
import { markClusterScoped } from '../../common/cluster-scoped';
import { InvalidPropError } from '../../common/errors';
import { k8s } from '../../common/k8s';
import { checkKmsKeyArn } from '../aws-values';

/** Props of {@link Gp3StorageClass}. */
export interface Gp3StorageClassProps {
  /** Name of the StorageClass. @default 'gp3-encrypted' */
  readonly name?: string;
  /** Customer-managed KMS key for the encryption. @default - the AWS-managed EBS key */
  readonly kmsKeyArn?: string;
  /** Provisioned IOPS, 3000-16000. @default - the gp3 baseline, 3000 */
  readonly iops?: number;
  /** Throughput in MiB/s, 125-1000. @default - the gp3 baseline, 125 */
  readonly throughputMiBps?: number;
  /** Filesystem. @default 'ext4' */
  readonly fsType?: 'ext4' | 'xfs';
  /** Labels. @default - none */
  readonly labels?: Record<string, string>;
}

/**
 * An encrypted EBS gp3 StorageClass (EBS CSI driver), bound when the pod is scheduled so the volume
 * is created in the pod's zone. EKS-bound: other clusters have no `ebs.csi.aws.com` provisioner.
 *
 * `reclaimPolicy: Retain`: deleting a claim (or the namespace) keeps the EBS volume and its
 * PersistentVolume, so a database survives a mistaken delete; remove released volumes yourself.
 */
export class Gp3StorageClass extends Construct {
  /** The StorageClass. */
  public readonly storageClass: k8s.KubeStorageClass;

  constructor(scope: Construct, id: string, props: Gp3StorageClassProps = {}) {
    super(scope, id);
    const parameters: Record<string, string> = {
      'type': 'gp3',
      'encrypted': 'true',
      'csi.storage.k8s.io/fstype': checkOneOf('gp3.fsType', props.fsType ?? 'ext4', ['ext4', 'xfs']),
    };
    if (props.kmsKeyArn !== undefined) parameters.kmsKeyId = checkKmsKeyArn('gp3.kmsKeyArn', props.kmsKeyArn);
    if (props.iops !== undefined) parameters.iops = String(checkInteger('gp3.iops', props.iops, 3000, 16000));
    if (props.throughputMiBps !== undefined) {
      const throughput = checkInteger('gp3.throughputMiBps', props.throughputMiBps, 125, 1000);
      // gp3 allows at most 0.25 MiB/s per provisioned IOPS.
      const iops = props.iops ?? 3000;
      if (throughput > iops / 4) throw new InvalidPropError('gp3.throughputMiBps', throughput, `at most iops / 4 = ${iops / 4} MiB/s`);
      parameters.throughput = String(throughput);
    }
    this.storageClass = new k8s.KubeStorageClass(this, 'storage-class', {
      metadata: { name: checkDnsSubdomain('gp3.name', props.name ?? 'gp3-encrypted'), ...(props.labels ? { labels: props.labels } : {}) },
      provisioner: 'ebs.csi.aws.com',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Retain',
      parameters,
    });
    markClusterScoped(this.storageClass);
  }
}
