import { Testing } from 'cdk8s';
import { WordPressChart, WordPressChartProps } from '../../charts/wordpress-chart';
import { ImageRegistry } from '../../src/eks/images/image-registry';
import { CURL, MYSQL, WORDPRESS, WORDPRESS_CLI } from '../../src/images';
import { WorkloadIdentity } from '../../src/eks/iam/irsa-and-pod-identity';
import { Platform } from '../../src/eks/platform';
import { all, find, Manifest } from '../helpers';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
const synth = (props: WordPressChartProps) => Testing.synth(new WordPressChart(Testing.app(), 'site', { ingress: { hosts: ['blog.example.com'] }, ...props })) as Manifest[];

describe('Platform.eks', () => {
  test('puts WordPress behind an ALB, MySQL on the given class, with a drain-safe MySQL budget', () => {
    const objects = synth({ platform: Platform.eks({ databaseStorageClassName: 'gp3-encrypted', alb: { certificateArns: [CERT] } }), ingress: { hosts: ['blog.example.com'] } });
    const ingress = find(objects, 'Ingress');
    expect(ingress.spec.ingressClassName).toBe('alb');
    expect(ingress.spec.rules[0].host).toBe('blog.example.com');
    expect(ingress.metadata.annotations).toMatchObject({ 'alb.ingress.kubernetes.io/ssl-redirect': '443', 'alb.ingress.kubernetes.io/target-type': 'ip' });
    expect(find(objects, 'StatefulSet').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('gp3-encrypted');
    const pdb = find(objects, 'PodDisruptionBudget', 'wordpress-mysql');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: find(objects, 'StatefulSet').spec.selector });
  });

  test('several WordPress replicas go on the ReadWriteMany class', () => {
    const objects = synth({ platform: Platform.eks({ contentStorageClassName: 'efs-wordpress' }), wordpress: { replicas: 3 } });
    expect(find(objects, 'PersistentVolumeClaim', 'wordpress-content').spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'efs-wordpress' });
    expect(find(objects, 'HorizontalPodAutoscaler').spec.minReplicas).toBe(3);
  });

  test('several replicas without a ReadWriteMany class are rejected', () => {
    expect(() => synth({ platform: Platform.eks(), wordpress: { replicas: 2 } }))
      .toThrow('Invalid platform.contentStorageClassName: undefined. Allowed: a ReadWriteMany StorageClass such as an EfsStorageClass, for 2 WordPress replicas');
  });

  test('the WordPress identity lands on its own ServiceAccount', () => {
    const role = 'arn:aws:iam::123456789012:role/wordpress';
    const objects = synth({ platform: Platform.eks({ wordpressIdentity: WorkloadIdentity.irsa(role) }) });
    const deployment = find(objects, 'Deployment');
    const sa = find(objects, 'ServiceAccount', deployment.spec.template.spec.serviceAccountName);
    expect(sa.metadata.annotations!['eks.amazonaws.com/role-arn']).toBe(role);
    expect(deployment.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('an NLB can replace the ALB', () => {
    const objects = synth({ ingress: undefined, platform: Platform.eks({ alb: false, nlb: { mode: 'loadBalancerClass' } }) });
    expect(all(objects, 'Ingress')).toHaveLength(0);
    expect(find(objects, 'Service', 'wordpress-public').spec.loadBalancerClass).toBe('service.k8s.aws/nlb');
  });

  test('the generic platform adds nothing EKS-specific', () => {
    const text = JSON.stringify(synth({}));
    expect(text).not.toMatch(/alb\.ingress|aws-load-balancer|eks\.amazonaws\.com/);
    expect(all(synth({}), 'PodDisruptionBudget')).toHaveLength(0);
  });

  test('an image registry is applied to every image', () => {
    const registry = ImageRegistry.ecrPullThroughCache({ account: '123456789012', region: 'eu-west-1', prefix: 'hub' });
    const images = synth({ imageRegistry: registry }).flatMap((o) => {
      const pod = o.spec?.template?.spec;
      return [...pod?.initContainers ?? [], ...pod?.containers ?? []].map((c: any) => c.image);
    });
    expect([...new Set(images)].sort()).toEqual([
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/hub/${CURL.image}`,
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/hub/library/${MYSQL.image}`,
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/hub/library/${WORDPRESS.image}`,
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/hub/library/${WORDPRESS_CLI.image}`,
    ]);
  });
});
