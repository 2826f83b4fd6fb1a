import { execFileSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(__dirname, '..');
const DIST = join(ROOT, 'dist');

/** Every manifest file of a directory, by name. */
function readManifests(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

function objectsOf(files: Map<string, string>): any[] {
  return [...files.values()].flatMap((text) => parseAllDocuments(text).map((d) => d.toJS())).filter(Boolean);
}

describe('dist/', () => {
  const committed = readManifests(DIST);
  const objects = objectsOf(committed);

  test('is exactly what `cdk8s synth` produces now', () => {
    // Given a fresh synth of the default app with the project's own cdk8s.yaml (lib/ compiled by `npm test`)
    const out = mkdtempSync(join(tmpdir(), 'synth-'));
    try {
      execFileSync(join(ROOT, 'node_modules/.bin/cdk8s'), ['synth', '--no-check-upgrade', '--output', out], { cwd: ROOT, stdio: 'pipe' });
      // Then the committed dist/ has the same files with the same bytes
      const fresh = readManifests(out);
      expect([...committed.keys()]).toEqual([...fresh.keys()]);
      for (const [file, text] of fresh) {
        expect({ file, text: committed.get(file) }).toEqual({ file, text });
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('holds no Secret and no credential value', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const text = [...committed.values()].join('\n');
    expect(text).not.toMatch(/^\s*(stringData|data):\s*\n\s+\S*(password|token|key)/im);
  });

  test('pins every image to a version tag or digest', () => {
    const images = objects.flatMap((o) => {
      const pod = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
      return pod ? [...(pod.initContainers ?? []), ...pod.containers].map((c: any) => c.image as string) : [];
    });
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      expect(image).toMatch(/^[^@]+:(?!latest$)[\w][\w.-]*(@sha256:[0-9a-f]{64})?$|@sha256:[0-9a-f]{64}$/);
    }
  });
});
