import { goPattern } from '../../src/validation/crd-schemas';
import { validateManifests } from '../../src/validation';

describe('CRD patterns in Go syntax', () => {
  test.each<[string, string, string, boolean]>([
    ['a leading (?i) after ^ matches either case', '^(?i)(abort|warn)?$', 'Warn', true],
    ['a leading (?i) still anchors', '^(?i)(abort|warn)?$', 'warning', false],
    ['a pattern without inline flags is case-sensitive', '^(abort|warn)?$', 'Warn', false],
  ])('%s', (_case, pattern, value, matches) => {
    expect(goPattern(pattern, 'u').test(value)).toBe(matches);
  });

  test('a PrometheusRule is validated against its bundled CRD, whose schema has a (?i) pattern', () => {
    // Given a PrometheusRule with a valid partial_response_strategy and one with an invalid value
    const rule = (strategy: string) => ({
      apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r', namespace: 'n' },
      spec: { groups: [{ name: 'g', partial_response_strategy: strategy, rules: [{ alert: 'A', expr: 'up == 0' }] }] },
    });
    // Then the valid one passes and the invalid one is reported, instead of the schema failing to compile
    const findings = (strategy: string) => validateManifests([{ objects: [rule(strategy)] }]).findings.filter((f) => f.rule.startsWith('schema'));
    expect(findings('Warn')).toEqual([]);
    expect(findings('ignore').map((f) => f.path)).toEqual([expect.stringContaining('partial_response_strategy')]);
  });
});
