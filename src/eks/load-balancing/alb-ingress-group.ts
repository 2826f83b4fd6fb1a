import { InvalidPropError } from '../../common/errors';

const PREFIX = 'alb.ingress.kubernetes.io/';

/**
 * Annotations the AWS Load Balancer Controller applies to the whole ALB of an IngressGroup
 * (MergeBehavior "Exclusive" in its annotation reference): set on one Ingress, they change every
 * other Ingress of the group, e.g. `ssl-redirect` turns every HTTP listener into a redirect.
 */
export const ALB_GROUP_WIDE_ANNOTATIONS: readonly string[] = [
  'load-balancer-name', 'ip-address-type', 'scheme', 'subnets', 'security-groups', 'customer-owned-ipv4-pool',
  'load-balancer-attributes', 'wafv2-acl-arn', 'waf-acl-id', 'shield-advanced-protection', 'ssl-redirect',
  'inbound-cidrs', 'ssl-policy',
].map((name) => `${PREFIX}${name}`);

/** One Ingress of an IngressGroup, with the prop path its annotations come from. */
export interface AlbGroupMember {
  /** Where the user configured this Ingress, e.g. `sites[2].ingress`. */
  readonly prop: string;
  /** Its annotations. */
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * Checks that the Ingresses of each IngressGroup agree on every group-wide annotation: all set it
 * to the same value, or none sets it. The controller would otherwise let whichever Ingress sets it
 * decide for the others (an HTTPS redirect for a site without certificate, another site's WAF, ...).
 */
export function checkAlbGroupsConsistent(members: readonly AlbGroupMember[]): void {
  const groups = new Map<string, AlbGroupMember[]>();
  for (const member of members) {
    const group = member.annotations[`${PREFIX}group.name`];
    if (group === undefined) continue;
    groups.set(group, [...(groups.get(group) ?? []), member]);
  }
  for (const [group, ingresses] of groups) {
    const [first, ...others] = ingresses;
    for (const key of ALB_GROUP_WIDE_ANNOTATIONS) {
      const expected = first.annotations[key];
      for (const other of others) {
        const value = other.annotations[key];
        if (value !== expected) {
          throw new InvalidPropError(`${other.prop}.annotations.${key}`, value,
            `${expected === undefined ? 'no value' : JSON.stringify(expected)}, as on ${first.prop}: ${key} applies to the whole ALB of IngressGroup "${group}", so every Ingress of the group must agree`);
        }
      }
    }
  }
}
