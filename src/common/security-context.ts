import { k8s } from './k8s';

/** A numeric user and group; numeric so that `runAsNonRoot` can be verified by the kubelet. */
export interface UnixIdentity {
  /** User id the container runs as. */
  readonly uid: number;
  /** Primary group id, also used as fsGroup so mounted volumes are writable. */
  readonly gid: number;
}

/**
 * Pod-level settings of the Pod Security Standards "restricted" profile.
 * `OnRootMismatch` avoids a recursive chown of large volumes at every start.
 */
export function restrictedPodSecurityContext(identity: UnixIdentity, sysctls: k8s.Sysctl[] = []): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: identity.uid,
    runAsGroup: identity.gid,
    fsGroup: identity.gid,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
    ...(sysctls.length > 0 ? { sysctls } : {}),
  };
}

/** Container-level settings of the "restricted" profile, with a read-only root filesystem. */
export function restrictedContainerSecurityContext(identity: UnixIdentity): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: identity.uid,
    runAsGroup: identity.gid,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
