import { join } from 'path';
import { expectCommittedOutputIsFresh, readObjects } from '../../test/example-synth';

const DIR = __dirname;

describe('examples/fleet', () => {
  const objects = readObjects(join(DIR, 'dist'));

  test('its committed dist/ is what cdk8s synth produces', () => {
    expectCommittedOutputIsFresh(DIR);
  });

  test('three sites, each in its own namespace with quota and limits', () => {
    const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort();
    expect(namespaces).toEqual(['bakery', 'florist', 'grocer']);
    for (const ns of namespaces) {
      expect(objects.filter((o) => o.metadata.namespace === ns && (o.kind === 'ResourceQuota' || o.kind === 'LimitRange'))).toHaveLength(2);
    }
  });

  test('exactly one ALB group, with a deterministic order and a certificate per site', () => {
    const ingresses = objects.filter((o) => o.kind === 'Ingress');
    const groups = new Set(ingresses.map((i) => i.metadata.annotations['alb.ingress.kubernetes.io/group.name']));
    expect([...groups]).toEqual(['small-business']);
    expect(ingresses.map((i) => [i.metadata.namespace, i.metadata.annotations['alb.ingress.kubernetes.io/group.order']]))
      .toEqual([['bakery', '1'], ['florist', '2'], ['grocer', '3']]);
    const certificates = ingresses.map((i) => i.metadata.annotations['alb.ingress.kubernetes.io/certificate-arn']);
    expect(new Set(certificates).size).toBe(3);
  });

  test('object names are unique', () => {
    const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
