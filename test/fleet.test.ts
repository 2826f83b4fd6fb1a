import { Testing } from 'cdk8s';
import { FleetSite, WordPressFleet, WordPressFleetProps } from '../charts/wordpress-fleet';
import { Manifest } from './helpers';

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

  test('no two objects share kind, namespace and name', () => {
    const keys = synthFleet().map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(keys.length).toBeGreaterThan(60);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('sites are ordered by name, and the ingress callback sees a stable 1-based position', () => {
    const seen: string[] = [];
    synthFleet({ ingressFor: (site, position) => { seen.push(`${position}:${site.name}`); return {}; } });
    expect(seen).toEqual(['1:bakery', '2:florist', '3:grocer']);
  });

  test('each quota leaves room for the site\'s own pods at their peak', () => {
    const objects = synthFleet();
    const quota = objects.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === 'florist')!;
    // florist: MySQL 1 pod + WordPress up to 6 (HPA max 3 x 2) + 1 surge + the credentials Job = 9 pods, 20% headroom
    expect(quota.spec.hard.pods).toBe(Math.ceil(9 * 1.2));
    expect(quota.spec.hard['persistentvolumeclaims']).toBe(2);
    expect(quota.spec.hard['services.loadbalancers']).toBe(0);
    // large: MySQL requests 500m, WordPress 250m x 7, Job 10m
    expect(quota.spec.hard['requests.cpu']).toBe(`${Math.ceil((0.5 + 0.25 * 7 + 0.01) * 1.2 * 1000)}m`);
  });

  test.each([
    [[{ name: 'a', hosts: ['a.example.com'] }, { name: 'a', hosts: ['b.example.com'] }], 'Invalid sites[1].name: "a". Allowed: a name no other site has (sites[0] is also "a")'],
    [[{ name: 'Shop', hosts: ['a.example.com'] }], 'Invalid sites[0].name: "Shop". Allowed: a DNS-1123 label of at most 40 characters'],
    [[{ name: 'a', hosts: ['x.example.com'] }, { name: 'b', hosts: ['x.example.com'] }], 'Invalid sites[1].hosts: "x.example.com". Allowed: host names no other site uses (site "a" has it)'],
    [[{ name: 'a', hosts: [] }], 'Invalid sites[0].hosts: []. Allowed: at least one host name'],
    [[{ name: 'a', hosts: ['a.example.com'], replicas: 2 }], 'Invalid sites[0].contentStorageClassName: undefined. Allowed: a ReadWriteMany StorageClass'],
    [[{ name: 'a', hosts: ['a.example.com'], size: 'huge' }], 'Invalid sites[0].size: "huge". Allowed: one of small, medium, large'],
    [[], 'Invalid sites: []. Allowed: a list of at least one site'],
  ])('rejects %j', (sites, message) => {
    expect(() => new WordPressFleet(Testing.app(), { sites: sites as FleetSite[] })).toThrow(message);
  });
});
