/**
 * kmux's reflector: a paginated list, then a watch from the list's resourceVersion with
 * bookmarks; resume from the last RV on a clean close, relist on 410 Gone, capped exponential
 * backoff with jitter on errors, and a watchdog that restarts a silent watch.
 *
 * It keeps no objects: each one is transformed as soon as it is parsed and handed on.
 */
import { ApiError, NetworkError, type Connection, type StreamHandle } from './connection.js';
import { resourcePath, type ApiResource } from './discovery.js';

export interface ReflectorStatus {
  phase: 'listing' | 'watching' | 'backoff' | 'stopped';
  /** a list has completed since start(): the consumer holds a full set (possibly stale while in backoff) */
  synced: boolean;
  /** the last error while it is not cleared by a success */
  error?: string;
  /** in backoff: the delay before the next attempt */
  retryInMs?: number;
  resourceVersion?: string;
  /** lists completed after the first one (410 Gone, continue expired) */
  relists: number;
}

export type ReflectorEvent<T> =
  | { type: 'replace'; items: T[] }
  | { type: 'upsert'; item: T; raw: any }
  | { type: 'delete'; item: T; raw: any }
  | { type: 'status'; status: ReflectorStatus };

export interface ReflectorOptions<T> {
  conn: Connection;
  resource: ApiResource;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  transform(obj: any): T;
  pageSize?: number;
  watchdogMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  watchTimeoutSeconds?: number;
  onEvent(ev: ReflectorEvent<T>): void;
  /** after each page of a list, with the items listed so far (memory housekeeping) */
  onPage?(listed: number): void;
}

const isGone = (e: unknown) => e instanceof ApiError && e.status === 410;

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

interface WatchResult {
  /** the watch ended without delivering anything, soon after it started */
  quick: boolean;
}

export class Reflector<T> {
  private readonly o: ReflectorOptions<T>;
  private readonly pageSize: number;
  private readonly watchdogMs: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly path: string;
  private readonly apiVersion: string;
  private st: ReflectorStatus = { phase: 'stopped', synced: false, relists: 0 };
  private running = false;
  private epoch = 0;
  private rv?: string;
  private failures = 0;
  private lists = 0;
  private listAbort?: AbortController;
  private watchHandle?: StreamHandle;
  private sleepTimer?: NodeJS.Timeout;
  private wake?: () => void;

  constructor(o: ReflectorOptions<T>) {
    this.o = o;
    this.pageSize = o.pageSize ?? 500;
    this.watchdogMs = o.watchdogMs ?? 90_000;
    this.backoffInitialMs = o.backoffInitialMs ?? 500;
    this.backoffMaxMs = o.backoffMaxMs ?? 30_000;
    this.path = resourcePath(o.resource, o.namespace);
    this.apiVersion = o.resource.group ? `${o.resource.group}/${o.resource.version}` : o.resource.version;
  }

  get status(): ReflectorStatus {
    return { ...this.st, resourceVersion: this.rv };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const epoch = ++this.epoch;
    this.failures = 0;
    this.lists = 0;
    this.rv = undefined;
    this.st = { phase: 'listing', synced: false, relists: 0 };
    this.run(epoch).catch(() => {
      /* run() handles its own errors; this only guards against a bug turning into an unhandled rejection */
    });
  }

  /** Abort the list or watch and every timer; no event fires after this returns. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.epoch++;
    this.listAbort?.abort();
    this.listAbort = undefined;
    this.watchHandle?.abort();
    this.watchHandle = undefined;
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.sleepTimer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    this.st = { ...this.st, phase: 'stopped', retryInMs: undefined };
  }

  private alive(epoch: number): boolean {
    return this.running && epoch === this.epoch;
  }

  private emit(epoch: number, ev: ReflectorEvent<T>): void {
    if (!this.alive(epoch)) return;
    try {
      this.o.onEvent(ev);
    } catch {
      /* a consumer's bug must not break the reflector */
    }
  }

  private setStatus(epoch: number, patch: Partial<ReflectorStatus>, force = false): void {
    if (!this.alive(epoch)) return;
    const next: ReflectorStatus = { ...this.st, ...patch };
    const prev = this.st;
    this.st = next;
    if (force || prev.phase !== next.phase || prev.synced !== next.synced || prev.error !== next.error || prev.retryInMs !== next.retryInMs || prev.relists !== next.relists) {
      this.emit(epoch, { type: 'status', status: this.status });
    }
  }

  private sleep(ms: number, epoch: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!this.alive(epoch)) return resolve();
      this.wake = resolve;
      this.sleepTimer = setTimeout(() => {
        this.sleepTimer = undefined;
        this.wake = undefined;
        resolve();
      }, ms);
    });
  }

  private jitter(ms: number): number {
    return Math.round(ms * (0.5 + Math.random() * 0.5));
  }

  private async run(epoch: number): Promise<void> {
    let needList = true;
    let goneStreak = 0;
    // the first status event: after start() has returned, never from inside it
    await Promise.resolve();
    this.setStatus(epoch, { phase: 'listing' }, true);
    while (this.alive(epoch)) {
      try {
        if (needList) {
          this.setStatus(epoch, { phase: 'listing' });
          await this.list(epoch);
          if (!this.alive(epoch)) return;
          needList = false;
          this.failures = 0;
        }
        const r = await this.watchOnce(epoch, () => (goneStreak = 0));
        if (!this.alive(epoch)) return;
        // clean close: resume from the last RV. A watch the server closes at once, again and
        // again, must not become a busy loop.
        if (r.quick) await this.sleep(this.jitter(this.backoffInitialMs), epoch);
      } catch (e) {
        if (!this.alive(epoch)) return;
        if (isGone(e)) {
          needList = true;
          goneStreak++;
          // a 410 right after a fresh list (history shorter than our list took): back off
          if (goneStreak < 2) continue;
        }
        this.failures++;
        const base = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** Math.min(this.failures - 1, 30));
        const delay = this.jitter(base);
        this.setStatus(epoch, { phase: 'backoff', error: errorMessage(e), retryInMs: delay });
        await this.sleep(delay, epoch);
      }
    }
  }

  private async list(epoch: number): Promise<void> {
    const ac = new AbortController();
    this.listAbort = ac;
    const { conn, transform, labelSelector, fieldSelector } = this.o;
    const kind = this.o.resource.kind;
    let expiredContinues = 0;
    try {
      for (;;) {
        // after two expired continue tokens, ask for everything at once
        const paginate = expiredContinues < 2 && this.pageSize > 0;
        const items: T[] = [];
        let cont: string | undefined;
        let rv: string | undefined;
        try {
          do {
            const body = await conn.json('GET', this.path, {
              query: { limit: paginate ? this.pageSize : undefined, continue: cont, labelSelector, fieldSelector },
              signal: ac.signal,
            });
            if (!this.alive(epoch)) return;
            const page = body?.items;
            if (!Array.isArray(page)) throw new ApiError(500, 'InvalidResponse', `unexpected answer to a list of ${this.o.resource.plural}: no items`);
            for (let i = 0; i < page.length; i++) {
              const obj = page[i];
              // list items carry no kind/apiVersion on a real apiserver; add them for transforms
              if (obj && typeof obj === 'object' && !obj.kind) {
                obj.kind = kind;
                obj.apiVersion = this.apiVersion;
              }
              items.push(transform(obj));
            }
            rv = body.metadata?.resourceVersion ?? rv;
            cont = body.metadata?.continue || undefined;
            if (cont) this.o.onPage?.(items.length);
          } while (cont);
        } catch (e) {
          if (isGone(e) && cont && this.alive(epoch)) {
            // the continue token expired: start the list again
            expiredContinues++;
            continue;
          }
          throw e;
        }
        this.rv = rv;
        this.lists++;
        this.emit(epoch, { type: 'replace', items });
        this.setStatus(epoch, { synced: true, error: undefined, retryInMs: undefined, relists: Math.max(0, this.lists - 1) });
        return;
      }
    } finally {
      if (this.listAbort === ac) this.listAbort = undefined;
    }
  }

  private async watchOnce(epoch: number, onProgress: () => void): Promise<WatchResult> {
    const { conn, transform, labelSelector, fieldSelector } = this.o;
    const timeoutSeconds = this.o.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 301);
    let failure: unknown;
    let delivered = 0;
    let bytes = false;
    let watchdogFired = false;
    let handle: StreamHandle | undefined;
    const started = Date.now();
    const fail = (e: unknown) => {
      if (failure === undefined) failure = e;
      handle?.abort();
    };
    const watchdog = setTimeout(() => {
      try {
        watchdogFired = true;
        handle?.abort();
      } catch {
        /* never throw out of a timer */
      }
    }, this.watchdogMs);
    const onLine = (line: string) => {
      if (failure !== undefined || !this.alive(epoch)) return;
      if (line.length === 0 || !line.trim()) return;
      let ev: any;
      try {
        ev = JSON.parse(line);
      } catch (e) {
        return fail(new NetworkError(`malformed watch event: ${(e as Error).message}`, 'EPROTO'));
      }
      const obj = ev?.object;
      switch (ev?.type) {
        case 'ADDED':
        case 'MODIFIED':
        case 'DELETED': {
          let item: T;
          try {
            item = transform(obj);
          } catch (e) {
            return fail(e);
          }
          delivered++;
          onProgress();
          this.emit(epoch, ev.type === 'DELETED' ? { type: 'delete', item, raw: obj } : { type: 'upsert', item, raw: obj });
          const rv = obj?.metadata?.resourceVersion;
          if (rv) this.rv = rv;
          break;
        }
        case 'BOOKMARK': {
          delivered++;
          onProgress();
          const rv = obj?.metadata?.resourceVersion;
          if (rv) this.rv = rv;
          break;
        }
        case 'ERROR': {
          const code = Number(obj?.code) || 500;
          fail(new ApiError(code, obj?.reason ?? '', obj?.message || `watch error ${code}`, obj));
          break;
        }
        default:
          break;
      }
    };
    try {
      handle = conn.stream(this.path, {
        query: { watch: true, resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds, labelSelector, fieldSelector },
        onOpen: () => {
          bytes = true;
          watchdog.refresh();
          if (!this.alive(epoch)) return;
          this.failures = 0;
          this.setStatus(epoch, { phase: 'watching', error: undefined, retryInMs: undefined });
        },
        onData: () => {
          bytes = true;
          watchdog.refresh();
        },
        onLine,
      });
      this.watchHandle = handle;
      await handle.done;
    } finally {
      clearTimeout(watchdog);
      if (this.watchHandle === handle) this.watchHandle = undefined;
    }
    if (failure !== undefined) throw failure;
    if (watchdogFired && !bytes) {
      throw new NetworkError(`no answer to the watch in ${this.watchdogMs} ms`, 'ETIMEDOUT');
    }
    if (watchdogFired) return { quick: false };
    return { quick: delivered === 0 && Date.now() - started < 1000 };
  }
}
