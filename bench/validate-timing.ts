import { loadManifestFiles, validateManifests } from '../src/validation';

/**
 * `node lib/bench/validate-timing.js DIR`: validates DIR for Kubernetes 1.28.0 and 1.36.0 twice in
 * one process and prints both wall times in ms as JSON: the first includes loading and compiling
 * the definitions, the second is validation alone.
 */
const dir = process.argv[2];
const sources = loadManifestFiles([dir]);
const time = () => {
  const start = process.hrtime.bigint();
  validateManifests(sources, { kubernetesVersions: ['1.28.0', '1.36.0'] });
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const first = time();
const second = time();
process.stdout.write(`${JSON.stringify({ firstMs: first, secondMs: second })}\n`);
