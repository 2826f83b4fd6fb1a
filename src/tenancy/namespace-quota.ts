import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { checkInteger } from '../common/checks';
import { ResourceBudget, totalBudget } from '../common/resource-budget';

/** Props of {@link NamespaceQuota}. */
export interface NamespaceQuotaProps {
  /** What the namespace's workloads hold at most; the quota is their sum plus headroom. */
  readonly budgets: ResourceBudget[];
  /** Name of the ResourceQuota and LimitRange. */
  readonly name: string;
  /** Labels for both objects. */
  readonly labels: Record<string, string>;
  /** Extra room on top of the budgets, in percent, for one-off pods such as a debug shell. @default 20 */
  readonly headroomPercent?: number;
}

const MIB = 2 ** 20;
const GIB = 2 ** 30;

/**
 * A ResourceQuota sized from what the namespace's own workloads can hold at once, so a tenant can
 * roll out and autoscale but not take more, and a LimitRange that gives any container without
 * resources small defaults (the quota would otherwise reject it). No LoadBalancer or NodePort
 * Services: tenants are reached through the shared Ingress.
 */
export class NamespaceQuota extends Construct {
  /** The quota. */
  public readonly resourceQuota: k8s.KubeResourceQuota;

  constructor(scope: Construct, id: string, props: NamespaceQuotaProps) {
    super(scope, id);
    const headroom = 1 + checkInteger('quota.headroomPercent', props.headroomPercent ?? 20, 0, 500) / 100;
    const total = totalBudget(props.budgets);
    const cpu = (cores: number) => k8s.Quantity.fromString(`${ceilExact(cores * headroom * 1000)}m`);
    const memory = (bytes: number) => k8s.Quantity.fromString(`${ceilExact((bytes * headroom) / MIB)}Mi`);
    this.resourceQuota = new k8s.KubeResourceQuota(this, 'quota', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        hard: {
          'pods': k8s.Quantity.fromNumber(ceilExact(total.pods * headroom)),
          'requests.cpu': cpu(total.requestsCpu),
          'requests.memory': memory(total.requestsMemory),
          'limits.cpu': cpu(total.limitsCpu),
          'limits.memory': memory(total.limitsMemory),
          'requests.storage': k8s.Quantity.fromString(`${Math.ceil(total.storageBytes / GIB)}Gi`),
          'persistentvolumeclaims': k8s.Quantity.fromNumber(total.claims),
          'services.loadbalancers': k8s.Quantity.fromNumber(0),
          'services.nodeports': k8s.Quantity.fromNumber(0),
        },
      },
    });
    new k8s.KubeLimitRange(this, 'limits', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
          default: { cpu: k8s.Quantity.fromString('250m'), memory: k8s.Quantity.fromString('256Mi') },
        }],
      },
    });
  }
}

/** Rounds up, ignoring binary floating-point noise: 0.1 + 0.05 + 0.01 cores is 160m, not 161m. */
function ceilExact(value: number): number {
  return Math.ceil(Number(value.toPrecision(12)));
}
