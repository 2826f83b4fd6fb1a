import { Chart } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * The namespace objects in this scope are created in. References that must name a namespace
 * (RoleBinding subjects) need it spelled out, so a chart without one is a usage error.
 */
export function namespaceOf(scope: Construct, what: string): string {
  const namespace = Chart.of(scope).namespace;
  if (!namespace) {
    throw new Error(`${what} needs its chart to set a namespace (new Chart(scope, id, { namespace: 'wordpress' })), because a RoleBinding must name the ServiceAccount's namespace.`);
  }
  return namespace;
}
