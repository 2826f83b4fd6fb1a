/**
 * The low-level Kubernetes API bindings that cdk8s-plus-28 ships (Kubernetes 1.28 types).
 * Imported from their own module rather than the package index: the index also loads every
 * high-level construct, which this library does not use, and that costs a tenth of a synth.
 * cdk8s-plus-28 is no longer released, so the path cannot move under us.
 */
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';

export { k8s };
