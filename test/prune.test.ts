import { execFile, spawnSync } from 'child_process';
import { ApiObject, Chart, JsonPatch, Lazy, Testing } from 'cdk8s';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { ObservabilityChart } from '../charts/observability-chart';
import { WordPressChart, WordPressChartProps } from '../charts/wordpress-chart';
import { WordPressFleet } from '../charts/wordpress-fleet';
import { DATA_HOLDER_KINDS, markPrunable, PRUNE_LABEL, pruneSetsOf } from '../src/common/labels';
import { CUSTOM_PRUNABLE_KINDS, PRUNABLE_KINDS, PRUNE_ALLOWLIST, pruneAllowlistFor, renderRetireCommand } from '../src/output/prune-command';
import { APPLY_SCRIPT_FILE, writeSynthExtras } from '../src/output/synth-extras';
import { LinearSynthApp } from '../src/synth/linear-synth-app';
import { Deletion, FakeApiServer } from './support/fake-api-server';
import { readObjects } from './example-synth';

/** The real kubectl client, or undefined when this machine has none. */
function findKubectl(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

const KUBECTL = findKubectl();
// On CI a missing kubectl fails the suite; locally the tests show up as skipped, never as passed.
const describeWithKubectl = KUBECTL || process.env.CI ? describe : describe.skip;

type Build = (app: LinearSynthApp) => void;

const site = (props: WordPressChartProps = {}): Build => (app) => {
  new WordPressChart(app, 'wordpress', { ingress: { hosts: ['blog.example.com'] }, ...props });
};
const withAgents = (build: Build, agents: ConstructorParameters<typeof ObservabilityChart>[2] = {}): Build => (app) => {
  build(app);
  new ObservabilityChart(app, 'observability', agents);
};
const fleet = (...names: string[]): Build => (app) => {
  new WordPressFleet(app, { sites: names.map((name) => ({ name, hosts: [`${name}.example.com`] })) });
};

describeWithKubectl('the documented apply command against a fake API server', () => {
  let fake: FakeApiServer;
  let work: string;
  let kubeconfig: string;

  beforeAll(() => {
    if (!KUBECTL) throw new Error('kubectl is not on PATH: the prune tests need the real client (CI=true makes this an error)');
  });

  beforeEach(async () => {
    fake = await FakeApiServer.start();
    work = mkdtempSync(join(tmpdir(), 'prune-'));
    kubeconfig = fake.writeKubeconfig(work);
  });

  afterEach(async () => {
    await fake.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** Synthesizes an app into `<work>/<version>/dist` with the synth extras beside it. */
  function synth(version: string, build: Build): string {
    const dir = join(work, version);
    const app = new LinearSynthApp({ outdir: join(dir, 'dist') });
    build(app);
    app.synth();
    writeSynthExtras(app);
    return dir;
  }

  /** Runs a command against the fake (asynchronously: the fake answers from this process). */
  async function run(file: string, args: string[], env: Record<string, string> = {}): Promise<void> {
    await promisify(execFile)(file, args, { env: { ...process.env, ...env, KUBECONFIG: kubeconfig, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' } });
  }

  /** Runs the apply script the synth wrote, as a user would. */
  async function applyScript(dir: string): Promise<void> {
    await run('sh', [join(dir, APPLY_SCRIPT_FILE)]);
  }

  /** What a real cluster adds on first apply: the credential Secrets (with the Job's labels) and the claims of each StatefulSet. */
  function simulateControllers(dir: string): void {
    for (const object of readObjects(join(dir, 'dist'))) {
      const namespace = object.metadata.namespace;
      const generatedLabels = object.kind === 'Job'
        ? object.spec.template.spec.containers.flatMap((c: any) => c.env ?? []).find((e: any) => e.name === 'GENERATED_LABELS')
        : undefined;
      // The credentials Job (the one Job that creates Secrets) and the Secrets its Role lets it create.
      if (generatedLabels) {
        const labels = JSON.parse(generatedLabels.value);
        for (const role of readObjects(join(dir, 'dist')).filter((o) => o.kind === 'Role' && o.metadata.namespace === namespace)) {
          for (const name of role.rules.flatMap((r: any) => (r.resources.includes('secrets') ? r.resourceNames ?? [] : []))) {
            fake.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels }, data: { password: 'c2VjcmV0' } });
          }
        }
      }
      if (object.kind === 'StatefulSet') {
        for (const template of object.spec.volumeClaimTemplates ?? []) {
          fake.put({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { ...template.metadata, name: `${template.metadata.name}-${object.metadata.name}-0`, namespace }, spec: template.spec });
        }
      }
    }
  }

  /** Applies v1 (and what its controllers create), then v2, both with the documented script; returns what v2 removed. */
  async function upgrade(v1: Build, v2: Build): Promise<Deletion[]> {
    const first = synth('v1', v1);
    await applyScript(first);
    simulateControllers(first);
    fake.clearRecords();
    await applyScript(synth('v2', v2));
    return fake.deletions;
  }

  const dataHolders = (deletions: Deletion[]) => deletions.filter((d) => DATA_HOLDER_KINDS.includes(d.kind));
  const names = (deletions: Deletion[], kind: string) => deletions.filter((d) => d.kind === kind).map((d) => `${d.namespace ?? ''}/${d.name}`).sort();

  test('the fake holds the data a first apply leaves behind (so the cases below delete something real)', async () => {
    // given / when: a first apply and what the controllers create
    const dir = synth('v1', site({ namespace: 'blog' }));
    await applyScript(dir);
    simulateControllers(dir);
    // then: the Namespace, the three claims (database, content, backups) and both credential Secrets exist
    expect(fake.get('Namespace', undefined, 'blog')).toBeDefined();
    expect(fake.objects('PersistentVolumeClaim').map((o) => o.metadata.name).sort()).toEqual(['data-wordpress-mysql-0', 'wordpress-backups', 'wordpress-content']);
    expect(fake.objects('Secret')).toHaveLength(2);
  });

  test('the README\'s former command deletes the database when the namespace is renamed (why it was replaced)', async () => {
    // given: v1 applied, with its claims and Secrets
    const first = synth('v1', site({ namespace: 'blog' }));
    await applyScript(first);
    simulateControllers(first);
    fake.clearRecords();
    // when: v2 in another namespace is applied with `kubectl apply --prune -l app.kubernetes.io/part-of=wordpress -f dist/`
    await run(KUBECTL!, ['apply', '--prune', '-l', 'app.kubernetes.io/part-of=wordpress', '-f', join(synth('v2', site({ namespace: 'blog2' })), 'dist/')]);
    // then: the old Namespace is pruned, and with it every claim (the backups too) and both Secrets
    expect(names(fake.deletions, 'Namespace')).toEqual(['/blog']);
    expect(names(fake.deletions, 'PersistentVolumeClaim')).toEqual(['blog/data-wordpress-mysql-0', 'blog/wordpress-backups', 'blog/wordpress-content']);
    expect(names(fake.deletions, 'Secret')).toHaveLength(2);
  });

  test.each<[string, Build, Build, Record<string, string[]>]>([
    ['namespace renamed: the old namespace and everything in it stay (kubectl prunes only where it applies)',
      site({ namespace: 'blog' }), site({ namespace: 'blog2' }), {}],
    ['release renamed: the old release\'s workloads, Services and policies go, its claims stay',
      site({ releaseName: 'blog' }), site({ releaseName: 'shop' }), {
        StatefulSet: ['wordpress/blog-mysql'],
        Deployment: ['wordpress/blog'],
        Ingress: ['wordpress/blog'],
        Role: ['wordpress/blog-credentials-generator'],
      }],
    ['fleet site dropped: the dropped site\'s namespace and data stay',
      fleet('bakery', 'florist'), fleet('bakery'), {}],
    ['allowInternetEgress turned off: the internet egress policy goes',
      site(), site({ allowInternetEgress: false }), { NetworkPolicy: ['wordpress/wordpress-web-internet-out'] }],
    ['one agent removed: its DaemonSet, ServiceAccount, ConfigMap and cluster-wide RBAC go',
      withAgents(site()), withAgents(site(), { logs: false }), {
        DaemonSet: ['observability/fluent-bit'],
        ServiceAccount: ['observability/fluent-bit'],
        ConfigMap: ['observability/fluent-bit'],
        ClusterRole: ['/observability-fluent-bit'],
        ClusterRoleBinding: ['/observability-fluent-bit'],
      }],
    ['every agent removed: their cluster-wide RBAC goes; their namespace stays (nothing prunable is applied there: retire it)',
      withAgents(site()), withAgents(site(), { logs: false, monitoring: false }), {
        ClusterRole: ['/observability-fluent-bit'],
      }],
    ['the whole agents chart removed: nothing of it is selected any more, nothing is deleted',
      withAgents(site()), site(), {}],
  ])('%s', async (_case, v1, v2, expected) => {
    // given v1 applied with the documented command, when v2 is applied with it
    const deletions = await upgrade(v1, v2);
    // then: no Namespace, claim or Secret is deleted, and the dropped objects are
    expect(dataHolders(deletions)).toEqual([]);
    for (const [kind, dropped] of Object.entries(expected)) expect(names(deletions, kind)).toEqual(expect.arrayContaining(dropped));
    if (Object.keys(expected).length === 0) expect(deletions).toEqual([]);
  });

  test.each<[string, Build, Build, string, Record<string, string[]>]>([
    ['namespace renamed', site({ namespace: 'blog' }), site({ namespace: 'blog2' }), 'blog', {
      StatefulSet: ['blog/wordpress-mysql'], Deployment: ['blog/wordpress'], NetworkPolicy: ['blog/wordpress-default-deny'],
    }],
    ['every agent removed', withAgents(site()), withAgents(site(), { logs: false, monitoring: false }), 'observability', {
      DaemonSet: ['observability/fluent-bit', 'observability/node-exporter'],
    }],
  ])('%s, then the documented retire command on the namespace left behind: its workloads go, its Namespace, claims and Secrets stay', async (_case, v1, v2, namespace, expected) => {
    // given v1 then v2 applied with the documented command
    await upgrade(v1, v2);
    fake.clearRecords();
    // when the retire command runs on the namespace v2 no longer applies to
    await run('sh', ['-c', renderRetireCommand()], { NAMESPACE: namespace });
    // then: the project's objects there are deleted, no data holder is, nothing outside it is
    expect(dataHolders(fake.deletions)).toEqual([]);
    for (const [kind, dropped] of Object.entries(expected)) expect(names(fake.deletions, kind)).toEqual(expect.arrayContaining(dropped));
    expect(fake.deletions.filter((d) => d.namespace !== namespace)).toEqual([]);
    expect(fake.get('Namespace', undefined, namespace)).toBeDefined();
  });
});

describe('the documented commands and what the prune may select', () => {
  const ROOT = join(__dirname, '..');
  test('README quotes the commands of the committed apply.sh (which the dist/ drift test keeps fresh)', () => {
    // given the default app's apply script
    const script = readFileSync(join(ROOT, APPLY_SCRIPT_FILE), 'utf8');
    const commands = script.slice(script.indexOf('\nkubectl ') + 1).replace(/ "\$@"/g, '').trimEnd();
    // then: README quotes its commands verbatim
    expect(commands).toMatch(/^kubectl apply -f dist\/\nkubectl apply --prune /);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(commands);
  });

  test('docs/upgrades.md quotes the retire command the kubectl tests run', () => {
    expect(readFileSync(join(ROOT, 'docs', 'upgrades.md'), 'utf8')).toContain(`\n${renderRetireCommand()}\n`);
  });

  const outputs = [join(ROOT, 'dist'), ...readdirSync(join(ROOT, 'examples')).map((e) => join(ROOT, 'examples', e, 'dist')).filter((d) => existsSync(d))];
  const committed = outputs.flatMap((dir) => readObjects(dir).map((object) => ({ dir, object })));
  const everyAllowlisted = pruneAllowlistFor(CUSTOM_PRUNABLE_KINDS.map(({ group, version, kind }) => ({ apiVersion: `${group}/${version}`, kind })));
  const allowlisted = (apiVersion: string, kind: string) => everyAllowlisted.includes(`${apiVersion.includes('/') ? apiVersion : `core/${apiVersion}`}/${kind}`);

  test('every kind in dist/ and the examples is either in the prune allowlist (same group and version) or a data holder', () => {
    // given every committed object, then: each kind is classified, none both ways
    const unclassified = committed.filter(({ object }) => !allowlisted(object.apiVersion, object.kind) && !DATA_HOLDER_KINDS.includes(object.kind))
      .map(({ object }) => `${object.apiVersion}/${object.kind}`);
    expect([...new Set(unclassified)]).toEqual([]);
    expect([...PRUNABLE_KINDS, ...CUSTOM_PRUNABLE_KINDS].filter((k) => DATA_HOLDER_KINDS.includes(k.kind))).toEqual([]);
  });

  test('a custom kind is in the allowlist only when the output has objects of it (kubectl refuses kinds the cluster does not serve)', () => {
    // given an output without custom resources, and one with a SecretStore
    const plain = pruneAllowlistFor([{ apiVersion: 'v1', kind: 'ConfigMap' }]);
    const withStore = pruneAllowlistFor([{ apiVersion: 'external-secrets.io/v1', kind: 'SecretStore' }]);
    // then only the second lists SecretStore; both list every built-in prunable kind
    expect(plain).toEqual([...PRUNE_ALLOWLIST]);
    expect(withStore).toEqual([...PRUNE_ALLOWLIST, 'external-secrets.io/v1/SecretStore']);
  });

  test('every kind the code can construct is either prunable or a data holder', () => {
    // given every `new k8s.Kube<Kind>` under src/ and charts/ (also kinds no committed output shows)
    const sources = ['src', 'charts'].flatMap((dir) => listTs(join(ROOT, dir))).map((file) => readFileSync(file, 'utf8'));
    const kinds = new Set(sources.flatMap((text) => [...text.matchAll(/new k8s\.Kube([A-Za-z]+?)(?:V\d\w*)?\(/g)].map((m) => m[1])));
    // then: each is classified
    expect([...kinds].filter((kind) => !PRUNABLE_KINDS.some((k) => k.kind === kind) && !DATA_HOLDER_KINDS.includes(kind))).toEqual([]);
    expect(kinds.size).toBeGreaterThan(10);
  });

  test('every committed object carries the prune label exactly when it holds no data', () => {
    const wrong = committed.filter(({ object }) => (PRUNE_LABEL in (object.metadata.labels ?? {})) === DATA_HOLDER_KINDS.includes(object.kind))
      .map(({ dir, object }) => `${dir}: ${object.kind} ${object.metadata.name}`);
    expect(wrong).toEqual([]);
  });

  test('a StatefulSet whose claims are deleted with it is a data holder: no prune label', () => {
    // given a chart with a StatefulSet that deletes its claims, and one that keeps them
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'x' });
    const sts = (name: string, whenDeleted: string) => new ApiObject(chart, name, {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name }, spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted } },
    });
    sts('deletes', 'Delete');
    sts('keeps', 'Retain');
    // when it is marked prunable
    markPrunable(chart, 'set');
    // then: only the one that keeps its claims is prunable
    const labelled = Testing.synth(chart).filter((o: any) => o.metadata.labels?.[PRUNE_LABEL] === 'set').map((o: any) => o.metadata.name);
    expect(labelled).toEqual(['keeps']);
  });

  test.each([
    ['the spec is a token, resolved at synth', (chart: Chart) => new ApiObject(chart, 'sts', {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'sts' },
      spec: Lazy.any({ produce: () => ({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } }) }),
    })],
    ['a JSON patch sets the policy', (chart: Chart) => new ApiObject(chart, 'sts', {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'sts' }, spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain' } },
    }).addJsonPatch(JsonPatch.replace('/spec/persistentVolumeClaimRetentionPolicy/whenDeleted', 'Delete'))],
  ])('a StatefulSet whose claims are deleted with it is a data holder also when %s', (_, build) => {
    // given a StatefulSet whose retention policy only its synthesized form shows
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'x' });
    build(chart);
    // when it is marked prunable
    markPrunable(chart, 'set');
    // then: it is not prunable
    expect(Testing.synth(chart).map((o: any) => o.metadata.labels?.[PRUNE_LABEL])).toEqual([undefined]);
  });

  test('a chart left with only data holders still names its prune set, so the prune keeps selecting its cluster-wide objects', () => {
    // given agents with every agent removed: only their Namespace is emitted
    const app = Testing.app();
    new ObservabilityChart(app, 'observability', { logs: false, monitoring: false });
    // then: its prune set is still in the app's
    expect(pruneSetsOf(app)).toEqual(['observability']);
  });
});

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listTs(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}
