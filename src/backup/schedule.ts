import { createHash } from 'crypto';

const MINUTES_PER_DAY = 24 * 60;

/**
 * A daily cron schedule at a minute of the day derived from the site's name (its namespace and
 * release), so that a fleet's sites dump one by one over the day instead of all at midnight, and
 * each site keeps its time from one synth to the next.
 */
export function dailyScheduleFor(siteKey: string): string {
  const minuteOfDay = createHash('sha256').update(siteKey).digest().readUInt32BE(0) % MINUTES_PER_DAY;
  return `${minuteOfDay % 60} ${Math.floor(minuteOfDay / 60)} * * *`;
}
