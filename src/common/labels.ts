/** What the `app.kubernetes.io/*` labels of one component say. */
export interface StandardLabelsProps {
  /** `app.kubernetes.io/name`: the application, e.g. `mysql`. */
  readonly name: string;
  /** `app.kubernetes.io/instance`: the release this object belongs to. */
  readonly instance: string;
  /** `app.kubernetes.io/component`: its role, e.g. `database`. */
  readonly component: string;
  /** `app.kubernetes.io/part-of`: the larger application, used by `kubectl apply --prune -l`. */
  readonly partOf: string;
}

/** The recommended Kubernetes labels for one component of a release. */
export class StandardLabels {
  constructor(private readonly props: StandardLabelsProps) {}

  /** The immutable subset used in selectors: it must never change after the first apply. */
  public get selector(): Record<string, string> {
    return {
      'app.kubernetes.io/name': this.props.name,
      'app.kubernetes.io/instance': this.props.instance,
      'app.kubernetes.io/component': this.props.component,
    };
  }

  /** Every standard label, for object metadata and pod templates. */
  public get all(): Record<string, string> {
    return {
      ...this.selector,
      'app.kubernetes.io/part-of': this.props.partOf,
      'app.kubernetes.io/managed-by': 'cdk8s',
    };
  }

  /** The same release and application, another component. */
  public withComponent(component: string, name = this.props.name): StandardLabels {
    return new StandardLabels({ ...this.props, component, name });
  }
}
