import { CredentialSecretNames } from '../credentials/credentials';
import { IngressOptions } from '../exposure/wordpress-ingress';
import { LoadBalancerOptions } from '../exposure/load-balancer-service';
import { MySqlOptions } from '../mysql/mysql';
import { ExternalDatabaseOptions } from '../database/external-database';
import { WordPressOptions } from '../wordpress/wordpress';
import { HttpSources } from '../network/http-sources';
import { InternetEgressOptions } from '../network/internet-egress';
import { AlbIngressOptions } from '../eks/load-balancing/alb-ingress';
import { NlbServiceOptions } from '../eks/load-balancing/nlb-service';
import { EcrPullThroughCacheOptions } from '../eks/images/image-registry';
import { BackupOptions } from '../backup/site-backup';
import { RestoreOptions } from '../backup/site-restore';
import { ClaimDestinationOptions, S3CompatibleDestinationOptions } from '../backup/backup-destination';
import { MetricsOptions } from '../monitoring/metrics-options';

/** Credentials, as data: either existing Secrets or options of the in-cluster generator. */
export interface CredentialsConfig {
  /** Use Secrets you manage; their keys are documented in the README. @default - generated in the cluster */
  readonly existingSecrets?: CredentialSecretNames;
  /** Database name for generated credentials. @default 'wordpress' */
  readonly databaseName?: string;
  /** MySQL user for generated credentials. @default 'wordpress' */
  readonly username?: string;
  /** Ports the API server listens on, for the generator's NetworkPolicy (minikube 8443, MicroK8s 16443). @default [443, 6443] */
  readonly apiServerPorts?: number[];
}

/** The EKS profile, as data. */
export interface EksConfig {
  /** StorageClass of the MySQL volume. @default - the cluster default */
  readonly databaseStorageClassName?: string;
  /** ReadWriteMany StorageClass for WordPress content with several replicas. @default - none */
  readonly contentStorageClassName?: string;
  /** ALB options, or `false` for no ALB. @default - internet-facing ALB, target-type ip */
  readonly alb?: AlbIngressOptions | false;
  /** NLB options. @default - none */
  readonly nlb?: NlbServiceOptions;
  /** IAM role of the WordPress pods. @default - none */
  readonly wordpressRoleArn?: string;
  /** How the role is attached. @default 'irsa' */
  readonly identityMode?: 'irsa' | 'pod-identity';
}

/** A registry every image is pulled through, as data: an ECR pull-through cache or any prefix. */
export interface ImageRegistryConfig {
  /** ECR pull-through cache. @default - none */
  readonly ecr?: EcrPullThroughCacheOptions;
  /** Any registry prefix such as `registry.example.com/mirror`. @default - none */
  readonly prefix?: string;
}

/** Where backups go, as data: exactly one of `claim`, `s3`, `s3Compatible`. */
export interface BackupDestinationConfig {
  /** A claim in the site's namespace. @default - this, with 20Gi from the default StorageClass */
  readonly claim?: ClaimDestinationOptions;
  /** An S3 bucket on AWS with an IAM role for the backup pods only. @default - none */
  readonly s3?: {
    /** Bucket name. */
    readonly bucket: string;
    /** Region of the bucket. */
    readonly region: string;
    /** Key prefix. @default 'wordpress-backups/' */
    readonly prefix?: string;
    /** IAM role of the backup pods. */
    readonly roleArn: string;
    /** How the role is attached. @default 'irsa' */
    readonly identityMode?: 'irsa' | 'pod-identity';
  };
  /** Any S3-compatible endpoint with keys from a Secret. @default - none */
  readonly s3Compatible?: S3CompatibleDestinationOptions;
}

/** Backups, as data: the chart's BackupOptions, with the destination as data (the tools image stays code-only). */
export interface BackupConfig extends Omit<BackupOptions, 'destination' | 'toolsImage'> {
  /** Where backups go. @default - a claim in the namespace */
  readonly destination?: BackupDestinationConfig;
}

/**
 * The default app's configuration file (YAML or JSON): the WordPressChart props as plain data,
 * for users who do not write TypeScript. Its JSON Schema is generated from this type.
 */
export interface AppConfig {
  /** Namespace created for the release. @default 'wordpress' */
  readonly namespace?: string;
  /** Release name: `app.kubernetes.io/instance` and the prefix of object names. @default 'wordpress' */
  readonly releaseName?: string;
  /** `app.kubernetes.io/part-of`, and the value of the prune label `apply.sh` selects by. @default 'wordpress' */
  readonly partOf?: string;
  /** Where passwords and keys come from. @default - generated in the cluster */
  readonly credentials?: CredentialsConfig;
  /** MySQL settings. @default - see MySqlOptions */
  readonly mysql?: MySqlOptions;
  /** A MySQL-compatible database outside the cluster (RDS, Aurora) instead of MySQL in it. @default - MySQL in the cluster */
  readonly externalDatabase?: ExternalDatabaseOptions;
  /** WordPress settings. @default - see WordPressOptions */
  readonly wordpress?: WordPressOptions;
  /**
   * A standard Ingress (with `hosts`, or `anyHost: true` on a local cluster), or `false` for none.
   * @default - host `<releaseName>.localhost` on the default IngressClass, for a local cluster; with `platform: eks`, required (or `eks.alb: false`)
   */
  readonly ingress?: IngressOptions | false;
  /** A LoadBalancer Service. @default - none */
  readonly loadBalancer?: LoadBalancerOptions;
  /** Where requests to WordPress's HTTP port may come from (Ingress controller namespaces, load balancer CIDRs). @default - any source */
  readonly httpFrom?: HttpSources;
  /** Let WordPress reach the internet (public addresses only). @default true */
  readonly allowInternetEgress?: boolean;
  /** Ports of the internet egress and the ranges that are not the internet. @default - TCP 80/443, every address outside DEFAULT_EXCLUDED_CIDRS */
  readonly internetEgress?: InternetEgressOptions;
  /** Where the site runs. @default 'generic' */
  readonly platform?: 'generic' | 'eks';
  /** Options of the EKS profile (with `platform: eks`). @default - the EKS defaults */
  readonly eks?: EksConfig;
  /** A mirror every image is pulled through. @default - the images' own registries */
  readonly imageRegistry?: ImageRegistryConfig;
  /** Scheduled, verified backups, or `false` for none. @default - daily, to a claim in the namespace */
  readonly backup?: BackupConfig | false;
  /** A one-off restore of a backup into the site. @default - none */
  readonly restore?: RestoreOptions;
  /** Application metrics, alerts and dashboard (docs/observability.md). @default - none */
  readonly metrics?: MetricsOptions;
}
