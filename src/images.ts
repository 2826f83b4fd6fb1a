import { checkImage } from './common/checks';
import { InvalidPropError } from './common/errors';
import { UnixIdentity } from './common/security-context';

/**
 * The public images this library runs, pinned, with the facts about each image that the
 * manifests depend on. Change a tag here and every construct follows.
 *
 * Defaults are pinned as `name:tag@sha256:<index digest>`: the tag says which version it is, the
 * digest (of the multi-arch index, so every node architecture resolves it) makes the pull
 * immutable. Each digest comment names the published record it was taken from and when; a
 * new tag needs a new digest from the same kind of record.
 */
export interface ImageFacts {
  /** Pinned reference, `name:tag@sha256:...` where a published digest exists. */
  readonly image: string;
  /** Non-root identity the image supports. */
  readonly identity: UnixIdentity;
}

/**
 * Official MySQL 8.4 LTS (Oracle Linux 9). Entrypoint drops to mysql = 999:999 when root; runs as-is when not.
 * Digest: docker-library/repo-info, repos/mysql/remote/8.4.11.md (commit 0f0c69aa, the build of
 * 2026-09-12), looked up 2026-12-01.
 */
export const MYSQL: ImageFacts = {
  image: 'mysql:8.4.11@sha256:85b9bf2e29cf836ecb8c2a15a935d4ba0c606631dff1dd79531a11983c638f2a',
  identity: { uid: 999, gid: 999 },
};

/**
 * Official WordPress, Apache variant on PHP 8.3. Apache workers run as www-data = 33:33.
 * Digest: docker-library/repo-info, repos/wordpress/remote/7.1.1-php8.3-apache.md (commit
 * 47d4a268, the build of 2026-09-19), looked up 2026-12-01.
 */
export const WORDPRESS: ImageFacts = {
  image: 'wordpress:7.1.1-php8.3-apache@sha256:eb039176b52f169c169b04d788a997646698432d69f7ef5252d9de96465b82d4',
  identity: { uid: 33, gid: 33 },
};

/**
 * Official WordPress CLI (wp-cli 2.12.0 on PHP 8.3, Alpine), for the database upgrade Job. Its own
 * user is www-data = 82 (Alpine); it only reads core and talks to MySQL, so it runs as WordPress's
 * 33:33 like the rest of the site. It carries no WordPress core: the Job copies core from the
 * WordPress image. Same PHP minor as WORDPRESS, so core runs under the PHP it is served with.
 * Digest: docker-library/repo-info, repos/wordpress/remote/cli-2.12.0-php8.3.md (commit
 * 4b8ebb92, the build of 2026-07-02), looked up 2026-12-01.
 */
export const WORDPRESS_CLI: ImageFacts = {
  image: 'wordpress:cli-2.12.0-php8.3@sha256:f8aeb68164c6a04f5dcc91da30d8ffa096b0f7fafb7a65f144c2dd62587caca0',
  identity: { uid: 33, gid: 33 },
};

/**
 * The curl project's image (Alpine with busybox). Its USER is the name `curl_user`, which the kubelet
 * cannot check against runAsNonRoot, so the numeric ids (100:101) are set explicitly.
 * Digest: no upstream record (curl/curl-container publishes none); the index digest that
 * independent public repositories pin for this tag (Renovate-managed Dockerfiles, e.g.
 * `FROM curlimages/curl:8.20.0@sha256:b3f1...`, found by code search), looked up 2026-12-01.
 */
export const CURL: ImageFacts = {
  image: 'curlimages/curl:8.20.0@sha256:b3f1fb2a51d923260350d21b8654bbc607164a987e2f7c84a0ac199a67df812a',
  identity: { uid: 100, gid: 101 },
};

/**
 * Official Redis 8.10 (Alpine), for the optional object cache. Its user is redis = 999 in group
 * redis = 1000; run as that identity the entrypoint does not switch users, and `redis-server` is
 * called directly with a config file.
 * Digest: docker-library/repo-info, repos/redis/remote/8.10.2-alpine.md (commit 0bdd9440, the build
 * of 2026-09-21), looked up 2026-12-01.
 */
export const REDIS: ImageFacts = {
  image: 'redis:8.10.2-alpine@sha256:72cedd9603038893af961e90ac5e1a1a0d8377d5e338dbdad8fe284ea25de18f',
  identity: { uid: 999, gid: 1000 },
};

/** The parts of an image reference. */
export interface ImageReference {
  /** Registry host, `docker.io` when the reference names none. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `library/mysql` or `prometheus/node-exporter`. */
  readonly repository: string;
  /** Tag. @default - none: the reference has a digest only */
  readonly tag?: string;
  /** `sha256:...` digest. @default - none: the reference has a tag only */
  readonly digest?: string;
}

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Splits a checked image reference (`checkImage`) into registry, repository, tag and digest. */
export function parseImage(prop: string, value: string): ImageReference {
  checkImage(prop, value);
  const at = value.indexOf('@');
  const digest = at >= 0 ? value.slice(at + 1) : undefined;
  const name = at >= 0 ? value.slice(0, at) : value;
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const tag = hasTag ? name.slice(colon + 1) : undefined;
  const [first, ...rest] = (hasTag ? name.slice(0, colon) : name).split('/');
  const hasRegistry = rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry && !DOCKER_HUB_HOSTS.has(first)) return { registry: first, repository: rest.join('/'), tag, digest };
  const path = hasRegistry ? rest : [first, ...rest];
  return { registry: 'docker.io', repository: path.length === 1 ? `library/${path[0]}` : path.join('/'), tag, digest };
}

/**
 * Whether `ref` is the Docker Hub image `name` (official, `library/NAME`) either directly or
 * through a mirror: a mirror keeps the path (`mirror.example.com/library/NAME`,
 * `…/docker-hub/library/NAME`) or copies it to its own (`registry.example.com/team/NAME`).
 * On Docker Hub itself only the official repository counts (`bitnami/NAME` is another image).
 */
function isOfficialImage(ref: ImageReference, name: string): boolean {
  const segments = ref.repository.split('/');
  if (segments[segments.length - 1] !== name) return false;
  return ref.registry !== 'docker.io' || ref.repository === `library/${name}`;
}

const MYSQL_SUPPORTED = 'the official mysql image of the 8.4 LTS line, with a tag: mysql:8.4 or mysql:8.4.N, '
  + 'optionally -oraclelinux9 or -oracle, optionally @sha256:<digest>, from Docker Hub or a mirror of it '
  + '(the my.cnf, probes and entrypoint handling are built for 8.4; 5.7, 8.0, 9.x, lts, MariaDB and Percona are not supported)';
const MYSQL_TAG = /^8\.4(?:\.\d+)?(?:-oraclelinux9|-oracle)?$/;

/** `value` if it is the official MySQL 8.4 image, by tag; the digest alone cannot show the version. */
export function checkMySqlImage(prop: string, value: string): string {
  const ref = parseImage(prop, value);
  if (!isOfficialImage(ref, 'mysql') || !ref.tag || !MYSQL_TAG.test(ref.tag)) {
    throw new InvalidPropError(prop, value, MYSQL_SUPPORTED);
  }
  return value;
}

const WORDPRESS_SUPPORTED = 'the official wordpress image in its Apache variant, with a tag: e.g. wordpress:7.1.1-php8.3-apache, '
  + 'wordpress:7.1-apache or wordpress:7.1.1, optionally @sha256:<digest>, from Docker Hub or a mirror of it '
  + '(the manifests rely on its WORDPRESS_*_FILE handling and Apache on :80; fpm and cli variants do not serve HTTP)';

/** `value` if it is the official WordPress image, Apache variant, by tag. */
export function checkWordPressImage(prop: string, value: string): string {
  const ref = parseImage(prop, value);
  if (!isOfficialImage(ref, 'wordpress') || !ref.tag || ref.tag === 'latest' || /(?:^|-)(?:fpm|cli)(?:-|$)/.test(ref.tag)) {
    throw new InvalidPropError(prop, value, WORDPRESS_SUPPORTED);
  }
  return value;
}

const WORDPRESS_CLI_SUPPORTED = 'the official wordpress image in its cli variant, with a tag: e.g. wordpress:cli-2.12.0-php8.3 '
  + 'or wordpress:cli-php8.3, optionally @sha256:<digest>, from Docker Hub or a mirror of it '
  + '(the database upgrade Job runs its `wp` command; the Apache and fpm variants have none)';

/** `value` if it is the official WordPress CLI image, by tag. */
export function checkWordPressCliImage(prop: string, value: string): string {
  const ref = parseImage(prop, value);
  if (!isOfficialImage(ref, 'wordpress') || !ref.tag || !/^cli(?:-|$)/.test(ref.tag)) {
    throw new InvalidPropError(prop, value, WORDPRESS_CLI_SUPPORTED);
  }
  return value;
}

const REDIS_SUPPORTED = 'the official redis image, 7.2 or later, with a tag: e.g. redis:8.10.2-alpine or redis:8.10, '
  + 'optionally @sha256:<digest>, from Docker Hub or a mirror of it (the config file, user 999 and the /data '
  + 'directory are those of the official image; Valkey, KeyDB and other publishers are not supported)';
const REDIS_TAG = /^(?:7\.(?:[2-9]|\d{2,})|[89]|\d{2,})(?:\.\d+)*(?:-(?:alpine|bookworm|trixie)[\d.]*)?$/;

/** `value` if it is the official Redis image at 7.2 or later, by tag. */
export function checkRedisImage(prop: string, value: string): string {
  const ref = parseImage(prop, value);
  if (!isOfficialImage(ref, 'redis') || !ref.tag || !REDIS_TAG.test(ref.tag)) {
    throw new InvalidPropError(prop, value, REDIS_SUPPORTED);
  }
  return value;
}
