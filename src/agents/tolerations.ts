import { checkAnnotationKey, checkOneOf } from '../common/checks';
import { k8s } from '../common/k8s';

/** One taint to tolerate. */
export interface TaintToleration {
  /** Taint key. */
  readonly key: string;
  /** Taint value; omitted means any value. @default - any value */
  readonly value?: string;
  /** Taint effect. @default - every effect */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/**
 * Taints an agent tolerates. The DaemonSet controller already tolerates the node-condition taints
 * (not-ready, unreachable, pressure); custom taints need to be listed, or all tolerated.
 */
export class Tolerations {
  /** No custom taint: the agent skips tainted nodes. */
  public static none(): Tolerations {
    return new Tolerations([]);
  }

  /** Every taint: the agent runs on every selected node whatever its taints. */
  public static all(): Tolerations {
    return new Tolerations([{ operator: 'Exists' }]);
  }

  /** These taints. */
  public static of(taints: TaintToleration[]): Tolerations {
    return new Tolerations(taints.map((taint, i) => {
      checkAnnotationKey(`tolerations[${i}].key`, taint.key);
      if (taint.effect !== undefined) checkOneOf(`tolerations[${i}].effect`, taint.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
      return {
        key: taint.key,
        operator: taint.value === undefined ? 'Exists' : 'Equal',
        ...(taint.value !== undefined ? { value: taint.value } : {}),
        ...(taint.effect ? { effect: taint.effect } : {}),
      };
    }));
  }

  private constructor(
    /** The pod's tolerations. */
    public readonly tolerations: k8s.Toleration[],
  ) {}
}
