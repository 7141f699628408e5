/**
 * Per-context health and discovery. A context that is unreachable, slow, refuses us or is
 * broken in the kubeconfig never blocks the others: each is checked on its own clock, with
 * backoff while it fails.
 *
 * The health check is also how kmux notices that a cluster came back or is not the one it
 * was: when a context answers again after failing, `onRecovered` listeners run (stores wake
 * from their backoff at once), and when its identity changes (the UID of its kube-system
 * namespace, or its version) `onIdentityChanged` listeners run (stores list afresh).
 */
import { Connection, errorKind, type ErrorKind } from '../kube/connection.js';
import { AccessCache } from '../kube/access.js';
import { discover, type ApiResource } from '../kube/discovery.js';
import type { Kubeconfig, KubeContext } from '../kube/kubeconfig.js';
import { parseCpu, parseMem } from '../resources/format.js';

export interface Health {
  /** broken: the kubeconfig entry cannot be used (see error); it is never contacted */
  state: 'connecting' | 'ok' | 'error' | 'broken';
  version?: string;
  error?: string;
  /** with state error: unreachable, unauthorized, forbidden, server... */
  errorKind?: ErrorKind | 'broken';
  nodes?: number;
  /** allocatable CPU (millicores) and memory (bytes) summed over the nodes listed. */
  allocatable?: { cpu: number; mem: number };
  checkedAt?: number;
}

/** While a context fails, it is checked again at most this often (with jitter). */
const DOWN_RECHECK_MAX_MS = 5_000;
const UP_RECHECK_MS = 30_000;

/** Thrown when something needs the connection of a context that is broken in the kubeconfig. */
export class BrokenContextError extends Error {
  constructor(readonly context: string, readonly reason: string) {
    super(`context "${context}" cannot be used: ${reason}`);
    this.name = 'BrokenContextError';
  }
}

export class ContextClient {
  private readonly connection?: Connection;
  health: Health = { state: 'connecting' };
  resources?: ApiResource[];
  /** what the server is: the kube-system namespace's UID (when readable) and version */
  identity?: string;
  /** who the server takes the user for (SelfSubjectReview), once it has said */
  user?: { username: string; groups: string[] };
  /** what the user may do here, as the server says (rules per namespace, reviews) */
  readonly access = new AccessCache(() => this.conn);
  private timer?: NodeJS.Timeout;
  private failures = 0;
  private stopped = false;
  private checking?: Promise<void>;
  private readonly listeners = new Set<() => void>();
  private readonly recovered = new Set<() => void>();
  private readonly identityChanged = new Set<() => void>();

  constructor(readonly info: KubeContext, kubeconfig: Kubeconfig) {
    let broken = info.broken;
    if (!broken) {
      try {
        this.connection = new Connection(kubeconfig, info.name);
      } catch (e) {
        broken = (e as Error).message;
      }
    }
    if (broken) this.health = { state: 'broken', error: broken, errorKind: 'broken' };
  }

  get name(): string {
    return this.info.name;
  }

  get broken(): boolean {
    return this.health.state === 'broken';
  }

  /** What the context's connection holds open (nothing for a broken context). */
  connStats(): { sockets: number; freeSockets: number; socketListeners: number; agents: number } {
    return this.connection?.stats() ?? { sockets: 0, freeSockets: 0, socketListeners: 0, agents: 0 };
  }

  /** The context's connection; throws BrokenContextError for a broken context. */
  get conn(): Connection {
    if (!this.connection) throw new BrokenContextError(this.info.name, this.health.error ?? 'broken');
    return this.connection;
  }

  onChange(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** The context answers again after failing. */
  onRecovered(l: () => void): () => void {
    this.recovered.add(l);
    return () => this.recovered.delete(l);
  }

  /** The server answering is not the one answering before (restored, recreated, upgraded). */
  onIdentityChanged(l: () => void): () => void {
    this.identityChanged.add(l);
    return () => this.identityChanged.delete(l);
  }

  private emit(set: Set<() => void> = this.listeners): void {
    for (const l of [...set]) {
      try {
        l();
      } catch {
        /* a listener's bug must not stop the health check */
      }
    }
  }

  start(): void {
    if (this.broken) return;
    this.stopped = false;
    if (!this.checking && !this.timer) void this.check();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.connection?.close();
  }

  /** Re-check now (ctrl-r, a view that needs discovery, a store that lost its connection). */
  recheck(): void {
    if (this.broken || this.stopped) return;
    if (this.checking) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void this.check();
  }

  /** Re-check unless a check finished within `ms` (stores that fail call this freely). */
  recheckIfOlder(ms: number): void {
    if ((this.health.checkedAt ?? 0) < Date.now() - ms) this.recheck();
  }

  private check(): Promise<void> {
    const p = this.doCheck().finally(() => {
      if (this.checking === p) this.checking = undefined;
    });
    this.checking = p;
    return p;
  }

  private async doCheck(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const conn = this.connection;
    if (!conn) return;
    const wasDown = this.health.state === 'error';
    let changed = false;
    try {
      const v = await conn.json('GET', '/version', { timeoutMs: 5000 });
      // who is answering (the kube-system namespace's UID is a cluster's usual identity: a
      // restored or recreated server has another; the version stands in when it cannot be read),
      // who the server takes us for (kubectl auth whoami), what it serves, and its nodes: asked
      // together, so the first view waits for one round trip, not four
      const [uid, user, discovered, nodeList] = await Promise.all([
        conn.json('GET', '/api/v1/namespaces/kube-system', { timeoutMs: 5000 }).then((ns) => (typeof ns?.metadata?.uid === 'string' ? ns.metadata.uid : ''), () => ''),
        conn.json('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, timeoutMs: 5000,
        }).then((r) => r?.status?.userInfo, () => undefined),
        this.resources ? Promise.resolve(undefined) : discover(conn),
        // one page is enough for the header's totals; remainingItemCount gives the count beyond it
        conn.json('GET', '/api/v1/nodes', { query: { limit: 1000 }, timeoutMs: 10_000 }).catch(() => undefined),
      ]);
      if (typeof user?.username === 'string') {
        const before = this.user?.username;
        this.user = { username: user.username, groups: Array.isArray(user.groups) ? user.groups.filter((g: unknown) => typeof g === 'string') : [] };
        if (before !== undefined && before !== user.username) this.access.invalidate();
      }
      const identity = `${uid}|${v?.gitVersion ?? ''}`;
      if (this.identity !== undefined && this.identity !== identity) {
        changed = true;
        // what it serves may have changed too
        this.resources = await discover(conn);
      } else if (discovered) this.resources = discovered;
      this.identity = identity;
      let nodes: number | undefined;
      let allocatable: Health['allocatable'];
      if (nodeList) {
        nodes = (nodeList.items?.length ?? 0) + (nodeList.metadata?.remainingItemCount ?? 0);
        allocatable = { cpu: 0, mem: 0 };
        for (const n of nodeList.items ?? []) {
          allocatable.cpu += parseCpu(n.status?.allocatable?.cpu);
          allocatable.mem += parseMem(n.status?.allocatable?.memory);
        }
      }
      this.failures = 0;
      this.health = { state: 'ok', version: v?.gitVersion, nodes, allocatable, checkedAt: Date.now() };
    } catch (e) {
      this.failures++;
      this.health = { ...this.health, state: 'error', error: (e as Error).message, errorKind: errorKind(e), checkedAt: Date.now() };
    }
    this.emit();
    if (this.health.state === 'ok') {
      if (changed) this.emit(this.identityChanged);
      else if (wasDown) this.emit(this.recovered);
    }
    if (this.stopped) return;
    const next = this.health.state === 'ok' ? UP_RECHECK_MS : Math.min(DOWN_RECHECK_MAX_MS, 500 * 2 ** Math.min(this.failures, 5)) * (0.5 + Math.random() / 2);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.check();
    }, next);
    this.timer.unref?.();
  }

  /** Discovery, waiting for it if it has not arrived yet (undefined while unreachable or broken). */
  async ensureResources(timeoutMs = 5000): Promise<ApiResource[] | undefined> {
    if (this.resources) return this.resources;
    if (this.broken) return undefined;
    const t0 = Date.now();
    while (!this.resources && Date.now() - t0 < timeoutMs && this.health.state !== 'error') {
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.resources;
  }
}
