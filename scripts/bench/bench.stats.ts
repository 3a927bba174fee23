// Pure helpers of the benchmark: percentiles, a least-squares slope, the open-loop schedule, the
// closed loop's rate, ratios to a baseline, the "flat" rule of the soak, section selection and the
// settings. No I/O here, so they are unit-tested.

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

/**
 * Answers per second inside a measuring window [fromMs, toMs): how many of `times` fall in it,
 * divided by its length in seconds (NaN for an empty window). The closed loop counts only the
 * answers of its window, so the warm-up and the last requests still in flight do not count.
 */
export function rateWithin(times: readonly number[], fromMs: number, toMs: number): number {
  if (!(toMs > fromMs)) return Number.NaN;
  let n = 0;
  for (const t of times) if (t >= fromMs && t < toMs) n++;
  return n / ((toMs - fromMs) / 1000);
}

/**
 * ecr-bridge ÷ baseline as `3.7x`: above 1 the product takes longer (latency) or does more; below
 * 1 it does less (a rate). Two significant digits below 1, one decimal up to 100, none above;
 * `n/a` when either figure is missing or the baseline is not positive.
 */
export function ratio(product: number, baseline: number): string {
  if (!Number.isFinite(product) || !Number.isFinite(baseline) || baseline <= 0 || product < 0) return 'n/a';
  const r = product / baseline;
  if (r === 0) return '0x';
  if (r < 1) return `${Number(r.toPrecision(2))}x`;
  return `${r.toFixed(r >= 100 ? 0 : 1)}x`;
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

/** `p50 / p95 / p99` of the product beside the baseline's, each with its ratio: `p50 3.7x, p95 …`. */
export function pctRatios(product: Summary, baseline: Summary): string {
  return (['p50', 'p95', 'p99'] as const).map((k) => `${k} ${ratio(product[k], baseline[k])}`).join(', ');
}

/** Client counts of the closed loop, `16,64` → [16, 64]; positive integers only, at least one. */
export function parseCounts(text: string): number[] {
  const counts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`expected positive integers separated by commas, got "${text}"`);
  return counts;
}

export interface BenchConfig {
  gatewayRate: number;
  gatewaySeconds: number;
  gatewayClients: number[];
  gatewayClosedSeconds: number;
  flowRate: number;
  flowSeconds: number;
  flowTakeDelayMs: number;
  inflightSteps: number[];
  memoryIntents: number;
  inflightWindowSeconds: number;
  fillRate: number;
  soakRate: number;
  soakSeconds: number;
  soakSampleSeconds: number;
}

/** The defaults, and the shorter ones of `--short` (BENCH_SHORT=1): a check that every section runs, not figures to quote. */
const DEFAULTS: Record<'full' | 'short', Record<string, string>> = {
  full: {
    BENCH_GATEWAY_RATE: '500',
    BENCH_GATEWAY_SECONDS: '20',
    BENCH_GATEWAY_CLIENTS: '16,64',
    BENCH_GATEWAY_CLOSED_SECONDS: '15',
    BENCH_RATE: '10',
    BENCH_SECONDS: '60',
    BENCH_TAKE_DELAY_MS: '0',
    BENCH_INFLIGHT_STEPS: '100,250,500,1000,2000,5000',
    BENCH_MEMORY_INTENTS: '2000',
    BENCH_INFLIGHT_WINDOW_SECONDS: '20',
    BENCH_FILL_RATE: '250',
    BENCH_SOAK_RATE: '50',
    BENCH_SOAK_SECONDS: '600',
    BENCH_SOAK_SAMPLE_SECONDS: '10',
  },
  short: {
    BENCH_GATEWAY_SECONDS: '5',
    BENCH_GATEWAY_CLOSED_SECONDS: '6',
    BENCH_SECONDS: '15',
    BENCH_INFLIGHT_STEPS: '100,250',
    BENCH_MEMORY_INTENTS: '500',
    BENCH_INFLIGHT_WINDOW_SECONDS: '5',
    BENCH_SOAK_SECONDS: '60',
    BENCH_SOAK_SAMPLE_SECONDS: '5',
  },
};

/** Whether `--short` or BENCH_SHORT (anything but empty, 0 or false) asks for the short run. */
export function isShort(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  const v = (env.BENCH_SHORT ?? '').trim().toLowerCase();
  return argv.includes('--short') || (v !== '' && v !== '0' && v !== 'false');
}

/** Settings from the environment; what it leaves unset comes from the (short) defaults. */
export function benchConfig(env: Readonly<Record<string, string | undefined>>, short = false): BenchConfig {
  const get = (name: string) => env[name] ?? (short ? DEFAULTS.short[name] : undefined) ?? DEFAULTS.full[name];
  const num = (name: string) => {
    const v = Number(get(name));
    if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a non-negative number, got "${get(name)}"`);
    return v;
  };
  return {
    gatewayRate: num('BENCH_GATEWAY_RATE'),
    gatewaySeconds: num('BENCH_GATEWAY_SECONDS'),
    gatewayClients: parseCounts(get('BENCH_GATEWAY_CLIENTS')),
    gatewayClosedSeconds: num('BENCH_GATEWAY_CLOSED_SECONDS'),
    flowRate: num('BENCH_RATE'),
    flowSeconds: num('BENCH_SECONDS'),
    flowTakeDelayMs: num('BENCH_TAKE_DELAY_MS'),
    inflightSteps: parseCounts(get('BENCH_INFLIGHT_STEPS')),
    memoryIntents: num('BENCH_MEMORY_INTENTS'),
    inflightWindowSeconds: num('BENCH_INFLIGHT_WINDOW_SECONDS'),
    fillRate: num('BENCH_FILL_RATE'),
    soakRate: num('BENCH_SOAK_RATE'),
    soakSeconds: num('BENCH_SOAK_SECONDS'),
    soakSampleSeconds: num('BENCH_SOAK_SAMPLE_SECONDS'),
  };
}

/** A plain text table, columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}
