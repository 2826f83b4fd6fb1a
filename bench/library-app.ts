import { chartPropsFromConfig, LinearSynthApp, ObservabilityChart, WordPressChart, writeSynthExtras } from '../src';

/**
 * `node lib/bench/library-app.js OUTDIR`: the default app's charts built through the package
 * entry (what `require('cdk8s-wordpress-eks')` loads), synthesized with their extras.
 */
const outdir = process.argv[2];
if (!outdir) {
  process.stderr.write('usage: node lib/bench/library-app.js OUTDIR\n');
  process.exit(2);
}
const app = new LinearSynthApp({ outdir });
new WordPressChart(app, 'wordpress', chartPropsFromConfig({}));
new ObservabilityChart(app, 'observability');
app.synth();
writeSynthExtras(app);
