import { execFileSync } from 'child_process';
import { existsSync, statSync, utimesSync } from 'fs';
import { join } from 'path';
import * as ts from 'typescript';

/**
 * Sources of a TypeScript project whose compiled output is missing or older than the source (or
 * than tsconfig.json). Only reads the config and file times: much cheaper than even an
 * incremental `tsc`, so every jest run can afford it.
 */
export function staleSources(root: string): string[] {
  return staleOutputs(root).map(([source]) => source);
}

function staleOutputs(root: string): [string, readonly string[]][] {
  const configFile = join(root, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => { throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')); },
  })!;
  const configTime = statSync(configFile).mtimeMs;
  return parsed.fileNames.map((source): [string, readonly string[]] => [source, ts.getOutputFileNames(parsed, source, !ts.sys.useCaseSensitiveFileNames)])
    .filter(([source, outputs]) => {
      const sourceTime = Math.max(statSync(source).mtimeMs, configTime);
      return outputs.some((output) => !existsSync(output) || statSync(output).mtimeMs < sourceTime);
    });
}

/**
 * Compiles the project (`tsc -p tsconfig.json`, incremental) when any output is stale, so tests
 * that run compiled code (`lib/`, the CLI, `cdk8s synth`) never run yesterday's code, even under
 * `npx jest FILE`. Returns whether it compiled; a compile error fails the run.
 */
export function compileIfStale(root: string, tsc = require.resolve('typescript/bin/tsc')): boolean {
  const stale = staleOutputs(root);
  if (stale.length === 0) return false;
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
  // An incremental tsc skips files whose content did not change (a touched file, a branch switched
  // back): their outputs are current now, so mark them so, or every later run would compile again.
  const now = new Date();
  for (const output of stale.flatMap(([, outputs]) => outputs)) if (existsSync(output)) utimesSync(output, now, now);
  return true;
}
