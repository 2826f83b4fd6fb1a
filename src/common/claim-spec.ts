import { k8s } from './k8s';
import { checkDnsSubdomain, checkQuantity, quantityToNumber } from './checks';

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
  return {
    spec: {
      accessModes: [accessMode],
      ...(storageClassName ? { storageClassName } : {}),
      resources: { requests: { storage: k8s.Quantity.fromString(size) } },
    },
    bytes: quantityToNumber(size),
  };
}
