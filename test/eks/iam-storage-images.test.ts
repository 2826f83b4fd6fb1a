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
import { expectRejected, rejectionOf, RejectionCase } from '../support/rejection';

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

  describe('rejects bad input before anything is written', () => {
    const cases: (RejectionCase & { build: () => unknown })[] = [
      { name: 'an 11-digit account', build: () => WorkloadIdentity.irsa('arn:aws:iam::12345678901:role/x'), prop: 'identity.roleArn', value: 'arn:aws:iam::12345678901:role/x', allowed: 'an IAM role ARN' },
      { name: 'an unknown partition', build: () => WorkloadIdentity.irsa('arn:aws-eu:iam::123456789012:role/x'), prop: 'identity.roleArn', value: 'arn:aws-eu:iam::123456789012:role/x', allowed: 'an IAM role ARN' },
      { name: 'a user instead of a role', build: () => WorkloadIdentity.irsa('arn:aws:iam::123456789012:user/x'), prop: 'identity.roleArn', value: 'arn:aws:iam::123456789012:user/x', allowed: 'an IAM role ARN' },
      { name: 'a role name over 64 characters', build: () => WorkloadIdentity.irsa(`arn:aws:iam::123456789012:role/${'n'.repeat(65)}`), prop: 'identity.roleArn', value: `arn:aws:iam::123456789012:role/${'n'.repeat(65)}`, allowed: 'an IAM role ARN' },
      { name: 'a role path over 512 characters', build: () => WorkloadIdentity.irsa(`arn:aws:iam::123456789012:role/${'p/'.repeat(300)}name`), prop: 'identity.roleArn', value: `arn:aws:iam::123456789012:role/${'p/'.repeat(300)}name`, allowed: 'a role path of at most 512 characters' },
    ];
    test.each(cases)('$name', ({ build, ...expected }) => {
      expectRejected(rejectionOf((app) => new WorkloadServiceAccount(new Chart(app, 'c', { namespace: 'blog' }), 'sa', { name: 'wordpress', labels: {}, identity: build() as any })), expected);
    });
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

  test('EFS: access points owned by the WordPress user, volumes kept when their claim is deleted', () => {
    const chart = new Chart(Testing.app(), 'c');
    new EfsStorageClass(chart, 'efs', { fileSystemId: 'fs-0123456789abcdef0' });
    expect(Testing.synth(chart)[0]).toEqual({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'efs-wordpress' },
      provisioner: 'efs.csi.aws.com',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'Immediate',
      parameters: { provisioningMode: 'efs-ap', fileSystemId: 'fs-0123456789abcdef0', directoryPerms: '700', uid: '33', gid: '33' },
    });
  });

  test('EFS: basePath puts the access points under a directory', () => {
    const chart = new Chart(Testing.app(), 'c');
    new EfsStorageClass(chart, 'efs', { fileSystemId: 'fs-01234567', basePath: '/wordpress/sites' });
    expect(Testing.synth(chart)[0].parameters.basePath).toBe('/wordpress/sites');
  });

  describe('rejects bad input before anything is written', () => {
    const cases: (RejectionCase & { build: (chart: Chart) => unknown })[] = [
      { name: 'gp3 IOPS under the baseline', build: (c) => new Gp3StorageClass(c, 'g', { iops: 2000 }), prop: 'gp3.iops', value: 2000, allowed: 'an integer from 3000 to 16000' },
      { name: 'gp3 throughput over 1000 MiB/s', build: (c) => new Gp3StorageClass(c, 'g', { throughputMiBps: 1001 }), prop: 'gp3.throughputMiBps', value: 1001, allowed: 'an integer from 125 to 1000' },
      { name: 'gp3 throughput over a quarter of the IOPS', build: (c) => new Gp3StorageClass(c, 'g', { throughputMiBps: 1000 }), prop: 'gp3.throughputMiBps', value: 1000, allowed: 'at most iops / 4 = 750 MiB/s' },
      { name: 'a KMS alias instead of a key ARN', build: (c) => new Gp3StorageClass(c, 'g', { kmsKeyArn: 'alias/x' }), prop: 'gp3.kmsKeyArn', value: 'alias/x', allowed: 'KMS key ARN' },
      { name: 'an unsupported filesystem', build: (c) => new Gp3StorageClass(c, 'g', { fsType: 'btrfs' as any }), prop: 'gp3.fsType', value: 'btrfs', allowed: 'one of ext4, xfs' },
      { name: 'a short EFS file system id', build: (c) => new EfsStorageClass(c, 'e', { fileSystemId: 'fs-123' }), prop: 'efs.fileSystemId', value: 'fs-123', allowed: 'an EFS file system id' },
      { name: 'non-octal directory permissions', build: (c) => new EfsStorageClass(c, 'e', { fileSystemId: 'fs-01234567', directoryPerms: '999' }), prop: 'efs.directoryPerms', value: '999', allowed: 'octal permissions' },
      { name: 'a relative EFS basePath', build: (c) => new EfsStorageClass(c, 'e', { fileSystemId: 'fs-01234567', basePath: 'wordpress' }), prop: 'efs.basePath', value: 'wordpress', allowed: 'an absolute path' },
    ];
    test.each(cases)('$name', ({ build, ...expected }) => {
      expectRejected(rejectionOf((app) => build(new Chart(app, 'c'))), expected);
    });
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

  describe('rejects bad input before anything is written', () => {
    const cases: (RejectionCase & { build: () => unknown })[] = [
      { name: 'a 4-digit account', build: () => ImageRegistry.ecrPullThroughCache({ account: '1234', region: 'eu-west-1', prefix: 'x' }), prop: 'imageRegistry.account', value: '1234', allowed: 'a 12-digit AWS account id' },
      { name: 'a region that is not one', build: () => ImageRegistry.ecrPullThroughCache({ account: '123456789012', region: 'europe', prefix: 'x' }), prop: 'imageRegistry.region', value: 'europe', allowed: 'an AWS region such as eu-west-1' },
      { name: 'a prefix with upper case and a trailing slash', build: () => ImageRegistry.ecrPullThroughCache({ account: '123456789012', region: 'eu-west-1', prefix: 'Docker_Hub/' }), prop: 'imageRegistry.prefix', value: 'Docker_Hub/', allowed: 'a repository path of lower-case letters' },
      { name: 'a mirror prefix without registry host', build: () => ImageRegistry.prefix('mirror'), prop: 'imageRegistry.prefix', value: 'mirror', allowed: 'a registry host with a dot or a port' },
      { name: 'an untagged image to rewrite', build: () => ecr.rewrite('mysql'), prop: 'image', value: 'mysql', allowed: 'pinned to a version tag' },
    ];
    test.each(cases)('$name', ({ build, ...expected }) => {
      expectRejected(rejectionOf(() => build()), expected);
    });
  });
});
