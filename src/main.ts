import { buildDefaultApp } from './app';
import { configPathFrom, loadAppConfig } from './config/load-app-config';
import { writeSynthExtras } from './output/synth-extras';
import { LinearSynthApp } from './synth/linear-synth-app';

try {
  const configPath = configPathFrom(process.env, process.argv);
  const app = buildDefaultApp(new LinearSynthApp(), configPath ? loadAppConfig(configPath) : {});
  app.synth();
  writeSynthExtras(app);
} catch (error) {
  // A clear message instead of a stack trace: this is input to fix, not a crash to debug.
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
