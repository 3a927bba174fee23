// The benchmark's pure helpers. Run with:
//   npx jest --selectProjects unit --roots '<rootDir>/scripts' scripts/bench
import { dueAt, dueCount, judgeFlat, lagsOf, percentile, selectSections, slope, summary, table } from './bench.stats';

describe('percentile and summary', () => {
  it('takes the nearest rank', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(99);
    expect(percentile(s, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
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
