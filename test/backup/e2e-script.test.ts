import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

const SCRIPT = resolve(__dirname, '../e2e/backup-restore.sh');

describe('the end-to-end script (test/e2e/backup-restore.sh)', () => {
  test('parses with bash', () => {
    expect(() => execFileSync('bash', ['-n', SCRIPT], { stdio: 'pipe' })).not.toThrow();
  });

  test('with no cluster reachable it says it was skipped and exits 0', () => {
    // Given a kubeconfig with no cluster in it
    const work = mkdtempSync(join(tmpdir(), 'e2e-skip-'));
    try {
      const kubeconfig = join(work, 'config');
      writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
      // When the script runs for a context that is not there
      const run = spawnSync('bash', [SCRIPT, 'kind-kind'], { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8', timeout: 60000 });
      // Then it skips, successfully, without touching anything
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/skipped: (no cluster reachable with context kind-kind|kubectl is not installed)/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
