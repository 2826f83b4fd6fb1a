/**
 * Annotations this project writes so that validators (its own engine, or any reader of the YAML)
 * can tell runtime-created and externally managed objects from dangling references.
 */
export const ANNOTATION_PREFIX = 'cdk8s-wordpress-eks';

/** On an object that creates others at runtime: `Kind/name,Kind/name` in its namespace. */
export const CREATES_ANNOTATION = `${ANNOTATION_PREFIX}/creates`;

/** On a workload whose references point at objects managed outside this output. */
export const EXTERNAL_REFS_ANNOTATION = `${ANNOTATION_PREFIX}/external-refs`;

/** On a pod template: hash of the configuration it mounts, so a config change rolls the pods. */
export const CONFIG_HASH_ANNOTATION = `${ANNOTATION_PREFIX}/config-hash`;
