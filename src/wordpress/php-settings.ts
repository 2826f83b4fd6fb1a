import { checkInteger } from '../common/checks';
import { InvalidPropError } from '../common/errors';
import { phpSizeBytes } from './site-config';

/** PHP limits, written to an ini file in the image's PHP `conf.d`. */
export interface PhpSettings {
  /** `upload_max_filesize`: the largest file one upload may be, PHP shorthand such as `64M`. @default '2M' (PHP's own) */
  readonly uploadMaxFilesize?: string;
  /** `post_max_size`: the largest request body, at least `uploadMaxFilesize`. @default - the larger of `uploadMaxFilesize` and 8M (PHP's own) */
  readonly postMaxSize?: string;
  /** `memory_limit` of one request, below the container's memory limit. @default '128M' (PHP's own) */
  readonly memoryLimit?: string;
  /** `max_execution_time` in seconds (1-3600); the Ingress or ALB timeouts follow it. @default 30 (PHP's own) */
  readonly maxExecutionTime?: number;
}

/** PHP limits with PHP's defaults filled in and every value checked. */
export interface CheckedPhpSettings {
  /** `upload_max_filesize`, PHP shorthand. */
  readonly uploadMaxFilesize: string;
  /** `post_max_size`, PHP shorthand. */
  readonly postMaxSize: string;
  /** `memory_limit`, PHP shorthand. */
  readonly memoryLimit: string;
  /** `max_execution_time` in seconds. */
  readonly maxExecutionTime: number;
  /** `post_max_size` in bytes: the request body the proxy in front must let through. */
  readonly postMaxSizeBytes: number;
  /** `memory_limit` in bytes. */
  readonly memoryLimitBytes: number;
}

/** Where the official php images read extra ini files; `zz-` sorts it after the image's own. */
export const PHP_CONF_DIR = '/usr/local/etc/php/conf.d';
/** The ini file this library adds there. */
export const PHP_INI_FILE = 'zz-wordpress.ini';

/** Bytes of the `/tmp` emptyDir, where PHP spools request bodies and uploads in progress. */
export const UPLOAD_SPOOL_BYTES = 2 ** 30;

/**
 * Checks PHP limits against each other and against what the pod has: an upload fits in a request
 * body, a request body fits in `/tmp`, and PHP's memory fits in the container's memory limit.
 */
export function checkPhpSettings(prop: string, settings: PhpSettings, containerMemoryBytes: number): CheckedPhpSettings {
  const uploadMaxFilesize = settings.uploadMaxFilesize ?? '2M';
  const uploadBytes = phpSizeBytes(`${prop}.uploadMaxFilesize`, uploadMaxFilesize);
  const postMaxSize = settings.postMaxSize ?? (uploadBytes > 8 * 2 ** 20 ? uploadMaxFilesize : '8M');
  const postMaxSizeBytes = phpSizeBytes(`${prop}.postMaxSize`, postMaxSize);
  if (postMaxSizeBytes < uploadBytes) {
    throw new InvalidPropError(`${prop}.postMaxSize`, postMaxSize, `at least uploadMaxFilesize (${uploadMaxFilesize}): the upload travels inside the request body`);
  }
  if (postMaxSizeBytes > UPLOAD_SPOOL_BYTES) {
    throw new InvalidPropError(`${prop}.postMaxSize`, postMaxSize, 'at most 1G: PHP spools request bodies in the pod\'s 1Gi /tmp');
  }
  const memoryLimit = settings.memoryLimit ?? '128M';
  const memoryLimitBytes = phpSizeBytes(`${prop}.memoryLimit`, memoryLimit);
  checkBelowContainer(`${prop}.memoryLimit`, memoryLimit, memoryLimitBytes, containerMemoryBytes);
  const maxExecutionTime = checkInteger(`${prop}.maxExecutionTime`, settings.maxExecutionTime ?? 30, 1, 3600);
  return { uploadMaxFilesize, postMaxSize, memoryLimit, maxExecutionTime, postMaxSizeBytes, memoryLimitBytes };
}

/** One request may not take the container's whole memory limit: Apache and the other workers share it. */
export function checkBelowContainer(prop: string, value: unknown, bytes: number, containerMemoryBytes: number): void {
  if (bytes >= containerMemoryBytes) {
    throw new InvalidPropError(prop, value, `less than the container's memory limit (wordpress.resources.limits.memory, ${containerMemoryBytes / 2 ** 20}Mi): a request using it all gets the pod OOM-killed`);
  }
}

/** The ini file. */
export function renderPhpIni(settings: CheckedPhpSettings): string {
  return [
    '; Written by cdk8s-wordpress-eks from wordpress.php; the Ingress or ALB limits follow these values.',
    `upload_max_filesize = ${settings.uploadMaxFilesize}`,
    `post_max_size = ${settings.postMaxSize}`,
    `memory_limit = ${settings.memoryLimit}`,
    `max_execution_time = ${settings.maxExecutionTime}`,
    '',
  ].join('\n');
}
