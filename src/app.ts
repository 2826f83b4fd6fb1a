import { App } from 'cdk8s';
import { WordPressChart } from '../charts/wordpress-chart';

/**
 * The default app: one WordPress site that runs on any conformant cluster.
 * Builds every chart before anything is written, so bad props fail with no partial output.
 */
export function buildDefaultApp(app: App = new App()): App {
  new WordPressChart(app, 'wordpress');
  return app;
}
