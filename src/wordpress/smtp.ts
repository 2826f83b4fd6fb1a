import { checkDnsSubdomain, checkInteger, checkOneOf } from '../common/checks';
import { InvalidPropError } from '../common/errors';
import { phpString } from './site-config';

/** How the connection to the SMTP server is encrypted. */
export type SmtpEncryption = 'starttls' | 'tls' | 'none';

/** Outgoing mail through an SMTP server (the image has no sendmail). */
export interface SmtpOptions {
  /** Host name of the SMTP server, e.g. `email-smtp.eu-west-1.amazonaws.com` for Amazon SES. */
  readonly host: string;
  /** TCP port. @default - 587 with `starttls`, 465 with `tls`, 25 with `none` */
  readonly port?: number;
  /** `starttls` (upgrade a plain connection, port 587), `tls` (TLS from the start, port 465) or `none`. @default 'starttls' */
  readonly encryption?: SmtpEncryption;
  /** Secret you create with the keys `username` and `password`; mounted as files, read by PHP. @default - no authentication */
  readonly credentialsSecret?: string;
  /** Sender address of every mail, which the server must accept (on SES: a verified identity). */
  readonly fromAddress: string;
  /** Sender name. @default - WordPress's own ('WordPress') */
  readonly fromName?: string;
  /** Address ranges the server is in, for WordPress's egress NetworkPolicy. @default - public addresses only, as the internet egress */
  readonly destinationCidrs?: string[];
}

/** SMTP settings, checked. */
export interface CheckedSmtp {
  /** The options as given. */
  readonly options: SmtpOptions;
  /** The TCP port. */
  readonly port: number;
  /** The wp-config.php constants the must-use plugin reads. */
  readonly configLines: string[];
}

/** Where the credentials Secret is mounted. */
export const SMTP_CREDENTIALS_DIR = '/etc/wordpress/smtp';
/** File name of the must-use plugin in `wp-content/mu-plugins/`. */
export const SMTP_PLUGIN_FILE = 'cdk8s-wordpress-smtp.php';

const DEFAULT_PORTS: Record<SmtpEncryption, number> = { starttls: 587, tls: 465, none: 25 };
// PHPMailer's names: 'tls' upgrades with STARTTLS, 'ssl' is TLS from the first byte.
const PHPMAILER_SECURE: Record<SmtpEncryption, string> = { starttls: 'tls', tls: 'ssl', none: '' };
const EMAIL = /^[A-Za-z0-9.!#$%&*+/=?^_`{|}~-]+@([^@]+)$/;

/** Checks the SMTP options (errors name `prop`) and renders the constants for wp-config.php. */
export function checkSmtp(prop: string, options: SmtpOptions): CheckedSmtp {
  checkDnsSubdomain(`${prop}.host`, options.host);
  const encryption = checkOneOf(`${prop}.encryption`, options.encryption ?? 'starttls', ['starttls', 'tls', 'none']);
  const port = checkInteger(`${prop}.port`, options.port ?? DEFAULT_PORTS[encryption], 1, 65535);
  if (options.credentialsSecret !== undefined) {
    checkDnsSubdomain(`${prop}.credentialsSecret`, options.credentialsSecret);
    if (encryption === 'none') {
      throw new InvalidPropError(`${prop}.encryption`, encryption, "'starttls' or 'tls' when credentialsSecret is set: the password would cross the network in clear text");
    }
  }
  const address = typeof options.fromAddress === 'string' ? EMAIL.exec(options.fromAddress) : null;
  const allowedAddress = 'an e-mail address such as wordpress@example.com';
  if (!address || options.fromAddress.length > 254) throw new InvalidPropError(`${prop}.fromAddress`, options.fromAddress, allowedAddress);
  try {
    checkDnsSubdomain(`${prop}.fromAddress`, address[1]);
  } catch {
    throw new InvalidPropError(`${prop}.fromAddress`, options.fromAddress, allowedAddress);
  }
  if (options.fromName !== undefined && (typeof options.fromName !== 'string' || !/^[^\x00-\x1f\x7f]{1,100}$/.test(options.fromName))) {
    throw new InvalidPropError(`${prop}.fromName`, options.fromName, '1-100 characters without line breaks or other control characters');
  }
  const define = (name: string, value: string): string => `define(${phpString(name)}, ${value});`;
  const configLines = [
    define('CDK8S_SMTP_HOST', phpString(options.host)),
    define('CDK8S_SMTP_PORT', String(port)),
    define('CDK8S_SMTP_SECURE', phpString(PHPMAILER_SECURE[encryption])),
    define('CDK8S_SMTP_FROM', phpString(options.fromAddress)),
    ...(options.fromName !== undefined ? [define('CDK8S_SMTP_FROM_NAME', phpString(options.fromName))] : []),
    ...(options.credentialsSecret !== undefined ? [define('CDK8S_SMTP_CREDENTIALS_DIR', phpString(SMTP_CREDENTIALS_DIR))] : []),
  ];
  return { options, port, configLines };
}

/**
 * The must-use plugin: points WordPress's PHPMailer at the server the `CDK8S_SMTP_*` constants name,
 * reading the credentials from the mounted Secret files at send time (never from the environment).
 * Without the constants it does nothing, so a copy left behind after SMTP is turned off is inert.
 */
export const SMTP_PLUGIN = `<?php
/**
 * Plugin Name: SMTP (cdk8s-wordpress-eks)
 * Description: Sends WordPress mail through the SMTP server set in the site's manifests (wordpress.smtp). Managed by the deployment: edits are overwritten at the next start.
 */

if (!defined('ABSPATH') || !defined('CDK8S_SMTP_HOST')) {
	return;
}

add_action('phpmailer_init', static function ($mailer) {
	$mailer->isSMTP();
	$mailer->Host = CDK8S_SMTP_HOST;
	$mailer->Port = CDK8S_SMTP_PORT;
	$mailer->SMTPSecure = CDK8S_SMTP_SECURE;
	$mailer->SMTPAutoTLS = CDK8S_SMTP_SECURE !== '';
	if (defined('CDK8S_SMTP_CREDENTIALS_DIR')) {
		$username = @file_get_contents(CDK8S_SMTP_CREDENTIALS_DIR . '/username');
		$password = @file_get_contents(CDK8S_SMTP_CREDENTIALS_DIR . '/password');
		if ($username === false || $password === false) {
			error_log('cdk8s-wordpress-smtp: cannot read the SMTP credentials in ' . CDK8S_SMTP_CREDENTIALS_DIR);
			return;
		}
		$mailer->SMTPAuth = true;
		$mailer->Username = rtrim($username, "\\r\\n");
		$mailer->Password = rtrim($password, "\\r\\n");
	}
});

add_filter('wp_mail_from', static function () {
	return CDK8S_SMTP_FROM;
});

// wp_mail() only returns false; the reason goes to the pod's output (the image logs PHP errors to stderr).
add_action('wp_mail_failed', static function ($error) {
	error_log('cdk8s-wordpress-smtp: ' . $error->get_error_message());
});

if (defined('CDK8S_SMTP_FROM_NAME')) {
	add_filter('wp_mail_from_name', static function () {
		return CDK8S_SMTP_FROM_NAME;
	});
}
`;
