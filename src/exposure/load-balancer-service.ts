import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { checkCidr, checkInteger } from '../common/checks';

/** Options of a LoadBalancer Service in front of WordPress. */
export interface LoadBalancerOptions {
  /** Port the load balancer listens on. @default 80 */
  readonly port?: number;
  /** Annotations for the cloud's load-balancer controller. @default - none */
  readonly annotations?: Record<string, string>;
  /** `spec.loadBalancerClass`, to pick a specific controller. @default - the cluster's default implementation */
  readonly loadBalancerClass?: string;
  /** Client CIDRs allowed through the load balancer. @default - any */
  readonly sourceRanges?: string[];
}

/** Props of {@link LoadBalancerService}. */
export interface LoadBalancerServiceProps extends LoadBalancerOptions {
  /** Name of the Service. */
  readonly name: string;
  /** Labels of the pods to expose. */
  readonly podSelector: Record<string, string>;
  /** Name of the container port to send traffic to. */
  readonly targetPortName: string;
  /** Labels for the Service. */
  readonly labels: Record<string, string>;
}

/** A Service of type LoadBalancer: an external address without an Ingress controller. */
export class LoadBalancerService extends Construct {
  /** The Service. */
  public readonly service: k8s.KubeService;

  constructor(scope: Construct, id: string, props: LoadBalancerServiceProps) {
    super(scope, id);
    const port = checkInteger('loadBalancer.port', props.port ?? 80, 1, 65535);
    (props.sourceRanges ?? []).forEach((range, index) => checkCidr(`loadBalancer.sourceRanges[${index}]`, range));
    this.service = new k8s.KubeService(this, 'service', {
      metadata: {
        name: props.name,
        labels: props.labels,
        ...(props.annotations && Object.keys(props.annotations).length > 0 ? { annotations: props.annotations } : {}),
      },
      spec: {
        type: 'LoadBalancer',
        ...(props.loadBalancerClass ? { loadBalancerClass: props.loadBalancerClass } : {}),
        ...(props.sourceRanges ? { loadBalancerSourceRanges: props.sourceRanges } : {}),
        selector: props.podSelector,
        ports: [{ name: 'http', port, targetPort: k8s.IntOrString.fromString(props.targetPortName), protocol: 'TCP' }],
      },
    });
  }
}
