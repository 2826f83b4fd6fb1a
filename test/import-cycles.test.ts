import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, normalize, relative } from 'path';

const ROOT = join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports and re-exports of a module (type-only ones too: they are dependencies as well). */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)]
    .map((match) => normalize(join(dirname(file), match[1])))
    .flatMap((target) => [`${target}.ts`, join(target, 'index.ts')].filter((candidate) => existsSync(candidate)).slice(0, 1));
}

/** Every cycle reachable in the graph, each as the list of files around it. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    const onStack = stack.indexOf(node);
    if (onStack >= 0) {
      cycles.push([...stack.slice(onStack), node].map((file) => relative(ROOT, file)));
      return;
    }
    if (done.has(node)) return;
    stack.push(node);
    for (const next of graph.get(node) ?? []) visit(next);
    stack.pop();
    done.add(node);
  };
  [...graph.keys()].forEach(visit);
  return cycles;
}

describe('module structure', () => {
  test('no import cycle between the modules of src/: dependencies point one way', () => {
    // Given the import graph of src/ (edges leaving src/ are not part of it)
    const files = sourceFiles(join(ROOT, 'src'));
    const inSrc = new Set(files);
    const graph = new Map(files.map((file) => [file, localImports(file).filter((target) => inSrc.has(target))]));
    // Then it has no cycle
    expect(findCycles(graph)).toEqual([]);
  });
});
