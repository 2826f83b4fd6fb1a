import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { StandardLabels } from '../common/labels';
import { ResourceBudget } from '../common/resource-budget';
import { ResolvedComputeResources, toResourceRequirements } from '../common/resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../common/security-context';
import { WORDPRESS } from '../images';
import { coreCopyContainer, databaseClientAnnotations, databaseCredentialsVolume, databaseTlsVolumes, DB_CREDENTIALS_DIR, DOCUMENT_ROOT, wordPressEnvironment, WpCliJobProps } from './wordpress-environment';
import { hashedJob } from './hashed-job';

/** Props of {@link DatabaseUpgradeJob}. */
export interface DatabaseUpgradeJobProps extends WpCliJobProps {
  /** Labels of the release; the Job is its `database-upgrade` component. */
  readonly labels: StandardLabels;
}

/** Longest name the Job may have: its pods carry it in a label value. */
const RESOURCES: ResolvedComputeResources = {
  requests: { cpu: '50m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};
const TMP_DIR = '/tmp';

/**
 * `wp core update-db` once per WordPress image: the schema upgrade a new core needs, which
 * WordPress otherwise leaves to an administrator clicking "Update WordPress Database".
 *
 * - Its name carries a hash of its pod spec, which holds the WordPress image: Job templates are
 *   immutable, so a new image is a new Job (and runs), the same image is the same Job (and does not).
 * - It needs core and MySQL, not the content claim: core is copied from the WordPress image the
 *   Deployment runs (the CLI image has none), so a ReadWriteOnce claim stays with the web pod.
 * - A site not installed yet has no schema to upgrade (the installer creates the current one): the
 *   Job succeeds without doing anything. A database it cannot reach fails it, and it retries.
 */
export class DatabaseUpgradeJob extends Construct {
  /** The Job. */
  public readonly job: k8s.KubeJob;
  /** Labels of the Job's pod, for NetworkPolicies. */
  public readonly podSelector: Record<string, string>;
  /** Its one pod, for namespace quotas. */
  public readonly budget: ResourceBudget;

  constructor(scope: Construct, id: string, props: DatabaseUpgradeJobProps) {
    super(scope, id);
    const labels = props.labels.withComponent('database-upgrade', 'wordpress');
    this.podSelector = labels.selector;
    this.budget = { pods: 1, perPod: RESOURCES, storageBytes: 0, claims: 0 };
    const baseName = `${props.name}-update-db`;

    const serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: baseName, labels: labels.all },
      automountServiceAccountToken: false,
    });
    const html = { name: 'html', mountPath: DOCUMENT_ROOT };
    const tlsVolumes = databaseTlsVolumes(props.database);
    const podSpec: k8s.PodSpec = {
      serviceAccountName: serviceAccount.name,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      restartPolicy: 'OnFailure',
      securityContext: restrictedPodSecurityContext(WORDPRESS.identity),
      initContainers: [coreCopyContainer(props.wordpressImage, RESOURCES)],
      containers: [{
        name: 'update-db',
        image: props.cliImage,
        imagePullPolicy: 'IfNotPresent',
        workingDir: DOCUMENT_ROOT,
        command: ['sh', '-c', updateDbScript()],
        env: [
          ...wordPressEnvironment(props.database, props.tablePrefix, false),
          // wp-cli keeps its cache under HOME, and the script its notes; the root filesystem is read-only.
          { name: 'HOME', value: TMP_DIR },
        ],
        resources: toResourceRequirements(RESOURCES),
        securityContext: restrictedContainerSecurityContext(WORDPRESS.identity),
        volumeMounts: [
          html,
          { name: 'db-credentials', mountPath: DB_CREDENTIALS_DIR, readOnly: true },
          { name: 'tmp', mountPath: TMP_DIR },
          ...tlsVolumes.mounts,
        ],
      }],
      volumes: [
        // WordPress core with its bundled themes is about 80 MB.
        { name: 'html', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
        databaseCredentialsVolume(props.credentials),
        { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
        ...tlsVolumes.volumes,
      ],
    };
    this.job = hashedJob(this, 'job', {
      baseName,
      labels: labels.all,
      annotations: databaseClientAnnotations(props.credentials, props.database),
      podSpec,
      // MySQL may still be initialising on a first install: restarts with back-off cover about 10 minutes.
      backoffLimit: 6,
      activeDeadlineSeconds: 900,
    });
  }
}

/**
 * POSIX sh for the CLI image; exported for tests that run it against a stand-in `wp`.
 * `wp core is-installed` exits 1 both for "not installed" (silently) and for a database it cannot
 * use (with an error on stderr): only the first means "nothing to do". Plugins and themes stay
 * unloaded: a broken plugin must not block the core schema upgrade.
 */
export function updateDbScript(): string {
  return [
    'set -u',
    'err="$HOME/is-installed.err"',
    'if wp core is-installed --skip-plugins --skip-themes 2>"$err"; then',
    '  exec wp core update-db --skip-plugins --skip-themes',
    'fi',
    'if [ -s "$err" ]; then cat "$err" >&2; exit 1; fi',
    "echo 'WordPress is not installed yet: the installer creates the current schema, nothing to upgrade'",
  ].join('\n');
}
