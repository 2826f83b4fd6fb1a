import { InvalidPropError } from '../common/errors';
import { REDIS_SECRET_KEYS } from '../credentials/secret-keys';
import { REDIS_PORT } from '../cache/redis';
import { checkExtensions, ObjectCacheClient } from './plugins-job';
import { phpString } from './site-config';
import { REDIS_PASSWORD_DIR } from './wordpress-environment';

/** The Redis Object Cache plugin by Till Krüss, pinned; it carries the `object-cache.php` drop-in. */
export const DEFAULT_OBJECT_CACHE_PLUGIN = 'redis-cache@2.6.3';

/**
 * The settings of the `redis-cache` drop-in: the Redis Service, the password read from the mounted
 * Secret file when wp-config.php runs (never an environment value), and Predis, the PHP client the
 * plugin ships (the official image has no phpredis extension). Timeouts of a second: a cache that
 * does not answer must not hold a page for long (the drop-in then falls back to no cache).
 */
export function objectCacheClient(prop: string, host: string, passwordSecret: string, plugin = DEFAULT_OBJECT_CACHE_PLUGIN): ObjectCacheClient {
  const [entry] = checkExtensions(prop, [plugin]);
  if (!entry.startsWith('redis-cache@')) {
    throw new InvalidPropError(prop, plugin, 'redis-cache@<version>: the Redis Object Cache plugin, whose drop-in these settings are for');
  }
  const passwordFile = `${REDIS_PASSWORD_DIR}/${REDIS_SECRET_KEYS.password}`;
  return {
    plugin: entry,
    passwordSecret,
    configLines: [
      `define('WP_REDIS_CLIENT', 'predis');`,
      `define('WP_REDIS_HOST', ${phpString(host)});`,
      `define('WP_REDIS_PORT', ${REDIS_PORT});`,
      `define('WP_REDIS_PASSWORD', rtrim((string) file_get_contents(${phpString(passwordFile)}), "\\r\\n"));`,
      `define('WP_REDIS_TIMEOUT', 1);`,
      `define('WP_REDIS_READ_TIMEOUT', 1);`,
    ],
  };
}
