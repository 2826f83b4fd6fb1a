/** A Pod Security Standards level. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** One control a pod template fails. */
export interface PodSecurityViolation {
  readonly level: 'baseline' | 'restricted';
  readonly path: string;
  readonly message: string;
}

const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/**
 * The Pod Security Standards controls (baseline, then restricted) a pod spec fails.
 * `podPath` is the JSON path of the pod spec; `annotations` are the pod template's.
 */
export function podSecurityViolations(pod: any, podPath: string, annotations: Record<string, string> = {}): PodSecurityViolation[] {
  const v: PodSecurityViolation[] = [];
  const baseline = (path: string, message: string) => v.push({ level: 'baseline', path, message });
  const restricted = (path: string, message: string) => v.push({ level: 'restricted', path, message });
  const psc = pod?.securityContext ?? {};
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod?.[field]) baseline(`${podPath}.${field}`, `${field} is true`);
  if (pod?.securityContext?.windowsOptions?.hostProcess) baseline(`${podPath}.securityContext.windowsOptions.hostProcess`, 'hostProcess is true');
  (psc.sysctls ?? []).forEach((s: any, i: number) => { if (!SAFE_SYSCTLS.has(s.name)) baseline(`${podPath}.securityContext.sysctls[${i}].name`, `sysctl ${s.name} is not in the safe set`); });
  if (psc.seccompProfile?.type === 'Unconfined') baseline(`${podPath}.securityContext.seccompProfile.type`, 'seccomp is Unconfined');
  checkSeLinux(psc.seLinuxOptions, `${podPath}.securityContext.seLinuxOptions`, baseline);
  if (psc.appArmorProfile?.type === 'Unconfined') baseline(`${podPath}.securityContext.appArmorProfile.type`, 'AppArmor is Unconfined');
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      baseline(`metadata.annotations.${key}`, `AppArmor profile ${value}`);
    }
  }
  (pod?.volumes ?? []).forEach((volume: any, i: number) => {
    const type = Object.keys(volume).find((k) => k !== 'name') ?? '';
    if (type === 'hostPath') baseline(`${podPath}.volumes[${i}].hostPath`, 'hostPath volume');
    else if (!RESTRICTED_VOLUMES.has(type)) restricted(`${podPath}.volumes[${i}].${type}`, `${type} volumes are not allowed`);
  });
  const podNonRoot = psc.runAsNonRoot === true;
  const podSeccomp = psc.seccompProfile?.type;
  if (psc.runAsUser === 0) restricted(`${podPath}.securityContext.runAsUser`, 'runAsUser is 0');
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    (pod?.[field] ?? []).forEach((c: any, i: number) => {
      const path = `${podPath}.${field}[${i}]`;
      const sc = c.securityContext ?? {};
      if (sc.privileged) baseline(`${path}.securityContext.privileged`, 'privileged container');
      (sc.capabilities?.add ?? []).forEach((cap: string, j: number) => {
        if (!BASELINE_CAPABILITIES.has(cap)) baseline(`${path}.securityContext.capabilities.add[${j}]`, `capability ${cap} added`);
        else if (cap !== 'NET_BIND_SERVICE') restricted(`${path}.securityContext.capabilities.add[${j}]`, `capability ${cap} added (only NET_BIND_SERVICE is allowed)`);
      });
      (c.ports ?? []).forEach((p: any, j: number) => { if (p.hostPort) baseline(`${path}.ports[${j}].hostPort`, `hostPort ${p.hostPort}`); });
      if (sc.procMount && sc.procMount !== 'Default') baseline(`${path}.securityContext.procMount`, `procMount ${sc.procMount}`);
      if (sc.seccompProfile?.type === 'Unconfined') baseline(`${path}.securityContext.seccompProfile.type`, 'seccomp is Unconfined');
      if (sc.appArmorProfile?.type === 'Unconfined') baseline(`${path}.securityContext.appArmorProfile.type`, 'AppArmor is Unconfined');
      checkSeLinux(sc.seLinuxOptions, `${path}.securityContext.seLinuxOptions`, baseline);
      if (sc.allowPrivilegeEscalation !== false) restricted(`${path}.securityContext.allowPrivilegeEscalation`, 'allowPrivilegeEscalation is not false');
      if (!(sc.runAsNonRoot === true || (podNonRoot && sc.runAsNonRoot !== false))) restricted(`${path}.securityContext.runAsNonRoot`, 'runAsNonRoot is not true');
      if (sc.runAsUser === 0) restricted(`${path}.securityContext.runAsUser`, 'runAsUser is 0');
      const seccomp = sc.seccompProfile?.type ?? podSeccomp;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') restricted(`${path}.securityContext.seccompProfile`, 'seccomp is not RuntimeDefault or Localhost');
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) restricted(`${path}.securityContext.capabilities.drop`, 'capabilities do not drop ALL');
    });
  }
  return v;
}

function checkSeLinux(options: any, path: string, fail: (path: string, message: string) => void): void {
  if (!options) return;
  if (!SELINUX_TYPES.has(options.type ?? '')) fail(`${path}.type`, `SELinux type ${options.type}`);
  if (options.user || options.role) fail(path, 'SELinux user or role set');
}
