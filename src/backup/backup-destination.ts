import { checkDnsSubdomain } from '../common/checks';
import { ClaimStorage } from '../common/claim-spec';
import { InvalidPropError } from '../common/errors';
import { IWorkloadIdentity } from '../identity/workload-identity-interface';

/** A claim in the site's namespace that holds the backups. */
export interface ClaimDestinationOptions extends ClaimStorage {
  /** Size of the claim. @default '20Gi' */
  readonly size?: string;
}

/** An S3 bucket on AWS, reached with an IAM identity of the backup pods only. */
export interface S3DestinationOptions {
  /** Bucket name. */
  readonly bucket: string;
  /** AWS region of the bucket, e.g. `eu-west-1`. */
  readonly region: string;
  /** Key prefix; each site's backups go under `<prefix><site>/<time>/`. @default 'wordpress-backups/' */
  readonly prefix?: string;
  /** IAM identity of the backup pods: `WorkloadIdentity.irsa(roleArn)` or `WorkloadIdentity.podIdentity(roleArn)`. */
  readonly identity: IWorkloadIdentity;
}

/** Any S3-compatible endpoint (MinIO, Cloudflare R2, Ceph RGW, ...), with keys from a Secret. */
export interface S3CompatibleDestinationOptions {
  /** Endpoint URL, `https://host[:port]` (or `http://` inside a trusted network); path-style requests. */
  readonly endpoint: string;
  /** Bucket name. */
  readonly bucket: string;
  /** Region the endpoint signs for (R2: `auto`). @default 'us-east-1' */
  readonly region?: string;
  /** Key prefix. @default 'wordpress-backups/' */
  readonly prefix?: string;
  /** Secret in the site's namespace with the keys `access-key-id` and `secret-access-key`. */
  readonly credentialsSecret: string;
  /** Address ranges of the endpoint, for the backup pods' NetworkPolicy. @default - public addresses only */
  readonly cidrs?: string[];
}

/** Where backups are written, resolved for the manifests. */
export interface ResolvedDestination {
  /** `claim` or `s3`. */
  readonly kind: 'claim' | 's3';
  /** The claim's storage, for `claim`. @default - none: not a claim */
  readonly claim?: ClaimDestinationOptions;
  /** URL that object keys are appended to, for `s3`. @default - none: not S3 */
  readonly s3Base?: string;
  /** Signing region, for `s3`. @default - none: not S3 */
  readonly region?: string;
  /** Key prefix (ends in `/` or is empty), for `s3`. @default - none: not S3 */
  readonly prefix?: string;
  /** Secret with the keys, for an S3-compatible endpoint. @default - none: an IAM identity or a claim */
  readonly credentialsSecret?: string;
  /** IAM identity, for AWS S3. @default - none: keys or a claim */
  readonly identity?: IWorkloadIdentity;
  /** TCP port of the endpoint, for `s3`. @default - none: not S3 */
  readonly port?: number;
  /** Address ranges of the endpoint. @default - public addresses */
  readonly cidrs?: string[];
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9-]{1,32}$/;
const PREFIX = /^(?:[A-Za-z0-9!_.*'()-]+\/)*$/;

/** Where backups go: a retained claim (the default), S3 on AWS, or an S3-compatible endpoint. */
export abstract class BackupDestination {
  /**
   * A claim in the site's namespace (the default). It protects against a dropped table or a bad
   * plugin, not against losing the volume's zone or the cluster: use S3 for that.
   */
  public static claim(options: ClaimDestinationOptions = {}): BackupDestination {
    return new Fixed({ kind: 'claim', claim: options });
  }

  /** An S3 bucket on AWS, with an IAM identity (IRSA or Pod Identity) of the backup pods only. */
  public static s3(options: S3DestinationOptions): BackupDestination {
    const bucket = checkBucket('backup.destination.bucket', options.bucket);
    const region = checkRegion('backup.destination.region', options.region);
    if (!options.identity) {
      throw new InvalidPropError('backup.destination.identity', options.identity, 'WorkloadIdentity.irsa(roleArn) or WorkloadIdentity.podIdentity(roleArn)');
    }
    return new Fixed({
      kind: 's3',
      s3Base: `https://${bucket}.s3.${region}.amazonaws.com`,
      region,
      prefix: checkPrefix('backup.destination.prefix', options.prefix ?? 'wordpress-backups/'),
      identity: options.identity,
      port: 443,
    });
  }

  /** Any S3-compatible endpoint with an access key and secret key from a Secret. */
  public static s3Compatible(options: S3CompatibleDestinationOptions): BackupDestination {
    let url: URL | undefined;
    try {
      url = new URL(options.endpoint);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.username) {
      throw new InvalidPropError('backup.destination.endpoint', options.endpoint, 'an http(s) URL of the endpoint without a path, e.g. https://minio.example.com:9000');
    }
    const bucket = checkBucket('backup.destination.bucket', options.bucket);
    return new Fixed({
      kind: 's3',
      s3Base: `${url.origin}/${bucket}`,
      region: checkRegion('backup.destination.region', options.region ?? 'us-east-1'),
      prefix: checkPrefix('backup.destination.prefix', options.prefix ?? 'wordpress-backups/'),
      credentialsSecret: checkDnsSubdomain('backup.destination.credentialsSecret', options.credentialsSecret),
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      cidrs: options.cidrs,
    });
  }

  /** The destination as the manifests need it. */
  public abstract resolve(): ResolvedDestination;
}

class Fixed extends BackupDestination {
  constructor(private readonly resolved: ResolvedDestination) {
    super();
  }

  public resolve(): ResolvedDestination {
    return this.resolved;
  }
}

function checkBucket(prop: string, value: string): string {
  if (typeof value !== 'string' || !BUCKET.test(value)) {
    throw new InvalidPropError(prop, value, 'an S3 bucket name: 3-63 lower-case letters, digits, dots and hyphens');
  }
  return value;
}

function checkRegion(prop: string, value: string): string {
  if (typeof value !== 'string' || !REGION.test(value)) {
    throw new InvalidPropError(prop, value, 'a region such as eu-west-1 (lower-case letters, digits and hyphens)');
  }
  return value;
}

function checkPrefix(prop: string, value: string): string {
  if (typeof value !== 'string' || !PREFIX.test(value)) {
    throw new InvalidPropError(prop, value, "a key prefix of path segments each ending in '/', e.g. backups/ or team/wordpress/ (or '' for none)");
  }
  return value;
}
