import { spawnSync } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { cpus, tmpdir, totalmem, release, platform } from 'os';
import { dirname, join, resolve } from 'path';

/**
 * `npm run bench`: times whole processes (the way CI and users run them), several runs each,
 * interleaved with the floor `node -e "require('cdk8s-plus-28')"` so every ratio comes from the
 * same minutes of the same machine. Writes BENCHMARKS.md.
 */
const ROOT = resolve(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LARGE_RUNS = Number(process.env.BENCH_LARGE_RUNS ?? 3);
const MAX_RSS = join(__dirname, 'max-rss.js');

interface Case {
  readonly name: string;
  readonly sites?: number;
  readonly runs: number;
  readonly command: (outdir: string) => string[];
  /** Where it runs. @default the checkout */
  readonly cwd?: string;
  /** Done before each run, not timed. @default nothing */
  readonly prepare?: () => void;
}

/**
 * A copy of the checkout (tracked files, node_modules linked, committed in a git repository of its
 * own for the upgrade gate) where a case may edit sources: the checkout itself is never changed.
 */
function editableCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-edit-'));
  const files = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\0').filter((f) => f && existsSync(join(ROOT, f)));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(dir, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...args], { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'bench');
  return dir;
}

/**
 * A one-line change in a chart that changes one object: a label of the Namespace gets a value no
 * earlier run wrote, so no cache has seen that document yet.
 */
function editChartLine(dir: string): void {
  const file = join(dir, 'charts/wordpress-chart.ts');
  const text = readFileSync(file, 'utf8');
  const line = /withComponent\('namespace(-edit-\d+)?'\)/;
  if (!line.test(text)) throw new Error(`bench: ${file} no longer has withComponent('namespace'): pick another one-line edit`);
  writeFileSync(file, text.replace(line, `withComponent('namespace-edit-${Date.now()}')`));
}

const EDIT_COPY = editableCopy();

const node = process.execPath;
const cases: Case[] = [
  { name: 'floor: node -e "require(\'cdk8s-plus-28\')"', runs: RUNS, command: () => [node, '-e', "require('cdk8s-plus-28')"] },
  { name: 'default app: node lib/src/main.js', runs: RUNS, command: () => [node, join(ROOT, 'lib/src/main.js')] },
  { name: 'default charts through the package entry', runs: RUNS, command: (out) => [node, join(ROOT, 'lib/bench/library-app.js'), join(out, 'dist')] },
  { name: 'default app: cdk8s synth (CLI)', runs: RUNS, command: (out) => [join(ROOT, 'node_modules/.bin/cdk8s'), 'synth', '--no-check-upgrade', '--output', join(out, 'dist')] },
  { name: 'default app: npm run synth after a one-line change in a chart', runs: RUNS, cwd: EDIT_COPY, prepare: () => editChartLine(EDIT_COPY), command: () => ['npm', 'run', 'synth'] },
  { name: 'default app: node scripts/synth.js (npm run synth without npm) after a one-line change', runs: RUNS, cwd: EDIT_COPY, prepare: () => editChartLine(EDIT_COPY), command: () => [node, 'scripts/synth.js'] },
  // 10 000 sites take minutes and gigabytes: measured once, on request, to show the per-site cost stays flat.
  ...[1, 10, 100, 1000, ...(process.env.BENCH_HUGE ? [10000] : [])].map((sites) => ({
    name: `fleet of ${sites}`,
    sites,
    runs: sites >= 10000 ? 1 : sites >= 1000 ? LARGE_RUNS : RUNS,
    command: (out: string) => [node, join(ROOT, 'lib/bench/fleet-app.js'), String(sites), join(out, 'dist')],
  })),
];

interface Sample { readonly wall: number; readonly peakKiB: number }

function runOnce(testCase: Case): Sample {
  const work = mkdtempSync(join(tmpdir(), 'bench-'));
  const rssFile = join(work, 'rss');
  writeFileSync(rssFile, '');
  const [command, ...args] = testCase.command(work);
  testCase.prepare?.();
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: testCase.cwd ?? ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CDK8S_OUTDIR: join(work, 'dist'), BENCH_MAX_RSS_FILE: rssFile, NODE_OPTIONS: `--require ${MAX_RSS}` },
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${testCase.name} failed (${result.status}): ${result.stderr}`);
  const peakKiB = Math.max(...readFileSync(rssFile, 'utf8').trim().split('\n').map(Number));
  rmSync(work, { recursive: true, force: true });
  return { wall, peakKiB };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// Warm-up: file-system caches and the compiled-code cache of the first run are not what we measure
// (not for 10 000 sites: minutes, and its one run is about the per-site cost, not the start).
for (const testCase of cases) if ((testCase.sites ?? 0) < 10000) runOnce(testCase);
const samples = new Map<Case, Sample[]>(cases.map((c) => [c, []]));
const maxRuns = Math.max(...cases.map((c) => c.runs));
for (let round = 0; round < maxRuns; round++) {
  for (const testCase of cases) {
    if (round < testCase.runs) samples.get(testCase)!.push(runOnce(testCase));
  }
}

const floor = median(samples.get(cases[0])!.map((s) => s.wall));
const rows = cases.map((testCase) => {
  const runs = samples.get(testCase)!;
  const wall = median(runs.map((s) => s.wall));
  const peak = median(runs.map((s) => s.peakKiB)) / 1024;
  return {
    name: testCase.name,
    runs: runs.length,
    wall,
    perSite: testCase.sites ? `${((wall / testCase.sites) * 1000).toFixed(1)} ms` : '',
    peak,
    ratio: wall / floor,
  };
});

// Validation of the default dist/ in one process: with and without loading the definitions.
const validation = Array.from({ length: RUNS }, () => JSON.parse(spawnSync(node, [join(__dirname, 'validate-timing.js'), join(ROOT, 'dist')], { encoding: 'utf8' }).stdout));
const validationLine = `Validating the default \`dist/\` for Kubernetes 1.28.0 and 1.36.0 in one process (median of ${RUNS}): `
  + `${median(validation.map((v) => v.firstMs)).toFixed(0)} ms including loading and compiling the definitions, `
  + `${median(validation.map((v) => v.secondMs)).toFixed(0)} ms once they are loaded.`;

// Linear means the same cost per site at 10 000 as at 1000 (the issue allows 10% more).
const perSite = (sites: number) => rows.find((r) => r.name === `fleet of ${sites}`);
const [thousand, tenThousand] = [perSite(1000), perSite(10000)];
const linearityLine = thousand && tenThousand
  ? `Fleet per-site cost at 10 000 sites over 1000 sites: ${((tenThousand.wall / 10000) / (thousand.wall / 1000)).toFixed(2)} `
    + `(${tenThousand.perSite} against ${thousand.perSite}), peak memory ${tenThousand.peak.toFixed(0)} MiB against ${thousand.peak.toFixed(0)} MiB.`
  : 'Fleet of 10 000 sites: not measured in this run (`BENCH_HUGE=1 npm run bench` adds it, once).';

const cpu = cpus();
const machine = `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`;
const table = [
  '| case | runs | wall (median) | per site | peak memory (median) | x floor |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.name} | ${r.runs} | ${r.wall.toFixed(3)} s | ${r.perSite} | ${r.peak.toFixed(0)} MiB | ${r.ratio.toFixed(2)} |`),
].join('\n');
// Sections (`## ...`) written by hand after the measured part, such as profiles, stay as they are.
const previous = readIfPresent(join(ROOT, 'BENCHMARKS.md'));
const handWritten = previous.includes('\n## ') ? previous.slice(previous.indexOf('\n## ') + 1) : '';
const report = [
  '# Benchmarks',
  '',
  'Whole-process wall time and peak resident memory (the largest Node process of the case), medians',
  `of several runs after one warm-up, interleaved with the floor \`node -e "require('cdk8s-plus-28')"\``,
  'so that each ratio compares figures from the same minutes on the same machine.',
  '',
  'Reproduce: `npm run bench` (set `BENCH_RUNS` and `BENCH_LARGE_RUNS` for more runs, `BENCH_HUGE=1` to add a fleet of 10 000, run once).',
  '',
  `Machine: ${machine}.`,
  '',
  table,
  '',
  validationLine,
  '',
  linearityLine,
  '',
  'Notes: `cdk8s synth (CLI)` includes the CLI\'s own start (about 0.95 s for `cdk8s --version` on this',
  'machine) and the validation plugin that this project\'s cdk8s.yaml runs on every synth, with its',
  'compiled-validator cache warm (the warm-up run fills it; a first synth on a new machine pays about',
  '0.5 s more). The app itself (`node lib/src/main.js`) is the part this project controls.',
  '`npm run synth after a one-line change in a chart` runs in a committed copy of the checkout, where',
  'each run first gives one label of the Namespace in `charts/wordpress-chart.ts` a new value:',
  '`scripts/synth.js` transpiles that one file, runs the app and the validation plugin in its own',
  'process, and the plugin parses and schema-checks the changed document only, while every rule and',
  'the upgrade gate (against the copy\'s committed `dist/`) run. The case below it is the same',
  'script without `npm run` (npm\'s own start is the difference).',
  '',
  handWritten,
].join('\n');
rmSync(EDIT_COPY, { recursive: true, force: true });
process.stdout.write(`${table}\n${validationLine}\n${linearityLine}\n`);
writeFileSync(join(ROOT, 'BENCHMARKS.md'), report);

function readIfPresent(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
