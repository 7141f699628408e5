/**
 * The bench's verdicts rest on these: the median of the repeats, each run's p95, the spread
 * printed beside them, and the load average taken only while a figure was measured.
 */
import { expect, it } from 'vitest';
import { loadDuring, median, pairedRatios, pct, ratioText, spreadText } from '../../bench/stats.js';

it('takes the median of odd and even counts, whatever the order', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([7])).toBe(7);
  expect(median([])).toBeNaN();
});

it('takes nearest-rank percentiles: p95 of 20 keys is the 19th fastest', () => {
  const xs = Array.from({ length: 20 }, (_, i) => 20 - i); // 20..1, unsorted
  expect(pct(xs, 95)).toBe(19);
  expect(pct(xs, 50)).toBe(10);
  expect(pct(xs, 100)).toBe(20);
  expect(pct([5], 95)).toBe(5);
  expect(pct([], 95)).toBeNaN();
});

it('writes a figure as its median with the min-max of the repeats', () => {
  const s = (x: number) => (x / 1000).toFixed(2);
  expect(spreadText([1150, 1020, 1070], s, ' s')).toBe('1.07 s (1.02-1.15)');
  expect(spreadText([1070], s, ' s')).toBe('1.07 s');
  expect(spreadText([], s, ' s')).toBe('none');
});

it('pairs each kmux run with the baseline run beside it for the range of ratios', () => {
  expect(pairedRatios([2, 4, 9], [1, 2, 3])).toEqual([2, 2, 3]);
  // a repeat cut short by an error leaves an unpaired kmux run out
  expect(pairedRatios([2, 4, 9], [1, 2])).toEqual([2, 2]);
  // the ratio is of the medians (4 / 2), the range of the pairs
  expect(ratioText([2, 4, 9], [1, 2, 3])).toBe('2.00x (2.00-3.00)');
  expect(ratioText([3], [2])).toBe('1.50x');
});

it('averages the load only over the stretches a figure was measured in', () => {
  const samples = [
    { at: 0, load: 9 }, // before
    { at: 10, load: 1 },
    { at: 12, load: 3 },
    { at: 15, load: 8 }, // between the two stretches: another figure's
    { at: 20, load: 2 },
    { at: 30, load: 9 }, // after
  ];
  const l = loadDuring(samples, [[10, 12], [18, 20]]);
  expect(l).toEqual({ mean: 2, max: 3, n: 3 });
  expect(loadDuring(samples, [[40, 50]])).toBeUndefined();
});
