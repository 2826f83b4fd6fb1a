import { checkDnsSubdomain, checkInteger } from '../common/checks';
import { InvalidPropError } from '../common/errors';

/** wp-config.php settings, evaluated by the official image from `WORDPRESS_CONFIG_EXTRA`. */
export interface WordPressConfigOptions {
  /**
   * `WP_HOME` and `WP_SITEURL`: `true` derives them from the chart's first Ingress host (`https://`
   * when the Ingress has TLS: `tlsSecretName` or ALB certificates), a string is the URL itself
   * (`https://blog.example.com`, no trailing slash). Pins the URL so a request's Host header cannot
   * change the links WordPress writes.
   * @default - not set: WordPress uses the URL stored by its installer
   */
  readonly siteUrl?: string | boolean;
  /** `FORCE_SSL_ADMIN`: logins and the dashboard only over HTTPS. @default - true when the site URL is https://, else false */
  readonly forceSslAdmin?: boolean;
  /** `WP_MEMORY_LIMIT`: what WordPress raises PHP's memory_limit to, PHP shorthand such as `256M`. @default - WordPress's own 40M (64M multisite), never below PHP's memory_limit */
  readonly memoryLimit?: string;
  /** `DISALLOW_FILE_EDIT`: no plugin and theme file editor in the dashboard. @default true */
  readonly disallowFileEdit?: boolean;
  /** `DISALLOW_FILE_MODS`: no plugin or theme installs or updates from the dashboard either. @default false */
  readonly disallowFileMods?: boolean;
  /** PHP lines appended verbatim after the generated ones: the explicit escape hatch, evaluated as code. @default - none */
  readonly extraLines?: string[];
}

/** The settings the construct adds on its own: the site URL the chart's Ingress serves, and whether cron runs elsewhere. */
export interface ConfigContext {
  /** The URL the chart derives from its Ingress, for `siteUrl: true`. */
  readonly ingressUrl?: string;
  /** `DISABLE_WP_CRON`: a CronJob runs due events, not page views. */
  readonly cronJob: boolean;
  /** Checked lines other settings add (SMTP), before `extraLines`. */
  readonly generatedLines?: string[];
}

/** What {@link renderConfigExtra} decided, for the parts of the site that depend on it. */
export interface RenderedConfig {
  /** The PHP the image evaluates. */
  readonly php: string;
  /** The pinned site URL, when there is one. */
  readonly siteUrl?: string;
  /** `WP_MEMORY_LIMIT` in bytes, when set. */
  readonly memoryLimitBytes?: number;
}

const URL_PATTERN = /^(https?):\/\/([^/:]+)(?::(\d+))?(\/[A-Za-z0-9._~%!$&()*+,;=:@/-]*)?$/;

/** `value` if it is an absolute http(s) URL with a DNS host name, optional port and path, no trailing slash. */
export function checkSiteUrl(prop: string, value: string): string {
  const match = typeof value === 'string' ? URL_PATTERN.exec(value) : null;
  const allowed = 'an absolute URL such as https://blog.example.com or https://example.com/blog: http or https, a DNS host name, '
    + 'an optional port and path, no trailing slash, query or fragment';
  if (!match || value.endsWith('/')) throw new InvalidPropError(prop, value, allowed);
  try {
    checkDnsSubdomain(prop, match[2]);
  } catch {
    throw new InvalidPropError(prop, value, allowed);
  }
  if (match[3] !== undefined) checkInteger(prop, Number(match[3]), 1, 65535);
  return value;
}

const PHP_SIZE = /^([1-9]\d{0,5})([KMG])$/;
const PHP_SIZE_FACTOR: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 };

/** Bytes of a PHP shorthand size (`64M`, `1G`); anything else is refused, so nothing else reaches php.ini or wp-config.php. */
export function phpSizeBytes(prop: string, value: string): number {
  const match = typeof value === 'string' ? PHP_SIZE.exec(value) : null;
  if (!match) throw new InvalidPropError(prop, value, 'a PHP size: a whole number followed by K, M or G, such as 64M or 1G');
  return Number(match[1]) * PHP_SIZE_FACTOR[match[2]];
}

/** A PHP single-quoted string literal of `value`: only `\` and `'` are special there, so both are escaped. */
export function phpString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function define(name: string, value: string | boolean): string {
  return `define(${phpString(name)}, ${typeof value === 'boolean' ? String(value) : phpString(value)});`;
}

/**
 * The PHP of `WORDPRESS_CONFIG_EXTRA`, which the image's wp-config.php evaluates after its own
 * settings. Every value is checked and quoted as a PHP string, so configuration cannot inject code;
 * `extraLines` is the one place that takes PHP as is.
 *
 * Core comes from the image at every start, so a core update WordPress installed itself would vanish
 * at the next restart while the schema it upgraded stayed: core moves only with the image tag, and
 * automatic core updates are always off.
 */
export function renderConfigExtra(prop: string, options: WordPressConfigOptions = {}, context: ConfigContext = { cronJob: false }): RenderedConfig {
  let siteUrl: string | undefined;
  if (options.siteUrl === true) {
    if (!context.ingressUrl) {
      throw new InvalidPropError(`${prop}.siteUrl`, true,
        'a URL such as https://blog.example.com, or true only with an Ingress whose first host is a name, not a wildcard and not anyHost');
    }
    siteUrl = context.ingressUrl;
  } else if (typeof options.siteUrl === 'string') {
    siteUrl = checkSiteUrl(`${prop}.siteUrl`, options.siteUrl);
  } else if (options.siteUrl !== undefined && options.siteUrl !== false) {
    throw new InvalidPropError(`${prop}.siteUrl`, options.siteUrl, 'true, false or a URL such as https://blog.example.com');
  }
  const forceSslAdmin = options.forceSslAdmin ?? siteUrl?.startsWith('https://') ?? false;
  if (forceSslAdmin && siteUrl?.startsWith('http://')) {
    throw new InvalidPropError(`${prop}.forceSslAdmin`, true, `false while the site URL is plain HTTP (${siteUrl}): the dashboard would redirect to an HTTPS address that does not answer`);
  }
  const memoryLimitBytes = options.memoryLimit === undefined ? undefined : phpSizeBytes(`${prop}.memoryLimit`, options.memoryLimit);
  const extraLines = options.extraLines ?? [];
  if (!Array.isArray(extraLines) || extraLines.some((line) => typeof line !== 'string')) {
    throw new InvalidPropError(`${prop}.extraLines`, extraLines, 'a list of PHP lines (strings)');
  }
  const lines = [
    define('WP_AUTO_UPDATE_CORE', false),
    define('DISALLOW_FILE_EDIT', options.disallowFileEdit ?? true),
    ...(options.disallowFileMods ? [define('DISALLOW_FILE_MODS', true)] : []),
    ...(siteUrl ? [define('WP_HOME', siteUrl), define('WP_SITEURL', siteUrl)] : []),
    ...(forceSslAdmin ? [define('FORCE_SSL_ADMIN', true)] : []),
    ...(options.memoryLimit !== undefined ? [define('WP_MEMORY_LIMIT', options.memoryLimit)] : []),
    ...(context.cronJob ? [define('DISABLE_WP_CRON', true)] : []),
    ...(context.generatedLines ?? []),
    ...extraLines,
  ];
  return { php: lines.join('\n'), siteUrl, memoryLimitBytes };
}
