import { CredentialSecretNames } from '../credentials/credentials';
import { IngressOptions } from '../exposure/wordpress-ingress';
import { LoadBalancerOptions } from '../exposure/load-balancer-service';
import { MySqlOptions } from '../mysql/mysql';
import { WordPressOptions } from '../wordpress/wordpress';
import { InternetEgressOptions } from '../network/internet-egress';
import { AlbIngressOptions } from '../eks/load-balancing/alb-ingress';
import { NlbServiceOptions } from '../eks/load-balancing/nlb-service';
import { EcrPullThroughCacheOptions } from '../eks/images/image-registry';
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
  /** WordPress settings. @default - see WordPressOptions */
  readonly wordpress?: WordPressOptions;
  /**
   * A standard Ingress (with `hosts`, or `anyHost: true` on a local cluster), or `false` for none.
   * @default - host `<releaseName>.localhost` on the default IngressClass, for a local cluster; with `platform: eks`, required (or `eks.alb: false`)
   */
  readonly ingress?: IngressOptions | false;
  /** A LoadBalancer Service. @default - none */
  readonly loadBalancer?: LoadBalancerOptions;
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
  /** Application metrics, alerts and dashboard (docs/observability.md). @default - none */
  readonly metrics?: MetricsOptions;
}
