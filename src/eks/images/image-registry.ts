import { InvalidPropError } from '../../common/errors';
import { parseImage } from '../../images';
import { checkAccountId, checkRegion } from '../aws-values';

const REPOSITORY_PREFIX = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/**
 * The upstream registries an ECR pull-through cache rule can have besides Docker Hub (which
 * `prefix` serves). A rule for any other host cannot be created, so such a host is refused here
 * rather than failing at pull time.
 */
const ECR_UPSTREAMS = [/^public\.ecr\.aws$/, /^quay\.io$/, /^registry\.k8s\.io$/, /^ghcr\.io$/, /^registry\.gitlab\.com$/,
  /^[a-z0-9-]+\.azurecr\.io$/, /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/];
const ECR_UPSTREAMS_TEXT = 'public.ecr.aws, quay.io, registry.k8s.io, ghcr.io, registry.gitlab.com, NAME.azurecr.io or another ECR registry';

/** Options of an ECR pull-through cache. */
export interface EcrPullThroughCacheOptions {
  /** 12-digit AWS account of the registry. */
  readonly account: string;
  /** Region of the registry. */
  readonly region: string;
  /** Repository prefix of the Docker Hub rule. */
  readonly prefix: string;
  /**
   * Repository prefix of the rule per other upstream registry host, e.g.
   * `{ 'public.ecr.aws': 'ecr-public', 'quay.io': 'quay' }`. An image from a registry with no rule
   * fails the synth. @default - Docker Hub only
   */
  readonly upstreamPrefixes?: Record<string, string>;
}

/**
 * Where every image is pulled from: a mirror or pull-through cache in front of the public registries.
 *
 * Mapping: Docker Hub official images gain `library/` (`mysql:8.4.11` ->
 * `PREFIX/library/mysql:8.4.11`, the path ECR pull-through caches use for Docker Hub), other Docker
 * Hub images keep their path (`curlimages/curl:8.20.0` -> `PREFIX/curlimages/curl:8.20.0`), and
 * images of other registries drop the registry host (`quay.io/prometheus/node-exporter:v1` ->
 * `QUAY_PREFIX/prometheus/node-exporter:v1`). Tags and digests are kept (`name:tag@sha256:...`).
 */
export class ImageRegistry {
  /**
   * An ECR pull-through cache: `ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX`. ECR keeps one rule
   * (one prefix) per upstream registry: `prefix` serves Docker Hub, `upstreamPrefixes` the others,
   * e.g. `{ 'public.ecr.aws': 'ecr-public', 'quay.io': 'quay' }`. Every image must come from a
   * registry with a rule, or `rewrite` throws.
   */
  public static ecrPullThroughCache(options: EcrPullThroughCacheOptions): ImageRegistry {
    const account = checkAccountId('imageRegistry.account', options.account);
    const region = checkRegion('imageRegistry.region', options.region);
    const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    const host = `${account}.dkr.ecr.${region}.${suffix}`;
    const rules: Record<string, string> = { 'docker.io': `${host}/${checkPrefix('imageRegistry.prefix', options.prefix)}` };
    for (const [registry, prefix] of Object.entries(options.upstreamPrefixes ?? {})) {
      if (!ECR_UPSTREAMS.some((upstream) => upstream.test(registry))) {
        throw new InvalidPropError(`imageRegistry.upstreamPrefixes.${registry}`, registry,
          `a registry host an ECR pull-through rule can serve: ${ECR_UPSTREAMS_TEXT} (Docker Hub is served by imageRegistry.prefix)`);
      }
      rules[registry] = `${host}/${checkPrefix(`imageRegistry.upstreamPrefixes.${registry}`, prefix)}`;
    }
    return new ImageRegistry(rules);
  }

  /**
   * Any registry and path, e.g. `registry.example.com/mirror`, holding copies of every image
   * under the paths above (one namespace for all upstream registries).
   */
  public static prefix(prefix: string): ImageRegistry {
    const slash = prefix.indexOf('/');
    const host = slash >= 0 ? prefix.slice(0, slash) : prefix;
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/.test(host) || !host.includes('.') && !host.includes(':')) {
      throw new InvalidPropError('imageRegistry.prefix', prefix, 'a registry host with a dot or a port, optionally followed by /path, e.g. registry.example.com/mirror');
    }
    if (slash >= 0) checkPrefix('imageRegistry.prefix', prefix.slice(slash + 1));
    return new ImageRegistry({}, prefix);
  }

  /** Where Docker Hub images are pulled from. */
  public readonly prefix: string;

  private constructor(
    /** Where each upstream registry's images are pulled from (`docker.io` for Docker Hub). */
    private readonly rules: Record<string, string>,
    /** Where images of registries without a rule are pulled from; none: they are refused. */
    private readonly fallback?: string,
  ) {
    this.prefix = rules['docker.io'] ?? fallback!;
  }

  /** The reference of `image` in this registry; `prop` names where the image was given. */
  public rewrite(image: string, prop = 'image'): string {
    const ref = parseImage(prop, image);
    const target = this.rules[ref.registry] ?? this.fallback;
    if (target === undefined) {
      const configured = Object.entries(this.rules).map(([registry, to]) => `${registry} -> ${to}`).join(', ');
      throw new InvalidPropError('imageRegistry.upstreamPrefixes', image,
        `an image whose registry has a pull-through rule; ${ref.registry} has none (configured: ${configured}). `
        + `Add upstreamPrefixes: { '${ref.registry}': '<ECR prefix of its rule>' }, or give this image from a registry with a rule`);
    }
    return `${target}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
  }
}

function checkPrefix(prop: string, prefix: string): string {
  if (typeof prefix !== 'string' || prefix.length > 200 || !REPOSITORY_PREFIX.test(prefix)) {
    throw new InvalidPropError(prop, prefix, 'a repository path of lower-case letters, digits, ".", "_", "-" and "/"');
  }
  return prefix;
}

/**
 * The image to run: `given` or the `fallback` default, pulled through `registry` when there is one.
 * `prop` names where `given` was written, for errors.
 */
export function resolveImage(registry: ImageRegistry | undefined, given: string | undefined, fallback: string, prop?: string): string {
  return registry ? registry.rewrite(given ?? fallback, prop) : given ?? fallback;
}
