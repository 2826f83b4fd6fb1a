import { Chart, Testing } from 'cdk8s';
import { StandardLabels } from '../src/common/labels';

/** A synthesized Kubernetes object, loosely typed for assertions. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [key: string]: any };

/** A chart in namespace `test`, like the ones the constructs are used in. */
export function testChart(namespace = 'test'): Chart {
  return new Chart(Testing.app(), 'test', { namespace, disableResourceNameHashes: true });
}

/** Release labels for constructs tested outside a WordPressChart. */
export const testLabels = new StandardLabels({ name: 'wordpress', instance: 'site', component: 'site', partOf: 'sites' });

/** The chart's objects as plain JSON. */
export function synth(chart: Chart): Manifest[] {
  return Testing.synth(chart) as Manifest[];
}

/** The one object of this kind and name; fails loudly when absent or ambiguous. */
export function find(objects: Manifest[], kind: string, name?: string): Manifest {
  const matches = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (matches.length !== 1) {
    throw new Error(`expected exactly one ${kind}${name ? `/${name}` : ''}, found ${matches.length}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return matches[0];
}

/** Every object of a kind. */
export function all(objects: Manifest[], kind: string): Manifest[] {
  return objects.filter((o) => o.kind === kind);
}

/** The first container of a workload's pod template. */
export function mainContainer(workload: Manifest): any {
  return workload.spec.template.spec.containers[0];
}
