#!/usr/bin/env node
// @ts-check
/**
 * The synth path's build: transpiles the TypeScript sources whose output in lib/ is missing or older
 * than the source (or than tsconfig.json) with esbuild, one file at a time, without type-checking,
 * into the same lib/ paths and CommonJS modules `tsc -p tsconfig.json` writes. A fresh clone (no
 * lib/) gets everything; after a one-line edit, one file. `npm test`, `npm run build` and `prepack`
 * still run the full `tsc`, which type-checks and writes the .d.ts files.
 *
 * Plain JavaScript on purpose: it runs before anything is compiled, and loading `typescript` (even
 * only to read tsconfig.json) would cost more than the transpile itself.
 */
'use strict';
const { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('fs');
const { dirname, join, relative, resolve, sep } = require('path');

/** Folders tsc's wildcards never enter. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'bower_components', 'jspm_packages']);

/**
 * A tsconfig `include`/`exclude` pattern as a RegExp over paths relative to the project root
 * (`**` any folders, `*` and `?` within a name; a pattern without a wildcard in its last segment
 * names a folder and everything under it, as tsc reads it).
 * @param {string} pattern
 */
function globToRegExp(pattern) {
  const clean = pattern.replace(/^\.\//, '').replace(/\/$/, '');
  const last = clean.split('/').pop() ?? '';
  const whole = /[*?]/.test(last) || /\.[a-z]+$/i.test(last) ? clean : `${clean}/**/*`;
  let source = '';
  for (let i = 0; i < whole.length; i++) {
    const c = whole[i];
    if (c === '*' && whole[i + 1] === '*' && whole[i + 2] === '/') { source += '(?:[^/]+/)*'; i += 2; }
    else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** @param {string} dir @param {string} root @param {string[]} into */
function walk(dir, root, into) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) walk(path, root, into);
    } else if (entry.isFile()) {
      into.push(relative(root, path).split(sep).join('/'));
    }
  }
}

/**
 * The project's compile settings and its sources (what `tsc -p tsconfig.json` emits), each with
 * its JavaScript output path.
 * @param {string} root
 */
function project(root) {
  const configFile = join(root, 'tsconfig.json');
  const config = JSON.parse(readFileSync(configFile, 'utf8'));
  if (config.extends || config.files || config.references) {
    throw new Error(`${configFile}: "extends", "files" and "references" are not read by scripts/transpile.js; list sources under "include"`);
  }
  const options = config.compilerOptions ?? {};
  const outDir = resolve(root, options.outDir ?? '.');
  const rootDir = resolve(root, options.rootDir ?? '.');
  const include = (config.include ?? ['**/*']).map(globToRegExp);
  const exclude = (config.exclude ?? []).map(globToRegExp);
  /** @type {string[]} */
  const files = [];
  // Only the folders an include pattern starts with are walked (not node_modules or lib/).
  const tops = new Set((config.include ?? ['.']).map((/** @type {string} */ p) => p.replace(/^\.\//, '').split('/')[0]).filter((/** @type {string} */ t) => !/[*?]/.test(t)));
  for (const top of tops) if (existsSync(join(root, top))) walk(join(root, top), root, files);
  const sources = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .filter((f) => include.some((r) => r.test(f)) && !exclude.some((r) => r.test(f)))
    .sort()
    .map((f) => {
      const source = join(root, f);
      return { source, output: join(outDir, relative(rootDir, source)).replace(/\.ts$/, '.js') };
    });
  const jsonFiles = files.filter((f) => f.endsWith('.json')).map((f) => join(root, f))
    .map((source) => ({ source, output: join(outDir, relative(rootDir, source)) }));
  return { configFile, options, outDir, rootDir, sources, jsonFiles, buildInfo: options.tsBuildInfoFile ? resolve(root, options.tsBuildInfoFile) : undefined };
}

/** @param {string} file */
function modified(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * tsc --incremental trusts its build info, not lib/: a source edited, transpiled here, then
 * reverted would look unchanged to it and keep this output. So the build info's record of each
 * transpiled source is made to match no content: the next tsc checks and writes those files again
 * (and, as after any edit, the files whose types depend on them), and stays incremental for the
 * rest. A build info this cannot read (another TypeScript's format) is deleted: the next tsc then
 * builds everything.
 * @param {string} buildInfo
 * @param {string[]} sources
 */
function forgetInBuildInfo(buildInfo, sources) {
  let info;
  try {
    info = JSON.parse(readFileSync(buildInfo, 'utf8'));
  } catch {
    rmSync(buildInfo, { force: true });
    return;
  }
  const { fileNames, fileInfos } = info;
  if (!Array.isArray(fileNames) || !Array.isArray(fileInfos) || fileNames.length !== fileInfos.length) {
    rmSync(buildInfo, { force: true });
    return;
  }
  const index = new Map(fileNames.map((name, i) => [resolve(dirname(buildInfo), name), i]));
  for (const source of sources) {
    const i = index.get(source);
    if (i === undefined) continue; // not built by tsc yet: tsc will see it as new
    const entry = fileInfos[i];
    if (typeof entry === 'string') fileInfos[i] = FORGOTTEN;
    else if (entry && typeof entry.version === 'string') entry.version = FORGOTTEN;
    else {
      rmSync(buildInfo, { force: true });
      return;
    }
  }
  writeFileSync(buildInfo, JSON.stringify(info));
}

/** A file version no source text hashes to. */
const FORGOTTEN = 'transpiled-by-scripts/transpile.js';

/**
 * esbuild, with its synchronous API in the mode that suits one call per process: by default its
 * first synchronous call starts a worker thread and a service (about 90 ms here, against about
 * 25 ms for the child process it runs per call with worker threads off; evanw/esbuild#1689). The
 * setting is read when esbuild loads, so the environment is put back right after.
 */
function loadEsbuild() {
  const previous = process.env.ESBUILD_WORKER_THREADS;
  process.env.ESBUILD_WORKER_THREADS = '0';
  try {
    return require('esbuild');
  } finally {
    if (previous === undefined) delete process.env.ESBUILD_WORKER_THREADS;
    else process.env.ESBUILD_WORKER_THREADS = previous;
  }
}

/**
 * Transpiles the stale sources of the project at `root` into its outDir. Returns the sources it
 * transpiled (none when lib/ is current).
 * @param {string} root
 * @returns {string[]}
 */
function transpileStale(root) {
  const { configFile, options, outDir, rootDir, sources, jsonFiles, buildInfo } = project(root);
  const configTime = modified(configFile);
  const stale = sources.filter(({ source, output }) => modified(output) < Math.max(modified(source), configTime));
  if (stale.length > 0) {
    const esbuild = loadEsbuild();
    esbuild.buildSync({
      entryPoints: stale.map(({ source }) => source),
      outdir: outDir,
      outbase: rootDir,
      format: 'cjs',
      platform: 'node',
      target: String(options.target ?? 'es2022').toLowerCase(),
      tsconfig: configFile,
      logLevel: 'error',
    });
    // JSON modules (resolveJsonModule) are copied beside the code that requires them, as tsc does.
    for (const { output } of stale) {
      for (const match of readFileSync(output, 'utf8').matchAll(/require\("(\.{1,2}\/[^"]+\.json)"\)/g)) {
        const target = resolve(dirname(output), match[1]);
        const source = join(rootDir, relative(outDir, target));
        if (modified(target) < modified(source)) {
          mkdirSync(dirname(target), { recursive: true });
          copyFileSync(source, target);
        }
      }
    }
    if (buildInfo) forgetInBuildInfo(buildInfo, stale.map(({ source }) => source));
  }
  // A JSON module edited on its own: its copy in lib/ (there because code requires it) follows.
  for (const { source, output } of jsonFiles) {
    const copied = modified(output);
    if (copied >= 0 && copied < modified(source)) copyFileSync(source, output);
  }
  return stale.map(({ source }) => source);
}

module.exports = { transpileStale, project, globToRegExp };

if (require.main === module) {
  const root = resolve(__dirname, '..');
  const done = transpileStale(root);
  if (done.length > 0) console.log(`Transpiled ${done.length} file${done.length === 1 ? '' : 's'} into lib/ (no type-check: npm test and npm run build type-check)`);
}
