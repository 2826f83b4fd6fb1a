import { quantityToNumber } from './checks';
import { ResolvedComputeResources } from './resources';

/** The most a component can hold at once: what a namespace quota has to leave room for. */
export interface ResourceBudget {
  /** Pods that can exist at the same time (replicas, autoscaling maximum, rollout surge). */
  readonly pods: number;
  /** Requests and limits of one pod. */
  readonly perPod: ResolvedComputeResources;
  /** Bytes of persistent storage requested. */
  readonly storageBytes: number;
  /** Number of PersistentVolumeClaims. */
  readonly claims: number;
}

/** Totals of several budgets, in base units (cores, bytes). */
export interface BudgetTotals {
  readonly pods: number;
  readonly requestsCpu: number;
  readonly requestsMemory: number;
  readonly limitsCpu: number;
  readonly limitsMemory: number;
  readonly storageBytes: number;
  readonly claims: number;
}

/** Adds budgets up. */
export function totalBudget(budgets: ResourceBudget[]): BudgetTotals {
  const sum = (f: (b: ResourceBudget) => number) => budgets.reduce((total, b) => total + f(b), 0);
  return {
    pods: sum((b) => b.pods),
    requestsCpu: sum((b) => b.pods * quantityToNumber(b.perPod.requests.cpu)),
    requestsMemory: sum((b) => b.pods * quantityToNumber(b.perPod.requests.memory)),
    limitsCpu: sum((b) => b.pods * quantityToNumber(b.perPod.limits.cpu)),
    limitsMemory: sum((b) => b.pods * quantityToNumber(b.perPod.limits.memory)),
    storageBytes: sum((b) => b.storageBytes),
    claims: sum((b) => b.claims),
  };
}
