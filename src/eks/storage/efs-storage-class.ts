import { Construct } from 'constructs';
import { checkDnsSubdomain, checkInteger } from '../../common/checks';
import { markClusterScoped } from '../../common/cluster-scoped';
import { InvalidPropError } from '../../common/errors';
import { k8s } from '../../common/k8s';
import { WORDPRESS } from '../../images';

/** Props of {@link EfsStorageClass}. */
export interface EfsStorageClassProps {
  /** The EFS file system, `fs-` and 8 or 17 hex digits. */
  readonly fileSystemId: string;
  /** Name of the StorageClass. @default 'efs-wordpress' */
  readonly name?: string;
  /** Owner uid of each access point's root. @default 33 (www-data, the WordPress user) */
  readonly uid?: number;
  /** Owner gid. @default 33 */
  readonly gid?: number;
  /** Permissions of each access point's root. @default '700' */
  readonly directoryPerms?: string;
  /** Parent directory of the access points, an absolute path such as `/wordpress`. @default - the file system root */
  readonly basePath?: string;
  /** Labels. @default - none */
  readonly labels?: Record<string, string>;
}

/**
 * An EFS StorageClass (EFS CSI driver) provisioning one access point per claim: ReadWriteMany, for
 * WordPress content shared by several replicas across zones. Dynamic provisioning ignores fsGroup,
 * so the access point's uid/gid default to WordPress's own. EKS-bound.
 *
 * `reclaimPolicy: Retain`: deleting a claim keeps its access point, data and PersistentVolume;
 * remove released ones yourself.
 */
export class EfsStorageClass extends Construct {
  /** The StorageClass. */
  public readonly storageClass: k8s.KubeStorageClass;

  constructor(scope: Construct, id: string, props: EfsStorageClassProps) {
    super(scope, id);
    if (typeof props.fileSystemId !== 'string' || !/^fs-([0-9a-f]{8}|[0-9a-f]{17})$/.test(props.fileSystemId)) {
      throw new InvalidPropError('efs.fileSystemId', props.fileSystemId, 'an EFS file system id: fs- and 8 or 17 hex digits');
    }
    const perms = props.directoryPerms ?? '700';
    if (!/^[0-7]{3,4}$/.test(perms)) throw new InvalidPropError('efs.directoryPerms', perms, 'octal permissions such as 700 or 0750');
    const parameters: Record<string, string> = {
      provisioningMode: 'efs-ap',
      fileSystemId: props.fileSystemId,
      directoryPerms: perms,
      uid: String(checkInteger('efs.uid', props.uid ?? WORDPRESS.identity.uid, 0, 2147483647)),
      gid: String(checkInteger('efs.gid', props.gid ?? WORDPRESS.identity.gid, 0, 2147483647)),
    };
    if (props.basePath !== undefined) {
      if (!/^\/[\w./-]*$/.test(props.basePath)) throw new InvalidPropError('efs.basePath', props.basePath, 'an absolute path');
      parameters.basePath = props.basePath;
    }
    this.storageClass = new k8s.KubeStorageClass(this, 'storage-class', {
      metadata: { name: checkDnsSubdomain('efs.name', props.name ?? 'efs-wordpress'), ...(props.labels ? { labels: props.labels } : {}) },
      provisioner: 'efs.csi.aws.com',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'Immediate',
      parameters,
    });
    markClusterScoped(this.storageClass);
  }
}
