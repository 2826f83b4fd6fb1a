import { App } from 'cdk8s';
import { ObservabilityChart } from '../charts/observability-chart';
import { WordPressChart } from '../charts/wordpress-chart';
import { AppConfig } from './config/app-config';
import { chartPropsFromConfig } from './config/chart-props-from-config';

/**
 * The default app: one WordPress site and the node agents (Fluent Bit, node-exporter), running on
 * any conformant cluster, optionally shaped by a config file. Every chart is built before anything
 * is written, so bad input leaves no partial output.
 */
export function buildDefaultApp<T extends App>(app: T, config: AppConfig = {}): T {
  new WordPressChart(app, 'wordpress', chartPropsFromConfig(config));
  new ObservabilityChart(app, 'observability');
  return app;
}
