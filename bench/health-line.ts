/**
 * kmux's KMUX_TRACE health line (src/app/health.ts's healthLine) read back by the soak bench:
 * `health <ms> rss=..MB heap=..MB ... watches=N/M sockets=N+Nidle listeners=N rows=N
 * loop_p99=..ms loop_max=..ms stores=dev:pods=N,...`.
 */
export interface KHealth {
  at: number;
  rss: number;
  heap: number;
  watches: number;
  stores: number;
  sockets: number;
  idle: number;
  listeners: number;
  rows: number;
  loopP99: number;
  /** rows per context, pod stores only (all namespaces and selectors of a context together) */
  pods: Map<string, number>;
}

export function parseHealth(line: string): KHealth | undefined {
  const m = /^health (\d+) rss=([\d.]+)MB heap=([\d.]+)MB .* watches=(\d+)\/(\d+) sockets=(\d+)\+(\d+)idle listeners=(\d+) rows=(\d+) loop_p99=([\d.]+)ms loop_max=[\d.]+ms stores=(.*)$/.exec(line);
  if (!m) return undefined;
  const pods = new Map<string, number>();
  for (const s of m[11].split(',')) {
    // context:pods[:-n:ns][:-l:selector]=rows
    const sm = /^([^:]+):pods(?::[^=]*)?=(\d+)$/.exec(s);
    if (sm) pods.set(sm[1], (pods.get(sm[1]) ?? 0) + Number(sm[2]));
  }
  const n = m.slice(1, 11).map(Number);
  return { at: n[0], rss: n[1], heap: n[2], watches: n[3], stores: n[4], sockets: n[5], idle: n[6], listeners: n[7], rows: n[8], loopP99: n[9], pods };
}
