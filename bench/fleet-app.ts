import { WordPressFleet, FleetSite } from '../charts/wordpress-fleet';
import { LinearSynthApp } from '../src/synth/linear-synth-app';

/** `node lib/bench/fleet-app.js SITES OUTDIR`: synthesizes a fleet of generated small sites. */
const count = Number(process.argv[2]);
const outdir = process.argv[3];
if (!Number.isInteger(count) || count < 1 || !outdir) {
  process.stderr.write('usage: node lib/bench/fleet-app.js SITES OUTDIR\n');
  process.exit(2);
}
const sites: FleetSite[] = Array.from({ length: count }, (_, i) => {
  const name = `site-${String(i + 1).padStart(4, '0')}`;
  return { name, hosts: [`${name}.example.com`] };
});
const app = new LinearSynthApp({ outdir });
new WordPressFleet(app, { sites });
app.synth();
