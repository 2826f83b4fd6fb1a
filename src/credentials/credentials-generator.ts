import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { CREATES_ANNOTATION } from '../common/annotations';
import { checkImage } from '../common/checks';
import { InvalidPropError } from '../common/errors';
import { contentHash } from '../common/content-hash';
import { StandardLabels } from '../common/labels';
import { ResourceBudget } from '../common/resource-budget';
import { namespaceOf } from '../common/namespace-of';
import { resolveResources, toResourceRequirements } from '../common/resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../common/security-context';
import { CURL } from '../images';
import { allowTraffic } from '../network/namespace-isolation';
import { checkPorts } from '../network/ports';
import { CredentialSecretNames, DATABASE_SECRET_KEYS, METRICS_SECRET_KEYS, REDIS_SECRET_KEYS, WORDPRESS_KEYS_SECRET_KEYS } from './secret-keys';

/** Options of generated credentials. */
export interface GeneratedCredentialsOptions {
  /** Name of the WordPress database. @default 'wordpress' */
  readonly databaseName?: string;
  /** MySQL user WordPress connects as. @default 'wordpress' */
  readonly username?: string;
  /** Image with `sh` and `curl` that runs the generator. @default 'curlimages/curl:8.20.0@sha256:b3f1fb2a51d923260350d21b8654bbc607164a987e2f7c84a0ac199a67df812a' */
  readonly image?: string;
  /**
   * TCP ports the API server itself listens on (not the `kubernetes` Service's 443): the generator's
   * NetworkPolicy allows only these, e.g. `[8443]` on minikube or `[16443]` on MicroK8s.
   * @default [443, 6443]
   */
  readonly apiServerPorts?: number[];
}

/** Props of {@link CredentialsGenerator}. */
export interface CredentialsGeneratorProps extends GeneratedCredentialsOptions {
  /** Prefix of object names (the release name). */
  readonly namePrefix: string;
  /** Labels of the release; the generator is its `credentials` component. */
  readonly labels: StandardLabels;
  /** A database Secret written by something else (an ExternalSecret): only the keys are generated. @default - both are generated */
  readonly databaseSecretName?: string;
  /** Also create the Redis password Secret (`<prefix>-redis`). @default false */
  readonly redis?: boolean;
  /** Also generate the password of the MySQL metrics exporter's user. @default false */
  readonly metricsPassword?: boolean;
}

const MYSQL_NAME = /^[A-Za-z0-9_]{1,64}$/;
const MYSQL_USER = /^[A-Za-z0-9_]{1,32}$/;
const PASSWORD_LENGTH = 32;
const SALT_LENGTH = 64;
const WORK_DIR = '/tmp';
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
// A dropped connection fails the attempt in bounded time, with a message; the Job's restarts retry.
const CONNECT_TIMEOUT_SECONDS = 10;
const MAX_TIME_SECONDS = 30;
/**
 * Where the API server listens: the `kubernetes` Service forwards :443 to it, and NetworkPolicies
 * see the forwarded port: 443 (EKS, GKE, AKS) or 6443 (kubeadm, kind, k3s).
 */
export const DEFAULT_API_SERVER_PORTS: readonly number[] = [443, 6443];

/**
 * A one-shot Job that creates the credential Secrets with random values on first apply.
 *
 * - It only ever POSTs: an existing Secret answers 409 and is left as it is, so re-applying,
 *   upgrading or re-running never rotates a password MySQL already stored.
 * - Its ServiceAccount may create Secrets (Kubernetes cannot scope `create` to a name) and read
 *   only the ones it creates (two; three with the Redis object cache); nothing else.
 * - Its name carries a hash of its pod spec: Job templates are immutable, so a changed generator is
 *   a new Job rather than a failed `kubectl apply`.
 */
export class CredentialsGenerator extends Construct {
  /** The Secrets this generator creates. */
  public readonly secretNames: CredentialSecretNames;
  /** The Job. */
  public readonly job: k8s.KubeJob;
  /** Labels of the generator pod, for NetworkPolicies. */
  public readonly podSelector: Record<string, string>;
  /** Its one pod, for namespace quotas. */
  public readonly budget: ResourceBudget;

  constructor(scope: Construct, id: string, props: CredentialsGeneratorProps) {
    super(scope, id);
    const databaseName = props.databaseName ?? 'wordpress';
    const username = props.username ?? 'wordpress';
    if (!MYSQL_NAME.test(databaseName)) {
      throw new InvalidPropError('credentials.databaseName', databaseName, '1-64 characters of A-Z, a-z, 0-9 and _');
    }
    if (!MYSQL_USER.test(username) || username === 'root') {
      throw new InvalidPropError('credentials.username', username, "1-32 characters of A-Z, a-z, 0-9 and _, not 'root'");
    }
    const namespace = namespaceOf(this, 'Generated credentials');
    const labels = props.labels.withComponent('credentials');
    this.podSelector = labels.selector;
    const generateDatabase = props.databaseSecretName === undefined;
    this.secretNames = {
      database: props.databaseSecretName ?? `${props.namePrefix}-db-credentials`,
      wordpressKeys: `${props.namePrefix}-keys`,
      ...(props.redis ? { redis: `${props.namePrefix}-redis` } : {}),
      ...(props.metricsPassword ? { metrics: `${props.namePrefix}-metrics-credentials` } : {}),
    };
    // Every Secret the Job writes: the database one only when no other source writes it.
    const created = Object.values(this.secretNames).filter((name) => generateDatabase || name !== this.secretNames.database);
    const name = `${props.namePrefix}-credentials-generator`;
    const apiEgressPolicy = `${name}-api-egress`;
    const apiServerPorts = checkPorts('credentials.apiServerPorts', props.apiServerPorts ?? DEFAULT_API_SERVER_PORTS);

    const serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name, labels: labels.all },
      automountServiceAccountToken: false,
    });
    const role = new k8s.KubeRole(this, 'role', {
      metadata: { name, labels: labels.all },
      rules: [
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: created,
          verbs: ['get'],
        },
      ],
    });
    new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata: { name, labels: labels.all },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount.name, namespace }],
    });

    const image = checkImage('credentials.image', props.image ?? CURL.image);
    const resources = resolveResources('credentials.resources', undefined, {
      requests: { cpu: '10m', memory: '16Mi' },
      limits: { cpu: '200m', memory: '64Mi' },
    });
    this.budget = { pods: 1, perPod: resources, storageBytes: 0, claims: 0 };
    const podSpec: k8s.PodSpec = {
      serviceAccountName: serviceAccount.name,
      // The only pod here that calls the Kubernetes API.
      automountServiceAccountToken: true,
      enableServiceLinks: false,
      restartPolicy: 'OnFailure',
      securityContext: restrictedPodSecurityContext(CURL.identity),
      containers: [{
        name: 'generate',
        image,
        imagePullPolicy: 'IfNotPresent',
        command: ['/bin/sh', '-c', generatorScript({ database: generateDatabase, redis: this.secretNames.redis !== undefined, metrics: this.secretNames.metrics !== undefined })],
        env: [
          ...(generateDatabase ? [{ name: 'DATABASE_SECRET_NAME', value: this.secretNames.database }] : []),
          { name: 'KEYS_SECRET_NAME', value: this.secretNames.wordpressKeys },
          ...(this.secretNames.redis ? [{ name: 'REDIS_SECRET_NAME', value: this.secretNames.redis }] : []),
          ...(this.secretNames.metrics ? [{ name: 'METRICS_SECRET_NAME', value: this.secretNames.metrics }] : []),
          ...(generateDatabase ? [{ name: 'DATABASE_NAME', value: databaseName }, { name: 'DATABASE_USER', value: username }] : []),
          { name: 'GENERATED_LABELS', value: JSON.stringify(secretLabels(labels)) },
          // For the message when the API server does not answer.
          { name: 'API_EGRESS_POLICY', value: apiEgressPolicy },
          { name: 'API_SERVER_PORTS', value: apiServerPorts.join(',') },
        ],
        securityContext: restrictedContainerSecurityContext(CURL.identity),
        resources: toResourceRequirements(resources),
        volumeMounts: [{ name: 'work', mountPath: WORK_DIR }],
      }],
      // Memory-backed: the generated values never touch the node's disk.
      volumes: [{ name: 'work', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } }],
    };
    this.job = new k8s.KubeJob(this, 'job', {
      metadata: {
        name: `${props.namePrefix}-credentials-${contentHash(podSpec, 8)}`,
        labels: labels.all,
        annotations: {
          [CREATES_ANNOTATION]: created.map((name) => `Secret/${name}`).join(','),
        },
      },
      spec: {
        backoffLimit: 6,
        activeDeadlineSeconds: 600,
        ttlSecondsAfterFinished: 86400,
        template: { metadata: { labels: labels.all }, spec: podSpec },
      },
    });
    // Any address: the API server is outside the pod network, and where depends on the cluster.
    allowTraffic(this, 'api-egress', {
      name: apiEgressPolicy,
      podSelector: this.podSelector,
      direction: 'Egress',
      ports: apiServerPorts,
      labels: labels.all,
    });
  }
}

/**
 * Generated Secrets carry the release's labels but not `part-of`, so that
 * `kubectl apply --prune -l app.kubernetes.io/part-of=...` can never select and delete them.
 */
function secretLabels(labels: StandardLabels): Record<string, string> {
  const { ['app.kubernetes.io/part-of']: _partOf, ...rest } = labels.all;
  return { ...rest, 'app.kubernetes.io/managed-by': 'credentials-generator' };
}

/**
 * Keys of the top-level `data` object of a JSON document whose values are non-empty strings, one a
 * line. A walk of the JSON structure, because the same names also appear as label names, in
 * annotations and in `managedFields`, where a text search would find them.
 */
const DATA_KEYS_AWK = [
  '{ json = json $0 "\\n" }',
  'END {',
  '  n = length(json); depth = 0; expect_key = 0',
  '  for (i = 1; i <= n; i++) {',
  '    c = substr(json, i, 1)',
  '    if (c == "\\"") {',
  '      j = i + 1',
  '      while (j <= n && substr(json, j, 1) != "\\"") j += (substr(json, j, 1) == "\\\\") ? 2 : 1',
  '      text = substr(json, i + 1, j - i - 1); i = j',
  '      if (expect_key) { key[depth] = text; expect_key = 0 }',
  '      else if (depth == 2 && kind[2] == "{" && key[1] == "data" && text != "") print key[2]',
  '    } else if (c == "{" || c == "[") { depth++; kind[depth] = c; expect_key = (c == "{") }',
  '    else if (c == "}" || c == "]") depth--',
  '    else if (c == ",") expect_key = (kind[depth] == "{")',
  '  }',
  '}',
].join('\n');

/**
 * POSIX sh for busybox: random values from /dev/urandom, one POST per Secret, 409 means keep.
 * The bearer token goes to curl in a header file, never on a command line (/proc/<pid>/cmdline).
 * Nothing prints a Secret's value.
 */
function generatorScript(generate: { readonly database: boolean; readonly redis: boolean; readonly metrics: boolean }): string {
  const databaseKeys = DATABASE_SECRET_KEYS;
  const saltKeys = Object.keys(WORDPRESS_KEYS_SECRET_KEYS);
  return [
    'set -eu',
    // Overridable only so that tests can run the script against a local API server, and not wait.
    `sa="\${SERVICE_ACCOUNT_DIR:-${SERVICE_ACCOUNT_DIR}}"`,
    `work="\${WORK_DIR:-${WORK_DIR}}"`,
    `connect_timeout="\${API_CONNECT_TIMEOUT:-${CONNECT_TIMEOUT_SECONDS}}"`,
    `max_time="\${API_MAX_TIME:-${MAX_TIME_SECONDS}}"`,
    // An IPv6 address needs brackets in a URL, or curl cannot parse it.
    'host="$KUBERNETES_SERVICE_HOST"',
    'case "$host" in *:*) host="[$host]" ;; esac',
    'api="https://$host:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/$(cat "$sa/namespace")/secrets"',
    'umask 077',
    'trap \'rm -f "$work/headers" "$work/body" "$work/response"\' EXIT',
    // printf is a shell builtin: the token is in no process's arguments.
    'printf \'Authorization: Bearer %s\\nContent-Type: application/json\\n\' "$(cat "$sa/token")" > "$work/headers"',
    `random() { head -c 4096 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c "$1"; }`,
    // $1 method, $2 URL, then more curl arguments; sets $code to the HTTP status, exits on a transport failure.
    'call() {',
    '  method="$1"; url="$2"; shift 2; status=0',
    '  code="$(curl -sS --connect-timeout "$connect_timeout" --max-time "$max_time" --cacert "$sa/ca.crt" -H @"$work/headers" \\',
    '    -o "$work/response" -w "%{http_code}" -X "$method" "$@" "$url")" || status=$?',
    '  [ "$status" = 0 ] && return 0',
    '  case "$status" in',
    '    28) echo "$method $url timed out (after ${connect_timeout}s to connect or ${max_time}s in all)" >&2 ;;',
    '    7) echo "$method $url could not connect" >&2 ;;',
    '    *) echo "$method $url failed (curl exit code $status)" >&2 ;;',
    '  esac',
    // A NetworkPolicy drops (timeout) or rejects (cannot connect) a port it does not allow.
    '  case "$status" in 7|28) echo "NetworkPolicy $API_EGRESS_POLICY allows $API_SERVER_PORTS: if the API server listens on another port' +
      ' (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes), add it to apiServerPorts of Credentials.generated()" >&2 ;; esac',
    '  exit 1',
    '}',
    `data_keys() { awk '${DATA_KEYS_AWK}' "$work/response"; }`,
    // $1 secret name, $2 JSON of stringData, remaining args: keys an existing Secret must have, with a value.
    'ensure() {',
    '  name="$1"; data="$2"; shift 2',
    `  printf '{"apiVersion":"v1","kind":"Secret","type":"Opaque","metadata":{"name":"%s","labels":%s},"stringData":%s}' "$name" "$GENERATED_LABELS" "$data" > "$work/body"`,
    '  call POST "$api" --data-binary @"$work/body"; rm -f "$work/body"',
    '  case "$code" in',
    '    201) echo "created Secret $name" ;;',
    '    409)',
    '      call GET "$api/$name"',
    '      [ "$code" = 200 ] || { echo "reading Secret $name failed with HTTP $code" >&2; cat "$work/response" >&2; exit 1; }',
    '      present="$(data_keys)"',
    '      for key in "$@"; do',
    '        printf \'%s\\n\' "$present" | grep -qxF -e "$key" || { echo "Secret $name exists but has no non-empty value for key $key" >&2; exit 1; }',
    '      done',
    '      echo "Secret $name already exists: left unchanged" ;;',
    '    *) echo "creating Secret $name failed with HTTP $code" >&2; cat "$work/response" >&2; exit 1 ;;',
    '  esac',
    '}',
    ...!generate.database ? [] : [`ensure "$DATABASE_SECRET_NAME" "{\\"${databaseKeys.database}\\":\\"$DATABASE_NAME\\",\\"${databaseKeys.username}\\":\\"$DATABASE_USER\\",`
      + `\\"${databaseKeys.password}\\":\\"$(random ${PASSWORD_LENGTH})\\",\\"${databaseKeys.rootPassword}\\":\\"$(random ${PASSWORD_LENGTH})\\"}" `
      + Object.values(databaseKeys).join(' ')],
    `ensure "$KEYS_SECRET_NAME" "{${saltKeys.map((key) => `\\"${key}\\":\\"$(random ${SALT_LENGTH})\\"`).join(',')}}" ${saltKeys.join(' ')}`,
    ...(generate.redis ? [`ensure "$REDIS_SECRET_NAME" "{\\"${REDIS_SECRET_KEYS.password}\\":\\"$(random ${PASSWORD_LENGTH})\\"}" ${REDIS_SECRET_KEYS.password}`] : []),
    // Only when metrics are on, so that a site without them keeps the same Job.
    ...(generate.metrics
      ? [`ensure "$METRICS_SECRET_NAME" "{\\"${METRICS_SECRET_KEYS.password}\\":\\"$(random ${PASSWORD_LENGTH})\\"}" ${METRICS_SECRET_KEYS.password}`]
      : []),
  ].join('\n');
}
