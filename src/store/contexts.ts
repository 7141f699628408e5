/**
 * Per-context health and discovery. A context that is unreachable, slow or refuses us never
 * blocks the others: each is checked on its own clock, with backoff while it fails.
 */
import { Connection } from '../kube/connection.js';
import { discover, type ApiResource } from '../kube/discovery.js';
import type { Kubeconfig, KubeContext } from '../kube/kubeconfig.js';
import { parseCpu, parseMem } from '../resources/format.js';

export interface Health {
  state: 'connecting' | 'ok' | 'error';
  version?: string;
  error?: string;
  nodes?: number;
  /** allocatable CPU (millicores) and memory (bytes) summed over the nodes listed. */
  allocatable?: { cpu: number; mem: number };
  checkedAt?: number;
}

export class ContextClient {
  readonly conn: Connection;
  health: Health = { state: 'connecting' };
  resources?: ApiResource[];
  private timer?: NodeJS.Timeout;
  private failures = 0;
  private stopped = false;
  private readonly listeners = new Set<() => void>();

  constructor(readonly info: KubeContext, kubeconfig: Kubeconfig) {
    this.conn = new Connection(kubeconfig, info.name);
  }

  get name(): string {
    return this.info.name;
  }

  onChange(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }

  start(): void {
    this.stopped = false;
    void this.check();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.conn.close();
  }

  /** Re-check now (ctrl-r, or a view that needs discovery). */
  recheck(): void {
    if (this.timer) clearTimeout(this.timer);
    void this.check();
  }

  private async check(): Promise<void> {
    try {
      const v = await this.conn.json('GET', '/version', { timeoutMs: 5000 });
      if (!this.resources) this.resources = await discover(this.conn);
      let nodes: number | undefined;
      let allocatable: Health['allocatable'];
      try {
        // one page is enough for the header's totals; remainingItemCount gives the count beyond it
        const list = await this.conn.json('GET', '/api/v1/nodes', { query: { limit: 1000 }, timeoutMs: 10_000 });
        nodes = (list.items?.length ?? 0) + (list.metadata?.remainingItemCount ?? 0);
        allocatable = { cpu: 0, mem: 0 };
        for (const n of list.items ?? []) {
          allocatable.cpu += parseCpu(n.status?.allocatable?.cpu);
          allocatable.mem += parseMem(n.status?.allocatable?.memory);
        }
      } catch {
        nodes = undefined; // not allowed to list nodes: health is still fine
      }
      this.failures = 0;
      this.health = { state: 'ok', version: v.gitVersion, nodes, allocatable, checkedAt: Date.now() };
    } catch (e) {
      this.failures++;
      this.health = { ...this.health, state: 'error', error: (e as Error).message, checkedAt: Date.now() };
    }
    this.emit();
    if (this.stopped) return;
    const next = this.health.state === 'ok' ? 30_000 : Math.min(30_000, 1000 * 2 ** Math.min(this.failures, 5)) * (0.5 + Math.random() / 2);
    this.timer = setTimeout(() => void this.check(), next);
    this.timer.unref?.();
  }

  /** Discovery, waiting for it if it has not arrived yet (undefined while unreachable). */
  async ensureResources(timeoutMs = 5000): Promise<ApiResource[] | undefined> {
    if (this.resources) return this.resources;
    const t0 = Date.now();
    while (!this.resources && Date.now() - t0 < timeoutMs && this.health.state !== 'error') {
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.resources;
  }
}
