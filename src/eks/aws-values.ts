import { InvalidPropError } from '../common/errors';

const PARTITION = '(aws|aws-cn|aws-us-gov)';
const REGION = '[a-z]{2}(-gov)?-[a-z]+-\\d';
const ACCOUNT = '\\d{12}';

function checkPattern(prop: string, value: string, pattern: RegExp, allowed: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new InvalidPropError(prop, value, allowed);
  return value;
}

/** An AWS region such as `eu-west-1`. */
export function checkRegion(prop: string, value: string): string {
  return checkPattern(prop, value, new RegExp(`^${REGION}$`), 'an AWS region such as eu-west-1');
}

/** An EKS cluster name: 1-100 letters, digits, hyphens and underscores, starting with a letter or digit. */
export function checkClusterName(prop: string, value: string): string {
  return checkPattern(prop, value, /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'an EKS cluster name: 1-100 letters, digits, "-" and "_", starting with a letter or digit');
}

/** A 12-digit AWS account id. */
export function checkAccountId(prop: string, value: string): string {
  return checkPattern(prop, value, new RegExp(`^${ACCOUNT}$`), 'a 12-digit AWS account id');
}

/** An ACM certificate ARN. */
export function checkCertificateArn(prop: string, value: string): string {
  return checkPattern(prop, value, new RegExp(`^arn:${PARTITION}:acm:${REGION}:${ACCOUNT}:certificate/[0-9a-f-]{36}$`),
    'an ACM certificate ARN: arn:aws:acm:REGION:ACCOUNT:certificate/UUID');
}

/** An IAM role ARN: partition, 12-digit account, optional path, name of 1-64 `[\w+=,.@-]`. */
export function checkRoleArn(prop: string, value: string): string {
  checkPattern(prop, value, new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:role/(?:[\\x21-\\x7e]*/)?[\\w+=,.@-]{1,64}$`),
    'an IAM role ARN: arn:aws|aws-cn|aws-us-gov:iam::ACCOUNT:role/[PATH/]NAME with a 12-digit account and a name of 1-64 characters of letters, digits and +=,.@_-');
  const path = value.slice(value.indexOf(':role/') + 5, value.lastIndexOf('/') + 1);
  if (path.length > 512) throw new InvalidPropError(prop, value, 'a role path of at most 512 characters');
  return value;
}

/** A KMS key ARN (or alias ARN). */
export function checkKmsKeyArn(prop: string, value: string): string {
  return checkPattern(prop, value, new RegExp(`^arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:(key/[0-9a-f-]{36}|alias/[\\w/-]+)$`),
    'a KMS key ARN: arn:aws:kms:REGION:ACCOUNT:key/UUID');
}

/** A regional WAFv2 web ACL ARN. */
export function checkWebAclArn(prop: string, value: string): string {
  return checkPattern(prop, value, new RegExp(`^arn:${PARTITION}:wafv2:${REGION}:${ACCOUNT}:regional/webacl/[\\w-]{1,128}/[0-9a-f-]{36}$`),
    'a regional WAFv2 web ACL ARN: arn:aws:wafv2:REGION:ACCOUNT:regional/webacl/NAME/ID');
}

/** An Elastic Load Balancing name: 1-32 letters, digits and hyphens, not starting or ending with a hyphen. */
export function checkLoadBalancerName(prop: string, value: string): string {
  return checkPattern(prop, value, /^(?!-)[A-Za-z0-9-]{1,32}(?<!-)$/, 'at most 32 letters, digits and hyphens, not starting or ending with a hyphen');
}

/** `key=value` pairs rendered as the controller expects: `k1=v1,k2=v2`. */
export function renderKeyValues(prop: string, values: Record<string, string | number | boolean>): string {
  return Object.entries(values).map(([key, value]) => {
    const text = String(value);
    if (!/^[^=,\s]+$/.test(key) || /[,=]/.test(text) || text === '') {
      throw new InvalidPropError(`${prop}.${key}`, value, 'a key and a non-empty value without "," or "="');
    }
    return `${key}=${text}`;
  }).join(',');
}
