import { Testing } from 'cdk8s';
import { WordPressChart, WordPressChartProps } from '../../charts/wordpress-chart';
import { Platform } from '../../src/eks/platform';
import { ALB_DEREGISTRATION_LAG_SECONDS, GRACEFUL_STOP_SECONDS } from '../../src/eks/load-balancing/alb-ingress';
import { find, mainContainer, Manifest } from '../helpers';
import { rejectionOf } from '../support/rejection';

function site(props: Partial<WordPressChartProps>): Manifest[] {
  const chart = new WordPressChart(Testing.app(), 'shop', { namespace: 'shop', releaseName: 'shop', ingress: { hosts: ['shop.example.com'] }, ...props });
  return Testing.synth(chart) as Manifest[];
}

describe('rollouts behind an ALB with target-type ip', () => {
  const objects = site({ platform: Platform.eks() });
  const pod = find(objects, 'Deployment').spec.template.spec;
  const annotations = find(objects, 'Ingress').metadata.annotations!;

  test('the namespace asks the controller to inject its pod readiness gate', () => {
    expect(find(objects, 'Namespace').metadata.labels).toMatchObject({ 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' });
  });

  test('a pod serves through the controller lag and the whole deregistration delay, then stops within its grace period', () => {
    // Given the target group's deregistration delay
    expect(annotations['alb.ingress.kubernetes.io/target-group-attributes']).toBe('deregistration_delay.timeout_seconds=30');
    // Then preStop covers lag + delay, and the grace period leaves Apache time for a graceful stop after it
    expect(mainContainer(find(objects, 'Deployment')).lifecycle).toEqual({ preStop: { exec: { command: ['sleep', String(30 + ALB_DEREGISTRATION_LAG_SECONDS)] } } });
    expect(pod.terminationGracePeriodSeconds).toBe(30 + ALB_DEREGISTRATION_LAG_SECONDS + GRACEFUL_STOP_SECONDS);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(30);
  });

  test('the ALB health check asks what the readiness probe asks, as often and as patiently', () => {
    const readiness = mainContainer(find(objects, 'Deployment')).readinessProbe;
    expect(annotations['alb.ingress.kubernetes.io/healthcheck-path']).toBe(readiness.httpGet.path);
    expect(annotations['alb.ingress.kubernetes.io/healthcheck-interval-seconds']).toBe(String(readiness.periodSeconds));
    expect(annotations['alb.ingress.kubernetes.io/healthcheck-timeout-seconds']).toBe(String(readiness.timeoutSeconds));
    expect(annotations['alb.ingress.kubernetes.io/unhealthy-threshold-count']).toBe(String(readiness.failureThreshold));
  });

  test('a longer deregistration delay lengthens the preStop delay and the grace period with it', () => {
    const slow = site({ platform: Platform.eks({ alb: { deregistrationDelaySeconds: 120 } }) });
    expect(find(slow, 'Ingress').metadata.annotations!['alb.ingress.kubernetes.io/target-group-attributes']).toBe('deregistration_delay.timeout_seconds=120');
    expect(find(slow, 'Deployment').spec.template.spec.terminationGracePeriodSeconds).toBe(120 + ALB_DEREGISTRATION_LAG_SECONDS + GRACEFUL_STOP_SECONDS);
  });

  test('target-type instance, no ALB, and the generic platform keep the plain pod termination', () => {
    for (const platform of [Platform.eks({ alb: { targetType: 'instance' } }), Platform.eks({ alb: false }), Platform.generic()]) {
      const objects2 = site({ platform });
      expect(find(objects2, 'Namespace').metadata.labels!['elbv2.k8s.aws/pod-readiness-gate-inject']).toBeUndefined();
      expect(find(objects2, 'Deployment').spec.template.spec.terminationGracePeriodSeconds).toBe(30);
      expect(mainContainer(find(objects2, 'Deployment')).lifecycle).toBeUndefined();
    }
  });

  test.each<[string, Partial<WordPressChartProps>, string]>([
    ['a grace period no longer than the preStop delay', { wordpress: { preStopSleepSeconds: 40, terminationGracePeriodSeconds: 40 } }, 'wordpress.terminationGracePeriodSeconds'],
    ['a negative deregistration delay', { platform: Platform.eks({ alb: { deregistrationDelaySeconds: -1 } }) }, 'alb.deregistrationDelaySeconds'],
  ])('rejects %s', (_name, props, prop) => {
    expect(rejectionOf((app) => new WordPressChart(app, 'shop', { ingress: { hosts: ['shop.example.com'] }, ...props })).error.prop).toBe(prop);
  });
});
