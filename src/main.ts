import { buildDefaultApp } from './app';
import { writeSynthExtras } from './output/synth-extras';

const app = buildDefaultApp();
app.synth();
writeSynthExtras(app);
