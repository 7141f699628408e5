/**
 * The bench's statistics: medians, percentiles, the spread of a figure across its repeats, and
 * the machine's load average while a figure was measured.
 */

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile. */
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** `median unit (min-max)`, each value written by fmt: `1.07 s (1.02-1.15)`; one value alone has no range. */
export function spreadText(xs: number[], fmt: (x: number) => string, unit = ''): string {
  if (!xs.length) return 'none';
  const med = `${fmt(median(xs))}${unit}`;
  if (xs.length === 1) return med;
  return `${med} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})`;
}

/**
 * kmux's figure over the baseline's, run by run: the repeats are paired (measured alternately),
 * so the i-th of each belong together. Only complete pairs count.
 */
export function pairedRatios(kmux: number[], base: number[]): number[] {
  const n = Math.min(kmux.length, base.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(kmux[i] / base[i]);
  return out;
}

/** The ratio of the medians, with the range of the run-by-run ratios: `8.9x (8.1-9.6)`. */
export function ratioText(kmux: number[], base: number[]): string {
  const r = median(kmux) / median(base);
  const pairs = pairedRatios(kmux, base);
  const f = (x: number) => x.toFixed(2);
  return pairs.length > 1 ? `${f(r)}x (${f(Math.min(...pairs))}-${f(Math.max(...pairs))})` : `${f(r)}x`;
}

export interface LoadSample {
  /** when it was read (any clock, the same as the spans') */
  at: number;
  /** the 1-minute load average */
  load: number;
}

/**
 * The load average read during some spans of time (a figure is measured in several stretches,
 * one per repeat, with other work between them): mean and max of the samples inside any span,
 * ends included; undefined when none falls inside.
 */
export function loadDuring(samples: LoadSample[], spans: [number, number][]): { mean: number; max: number; n: number } | undefined {
  const inside = samples.filter((s) => spans.some(([a, b]) => s.at >= a && s.at <= b)).map((s) => s.load);
  if (!inside.length) return undefined;
  return { mean: inside.reduce((a, b) => a + b, 0) / inside.length, max: Math.max(...inside), n: inside.length };
}
