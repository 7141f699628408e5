/**
 * The old generation's growth factor follows the user (src/store/gc.ts): V8's own while a list
 * loads and while keys come, 20% once both have stopped for IDLE_MS. The factor is V8's real
 * flag; this checks the policy's transitions, which the soak bench's memory figures rest on.
 */
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { heapGrowthPercent, IDLE_MS, listLoading, userActive } from '../../src/store/gc.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

test('tight while idle, V8 own factor while a list loads or keys come', () => {
  listLoading(1);
  expect(heapGrowthPercent()).toBe(0);
  listLoading(1);
  listLoading(-1);
  expect(heapGrowthPercent()).toBe(0); // one list still loading
  listLoading(-1);
  expect(heapGrowthPercent()).toBe(20);

  userActive();
  expect(heapGrowthPercent()).toBe(0);
  vi.advanceTimersByTime(IDLE_MS - 500);
  userActive(); // a key before the pause ends: the pause starts again
  vi.advanceTimersByTime(IDLE_MS - 500);
  expect(heapGrowthPercent()).toBe(0);
  vi.advanceTimersByTime(600);
  expect(heapGrowthPercent()).toBe(20);

  // a list that starts while idle, and keys while it loads: tight only once both are over
  listLoading(1);
  userActive();
  vi.advanceTimersByTime(IDLE_MS + 100);
  expect(heapGrowthPercent()).toBe(0);
  listLoading(-1);
  expect(heapGrowthPercent()).toBe(20);
});

test('a relist keeps the idle factor', () => {
  vi.advanceTimersByTime(60_000); // past the first test's keys (its clock ran ahead)
  listLoading(1);
  listLoading(-1);
  expect(heapGrowthPercent()).toBe(20);
  listLoading(1, false);
  expect(heapGrowthPercent()).toBe(20);
  listLoading(-1, false);
  expect(heapGrowthPercent()).toBe(20);
});
