import { execFileSync, spawnSync, SpawnSyncReturns } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

const SCRIPT = resolve(__dirname, '../e2e/backup-restore.sh');

/** Runs the script for context kind-kind with a kubeconfig that holds no cluster. */
function runWithoutCluster(requireCluster: string | undefined): SpawnSyncReturns<string> {
  const work = mkdtempSync(join(tmpdir(), 'e2e-skip-'));
  try {
    const kubeconfig = join(work, 'config');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig };
    delete env.E2E_REQUIRE_CLUSTER;
    if (requireCluster !== undefined) env.E2E_REQUIRE_CLUSTER = requireCluster;
    return spawnSync('bash', [SCRIPT, 'kind-kind'], { env, encoding: 'utf8', timeout: 60000 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const NO_CLUSTER = /(no cluster reachable with context kind-kind|kubectl is not installed)/;

describe('the end-to-end script (test/e2e/backup-restore.sh)', () => {
  test('parses with bash', () => {
    expect(() => execFileSync('bash', ['-n', SCRIPT], { stdio: 'pipe' })).not.toThrow();
  });

  test.each([[undefined], ['0']])('with no cluster reachable and E2E_REQUIRE_CLUSTER=%s it says it was skipped and exits 0', (value) => {
    // Given a kubeconfig with no cluster in it
    // When the script runs for a context that is not there
    const run = runWithoutCluster(value);
    // Then it skips, successfully, without touching anything
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`skipped: ${NO_CLUSTER.source}`));
  });

  test('with no cluster reachable and E2E_REQUIRE_CLUSTER=1 it fails, naming the missing cluster', () => {
    // Given the switch a CI job sets so that it cannot pass by skipping
    // When the script runs with no cluster reachable
    const run = runWithoutCluster('1');
    // Then it fails and says why
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`FAILED: ${NO_CLUSTER.source} \\(E2E_REQUIRE_CLUSTER=1: a cluster is required\\)`));
    expect(run.stdout).not.toMatch(/skipped/);
  });

  test('a value of E2E_REQUIRE_CLUSTER other than 1 or 0 is refused, naming it and what is allowed', () => {
    const run = runWithoutCluster('yes');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("E2E_REQUIRE_CLUSTER is 'yes': set it to 1");
  });

  test('the kind job in the CI workflow requires its cluster', () => {
    // A workflow step that could pass by skipping would report an end-to-end run that never happened.
    const workflow = readFileSync(resolve(__dirname, '../../.github/workflows/ci.yml'), 'utf8');
    const step = workflow.slice(workflow.indexOf('- name: Backup and restore end to end'));
    expect(step.slice(0, step.indexOf('run:'))).toMatch(/E2E_REQUIRE_CLUSTER: '1'/);
    expect(step).toMatch(/run: test\/e2e\/backup-restore\.sh kind-e2e/);
  });
});
