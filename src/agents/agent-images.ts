import { ImageFacts } from '../images';

/** Upstream Fluent Bit (distroless). Runs as root: container logs under /var/log/pods are root-owned, 0640. */
export const FLUENT_BIT: ImageFacts = { image: 'cr.fluentbit.io/fluent/fluent-bit:4.2.2', identity: { uid: 0, gid: 0 } };

/** AWS for Fluent Bit 3.x (Amazon Linux 2023, Fluent Bit 4.2), with the cloudwatch_logs output. Root, as above. */
export const AWS_FOR_FLUENT_BIT: ImageFacts = { image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.8', identity: { uid: 0, gid: 0 } };

/** The CloudWatch agent for Container Insights. Root: it reads the container runtime socket and /rootfs. */
export const CLOUDWATCH_AGENT: ImageFacts = { image: 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300045.0b810', identity: { uid: 0, gid: 0 } };

/** Prometheus node-exporter; `nobody` (65534) is enough to read /proc and /sys. */
export const NODE_EXPORTER: ImageFacts = { image: 'quay.io/prometheus/node-exporter:v1.9.1', identity: { uid: 65534, gid: 65534 } };
