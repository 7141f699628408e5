/**
 * `:pulses`: how many objects of each kind there are, how many are not ok (events: warnings),
 * and how that moves: changes per minute from the stores' change counters and a two-minute
 * history of the totals. Everything comes from the row stores (shared with the views, no
 * request of its own) and node metrics where the cluster serves them; a local clock samples
 * the counts every two seconds for the history.
 */
import type { ApiResource } from '../kube/discovery.js';
import type { MetricsPoller } from '../store/metrics.js';
import type { Row, RowStore } from '../store/rows.js';
import type { Session } from './session.js';

/** K9s's pulse kinds, with replica sets: plural and API group. */
export const PULSE_KINDS: readonly [string, string][] = [
  ['nodes', ''], ['namespaces', ''], ['services', ''], ['events', ''],
  ['pods', ''], ['deployments', 'apps'], ['replicasets', 'apps'], ['statefulsets', 'apps'], ['daemonsets', 'apps'],
  ['jobs', 'batch'], ['cronjobs', 'batch'], ['persistentvolumes', ''], ['persistentvolumeclaims', ''],
  ['horizontalpodautoscalers', 'autoscaling'], ['ingresses', 'networking.k8s.io'], ['networkpolicies', 'networking.k8s.io'], ['serviceaccounts', ''],
];

export const SAMPLE_MS = 2000;
const KEEP = 60;

interface Sample {
  t: number;
  seq: number;
  total: number;
  failing: number;
}

export interface PulseRow {
  context: string;
  /** a kind's plural, or 'cpu' / 'memory' */
  plural: string;
  total?: number;
  ok?: number;
  failing?: number;
  /** total now minus total a minute ago (or since the first sample) */
  delta?: number;
  /** changes (adds, updates, deletes) per minute, once there are a few seconds of samples */
  perMin?: number;
  /** totals (or, for cpu and memory, percent of allocatable), oldest first */
  history: number[];
  /** loading, or what is wrong with the store (forbidden...) */
  note?: string;
  /** cpu and memory: what TOTAL shows (e.g. 1200m of 7900m) */
  usage?: string;
}

interface Entry {
  context: string;
  plural: string;
  store: RowStore;
  samples: Sample[];
  counted?: { version: number; total: number; failing: number };
}

/** Not ok: an event that is a warning; any other object in error, pending or terminating. */
export function failing(plural: string, r: Row): boolean {
  if (plural === 'events') return r.state === 'error';
  return r.state === 'error' || r.state === 'pending' || r.state === 'terminating';
}

export class PulseModel {
  private readonly entries: Entry[] = [];
  private readonly usage = new Map<string, { poller: MetricsPoller; cpu: Sample[]; mem: Sample[] }>();
  private readonly unsubs: (() => void)[] = [];
  private timer?: NodeJS.Timeout;

  private constructor(readonly session: Session, readonly contexts: string[], readonly namespace: string | undefined) {}

  static async open(session: Session, o: { contexts: string[]; namespace?: string }): Promise<PulseModel> {
    const m = new PulseModel(session, o.contexts, o.namespace);
    await Promise.all(o.contexts.map(async (ctx) => {
      const c = session.client(ctx);
      if (c.broken) return;
      if (c.health.state === 'connecting' || !c.resources) c.start();
      const all = await c.ensureResources();
      if (all) m.acquire(ctx, all);
    }));
    // the order the kinds are listed in, whichever context answered first
    m.entries.sort((a, b) => o.contexts.indexOf(a.context) - o.contexts.indexOf(b.context) || PULSE_KINDS.findIndex((k) => k[0] === a.plural) - PULSE_KINDS.findIndex((k) => k[0] === b.plural));
    m.sample();
    m.timer = setInterval(() => {
      m.sample();
      session.changed();
    }, SAMPLE_MS);
    m.timer.unref?.();
    return m;
  }

  private acquire(ctx: string, all: ApiResource[]): void {
    for (const [plural, group] of PULSE_KINDS) {
      const res = all.find((r) => r.plural === plural && r.group === group);
      // cluster-scoped kinds say nothing about one namespace
      if (!res || (this.namespace && !res.namespaced)) continue;
      const store = this.session.registry.acquire({ context: ctx, resource: res, namespace: res.namespaced ? this.namespace : undefined });
      this.unsubs.push(store.subscribe(() => this.session.changed()), () => this.session.registry.release(store));
      this.entries.push({ context: ctx, plural, store, samples: [] });
    }
    const poller = this.session.metricsFor(ctx, 'nodes');
    this.unsubs.push(poller.onChange(() => this.session.changed()), () => this.session.releaseMetrics(poller));
    this.usage.set(ctx, { poller, cpu: [], mem: [] });
  }

  /** Total and not-ok counts of a store, counted once per store version. */
  private count(e: Entry): { total: number; failing: number } {
    if (e.counted?.version !== e.store.version) {
      let bad = 0;
      for (const r of e.store.rows.values()) if (failing(e.plural, r)) bad++;
      e.counted = { version: e.store.version, total: e.store.rows.size, failing: bad };
    }
    return e.counted;
  }

  /** Take a sample of every kind (and of cpu and memory use) for the history and the rates. */
  sample(now = Date.now()): void {
    const push = (list: Sample[], s: Sample) => {
      list.push(s);
      if (list.length > KEEP) list.splice(0, list.length - KEEP);
    };
    for (const e of this.entries) {
      if (!e.store.status.synced) continue;
      push(e.samples, { t: now, seq: e.store.seq, ...this.count(e) });
    }
    for (const [ctx, u] of this.usage) {
      const use = this.session.clusterUsage(ctx);
      if (use?.cpuPct !== undefined) push(u.cpu, { t: now, seq: 0, total: use.cpuPct, failing: 0 });
      if (use?.memPct !== undefined) push(u.mem, { t: now, seq: 0, total: use.memPct, failing: 0 });
    }
  }

  rows(now = Date.now()): PulseRow[] {
    const out: PulseRow[] = [];
    for (const e of this.entries) {
      const st = e.store.status;
      if (!st.synced) {
        out.push({ context: e.context, plural: e.plural, history: [], note: st.error ? `${st.errorKind ?? 'error'}: ${st.error}` : 'loading...' });
        continue;
      }
      const { total, failing: bad } = this.count(e);
      // the first sample when the store has listed, not at the next tick: what changes from now on counts
      if (!e.samples.length) e.samples.push({ t: now, seq: e.store.seq, total, failing: bad });
      // a minute back, or as far back as the samples go
      const base = e.samples.find((s) => now - s.t <= 60_000 + SAMPLE_MS / 2);
      const span = base ? now - base.t : 0;
      out.push({
        context: e.context, plural: e.plural, total, ok: total - bad, failing: bad,
        delta: base ? total - base.total : undefined,
        perMin: base && span >= 5000 ? Math.round(((e.store.seq - base.seq) * 60_000) / span) : undefined,
        history: e.samples.map((s) => s.total),
        note: st.error ? `${st.errorKind ?? 'error'}: ${st.error}` : undefined,
      });
    }
    for (const [ctx, u] of this.usage) {
      const use = this.session.clusterUsage(ctx);
      if (!use) continue;
      out.push({ context: ctx, plural: 'cpu', usage: `${Math.round(use.cpu)}m`, history: u.cpu.map((s) => s.total), ...(use.cpuPct !== undefined ? { total: use.cpuPct } : {}) });
      out.push({ context: ctx, plural: 'memory', usage: `${Math.round(use.mem / 1024 / 1024)}Mi`, history: u.mem.map((s) => s.total), ...(use.memPct !== undefined ? { total: use.memPct } : {}) });
    }
    return out;
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const u of this.unsubs.splice(0)) u();
  }
}

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline of the last `n` values: the lowest value the lowest bar, the highest the highest. */
export function sparkline(values: number[], n = 30): string {
  const v = values.slice(-n);
  if (!v.length) return '';
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return v.map((x) => BARS[hi === lo ? 3 : Math.round(((x - lo) / (hi - lo)) * (BARS.length - 1))]).join('');
}
