#!/usr/bin/env node
// @ts-check
/**
 * `npm run synth`: what `cdk8s synth` does for this project, in one Node process.
 *
 * `cdk8s synth` starts the cdk8s CLI (about a second here: it loads every command it has, with
 * jsii and the TypeScript compiler, before it reads its arguments), which then starts the app as a
 * second Node process. This script reads the same cdk8s.yaml and does the same steps in order:
 * transpile what changed (scripts/transpile.js), empty the output folder, run the app with
 * CDK8S_OUTDIR set, list the manifests written, run every validation plugin of `validations:` with
 * cdk8s-cli's own ValidationContext, print the same reports and exit 2 when one fails. The app and
 * the plugins are the same code, so the files written are the same: a test compares them.
 *
 * It runs in-process only what it can run exactly like the CLI: an `app:` of the form
 * `node <file>` and plugins at local paths. For anything else (another app command, plugins from
 * npm, `validations:` at a URL, the Helm format) it hands the whole synth to `cdk8s synth`.
 *
 * Plain JavaScript on purpose, like transpile.js: it runs before anything is compiled.
 */
'use strict';
const { existsSync, readdirSync, readFileSync, rmSync } = require('fs');
const { isAbsolute, join, resolve, sep } = require('path');
const { transpileStale } = require('./transpile');

const USAGE = 'usage: node scripts/synth.js [--output DIR] [--no-validate] (any other option: use `npx cdk8s synth`)';

/**
 * The options this script takes; the rest of `cdk8s synth`'s are for `npx cdk8s synth`.
 * @param {string[]} args
 */
function parseArgs(args) {
  /** @type {{ output?: string; validate: boolean }} */
  const options = { validate: true };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--no-validate') options.validate = false;
    else if (arg === '--output' || arg === '-o') {
      const value = args[++i];
      if (!value || value.startsWith('-')) throw new Error(`${arg} needs a folder; ${USAGE}`);
      options.output = value;
    } else if (arg.startsWith('--output=')) options.output = arg.slice('--output='.length);
    else throw new Error(`unknown option ${JSON.stringify(arg)}; ${USAGE}`);
  }
  return options;
}

/**
 * The parts of cdk8s.yaml the synth reads, checked: what this script cannot run exactly like the
 * CLI comes back as a reason to hand over to it.
 * @param {string} dir
 */
function readConfig(dir) {
  const file = join(dir, 'cdk8s.yaml');
  if (!existsSync(file)) throw new Error(`${file}: not found; run npm run synth in the project root`);
  // The parser cdk8s-cli's ValidationContext loads anyway (cdk8s's Yaml.load reads files through a
  // child process).
  const config = require('yaml').parse(readFileSync(file, 'utf8'));
  if (!config || typeof config !== 'object') throw new Error(`${file}: expected a mapping with app:, got ${JSON.stringify(config)}`);
  if (typeof config.app !== 'string') throw new Error(`${file}: app: must be the command that runs the app, got ${JSON.stringify(config.app)}`);
  const entry = /^node\s+(\S+)$/.exec(config.app.trim());
  /** @type {string | undefined} */
  let handOver;
  if (!entry) handOver = `app: ${JSON.stringify(config.app)} is not "node <file>"`;
  else if (config.synthConfig?.format && config.synthConfig.format !== 'plain') handOver = `synthConfig.format is ${config.synthConfig.format}`;
  else if (config.validations !== undefined && !Array.isArray(config.validations)) handOver = 'validations: is not a list';
  else {
    const remote = (config.validations ?? []).find((/** @type {any} */ v) => typeof v?.package !== 'string' || !isLocal(v.package));
    if (remote) handOver = `validation plugin ${JSON.stringify(remote.package)} is not a local path`;
  }
  return {
    handOver,
    entry: entry ? resolve(dir, entry[1]) : '',
    output: typeof config.output === 'string' ? config.output : 'dist',
    /** @type {{ package: string; version: string; class: string; properties?: object }[]} */
    validations: config.validations ?? [],
  };
}

/** The CLI's rule: a local plugin is an absolute path or one starting with `./`. @param {string} pkg */
function isLocal(pkg) {
  return isAbsolute(pkg) || pkg.startsWith(`.${sep}`);
}

/** Every `.yaml` under a folder, in the CLI's order (files of a folder first, then its subfolders). @param {string} dir */
function findManifests(dir) {
  const entries = readdirSync(dir, { withFileTypes: true });
  const files = entries.filter((e) => !e.isDirectory() && e.name.endsWith('.yaml')).map((e) => `${dir}/${e.name}`);
  for (const folder of entries.filter((e) => e.isDirectory())) files.push(...findManifests(`${dir}/${folder.name}`));
  return files;
}

/**
 * Construct paths by resource name, from the metadata file an app writes when asked, read as the
 * CLI reads it.
 * @param {string} outdir
 */
function constructMetadata(outdir) {
  const file = join(outdir, 'construct-metadata.json');
  if (!existsSync(file)) return {};
  const contents = JSON.parse(readFileSync(file, 'utf8'));
  if (contents.version !== '1.0.0') throw new Error(`Unexpected version of construct metadata at ${file}: ${contents.version}. Supported versions are: [1.0.0]`);
  /** @type {Record<string, { path: string }>} */
  const resources = {};
  for (const [name, metadata] of Object.entries(contents.resources)) resources[name] = { path: metadata.path };
  return resources;
}

/**
 * Runs each plugin on the manifests, prints the reports like the CLI and returns whether all passed.
 * @param {ReturnType<typeof readConfig>['validations']} validations
 * @param {string[]} manifests
 * @param {string} outdir
 */
async function validate(validations, manifests, outdir) {
  const { ValidationContext } = require('cdk8s-cli/plugins');
  const metadata = constructMetadata(outdir);
  const runs = validations.map((validation) => {
    const modulePath = resolve(process.cwd(), validation.package);
    const clazz = require(modulePath)[validation.class];
    if (typeof clazz !== 'function') throw new Error(`Unable to locate class '${validation.class}' in package '${validation.package}@${validation.version}'. Are you sure you exported it?`);
    const plugin = new clazz(validation.properties ?? {});
    if (typeof plugin.validate !== 'function') throw new Error(`Instance of class '${validation.class}' from package '${validation.package}@${validation.version}' is not a validation plugin. Are you sure you specified the correct class?`);
    return { plugin, context: new ValidationContext(manifests, modulePath, validation.version, metadata, false) };
  });
  console.log('Performing validations');
  let success = true;
  for (const { plugin, context } of runs) {
    await plugin.validate(context);
    success = success && context.report.success;
  }
  console.log('Validations finished');
  for (const { context } of runs) console.log(`\n${context.report.toString()}\n`);
  return success;
}

/** @param {string[]} args */
async function main(args) {
  const options = parseArgs(args);
  const root = resolve(__dirname, '..');
  const done = transpileStale(root);
  if (done.length > 0) console.log(`Transpiled ${done.length} file${done.length === 1 ? '' : 's'} into lib/ (no type-check: npm test and npm run build type-check)`);

  const config = readConfig(process.cwd());
  if (config.handOver) {
    console.log(`${config.handOver}: running cdk8s synth`);
    const { spawnSync } = require('child_process');
    const cli = spawnSync(join(root, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', ...args], { stdio: 'inherit' });
    return cli.status ?? 1;
  }

  const outdir = options.output ?? config.output;
  const validations = options.validate ? config.validations : [];
  rmSync(outdir, { recursive: true, force: true });
  console.log('Synthesizing application');
  process.env.CDK8S_OUTDIR = outdir;
  process.env.CDK8S_RECORD_CONSTRUCT_METADATA ??= validations.length > 0 ? 'true' : 'false';
  // The app sees the command line the CLI gives it (none), and its own errors end the process with
  // its message and exit code, as under the CLI.
  process.argv = [process.argv[0], config.entry];
  require(config.entry);
  if (!existsSync(outdir)) {
    console.error(`ERROR: synthesis failed, app expected to create "${outdir}"`);
    return 1;
  }
  const manifests = findManifests(outdir);
  if (manifests.length === 0) console.error('No manifests synthesized');
  for (const file of manifests) console.log(`  - ${file}`);
  if (validations.length === 0) return 0;
  if (!(await validate(validations, manifests, outdir))) {
    console.error('Validation failed. See above reports for details');
    return 2;
  }
  console.log('Validations ended successfully');
  return 0;
}

module.exports = { parseArgs, readConfig, findManifests };

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
