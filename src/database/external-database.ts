import { Construct } from 'constructs';
// The custom resource bindings are loaded where they are used (the External Secrets ones are the
// largest files of the library): a site that needs none of them does not pay for loading them.
import type * as externalSecrets from '../../imports/externalsecret-external-secrets.io';
import type * as secretStores from '../../imports/secretstore-external-secrets.io';
import type * as securityGroupPolicies from '../../imports/securitygrouppolicy-vpcresources.k8s.aws';
import { CREATES_ANNOTATION } from '../common/annotations';
import { checkDnsSubdomain, checkInteger, checkOneOf } from '../common/checks';
import { InvalidPropError } from '../common/errors';
import { k8s } from '../common/k8s';
import { StandardLabels } from '../common/labels';
import { checkRegion, checkRoleArn } from '../eks/aws-values';
import { DatabaseEndpoint, DatabaseTls } from '../mysql/mysql';
import { ipBlocksOf } from '../network/internet-egress';
import { DB_CA_DIR, DB_TLS_INI } from '../wordpress/wordpress-environment';

/**
 * How WordPress protects its connection to the database.
 * - `verify-identity`: TLS, the server's certificate chain checked against `caBundle` and its name against `host`.
 * - `required`: TLS without any check of the server (encrypted, open to a man in the middle).
 * - `disabled`: plain TCP.
 */
export type DatabaseTlsMode = 'verify-identity' | 'required' | 'disabled';

/** A PEM bundle of certificate authorities in a ConfigMap of the site's namespace (for RDS and Aurora: `global-bundle.pem`). */
export interface CaBundleRef {
  /** Name of the ConfigMap. */
  readonly configMapName: string;
  /** Key holding the PEM bundle. @default 'ca.pem' */
  readonly key?: string;
}

/** Database credentials kept in AWS Secrets Manager, synced into the namespace by the External Secrets Operator. */
export interface SecretsManagerCredentials {
  /**
   * Name or ARN of the secret: a JSON object with `username` and `password`, the shape RDS writes
   * when it manages the master user password (`rds!cluster-...`), and the shape of the per-site
   * secrets of a shared Aurora cluster.
   */
  readonly secretId: string;
  /** AWS region of the secret. */
  readonly region: string;
  /**
   * IAM role the operator assumes for this site through IRSA (a ServiceAccount annotated with it,
   * whose token the operator exchanges); without it the operator uses its own identity, such as an
   * EKS Pod Identity association of its controller. @default - the operator's own identity
   */
  readonly roleArn?: string;
  /**
   * How often the operator re-reads the secret (a Go duration). A rotated password reaches the pods
   * within this interval plus the kubelet's Secret volume refresh (about a minute). @default '5m'
   */
  readonly refreshInterval?: string;
}

/** The network path to the database. */
export interface DatabaseNetwork {
  /** Address ranges the database listens in (the VPC, or its database subnets): the only egress WordPress gets on the database port. */
  readonly cidrs: string[];
  /**
   * Security groups (sg-...) given to the WordPress pods and the schema upgrade Job with a
   * SecurityGroupPolicy (security groups for pods, VPC CNI `ENABLE_POD_ENI`): put the one the
   * database admits here. @default - none: the nodes' security groups
   */
  readonly podSecurityGroupIds?: string[];
}

/** A MySQL-compatible database outside the cluster: Amazon RDS, Aurora MySQL, or any other. */
export interface ExternalDatabaseOptions {
  /** Host name (for Aurora: the cluster's writer endpoint). */
  readonly host: string;
  /** TCP port. @default 3306 */
  readonly port?: number;
  /** Name of the WordPress database on that server. @default 'wordpress' */
  readonly databaseName?: string;
  /** TLS mode. @default 'verify-identity' */
  readonly tls?: DatabaseTlsMode;
  /** The certificate authorities of `verify-identity`. @default - required with 'verify-identity' */
  readonly caBundle?: CaBundleRef;
  /** Credentials from AWS Secrets Manager. @default - the database Secret of `credentials` (e.g. Credentials.fromExistingSecrets) */
  readonly secretsManager?: SecretsManagerCredentials;
  /** Where the database is on the network. */
  readonly network: DatabaseNetwork;
}

/** Props of {@link ExternalDatabase}. */
export interface ExternalDatabaseProps extends ExternalDatabaseOptions {
  /** Prefix of object names (the release name). */
  readonly namePrefix: string;
  /** Labels of the release. */
  readonly labels: StandardLabels;
}

const HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8}([0-9a-f]{9})?$/;
const SECRET_ID = /^[A-Za-z0-9/_+=.@!:-]{1,2048}$/;
const MYSQL_NAME = /^[A-Za-z0-9_]{1,64}$/;

/**
 * The objects an external database needs in the site's namespace: the credentials Secret synced from
 * Secrets Manager (SecretStore + ExternalSecret), the pod security group (SecurityGroupPolicy),
 * and the TLS settings WordPress connects with. The NetworkPolicy egress to it is the chart's.
 */
export class ExternalDatabase extends Construct implements DatabaseEndpoint {
  public readonly host: string;
  public readonly port: number;
  public readonly tls?: DatabaseTls;
  /** Name of the WordPress database. */
  public readonly databaseName: string;
  /** The Secret the ExternalSecret writes (keys database, username, password), when Secrets Manager holds the credentials. */
  public readonly credentialsSecretName?: string;
  /** The database's address ranges, for NetworkPolicy egress. */
  public readonly ipBlocks: k8s.IpBlock[];
  private readonly podSecurityGroupIds: string[];
  private readonly namePrefix: string;
  private readonly labels: StandardLabels;

  constructor(scope: Construct, id: string, props: ExternalDatabaseProps) {
    super(scope, id);
    if (typeof props.host !== 'string' || !HOST.test(props.host)) {
      throw new InvalidPropError('externalDatabase.host', props.host, 'a DNS name such as mydb.cluster-abc.eu-west-1.rds.amazonaws.com');
    }
    this.host = props.host;
    this.port = checkInteger('externalDatabase.port', props.port ?? 3306, 1, 65535);
    this.databaseName = props.databaseName ?? 'wordpress';
    if (!MYSQL_NAME.test(this.databaseName)) throw new InvalidPropError('externalDatabase.databaseName', this.databaseName, '1-64 characters of A-Z, a-z, 0-9 and _');
    if (!props.network || !Array.isArray(props.network.cidrs) || props.network.cidrs.length === 0) {
      throw new InvalidPropError('externalDatabase.network.cidrs', props.network?.cidrs, 'at least one CIDR the database listens in, e.g. the VPC\'s 10.0.0.0/16');
    }
    this.ipBlocks = ipBlocksOf('externalDatabase.network.cidrs', props.network.cidrs);
    const labels = props.labels.withComponent('database', 'external');
    const tls = databaseTls(props.tls, props.caBundle);
    if (tls?.caBundle) {
      const phpIni = new k8s.KubeConfigMap(this, 'php-ini', {
        metadata: { name: `${props.namePrefix}-db-tls`, labels: labels.all },
        data: { [DB_TLS_INI]: `; The CA bundle mysqlnd verifies the database server against (MYSQL_CLIENT_FLAGS asks it to).\nopenssl.cafile = ${DB_CA_DIR}/${tls.caBundle.key}\n` },
      });
      this.tls = { ...tls, phpIniConfigMapName: phpIni.name };
    } else {
      this.tls = tls;
    }

    if (props.secretsManager) this.credentialsSecretName = this.syncCredentials(props.namePrefix, labels, props.secretsManager);
    this.podSecurityGroupIds = props.network.podSecurityGroupIds ?? [];
    this.podSecurityGroupIds.forEach((group, i) => {
      if (!SECURITY_GROUP.test(group)) throw new InvalidPropError(`externalDatabase.network.podSecurityGroupIds[${i}]`, group, 'a security group ID such as sg-0123456789abcdef0');
    });
    this.namePrefix = props.namePrefix;
    this.labels = labels;
  }

  /**
   * Gives the pods that talk to the database (each selector: one workload's pod labels) the
   * security groups of `network.podSecurityGroupIds`, when there are any.
   */
  public assignSecurityGroups(clients: Record<string, string>[]): void {
    if (this.podSecurityGroupIds.length === 0 || clients.length === 0) return;
    // One selector for all: the labels every client shares, and an In list for each that differs.
    const keys = [...new Set(clients.flatMap((c) => Object.keys(c)))].sort();
    const shared = keys.filter((k) => clients.every((c) => c[k] !== undefined && c[k] === clients[0][k]));
    const differing = keys.filter((k) => !shared.includes(k));
    const { SecurityGroupPolicy } = require('../../imports/securitygrouppolicy-vpcresources.k8s.aws') as typeof securityGroupPolicies;
    new SecurityGroupPolicy(this, 'security-group-policy', {
      metadata: { name: `${this.namePrefix}-database-clients`, labels: this.labels.all },
      spec: {
        podSelector: {
          matchLabels: Object.fromEntries(shared.map((k) => [k, clients[0][k]])),
          ...(differing.length ? { matchExpressions: differing.map((key) => ({ key, operator: 'In', values: [...new Set(clients.map((c) => c[key]))].sort() })) } : {}),
        },
        securityGroups: { groupIds: this.podSecurityGroupIds },
      },
    });
  }

  private syncCredentials(namePrefix: string, labels: StandardLabels, options: SecretsManagerCredentials): string {
    if (typeof options.secretId !== 'string' || !SECRET_ID.test(options.secretId)) {
      throw new InvalidPropError('externalDatabase.secretsManager.secretId', options.secretId, 'a Secrets Manager secret name or ARN');
    }
    const region = checkRegion('externalDatabase.secretsManager.region', options.region);
    const refreshInterval = options.refreshInterval ?? '5m';
    if (!GO_DURATION.test(refreshInterval)) {
      throw new InvalidPropError('externalDatabase.secretsManager.refreshInterval', refreshInterval, 'a duration such as 1m, 5m or 1h');
    }
    const name = `${namePrefix}-db-credentials`;
    const storeName = `${namePrefix}-secrets-manager`;
    let serviceAccount: string | undefined;
    if (options.roleArn !== undefined) {
      const roleArn = checkRoleArn('externalDatabase.secretsManager.roleArn', options.roleArn);
      // No pod runs as it: the operator requests a token for it and exchanges it for the role.
      serviceAccount = `${namePrefix}-secrets-reader`;
      new k8s.KubeServiceAccount(this, 'secrets-reader', {
        metadata: { name: serviceAccount, labels: labels.all, annotations: { 'eks.amazonaws.com/role-arn': roleArn } },
        automountServiceAccountToken: false,
      });
    }
    const { SecretStore, SecretStoreSpecProviderAwsService } = require('../../imports/secretstore-external-secrets.io') as typeof secretStores;
    const { ExternalSecret, ExternalSecretSpecSecretStoreRefKind, ExternalSecretSpecTargetCreationPolicy, ExternalSecretSpecTargetTemplateEngineVersion } =
      require('../../imports/externalsecret-external-secrets.io') as typeof externalSecrets;
    new SecretStore(this, 'secret-store', {
      metadata: { name: storeName, labels: labels.all },
      spec: {
        provider: {
          aws: {
            service: SecretStoreSpecProviderAwsService.SECRETS_MANAGER,
            region,
            ...(serviceAccount ? { auth: { jwt: { serviceAccountRef: { name: serviceAccount } } } } : {}),
          },
        },
      },
    });
    new ExternalSecret(this, 'external-secret', {
      // The operator writes the Secret: references to it are not dangling.
      metadata: { name, labels: labels.all, annotations: { [CREATES_ANNOTATION]: `Secret/${name}` } },
      spec: {
        refreshInterval,
        secretStoreRef: { name: storeName, kind: ExternalSecretSpecSecretStoreRefKind.SECRET_STORE },
        target: {
          name,
          creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
          // The keys WordPress reads (DATABASE_SECRET_KEYS); the database name is not a secret.
          template: {
            engineVersion: ExternalSecretSpecTargetTemplateEngineVersion.V2,
            data: { database: this.databaseName, username: '{{ .username }}', password: '{{ .password }}' },
          },
        },
        dataFrom: [{ extract: { key: options.secretId } }],
      },
    });
    return name;
  }
}

/**
 * The PHP settings of a TLS mode. WordPress core (wpdb::db_connect) passes only the constant
 * MYSQL_CLIENT_FLAGS to mysqli_real_connect and never calls mysqli_ssl_set, so a CA cannot reach
 * mysqlnd through the connection. With MYSQLI_CLIENT_SSL alone mysqlnd encrypts but verifies the
 * server only when a CA was set (never, here); the flag CLIENT_SSL_VERIFY_SERVER_CERT (1 << 30,
 * which PHP defines no constant for) makes it verify the chain and the host name, against PHP's
 * OpenSSL default CA file: `openssl.cafile`, set in a php.ini beside the image's own.
 */
function databaseTls(mode: DatabaseTlsMode | undefined, caBundle: CaBundleRef | undefined): DatabaseTls | undefined {
  const tls = checkOneOf('externalDatabase.tls', mode ?? 'verify-identity', ['verify-identity', 'required', 'disabled']);
  if (tls !== 'verify-identity' && caBundle) {
    throw new InvalidPropError('externalDatabase.caBundle', caBundle, "nothing unless tls is 'verify-identity' (nothing else checks the server)");
  }
  if (tls === 'disabled') return undefined;
  if (tls === 'required') return { clientFlags: 'MYSQLI_CLIENT_SSL | MYSQLI_CLIENT_SSL_DONT_VERIFY_SERVER_CERT' };
  if (!caBundle) {
    throw new InvalidPropError('externalDatabase.caBundle', caBundle,
      "a ConfigMap with the CA bundle (for RDS and Aurora: global-bundle.pem from https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem), or tls 'required'");
  }
  return {
    clientFlags: 'MYSQLI_CLIENT_SSL | 1073741824',
    caBundle: { configMapName: checkDnsSubdomain('externalDatabase.caBundle.configMapName', caBundle.configMapName), key: caBundle.key ?? 'ca.pem' },
  };
}
