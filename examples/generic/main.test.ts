import { join } from 'path';
import { expectCommittedOutputIsFresh, readObjects } from '../../test/example-synth';

const DIR = __dirname;

describe('examples/generic', () => {
  test('its committed dist/ is what cdk8s synth produces', () => {
    expectCommittedOutputIsFresh(DIR);
  });

  test('runs on a plain cluster: no EKS annotation, class or StorageClass', () => {
    const objects = readObjects(join(DIR, 'dist'));
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/alb\.ingress\.kubernetes\.io|service\.beta\.kubernetes\.io\/aws|eks\.amazonaws\.com|ebs\.csi|efs\.csi/);
    expect(objects.find((o) => o.kind === 'Ingress').spec.ingressClassName).toBe('nginx');
  });
});
