/** First line of every kustomization the synth writes: how a later synth knows the file is its own. */
export const KUSTOMIZATION_HEADER = '# Written by the synth: the files of the output folder, in apply order.';

/**
 * A kustomization listing synthesized files, for `kubectl apply -k`. It cannot live inside the
 * output folder: `kubectl apply -f dist/` would try to apply it as an object.
 */
export function renderKustomization(resourcePaths: string[]): string {
  return [
    KUSTOMIZATION_HEADER,
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    ...resourcePaths.map((path) => `  - ${path}`),
    '',
  ].join('\n');
}
