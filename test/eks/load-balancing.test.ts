import { Testing } from 'cdk8s';
import { WordPressChart } from '../../charts/wordpress-chart';
import { AlbIngressOptions, albIngress, albIngressAnnotations } from '../../src/eks/load-balancing/alb-ingress';
import { checkAlbGroupsConsistent } from '../../src/eks/load-balancing/alb-ingress-group';
import { NlbServiceOptions, nlbLoadBalancer } from '../../src/eks/load-balancing/nlb-service';
import { Platform } from '../../src/eks/platform';
import { expectRejected, rejectionOf, RejectionCase } from '../support/rejection';

const HOSTS = { hosts: ['blog.example.com'] };

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const WAF = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/wordpress/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

describe('ALB Ingress options', () => {
  test('defaults: internet-facing, ip targets, HTTP 80, WordPress health check', () => {
    expect(albIngressAnnotations()).toEqual({
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80}]',
      'alb.ingress.kubernetes.io/healthcheck-path': '/wp-login.php',
      'alb.ingress.kubernetes.io/healthcheck-protocol': 'HTTP',
      'alb.ingress.kubernetes.io/healthcheck-port': 'traffic-port',
      'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '10',
      'alb.ingress.kubernetes.io/healthcheck-timeout-seconds': '5',
      'alb.ingress.kubernetes.io/healthy-threshold-count': '2',
      'alb.ingress.kubernetes.io/unhealthy-threshold-count': '3',
      'alb.ingress.kubernetes.io/success-codes': '200-399',
      'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
    });
  });

  test('TLS with redirect, shared group, WAF, attributes, tags and name', () => {
    const annotations = albIngressAnnotations({
      scheme: 'internal',
      certificateArns: [CERT],
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      group: { name: 'shared.sites', order: 10 },
      wafv2AclArn: WAF,
      loadBalancerAttributes: { 'idle_timeout.timeout_seconds': 60, 'routing.http2.enabled': true },
      tags: { team: 'web', env: 'prod' },
      loadBalancerName: 'wordpress-prod',
      extraAnnotations: { 'alb.ingress.kubernetes.io/ip-address-type': 'dualstack' },
    });
    expect(annotations).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
      'alb.ingress.kubernetes.io/certificate-arn': CERT,
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      'alb.ingress.kubernetes.io/group.name': 'shared.sites',
      'alb.ingress.kubernetes.io/group.order': '10',
      'alb.ingress.kubernetes.io/wafv2-acl-arn': WAF,
      'alb.ingress.kubernetes.io/load-balancer-attributes': 'idle_timeout.timeout_seconds=60,routing.http2.enabled=true',
      'alb.ingress.kubernetes.io/tags': 'team=web,env=prod',
      'alb.ingress.kubernetes.io/load-balancer-name': 'wordpress-prod',
      'alb.ingress.kubernetes.io/ip-address-type': 'dualstack',
    });
    expect(albIngress({}, ['a.example.com'])).toMatchObject({ className: 'alb', hosts: ['a.example.com'] });
  });

  test('health check thresholds, timing, port and codes reach their annotations', () => {
    const annotations = albIngressAnnotations({
      healthCheck: { path: '/healthz', protocol: 'HTTPS', port: 8443, intervalSeconds: 30, timeoutSeconds: 10, healthyThresholdCount: 3, unhealthyThresholdCount: 5, successCodes: '200,302' },
    });
    expect(annotations).toMatchObject({
      'alb.ingress.kubernetes.io/healthcheck-path': '/healthz',
      'alb.ingress.kubernetes.io/healthcheck-protocol': 'HTTPS',
      'alb.ingress.kubernetes.io/healthcheck-port': '8443',
      'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '30',
      'alb.ingress.kubernetes.io/healthcheck-timeout-seconds': '10',
      'alb.ingress.kubernetes.io/healthy-threshold-count': '3',
      'alb.ingress.kubernetes.io/unhealthy-threshold-count': '5',
      'alb.ingress.kubernetes.io/success-codes': '200,302',
    });
  });

  describe('rejects bad input before anything is written', () => {
    const cases: (RejectionCase & { alb: AlbIngressOptions })[] = [
      { name: 'an unknown scheme', alb: { scheme: 'public' as any }, prop: 'alb.scheme', value: 'public', allowed: 'one of internal, internet-facing' },
      { name: 'an unknown target type', alb: { targetType: 'pod' as any }, prop: 'alb.targetType', value: 'pod', allowed: 'one of ip, instance' },
      { name: 'a certificate ARN with a short account', alb: { certificateArns: ['arn:aws:acm:eu-west-1:12345:certificate/x'] }, prop: 'alb.certificateArns[0]', value: 'arn:aws:acm:eu-west-1:12345:certificate/x', allowed: 'an ACM certificate ARN' },
      { name: 'listen port 0', alb: { listenPorts: [{ protocol: 'HTTP', port: 0 }] }, prop: 'alb.listenPorts[0].port', value: 0, allowed: 'an integer from 1 to 65535' },
      { name: 'a TCP listener', alb: { listenPorts: [{ protocol: 'TCP' as any, port: 80 }] }, prop: 'alb.listenPorts[0].protocol', value: 'TCP', allowed: 'one of HTTP, HTTPS' },
      { name: 'two listeners on one port', alb: { listenPorts: [{ protocol: 'HTTP', port: 80 }, { protocol: 'HTTP', port: 80 }] }, prop: 'alb.listenPorts[1].port', value: 80, allowed: 'a port no other listener uses' },
      { name: 'HTTPS without certificate', alb: { listenPorts: [{ protocol: 'HTTPS', port: 443 }] }, prop: 'alb.certificateArns', value: undefined, allowed: 'at least one ACM certificate ARN when a listener is HTTPS' },
      { name: 'a redirect to a port without HTTPS listener', alb: { certificateArns: [CERT], sslRedirect: 8443 }, prop: 'alb.sslRedirect', value: 8443, allowed: 'one of the HTTPS listen ports (443)' },
      { name: 'a redirect without any HTTPS listener', alb: { sslRedirect: 443 }, prop: 'alb.sslRedirect', value: 443, allowed: 'one of the HTTPS listen ports (none)' },
      { name: 'an SSL policy that is not an ELB policy name', alb: { sslPolicy: 'TLS1.2' }, prop: 'alb.sslPolicy', value: 'TLS1.2', allowed: 'an ELB security policy name' },
      { name: 'success codes as a class', alb: { healthCheck: { successCodes: '2xx' } }, prop: 'alb.healthCheck.successCodes', value: '2xx', allowed: 'HTTP codes such as 200' },
      { name: 'a timeout not under the interval', alb: { healthCheck: { intervalSeconds: 5, timeoutSeconds: 5 } }, prop: 'alb.healthCheck.timeoutSeconds', value: 5, allowed: 'less than intervalSeconds (5)' },
      { name: 'a relative health check path', alb: { healthCheck: { path: 'wp-login.php' } }, prop: 'alb.healthCheck.path', value: 'wp-login.php', allowed: 'an absolute URL path' },
      { name: 'a healthy threshold of 1', alb: { healthCheck: { healthyThresholdCount: 1 } }, prop: 'alb.healthCheck.healthyThresholdCount', value: 1, allowed: 'an integer from 2 to 10' },
      { name: 'an unhealthy threshold of 11', alb: { healthCheck: { unhealthyThresholdCount: 11 } }, prop: 'alb.healthCheck.unhealthyThresholdCount', value: 11, allowed: 'an integer from 2 to 10' },
      { name: 'an upper-case group name', alb: { group: { name: 'Shared' } }, prop: 'alb.group.name', value: 'Shared', allowed: 'at most 63 lower-case letters' },
      { name: 'a group order over 1000', alb: { group: { name: 'shared', order: 1001 } }, prop: 'alb.group.order', value: 1001, allowed: 'an integer from -1000 to 1000' },
      { name: 'a global WAF ACL', alb: { wafv2AclArn: 'arn:aws:wafv2:eu-west-1:123456789012:global/webacl/x/y' }, prop: 'alb.wafv2AclArn', value: 'arn:aws:wafv2:eu-west-1:123456789012:global/webacl/x/y', allowed: 'a regional WAFv2 web ACL ARN' },
      { name: 'a load balancer name over 32 characters', alb: { loadBalancerName: 'a'.repeat(33) }, prop: 'alb.loadBalancerName', value: 'a'.repeat(33), allowed: 'at most 32 letters, digits and hyphens' },
      { name: 'a comma in a tag value', alb: { tags: { team: 'a,b' } }, prop: 'alb.tags.team', value: 'a,b', allowed: 'without "," or "="' },
      { name: 'an invalid extra annotation key', alb: { extraAnnotations: { 'bad key!': 'x' } }, prop: 'alb.extraAnnotations.bad key!', value: 'bad key!', allowed: 'an annotation key' },
      { name: 'an extra annotation overriding a typed one', alb: { extraAnnotations: { 'alb.ingress.kubernetes.io/scheme': 'internal' } }, prop: 'alb.extraAnnotations.alb.ingress.kubernetes.io/scheme', value: 'internal', allowed: 'a key the typed options do not set' },
    ];
    test.each(cases)('$name', ({ alb, ...expected }) => {
      expectRejected(rejectionOf((app) => new WordPressChart(app, 'site', { ingress: HOSTS, platform: Platform.eks({ alb }) })), expected);
    });
  });
});

describe('NLB Service options', () => {
  test('external type with ip targets by default, TLS on 443 with certificates', () => {
    const options = nlbLoadBalancer({ certificateArns: [CERT], sourceRanges: ['203.0.113.0/24'], name: 'wp-nlb' });
    expect(options.loadBalancerClass).toBeUndefined();
    expect(options.port).toBe(443);
    expect(options.sourceRanges).toEqual(['203.0.113.0/24']);
    expect(options.annotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': CERT,
      'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',
      'service.beta.kubernetes.io/aws-load-balancer-backend-protocol': 'tcp',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'tcp',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': 'traffic-port',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-timeout': '6',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '2',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',
      'service.beta.kubernetes.io/aws-load-balancer-name': 'wp-nlb',
      'service.beta.kubernetes.io/aws-load-balancer-ip-address-type': 'ipv4',
    });
  });

  test('loadBalancerClass mode sets the class and no type annotation', () => {
    const options = nlbLoadBalancer({ mode: 'loadBalancerClass', healthCheck: { protocol: 'http', path: '/wp-login.php' } });
    expect(options.loadBalancerClass).toBe('service.k8s.aws/nlb');
    expect(options.annotations!['service.beta.kubernetes.io/aws-load-balancer-type']).toBeUndefined();
    expect(options.annotations!['service.beta.kubernetes.io/aws-load-balancer-healthcheck-path']).toBe('/wp-login.php');
  });

  test('health check thresholds, interval and timeout reach their annotations', () => {
    const annotations = nlbLoadBalancer({ healthCheck: { protocol: 'http', port: 8080, path: '/wp-login.php', intervalSeconds: 30, timeoutSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 4 } }).annotations;
    expect(annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '8080',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/wp-login.php',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '30',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-timeout': '10',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold': '3',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '4',
    });
  });

  test('sourceRanges end up as the Service\'s loadBalancerSourceRanges', () => {
    const objects = new WordPressChart(Testing.app(), 'site', { ingress: false, platform: Platform.eks({ alb: false, nlb: { sourceRanges: ['203.0.113.0/24'] } }) });
    const service = (Testing.synth(objects) as any[]).find((o) => o.kind === 'Service' && o.metadata.name === 'wordpress-public');
    expect(service.spec.loadBalancerSourceRanges).toEqual(['203.0.113.0/24']);
  });

  describe('rejects bad input before anything is written', () => {
    const cases: (RejectionCase & { nlb: NlbServiceOptions })[] = [
      { name: 'an unknown mode', nlb: { mode: 'nlb' as any }, prop: 'nlb.mode', value: 'nlb', allowed: 'one of loadBalancerClass, external' },
      { name: 'a capitalised scheme', nlb: { scheme: 'Internal' as any }, prop: 'nlb.scheme', value: 'Internal', allowed: 'one of internal, internet-facing' },
      { name: 'an HTTP backend', nlb: { backendProtocol: 'http' as any }, prop: 'nlb.backendProtocol', value: 'http', allowed: 'one of tcp, ssl' },
      { name: 'TLS ports without certificates', nlb: { sslPorts: [443] }, prop: 'nlb.sslPorts', value: [443], allowed: 'only together with certificateArns' },
      { name: 'TLS ports without the Service port', nlb: { certificateArns: [CERT], port: 443, sslPorts: [8443] }, prop: 'nlb.sslPorts', value: [8443], allowed: 'a list containing the Service port 443' },
      { name: 'a path on a TCP health check', nlb: { healthCheck: { path: '/x' } }, prop: 'nlb.healthCheck.path', value: '/x', allowed: 'an absolute path, with protocol http or https' },
      { name: 'a 1-second interval', nlb: { healthCheck: { intervalSeconds: 1 } }, prop: 'nlb.healthCheck.intervalSeconds', value: 1, allowed: 'an integer from 5 to 300' },
      { name: 'a healthy threshold of 1', nlb: { healthCheck: { healthyThreshold: 1 } }, prop: 'nlb.healthCheck.healthyThreshold', value: 1, allowed: 'an integer from 2 to 10' },
      { name: 'an unhealthy threshold of 11', nlb: { healthCheck: { unhealthyThreshold: 11 } }, prop: 'nlb.healthCheck.unhealthyThreshold', value: 11, allowed: 'an integer from 2 to 10' },
      { name: 'a source range without prefix length', nlb: { sourceRanges: ['0.0.0.0'] }, prop: 'nlb.sourceRanges[0]', value: '0.0.0.0', allowed: 'an IPv4 or IPv6 CIDR block' },
      { name: 'ipv6 only', nlb: { ipAddressType: 'ipv6' as any }, prop: 'nlb.ipAddressType', value: 'ipv6', allowed: 'one of ipv4, dualstack' },
      { name: 'a name starting with a dash', nlb: { name: '-bad' }, prop: 'nlb.name', value: '-bad', allowed: 'not starting or ending with a hyphen' },
    ];
    test.each(cases)('$name', ({ nlb, ...expected }) => {
      expectRejected(rejectionOf((app) => new WordPressChart(app, 'site', { ingress: false, platform: Platform.eks({ alb: false, nlb }) })), expected);
    });
  });
});

describe('ALB IngressGroups', () => {
  const member = (prop: string, annotations: Record<string, string>) => ({ prop, annotations: { 'alb.ingress.kubernetes.io/group.name': 'g', ...annotations } });

  test('Ingresses that agree on every group-wide annotation pass; per-Ingress ones may differ', () => {
    expect(() => checkAlbGroupsConsistent([
      member('a', { 'alb.ingress.kubernetes.io/scheme': 'internal', 'alb.ingress.kubernetes.io/healthcheck-path': '/a' }),
      member('b', { 'alb.ingress.kubernetes.io/scheme': 'internal', 'alb.ingress.kubernetes.io/healthcheck-path': '/b' }),
      { prop: 'other-group-less', annotations: { 'alb.ingress.kubernetes.io/scheme': 'internet-facing' } },
    ])).not.toThrow();
  });

  test('an ssl-redirect on one Ingress only is rejected: it would redirect the others too', () => {
    expect(() => checkAlbGroupsConsistent([
      member('sites[0].ingress', { 'alb.ingress.kubernetes.io/ssl-redirect': '443' }),
      member('sites[1].ingress', {}),
    ])).toThrow('Invalid sites[1].ingress.annotations.alb.ingress.kubernetes.io/ssl-redirect: undefined. Allowed: "443", as on sites[0].ingress');
  });
});

