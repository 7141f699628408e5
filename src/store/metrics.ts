/**
 * metrics.k8s.io, polled on its own cadence for the views that show CPU and MEM. A cluster
 * without the metrics API answers 404 once; from then on its columns say n/a and it is asked
 * again only rarely.
 */
import type { Connection } from '../kube/connection.js';
import { ApiError } from '../kube/connection.js';
import { parseCpu, parseMem } from '../resources/format.js';
import type { Metrics } from './view.js';
import { compactSoon } from './gc.js';

export class MetricsPoller {
  /** ns/name (pods) or name (nodes) -> usage */
  readonly values = new Map<string, Metrics>();
  available: boolean | undefined;
  /** bumps on every poll, so views sorted by a metric re-sort */
  version = 0;
  private timer?: NodeJS.Timeout;
  /** between start() and stop() */
  private running = false;
  /** a request is out (stop() cannot cancel it: what it brings is dropped, and no next poll follows) */
  private inFlight = false;
  private readonly listeners = new Set<() => void>();
  refs = 0;

  constructor(
    private readonly conn: Connection,
    readonly kind: 'pods' | 'nodes',
    readonly namespace: string | undefined,
    private readonly everyMs = 15_000,
  ) {}

  onChange(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // started again while the last request is out: that request's answer schedules the next
    if (!this.inFlight) void this.poll();
  }

  /**
   * No more polls. A poll stopped while its request was out used to schedule the next one when
   * the answer came: every view left during a poll kept a poller polling every 15 s for as long
   * as kmux ran (44 of them after 20 rounds of switching views, with their values).
   */
  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    let wait = this.everyMs;
    this.inFlight = true;
    try {
      const path = this.kind === 'nodes' ? '/apis/metrics.k8s.io/v1beta1/nodes'
        : this.namespace ? `/apis/metrics.k8s.io/v1beta1/namespaces/${this.namespace}/pods` : '/apis/metrics.k8s.io/v1beta1/pods';
      const list = await this.conn.json('GET', path, { timeoutMs: 20_000 });
      if (!this.running) return;
      this.values.clear();
      for (const m of list.items ?? []) {
        let cpu = 0, mem = 0;
        if (this.kind === 'nodes') {
          cpu = parseCpu(m.usage?.cpu);
          mem = parseMem(m.usage?.memory);
        } else {
          for (const c of m.containers ?? []) {
            cpu += parseCpu(c.usage?.cpu);
            mem += parseMem(c.usage?.memory);
          }
        }
        this.values.set(this.kind === 'nodes' ? m.metadata.name : `${m.metadata.namespace}/${m.metadata.name}`, { cpu, mem });
      }
      this.available = true;
      // the first poll of a big cluster comes right after its list: its megabytes of JSON go
      // with the list's, in one collection (later polls' garbage is collected as it comes)
      if (this.version === 0 && this.values.size > 10_000) compactSoon();
    } catch (e) {
      if (!this.running) return;
      if (e instanceof ApiError && (e.status === 404 || e.status === 403 || e.status === 503)) {
        this.available = false;
        this.values.clear();
        wait = 5 * 60_000;
      }
    } finally {
      this.inFlight = false;
    }
    this.version++;
    for (const l of this.listeners) l();
    this.timer = setTimeout(() => void this.poll(), wait);
    this.timer.unref?.();
  }
}
