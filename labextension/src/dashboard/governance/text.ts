/**
 * The governance table's words and numbers, as people read them.
 */
import { IGovernance, IVersionLive } from '../../api';

/** Seconds as the largest whole unit: "40 d", "5 h", "12 min", "30 s". */
export function formatAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) {
    return '—';
  }
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['min', 60]
  ] as const) {
    if (seconds >= size) {
      return `${Math.round(seconds / size)} ${unit}`;
    }
  }
  return `${Math.round(seconds)} s`;
}

/** A slope per version with its sign spelled out: "+0.012", "−0.03", "±0". */
export function formatSlope(slope: number): string {
  const text = String(+slope.toPrecision(3));
  return `${slope > 0 ? '+' : slope < 0 ? '−' : '±'}${text.replace('-', '')}`;
}

/** Seconds from `since` to `now` (both RFC 3339), or null. */
export function secondsBetween(
  since: string | null,
  now: string | null
): number | null {
  if (!since || !now) {
    return null;
  }
  const seconds = (Date.parse(now) - Date.parse(since)) / 1000;
  return isNaN(seconds) ? null : Math.max(0, seconds);
}

/** One deployed version's live figures in a line. */
export function liveText(v: IVersionLive): string {
  const figure = (x: number | null, text: (x: number) => string): string =>
    x === null ? '—' : text(x);
  return (
    `v${v.version} ${v.role} ${v.weight}%: ${v.requests} requests, ` +
    `${figure(v.error_rate, x => (100 * x).toFixed(1) + '%')} errors, ` +
    `p95 ${figure(v.p95_ms, x => x + ' ms')}, ` +
    `drift ${figure(v.drift_share, x => x.toFixed(2))}` +
    (v.running ? '' : ' (not running)')
  );
}

/** The rules the table was judged by, in a sentence. */
export function rulesText(table: IGovernance): string {
  const r = table.rules;
  return (
    `retrain when the live drift share ≥ ${r.max_drift_share} or the metric's ` +
    `trend over the newest ${r.trend_versions} versions falls; roll back when a ` +
    `canary is worse than its stable version; judged: the ${r.alias} alias's version ` +
    '([governance] in the store’s config.toml)'
  );
}
