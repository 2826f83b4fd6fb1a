import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { InvalidPropError } from '../common/errors';
import { StandardLabels } from '../common/labels';
import { ResourceBudget } from '../common/resource-budget';
import { ResolvedComputeResources, toResourceRequirements } from '../common/resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../common/security-context';
import { WORDPRESS } from '../images';
import {
  CONFIG_EXTRA, CONTENT_DIR, coreCopyContainer, databaseClientAnnotations, databaseCredentialsVolume, databaseTlsVolumes, DB_CREDENTIALS_DIR,
  DOCUMENT_ROOT, REDIS_PASSWORD_DIR, redisPasswordVolume, wordPressEnvironment, WpCliJobProps,
} from './wordpress-environment';
import { hashedJob } from './hashed-job';

/** Plugins and themes from wordpress.org, each pinned as `slug@version`. */
export interface WordPressExtensions {
  /** Plugins to install at exactly that version and activate, e.g. `['akismet@5.3.3']`; one dropped from the list is deactivated. @default - none managed */
  readonly plugins?: string[];
  /** Themes to install at exactly that version (activating one stays an admin's choice), e.g. `['twentytwentyfour@1.2']`. @default - none managed */
  readonly themes?: string[];
}

/** What the pods running WordPress code need to use the Redis object cache. */
export interface ObjectCacheClient {
  /** The plugin, `redis-cache@<version>`. */
  readonly plugin: string;
  /** wp-config.php constants the plugin's drop-in reads. */
  readonly configLines: string[];
  /** Secret with the Redis password. */
  readonly passwordSecret: string;
}

/** Props of {@link PluginsJob}. */
export interface PluginsJobProps extends WordPressExtensions, WpCliJobProps {
  /** The content claim, mounted through its `wp-content/` directory as in the web pods. */
  readonly contentClaimName: string;
  /** Labels of the WordPress pods: with ReadWriteOnce content the Job runs on their node. @default - anywhere (ReadWriteMany) */
  readonly colocateWith?: Record<string, string>;
  /** Labels of the release; the Job is its `plugins` component. */
  readonly labels: StandardLabels;
  /** The Redis object cache: its plugin is installed, its drop-in enabled, and the Job's own writes go through it. @default - none */
  readonly objectCache?: ObjectCacheClient;
}

const RESOURCES: ResolvedComputeResources = {
  requests: { cpu: '50m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '512Mi' },
};
const TMP_DIR = '/tmp';
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$/;
const VERSION = /^[0-9][0-9A-Za-z.+-]{0,39}$/;
/** The option that remembers which plugins the Job manages, to deactivate the ones dropped. */
export const MANAGED_PLUGINS_OPTION = 'cdk8s_wordpress_managed_plugins';
/** The option that remembers the drop-in the Job enabled, to remove it when the cache is turned off. */
export const OBJECT_CACHE_OPTION = 'cdk8s_wordpress_object_cache';

/** `entries` as checked `slug@version` pairs, each slug once. */
export function checkExtensions(prop: string, entries: readonly string[]): string[] {
  if (!Array.isArray(entries)) throw new InvalidPropError(prop, entries, 'a list of slug@version entries such as akismet@5.3.3');
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const [slug, version, ...rest] = typeof entry === 'string' ? entry.split('@') : [];
    if (!slug || !SLUG.test(slug) || !version || !VERSION.test(version) || rest.length) {
      throw new InvalidPropError(`${prop}[${index}]`, entry,
        'slug@version as on wordpress.org, such as akismet@5.3.3: a lower-case slug of letters, digits and "-", and an exact version (no ranges, no "latest")');
    }
    if (seen.has(slug)) throw new InvalidPropError(`${prop}[${index}]`, entry, `a slug not already listed (${slug} is)`);
    seen.add(slug);
    return entry;
  });
}

/**
 * Installs the declared plugins and themes into wp-content with wp-cli, idempotently, whenever the
 * list (or an image) changes: its name carries a hash of its pod spec, like the database upgrade Job.
 *
 * - A plugin at another version (or missing) is installed at the pinned one; every listed plugin's
 *   files are then checked against the checksums wordpress.org publishes (`wp plugin verify-checksums`;
 *   a plugin without published checksums is skipped with a warning, a mismatch fails the Job), and it
 *   is activated. Themes are installed only: wordpress.org publishes no theme checksums, and which
 *   theme is active stays an admin's choice.
 * - The managed plugins are remembered in an option; one dropped from the list is deactivated, never
 *   deleted (its data and settings stay; the docs say how to delete it).
 * - It mounts the content claim. A ReadWriteOnce claim can only be attached on one node, so the Job
 *   runs on the node of the WordPress pod (pod affinity). wp-cli runs with plugins and themes
 *   unloaded, so a broken plugin cannot stop it.
 * - A site not installed yet has nothing to activate plugins on: the Job fails and retries with
 *   back-off for about 10 minutes.
 */
export class PluginsJob extends Construct {
  /** The Job. */
  public readonly job: k8s.KubeJob;
  /** Labels of the Job's pod, for NetworkPolicies. */
  public readonly podSelector: Record<string, string>;
  /** Its one pod, for namespace quotas. */
  public readonly budget: ResourceBudget;

  constructor(scope: Construct, id: string, props: PluginsJobProps) {
    super(scope, id);
    const listed = checkExtensions('wordpress.plugins', props.plugins ?? []);
    // The cache's plugin joins the list unless the user pinned it there themselves.
    const cachePlugin = props.objectCache?.plugin;
    const plugins = cachePlugin && !listed.some((entry) => entry.split('@')[0] === 'redis-cache') ? [...listed, cachePlugin] : listed;
    const themes = checkExtensions('wordpress.themes', props.themes ?? []);
    const labels = props.labels.withComponent('plugins', 'wordpress');
    this.podSelector = labels.selector;
    this.budget = { pods: 1, perPod: RESOURCES, storageBytes: 0, claims: 0 };
    const baseName = `${props.name}-plugins`;

    const serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: baseName, labels: labels.all },
      automountServiceAccountToken: false,
    });
    // wp-cli connects like the site does: with an external database over TLS, it verifies the server too.
    const tlsVolumes = databaseTlsVolumes(props.database);
    const podSpec: k8s.PodSpec = {
      serviceAccountName: serviceAccount.name,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      restartPolicy: 'OnFailure',
      securityContext: restrictedPodSecurityContext(WORDPRESS.identity),
      ...(props.colocateWith ? {
        affinity: {
          podAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [{
              labelSelector: { matchLabels: props.colocateWith },
              topologyKey: 'kubernetes.io/hostname',
            }],
          },
        },
      } : {}),
      initContainers: [coreCopyContainer(props.wordpressImage, RESOURCES)],
      containers: [{
        name: 'plugins',
        image: props.cliImage,
        imagePullPolicy: 'IfNotPresent',
        workingDir: DOCUMENT_ROOT,
        command: ['sh', '-c', pluginsScript()],
        env: [
          // With a cache, wp-cli uses it like the site does: options it changes must not stay stale in Redis.
          ...wordPressEnvironment(props.database, props.tablePrefix, false, [CONFIG_EXTRA, ...(props.objectCache?.configLines ?? [])].join('\n')),
          { name: 'HOME', value: TMP_DIR },
          { name: 'OBJECT_CACHE', value: props.objectCache ? 'redis-cache' : '' },
          { name: 'PLUGINS', value: plugins.join(' ') },
          { name: 'THEMES', value: themes.join(' ') },
        ],
        resources: toResourceRequirements(RESOURCES),
        securityContext: restrictedContainerSecurityContext(WORDPRESS.identity),
        volumeMounts: [
          { name: 'html', mountPath: DOCUMENT_ROOT },
          { name: 'content', mountPath: `${DOCUMENT_ROOT}/${CONTENT_DIR}`, subPath: CONTENT_DIR },
          { name: 'db-credentials', mountPath: DB_CREDENTIALS_DIR, readOnly: true },
          { name: 'tmp', mountPath: TMP_DIR },
          ...(props.objectCache ? [{ name: 'redis-password', mountPath: REDIS_PASSWORD_DIR, readOnly: true }] : []),
          ...tlsVolumes.mounts,
        ],
      }],
      volumes: [
        { name: 'html', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
        { name: 'content', persistentVolumeClaim: { claimName: props.contentClaimName } },
        databaseCredentialsVolume(props.credentials),
        // Downloads and their unpacked copies before they move into wp-content.
        { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
        ...(props.objectCache ? [redisPasswordVolume(props.objectCache.passwordSecret)] : []),
        ...tlsVolumes.volumes,
      ],
    };
    this.job = hashedJob(this, 'job', {
      baseName,
      labels: labels.all,
      annotations: databaseClientAnnotations(props.credentials, props.database),
      podSpec,
      backoffLimit: 6,
      activeDeadlineSeconds: 1800,
    });
  }
}

/**
 * POSIX sh for the CLI image, reading `PLUGINS` and `THEMES` (space-separated `slug@version`);
 * exported for tests that run it against a stand-in `wp`.
 */
export function pluginsScript(): string {
  return [
    'set -eu',
    'wp() { command wp --skip-plugins --skip-themes "$@"; }',
    'err="$HOME/is-installed.err"',
    'if ! wp core is-installed 2>"$err"; then',
    '  if [ -s "$err" ]; then cat "$err" >&2; fi',
    "  echo 'WordPress is not installed (or its database is unreachable) yet: retrying' >&2",
    '  exit 1',
    'fi',
    'managed=""',
    'for entry in $PLUGINS; do',
    '  slug="${entry%@*}"; version="${entry#*@}"',
    '  current="$(wp plugin get "$slug" --field=version 2>/dev/null || true)"',
    '  if [ "$current" != "$version" ]; then wp plugin install "$slug" --version="$version" --force; fi',
    '  wp plugin verify-checksums "$slug" --version="$version"',
    '  if ! wp plugin is-active "$slug"; then wp plugin activate "$slug"; fi',
    '  managed="$managed $slug"',
    'done',
    `for slug in $(wp option get ${MANAGED_PLUGINS_OPTION} 2>/dev/null || true); do`,
    '  case " $managed " in *" $slug "*) continue ;; esac',
    '  if wp plugin is-active "$slug"; then wp plugin deactivate "$slug"; fi',
    'done',
    `wp option update ${MANAGED_PLUGINS_OPTION} "\${managed# }" --autoload=no`,
    // The drop-in is the plugin's own file, refreshed so it matches the plugin's version; removed
    // (and the plugin then deactivated as dropped) when the cache is turned off.
    'dropin="wp-content/object-cache.php"',
    'if [ -n "${OBJECT_CACHE:-}" ]; then',
    '  source="wp-content/plugins/$OBJECT_CACHE/includes/object-cache.php"',
    '  cmp -s "$source" "$dropin" || cp "$source" "$dropin"',
    `  wp option update ${OBJECT_CACHE_OPTION} "$OBJECT_CACHE" --autoload=no`,
    `elif [ -n "$(wp option get ${OBJECT_CACHE_OPTION} 2>/dev/null || true)" ]; then`,
    '  rm -f "$dropin"',
    `  wp option delete ${OBJECT_CACHE_OPTION}`,
    'fi',
    // Whatever reached the database directly (this Job before its cache existed, the schema upgrade Job) is not served stale.
    'wp cache flush',
    'for entry in $THEMES; do',
    '  slug="${entry%@*}"; version="${entry#*@}"',
    '  current="$(wp theme get "$slug" --field=version 2>/dev/null || true)"',
    '  if [ "$current" != "$version" ]; then wp theme install "$slug" --version="$version" --force; fi',
    'done',
  ].join('\n');
}
