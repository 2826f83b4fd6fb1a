import { appendFileSync } from 'fs';

/**
 * Preloaded into every Node process of a benchmark case (through NODE_OPTIONS): records the
 * process's peak resident memory, in KiB, when it exits.
 */
const target = process.env.BENCH_MAX_RSS_FILE;
if (target) {
  process.on('exit', () => appendFileSync(target, `${process.resourceUsage().maxRSS}\n`));
}
