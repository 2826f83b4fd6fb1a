import { readFileSync } from 'fs';
import type * as yaml from 'yaml';
import { AppConfig } from './app-config';
// A type import keeps the schema in the build output; the file itself is read when a config is.
import type appConfigSchema from './app-config.schema.json';

/** Environment variable naming the default app's configuration file. */
export const CONFIG_ENV = 'WORDPRESS_EKS_CONFIG';
/** Command-line flag naming it (for `node lib/src/main.js --config site.yaml`). */
export const CONFIG_FLAG = '--config';

/** A configuration file that does not match the schema; lists every problem. */
export class InvalidConfigError extends Error {
  constructor(public readonly file: string, public readonly problems: string[]) {
    super(`Invalid configuration in ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidConfigError';
  }
}

/** The config file named by `--config FILE` or by the environment, if any. */
export function configPathFrom(env: Record<string, string | undefined>, argv: string[]): string | undefined {
  const flag = argv.indexOf(CONFIG_FLAG);
  if (flag >= 0) {
    const value = argv[flag + 1];
    if (!value) throw new InvalidConfigError('(command line)', [`${CONFIG_FLAG} needs a file path`]);
    return value;
  }
  return env[CONFIG_ENV] || undefined;
}

/**
 * Reads a YAML or JSON config file and checks it against the JSON Schema generated from
 * {@link AppConfig}: unknown keys, wrong types and values outside an enum are all reported at once.
 * Deeper rules (quantities, names, combinations) are checked by the constructs themselves.
 */
export function loadAppConfig(file: string): AppConfig {
  // The YAML parser, Ajv and the schema are loaded only when a config file is used, so a plain synth does not pay for them.
  const { parse } = require('yaml') as typeof yaml;
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidConfigError(file, [`cannot be read as YAML or JSON: ${(error as Error).message.split('\n')[0]}`]);
  }
  if (data === null || data === undefined) return {};
  const Ajv = require('ajv').default as typeof import('ajv').default;
  const schema = require('./app-config.schema.json') as typeof appConfigSchema;
  const validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  if (validate(data)) return data as AppConfig;
  const errors = validate.errors ?? [];
  // For "one of several shapes", report the choice once instead of each branch's complaint.
  const choices = errors.filter((error) => error.keyword === 'anyOf');
  const insideChoice = (error: import('ajv').ErrorObject) => choices.some((choice) =>
    choice !== error && error.instancePath === choice.instancePath);
  const problems = errors.filter((error) => !insideChoice(error)).map((error) => describe(error, data));
  throw new InvalidConfigError(file, [...new Set(problems)]);
}

function describe(error: import('ajv').ErrorObject, data: unknown): string {
  const path = error.instancePath.split('/').slice(1).map(unescapePointer);
  const key = path.length ? path.join('.') : '(top level)';
  const value = JSON.stringify(valueAt(data, path));
  const schema = error.parentSchema as { properties?: Record<string, unknown> } | undefined;
  switch (error.keyword) {
    case 'additionalProperties': {
      const unknown = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(schema?.properties ?? {}).join(', ');
      return `${path.length ? `${key}.` : ''}${unknown}: unknown key; allowed keys: ${allowed}`;
    }
    case 'anyOf':
      return `${key}: ${value} is not allowed; allowed: ${(error.schema as object[]).map(describeShape).join(' or ')}`;
    case 'enum':
      return `${key}: ${value} is not allowed; allowed: ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${key}: ${value} is not allowed; allowed: ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
    default:
      return `${key}: ${value} is not allowed; it ${error.message}`;
  }
}

function describeShape(shape: { $ref?: string; const?: unknown; type?: string }): string {
  if (shape.$ref) return `an object (${shape.$ref.split('/').pop()})`;
  if ('const' in shape) return JSON.stringify(shape.const);
  return `a ${shape.type}`;
}

function valueAt(data: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, segment) => (node as Record<string, unknown> | undefined)?.[segment], data);
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
