import { readdirSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { Testing, Yaml } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { WordPressFleet } from '../charts/wordpress-fleet';
import { buildDefaultApp } from '../src/app';
import { stringifyManifests } from '../src/synth/manifest-yaml';

const ROOT = resolve(__dirname, '..');

/** Strings YAML 1.1 reads as something else, or that need quotes, escapes or block scalars. */
const YAML_11_WORDS = ['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'off', 'Off', 'OFF', 'null', 'Null', 'NULL'];
const TRICKY = [
  ...YAML_11_WORDS, '~', '', ' ', '0755', '007', '1e3', '0x10', '+1', '-1', '1_000',
  '12:30', '2020-01-01', '.inf', '.nan', ':', '-', '?', '- x', '#x', 'x #y', 'a: b', 'x,y', '[a]', '{a}', '*', '&a', '!x', '@', '%',
  '|', '"q"', "'s'", ' lead', 'trail ', '\ttab', 'é ünïcode', '1.28.0', 'sha256:abc', '${VAR}', 'http://x.example/a?b=c&d',
  'a\nb', 'a\nb\n', 'a\n\n  b\n', '\nx', 'x\n\n', 'a\r\nb', '\n',
  // Near the shapes written without asking the library: paths, flags, commands, host:port, quantities, CIDRs.
  '/', '/tmp', '/a b', '/a #b', '/a: b', '/a:', '/a ', '-c', '--silent', '--flag=:9100', '-1', '-.inf', '--', '---x', '--- x', '-- x',
  '-y', 'sh a.sh && sh b.sh', 'a  b', 'x:y', 'x:', 'x: y', 'x :y', 'x@y', 'a&b', 'a,b', 'a=b', 'a+b', 'a - b', 'On', 'on ', 'y n',
  '1', '0', '1m', '64Mi', '1Gi', '1E', '1Ei', '1e5', '1k', '0x1f', '0b1', '08Mi', '1.5Gi', '12:30m',
  '10.0.0.0/8', '0.0.0.0/0', '1.2.3.4', '1.2.3.4/', '1.2/3', '300.1.1.1/33', '815cca4325', '12345e6789',
];

function expectSameAsCdk8s(docs: unknown[]): void {
  expect(stringifyManifests(docs)).toBe(Yaml.stringify(...docs));
}

describe('stringifyManifests writes exactly what cdk8s writes', () => {
  test.each(TRICKY.map((text) => [JSON.stringify(text), text]))('the string %s as a value, a key, a list item and nested', (_name, text) => {
    expectSameAsCdk8s([{ value: text }, { [text]: 'v' }, [text], { list: [{ map: text, deeper: [[text]] }] }]);
  });

  test('every kind of collection: empty, nested lists, lists of maps, maps in lists in maps', () => {
    expectSameAsCdk8s([{
      a: [[], [{}], [[1, [2, { x: 'a\nb' }]]], { d: [{ e: 'yes', y: null, on: true, '': 1 }] }],
      b: {}, c: [], n: [1, -2, 0, true, false, null], f: 1.5, 'a b': { 'c:d': [TRICKY] },
    }]);
  });

  test('documents it leaves to the library: undefined values, multi-line keys, scalars, empty documents', () => {
    expectSameAsCdk8s([{ a: undefined }, { 'multi\nline': 1 }, 'text', 42, {}, [], undefined, { after: 'the gaps' }]);
  });

  test('every committed output: dist/ and the examples', () => {
    const dirs = ['dist', ...readdirSync(join(ROOT, 'examples')).map((example) => join('examples', example, 'dist'))]
      .filter((dir) => { try { return readdirSync(join(ROOT, dir)).length > 0; } catch { return false; } });
    let files = 0;
    for (const dir of dirs) {
      for (const file of readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.yaml'))) {
        expectSameAsCdk8s(parseAllDocuments(readFileSync(join(ROOT, dir, file), 'utf8')).map((d) => d.toJS()));
        files++;
      }
    }
    expect(files).toBeGreaterThanOrEqual(6);
  });

  test('the objects of the default app and a fleet, as the synth hands them over', () => {
    const app = buildDefaultApp(Testing.app());
    new WordPressFleet(app, { sites: [{ name: 'bakery', hosts: ['bakery.example.com'], replicas: 2, contentStorageClassName: 'efs' }] });
    for (const chart of app.charts) expectSameAsCdk8s(chart.toJson());
  });
});
