import { Construct } from 'constructs';
import { checkDnsSubdomain, checkImage } from '../common/checks';
import { InvalidPropError } from '../common/errors';
import { EXTERNAL_REFS_ANNOTATION } from '../common/annotations';
import { StandardLabels } from '../common/labels';
import { ResourceBudget } from '../common/resource-budget';
import { CredentialsGenerator, GeneratedCredentialsOptions } from './credentials-generator';
import { CredentialSecretNames } from './secret-keys';
import { CURL } from '../images';

// Declared beside the keys, so that the generator does not depend back on this module.
export type { CredentialSecretNames } from './secret-keys';

/** Credentials made concrete inside one release. */
export interface BoundCredentials {
  /** Where the workloads find them. */
  readonly secretNames: CredentialSecretNames;
  /** Annotations for the workloads that mount them, declaring refs that are not in the output. */
  readonly workloadAnnotations: Record<string, string>;
  /** Pods the source runs in the namespace, for namespace quotas. @default - none */
  readonly budget?: ResourceBudget;
}

/** What a credentials source needs to know about the release it serves. */
export interface CredentialsBindOptions {
  /** Prefix of generated object names (the release name). */
  readonly namePrefix: string;
  /** Labels of the release. */
  readonly labels: StandardLabels;
  /** Maps an image to the registry it is pulled from. @default - images are used as they are */
  readonly rewriteImage?: (image: string) => string;
  /**
   * The database Secret another source writes (an external database's ExternalSecret): the source
   * provides only the WordPress keys. @default - the source provides both
   */
  readonly databaseSecretName?: string;
  /** Whether the release runs Redis (the object cache), which needs its own password. @default false */
  readonly redis?: boolean;
  /** The release runs the MySQL metrics exporter, whose user needs a password. @default false */
  readonly metricsPassword?: boolean;
}

/** Where database passwords and WordPress keys come from. No value ever lands in the manifests. */
export abstract class Credentials {
  /**
   * Random values created inside the cluster on first apply by a one-shot Job, never overwritten.
   * This is the default.
   */
  public static generated(options: GeneratedCredentialsOptions = {}): Credentials {
    return new GeneratedCredentials(options);
  }

  /** Secrets you create yourself (sealed-secrets, External Secrets Operator, `kubectl create secret`). */
  public static fromExistingSecrets(names: CredentialSecretNames): Credentials {
    return new ExistingCredentials({
      database: checkDnsSubdomain('credentials.database', names.database),
      wordpressKeys: checkDnsSubdomain('credentials.wordpressKeys', names.wordpressKeys),
      ...(names.redis !== undefined ? { redis: checkDnsSubdomain('credentials.redis', names.redis) } : {}),
      ...(names.metrics !== undefined ? { metrics: checkDnsSubdomain('credentials.metrics', names.metrics) } : {}),
    });
  }

  /** Creates whatever the source needs in `scope` and says where the Secrets are. */
  public abstract bind(scope: Construct, options: CredentialsBindOptions): BoundCredentials;
}

class GeneratedCredentials extends Credentials {
  constructor(private readonly options: GeneratedCredentialsOptions) {
    super();
  }

  public bind(scope: Construct, options: CredentialsBindOptions): BoundCredentials {
    // Checked before a registry rewrites it, so that the message shows the value the user wrote.
    const image = checkImage('credentials.image', this.options.image ?? CURL.image);
    const generator = new CredentialsGenerator(scope, 'credentials-generator', {
      ...this.options,
      image: options.rewriteImage ? options.rewriteImage(image) : image,
      namePrefix: options.namePrefix,
      labels: options.labels,
      databaseSecretName: options.databaseSecretName,
      redis: options.redis,
      metricsPassword: options.metricsPassword,
    });
    // The generating Job declares the Secrets it creates, so the workloads need no annotation.
    return { secretNames: generator.secretNames, workloadAnnotations: {}, budget: generator.budget };
  }
}

class ExistingCredentials extends Credentials {
  constructor(private readonly names: CredentialSecretNames) {
    super();
  }

  public bind(_scope: Construct, options: CredentialsBindOptions): BoundCredentials {
    if (options.redis && this.names.redis === undefined) {
      throw new InvalidPropError('credentials.redis', undefined, 'the name of a Secret with the key "password" when wordpress.objectCache is on');
    }
    const names = {
      database: options.databaseSecretName ?? this.names.database,
      wordpressKeys: this.names.wordpressKeys,
      ...(options.redis ? { redis: this.names.redis } : {}),
      ...(this.names.metrics !== undefined ? { metrics: this.names.metrics } : {}),
    };
    return {
      secretNames: names,
      workloadAnnotations: {
        [EXTERNAL_REFS_ANNOTATION]: Object.values(names).map((name) => `Secret/${name}`).join(','),
      },
    };
  }
}
