import { ApiObject, JsonPatch } from 'cdk8s';

/**
 * cdk8s stamps the chart's namespace on every object of a namespaced chart; a cluster-scoped
 * object (Namespace, ClusterRole, StorageClass) must not carry one.
 */
export function markClusterScoped(object: ApiObject): void {
  if (object.metadata.namespace !== undefined) {
    object.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
}
