import { PRUNE_LABEL } from '../common/labels';

/** A kind the documented prune may delete. */
export interface PrunableKind {
  /** API group, `core` for the core group (as `--prune-allowlist` spells it). */
  readonly group: string;
  /** API version the project emits it in. */
  readonly version: string;
  /** Kind, as in the objects' `kind`. */
  readonly kind: string;
  /** Whether its objects live in a namespace. */
  readonly namespaced: boolean;
}

const prunable = (group: string, version: string, kind: string, namespaced = true): PrunableKind => ({ group, version, kind, namespaced });

/**
 * Every kind the project emits that is deleted when the code no longer emits it. It is fixed, not
 * read from the current output: the kind of an object dropped from the code may be gone from it.
 * The data holders (DATA_HOLDER_KINDS) are not here, so kubectl never even lists them.
 */
export const PRUNABLE_KINDS: readonly PrunableKind[] = [
  prunable('core', 'v1', 'ConfigMap'),
  prunable('core', 'v1', 'LimitRange'),
  prunable('core', 'v1', 'ResourceQuota'),
  prunable('core', 'v1', 'Service'),
  prunable('core', 'v1', 'ServiceAccount'),
  prunable('apps', 'v1', 'DaemonSet'),
  prunable('apps', 'v1', 'Deployment'),
  prunable('apps', 'v1', 'StatefulSet'),
  prunable('autoscaling', 'v2', 'HorizontalPodAutoscaler'),
  prunable('batch', 'v1', 'CronJob'),
  prunable('batch', 'v1', 'Job'),
  prunable('networking.k8s.io', 'v1', 'Ingress'),
  prunable('networking.k8s.io', 'v1', 'NetworkPolicy'),
  prunable('policy', 'v1', 'PodDisruptionBudget'),
  prunable('rbac.authorization.k8s.io', 'v1', 'ClusterRole', false),
  prunable('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', false),
  prunable('rbac.authorization.k8s.io', 'v1', 'Role'),
  prunable('rbac.authorization.k8s.io', 'v1', 'RoleBinding'),
  prunable('storage.k8s.io', 'v1', 'StorageClass', false),
];

/**
 * Custom resources the project emits that are deleted when dropped. kubectl refuses an allowlist
 * entry whose kind the cluster does not serve (its CRD is not installed), so each is in the
 * allowlist only while the output has objects of its kind: dropping the last of a kind leaves that
 * object for `kubectl delete` (docs/upgrades.md).
 */
export const CUSTOM_PRUNABLE_KINDS: readonly PrunableKind[] = [
  prunable('external-secrets.io', 'v1', 'SecretStore'),
  prunable('vpcresources.k8s.aws', 'v1beta1', 'SecurityGroupPolicy'),
  prunable('monitoring.coreos.com', 'v1', 'PodMonitor'),
  prunable('monitoring.coreos.com', 'v1', 'PrometheusRule'),
];

const allowlistEntry = ({ group, version, kind }: PrunableKind) => `${group}/${version}/${kind}`;

/** {@link PRUNABLE_KINDS} as kubectl's `--prune-allowlist` values (`group/version/Kind`). */
export const PRUNE_ALLOWLIST: readonly string[] = PRUNABLE_KINDS.map(allowlistEntry);

/** The allowlist for an output: every built-in prunable kind, and the custom ones it has objects of. */
export function pruneAllowlistFor(objects: readonly { apiVersion: string; kind: string }[]): string[] {
  const emitted = new Set(objects.map((o) => `${o.apiVersion}/${o.kind}`));
  return [...PRUNE_ALLOWLIST, ...CUSTOM_PRUNABLE_KINDS.filter((k) => emitted.has(`${k.group}/${k.version}/${k.kind}`)).map(allowlistEntry)];
}

/** The label selector of the prune: every prune set of the app (the charts' `partOf`). */
export function pruneSelector(pruneSets: readonly string[]): string {
  if (pruneSets.length === 0) throw new Error('No chart marked its objects prunable: nothing to select a prune by');
  return `${PRUNE_LABEL} in (${pruneSets.join(',')})`;
}

/**
 * The arguments (after `kubectl`) of the documented apply: every object first, without pruning
 * (`-l` also filters what kubectl applies, and the data holders do not carry the prune label), then
 * the prunable objects again with the prune, which lists only the allowlisted kinds with the label.
 */
export function applyCommandsArgs(outdir: string, pruneSets: readonly string[], allowlist: readonly string[] = PRUNE_ALLOWLIST): string[][] {
  return [
    ['apply', '-f', `${outdir}/`],
    [
      'apply', '--prune', '-l', pruneSelector(pruneSets),
      ...allowlist.map((kind) => `--prune-allowlist=${kind}`),
      '-f', `${outdir}/`,
    ],
  ];
}

/** The apply commands as a reader types them: one flag a line, quoted for a POSIX shell. */
export function renderApplyCommands(outdir: string, pruneSets: readonly string[], extraArguments = '', allowlist: readonly string[] = PRUNE_ALLOWLIST): string {
  return applyCommandsArgs(outdir, pruneSets, allowlist).map((args) => {
    const words = ['kubectl', ...args].map(shellQuote);
    const lines: string[] = [];
    for (const word of words) {
      // Flags with their value stay on one line; every --prune-allowlist gets its own.
      if (lines.length === 0 || word.startsWith('--prune-allowlist') || (word === '-f' && args.includes('--prune'))) lines.push(word);
      else lines[lines.length - 1] += ` ${word}`;
    }
    return lines.join(' \\\n  ') + extraArguments;
  }).join('\n');
}

/** First lines of every apply script the synth writes: how a later synth recognises its own file. */
export const APPLY_SCRIPT_HEADER = '#!/bin/sh\n# Written by the synth.';

/**
 * A script beside the output folder running the commands from its own folder, so the commands have
 * one source: this file (README quotes them, a test checks). Extra arguments go to both kubectl
 * calls (e.g. `--dry-run=server`).
 */
export function renderApplyScript(outdir: string, pruneSets: readonly string[], allowlist: readonly string[] = PRUNE_ALLOWLIST): string {
  return [
    APPLY_SCRIPT_HEADER + ' Applies the output folder, then deletes the objects the code no longer emits,',
    '# but never a Namespace, PersistentVolumeClaim, PersistentVolume or Secret: those kinds are not in',
    '# the allowlist and never carry the prune label. Extra arguments go to kubectl (e.g. --dry-run=server).',
    'set -eu',
    'cd "$(dirname "$0")"',
    renderApplyCommands(outdir, pruneSets, ' "$@"', allowlist),
    '',
  ].join('\n');
}

/**
 * The command that stops what the project runs in a namespace the output no longer covers (a
 * renamed namespace, a dropped fleet site, removed agents), where the prune does not look: every
 * namespaced prunable kind carrying the prune label, in `$NAMESPACE` only. The Namespace, its
 * claims and Secrets stay; cluster-scoped kinds are left to the prune, which scopes them by app.
 */
export function renderRetireCommand(): string {
  const kinds = PRUNABLE_KINDS.filter((k) => k.namespaced)
    .map(({ group, version, kind }) => (group === 'core' ? kind.toLowerCase() : `${kind.toLowerCase()}.${version}.${group}`));
  return `kubectl delete -n "$NAMESPACE" -l ${PRUNE_LABEL} ${kinds.join(',')}`;
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
