import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { checkImage } from '../common/checks';
import { InvalidPropError } from '../common/errors';
import { StandardLabels } from '../common/labels';
import { ResourceBudget } from '../common/resource-budget';
import { ResolvedComputeResources, toResourceRequirements } from '../common/resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../common/security-context';
import { CURL } from '../images';

/** wp-cron run by a CronJob instead of by page views. */
export interface WordPressCronOptions {
  /** Cron schedule (five fields, in the controller's time zone, UTC on EKS). @default '*\/5 * * * *' */
  readonly schedule?: string;
  /** Seconds one run may take before it is stopped (60-3600). @default 300 */
  readonly timeoutSeconds?: number;
  /** The curl image that makes the call, with a tag (digest optional). @default - CURL in src/images.ts */
  readonly image?: string;
}

/** Props of {@link WordPressCronJob}. */
export interface WordPressCronJobProps extends WordPressCronOptions {
  /** Name of the WordPress Deployment; the CronJob and its ServiceAccount are named after it. */
  readonly name: string;
  /** The WordPress Service (port 80) the call goes through. */
  readonly serviceName: string;
  /** Host name of the site, sent as the Host header (a multisite network answers by host). @default - the Service name */
  readonly host?: string;
  /** Labels of the release; the CronJob is its `cron` component. */
  readonly labels: StandardLabels;
}

const RESOURCES: ResolvedComputeResources = {
  requests: { cpu: '10m', memory: '16Mi' },
  limits: { cpu: '100m', memory: '32Mi' },
};
const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

/** `value` if it is a five-field cron schedule of numbers, `*`, ranges, steps and lists. */
export function checkCronSchedule(prop: string, value: string): string {
  const fields = typeof value === 'string' ? value.trim().split(/\s+/) : [];
  if (fields.length !== 5 || !fields.every((field) => CRON_FIELD.test(field))) {
    throw new InvalidPropError(prop, value, 'five cron fields of numbers, *, ranges, steps and lists, such as */5 * * * *');
  }
  return fields.join(' ');
}

/**
 * Runs WordPress's due cron events on a schedule by requesting `wp-cron.php` through the Service,
 * with `DISABLE_WP_CRON` set on the site so page views no longer do it.
 *
 * - An HTTP call, not `wp cron event run`: events run inside a web pod, with its plugins, content
 *   claim and PHP settings, so a ReadWriteOnce claim stays with the Deployment and nothing else
 *   needs to mount it. The Service picks one pod: cron runs once, not on every replica.
 * - `concurrencyPolicy: Forbid`: a slow run is never joined by the next one; WordPress's own
 *   cron lock guards the rest.
 * - The curl image (non-root, no token, read-only root) with `--fail`: a 5xx fails the run, which
 *   the Job history shows.
 */
export class WordPressCronJob extends Construct {
  /** The CronJob. */
  public readonly cronJob: k8s.KubeCronJob;
  /** Labels of its pods, for NetworkPolicies. */
  public readonly podSelector: Record<string, string>;
  /** Its one pod at a time, for namespace quotas. */
  public readonly budget: ResourceBudget;

  constructor(scope: Construct, id: string, props: WordPressCronJobProps) {
    super(scope, id);
    const schedule = checkCronSchedule('wordpress.cron.schedule', props.schedule ?? '*/5 * * * *');
    const timeout = props.timeoutSeconds ?? 300;
    if (!Number.isInteger(timeout) || timeout < 60 || timeout > 3600) {
      throw new InvalidPropError('wordpress.cron.timeoutSeconds', timeout, 'a whole number of seconds from 60 to 3600');
    }
    const image = checkImage('wordpress.cron.image', props.image ?? CURL.image);
    const labels = props.labels.withComponent('cron', 'wordpress');
    this.podSelector = labels.selector;
    this.budget = { pods: 1, perPod: RESOURCES, storageBytes: 0, claims: 0 };
    const name = `${props.name}-cron`;

    const serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name, labels: labels.all },
      automountServiceAccountToken: false,
    });
    this.cronJob = new k8s.KubeCronJob(this, 'cron-job', {
      metadata: { name, labels: labels.all },
      spec: {
        schedule,
        concurrencyPolicy: 'Forbid',
        // A run the controller missed by more than a minute is skipped: the next one catches up.
        startingDeadlineSeconds: 60,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: labels.all },
          spec: {
            // The next scheduled run is the retry.
            backoffLimit: 0,
            activeDeadlineSeconds: timeout + 30,
            template: {
              metadata: { labels: labels.all },
              spec: {
                serviceAccountName: serviceAccount.name,
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                restartPolicy: 'Never',
                securityContext: restrictedPodSecurityContext(CURL.identity),
                containers: [{
                  name: 'wp-cron',
                  image,
                  imagePullPolicy: 'IfNotPresent',
                  command: ['curl'],
                  args: [
                    '--fail', '--silent', '--show-error', '--output', '/dev/null',
                    '--max-time', String(timeout),
                    ...(props.host ? ['--header', `Host: ${props.host}`] : []),
                    `http://${props.serviceName}/wp-cron.php?doing_wp_cron`,
                  ],
                  resources: toResourceRequirements(RESOURCES),
                  securityContext: restrictedContainerSecurityContext(CURL.identity),
                }],
              },
            },
          },
        },
      },
    });
  }
}
