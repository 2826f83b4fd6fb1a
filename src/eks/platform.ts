import { Construct } from 'constructs';
import { InvalidPropError } from '../common/errors';
import { k8s } from '../common/k8s';
import { StandardLabels } from '../common/labels';
import { IngressOptions } from '../exposure/wordpress-ingress';
import { LoadBalancerOptions } from '../exposure/load-balancer-service';
import { IWorkloadIdentity } from '../identity/workload-identity-interface';
import { MySqlOptions } from '../mysql/mysql';
import { WordPressOptions } from '../wordpress/wordpress';
import { checkClusterName, checkRegion } from './aws-values';
import { AlbIngressOptions, albIngress, albTermination } from './load-balancing/alb-ingress';
import { NlbServiceOptions, nlbLoadBalancer } from './load-balancing/nlb-service';

/**
 * The parts of a site that a platform may shape: the same fields as on WordPressChartProps,
 * declared here so the platform does not depend on the chart that uses it.
 */
export interface PlatformShapedProps {
  /** MySQL settings. @default - see MySqlOptions */
  readonly mysql?: MySqlOptions;
  /** WordPress settings. @default - see WordPressOptions */
  readonly wordpress?: WordPressOptions;
  /** A standard Ingress in front of WordPress; `false` for none. @default - every host, on the default IngressClass */
  readonly ingress?: IngressOptions | false;
  /** A LoadBalancer Service in front of WordPress. @default - none */
  readonly loadBalancer?: LoadBalancerOptions;
  /** Labels the platform puts on the site's namespace. @default - none */
  readonly namespaceLabels?: Record<string, string>;
}

/** What a platform adds once the site's workloads exist. */
export interface PlatformExtensionContext {
  /** The release name. */
  readonly release: string;
  /** Labels of the release. */
  readonly labels: StandardLabels;
  /** Labels of the MySQL pod. @default - no MySQL in the cluster (an external database) */
  readonly mysqlPodSelector?: Record<string, string>;
}

/** Options of the EKS profile. */
export interface EksPlatformOptions {
  /** Name of the EKS cluster; the node agents (ObservabilityChart) need it for CloudWatch. @default - none */
  readonly clusterName?: string;
  /** AWS region of the cluster; the node agents need it for CloudWatch. @default - none */
  readonly region?: string;
  /** StorageClass of the MySQL volume, e.g. a Gp3StorageClass. @default - the cluster default */
  readonly databaseStorageClassName?: string;
  /** ReadWriteMany StorageClass (EFS) used for WordPress content when it runs several replicas. @default - none: several replicas are rejected */
  readonly contentStorageClassName?: string;
  /** Put WordPress behind an ALB (AWS Load Balancer Controller). @default - an ALB, internet-facing, target-type ip */
  readonly alb?: AlbIngressOptions | false;
  /** Put WordPress behind an NLB as well (or instead, with `alb: false`). @default - none */
  readonly nlb?: NlbServiceOptions;
  /** IAM identity of the WordPress pods (IRSA or Pod Identity). @default - none */
  readonly wordpressIdentity?: IWorkloadIdentity;
}

/**
 * Where a site runs. `generic` (the default) keeps the output portable; `eks` adds what EKS needs:
 * an ALB or NLB through the AWS Load Balancer Controller, gp3 and EFS storage classes, an IAM
 * identity, and a MySQL disruption budget that never blocks a node-group drain. Its annotations are
 * inert elsewhere; only the StorageClasses it references are EKS-bound.
 */
export abstract class Platform {
  /** Any conformant cluster. */
  public static generic(): Platform {
    return new GenericPlatform();
  }

  /** Amazon EKS with the AWS Load Balancer Controller, EBS and EFS CSI drivers. */
  public static eks(options: EksPlatformOptions = {}): Platform {
    return new EksPlatform(options);
  }

  /** The platform's name. */
  public abstract readonly name: 'generic' | 'eks';
  /** Name of the EKS cluster, when given. */
  public abstract readonly clusterName?: string;
  /** AWS region of the cluster, when given. */
  public abstract readonly region?: string;
  /** Identity of the WordPress pods. */
  public abstract readonly wordpressIdentity?: IWorkloadIdentity;
  /** ReadWriteMany StorageClass the platform gives WordPress content with several replicas. */
  public abstract readonly contentStorageClassName?: string;
  /** The props with the platform's defaults applied under the user's own values. */
  public abstract shape(props: PlatformShapedProps): PlatformShapedProps;
  /** Adds the platform's own objects. */
  public abstract extend(scope: Construct, context: PlatformExtensionContext): void;
}

class GenericPlatform extends Platform {
  public readonly name = 'generic';
  public readonly clusterName = undefined;
  public readonly region = undefined;
  public readonly wordpressIdentity = undefined;
  public readonly contentStorageClassName = undefined;
  public shape(props: PlatformShapedProps): PlatformShapedProps {
    return props;
  }
  public extend(): void {}
}

class EksPlatform extends Platform {
  public readonly name = 'eks';
  public readonly clusterName?: string;
  public readonly region?: string;
  public readonly wordpressIdentity?: IWorkloadIdentity;
  public readonly contentStorageClassName?: string;

  constructor(private readonly options: EksPlatformOptions) {
    super();
    this.clusterName = options.clusterName === undefined ? undefined : checkClusterName('platform.clusterName', options.clusterName);
    this.region = options.region === undefined ? undefined : checkRegion('platform.region', options.region);
    this.wordpressIdentity = options.wordpressIdentity;
    this.contentStorageClassName = options.contentStorageClassName;
  }

  public shape(props: PlatformShapedProps): PlatformShapedProps {
    const replicas = props.wordpress?.replicas ?? 1;
    const sharedContent = replicas > 1;
    if (sharedContent && !props.wordpress?.storage?.storageClassName && !this.options.contentStorageClassName) {
      throw new InvalidPropError('platform.contentStorageClassName', undefined,
        `a ReadWriteMany StorageClass such as an EfsStorageClass, for ${replicas} WordPress replicas`);
    }
    let ingress: IngressOptions | false = props.ingress ?? false;
    const behindAlb = props.ingress !== false && this.options.alb !== false;
    if (behindAlb) {
      const alb = albIngress(this.options.alb ?? {});
      ingress = { ...alb, ...props.ingress, annotations: { ...alb.annotations, ...props.ingress?.annotations } };
    }
    // Pods registered as ALB targets by IP: the controller's readiness gate keeps a new pod unready
    // until the ALB sees it healthy, and the preStop delay keeps an old one serving through its
    // deregistration (kubernetes-sigs/aws-load-balancer-controller#1719, #1124).
    const ipTargets = behindAlb && (this.options.alb || {}).targetType !== 'instance';
    const termination = ipTargets ? albTermination(this.options.alb || {}) : undefined;
    return {
      ...props,
      ingress,
      ...(ipTargets ? { namespaceLabels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } } : {}),
      loadBalancer: props.loadBalancer ?? (this.options.nlb ? nlbLoadBalancer(this.options.nlb) : undefined),
      mysql: {
        ...props.mysql,
        // `??`, not a spread: a caller passing `storageClassName: undefined` (as WordPressFleet does
        // for sites without their own class) means "not chosen", not "the cluster default".
        storage: { ...props.mysql?.storage, storageClassName: props.mysql?.storage?.storageClassName ?? this.options.databaseStorageClassName },
      },
      wordpress: {
        ...termination,
        ...props.wordpress,
        storage: sharedContent
          ? {
            accessMode: 'ReadWriteMany',
            ...props.wordpress?.storage,
            storageClassName: props.wordpress?.storage?.storageClassName ?? this.options.contentStorageClassName,
          }
          : props.wordpress?.storage,
      },
    };
  }

  public extend(scope: Construct, context: PlatformExtensionContext): void {
    if (!context.mysqlPodSelector) return;
    // maxUnavailable 1 on the single replica: drains evict it (a restart of the database) instead
    // of a minAvailable budget that blocks a node-group upgrade until its 15-minute timeout.
    new k8s.KubePodDisruptionBudget(scope, 'mysql-disruption-budget', {
      metadata: { name: `${context.release}-mysql`, labels: context.labels.withComponent('database', 'mysql').all },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: context.mysqlPodSelector } },
    });
  }
}
