import { Construct } from 'constructs';
import { contentHash } from '../common/content-hash';
import { k8s } from '../common/k8s';

/** A Job name is a label value as well (`job-name` on its pods): at most 63 characters. */
const MAX_JOB_NAME = 63;

/** What a {@link hashedJob} runs. */
export interface HashedJobProps {
  /** Name before the hash suffix (cut so that the whole fits 63 characters). */
  readonly baseName: string;
  /** Labels of the Job and its pods. */
  readonly labels: Record<string, string>;
  /** Annotations of the Job. */
  readonly annotations: Record<string, string>;
  /** The pod. */
  readonly podSpec: k8s.PodSpec;
  /** Retries with back-off. */
  readonly backoffLimit: number;
  /** Seconds the Job may run in all. */
  readonly activeDeadlineSeconds: number;
}

/**
 * A Job named after a hash of its pod: Job templates are immutable, so a changed pod (a new image,
 * a new plugin list) is a new Job that runs once, where a fixed name would make `kubectl apply` fail.
 * Finished Jobs go after a day.
 */
export function hashedJob(scope: Construct, id: string, props: HashedJobProps): k8s.KubeJob {
  const suffix = `-${contentHash(props.podSpec, 8)}`;
  return new k8s.KubeJob(scope, id, {
    metadata: {
      name: `${props.baseName.slice(0, MAX_JOB_NAME - suffix.length)}${suffix}`,
      labels: props.labels,
      annotations: props.annotations,
    },
    spec: {
      backoffLimit: props.backoffLimit,
      activeDeadlineSeconds: props.activeDeadlineSeconds,
      ttlSecondsAfterFinished: 86400,
      template: { metadata: { labels: props.labels }, spec: props.podSpec },
    },
  });
}
