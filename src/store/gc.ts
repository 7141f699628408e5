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
/** the heap used right after kmux's last full collection (bytes; 0: none yet) */
let compactedHeap = 0;
/** V8's committed heap right after it (bytes) */
let compactedTotal = 0;
/** items listed since the last full collection, all stores together */
let listedSince = 0;

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
    listedSince = 0;
    // 'last-resort' compacts and hands the freed pages back to the system; a regular full
    // collection leaves most of them resident (measured: 150 MB -> 123 MB regular, 55 MB last-resort)
    const gc = collector();
    if (!gc) return;
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    const h = v8.getHeapStatistics();
    compactedHeap = h.used_heap_size;
    compactedTotal = h.total_heap_size;
  }, wait);
  timer.unref?.();
}

/**
 * How far V8 lets the old generation grow past what the last full collection left. Under churn
 * every row version outlives the nursery, so with V8's own factor (1.1-4x, near 2.7x here) the
 * old generation fills with dead rows: 3 x 10,000 churning pods sat near 400 MB resident with a
 * live heap of 80 MB. A tight factor (20%) collects them sooner, at the price of more full
 * collections: it cost key latency when it held all the time (bench (b), 50,000 rows: filter
 * typing p95 115 ms against 73 ms), and it made loading a list twice as slow (bench (a)).
 *
 * So the factor follows the user: V8's own while a list loads and while keys come (until
 * IDLE_MS after the last one), 20% the rest of the time, which for a navigator left open on a
 * churning fleet is nearly all of it. KMUX_HEAP_GROWTH_PERCENT sets the idle factor (0: V8's
 * own, always).
 */
const env = process.env.KMUX_HEAP_GROWTH_PERCENT;
const IDLE_GROWTH_PERCENT = env !== undefined && env !== '' && Number.isFinite(Number(env)) ? Math.max(0, Math.min(400, Number(env))) : 20;
export const IDLE_MS = 3_000;
let lists = 0;
let growth = -1;
let lastKey = 0;
let idleTimer: NodeJS.Timeout | undefined;

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

/** how often an idle kmux looks at how much of V8's committed heap is in use */
export const TIDY_EVERY_MS = 30_000;
let tidyTimer: NodeJS.Timeout | undefined;

/**
 * While idle, every TIDY_EVERY_MS: when V8's committed heap is 30% and 24 MB or more above what
 * kmux's last compaction left, compact. Under steady churn the used heap stays flat but the
 * old generation's pages fragment (V8's regular full collections move few of them), and a
 * 30,000-row view crept from 232 to 262 MB resident over 18 minutes with its heap at 80-100 MB;
 * a compaction gives the pages back (after one, 186 MB).
 */
function tidy(): void {
  if (growth !== 0 && compactedTotal) tidyHeap();
}

/** Compact when V8's committed heap is 30% and 24 MB past what the last compaction left (the first call compacts). */
export function tidyHeap(): void {
  const total = v8.getHeapStatistics().total_heap_size;
  if (!compactedTotal || (total > compactedTotal * 1.3 && total - compactedTotal >= 24 * 1048576)) compactSoon(0);
}

function settle(): void {
  const busy = lists > 0 || Date.now() - lastKey < IDLE_MS;
  const wasBusy = growth === 0;
  setGrowth(busy ? 0 : IDLE_GROWTH_PERCENT);
  if (busy || !IDLE_GROWTH_PERCENT) {
    if (tidyTimer) clearInterval(tidyTimer);
    tidyTimer = undefined;
  } else if (!tidyTimer) {
    tidyTimer = setInterval(tidy, TIDY_EVERY_MS);
    tidyTimer.unref?.();
  }
  if (busy || !wasBusy || !IDLE_GROWTH_PERCENT || !compactedHeap) return;
  // The user paused: what the busy spell left (old views' rows, lists, frames) is collected now,
  // while nobody waits for a key, instead of when V8's wider limit is reached some minutes on.
  // A tight factor alone would apply only from the next collection.
  const used = v8.getHeapStatistics().used_heap_size;
  if (used > compactedHeap * 1.25 && used - compactedHeap > 8 * 1048576) compactSoon(0);
}

/** The factor now (0: V8's own), for :health and tests. */
export function heapGrowthPercent(): number {
  return Math.max(0, growth);
}

/** listed items after which the end of the last list brings a full collection */
export const COLLECT_AFTER_ITEMS = 5_000;

/** A store took in a whole list of `n` items. */
export function listed(n: number): void {
  listedSince += n;
}

/** relists loading now (a watch that could not resume): they leave the factor as it is */
let relists = 0;

/**
 * A store started (+1) or finished (-1) loading a list; `first`: its first, which someone waits
 * for, so V8's own factor while it loads (a relist is the view already shown, refreshed: with
 * V8's own factor the relist of 3 x 10,000 pods took a view left open from ~210 to 342 MB for
 * a moment; under the tight one the extra collections cost nobody a key). When the last list
 * finishes after many items (three stores of 10,000 pods, say, none big enough to collect on
 * its own), one full collection hands the pages the lists' peak committed back to the system:
 * without it a 30,000-row view sat at 310 MB resident over an 80 MB heap long after it loaded.
 */
export function listLoading(delta: 1 | -1, first = true): void {
  if (first) lists = Math.max(0, lists + delta);
  else relists = Math.max(0, relists + delta);
  settle();
  if (lists === 0 && relists === 0 && listedSince >= COLLECT_AFTER_ITEMS) compactSoon();
}

/** The user pressed a key: V8's own factor until IDLE_MS after the last one. */
export function userActive(): void {
  lastKey = Date.now();
  settle();
  if (idleTimer) return;
  const wake = () => {
    const left = lastKey + IDLE_MS - Date.now();
    if (left > 0) {
      idleTimer = setTimeout(wake, left);
      idleTimer.unref?.();
      return;
    }
    idleTimer = undefined;
    settle();
  };
  idleTimer = setTimeout(wake, IDLE_MS);
  idleTimer.unref?.();
}
