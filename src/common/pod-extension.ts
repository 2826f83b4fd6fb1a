import { k8s } from './k8s';
import { quantityToNumber } from './checks';
import { ResourceBudget } from './resource-budget';
import { ResolvedComputeResources } from './resources';

/**
 * What an optional feature adds to a workload's pod template: sidecars, init containers, volumes,
 * pod annotations, and mounts or arguments of the main container. The workload stays the one place
 * its pod is built; the feature only says what it needs.
 */
export interface PodExtension {
  /** Containers started before the main one. @default - none */
  readonly initContainers?: k8s.Container[];
  /** Containers beside the main one. @default - none */
  readonly containers?: k8s.Container[];
  /** Volumes of those containers (and `mainVolumeMounts`). @default - none */
  readonly volumes?: k8s.Volume[];
  /** Extra mounts of the main container. @default - none */
  readonly mainVolumeMounts?: k8s.VolumeMount[];
  /** Arguments of the main container, replacing the image's CMD. @default - the image's CMD */
  readonly mainArgs?: string[];
  /** Pod template annotations. @default - none */
  readonly annotations?: Record<string, string>;
  /** Requests and limits the added containers hold at once (init containers run before, not beside). @default - none */
  readonly resources?: ResolvedComputeResources;
}

/** `budget` with the extension's containers added to each pod. */
export function extendBudget(budget: ResourceBudget, extension: PodExtension | undefined): ResourceBudget {
  const added = extension?.resources;
  if (!added) return budget;
  const cpu = (a: string, b: string) => `${Math.round((quantityToNumber(a) + quantityToNumber(b)) * 1000)}m`;
  const memory = (a: string, b: string) => `${Math.round(quantityToNumber(a) + quantityToNumber(b))}`;
  const { requests, limits } = budget.perPod;
  return {
    ...budget,
    perPod: {
      requests: { cpu: cpu(requests.cpu, added.requests.cpu), memory: memory(requests.memory, added.requests.memory) },
      limits: { cpu: cpu(limits.cpu, added.limits.cpu), memory: memory(limits.memory, added.limits.memory) },
    },
  };
}
