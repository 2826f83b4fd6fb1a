import { InvalidPropError } from '../../common/errors';
import { checkImage } from '../../common/checks';
import { checkAccountId, checkRegion } from '../aws-values';

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const REPOSITORY_PREFIX = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/** Options of an ECR pull-through cache. */
export interface EcrPullThroughCacheOptions {
  /** 12-digit AWS account of the registry. */
  readonly account: string;
  /** Region of the registry. */
  readonly region: string;
  /** Repository prefix of the Docker Hub rule. */
  readonly prefix: string;
  /** Repository prefix per other upstream registry host. @default - every image under `prefix` */
  readonly upstreamPrefixes?: Record<string, string>;
}

/**
 * Where every image is pulled from: a mirror or pull-through cache in front of the public registries.
 *
 * Mapping: Docker Hub official images gain `library/` (`mysql:8.4.11` ->
 * `PREFIX/library/mysql:8.4.11`, the path ECR pull-through caches use for Docker Hub), other Docker
 * Hub images keep their path (`curlimages/curl:8.20.0` -> `PREFIX/curlimages/curl:8.20.0`), and
 * images of other registries drop the registry host (`quay.io/prometheus/node-exporter:v1` ->
 * `PREFIX/prometheus/node-exporter:v1`). Tags and digests are kept.
 */
export class ImageRegistry {
  /**
   * An ECR pull-through cache: `ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX`. ECR keeps one rule
   * (one prefix) per upstream registry: `prefix` serves Docker Hub, `upstreamPrefixes` the others,
   * e.g. `{ 'public.ecr.aws': 'ecr-public', 'quay.io': 'quay' }`.
   */
  public static ecrPullThroughCache(options: EcrPullThroughCacheOptions): ImageRegistry {
    const account = checkAccountId('imageRegistry.account', options.account);
    const region = checkRegion('imageRegistry.region', options.region);
    const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    const host = `${account}.dkr.ecr.${region}.${suffix}`;
    const upstreams = Object.fromEntries(Object.entries(options.upstreamPrefixes ?? {}).map(([registry, prefix]) => {
      if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(registry) || !registry.includes('.')) {
        throw new InvalidPropError(`imageRegistry.upstreamPrefixes.${registry}`, registry, 'a registry host such as public.ecr.aws or quay.io');
      }
      return [registry, `${host}/${checkPrefix(`imageRegistry.upstreamPrefixes.${registry}`, prefix)}`];
    }));
    return new ImageRegistry(`${host}/${checkPrefix('imageRegistry.prefix', options.prefix)}`, upstreams);
  }

  /** Any registry and path, e.g. `registry.example.com/mirror`. */
  public static prefix(prefix: string): ImageRegistry {
    const slash = prefix.indexOf('/');
    const host = slash >= 0 ? prefix.slice(0, slash) : prefix;
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/.test(host) || !host.includes('.') && !host.includes(':')) {
      throw new InvalidPropError('imageRegistry.prefix', prefix, 'a registry host with a dot or a port, optionally followed by /path, e.g. registry.example.com/mirror');
    }
    if (slash >= 0) checkPrefix('imageRegistry.prefix', prefix.slice(slash + 1));
    return new ImageRegistry(prefix);
  }

  private constructor(
    /** Where Docker Hub images (and, without an upstream prefix, every image) are pulled from. */
    public readonly prefix: string,
    private readonly upstreams: Record<string, string> = {},
  ) {}

  /** The reference of `image` in this registry. */
  public rewrite(image: string): string {
    checkImage('image', image);
    const [first, ...rest] = image.split('/');
    const hasRegistry = rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
    if (hasRegistry && !DOCKER_HUB.has(first)) return `${this.upstreams[first] ?? this.prefix}/${rest.join('/')}`;
    const path = hasRegistry ? rest : [first, ...rest];
    return `${this.prefix}/${path.length === 1 ? 'library/' : ''}${path.join('/')}`;
  }
}

function checkPrefix(prop: string, prefix: string): string {
  if (typeof prefix !== 'string' || prefix.length > 200 || !REPOSITORY_PREFIX.test(prefix)) {
    throw new InvalidPropError(prop, prefix, 'a repository path of lower-case letters, digits, ".", "_", "-" and "/"');
  }
  return prefix;
}

/** The image to run: `given` or the `fallback` default, pulled through `registry` when there is one. */
export function resolveImage(registry: ImageRegistry | undefined, given: string | undefined, fallback: string): string {
  return registry ? registry.rewrite(given ?? fallback) : given ?? fallback;
}
