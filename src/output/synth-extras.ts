import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { basename, dirname, join, relative, resolve, sep } from 'path';
import { App } from 'cdk8s';
import type * as yaml from 'yaml';
import { renderDiagram } from './diagram';
import { KubeObject } from './manifest-types';
import { KUSTOMIZATION_HEADER, renderKustomization } from './kustomization';
import { APPLY_SCRIPT_HEADER, pruneAllowlistFor, renderApplyScript } from './prune-command';
import { pruneSetsOf } from '../common/labels';
import { LinearSynthApp } from '../synth/linear-synth-app';
import { PodIdentityAssociations } from '../eks/iam/pod-identity-associations';

/** File of the Mermaid diagram: in the output folder (Markdown, which kubectl ignores), or at the root of a Helm chart. */
export const DIAGRAM_FILE = 'diagram.md';
/** File of the kustomization, beside the output folder (or beside the Helm chart). */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';
/** File of the apply-and-prune script, beside the output folder. */
export const APPLY_SCRIPT_FILE = 'apply.sh';
/** File of the EKS Pod Identity associations, beside the output folder (never in it: kubectl would apply it). */
export const POD_IDENTITY_FILE = 'pod-identity-associations.json';

/** Where a synth's output and its extras go. */
interface OutputLayout {
  /** The folder holding the manifests. */
  readonly manifestDir: string;
  /** The folder the diagram goes to. */
  readonly diagramDir: string;
  /** The folder beside the output: kustomization and Pod Identity associations. */
  readonly besideDir: string;
}

/**
 * The layout of an output folder. `cdk8s synth --format helm` runs the app with its outdir set to
 * the chart's `templates/` (beside the `Chart.yaml` it scaffolded): every file there is rendered
 * as a template, so the diagram goes to the chart root and the rest beside the chart.
 */
function layoutOf(outdir: string): OutputLayout {
  const manifestDir = resolve(outdir);
  const chartRoot = dirname(manifestDir);
  if (basename(manifestDir) === 'templates' && existsSync(join(chartRoot, 'Chart.yaml'))) {
    return { manifestDir, diagramDir: chartRoot, besideDir: dirname(chartRoot) };
  }
  return { manifestDir, diagramDir: manifestDir, besideDir: dirname(manifestDir) };
}

/**
 * What `app.synth()` wrote: manifest files (relative to the output folder) and their objects.
 * A LinearSynthApp knows; for any other App the output folder is read back, which works for
 * every `yamlOutputType`.
 */
function writtenManifests(app: App, manifestDir: string): { file: string; objects: KubeObject[] }[] {
  if (app instanceof LinearSynthApp) return app.manifests.map(({ file, objects }) => ({ file, objects }));
  // Loaded only here: a LinearSynthApp (the default app) never reads its output back.
  const { parseAllDocuments } = require('yaml') as typeof yaml;
  const files = (readdirSync(manifestDir, { recursive: true }) as string[])
    .filter((file) => file.endsWith(app.outputFileExtension))
    .map((file) => file.split(sep).join('/'))
    .sort();
  return files.map((file) => ({
    file,
    objects: parseAllDocuments(readFileSync(join(manifestDir, file), 'utf8')).map((d) => d.toJS()).filter(Boolean),
  }));
}

/**
 * Writes what `cdk8s synth` itself does not, from what `app.synth()` just wrote (any App): a
 * diagram of the output, a kustomization beside the output folder, and, when any workload uses EKS
 * Pod Identity, the associations the cluster needs beside it too (a stale file from an earlier
 * synth is removed when there are none). Under `cdk8s synth --format helm` the diagram goes to
 * the chart root and the rest beside the chart, so the chart stays valid.
 */
export function writeSynthExtras(app: App): void {
  const layout = layoutOf(app.outdir);
  const manifests = writtenManifests(app, layout.manifestDir);
  writeFileSync(join(layout.diagramDir, DIAGRAM_FILE), [
    '# What this synth produced',
    '',
    'Namespaces are boxes; arrows follow traffic and references (Ingress -> Service -> pods -> volumes).',
    '',
    '```mermaid',
    renderDiagram(manifests.flatMap((manifest) => manifest.objects)),
    '```',
    '',
  ].join('\n'));
  const manifestPath = (file: string) => relative(layout.besideDir, join(layout.manifestDir, file)).split(sep).join('/');
  writeFileSync(join(layout.besideDir, KUSTOMIZATION_FILE), renderKustomization(manifests.map((manifest) => manifestPath(manifest.file)).sort()));
  const pruneSets = pruneSetsOf(app);
  if (pruneSets.length > 0) {
    const script = join(layout.besideDir, APPLY_SCRIPT_FILE);
    writeFileSync(script, renderApplyScript(manifestPath(''), pruneSets, pruneAllowlistFor(manifests.flatMap((manifest) => manifest.objects))));
    chmodSync(script, 0o755);
  } else {
    removeIfWrittenBySynth(join(layout.besideDir, APPLY_SCRIPT_FILE));
  }
  const associations = PodIdentityAssociations.of(app);
  if (associations.associations.length > 0) associations.writeTo(join(layout.besideDir, POD_IDENTITY_FILE));
  else removeIfWrittenBySynth(join(layout.besideDir, POD_IDENTITY_FILE));
}

/**
 * Removes the extras an earlier synth wrote beside `outdir`, for a synth that failed: `cdk8s synth`
 * has already deleted the output folder, and a kustomization listing its files would only fail
 * later, far from the cause. Files the synth did not write (a hand-made kustomization) stay.
 */
export function removeSynthExtras(outdir: string): void {
  const { besideDir } = layoutOf(outdir);
  removeIfWrittenBySynth(join(besideDir, KUSTOMIZATION_FILE));
  removeIfWrittenBySynth(join(besideDir, POD_IDENTITY_FILE));
  removeIfWrittenBySynth(join(besideDir, APPLY_SCRIPT_FILE));
}

function removeIfWrittenBySynth(file: string): void {
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  const ours = file.endsWith(KUSTOMIZATION_FILE) ? text.startsWith(KUSTOMIZATION_HEADER)
    : file.endsWith(APPLY_SCRIPT_FILE) ? text.startsWith(APPLY_SCRIPT_HEADER)
      : isPodIdentityFile(text);
  if (ours) rmSync(file);
}

function isPodIdentityFile(text: string): boolean {
  try {
    const parsed = JSON.parse(text);
    return Object.keys(parsed).join() === 'podIdentityAssociations' && Array.isArray(parsed.podIdentityAssociations);
  } catch {
    return false;
  }
}
