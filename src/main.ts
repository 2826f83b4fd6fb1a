import { buildDefaultApp } from './app';

buildDefaultApp().synth();
