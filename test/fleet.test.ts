import { Testing } from 'cdk8s';
import { FleetSite, WordPressFleet, WordPressFleetProps } from '../charts/wordpress-fleet';
import { DATA_HOLDER_KINDS, PRUNE_LABEL } from '../src/common/labels';
import { Platform } from '../src/eks/platform';
import { find, Manifest } from './helpers';
import { expectRejected, rejectionOf, RejectionCase } from './support/rejection';

const CERT = (id: number) => `arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5${id}`;

const SITES: FleetSite[] = [
  { name: 'grocer', hosts: ['grocer.example.com'] },
  { name: 'bakery', hosts: ['bakery.example.com', 'www.bakery.example.com'], size: 'medium' },
  { name: 'florist', hosts: ['florist.example.com'], size: 'large', replicas: 2, contentStorageClassName: 'efs' },
];

function synthFleet(props: Partial<WordPressFleetProps> = {}): Manifest[] {
  const app = Testing.app();
  const fleet = new WordPressFleet(app, { sites: SITES, ...props });
  return fleet.sites.flatMap((chart) => Testing.synth(chart) as Manifest[]);
}

describe('WordPressFleet', () => {
  test('each site gets its own namespace, database, credentials, policies, quota and limits', () => {
    const objects = synthFleet();
    for (const site of ['bakery', 'florist', 'grocer']) {
      const kinds = objects.filter((o) => (o.metadata.namespace ?? o.metadata.name) === site).map((o) => o.kind);
      expect(kinds).toEqual(expect.arrayContaining(['Namespace', 'StatefulSet', 'Deployment', 'Job', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'Ingress']));
    }
  });

  test('every object that holds no data carries the prune label of the fleet, the quota and limits the fleet adds included', () => {
    // Given a fleet with its own partOf
    const objects = synthFleet({ partOf: 'shops' });
    // Then exactly the objects that are not data holders are in the prune set
    const unlabelled = objects.filter((o) => o.metadata.labels?.[PRUNE_LABEL] !== 'shops').map((o) => o.kind);
    expect(new Set(unlabelled)).toEqual(new Set(objects.map((o) => o.kind).filter((kind) => DATA_HOLDER_KINDS.includes(kind))));
    expect(objects.filter((o) => ['ResourceQuota', 'LimitRange'].includes(o.kind)).map((o) => o.metadata.labels?.[PRUNE_LABEL])).toEqual(Array(6).fill('shops'));
  });

  test('no two objects share kind, namespace and name', () => {
    const keys = synthFleet().map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(keys.length).toBeGreaterThan(60);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('the fleet-wide internet egress reaches every site', () => {
    // Given a fleet whose sites may reach only HTTPS on the internet
    const objects = synthFleet({ internetEgress: { ports: [443] } });
    // Then every site's internet policy opens 443 alone
    for (const site of ['bakery', 'florist', 'grocer']) {
      const policy = find(objects, 'NetworkPolicy', `${site}-web-internet-out`);
      expect(policy.spec.egress.flatMap((rule: any) => rule.ports.map((port: any) => port.port))).toEqual([443]);
    }
  });

  test('the fleet-wide web sources reach every site', () => {
    // Given a fleet behind ingress-nginx
    const objects = synthFleet({ httpFrom: { namespaces: ['ingress-nginx'] } });
    // Then every site's web port admits that namespace alone
    for (const site of ['bakery', 'florist', 'grocer']) {
      expect(find(objects, 'NetworkPolicy', `${site}-web-http-in`).spec.ingress[0].from)
        .toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }]);
    }
  });

  test('turning the internet egress off removes every site\'s internet policy', () => {
    const objects = synthFleet({ allowInternetEgress: false });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name.endsWith('-web-internet-out'))).toEqual([]);
  });

  test('sites are ordered by name, and the ingress callback sees a stable 1-based position', () => {
    const seen: string[] = [];
    synthFleet({ ingressFor: (site, position) => { seen.push(`${position}:${site.name}`); return {}; } });
    expect(seen).toEqual(['1:bakery', '2:florist', '3:grocer']);
  });

  test('each quota leaves room for the site\'s own pods at their peak', () => {
    const objects = synthFleet();
    const quota = objects.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === 'florist')!;
    // florist: MySQL 1 pod + WordPress up to 6 (HPA max 3 x 2) + 1 surge + the credentials and update-db Jobs + the backup = 11 pods, 20% headroom
    expect(quota.spec.hard.pods).toBe(Math.ceil(11 * 1.2));
    // the database, the content and the backups
    expect(quota.spec.hard['persistentvolumeclaims']).toBe(3);
    expect(quota.spec.hard['services.loadbalancers']).toBe(0);
    // large: MySQL requests 500m, WordPress 250m x 7, credentials Job 10m, update-db Job 50m, backup 100m
    expect(quota.spec.hard['requests.cpu']).toBe(`${Math.ceil((0.5 + 0.25 * 7 + 0.01 + 0.05 + 0.1) * 1.2 * 1000)}m`);
  });

  test('quotaHeadroomPercent scales every quota over what the site can hold', () => {
    // Given no headroom, then 50%
    const quota = (percent: number) => synthFleet({ quotaHeadroomPercent: percent })
      .find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === 'grocer')!.spec.hard;
    // Then grocer (small: MySQL 1 pod + WordPress 1 pod + the credentials and update-db Jobs + the backup = 5 pods; 100m + 50m + 10m + 50m + 100m CPU) scales by it
    expect(quota(0).pods).toBe(5);
    expect(quota(50).pods).toBe(Math.ceil(5 * 1.5));
    expect(quota(0)['requests.cpu']).toBe('310m');
    expect(quota(50)['requests.cpu']).toBe('465m');
  });

  test('a site can run a fixed number of replicas: no autoscaler, and a quota for exactly those pods', () => {
    // Given a site with 3 replicas on EFS and autoscaling off
    const objects = synthFleet({ sites: [{ name: 'shop', hosts: ['shop.example.com'], replicas: 3, contentStorageClassName: 'efs', autoscaling: false }], quotaHeadroomPercent: 0 });
    // Then the Deployment keeps 3 pods, no HPA exists, and the quota holds MySQL + 3 pods + 1 surge + the credentials and update-db Jobs + the backup
    expect(find(objects, 'Deployment').spec.replicas).toBe(3);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    expect(find(objects, 'ResourceQuota').spec.hard.pods).toBe(8);
  });

  test('each namespace has a LimitRange with small container defaults', () => {
    const limits = find(synthFleet().filter((o) => o.metadata.namespace === 'bakery'), 'LimitRange', 'bakery');
    expect(limits.spec).toEqual({
      limits: [{
        type: 'Container',
        defaultRequest: { cpu: '50m', memory: '64Mi' },
        default: { cpu: '250m', memory: '256Mi' },
      }],
    });
  });

  test('Platform.eks storage classes apply to fleet sites: content for several replicas, and the database', () => {
    // Given an EKS platform with both classes, and a site with 2 replicas and no class of its own
    const objects = synthFleet({
      platform: Platform.eks({ contentStorageClassName: 'efs-wordpress', databaseStorageClassName: 'gp3-encrypted', alb: false }),
      sites: [{ name: 'shop', hosts: ['shop.example.com'], replicas: 2 }],
    });
    // Then the content claim is ReadWriteMany on EFS and the database on gp3
    expect(find(objects, 'PersistentVolumeClaim', 'shop-content').spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'efs-wordpress' });
    expect(find(objects, 'StatefulSet').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('gp3-encrypted');
  });

  test('a site\'s own storage classes win over the platform\'s', () => {
    const objects = synthFleet({
      platform: Platform.eks({ contentStorageClassName: 'efs-wordpress', databaseStorageClassName: 'gp3-encrypted', alb: false }),
      sites: [{ name: 'shop', hosts: ['shop.example.com'], replicas: 2, contentStorageClassName: 'nfs', databaseStorageClassName: 'io2' }],
    });
    expect(find(objects, 'PersistentVolumeClaim', 'shop-content').spec.storageClassName).toBe('nfs');
    expect(find(objects, 'StatefulSet').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('io2');
  });

  test('a shared ALB with a certificate per site redirects every site to HTTPS', () => {
    const objects = synthFleet({
      platform: Platform.eks(),
      sharedAlb: { groupName: 'shops' },
      sites: [{ name: 'a', hosts: ['a.example.com'], certificateArn: CERT(1) }, { name: 'b', hosts: ['b.example.com'], certificateArn: CERT(2) }],
    });
    const annotations = objects.filter((o) => o.kind === 'Ingress').map((o) => o.metadata.annotations!);
    expect(annotations.map((a) => a['alb.ingress.kubernetes.io/ssl-redirect'])).toEqual(['443', '443']);
    expect(annotations.map((a) => a['alb.ingress.kubernetes.io/certificate-arn'])).toEqual([CERT(1), CERT(2)]);
    expect(annotations.map((a) => a['alb.ingress.kubernetes.io/group.order'])).toEqual(['1', '2']);
  });

  test('with sslRedirect: false a site without certificate may share the ALB with sites that have one', () => {
    const objects = synthFleet({
      platform: Platform.eks(),
      sharedAlb: { groupName: 'shops', options: { sslRedirect: false } },
      sites: [{ name: 'a', hosts: ['a.example.com'], certificateArn: CERT(1) }, { name: 'b', hosts: ['b.example.com'] }],
    });
    const annotations = objects.filter((o) => o.kind === 'Ingress').map((o) => o.metadata.annotations!);
    expect(annotations.map((a) => a['alb.ingress.kubernetes.io/ssl-redirect'])).toEqual([undefined, undefined]);
    expect(annotations.map((a) => a['alb.ingress.kubernetes.io/listen-ports'])).toEqual(['[{"HTTP":80},{"HTTPS":443}]', '[{"HTTP":80}]']);
  });

  test('a site\'s own Ingress annotations are added to the shared ALB ones, not in their place', () => {
    const objects = synthFleet({
      platform: Platform.eks(),
      sharedAlb: { groupName: 'shops' },
      sites: [{ name: 'a', hosts: ['a.example.com'], ingress: { annotations: { 'example.com/owner': 'team-a' } } }],
    });
    expect(find(objects, 'Ingress').metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/group.name': 'shops',
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'example.com/owner': 'team-a',
    });
  });

  describe('metrics', () => {
    const exporters = (objects: Manifest[], site: string) => objects.filter((o) => o.metadata.namespace === site && /StatefulSet|Deployment/.test(o.kind))
      .flatMap((w) => w.spec.template.spec.containers.map((c: any) => c.name)).filter((name: string) => name.endsWith('-exporter'));

    test('the fleet\'s metrics reach every site; a site may replace them or opt out', () => {
      // Given fleet metrics, a site with its own scraper namespaces and a site without metrics
      const objects = synthFleet({
        metrics: { scraperNamespaces: ['monitoring', 'observability'] },
        sites: [SITES[0], { ...SITES[1], metrics: { scraperNamespaces: ['prometheus'] } }, { ...SITES[2], metrics: false }],
      });
      // Then grocer has the fleet's, bakery its own and florist none
      expect(exporters(objects, 'grocer')).toEqual(['mysqld-exporter', 'apache-exporter']);
      expect(exporters(objects, 'bakery')).toEqual(['mysqld-exporter', 'apache-exporter']);
      expect(exporters(objects, 'florist')).toEqual([]);
      const peers = (site: string) => find(objects, 'NetworkPolicy', `${site}-web-metrics-in`).spec.ingress[0].from
        .map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
      expect(peers('grocer')).toEqual(['monitoring', 'observability']);
      expect(peers('bakery')).toEqual(['prometheus']);
      expect(objects.filter((o) => o.metadata.name === 'florist-web-metrics-in')).toEqual([]);
    });

    test('no metrics unless asked for', () => {
      expect(SITES.flatMap((site) => exporters(synthFleet(), site.name))).toEqual([]);
    });

    test('the quota makes room for the exporters', () => {
      const cpu = (objects: Manifest[]) => find(objects, 'ResourceQuota', 'grocer').spec.hard['requests.cpu'];
      expect(cpu(synthFleet({ metrics: {} }))).not.toEqual(cpu(synthFleet()));
    });
  });

  describe('rejects bad input before anything is written', () => {
    const cases: (RejectionCase & { fleet: Partial<WordPressFleetProps> & { sites: FleetSite[] } })[] = [
      { name: 'two sites with one name', fleet: { sites: [{ name: 'a', hosts: ['a.example.com'] }, { name: 'a', hosts: ['b.example.com'] }] }, prop: 'sites[1].name', value: 'a', allowed: 'a name no other site has (sites[0] is also "a")' },
      { name: 'an upper-case site name', fleet: { sites: [{ name: 'Shop', hosts: ['a.example.com'] }] }, prop: 'sites[0].name', value: 'Shop', allowed: 'a DNS-1123 label of at most 40 characters' },
      { name: 'a host two sites share', fleet: { sites: [{ name: 'a', hosts: ['x.example.com'] }, { name: 'b', hosts: ['x.example.com'] }] }, prop: 'sites[1].hosts', value: 'x.example.com', allowed: 'host names no other site uses (site "a" has it)' },
      { name: 'a site without hosts', fleet: { sites: [{ name: 'a', hosts: [] }] }, prop: 'sites[0].hosts', value: [], allowed: 'at least one host name' },
      { name: 'an IP address as host', fleet: { sites: [{ name: 'a', hosts: ['a.example.com', '198.51.100.7'] }] }, prop: 'sites[0].hosts[1]', value: '198.51.100.7', allowed: 'not an IP address' },
      { name: 'a host listed twice on one site', fleet: { sites: [{ name: 'a', hosts: ['a.example.com', 'a.example.com'] }] }, prop: 'sites[0].hosts[1]', value: 'a.example.com', allowed: 'sites[0].hosts[0] is also "a.example.com"' },
      { name: 'several replicas without any ReadWriteMany class', fleet: { sites: [{ name: 'a', hosts: ['a.example.com'], replicas: 2 }] }, prop: 'sites[0].contentStorageClassName', value: undefined, allowed: 'a ReadWriteMany StorageClass (such as EFS) when replicas is 2, here or as Platform.eks({ contentStorageClassName })' },
      { name: 'an unknown size', fleet: { sites: [{ name: 'a', hosts: ['a.example.com'], size: 'huge' as any }] }, prop: 'sites[0].size', value: 'huge', allowed: 'one of small, medium, large' },
      { name: 'no sites', fleet: { sites: [] }, prop: 'sites', value: [], allowed: 'a list of at least one site' },
      { name: 'a bad scraper namespace on one site', fleet: { sites: [{ name: 'a', hosts: ['a.example.com'] }, { name: 'b', hosts: ['b.example.com'], metrics: { scraperNamespaces: ['Mon'] } }] }, prop: 'sites[1].metrics.scraperNamespaces[0]', value: 'Mon', allowed: 'DNS-1123' },
      { name: 'a bad request metrics source for the fleet', fleet: { sites: [{ name: 'a', hosts: ['a.example.com'] }], metrics: { requestMetrics: 'alb' as any } }, prop: 'metrics.requestMetrics', value: 'alb', allowed: 'one of ingress-nginx, none' },
      {
        name: 'fleet metrics on a site whose database is outside the cluster',
        fleet: { metrics: {}, sites: [{ name: 'a', hosts: ['a.example.com'], externalDatabase: { host: 'a.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com', databaseName: 'a' } as any }] },
        prop: 'metrics', value: {}, allowed: 'set sites[0].metrics to false',
      },
      { name: 'a negative quota headroom', fleet: { sites: [{ name: 'a', hosts: ['a.example.com'] }], quotaHeadroomPercent: -1 }, prop: 'quota.headroomPercent', value: -1, allowed: 'an integer from 0 to 500' },
      {
        name: 'a site without certificate beside one with a certificate on the shared ALB (the redirect is group-wide)',
        fleet: { platform: Platform.eks(), sharedAlb: {}, sites: [{ name: 'a', hosts: ['a.example.com'], certificateArn: CERT(1) }, { name: 'b', hosts: ['b.example.com'] }] },
        prop: 'sites[1].certificateArn', value: undefined, allowed: 'sites[0] "a" has one, and its HTTP-to-HTTPS redirect applies to every site of the shared ALB',
      },
      {
        name: 'ingressFor giving the sites of one IngressGroup different schemes',
        fleet: {
          platform: Platform.eks(),
          sites: [{ name: 'a', hosts: ['a.example.com'] }, { name: 'b', hosts: ['b.example.com'] }],
          ingressFor: (_site, position) => ({ annotations: { 'alb.ingress.kubernetes.io/group.name': 'g', 'alb.ingress.kubernetes.io/scheme': position === 1 ? 'internal' : 'internet-facing' } }),
        },
        prop: 'sites[1].ingress.annotations.alb.ingress.kubernetes.io/scheme', value: 'internet-facing', allowed: '"internal", as on sites[0].ingress: alb.ingress.kubernetes.io/scheme applies to the whole ALB of IngressGroup "g"',
      },
    ];
    test.each(cases)('$name', ({ fleet, ...expected }) => {
      expectRejected(rejectionOf((app) => new WordPressFleet(app, fleet)), expected);
    });
  });
});
