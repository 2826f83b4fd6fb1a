import { InvalidPropError } from '../common/errors';
import { quantityToNumber } from '../common/checks';

/** Value of one `[mysqld]` option. */
export type MySqlOptionValue = string | number | boolean;

const MIB = 2 ** 20;
/** MySQL, its buffers and connections need headroom beyond the buffer pool. */
const MINIMUM_MEMORY_LIMIT = 512 * MIB;
const OPTION_NAME = /^[a-z][a-z0-9_-]*$/;

/**
 * The `[mysqld]` overrides mounted into `/etc/mysql/conf.d`, which the image's `/etc/my.cnf` includes.
 * The buffer pool takes half of the container's memory limit: InnoDB's own guidance for a dedicated
 * server, leaving room for per-connection buffers so the container is not OOM-killed.
 */
export function renderMySqlConfig(memoryLimit: string, overrides: Record<string, MySqlOptionValue> = {}): string {
  const limitBytes = quantityToNumber(memoryLimit);
  if (limitBytes < MINIMUM_MEMORY_LIMIT) {
    throw new InvalidPropError('mysql.resources.limits.memory', memoryLimit, 'at least 512Mi');
  }
  const options: Record<string, MySqlOptionValue> = {
    'innodb_buffer_pool_size': `${Math.floor(limitBytes / 2 / MIB)}M`,
    'innodb_flush_log_at_trx_commit': 1,
    'innodb_file_per_table': 'ON',
    'max_connections': 151,
    'character_set_server': 'utf8mb4',
    'collation_server': 'utf8mb4_0900_ai_ci',
    // Pod IPs change; reverse DNS for every connection only adds latency and failure modes.
    'skip_name_resolve': 'ON',
    'host_cache_size': 0,
    // LOAD DATA / SELECT INTO OUTFILE are not used by WordPress.
    'secure_file_priv': 'NULL',
    ...overrides,
  };
  const lines = Object.entries(options).map(([name, value]) => {
    if (!OPTION_NAME.test(name)) {
      throw new InvalidPropError(`mysql.configOverrides.${name}`, name, 'a mysqld option name of lower-case letters, digits, _ and -');
    }
    const text = String(value);
    if (/[\r\n]/.test(text)) {
      throw new InvalidPropError(`mysql.configOverrides.${name}`, value, 'a single-line value');
    }
    return `${name} = ${text}`;
  });
  return ['# Rendered by cdk8s-wordpress-eks; read after /etc/my.cnf.', '[mysqld]', ...lines, ''].join('\n');
}
