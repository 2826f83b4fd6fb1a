import { buildDefaultApp } from './app';
import { configPathFrom, loadAppConfig } from './config/load-app-config';
import { removeSynthExtras, writeSynthExtras } from './output/synth-extras';
import { LinearSynthApp } from './synth/linear-synth-app';

const app = new LinearSynthApp();
try {
  const configPath = configPathFrom(process.env, process.argv);
  buildDefaultApp(app, configPath ? loadAppConfig(configPath) : {});
  app.synth();
  writeSynthExtras(app);
} catch (error) {
  // Nothing beside the output may describe an output this failed synth did not produce.
  removeSynthExtras(app.outdir);
  // A clear message instead of a stack trace: this is input to fix, not a crash to debug.
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
