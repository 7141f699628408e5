/**
 * kmux's own health: what the process holds and how quick its event loop is, for a user who
 * wonders why their terminal is slow (`:health`) and for long runs (`KMUX_TRACE`: a line every
 * 10 s). Everything here is read, nothing is requested from a cluster.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Session } from './session.js';

export interface Health {
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  /** stores with their watch open now, of all stores */
  watches: number;
  stores: number;
  /** sockets to the clusters, in use and idle, and the listeners on them */
  sockets: number;
  idleSockets: number;
  socketListeners: number;
  /** rows per store: "context kind[ namespace]" -> rows */
  rows: { store: string; rows: number; watching: boolean }[];
  /** event-loop delay over the last window, ms */
  loopP99Ms: number;
  loopMaxMs: number;
}

let histogram: IntervalHistogram | undefined;
/** the event loop's delay is read over 10 s windows: the last whole one and the one running */
const WINDOW_MS = 10_000;
let windowStart = 0;
let lastWindow = { p99: 0, max: 0 };

/** Start measuring the event loop's delay (idempotent). */
export function watchEventLoop(): void {
  if (histogram) return;
  histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  windowStart = Date.now();
}

/** p99 and max (ms) over the last whole window and the running one, whichever is worse. */
function loopDelay(now = Date.now()): { p99: number; max: number } {
  const h = histogram!;
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  const cur = h.count ? { p99: ms(h.percentile(99)), max: ms(h.max) } : { p99: 0, max: 0 };
  if (now - windowStart >= WINDOW_MS) {
    lastWindow = cur;
    windowStart = now;
    h.reset();
    return cur;
  }
  return { p99: Math.max(cur.p99, lastWindow.p99), max: Math.max(cur.max, lastWindow.max) };
}

const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;

/** A reading now. */
export function readHealth(session: Session): Health {
  watchEventLoop();
  const mem = process.memoryUsage();
  const stores = session.registry.all();
  let sockets = 0;
  let idleSockets = 0;
  let socketListeners = 0;
  for (const c of session.contexts.values()) {
    const s = c.connStats();
    sockets += s.sockets;
    idleSockets += s.freeSockets;
    socketListeners += s.socketListeners;
  }
  const loop = loopDelay();
  return {
    rssMB: mb(mem.rss), heapUsedMB: mb(mem.heapUsed), externalMB: mb(mem.external), arrayBuffersMB: mb(mem.arrayBuffers),
    watches: stores.filter((s) => s.watching).length, stores: stores.length,
    sockets, idleSockets, socketListeners,
    rows: stores.map((s) => ({
      store: `${s.key.context} ${s.key.resource.plural}${s.key.namespace ? ` -n ${s.key.namespace}` : ''}${s.key.labelSelector ? ` -l ${s.key.labelSelector}` : ''}`,
      rows: s.rows.size, watching: s.watching,
    })),
    loopP99Ms: loop.p99,
    loopMaxMs: loop.max,
  };
}

/** The trace line: one line, key=value, easy to grep and plot. */
export function healthLine(h: Health, now = Date.now()): string {
  const rows = h.rows.reduce((n, r) => n + r.rows, 0);
  return `health ${now} rss=${h.rssMB}MB heap=${h.heapUsedMB}MB external=${h.externalMB}MB arraybuffers=${h.arrayBuffersMB}MB ` +
    `watches=${h.watches}/${h.stores} sockets=${h.sockets}+${h.idleSockets}idle listeners=${h.socketListeners} rows=${rows} ` +
    `loop_p99=${h.loopP99Ms}ms loop_max=${h.loopMaxMs}ms stores=${h.rows.map((r) => `${r.store.replace(/ /g, ':')}=${r.rows}`).join(',')}`;
}

/** Every `everyMs`, hand a health line to `write` (KMUX_TRACE). Returns the stop function. */
export function traceHealth(session: Session, write: (line: string) => void, everyMs = 10_000): () => void {
  watchEventLoop();
  const t = setInterval(() => write(healthLine(readHealth(session))), everyMs);
  t.unref();
  return () => clearInterval(t);
}
