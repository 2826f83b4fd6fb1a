import { InvalidPropError } from '../common/errors';
import { ALB_INGRESS_CLASS } from '../eks/load-balancing/alb-ingress';
import { IngressOptions } from './wordpress-ingress';

/** What the proxy in front of WordPress must let through. */
export interface ProxyLimits {
  /** The largest request body PHP accepts (`post_max_size`), in bytes. */
  readonly bodyBytes: number;
  /** How long PHP may work on one request (`max_execution_time`), in seconds. */
  readonly executionSeconds: number;
}

const NGINX = 'nginx.ingress.kubernetes.io/';
const ALB_ATTRIBUTES = 'alb.ingress.kubernetes.io/load-balancer-attributes';
const ALB_IDLE_TIMEOUT = 'idle_timeout.timeout_seconds';
/** ingress-nginx and the ALB both wait 60 s by default; never go below it. */
const DEFAULT_PROXY_TIMEOUT = 60;
/** Time for Apache to hand PHP's answer on after PHP's own limit. */
const PROXY_TIMEOUT_MARGIN = 10;
const MIB = 2 ** 20;

/** Seconds the proxy waits for WordPress: PHP's limit plus a margin, never below the proxies' default. */
export function proxyTimeoutSeconds(limits: ProxyLimits): number {
  return Math.max(DEFAULT_PROXY_TIMEOUT, limits.executionSeconds + PROXY_TIMEOUT_MARGIN);
}

/**
 * The Ingress options with the proxy's body-size and timeout settings raised to PHP's limits, so an
 * upload PHP accepts is not refused (ingress-nginx allows 1m bodies by default) or cut off by the
 * proxy first. An ALB (class `alb`) has no body limit; its idle timeout is a load balancer attribute.
 * Any other class gets the ingress-nginx annotations, which other controllers ignore. A value the
 * user set is kept when it allows at least as much, and refused when it would cut PHP short.
 */
export function withProxyLimits(ingress: IngressOptions, limits: ProxyLimits): IngressOptions {
  const annotations = { ...ingress.annotations };
  const timeout = proxyTimeoutSeconds(limits);
  if (ingress.className === ALB_INGRESS_CLASS) {
    const attributes = (annotations[ALB_ATTRIBUTES] ?? '').split(',').filter((entry) => entry !== '');
    const idle = attributes.find((entry) => entry.startsWith(`${ALB_IDLE_TIMEOUT}=`));
    if (idle === undefined) {
      annotations[ALB_ATTRIBUTES] = [...attributes, `${ALB_IDLE_TIMEOUT}=${timeout}`].join(',');
    } else if (!(Number(idle.slice(ALB_IDLE_TIMEOUT.length + 1)) >= timeout)) {
      throw new InvalidPropError(`ingress.annotations["${ALB_ATTRIBUTES}"]`, annotations[ALB_ATTRIBUTES],
        `an ${ALB_IDLE_TIMEOUT} of at least ${timeout} (wordpress.php.maxExecutionTime ${limits.executionSeconds} s plus ${PROXY_TIMEOUT_MARGIN}), or none to have it set (eks.alb.loadBalancerAttributes sets it too)`);
    }
    return { ...ingress, annotations };
  }
  const bodySize = `${NGINX}proxy-body-size`;
  const given = annotations[bodySize];
  if (given === undefined) {
    annotations[bodySize] = `${Math.ceil(limits.bodyBytes / MIB)}m`;
  } else if (nginxSizeBytes(given) !== 0 && !(nginxSizeBytes(given) >= limits.bodyBytes)) {
    throw new InvalidPropError(`ingress.annotations["${bodySize}"]`, given,
      `at least ${Math.ceil(limits.bodyBytes / MIB)}m (wordpress.php.postMaxSize), 0 for no limit, or none to have it set`);
  }
  for (const key of [`${NGINX}proxy-read-timeout`, `${NGINX}proxy-send-timeout`]) {
    const value = annotations[key];
    if (value === undefined) {
      annotations[key] = String(timeout);
    } else if (!(/^\d+$/.test(value) && Number(value) >= timeout)) {
      throw new InvalidPropError(`ingress.annotations["${key}"]`, value,
        `seconds, at least ${timeout} (wordpress.php.maxExecutionTime ${limits.executionSeconds} s plus ${PROXY_TIMEOUT_MARGIN}), or none to have it set`);
    }
  }
  return { ...ingress, annotations };
}

/** Bytes of an nginx size (`8m`, `512k`, `1g`, bare bytes); NaN for anything else. */
function nginxSizeBytes(value: string): number {
  const match = /^(\d+)([kKmMgG]?)$/.exec(value);
  if (!match) return NaN;
  const factor = { '': 1, 'k': 2 ** 10, 'm': MIB, 'g': 2 ** 30 }[match[2].toLowerCase()] as number;
  return Number(match[1]) * factor;
}
