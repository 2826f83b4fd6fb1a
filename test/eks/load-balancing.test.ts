import { albIngress, albIngressAnnotations } from '../../src/eks/load-balancing/alb-ingress';
import { nlbLoadBalancer } from '../../src/eks/load-balancing/nlb-service';

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
      'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '15',
      'alb.ingress.kubernetes.io/healthcheck-timeout-seconds': '5',
      'alb.ingress.kubernetes.io/healthy-threshold-count': '2',
      'alb.ingress.kubernetes.io/unhealthy-threshold-count': '2',
      'alb.ingress.kubernetes.io/success-codes': '200-399',
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

  test.each([
    [{ scheme: 'public' }, 'Invalid alb.scheme: "public". Allowed: one of internal, internet-facing'],
    [{ targetType: 'pod' }, 'Invalid alb.targetType: "pod". Allowed: one of ip, instance'],
    [{ certificateArns: ['arn:aws:acm:eu-west-1:12345:certificate/x'] }, 'Invalid alb.certificateArns[0]: "arn:aws:acm:eu-west-1:12345:certificate/x". Allowed: an ACM certificate ARN'],
    [{ listenPorts: [{ protocol: 'HTTP', port: 0 }] }, 'Invalid alb.listenPorts[0].port: 0. Allowed: an integer from 1 to 65535'],
    [{ listenPorts: [{ protocol: 'TCP', port: 80 }] }, 'Invalid alb.listenPorts[0].protocol: "TCP". Allowed: one of HTTP, HTTPS'],
    [{ listenPorts: [{ protocol: 'HTTP', port: 80 }, { protocol: 'HTTP', port: 80 }] }, 'Invalid alb.listenPorts[1].port: 80. Allowed: a port no other listener uses'],
    [{ listenPorts: [{ protocol: 'HTTPS', port: 443 }] }, 'Invalid alb.certificateArns: undefined. Allowed: at least one ACM certificate ARN when a listener is HTTPS'],
    [{ certificateArns: [CERT], sslRedirect: 8443 }, 'Invalid alb.sslRedirect: 8443. Allowed: one of the HTTPS listen ports (443)'],
    [{ sslRedirect: 443 }, 'Invalid alb.sslRedirect: 443. Allowed: one of the HTTPS listen ports (none)'],
    [{ sslPolicy: 'TLS1.2' }, 'Invalid alb.sslPolicy: "TLS1.2"'],
    [{ healthCheck: { successCodes: '2xx' } }, 'Invalid alb.healthCheck.successCodes: "2xx"'],
    [{ healthCheck: { intervalSeconds: 5, timeoutSeconds: 5 } }, 'Invalid alb.healthCheck.timeoutSeconds: 5. Allowed: less than intervalSeconds (5)'],
    [{ healthCheck: { path: 'wp-login.php' } }, 'Invalid alb.healthCheck.path: "wp-login.php"'],
    [{ group: { name: 'Shared' } }, 'Invalid alb.group.name: "Shared"'],
    [{ group: { name: 'shared', order: 1001 } }, 'Invalid alb.group.order: 1001. Allowed: an integer from -1000 to 1000'],
    [{ wafv2AclArn: 'arn:aws:wafv2:eu-west-1:123456789012:global/webacl/x/y' }, 'Invalid alb.wafv2AclArn'],
    [{ loadBalancerName: 'a'.repeat(33) }, 'Invalid alb.loadBalancerName'],
    [{ tags: { team: 'a,b' } }, 'Invalid alb.tags.team: "a,b"'],
    [{ extraAnnotations: { 'bad key!': 'x' } }, 'Invalid alb.extraAnnotations.bad key!: "bad key!". Allowed: an annotation key'],
    [{ extraAnnotations: { 'alb.ingress.kubernetes.io/scheme': 'internal' } }, 'Invalid alb.extraAnnotations.alb.ingress.kubernetes.io/scheme: "internal". Allowed: a key the typed options do not set'],
  ])('rejects %j', (options, message) => {
    expect(() => albIngressAnnotations(options as any)).toThrow(message);
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

  test.each([
    [{ mode: 'nlb' }, 'Invalid nlb.mode: "nlb". Allowed: one of loadBalancerClass, external'],
    [{ scheme: 'Internal' }, 'Invalid nlb.scheme: "Internal"'],
    [{ backendProtocol: 'http' }, 'Invalid nlb.backendProtocol: "http". Allowed: one of tcp, ssl'],
    [{ sslPorts: [443] }, 'Invalid nlb.sslPorts: [443]. Allowed: only together with certificateArns'],
    [{ certificateArns: [CERT], port: 443, sslPorts: [8443] }, 'Invalid nlb.sslPorts: [8443]. Allowed: a list containing the Service port 443'],
    [{ healthCheck: { path: '/x' } }, 'Invalid nlb.healthCheck.path: "/x". Allowed: an absolute path, with protocol http or https'],
    [{ healthCheck: { intervalSeconds: 1 } }, 'Invalid nlb.healthCheck.intervalSeconds: 1'],
    [{ sourceRanges: ['0.0.0.0'] }, 'Invalid nlb.sourceRanges[0]: "0.0.0.0". Allowed: an IPv4 or IPv6 CIDR block'],
    [{ ipAddressType: 'ipv6' }, 'Invalid nlb.ipAddressType: "ipv6"'],
    [{ name: '-bad' }, 'Invalid nlb.name: "-bad"'],
  ])('rejects %j', (options, message) => {
    expect(() => nlbLoadBalancer(options as any)).toThrow(message);
  });
});
