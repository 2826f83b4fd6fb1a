import { checkAnnotationKey } from '../common/checks';
import { InvalidPropError } from '../common/errors';
import { k8s } from '../common/k8s';

/** Which nodes run an agent: every Linux node, or a group chosen by labels or node affinity. */
export class NodeSelection {
  /** Every Linux node (the default). */
  public static allLinux(): NodeSelection {
    return new NodeSelection({ 'kubernetes.io/os': 'linux' });
  }

  /** Linux nodes carrying all of these labels, e.g. `{ 'eks.amazonaws.com/nodegroup': 'web' }`. */
  public static matchLabels(labels: Record<string, string>): NodeSelection {
    if (Object.keys(labels).length === 0) throw new InvalidPropError('nodes.matchLabels', labels, 'at least one label');
    for (const [key, value] of Object.entries(labels)) {
      checkAnnotationKey(`nodes.matchLabels.${key}`, key);
      if (!/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value) || value.length > 63) {
        throw new InvalidPropError(`nodes.matchLabels.${key}`, value, 'a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
      }
    }
    return new NodeSelection({ 'kubernetes.io/os': 'linux', ...labels });
  }

  /** Linux nodes matching any of these required node-affinity terms. */
  public static affinity(terms: k8s.NodeSelectorTerm[]): NodeSelection {
    if (terms.length === 0) throw new InvalidPropError('nodes.affinity', terms, 'at least one node selector term');
    return new NodeSelection({ 'kubernetes.io/os': 'linux' }, terms);
  }

  private constructor(
    /** The pod's nodeSelector. */
    public readonly nodeSelector: Record<string, string>,
    private readonly terms?: k8s.NodeSelectorTerm[],
  ) {}

  /** The pod's affinity, when terms were given. */
  public get affinity(): k8s.Affinity | undefined {
    return this.terms ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: this.terms } } } : undefined;
  }
}
