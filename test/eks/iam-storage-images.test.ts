import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { ImageRegistry } from '../../src/eks/images/image-registry';
import { PodIdentityAssociations } from '../../src/eks/iam/pod-identity-associations';
import { WorkloadIdentity } from '../../src/eks/iam/irsa-and-pod-identity';
import { EfsStorageClass } from '../../src/eks/storage/efs-storage-class';
import { Gp3StorageClass } from '../../src/eks/storage/gp3-storage-class';
import { WorkloadServiceAccount } from '../../src/identity/workload-service-account';

const ROLE = 'arn:aws:iam::123456789012:role/wordpress/media-offload';

describe('WorkloadIdentity', () => {
  test('IRSA annotates the ServiceAccount', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'blog' });
    new WorkloadServiceAccount(chart, 'sa', { name: 'wordpress', labels: {}, identity: WorkloadIdentity.irsa(ROLE, { tokenExpirationSeconds: 3600 }) });
    const [sa] = Testing.synth(chart);
    expect(sa.metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': ROLE,
      'eks.amazonaws.com/audience': 'sts.amazonaws.com',
      'eks.amazonaws.com/sts-regional-endpoints': 'true',
      'eks.amazonaws.com/token-expiration': '3600',
    });
    expect(sa.automountServiceAccountToken).toBe(false);
  });

  test('Pod Identity leaves the ServiceAccount plain and records the association for outside tools', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'blog' });
    new WorkloadServiceAccount(chart, 'sa', { name: 'wordpress', labels: {}, identity: WorkloadIdentity.podIdentity(ROLE) });
    const [sa] = Testing.synth(chart);
    expect(sa.metadata.annotations).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'pia-'));
    PodIdentityAssociations.of(chart).writeTo(join(dir, 'eks', 'pod-identity-associations.json'));
    expect(JSON.parse(readFileSync(join(dir, 'eks', 'pod-identity-associations.json'), 'utf8'))).toEqual({
      podIdentityAssociations: [{ namespace: 'blog', serviceAccount: 'wordpress', roleArn: ROLE }],
    });
    rmSync(dir, { recursive: true, force: true });
  });

  test.each([
    ['arn:aws:iam::12345678901:role/x', 'Invalid identity.roleArn: "arn:aws:iam::12345678901:role/x". Allowed: an IAM role ARN'],
    ['arn:aws-eu:iam::123456789012:role/x', 'Invalid identity.roleArn'],
    ['arn:aws:iam::123456789012:user/x', 'Invalid identity.roleArn'],
    [`arn:aws:iam::123456789012:role/${'n'.repeat(65)}`, 'Invalid identity.roleArn'],
    [`arn:aws:iam::123456789012:role/${'p/'.repeat(300)}name`, 'Allowed: a role path of at most 512 characters'],
  ])('rejects role %s', (arn, message) => {
    expect(() => WorkloadIdentity.irsa(arn)).toThrow(message);
  });

  test('rejects a token expiration outside 600-86400', () => {
    expect(() => WorkloadIdentity.irsa(ROLE, { tokenExpirationSeconds: 599 })).toThrow('Invalid identity.tokenExpirationSeconds: 599. Allowed: an integer from 600 to 86400');
  });
});

describe('StorageClasses', () => {
  test('gp3: EBS CSI, WaitForFirstConsumer, encrypted, expandable, cluster-scoped', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'blog' });
    new Gp3StorageClass(chart, 'gp3', { kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b', iops: 6000, throughputMiBps: 250 });
    expect(Testing.synth(chart)).toEqual([{
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'gp3-encrypted' },
      provisioner: 'ebs.csi.aws.com',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Retain',
      parameters: {
        'type': 'gp3', 'encrypted': 'true', 'csi.storage.k8s.io/fstype': 'ext4',
        'kmsKeyId': 'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b', 'iops': '6000', 'throughput': '250',
      },
    }]);
  });

  test('EFS: access points owned by the WordPress user', () => {
    const chart = new Chart(Testing.app(), 'c');
    new EfsStorageClass(chart, 'efs', { fileSystemId: 'fs-0123456789abcdef0' });
    expect(Testing.synth(chart)[0]).toMatchObject({
      provisioner: 'efs.csi.aws.com',
      parameters: { provisioningMode: 'efs-ap', fileSystemId: 'fs-0123456789abcdef0', directoryPerms: '700', uid: '33', gid: '33' },
    });
  });

  test.each([
    [() => new Gp3StorageClass(new Chart(Testing.app(), 'c'), 'g', { iops: 2000 }), 'Invalid gp3.iops: 2000. Allowed: an integer from 3000 to 16000'],
    [() => new Gp3StorageClass(new Chart(Testing.app(), 'c'), 'g', { throughputMiBps: 1001 }), 'Invalid gp3.throughputMiBps: 1001'],
    [() => new Gp3StorageClass(new Chart(Testing.app(), 'c'), 'g', { throughputMiBps: 1000 }), 'Invalid gp3.throughputMiBps: 1000. Allowed: at most iops / 4 = 750 MiB/s'],
    [() => new Gp3StorageClass(new Chart(Testing.app(), 'c'), 'g', { kmsKeyArn: 'alias/x' }), 'Invalid gp3.kmsKeyArn: "alias/x"'],
    [() => new Gp3StorageClass(new Chart(Testing.app(), 'c'), 'g', { fsType: 'btrfs' as any }), 'Invalid gp3.fsType: "btrfs"'],
    [() => new EfsStorageClass(new Chart(Testing.app(), 'c'), 'e', { fileSystemId: 'fs-123' }), 'Invalid efs.fileSystemId: "fs-123". Allowed: an EFS file system id'],
    [() => new EfsStorageClass(new Chart(Testing.app(), 'c'), 'e', { fileSystemId: 'fs-01234567', directoryPerms: '999' }), 'Invalid efs.directoryPerms: "999"'],
  ])('rejects bad input %#', (build, message) => {
    expect(build).toThrow(message);
  });
});

describe('ImageRegistry', () => {
  const ecr = ImageRegistry.ecrPullThroughCache({ account: '123456789012', region: 'eu-west-1', prefix: 'docker-hub' });

  test.each([
    ['mysql:8.4.11', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/mysql:8.4.11'],
    ['curlimages/curl:8.20.0', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/curlimages/curl:8.20.0'],
    ['docker.io/library/wordpress:7.1.1-php8.3-apache', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/wordpress:7.1.1-php8.3-apache'],
  ])('maps %s', (image, expected) => {
    expect(ecr.rewrite(image)).toBe(expected);
  });

  test('other upstream registries go to their own pull-through rule', () => {
    const registry = ImageRegistry.ecrPullThroughCache({ account: '123456789012', region: 'eu-west-1', prefix: 'hub', upstreamPrefixes: { 'public.ecr.aws': 'ecr-public' } });
    expect(registry.rewrite('public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.8'))
      .toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/aws-observability/aws-for-fluent-bit:3.4.8');
    expect(registry.rewrite('mysql:8.4.11')).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/hub/library/mysql:8.4.11');
    expect(() => ImageRegistry.ecrPullThroughCache({ account: '123456789012', region: 'eu-west-1', prefix: 'hub', upstreamPrefixes: { quay: 'q' } }))
      .toThrow('Invalid imageRegistry.upstreamPrefixes.quay: "quay". Allowed: a registry host an ECR pull-through rule can serve');
  });

  test.each([
    ['a short account', () => ImageRegistry.ecrPullThroughCache({ account: '1234', region: 'eu-west-1', prefix: 'x' }), 'Invalid imageRegistry.account: "1234". Allowed: a 12-digit AWS account id'],
    ['an unknown region', () => ImageRegistry.ecrPullThroughCache({ account: '123456789012', region: 'europe', prefix: 'x' }), 'Invalid imageRegistry.region: "europe"'],
    ['an upper-case prefix', () => ImageRegistry.ecrPullThroughCache({ account: '123456789012', region: 'eu-west-1', prefix: 'Docker_Hub/' }), 'Invalid imageRegistry.prefix: "Docker_Hub/"'],
    ['a mirror without a host', () => ImageRegistry.prefix('mirror'), 'Invalid imageRegistry.prefix: "mirror". Allowed: a registry host with a dot or a port'],
    ['an untagged image', () => ecr.rewrite('mysql'), 'Invalid image: "mysql"'],
  ])('rejects %s', (_case, build, message) => {
    expect(build).toThrow(message);
  });
});
