// The validation engine: library API.
export { validateManifests } from './validate';
export { loadManifestFiles, parseManifest } from './load';
export { formatReport } from './report';
export { RULES } from './rules';
export type { Rule } from './rules';
export { podSecurityViolations } from './pod-security';
export type { PodSecurityLevel, PodSecurityViolation } from './pod-security';
export { bundledSchemaDir, defaultValidatorCacheDir } from './schema';
export { bundledCrdDir } from './crd-schemas';
export type { Finding, ManifestSource, ObjectRef, Severity, SkippedObject, ValidationOptions, ValidationReport } from './types';
export { WordPressEksValidation } from './plugin';
export type { ValidationPluginProperties } from './plugin';
