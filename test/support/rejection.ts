import { existsSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'cdk8s';
import { InvalidPropError } from '../../src/common/errors';

/** How a build was rejected, and what it had written to its output folder by then. */
export interface Rejection {
  readonly error: InvalidPropError;
  readonly written: string[];
}

/**
 * Builds into an app with a fresh output folder and synthesizes it, as `cdk8s synth` does; returns
 * the InvalidPropError that stopped it and the files in the output folder afterwards (none expected).
 * Fails when the build is not rejected, or rejected with another kind of error.
 */
export function rejectionOf(build: (app: App) => unknown): Rejection {
  const work = mkdtempSync(join(tmpdir(), 'rejected-'));
  const outdir = join(work, 'dist');
  try {
    let error: unknown;
    try {
      const app = new App({ outdir });
      build(app);
      app.synth();
    } catch (caught) {
      error = caught;
    }
    if (!(error instanceof InvalidPropError)) {
      throw new Error(`expected an InvalidPropError, got ${error === undefined ? 'no error' : String(error)}`);
    }
    return { error, written: existsSync(outdir) ? readdirSync(outdir) : [] };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** One bad-input case: its name, and the prop path, value and allowed text the error must name. */
export interface RejectionCase {
  readonly name: string;
  readonly prop: string;
  readonly value: unknown;
  readonly allowed: string;
}

/** Asserts the rejection names the prop, the value and (part of) what is allowed, and nothing was written. */
export function expectRejected(rejection: Rejection, expected: Omit<RejectionCase, 'name'>): void {
  expect(rejection.error.prop).toBe(expected.prop);
  expect(rejection.error.value).toEqual(expected.value);
  expect(rejection.error.allowed).toContain(expected.allowed);
  expect(rejection.error.message).toContain(`Invalid ${expected.prop}: `);
  expect(rejection.written).toEqual([]);
}
