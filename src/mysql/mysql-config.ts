import { InvalidPropError } from '../common/errors';
import { quantityToNumber } from '../common/checks';

/** Value of one `[mysqld]` option. */
export type MySqlOptionValue = string | number | boolean;

const MIB = 2 ** 20;
/** MySQL, its buffers and connections need headroom beyond the buffer pool. */
const MINIMUM_MEMORY_LIMIT = 512 * MIB;
const OPTION_NAME = /^[a-z][a-z0-9_-]*$/;

/**
 * How long binary logs stay. They serve only point-in-time recovery from the last backup (there are
 * no replicas): 3 days replays from a daily backup even after two missed runs. MySQL 8.4 keeps 30
 * days, which on the default 20Gi volume a busy site fills with logs alone.
 */
export const BINLOG_RETENTION_SECONDS = 3 * 24 * 3600;
/**
 * Size at which a binary log file rotates. Expiry removes whole files, at rotation and at startup:
 * 100M files (8.4's default is 1G) free space in small steps and bound the open file.
 */
export const MAX_BINLOG_SIZE_BYTES = 100 * MIB;

/**
 * Options the manifests depend on, or that would open the database up; keys are normalised names
 * (`_`, without the `loose_` prefix). `skip_`, `disable_` and `enable_` forms are caught through
 * the base name too (`skip-networking` is `networking`).
 */
const REJECTED_OPTIONS: Record<string, string> = {
  // Authentication off: anyone reaching 3306 is root.
  skip_grant_tables: 'it turns authentication off',
  grant_tables: 'it turns authentication off when disabled',
  // TCP is how WordPress and the readiness probe connect.
  skip_networking: 'it closes TCP, which WordPress and the readiness probe use',
  networking: 'it closes TCP, which WordPress and the readiness probe use',
  // The readiness probe connects to 127.0.0.1 and WordPress to the pod IP: mysqld must listen on both.
  bind_address: 'the readiness probe (127.0.0.1) and WordPress (pod IP) need mysqld on every address',
  // Service, container port, NetworkPolicies and probes all say 3306 (and 33060 for X Protocol).
  port: 'the Service, NetworkPolicies and probes use 3306',
  mysqlx_port: 'the container declares 33060',
  // The liveness probe and the entrypoint use /var/run/mysqld/mysqld.sock (a writable emptyDir).
  socket: 'the liveness probe and the image entrypoint use /var/run/mysqld/mysqld.sock',
  mysqlx_socket: 'only /var/run/mysqld is writable',
  pid_file: 'only /var/run/mysqld is writable (read-only root filesystem)',
  // Data must stay on the claim at /var/lib/mysql, or it lands on the read-only root or is lost.
  datadir: 'the data volume is mounted at /var/lib/mysql',
  innodb_data_home_dir: 'the data volume is mounted at /var/lib/mysql',
  innodb_log_group_home_dir: 'the data volume is mounted at /var/lib/mysql',
  innodb_undo_directory: 'the data volume is mounted at /var/lib/mysql',
  tmpdir: 'only /tmp is writable',
  basedir: 'the server binaries are where the image put them',
  plugin_dir: 'shared libraries are loaded only from the image',
  // The pod runs as mysql (999) non-root; mysqld must not try to switch users.
  user: 'the pod already runs as the unprivileged mysql user (999)',
  chroot: 'the image layout and volumes must stay visible',
  // Our default NULL forbids LOAD DATA INFILE / SELECT ... INTO OUTFILE on the server's files.
  secure_file_priv: 'NULL keeps server-side file import and export off (WordPress needs neither)',
  // SQL run with full privileges at every start, from a file outside the manifests.
  init_file: 'it runs SQL with full privileges at every start',
  // WordPress connects without TLS: requiring it locks WordPress (and the probe) out.
  require_secure_transport: 'WordPress connects without TLS',
};

/** `local_infile` may be turned off, not on: it lets a client read files through the server. */
const OFF_ONLY_OPTIONS = new Set(['local_infile']);
const ON_VALUES = new Set(['1', 'on', 'true', 'yes']);
const PREFIXES = /^(skip|disable|enable)_/;

/** An override's option name with `_` for `-`: as rendered, and without `loose_` to compare options. */
interface OptionName {
  readonly rendered: string;
  readonly option: string;
}

/**
 * The normalised name of an option, after checking that it is one the manifests tolerate.
 * MySQL treats `-` and `_` alike; `loose-` only makes an unknown option a warning, so it is kept.
 */
function checkedOptionName(name: string, value: MySqlOptionValue): OptionName {
  const prop = `mysql.configOverrides.${name}`;
  if (!OPTION_NAME.test(name)) {
    throw new InvalidPropError(prop, name, 'a mysqld option name of lower-case letters, digits, _ and -');
  }
  const normalised = name.replace(/-/g, '_');
  const unprefixed = normalised.replace(/^loose_/, '');
  const prefix = PREFIXES.exec(unprefixed)?.[1];
  const base = unprefixed.replace(PREFIXES, '');
  for (const candidate of [unprefixed, base]) {
    const reason = REJECTED_OPTIONS[candidate];
    if (reason) throw new InvalidPropError(prop, value, `an option other than ${candidate}: ${reason}`);
  }
  if (OFF_ONLY_OPTIONS.has(base)) {
    const on = prefix === 'enable' || (prefix === undefined && ON_VALUES.has(String(value).toLowerCase()));
    if (on) throw new InvalidPropError(prop, value, `${base} off (0 or OFF): on, it lets clients read files through the server`);
  }
  return { rendered: normalised, option: unprefixed };
}

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
    innodb_buffer_pool_size: `${Math.floor(limitBytes / 2 / MIB)}M`,
    innodb_flush_log_at_trx_commit: 1,
    innodb_file_per_table: 'ON',
    max_connections: 151,
    character_set_server: 'utf8mb4',
    collation_server: 'utf8mb4_0900_ai_ci',
    // Pod IPs change; reverse DNS for every connection only adds latency and failure modes.
    skip_name_resolve: 'ON',
    host_cache_size: 0,
    // LOAD DATA / SELECT INTO OUTFILE are not used by WordPress.
    secure_file_priv: 'NULL',
    binlog_expire_logs_seconds: BINLOG_RETENTION_SECONDS,
    max_binlog_size: `${MAX_BINLOG_SIZE_BYTES / MIB}M`,
  };
  // Normalised names, so `max-connections` replaces the default `max_connections` instead of
  // rendering both, and two spellings of one option are caught.
  const given = new Map<string, string>();
  for (const [name, value] of Object.entries(overrides)) {
    const { rendered, option } = checkedOptionName(name, value);
    if (given.has(option)) {
      throw new InvalidPropError(`mysql.configOverrides.${name}`, value, `one spelling per option (${given.get(option)} is the same option)`);
    }
    given.set(option, name);
    if (/[\r\n]/.test(String(value))) {
      throw new InvalidPropError(`mysql.configOverrides.${name}`, value, 'a single-line value');
    }
    delete options[option];
    options[rendered] = value;
  }
  const lines = Object.entries(options).map(([name, value]) => `${name} = ${String(value)}`);
  return ['# Rendered by cdk8s-wordpress-eks; read after /etc/my.cnf.', '[mysqld]', ...lines, ''].join('\n');
}
