import { chmodSync, writeFileSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';
import { renderDiagram } from './diagram';
import { KubeObject } from './manifest-types';
import { renderKustomization } from './kustomization';
import { renderApplyScript } from './prune-command';
import { pruneSetsOf } from '../common/labels';
import { LinearSynthApp } from '../synth/linear-synth-app';
import { PodIdentityAssociations } from '../eks/iam/pod-identity-associations';

/** File of the Mermaid diagram inside the output folder: Markdown, which kubectl ignores. */
export const DIAGRAM_FILE = 'diagram.md';
/** File of the kustomization, beside the output folder. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';
/** File of the apply-and-prune script, beside the output folder. */
export const APPLY_SCRIPT_FILE = 'apply.sh';
/** File of the EKS Pod Identity associations, beside the output folder (never in it: kubectl would apply it). */
export const POD_IDENTITY_FILE = 'pod-identity-associations.json';

/**
 * Writes what `cdk8s synth` itself does not: a diagram of the output into the output folder, a
 * kustomization and the apply-and-prune script beside it, and, when any workload uses EKS Pod
 * Identity, the associations the cluster needs beside it too, from what `app.synth()` just wrote.
 */
export function writeSynthExtras(app: LinearSynthApp): void {
  const outdir = resolve(app.outdir);
  const objects = app.manifests.flatMap((manifest) => manifest.objects as KubeObject[]);
  writeFileSync(join(outdir, DIAGRAM_FILE), [
    '# What this synth produced',
    '',
    'Namespaces are boxes; arrows follow traffic and references (Ingress -> Service -> pods -> volumes).',
    '',
    '```mermaid',
    renderDiagram(objects),
    '```',
    '',
  ].join('\n'));
  const manifests = app.manifests.map((manifest) => manifest.file).sort();
  writeFileSync(join(dirname(outdir), KUSTOMIZATION_FILE), renderKustomization(manifests.map((file) => `${basename(outdir)}/${file}`)));
  const pruneSets = pruneSetsOf(app);
  if (pruneSets.length > 0) {
    const script = join(dirname(outdir), APPLY_SCRIPT_FILE);
    writeFileSync(script, renderApplyScript(basename(outdir), pruneSets));
    chmodSync(script, 0o755);
  }
  const associations = PodIdentityAssociations.of(app);
  if (associations.associations.length > 0) associations.writeTo(join(dirname(outdir), POD_IDENTITY_FILE));
}
