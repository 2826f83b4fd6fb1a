import { CREATES_ANNOTATION } from '../common/annotations';
import { KubeObject, podSpecOf, selects } from './manifest-types';

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

/**
 * A Mermaid flowchart of synthesized objects: namespaces as boxes, and the links a reader follows
 * from the outside in: Ingress -> Service -> pods -> claims, Secrets and ConfigMaps.
 */
export function renderDiagram(objects: KubeObject[]): string {
  const ids = new Map<string, string>();
  const id = (kind: string, namespace: string | undefined, name: string) => {
    const key = `${kind}/${namespace ?? ''}/${name}`;
    if (!ids.has(key)) ids.set(key, `n${ids.size}`);
    return ids.get(key)!;
  };
  const boxes = new Map<string, string[]>();
  const edges: string[] = [];
  const node = (namespace: string | undefined, nodeId: string, label: string) => {
    const box = namespace ?? '(cluster)';
    if (!boxes.has(box)) boxes.set(box, []);
    const line = `    ${nodeId}["${label}"]`;
    if (!boxes.get(box)!.includes(line)) boxes.get(box)!.push(line);
  };

  // By namespace: a Service looks only at the workloads beside it (a fleet has thousands of namespaces).
  const workloadsIn = new Map<string | undefined, KubeObject[]>();
  for (const object of objects) {
    if (!WORKLOADS.has(object.kind)) continue;
    const namespace = object.metadata.namespace;
    if (!workloadsIn.has(namespace)) workloadsIn.set(namespace, []);
    workloadsIn.get(namespace)!.push(object);
  }

  for (const object of objects) {
    const { kind, metadata: { name, namespace } } = object;
    if (kind === 'Ingress') {
      node(namespace, id(kind, namespace, name), `Ingress ${name}`);
      for (const rule of object.spec?.rules ?? []) {
        for (const path of rule.http?.paths ?? []) {
          const service = path.backend?.service?.name;
          if (service) edges.push(`  ${id(kind, namespace, name)} --> ${id('Service', namespace, service)}`);
        }
      }
    } else if (kind === 'Service') {
      node(namespace, id(kind, namespace, name), `Service ${name}${object.spec?.type === 'LoadBalancer' ? ' (LoadBalancer)' : ''}`);
      for (const workload of workloadsIn.get(namespace) ?? []) {
        const pod = workload.spec?.template?.metadata?.labels;
        if (selects(object.spec?.selector, pod)) {
          edges.push(`  ${id(kind, namespace, name)} --> ${id(workload.kind, namespace, workload.metadata.name)}`);
        }
      }
    } else if (WORKLOADS.has(kind)) {
      const perNode = kind === 'DaemonSet' ? ', one pod per node' : '';
      node(namespace, id(kind, namespace, name), `${kind} ${name}${perNode}`);
      const from = id(kind, namespace, name);
      for (const created of (object.metadata.annotations?.[CREATES_ANNOTATION] ?? '').split(',').filter(Boolean)) {
        const [createdKind, createdName] = created.split('/');
        node(namespace, id(createdKind, namespace, createdName), `${createdKind} ${createdName}`);
        edges.push(`  ${from} -. creates .-> ${id(createdKind, namespace, createdName)}`);
      }
      for (const template of object.spec?.volumeClaimTemplates ?? []) {
        const claim = `${template.metadata.name}-${name}-0`;
        node(namespace, id('PersistentVolumeClaim', namespace, claim), `PVC ${template.metadata.name} (claim template)`);
        edges.push(`  ${from} --> ${id('PersistentVolumeClaim', namespace, claim)}`);
      }
      for (const volume of podSpecOf(object)?.volumes ?? []) {
        const target = volume.persistentVolumeClaim ? ['PersistentVolumeClaim', volume.persistentVolumeClaim.claimName, 'PVC']
          : volume.secret ? ['Secret', volume.secret.secretName, 'Secret']
            : volume.configMap ? ['ConfigMap', volume.configMap.name, 'ConfigMap'] : undefined;
        if (target) {
          node(namespace, id(target[0], namespace, target[1]), `${target[2]} ${target[1]}`);
          edges.push(`  ${from} --> ${id(target[0], namespace, target[1])}`);
        }
      }
    } else if (kind === 'PersistentVolumeClaim') {
      node(namespace, id(kind, namespace, name), `PVC ${name}`);
    }
  }

  const lines = ['flowchart LR'];
  for (const [box, nodes] of boxes) {
    lines.push(`  subgraph ${sanitize(box)}["namespace ${box}"]`, ...nodes, '  end');
  }
  lines.push(...[...new Set(edges)]);
  return lines.join('\n');
}

function sanitize(text: string): string {
  return `ns_${text.replace(/[^A-Za-z0-9]/g, '_')}`;
}
