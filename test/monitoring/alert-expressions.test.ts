import { siteAlertRules, SiteSeries } from '../../src/monitoring/alert-rules';
import { sitePanels } from '../../src/monitoring/dashboard';
import { ALL_DOCUMENTED } from './documented-metrics';
import { parsePromql } from './promql';

/** Every optional series on, so that every expression is produced. */
const SERIES: SiteSeries = {
  namespace: 'shop',
  mysqlPods: 'shop-mysql-[0-9]+',
  webPods: 'shop-[a-z0-9]+-[a-z0-9]+',
  ingressName: 'shop',
  ingressNamespaceLabel: 'exported_namespace',
  backupCronJob: 'shop-backup',
  certificates: true,
};

const RULES = siteAlertRules(SERIES);
const QUERIES = sitePanels(SERIES).flatMap((panel) => panel.queries.map((query, index) => [`${panel.title} #${index + 1}`, query] as const));

describe('alert expressions', () => {
  test('the issue\'s alerts are all there', () => {
    // Given every optional series, when the rules are built, then each alert the issue asks for exists
    expect(RULES.map((rule) => rule.alert)).toEqual([
      'WordPressMySqlDown', 'WordPressMySqlConnectionsNearMax', 'WordPressMySqlSlowQueries', 'WordPressHigh5xxRatio',
      'WordPressHighP95Latency', 'WordPressClaimAlmostFull', 'WordPressBackupTooOld', 'WordPressBackupFailed', 'WordPressCertificateExpiresSoon',
    ]);
  });

  test.each(RULES.map((rule) => [rule.alert, rule.expr]))('%s parses as PromQL without errors', (_alert, expr) => {
    expect(parsePromql(expr).errors).toEqual([]);
  });

  test.each(RULES.map((rule) => [rule.alert, rule.expr]))('%s selects only documented metrics', (_alert, expr) => {
    const { metrics } = parsePromql(expr);
    expect(metrics.length).toBeGreaterThan(0);
    expect(metrics.filter((name) => !ALL_DOCUMENTED.has(name))).toEqual([]);
  });

  test('without an Ingress or cert-manager their alerts are left out rather than never firing', () => {
    const names = siteAlertRules({ ...SERIES, ingressName: undefined, certificates: false }).map((rule) => rule.alert);
    expect(names).not.toContain('WordPressHigh5xxRatio');
    expect(names).not.toContain('WordPressHighP95Latency');
    expect(names).not.toContain('WordPressCertificateExpiresSoon');
  });

  test('the parser check catches a broken expression (guards the tests above)', () => {
    expect(parsePromql('sum(rate(mysql_up{namespace="shop"}[5m]) >').errors).not.toEqual([]);
  });
});

describe('dashboard queries', () => {
  test.each(QUERIES)('%s parses and selects only documented metrics', (_title, query) => {
    const { errors, metrics } = parsePromql(query);
    expect(errors).toEqual([]);
    expect(metrics.filter((name) => !ALL_DOCUMENTED.has(name))).toEqual([]);
  });
});
