import { describe, expect, it } from 'vitest';
import {
  ageSince,
  fmtCpuMilli,
  fmtMemMi,
  fmtQuantityCpu,
  fmtQuantityMem,
  humanAge,
  parseCpu,
  parseMem,
  parseQuantity,
  percent,
  toMs,
} from '../../src/resources/format.js';

const S = 1000, M = 60 * S, H = 60 * M, D = 24 * H, Y = 365 * D;

describe('humanAge (kubectl HumanDuration)', () => {
  it.each([
    [-5 * S, '0s'], [0, '0s'], [999, '0s'], [59 * S, '59s'], [119 * S, '119s'], [120 * S, '2m'],
    [3 * M + 5 * S, '3m5s'], [3 * M, '3m'], [9 * M + 59 * S, '9m59s'], [10 * M, '10m'], [45 * M, '45m'],
    [179 * M, '179m'], [3 * H, '3h'], [3 * H + 5 * M, '3h5m'], [7 * H + 59 * M, '7h59m'], [8 * H, '8h'],
    [30 * H, '30h'], [47 * H + 59 * M, '47h'], [48 * H, '2d'], [2 * D + 3 * H, '2d3h'], [7 * D + 23 * H, '7d23h'],
    [8 * D, '8d'], [300 * D, '300d'], [729 * D, '729d'], [2 * Y, '2y'], [3 * Y + 20 * D, '3y20d'], [3 * Y, '3y'],
    [7 * Y + 364 * D, '7y364d'], [8 * Y, '8y'], [10 * Y + 40 * D, '10y'],
  ])('%d ms -> %s', (ms, want) => {
    expect(humanAge(ms)).toBe(want);
  });

  it('ageSince and toMs handle missing and zero times', () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    expect(toMs('2025-03-01T11:00:00Z')).toBe(now - H);
    expect(toMs(undefined)).toBe('');
    expect(toMs('0001-01-01T00:00:00Z')).toBe('');
    expect(toMs('garbage')).toBe('');
    expect(ageSince(now - 90 * M, now)).toBe('90m');
    expect(ageSince('', now)).toBe('<unknown>');
  });
});

describe('quantities', () => {
  it.each([
    ['250m', 250], ['1', 1000], ['1.5', 1500], ['0.1', 100], ['2500000n', 2.5], ['300u', 0.3], ['2k', 2_000_000],
    ['100m', 100], ['1e-3', 1], ['', 0], [undefined, 0], ['bogus', 0],
  ])('parseCpu(%s) = %d', (q, want) => {
    expect(parseCpu(q)).toBeCloseTo(want, 9);
  });

  it('parseCpu is exact for common decimal forms', () => {
    expect(parseCpu('0.1')).toBe(100);
    expect(parseCpu('1.5')).toBe(1500);
    expect(parseCpu('300u')).toBe(0.3);
    expect(parseCpu(2)).toBe(2000);
  });

  it.each([
    ['128Mi', 128 * 2 ** 20], ['1Gi', 2 ** 30], ['1G', 1e9], ['500M', 5e8], ['1024Ki', 2 ** 20], ['1e3', 1000],
    ['1.5Gi', 1.5 * 2 ** 30], ['12345', 12345], ['64k', 64000], ['2Ti', 2 * 2 ** 40], ['', 0], ['x', 0],
  ])('parseMem(%s) = %d', (q, want) => {
    expect(parseMem(q)).toBe(want);
  });

  it('parseQuantity rejects junk and keeps signs', () => {
    expect(parseQuantity('-1Ki')).toBe(-1024);
    expect(parseQuantity('.5')).toBe(0.5);
    expect(Number.isNaN(parseQuantity('1Xi'))).toBe(true);
    expect(Number.isNaN(parseQuantity('.'))).toBe(true);
  });

  it('formats the CPU and MEM columns like K9s', () => {
    expect(fmtCpuMilli(12)).toBe('12');
    expect(fmtCpuMilli(2.5)).toBe('3');
    expect(fmtCpuMilli(0)).toBe('0');
    expect(fmtMemMi(128 * 2 ** 20)).toBe('128');
    expect(fmtMemMi(128 * 2 ** 20 + 500_000)).toBe('128');
  });

  it('formats quantities for describe', () => {
    expect(fmtQuantityCpu(250)).toBe('250m');
    expect(fmtQuantityCpu(1500)).toBe('1500m');
    expect(fmtQuantityCpu(2000)).toBe('2');
    expect(fmtQuantityCpu(0)).toBe('0');
    expect(fmtQuantityMem(128 * 2 ** 20)).toBe('128Mi');
    expect(fmtQuantityMem(2 ** 30)).toBe('1Gi');
    expect(fmtQuantityMem(5e8)).toBe('500M');
    expect(fmtQuantityMem(1000)).toBe('1k');
    expect(fmtQuantityMem(1234)).toBe('1234');
    expect(fmtQuantityMem(0)).toBe('0');
  });

  it('percent truncates and says n/a for a zero base', () => {
    expect(percent(1, 4)).toBe('25%');
    expect(percent(29, 100)).toBe('29%');
    expect(percent(2, 3)).toBe('66%');
    expect(percent(300, 100)).toBe('300%');
    expect(percent(5, 0)).toBe('n/a');
  });
});
