import { UnixIdentity } from './common/security-context';

/**
 * The public images this library runs, pinned, with the facts about each image that the
 * manifests depend on. Change a tag here and every construct follows.
 */
export interface ImageFacts {
  /** Pinned reference. */
  readonly image: string;
  /** Non-root identity the image supports. */
  readonly identity: UnixIdentity;
}

/** Official MySQL 8.4 LTS (Oracle Linux 9). Entrypoint drops to mysql = 999:999 when root; runs as-is when not. */
export const MYSQL: ImageFacts = {
  image: 'mysql:8.4.11',
  identity: { uid: 999, gid: 999 },
};

/** Official WordPress, Apache variant on PHP 8.3. Apache workers run as www-data = 33:33. */
export const WORDPRESS: ImageFacts = {
  image: 'wordpress:7.1.1-php8.3-apache',
  identity: { uid: 33, gid: 33 },
};

/**
 * The curl project's image (Alpine with busybox). Its USER is the name `curl_user`, which the kubelet
 * cannot check against runAsNonRoot, so the numeric ids (100:101) are set explicitly.
 */
export const CURL: ImageFacts = {
  image: 'curlimages/curl:8.20.0',
  identity: { uid: 100, gid: 101 },
};
