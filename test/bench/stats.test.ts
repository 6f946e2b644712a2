import { describe, expect, it } from 'vitest';
import { growthClass, linearFit, median, powerFit, quantile, StatsError, summarize } from '../../bench/stats.js';

describe('median', () => {
  it('takes the middle value of an odd count', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('rejects an empty sample', () => {
    expect(() => median([])).toThrow(StatsError);
  });
});

describe('quantile', () => {
  it('interpolates between ranks', () => {
    expect(quantile([0, 10], 0.25)).toBe(2.5);
  });
});

describe('summarize', () => {
  it('reports median, range and count', () => {
    expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, count: 3 });
  });
});

describe('linearFit', () => {
  it('recovers slope and intercept of points on a line', () => {
    const fit = linearFit([1, 2, 3, 4], [3, 5, 7, 9]);
    expect(fit.slope).toBeCloseTo(2);
    expect(fit.intercept).toBeCloseTo(1);
    expect(fit.r2).toBeCloseTo(1);
  });

  it('rejects x values that are all the same', () => {
    expect(() => linearFit([2, 2], [1, 3])).toThrow(StatsError);
  });
});

describe('powerFit', () => {
  it('recovers the exponent of a power law', () => {
    const xs = [1, 10, 100, 500];
    const fit = powerFit(
      xs,
      xs.map((x) => 3 * x ** 2),
    );
    expect(fit.exponent).toBeCloseTo(2);
    expect(fit.coefficient).toBeCloseTo(3);
  });

  it('rejects a zero value, which has no logarithm', () => {
    expect(() => powerFit([1, 10], [0, 5])).toThrow(StatsError);
  });
});

describe('growthClass', () => {
  it('calls an exponent near 1 linear', () => {
    expect(growthClass(1.04)).toBe('linear');
  });

  it('calls an exponent near 0 constant', () => {
    expect(growthClass(0.05)).toBe('constant');
  });
});
