import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(__dirname, '..');

/** Files of a directory by name. */
export function readFiles(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** Every object of the YAML files in a directory. */
export function readObjects(dir: string): any[] {
  return [...readFiles(dir)].filter(([f]) => /\.ya?ml$/.test(f))
    .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean));
}

/**
 * Runs `cdk8s synth` in an app folder (its own cdk8s.yaml; lib/ compiled by `npm test`) into a
 * temporary output and returns both file sets, committed and fresh, plus both kustomizations and apply scripts.
 */
export function synthAgainstCommitted(appDir: string): { committed: Map<string, string>; fresh: Map<string, string>; kustomization: [string, string]; applyScript: [string?, string?] } {
  const work = mkdtempSync(join(tmpdir(), 'example-'));
  try {
    const out = join(work, 'dist');
    mkdirSync(out);
    execFileSync(join(ROOT, 'node_modules/.bin/cdk8s'), ['synth', '--no-check-upgrade', '--output', out], { cwd: appDir, stdio: 'pipe' });
    return {
      committed: readFiles(join(appDir, 'dist')),
      fresh: readFiles(out),
      kustomization: [readFileSync(join(appDir, 'kustomization.yaml'), 'utf8'), readFileSync(join(work, 'kustomization.yaml'), 'utf8')],
      applyScript: [readIfPresent(join(appDir, 'apply.sh')), readIfPresent(join(work, 'apply.sh'))],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function readIfPresent(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** The drift check every example runs: same files, same bytes, same kustomization and apply script. */
export function expectCommittedOutputIsFresh(appDir: string): void {
  const { committed, fresh, kustomization, applyScript } = synthAgainstCommitted(appDir);
  expect([...committed.keys()]).toEqual([...fresh.keys()]);
  for (const [file, text] of fresh) expect({ file, text: committed.get(file) }).toEqual({ file, text });
  expect(kustomization[0]).toEqual(kustomization[1]);
  expect(applyScript[0]).toEqual(applyScript[1]);
}
