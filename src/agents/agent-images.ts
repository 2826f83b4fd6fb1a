import { ImageFacts } from '../images';

// Fluent Bit, AWS for Fluent Bit and the CloudWatch agent stay tag-only: as of the lookup on
// 2026-12-01 no published record of their index digests was found (no repo-info, release notes
// without digests, no public manifest pinning these tags). test/images.test.ts lists them as the
// known exceptions; pin them when a record is found.

/** Upstream Fluent Bit (distroless). Runs as root: container logs under /var/log/pods are root-owned, 0640. */
export const FLUENT_BIT: ImageFacts = { image: 'cr.fluentbit.io/fluent/fluent-bit:4.2.2', identity: { uid: 0, gid: 0 } };

/** AWS for Fluent Bit 3.x (Amazon Linux 2023, Fluent Bit 4.2), with the cloudwatch_logs output. Root, as above. */
export const AWS_FOR_FLUENT_BIT: ImageFacts = { image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.8', identity: { uid: 0, gid: 0 } };

/** The CloudWatch agent for Container Insights. Root: it reads the container runtime socket and /rootfs. */
export const CLOUDWATCH_AGENT: ImageFacts = { image: 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300045.0b810', identity: { uid: 0, gid: 0 } };

/**
 * Prometheus node-exporter; `nobody` (65534) is enough to read /proc and /sys.
 * Digest: no upstream record (Prometheus release notes list none); the index digest that
 * independent public repositories pin for v1.9.1 on quay.io and Docker Hub alike (Nix and compose
 * files, found by code search), looked up 2026-12-01.
 */
export const NODE_EXPORTER: ImageFacts = {
  image: 'quay.io/prometheus/node-exporter:v1.9.1@sha256:d00a542e409ee618a4edc67da14dd48c5da66726bbd5537ab2af9c1dfc442c8a',
  identity: { uid: 65534, gid: 65534 },
};
