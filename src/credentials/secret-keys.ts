/** Names of the two Secrets the workloads read their credentials from. */
export interface CredentialSecretNames {
  /** Secret with the keys of `DATABASE_SECRET_KEYS`. */
  readonly database: string;
  /** Secret with the keys of `WORDPRESS_KEYS_SECRET_KEYS`. */
  readonly wordpressKeys: string;
  /** Secret with the key of `REDIS_SECRET_KEYS`, for `wordpress.objectCache`. @default - none: no object cache */
  readonly redis?: string;
  /** Secret with the keys of `METRICS_SECRET_KEYS`, for the MySQL metrics exporter. @default - none: no MySQL metrics */
  readonly metrics?: string;
}

/** Key of the Redis Secret: the password Redis requires and WordPress's object cache sends. */
export const REDIS_SECRET_KEYS = {
  /** The password (`requirepass`); no spaces, double quotes or backslashes in one you supply. */
  password: 'password',
} as const;

/** Keys of the metrics Secret: the password of the exporter's own MySQL user. */
export const METRICS_SECRET_KEYS = {
  /** Password of the `exporter` MySQL user (printable ASCII without quotes, backslash, `#`, `;` or spaces). */
  password: 'password',
} as const;

/**
 * Keys of the database Secret. MySQL reads them through `MYSQL_*_FILE`, WordPress through
 * `WORDPRESS_DB_*_FILE`; a user-supplied Secret must carry all four.
 */
export const DATABASE_SECRET_KEYS = {
  /** Name of the WordPress database (created on first initialisation). */
  database: 'database',
  /** The application user WordPress connects as. */
  username: 'username',
  /** That user's password. */
  password: 'password',
  /** The MySQL root password (root may only log in from localhost). */
  rootPassword: 'root-password',
} as const;

/**
 * Keys of the WordPress keys-and-salts Secret, each mapped to the image variable whose `_FILE`
 * variant reads it. They must be identical on every replica, or users get logged out.
 */
export const WORDPRESS_KEYS_SECRET_KEYS: Readonly<Record<string, string>> = {
  'auth-key': 'WORDPRESS_AUTH_KEY',
  'secure-auth-key': 'WORDPRESS_SECURE_AUTH_KEY',
  'logged-in-key': 'WORDPRESS_LOGGED_IN_KEY',
  'nonce-key': 'WORDPRESS_NONCE_KEY',
  'auth-salt': 'WORDPRESS_AUTH_SALT',
  'secure-auth-salt': 'WORDPRESS_SECURE_AUTH_SALT',
  'logged-in-salt': 'WORDPRESS_LOGGED_IN_SALT',
  'nonce-salt': 'WORDPRESS_NONCE_SALT',
};
