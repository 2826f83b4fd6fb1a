import { k8s } from './k8s';
import { checkDnsSubdomain, checkQuantity, quantityToNumber } from './checks';
import { InvalidPropError } from './errors';

/** Size and class of a volume claim, as users give them. */
export interface ClaimStorage {
  /** Requested size. @default - the construct's default */
  readonly size?: string;
  /** StorageClass. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
}

/** A checked claim spec and its size in bytes. */
export interface CheckedClaim {
  readonly spec: k8s.PersistentVolumeClaimSpec;
  readonly bytes: number;
}

/**
 * The spec of a claim (plain or in a claim template). An omitted class is left out so the
 * cluster's default StorageClass applies; an empty string would disable dynamic provisioning.
 */
export function checkedClaimSpec(prop: string, storage: ClaimStorage | undefined, defaultSize: string, accessMode: string): CheckedClaim {
  const size = checkQuantity(`${prop}.size`, storage?.size ?? defaultSize);
  const storageClassName = storage?.storageClassName === undefined
    ? undefined
    : checkDnsSubdomain(`${prop}.storageClassName`, storage.storageClassName);
  // No portable ReadWriteMany default exists: the default class of kind, minikube and EKS is
  // ReadWriteOnce only, and the claim would stay Pending without a word at synth time.
  if (accessMode === 'ReadWriteMany' && storageClassName === undefined) {
    throw new InvalidPropError(`${prop}.storageClassName`, undefined, 'a ReadWriteMany StorageClass (such as EFS or NFS) when the access mode is ReadWriteMany: the cluster default class is usually ReadWriteOnce only');
  }
  return {
    spec: {
      accessModes: [accessMode],
      ...(storageClassName ? { storageClassName } : {}),
      resources: { requests: { storage: k8s.Quantity.fromString(size) } },
    },
    bytes: quantityToNumber(size),
  };
}
