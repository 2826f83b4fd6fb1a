import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { relative, resolve } from 'path';
import { DocumentCache } from '../document-cache';
import { loadManifestFiles, parseManifest } from '../load';
import { ManifestSource } from '../types';

/** Where the previous output comes from. */
export interface PreviousOutput {
  /** The manifests, or undefined when there is no previous output (a first synth): the gate is skipped. */
  readonly sources?: ManifestSource[];
  /** Why there is none, for the log. */
  readonly note?: string;
}

/** The manifests of a directory on disk; none when it does not exist. */
export function previousFromDirectory(dir: string, cache?: DocumentCache): PreviousOutput {
  if (!existsSync(dir)) return { note: `no previous output at ${dir}: upgrade gate skipped (first synth?)` };
  return { sources: loadManifestFiles([dir], cache) };
}

/**
 * The manifests of a directory as committed at a git revision, e.g. `dist` at `HEAD`:
 * `cdk8s synth` empties its output directory before the app runs, so by the time a validation
 * plugin runs, the committed version is the only copy of the previous output left.
 */
export function previousFromGit(dir: string, revision: string, cwd = process.cwd(), cache?: DocumentCache): PreviousOutput {
  const git = (args: string[], input?: string) => spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...(input !== undefined ? { input } : {}) });
  // Two git processes in all (each costs a process start): the listing names the files from the
  // top of the repository, as `REV:path` needs them, whatever the working directory.
  const path = relative(cwd, resolve(cwd, dir)) || '.';
  const list = git(['ls-tree', '-r', '--name-only', '--full-name', revision, '--', path]);
  if (list.status !== 0 && /not a git repository/i.test(list.stderr)) return { note: `${cwd} is not in a git repository: upgrade gate skipped` };
  const files = list.status === 0 ? list.stdout.split('\n').filter((f) => /\.(ya?ml|json)$/.test(f)).sort() : [];
  if (files.length === 0) return { note: `no manifests under ${path.split('\\').join('/')}/ at ${revision}: upgrade gate skipped (first synth?)` };
  // One `git cat-file --batch` for every file: a few milliseconds whatever the number of files.
  const batch = git(['cat-file', '--batch'], files.map((f) => `${revision}:${f}`).join('\n') + '\n');
  if (batch.status !== 0) return { note: `git cat-file failed: ${batch.stderr.trim()}: upgrade gate skipped` };
  const sources: ManifestSource[] = [];
  let rest = Buffer.from(batch.stdout, 'utf8');
  for (const file of files) {
    const headerEnd = rest.indexOf(10);
    const size = Number(rest.subarray(0, headerEnd).toString('utf8').split(' ')[2]);
    const text = rest.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8');
    rest = rest.subarray(headerEnd + 2 + size);
    sources.push({ file: `${revision}:${file}`, objects: parseManifest(text, `${revision}:${file}`, cache) });
  }
  return { sources };
}
