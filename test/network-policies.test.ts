import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdk8s';
import { buildDefaultApp } from '../src/app';
import { loadAppConfig } from '../src/config/load-app-config';
import { WordPressChart, WordPressChartProps } from '../charts/wordpress-chart';
import { WorkloadIdentity } from '../src/eks/iam/irsa-and-pod-identity';
import { Platform } from '../src/eks/platform';
import { formatCidr, isStrictSubset, parseCidr } from '../src/common/cidr';
import { DEFAULT_EXCLUDED_CIDRS } from '../src/network/internet-egress';
import { all, find, Manifest } from './helpers';
import { validationErrors } from './support/validity';

const ROLE = 'arn:aws:iam::123456789012:role/site';

function synthChart(props: WordPressChartProps = {}): Manifest[] {
  return Testing.synth(new WordPressChart(Testing.app(), 'site', { ingress: { hosts: ['blog.example.com'] }, ...props })) as Manifest[];
}

/** Whether an address lies in an ipBlock: inside its cidr, outside every `except`. */
function inBlock(address: string, block: { cidr: string; except?: string[] }): boolean {
  const host = parseCidr('address', address.includes(':') ? `${address}/128` : `${address}/32`);
  const inside = (range: string) => isStrictSubset(host, parseCidr('range', range)) || formatCidr(host) === range;
  return inside(block.cidr) && !(block.except ?? []).some(inside);
}

/**
 * Whether the WordPress pods may open a TCP connection to `address:port` under the chart's
 * NetworkPolicies. Pod-selector peers are pods of the namespace, never an arbitrary address.
 */
function wordpressReaches(objects: Manifest[], address: string, port: number): boolean {
  const wordpressLabels = find(objects, 'Deployment').spec.template.metadata.labels;
  return all(objects, 'NetworkPolicy')
    .filter((p) => p.spec.policyTypes.includes('Egress'))
    .filter((p) => Object.entries(p.spec.podSelector.matchLabels ?? {}).every(([k, v]) => wordpressLabels[k] === v))
    .flatMap((p) => p.spec.egress ?? [])
    .some((rule: any) => (rule.ports ?? []).some((p: any) => p.protocol === 'TCP' && p.port === port)
      && (rule.to === undefined || rule.to.some((peer: any) => peer.ipBlock && inBlock(address, peer.ipBlock))));
}

describe('WordPress internet egress', () => {
  const defaults = synthChart();
  test.each([
    { what: 'a public web server', address: '203.0.113.10', port: 443, reachable: true },
    { what: 'a public web server over HTTP', address: '198.51.100.7', port: 80, reachable: true },
    { what: 'a public IPv6 web server', address: '2001:db8::10', port: 443, reachable: true },
    { what: 'a public IPv4 server through NAT64', address: '64:ff9b::cb00:710a', port: 443, reachable: true },
    { what: 'a public server on another port', address: '203.0.113.10', port: 22, reachable: false },
    { what: 'the instance metadata service', address: '169.254.169.254', port: 80, reachable: false },
    { what: 'the instance metadata service over IPv6', address: 'fd00:ec2::254', port: 80, reachable: false },
    { what: 'the instance metadata service through NAT64', address: '64:ff9b::a9fe:a9fe', port: 80, reachable: false },
    { what: 'the Pod Identity agent, without an identity', address: '169.254.170.23', port: 80, reachable: false },
    { what: 'the API server in a VPC', address: '10.0.12.34', port: 443, reachable: false },
    { what: 'a pod of another site (kubeadm 172.16/12)', address: '172.17.3.4', port: 80, reachable: false },
    { what: 'a pod of another site (192.168/16)', address: '192.168.3.7', port: 443, reachable: false },
    { what: 'a pod in carrier-grade NAT space (EKS custom networking)', address: '100.64.1.1', port: 443, reachable: false },
    { what: 'an IPv6 Service (unique local)', address: 'fd12:3456::1', port: 443, reachable: false },
    { what: 'an IPv6 link-local address', address: 'fe80::1', port: 80, reachable: false },
  ])('$what ($address:$port): reachable $reachable', ({ address, port, reachable }) => {
    expect(wordpressReaches(defaults, address, port)).toBe(reachable);
  });

  test('the policy is one ipBlock per address family, every except a strict subset, and passes validation', () => {
    // Given the default chart
    const policy = find(defaults, 'NetworkPolicy', 'wordpress-web-internet-out');
    // Then the blocks cover IPv4 and IPv6, the excepts are inside them (the API server refuses others)
    const blocks = policy.spec.egress[0].to.map((peer: any) => peer.ipBlock);
    expect(blocks.map((b: any) => b.cidr)).toEqual(['0.0.0.0/0', '::/0']);
    for (const block of blocks) {
      for (const except of block.except) expect(isStrictSubset(parseCidr('except', except), parseCidr('cidr', block.cidr))).toBe(true);
    }
    // and the IPv4 ranges are excluded at their NAT64 addresses too
    expect(blocks[1].except).toEqual(expect.arrayContaining(['fc00::/7', 'fe80::/10', '64:ff9b::a9fe:0/112', '64:ff9b::a00:0/104']));
    expect(validationErrors(defaults)).toEqual([]);
  });

  test('ports and excluded ranges are configurable', () => {
    // Given HTTPS only, and the default exclusions plus the VPC's public IPv6 range
    const objects = synthChart({ internetEgress: { ports: [443], excludedCidrs: [...DEFAULT_EXCLUDED_CIDRS, '2600:1f18:abcd:ef00::/56'] } });
    // Then HTTP is closed, and the VPC range is excluded as well as the defaults
    expect(wordpressReaches(objects, '203.0.113.10', 80)).toBe(false);
    expect(wordpressReaches(objects, '203.0.113.10', 443)).toBe(true);
    expect(wordpressReaches(objects, '2600:1f18:abcd:ef12::5', 443)).toBe(false);
    expect(wordpressReaches(objects, '169.254.169.254', 443)).toBe(false);
  });

  test('a cluster that needs a private range can leave it out of the exclusions', () => {
    // Given exclusions without 10/8 (say, a proxy in the VPC)
    const objects = synthChart({ internetEgress: { excludedCidrs: DEFAULT_EXCLUDED_CIDRS.filter((c) => c !== '10.0.0.0/8') } });
    // Then 10/8 is reachable, directly and through NAT64, and link-local still is not
    expect(wordpressReaches(objects, '10.1.2.3', 443)).toBe(true);
    expect(wordpressReaches(objects, '64:ff9b::a01:203', 443)).toBe(true);
    expect(wordpressReaches(objects, '169.254.169.254', 80)).toBe(false);
  });

  test('each chart excludes the ranges its own list holds when the lists change between charts', () => {
    // Given one list of exclusions, used by a chart, then changed and used by another
    const excludedCidrs = [...DEFAULT_EXCLUDED_CIDRS];
    const before = synthChart({ internetEgress: { excludedCidrs } });
    excludedCidrs.splice(excludedCidrs.indexOf('10.0.0.0/8'), 1);
    const after = synthChart({ internetEgress: { excludedCidrs } });
    // Then each reaches 10/8 as its list said
    expect(wordpressReaches(before, '10.1.2.3', 443)).toBe(false);
    expect(wordpressReaches(after, '10.1.2.3', 443)).toBe(true);
  });

  test('a list is checked in each chart that uses it, after a valid list gave the same ranges', () => {
    // Given the default ranges, then the same text as one entry
    synthChart({});
    // Then the second is refused
    expect(() => synthChart({ internetEgress: { excludedCidrs: [DEFAULT_EXCLUDED_CIDRS.join(' ')] } })).toThrow('Invalid internetEgress.excludedCidrs[0]');
  });

  test('allowInternetEgress: false still removes the policy', () => {
    const objects = synthChart({ allowInternetEgress: false });
    expect(all(objects, 'NetworkPolicy').map((p) => p.metadata.name)).not.toContain('wordpress-web-internet-out');
    expect(wordpressReaches(objects, '203.0.113.10', 443)).toBe(false);
  });

  test.each([
    { case: 'a malformed range', props: { internetEgress: { excludedCidrs: ['10.0.0.0/8', '10.0.0/8'] } },
      message: 'Invalid internetEgress.excludedCidrs[1]: "10.0.0/8". Allowed: an IPv4 or IPv6 CIDR block' },
    { case: 'a malformed IPv6 range', props: { internetEgress: { excludedCidrs: ['fd00::1::/64'] } },
      message: 'Invalid internetEgress.excludedCidrs[0]: "fd00::1::/64"' },
    { case: 'host bits set', props: { internetEgress: { excludedCidrs: ['10.1.2.3/8'] } },
      message: 'Invalid internetEgress.excludedCidrs[0]: "10.1.2.3/8". Allowed: an IPv4 or IPv6 CIDR block whose address is the network address, such as 203.0.113.0/24 or 2001:db8::/32 (here 10.0.0.0/8)' },
    { case: 'a prefix too long', props: { internetEgress: { excludedCidrs: ['fd00::/129'] } },
      message: 'Invalid internetEgress.excludedCidrs[0]: "fd00::/129"' },
    { case: 'the whole IPv4 space', props: { internetEgress: { excludedCidrs: ['0.0.0.0/0'] } },
      message: 'Invalid internetEgress.excludedCidrs[0]: "0.0.0.0/0". Allowed: a range smaller than the whole address space' },
    { case: 'the whole IPv6 space', props: { internetEgress: { excludedCidrs: ['::/0'] } },
      message: 'Invalid internetEgress.excludedCidrs[0]: "::/0"' },
    { case: 'no ports', props: { internetEgress: { ports: [] } },
      message: 'Invalid internetEgress.ports: []. Allowed: a non-empty list of TCP ports' },
    { case: 'port 0', props: { internetEgress: { ports: [443, 0] } },
      message: 'Invalid internetEgress.ports[1]: 0. Allowed: an integer from 1 to 65535' },
    { case: 'a port twice', props: { internetEgress: { ports: [443, 443] } },
      message: 'Invalid internetEgress.ports: [443,443]. Allowed: distinct ports (443 is listed twice)' },
    { case: 'options for an egress that is off', props: { allowInternetEgress: false, internetEgress: { ports: [443] } },
      message: 'Invalid internetEgress: {"ports":[443]}. Allowed: nothing when allowInternetEgress is false' },
  ])('rejects $case, naming the field', ({ props, message }) => {
    expect(() => synthChart(props as WordPressChartProps)).toThrow(message);
  });
});

describe('WordPress egress with an IAM identity', () => {
  test.each([
    { case: 'internet egress on', allowInternetEgress: true },
    { case: 'internet egress off', allowInternetEgress: false },
  ])('Pod Identity: the agent is reachable on 80, IPv4 and IPv6, and metadata is not ($case)', ({ allowInternetEgress }) => {
    // Given EKS Pod Identity
    const objects = synthChart({ allowInternetEgress, platform: Platform.eks({ wordpressIdentity: WorkloadIdentity.podIdentity(ROLE) }) });
    // Then a policy opens exactly the agent's addresses on port 80
    expect(find(objects, 'NetworkPolicy', 'wordpress-web-identity-out').spec.egress).toEqual([{
      ports: [{ protocol: 'TCP', port: 80 }],
      to: [{ ipBlock: { cidr: '169.254.170.23/32' } }, { ipBlock: { cidr: 'fd00:ec2::23/128' } }],
    }]);
    expect(wordpressReaches(objects, '169.254.170.23', 80)).toBe(true);
    expect(wordpressReaches(objects, 'fd00:ec2::23', 80)).toBe(true);
    expect(wordpressReaches(objects, '169.254.169.254', 80)).toBe(false);
    expect(wordpressReaches(objects, '169.254.170.23', 443)).toBe(false);
    expect(validationErrors(objects)).toEqual([]);
  });

  test('IRSA: STS is reached through the internet egress on 443, and no extra policy is added', () => {
    const objects = synthChart({ platform: Platform.eks({ wordpressIdentity: WorkloadIdentity.irsa(ROLE) }) });
    expect(wordpressReaches(objects, '52.94.0.1', 443)).toBe(true);
    expect(all(objects, 'NetworkPolicy').map((p) => p.metadata.name)).not.toContain('wordpress-web-identity-out');
  });

  test.each([
    { case: 'internet egress off', props: { allowInternetEgress: false },
      message: 'Invalid allowInternetEgress: false. Allowed: true while WordPress has an IAM identity that needs AWS STS (sts.<region>.amazonaws.com) on 443' },
    { case: 'internet egress without 443', props: { internetEgress: { ports: [80] } },
      message: 'Invalid internetEgress.ports: [80]. Allowed: a list including 443: WordPress\'s IAM identity needs AWS STS' },
  ])('IRSA with $case is rejected with a clear message', ({ props, message }) => {
    const platform = Platform.eks({ wordpressIdentity: WorkloadIdentity.irsa(ROLE) });
    expect(() => synthChart({ ...props, platform })).toThrow(message);
  });
});

describe('CIDR blocks', () => {
  test.each([
    { given: '203.0.113.0/24', canonical: '203.0.113.0/24' },
    { given: '0.0.0.0/0', canonical: '0.0.0.0/0' },
    { given: '::/0', canonical: '::/0' },
    { given: 'FD00:EC2::23/128', canonical: 'fd00:ec2::23/128' },
    { given: '2001:0db8:0000:0000:0001:0000:0000:0000/128', canonical: '2001:db8:0:0:1::/128' },
    { given: '::ffff:192.0.2.0/120', canonical: '::ffff:c000:200/120' },
    { given: '1:0:0:1:0:0:0:0/128', canonical: '1:0:0:1::/128' },
  ])('$given is read as $canonical', ({ given, canonical }) => {
    expect(formatCidr(parseCidr('cidr', given))).toBe(canonical);
  });

  test.each([
    { case: 'three octets', given: '10.0.0/8' },
    { case: 'an octet over 255', given: '256.0.0.0/8' },
    { case: 'a leading zero', given: '010.0.0.0/8' },
    { case: 'an IPv4 prefix over 32', given: '10.0.0.0/33' },
    { case: 'a prefix with a leading zero', given: '10.0.0.0/08' },
    { case: 'two ::', given: '1::2::/64' },
    { case: 'nine groups', given: '1:2:3:4:5:6:7:8:9/128' },
    { case: 'a group of five digits', given: '12345::/16' },
    { case: 'no prefix', given: '10.0.0.0' },
  ])('rejects $case', ({ given }) => {
    expect(() => parseCidr('range', given)).toThrow(`Invalid range: "${given}"`);
  });
});

describe('egress settings in the config file', () => {
  let work: string;
  beforeAll(() => { work = mkdtempSync(join(tmpdir(), 'egress-config-')); });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function synthConfig(text: string): Manifest[] {
    const file = join(work, 'site.yaml');
    writeFileSync(file, text);
    return Testing.synth(buildDefaultApp(Testing.app(), loadAppConfig(file)).charts[0]) as Manifest[];
  }

  test('internetEgress and the API server ports can be set in the file', () => {
    // Given a minikube site that allows HTTPS only
    const objects = synthConfig('internetEgress:\n  ports: [443]\ncredentials:\n  apiServerPorts: [8443]\n');
    // Then both reach their NetworkPolicies
    expect(wordpressReaches(objects, '203.0.113.10', 80)).toBe(false);
    expect(wordpressReaches(objects, '203.0.113.10', 443)).toBe(true);
    expect(find(objects, 'NetworkPolicy', 'wordpress-credentials-generator-api-egress').spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 8443 }] }]);
  });

  test('a bad range in the file names its key', () => {
    expect(() => synthConfig('internetEgress:\n  excludedCidrs: [10.0.0.0/33]\n')).toThrow('Invalid internetEgress.excludedCidrs[0]: "10.0.0.0/33"');
  });
});

describe('where requests to the web port may come from (httpFrom)', () => {
  const webIn = (objects: Manifest[]) => find(objects, 'NetworkPolicy', 'wordpress-web-http-in').spec.ingress;

  test('by default any source may reach the web port (the Ingress controller is not known)', () => {
    // Given a chart without httpFrom, then its web policy names no peers
    expect(webIn(synthChart())).toEqual([{ ports: [{ protocol: 'TCP', port: 80 }] }]);
  });

  test('an Ingress controller namespace and a load balancer range become the only peers', () => {
    // Given ingress-nginx in the cluster and an ALB in the VPC
    const objects = synthChart({ httpFrom: { namespaces: ['ingress-nginx'], cidrs: ['10.0.0.0/16'] } });
    // Then the web port admits those two, and the output stays valid
    expect(webIn(objects)).toEqual([{
      ports: [{ protocol: 'TCP', port: 80 }],
      from: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
        { ipBlock: { cidr: '10.0.0.0/16' } },
      ],
    }]);
    expect(validationErrors(objects)).toEqual([]);
  });

  test.each([
    { name: 'no entries (it would admit nothing)', httpFrom: {}, message: 'Invalid httpFrom: {}. Allowed: at least one entry in namespaces or cidrs' },
    { name: 'a bad namespace', httpFrom: { namespaces: ['Ingress_Nginx'] }, message: 'Invalid httpFrom.namespaces[0]: "Ingress_Nginx"' },
    { name: 'a bad range', httpFrom: { cidrs: ['10.0.0.0/33'] }, message: 'Invalid httpFrom.cidrs[0]: "10.0.0.0/33"' },
  ])('refuses $name, naming the field', ({ httpFrom, message }) => {
    expect(() => synthChart({ httpFrom })).toThrow(message);
  });

  test('the config file sets it too', () => {
    // Given a config file naming the Ingress controller's namespace
    const work = mkdtempSync(join(tmpdir(), 'http-from-'));
    try {
      const file = join(work, 'site.yaml');
      writeFileSync(file, 'httpFrom:\n  namespaces: [ingress-nginx]\n');
      const objects = Testing.synth(buildDefaultApp(Testing.app(), loadAppConfig(file)).charts[0]) as Manifest[];
      // Then the web port admits that namespace only
      expect(webIn(objects)[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
