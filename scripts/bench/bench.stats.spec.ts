// The benchmark's pure helpers. Run with:
//   npx jest --selectProjects unit --roots '<rootDir>/scripts' scripts/bench
import {
  benchConfig,
  dueAt,
  dueCount,
  isShort,
  judgeFlat,
  lagsOf,
  parseCounts,
  pctRatios,
  percentile,
  rateWithin,
  ratio,
  selectSections,
  slope,
  summary,
  table,
} from './bench.stats';

describe('percentile and summary', () => {
  it('takes the nearest rank', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(99);
    expect(percentile(s, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('puts p95 and p99 on the samples at or above those ranks', () => {
    const s = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1000 … 1, unsorted
    expect(summary(s)).toMatchObject({ n: 1000, p50: 500, p95: 950, p99: 990, max: 1000 });
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(twenty, 95)).toBe(19);
    expect(percentile(twenty, 99)).toBe(20);
  });

  it('is NaN throughout for no samples', () => {
    const s = summary([]);
    expect(s.n).toBe(0);
    for (const k of ['p50', 'p95', 'p99', 'max', 'mean'] as const) expect(s[k]).toBeNaN();
  });

  it('sorts a copy and reports the maximum and mean', () => {
    const input = [3, 1, 2];
    expect(summary(input)).toEqual({ n: 3, p50: 2, p95: 3, p99: 3, max: 3, mean: 2 });
    expect(input).toEqual([3, 1, 2]);
  });
});

describe('slope', () => {
  it('fits a line by least squares', () => {
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 2 * x + 5 })))).toBeCloseTo(2);
    expect(slope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 2 }])).toBeCloseTo(0.5);
  });

  it('is NaN without two distinct x', () => {
    expect(slope([{ x: 1, y: 1 }])).toBeNaN();
    expect(slope([{ x: 1, y: 1 }, { x: 1, y: 2 }])).toBeNaN();
  });
});

describe('open-loop schedule', () => {
  it('makes command i due at i / rate seconds, whatever came back', () => {
    expect(dueAt(500, 0)).toBe(0);
    expect(dueAt(500, 500)).toBe(1000);
    expect(dueCount(500, -1, 100)).toBe(0);
    expect(dueCount(500, 0, 100)).toBe(1);
    expect(dueCount(500, 1.99, 100)).toBe(1);
    expect(dueCount(500, 2, 100)).toBe(2);
    expect(dueCount(500, 1000, 10_000)).toBe(501);
  });

  it('never schedules more than the total', () => {
    expect(dueCount(50, 60_000, 100)).toBe(100);
  });
});

describe('closed-loop rate', () => {
  it('counts only the answers inside the window, per second', () => {
    const times = [500, 1000, 1500, 2000, 2999, 3000, 3500];
    expect(rateWithin(times, 1000, 3000)).toBe(2); // 1000, 1500, 2000, 2999 over 2 s
    expect(rateWithin(times, 0, 500)).toBe(0);
    expect(rateWithin([], 0, 1000)).toBe(0);
  });

  it('is NaN for an empty or reversed window', () => {
    expect(rateWithin([1], 1000, 1000)).toBeNaN();
    expect(rateWithin([1], 2000, 1000)).toBeNaN();
  });
});

describe('ratio to a baseline', () => {
  it('is ecr-bridge ÷ baseline with one decimal from 1 to 100', () => {
    expect(ratio(45318.5, 12108.1)).toBe('3.7x');
    expect(ratio(10, 10)).toBe('1.0x');
    expect(ratio(999, 10)).toBe('99.9x');
  });

  it('drops the decimals from 100 up and keeps two significant digits below 1', () => {
    expect(ratio(1074, 0.3)).toBe('3580x');
    expect(ratio(55, 238)).toBe('0.23x');
    expect(ratio(1, 80)).toBe('0.013x');
    expect(ratio(0, 5)).toBe('0x');
  });

  it('is n/a when a figure is missing or the baseline is not positive', () => {
    expect(ratio(Number.NaN, 1)).toBe('n/a');
    expect(ratio(1, Number.NaN)).toBe('n/a');
    expect(ratio(1, 0)).toBe('n/a');
    expect(ratio(1, -2)).toBe('n/a');
    expect(ratio(-1, 2)).toBe('n/a');
    expect(ratio(Number.POSITIVE_INFINITY, 2)).toBe('n/a');
  });

  it('gives each percentile its own ratio', () => {
    const product = summary([1000, 2000, 3000]);
    const baseline = summary([2, 4, 5]);
    expect(pctRatios(product, baseline)).toBe('p50 500x, p95 600x, p99 600x');
    expect(pctRatios(product, summary([]))).toBe('p50 n/a, p95 n/a, p99 n/a');
  });
});

describe('settings', () => {
  it('has the documented defaults', () => {
    expect(benchConfig({})).toEqual({
      gatewayRate: 500,
      gatewaySeconds: 20,
      gatewayClients: [16, 64],
      gatewayClosedSeconds: 15,
      flowRate: 10,
      flowSeconds: 60,
      flowTakeDelayMs: 0,
      inflightSteps: [100, 250, 500, 1000, 2000, 5000],
      memoryIntents: 2000,
      inflightWindowSeconds: 20,
      fillRate: 250,
      soakRate: 50,
      soakSeconds: 600,
      soakSampleSeconds: 10,
    });
  });

  it('shortens the durations of a short run, keeping the rates', () => {
    const short = benchConfig({}, true);
    expect(short).toMatchObject({ gatewayRate: 500, gatewaySeconds: 5, flowRate: 10, flowSeconds: 15, flowTakeDelayMs: 0, inflightSteps: [100, 250], soakSeconds: 60 });
  });

  it('lets the environment override either', () => {
    const env = { BENCH_RATE: '25', BENCH_GATEWAY_CLIENTS: '8, 32,128', BENCH_SECONDS: '40' };
    expect(benchConfig(env, true)).toMatchObject({ flowRate: 25, flowSeconds: 40, gatewayClients: [8, 32, 128], gatewaySeconds: 5 });
    expect(benchConfig({ BENCH_TAKE_DELAY_MS: '100' }).flowTakeDelayMs).toBe(100);
  });

  it('refuses what is not a number', () => {
    expect(() => benchConfig({ BENCH_RATE: 'fast' })).toThrow(/BENCH_RATE/);
    expect(() => benchConfig({ BENCH_SECONDS: '-1' })).toThrow(/BENCH_SECONDS/);
    expect(() => parseCounts('16,,x')).toThrow(/positive integers/);
    expect(() => parseCounts('0')).toThrow(/positive integers/);
    expect(() => parseCounts('')).toThrow(/positive integers/);
  });

  it('runs short with --short or BENCH_SHORT', () => {
    expect(isShort(['--short'], {})).toBe(true);
    expect(isShort([], { BENCH_SHORT: '1' })).toBe(true);
    expect(isShort([], { BENCH_SHORT: 'true' })).toBe(true);
    expect(isShort([], { BENCH_SHORT: '0' })).toBe(false);
    expect(isShort([], { BENCH_SHORT: 'false' })).toBe(false);
    expect(isShort(['--only=flow'], {})).toBe(false);
  });
});

describe('poll lag', () => {
  it('is each gap between looks minus the interval, in time order', () => {
    expect(lagsOf([3000, 1000, 2100], 1000)).toEqual([100, -100]);
    expect(lagsOf([5], 1000)).toEqual([]);
  });
});

describe('the soak\'s flat rule', () => {
  const mib = 2 ** 20;
  it('leaves out the warm-up and fits MB per minute', () => {
    const samples = Array.from({ length: 61 }, (_, i) => ({ t: i * 10, bytes: (i * 10 < 60 ? 10 : 100) * mib + (i * 10 * mib) / 60 }));
    const r = judgeFlat(samples, { warmupSeconds: 60, maxMbPerMin: 0.5 });
    expect(r.mbPerMin).toBeCloseTo(1);
    expect(r.flat).toBe(false);
  });

  it('calls a level series flat', () => {
    const samples = Array.from({ length: 61 }, (_, i) => ({ t: i * 10, bytes: 80 * mib + (i % 2) * mib }));
    expect(judgeFlat(samples).flat).toBe(true);
  });
});

describe('section selection', () => {
  it('runs everything by default', () => {
    expect(selectSections([])).toEqual(['gateway', 'flow', 'inflight', 'soak']);
  });

  it('takes --only (with aliases) before the environment, in run order', () => {
    expect(selectSections(['--only=soak,gateway'])).toEqual(['gateway', 'soak']);
    expect(selectSections(['--only=provider,memory'], 'soak')).toEqual(['flow', 'inflight']);
    expect(selectSections([], 'events')).toEqual(['flow']);
  });

  it('refuses an unknown name', () => {
    expect(() => selectSections(['--only=gatway'])).toThrow(/unknown section "gatway"/);
  });
});

describe('table', () => {
  it('pads columns', () => {
    expect(table([['a', 'bb'], ['ccc', 'd']])).toBe('a    bb\nccc  d');
  });
});
