// Pure helpers of the benchmark: percentiles, a least-squares slope, the open-loop schedule, the
// "flat" rule of the soak and section selection. No I/O here, so they are unit-tested.

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summary(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, x) => a + x, 0) / s.length : Number.NaN;
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? Number.NaN, mean };
}

/** Least-squares slope of y over x (NaN with fewer than two distinct x). */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/**
 * Open-loop schedule: command i is due at i × 1000 / rate ms after the start, whatever happened to
 * the earlier ones. How many are due `elapsedMs` after the start (never more than `total`).
 */
export function dueCount(rate: number, elapsedMs: number, total: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(total, Math.floor((elapsedMs * rate) / 1000) + 1);
}

export function dueAt(rate: number, i: number): number {
  return (i * 1000) / rate;
}

/** Gaps between consecutive times (ms), each minus `intervalMs`: how late every next look came. */
export function lagsOf(times: readonly number[], intervalMs: number): number[] {
  const s = [...times].sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 1; i < s.length; i++) out.push(s[i] - s[i - 1] - intervalMs);
  return out;
}

export interface FlatRule {
  /** Samples taken before this many seconds are warm-up and left out of the fit. */
  warmupSeconds: number;
  /** Flat when the fitted growth is at most this many MB per minute. */
  maxMbPerMin: number;
}

export const SOAK_FLAT_RULE: FlatRule = { warmupSeconds: 60, maxMbPerMin: 0.5 };

/** Slope in MB/min of a series of (seconds, bytes) samples after the warm-up, and whether it is flat. */
export function judgeFlat(
  samples: readonly { t: number; bytes: number }[],
  rule: FlatRule = SOAK_FLAT_RULE,
): { mbPerMin: number; flat: boolean } {
  const kept = samples.filter((s) => s.t >= rule.warmupSeconds);
  const mbPerMin = slope(kept.map((s) => ({ x: s.t / 60, y: s.bytes / 2 ** 20 })));
  return { mbPerMin, flat: Number.isFinite(mbPerMin) && mbPerMin <= rule.maxMbPerMin };
}

export const SECTIONS = ['gateway', 'flow', 'inflight', 'soak'] as const;
export type Section = (typeof SECTIONS)[number];

const ALIASES: Record<string, Section> = {
  gateway: 'gateway',
  accept: 'gateway',
  flow: 'flow',
  provider: 'flow',
  events: 'flow',
  inflight: 'inflight',
  memory: 'inflight',
  soak: 'soak',
};

/** Sections chosen by `--only=a,b` (or BENCH_ONLY); all of them by default. Unknown names throw. */
export function selectSections(argv: readonly string[], envOnly?: string): Section[] {
  const arg = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? envOnly ?? '';
  const names = arg
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) return [...SECTIONS];
  const chosen = new Set<Section>();
  for (const n of names) {
    const s = ALIASES[n];
    if (!s) throw new Error(`unknown section "${n}"; choose from ${Object.keys(ALIASES).join(', ')}`);
    chosen.add(s);
  }
  return SECTIONS.filter((s) => chosen.has(s));
}

export function ms(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a';
}

export function mb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MB` : 'n/a';
}

export function pcts(s: Summary): string {
  return `p50 ${ms(s.p50)} p95 ${ms(s.p95)} p99 ${ms(s.p99)}`;
}

/** A plain text table, columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}
