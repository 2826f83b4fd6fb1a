#!/usr/bin/env node
import { formatReport } from './report';
import { loadManifestFiles } from './load';
import { RULES_BY_ID } from './rules';
import { defaultValidatorCacheDir } from './schema';
import { Severity, ValidationOptions } from './types';
import { validateManifests } from './validate';

const USAGE = `usage: wordpress-eks-validate [options] PATH...   (in this repository: npm run validate -- ...)

Validates Kubernetes manifests (files or directories of .yaml/.yml/.json) strictly against the
official definitions of each Kubernetes version, API-server semantics, and policy.

options:
  --k8s-versions LIST   comma-separated versions, e.g. 1.28.0,1.36.0 (default: 1.28.0 and the newest available;
                        every minor from 1.28.0 to 1.36.0 ships with the package)
  --schema-dir DIR      directory of vX.Y.Z/_definitions.json (default: the definitions shipped with this package)
  --schema-url TEMPLATE download missing versions from TEMPLATE ({version} = vX.Y.Z) into --cache-dir
  --cache-dir DIR       where downloaded definitions are kept (default: ~/.cache/cdk8s-wordpress-eks/k8s-schemas)
  --format text|json    report format (default: text)
  --strict              custom resources without a CRD are errors instead of skipped
  --crd FILE            a CustomResourceDefinition whose schema validates its custom resources (repeatable);
                        it replaces a bundled CRD of the same kind
  --no-bundled-crds     do not validate this package's custom resources (ExternalSecret, SecretStore,
                        SecurityGroupPolicy, SecretProviderClass, VolumeSnapshot(Class), ServiceMonitor,
                        PodMonitor, PrometheusRule) against the CRDs it ships in crds/
  --external REF        an object managed elsewhere, Kind/namespace/name (repeatable)
  --rule ID=LEVEL       error, warning or off for one rule (repeatable)
  --no-validator-cache  compile the schemas in this process only (default: keep compiled validators in
                        ~/.cache/cdk8s-wordpress-eks/validators, which makes later runs fast)

exit status: 0 clean (warnings allowed), 1 error-level findings, 2 usage error`;

class UsageError extends Error {}

interface Parsed { options: ValidationOptions; format: 'text' | 'json'; paths: string[] }

function parse(argv: string[]): Parsed {
  const rules: Record<string, Severity | 'off'> = {};
  const external: string[] = [];
  const crdFiles: string[] = [];
  const paths: string[] = [];
  let format: 'text' | 'json' = 'text';
  let versions: string[] | undefined;
  let schemaDir: string | undefined;
  let schemaUrl: string | undefined;
  let cacheDir: string | undefined;
  let strict = false;
  let validatorCache = true;
  let bundledCrds = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--k8s-versions':
        versions = value().split(',').map((v) => v.trim().replace(/^v/, ''));
        for (const v of versions) if (!/^\d+\.\d+\.\d+$/.test(v)) throw new UsageError(`--k8s-versions: "${v}" is not a version such as 1.28.0`);
        break;
      case '--schema-dir': schemaDir = value(); break;
      case '--schema-url': schemaUrl = value(); break;
      case '--cache-dir': cacheDir = value(); break;
      case '--format': {
        const f = value();
        if (f !== 'text' && f !== 'json') throw new UsageError(`--format: "${f}" is not text or json`);
        format = f;
        break;
      }
      case '--strict': strict = true; break;
      case '--no-validator-cache': validatorCache = false; break;
      case '--crd': crdFiles.push(value()); break;
      case '--no-bundled-crds': bundledCrds = false; break;
      case '--external': {
        const ref = value();
        if (!/^[A-Za-z]+\/[^/]+\/[^/]+$/.test(ref)) throw new UsageError(`--external: "${ref}" is not Kind/namespace/name`);
        external.push(ref);
        break;
      }
      case '--rule': {
        const [id, level] = value().split('=');
        if (!RULES_BY_ID.has(id)) throw new UsageError(`--rule: unknown rule "${id}"`);
        if (!['error', 'warning', 'off'].includes(level)) throw new UsageError(`--rule ${id}: level "${level}" is not error, warning or off`);
        rules[id] = level as Severity | 'off';
        break;
      }
      case '--help': case '-h': throw new UsageError('');
      default:
        if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
        paths.push(arg);
    }
  }
  if (paths.length === 0) throw new UsageError('no PATH given');
  if (schemaUrl && schemaDir) throw new UsageError('--schema-url and --schema-dir are exclusive (downloads go to --cache-dir)');
  const crds = crdFiles.length ? loadManifestFiles(crdFiles).flatMap((s) => s.objects) : undefined;
  const dir = schemaUrl ? cacheDir ?? `${process.env.HOME ?? '.'}/.cache/cdk8s-wordpress-eks/k8s-schemas` : schemaDir;
  if (schemaUrl && !versions) throw new UsageError('--schema-url needs --k8s-versions');
  return {
    format,
    paths,
    options: {
      kubernetesVersions: versions, schemaDir: dir, schemaUrlTemplate: schemaUrl, strict, crds, bundledCrds, external, rules,
      validatorCacheDir: validatorCache ? defaultValidatorCacheDir() : undefined,
    } as ValidationOptions,
  };
}

function main(): number {
  let parsed: Parsed;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) process.stderr.write(`error: ${error.message}\n`);
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  try {
    const report = validateManifests(loadManifestFiles(parsed.paths), parsed.options);
    process.stdout.write(formatReport(report, parsed.format));
    return report.errorCount > 0 ? 1 : 0;
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return 2;
  }
}

process.exitCode = main();
