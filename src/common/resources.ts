import { k8s } from './k8s';
import { checkQuantity, quantityToNumber } from './checks';
import { InvalidPropError } from './errors';

/** CPU and memory amounts, as Kubernetes quantities. */
export interface ComputeAmounts {
  /** CPU, e.g. `250m` or `1`. @default - see the construct */
  readonly cpu?: string;
  /** Memory, e.g. `512Mi` or `1Gi`. @default - see the construct */
  readonly memory?: string;
}

/** Requests and limits of one container. */
export interface ComputeResources {
  /** What the scheduler reserves. @default - see the construct */
  readonly requests?: ComputeAmounts;
  /** The ceiling; memory over it gets the container OOM-killed. @default - see the construct */
  readonly limits?: ComputeAmounts;
}

/** Fully specified requests and limits after defaults are applied. */
export interface ResolvedComputeResources {
  readonly requests: Required<ComputeAmounts>;
  readonly limits: Required<ComputeAmounts>;
}

/** Merges user values over defaults, checks every quantity and that no request exceeds its limit. */
export function resolveResources(prop: string, given: ComputeResources | undefined, defaults: ResolvedComputeResources): ResolvedComputeResources {
  const resolved: ResolvedComputeResources = {
    requests: { ...defaults.requests, ...definedOnly(given?.requests) },
    limits: { ...defaults.limits, ...definedOnly(given?.limits) },
  };
  for (const kind of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory'] as const) {
      checkQuantity(`${prop}.${kind}.${resource}`, resolved[kind][resource]);
    }
  }
  for (const resource of ['cpu', 'memory'] as const) {
    if (quantityToNumber(resolved.requests[resource]) > quantityToNumber(resolved.limits[resource])) {
      throw new InvalidPropError(`${prop}.requests.${resource}`, resolved.requests[resource],
        `at most the limit ${resolved.limits[resource]} (${prop}.limits.${resource})`);
    }
  }
  return resolved;
}

/** The low-level form of resolved resources. */
export function toResourceRequirements(resources: ResolvedComputeResources): k8s.ResourceRequirements {
  return {
    requests: {
      cpu: k8s.Quantity.fromString(resources.requests.cpu),
      memory: k8s.Quantity.fromString(resources.requests.memory),
    },
    limits: {
      cpu: k8s.Quantity.fromString(resources.limits.cpu),
      memory: k8s.Quantity.fromString(resources.limits.memory),
    },
  };
}

function definedOnly(amounts: ComputeAmounts | undefined): ComputeAmounts {
  const out: { cpu?: string; memory?: string } = {};
  if (amounts?.cpu !== undefined) out.cpu = amounts.cpu;
  if (amounts?.memory !== undefined) out.memory = amounts.memory;
  return out;
}
