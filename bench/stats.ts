/** Small statistics for the benchmark: robust centre, spread, ratios and least-squares growth fits. */

export class StatsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StatsError';
  }
}

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new StatsError('no values');
  if (values.some((value) => !Number.isFinite(value))) throw new StatsError(`not a finite number in ${values}`);
  return [...values].sort((a, b) => a - b);
}

/** The q-quantile (0..1) with linear interpolation between the closest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (q < 0 || q > 1) throw new StatsError(`quantile ${q} is outside 0..1`);
  const ordered = sorted(values);
  const position = (ordered.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = ordered[lower] as number;
  const high = ordered[upper] as number;
  return low + (high - low) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function maximum(values: readonly number[]): number {
  return sorted(values).at(-1) as number;
}

export function minimum(values: readonly number[]): number {
  return sorted(values)[0] as number;
}

/** Median with the spread a reader needs to judge it: the range and the number of samples. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

export function summarize(values: readonly number[]): Summary {
  return { median: median(values), min: minimum(values), max: maximum(values), count: values.length };
}

export function ratio(numerator: number, denominator: number): number {
  if (denominator === 0) throw new StatsError(`ratio ${numerator}/0`);
  return numerator / denominator;
}

export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  /** Coefficient of determination; 1 when every point lies on the line (and when y is constant). */
  readonly r2: number;
}

/** Ordinary least squares y = intercept + slope·x. */
export function linearFit(xs: readonly number[], ys: readonly number[]): LinearFit {
  if (xs.length !== ys.length) throw new StatsError(`${xs.length} x values but ${ys.length} y values`);
  if (xs.length < 2) throw new StatsError('a fit needs at least two points');
  const n = xs.length;
  const meanX = xs.reduce((sum, x) => sum + x, 0) / n;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let index = 0; index < n; index += 1) {
    const dx = (xs[index] as number) - meanX;
    const dy = (ys[index] as number) - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) throw new StatsError('a fit needs at least two distinct x values');
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  const residual = syy - slope * sxy;
  return { slope, intercept, r2: syy === 0 ? 1 : 1 - residual / syy };
}

export interface PowerFit {
  /** b in y = a·x^b: 0 constant, 1 linear, 2 quadratic. */
  readonly exponent: number;
  readonly coefficient: number;
  /** r² of the fit on the log-log scale. */
  readonly r2: number;
}

/** Least squares on log-log: y = coefficient · x^exponent. Every x and y must be positive. */
export function powerFit(xs: readonly number[], ys: readonly number[]): PowerFit {
  if ([...xs, ...ys].some((value) => !(value > 0))) {
    throw new StatsError('a power fit needs positive values');
  }
  const fit = linearFit(
    xs.map((x) => Math.log(x)),
    ys.map((y) => Math.log(y)),
  );
  return { exponent: fit.slope, coefficient: Math.exp(fit.intercept), r2: fit.r2 };
}

/** Names the growth a power-law exponent shows, with the tolerance a handful of points allows. */
export function growthClass(exponent: number): string {
  if (Math.abs(exponent) < 0.15) return 'constant';
  if (exponent < 0.85) return 'sub-linear';
  if (exponent <= 1.15) return 'linear';
  if (exponent <= 1.85) return 'super-linear';
  return 'quadratic or worse';
}
