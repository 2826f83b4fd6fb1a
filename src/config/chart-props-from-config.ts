import { Credentials } from '../credentials/credentials';
import { InvalidPropError } from '../common/errors';
import { ImageRegistry } from '../eks/images/image-registry';
import { WorkloadIdentity } from '../eks/iam/irsa-and-pod-identity';
import { Platform } from '../eks/platform';
import { AppConfig, BackupConfig, BackupDestinationConfig, EksConfig, ImageRegistryConfig } from './app-config';
import { BackupDestination } from '../backup/backup-destination';
import { BackupOptions } from '../backup/site-backup';

/**
 * The WordPressChart props a config file describes: the file's plain data with credentials,
 * platform and registry built. Declared here, not as WordPressChartProps, so the library does not
 * import the charts built on it; the chart accepts it as is.
 */
export type ConfiguredSiteProps = Omit<AppConfig, 'credentials' | 'platform' | 'eks' | 'imageRegistry' | 'backup'> & {
  readonly backup?: BackupOptions | false;
  readonly credentials: Credentials;
  readonly platform: Platform;
  readonly imageRegistry?: ImageRegistry;
};

/** The WordPressChart props a config file describes. */
export function chartPropsFromConfig(config: AppConfig): ConfiguredSiteProps {
  const { credentials, platform, eks, imageRegistry, backup, ...rest } = config;
  if (eks && platform !== 'eks') throw new InvalidPropError('eks', eks, "only with platform: eks");
  return {
    ...rest,
    // A `.localhost` name resolves to the loopback address in browsers and curl, so the default
    // app works on a local cluster without answering whatever host name reaches the cluster. On
    // EKS the ALB is public: there the hosts must be given.
    ingress: rest.ingress ?? (platform === 'eks' ? undefined : { hosts: [`${rest.releaseName ?? 'wordpress'}.localhost`] }),
    credentials: credentials?.existingSecrets
      ? Credentials.fromExistingSecrets(credentials.existingSecrets)
      : Credentials.generated({ databaseName: credentials?.databaseName, username: credentials?.username, apiServerPorts: credentials?.apiServerPorts }),
    platform: platform === 'eks' ? eksPlatform(eks ?? {}) : Platform.generic(),
    imageRegistry: imageRegistry ? registry(imageRegistry) : undefined,
    ...(backup !== undefined ? { backup: backup === false ? false : backupOptions(backup) } : {}),
  };
}

function backupOptions(config: BackupConfig): BackupOptions {
  const { destination, ...rest } = config;
  return { ...rest, ...(destination ? { destination: backupDestination(destination) } : {}) };
}

function backupDestination(config: BackupDestinationConfig): BackupDestination {
  const given = (['claim', 's3', 's3Compatible'] as const).filter((key) => config[key] !== undefined);
  if (given.length !== 1) {
    throw new InvalidPropError('backup.destination', config, 'exactly one of claim, s3 or s3Compatible');
  }
  if (config.s3) {
    const { roleArn, identityMode, ...s3 } = config.s3;
    const identity = identityMode === 'pod-identity' ? WorkloadIdentity.podIdentity(roleArn) : WorkloadIdentity.irsa(roleArn);
    return BackupDestination.s3({ ...s3, identity });
  }
  return config.s3Compatible ? BackupDestination.s3Compatible(config.s3Compatible) : BackupDestination.claim(config.claim);
}

function eksPlatform(config: EksConfig): Platform {
  const { wordpressRoleArn, identityMode, ...options } = config;
  const wordpressIdentity = wordpressRoleArn === undefined ? undefined
    : identityMode === 'pod-identity' ? WorkloadIdentity.podIdentity(wordpressRoleArn) : WorkloadIdentity.irsa(wordpressRoleArn);
  return Platform.eks({ ...options, wordpressIdentity });
}

function registry(config: ImageRegistryConfig): ImageRegistry {
  if (config.ecr && config.prefix) throw new InvalidPropError('imageRegistry', config, 'either ecr or prefix, not both');
  if (config.ecr) return ImageRegistry.ecrPullThroughCache(config.ecr);
  if (config.prefix) return ImageRegistry.prefix(config.prefix);
  throw new InvalidPropError('imageRegistry', config, 'ecr: { account, region, prefix } or prefix: registry.example.com/path');
}
