/** How serious a finding is: errors fail validation, warnings do not. */
export type Severity = 'error' | 'warning';

/** Manifests to validate: the objects of one file (or of one in-memory source). */
export interface ManifestSource {
  /** Where the objects come from, for the report. @default - in memory */
  readonly file?: string;
  /** The objects. */
  readonly objects: unknown[];
}

/** The object a finding is about. */
export interface ObjectRef {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** One problem. */
export interface Finding {
  /** Rule id, e.g. `schema.unknown-field`. */
  readonly rule: string;
  /** Severity after the options' re-levelling. */
  readonly severity: Severity;
  /** What is wrong. */
  readonly message: string;
  /** One-line fix hint of the rule. */
  readonly fix: string;
  /** File of the object. @default - in memory */
  readonly file?: string;
  /** The object. */
  readonly object: ObjectRef;
  /** JSON path inside the object, e.g. `spec.template.spec.containers[0].image`. */
  readonly path: string;
  /** The Kubernetes version, for schema findings. @default - all versions */
  readonly kubernetesVersion?: string;
}

/** An object the schema check could not cover. */
export interface SkippedObject {
  readonly file?: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name?: string;
  readonly reason: string;
}

/** The outcome of a validation. */
export interface ValidationReport {
  readonly findings: Finding[];
  readonly errorCount: number;
  readonly warningCount: number;
  readonly skipped: SkippedObject[];
  readonly objectCount: number;
}

/** Options of {@link validateManifests}. */
export interface ValidationOptions {
  /** Kubernetes versions to check the schema of. @default ['1.28.0', '1.36.0'] */
  readonly kubernetesVersions?: string[];
  /** Directory of `vX.Y.Z/_definitions.json` (or `.json.gz`). @default - the definitions shipped with this package (every minor from 1.28.0 to 1.36.0) */
  readonly schemaDir?: string;
  /** URL template (`{version}` = `vX.Y.Z`) to download versions missing from `schemaDir` once, as a cache. @default - offline */
  readonly schemaUrlTemplate?: string;
  /** Directory where compiled validators are kept between processes (see `defaultValidatorCacheDir`). @default - none: compiled in every process */
  readonly validatorCacheDir?: string;
  /** Unknown kinds (custom resources without a CRD) are errors instead of skipped. @default false */
  readonly strict?: boolean;
  /** CustomResourceDefinitions whose schemas validate custom resources (those in the input count too); each replaces a bundled CRD of the same kind. @default - none */
  readonly crds?: unknown[];
  /**
   * Validate the custom resources this package emits (ExternalSecret, SecretStore, SecurityGroupPolicy,
   * SecretProviderClass, VolumeSnapshot, VolumeSnapshotClass, ServiceMonitor, PodMonitor, PrometheusRule)
   * strictly against the CRDs shipped in its `crds/` folder, at the pinned upstream versions it lists.
   * @default true
   */
  readonly bundledCrds?: boolean;
  /** References to objects managed elsewhere: `Kind/namespace/name`. @default - none */
  readonly external?: string[];
  /** Severity per rule id, or `off`. @default - each rule's default */
  readonly rules?: Record<string, Severity | 'off'>;
}
