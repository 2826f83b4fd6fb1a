import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import * as ts from 'typescript';

// The import graph is read with the TypeScript compiler already installed (ts.preProcessFile)
// rather than madge or dpdm: no new dependency, and it sees `import type` and `export ... from`,
// which form cycles in the sources just as value imports do.

const ROOT = resolve(__dirname, '..');
// imports/ holds the generated custom resource bindings the library builds on: leaves of the graph.
const LAYERS = ['src', 'charts', 'imports'];

/**
 * Composition roots: the package entry re-exports the charts as public API, and the default app
 * (and the program that synthesizes it) assembles them. They sit under src/ for the package layout; nothing imports them back.
 */
const ENTRY_POINTS = new Set(['src/index.ts', 'src/app.ts', 'src/main.ts']);


function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The project files a file imports (relative specifiers only; packages are outside the graph). */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return importedFiles.map((i) => i.fileName).filter((spec) => spec.startsWith('.')).flatMap((spec) => {
    const base = resolve(ROOT, dirname(file), spec);
    const found = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
    return found ? [relative(ROOT, found).split('\\').join('/')] : [];
  });
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan, linear). */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('import structure', () => {
  const graph = new Map(LAYERS.flatMap(sourceFiles).map((file) => [file, importsOf(file)] as [string, string[]]));

  test('the graph was read: charts import the library', () => {
    expect(graph.get('charts/wordpress-chart.ts')).toContain('src/eks/platform.ts');
  });

  test('nothing under src/ imports charts/, apart from the entry points', () => {
    // Given every library file, when its imports are read, then none reaches into charts/
    const upward = [...graph].filter(([file]) => file.startsWith('src/') && !ENTRY_POINTS.has(file))
      .flatMap(([file, imports]) => imports.filter((target) => target.startsWith('charts/')).map((target) => `${file} -> ${target}`));
    expect(upward).toEqual([]);
  });

  test('only an entry point imports an entry point', () => {
    const inward = [...graph].filter(([file]) => !ENTRY_POINTS.has(file))
      .flatMap(([file, imports]) => imports.filter((target) => ENTRY_POINTS.has(target)).map((target) => `${file} -> ${target}`));
    expect(inward).toEqual([]);
  });

  test('there are no import cycles among src/ and charts/', () => {
    const found = cycles(graph).map((component) => component.join(' -> '));
    expect(found).toEqual([]);
  });

  test('a cycle is found when there is one', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(cycles(new Map([['a', ['a']]]))).toEqual([['a']]);
    expect(cycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });
});
