/**
 * One full garbage collection after a big list has been loaded. Parsing 50,000 pods leaves
 * hundreds of megabytes of dead JSON that V8 would otherwise keep resident for a long time;
 * collecting it once, right after, brings the process back to what it really holds.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

type Collect = (opts?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;
let collect: Collect | undefined | null;
let timer: NodeJS.Timeout | undefined;
let last = 0;
const MIN_INTERVAL_MS = 2_000;

function collector(): Collect | null {
  if (collect !== undefined) return collect;
  try {
    if (typeof (globalThis as any).gc === 'function') collect = (globalThis as any).gc;
    else {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as Collect;
    }
  } catch {
    collect = null;
  }
  return collect ?? null;
}

/** Ask for a full collection shortly (coalesced; at most one every 2 s). */
export function compactSoon(delayMs = 500): void {
  if (timer) return;
  const wait = Math.max(delayMs, last + MIN_INTERVAL_MS - Date.now());
  timer = setTimeout(() => {
    timer = undefined;
    last = Date.now();
    // 'last-resort' compacts and hands the freed pages back to the system; a regular full
    // collection leaves most of them resident (measured: 150 MB -> 123 MB regular, 55 MB last-resort)
    collector()?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  }, wait);
  timer.unref?.();
}

/**
 * How far V8 lets the old generation grow past what the last full collection left. Under churn
 * every row version outlives the nursery, so with V8's own factor (2-4x) the old generation
 * fills with dead rows: 3 x 10,000 churning pods sat near 440 MB resident, near 310 MB with 20%.
 * While a list loads, the heap is meant to grow, and a tight factor made launch twice as slow
 * (bench (a)): the tight factor holds only while no store is listing.
 */
/*
 * Off unless asked for (KMUX_HEAP_GROWTH_PERCENT=20): the more frequent full collections cost key
 * latency. bench (b), 50,000 rows, one run each on the same quiet 2-core machine: filter typing
 * p95 115 ms with churn / 156 ms without at 20%, 73 / 75 ms with V8's own factor; cursor moves
 * 47 / 126 ms against 36 / 48 ms. Keys first; the memory bound needs another way (issue 21).
 */
const STEADY_GROWTH_PERCENT = Math.max(0, Math.min(400, Number(process.env.KMUX_HEAP_GROWTH_PERCENT) || 0));
let lists = 0;
let growth = -1;

function setGrowth(percent: number): void {
  if (percent === growth) return;
  growth = percent;
  try {
    // 0 is V8's own dynamic factor
    v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  } catch {
    // a V8 without the flag: its own factor, as before
  }
}

/** A store started (+1) or finished (-1) loading a list. */
export function listLoading(delta: 1 | -1): void {
  lists = Math.max(0, lists + delta);
  setGrowth(lists > 0 ? 0 : STEADY_GROWTH_PERCENT);
}
