/**
 * kmux's reflector: a paginated list, then a watch from the list's resourceVersion with
 * bookmarks. What it does after a watch ends is what keeps the store true:
 * - a clean close (the server's timeout): resume from the last resourceVersion;
 * - anything else (connection reset or refused, a truncated or malformed stream, an ERROR
 *   event, 410 Gone, "Too large resource version", a resourceVersion that goes backwards, a
 *   silent watch past the watchdog): list again and *replace* the store, as client-go's
 *   reflector does. A server restarted, restored from a backup or recreated at the same URL
 *   may accept a resumed watch and never send what changed meanwhile; a fresh list cannot miss it.
 *   The one exception is a 429 on opening the watch shortly after the last one ended: the watch
 *   is tried again from where it was (client-go does the same).
 * Errors back off exponentially with jitter (capped); wake() cuts a backoff short (the context
 * answered again) and relist() forces a fresh list (the server's identity changed).
 *
 * It keeps no objects: each one is transformed as soon as it is parsed and handed on. Each page
 * of a list but the last goes out as it arrives (`page`), and the complete list as one
 * `replace`: a consumer may show the pages of a first list at once, and only the `replace`
 * can stand for the server's set (a list may fail or start over half-way).
 */
import { ApiError, NetworkError, errorKind, retryAfterMs, type Connection, type ErrorKind, type StreamHandle } from './connection.js';
import { resourcePath, type ApiResource } from './discovery.js';

export interface ReflectorStatus {
  phase: 'listing' | 'watching' | 'backoff' | 'stopped';
  /** a list has completed since start(): the consumer holds a full set (possibly stale while in backoff) */
  synced: boolean;
  /** the last error while it is not cleared by a success */
  error?: string;
  /** what kind of error: unreachable, unauthorized (401), forbidden (403), ... (see errorKind) */
  errorKind?: ErrorKind;
  /** in backoff: the delay before the next attempt */
  retryInMs?: number;
  resourceVersion?: string;
  /** lists completed after the first one (410 Gone, continue expired) */
  relists: number;
}

export type ReflectorEvent<T> =
  /**
   * A page of a list in progress, as it arrives (every page but the last, which the `replace`
   * that ends the list carries). `listed`: items of this list attempt so far, this page included.
   * A list that fails or starts over (an expired continue token) may have sent pages the final
   * `replace` does not have: that `replace` is the truth.
   */
  | { type: 'page'; items: T[]; listed: number }
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
}

const isGone = (e: unknown) => e instanceof ApiError && e.status === 410;
const isThrottled = (e: unknown) => e instanceof ApiError && e.status === 429;

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

interface WatchResult {
  /** the watch ended without delivering anything, soon after it started */
  quick: boolean;
}

/** How long after the last watch ended a 429 still lets the watch resume instead of relisting. */
const RESUME_WINDOW_MS = 5_000;
/** A watchdog this late means a gap (blocked loop, suspended machine): list again. */
const GAP_MS = 10_000;

/** A resourceVersion as a number when it is one (etcd revisions are); undefined otherwise (opaque). */
function rvNumber(rv: string | undefined): number | undefined {
  if (!rv || !/^\d{1,15}$/.test(rv)) return undefined;
  return Number(rv);
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
  private wakeUp?: () => void;
  /** set by relist(): the running watch was aborted to list again */
  private relistWanted = false;
  /** when the last watch that had opened ended (for the 429 resume window) */
  private watchEndedAt = 0;

  constructor(o: ReflectorOptions<T>) {
    this.o = o;
    this.pageSize = o.pageSize ?? 500;
    this.watchdogMs = o.watchdogMs ?? 90_000;
    this.backoffInitialMs = o.backoffInitialMs ?? 500;
    this.backoffMaxMs = o.backoffMaxMs ?? 10_000;
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
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
    this.st = { ...this.st, phase: 'stopped', retryInMs: undefined };
  }

  /** Cut a backoff short: try again now (the context answers again). */
  wake(): void {
    if (!this.running) return;
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.sleepTimer = undefined;
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  /** List again and replace what the consumer holds (the server may not be the one we watched). */
  relist(): void {
    if (!this.running) return;
    this.relistWanted = true;
    this.watchHandle?.abort();
    this.wake();
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
      this.wakeUp = resolve;
      this.sleepTimer = setTimeout(() => {
        this.sleepTimer = undefined;
        this.wakeUp = undefined;
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
        if (needList || this.relistWanted) {
          this.relistWanted = false;
          this.setStatus(epoch, { phase: 'listing' });
          await this.list(epoch);
          if (!this.alive(epoch)) return;
          needList = false;
          this.failures = 0;
        }
        const r = await this.watchOnce(epoch, () => (goneStreak = 0));
        if (!this.alive(epoch)) return;
        // relist() aborted the watch: list again at once
        if (this.relistWanted) continue;
        // clean close: resume from the last RV. A watch the server closes at once, again and
        // again, must not become a busy loop.
        if (r.quick) await this.sleep(this.jitter(this.backoffInitialMs), epoch);
      } catch (e) {
        if (!this.alive(epoch)) return;
        if (this.relistWanted) continue;
        // Whatever went wrong, the next attempt lists afresh and replaces the store: after a
        // broken connection nobody can tell what the server is now (restarted, restored,
        // recreated), and a resumed watch would trust it blindly. Only a 429 while opening a
        // watch that ended moments ago resumes.
        const resumable = !needList && isThrottled(e) && this.rv !== undefined && Date.now() - this.watchEndedAt < RESUME_WINDOW_MS;
        if (!resumable) needList = true;
        if (isGone(e)) {
          goneStreak++;
          // a 410 right after a fresh list (history shorter than our list took): back off
          if (goneStreak < 2) continue;
        }
        this.failures++;
        let base = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** Math.min(this.failures - 1, 30));
        // the server says when to come back (429, 503 with Retry-After / retryAfterSeconds)
        const after = retryAfterMs(e);
        if (after !== undefined) base = Math.max(base, Math.min(after, 60_000));
        const delay = this.jitter(base);
        this.setStatus(epoch, { phase: 'backoff', error: errorMessage(e), errorKind: errorKind(e), retryInMs: delay });
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
        // the next page is asked for as soon as this one's token is known, before this one is
        // taken in: the server prepares it while kmux transforms (its rejection is awaited below)
        const fetchPage = (token: string | undefined): Promise<any> => {
          const p = conn.json('GET', this.path, {
            query: { limit: paginate ? this.pageSize : undefined, continue: token, labelSelector, fieldSelector },
            signal: ac.signal,
          });
          p.catch(() => {});
          return p;
        };
        try {
          let pending: Promise<any> | undefined = fetchPage(undefined);
          do {
            const body = await pending;
            pending = undefined;
            if (!this.alive(epoch)) return;
            const page = body?.items;
            if (!Array.isArray(page)) throw new ApiError(500, 'InvalidResponse', `unexpected answer to a list of ${this.o.resource.plural}: no items`);
            rv = body.metadata?.resourceVersion ?? rv;
            cont = body.metadata?.continue || undefined;
            if (cont) pending = fetchPage(cont);
            const from = items.length;
            for (let i = 0; i < page.length; i++) {
              const obj = page[i];
              // list items carry no kind/apiVersion on a real apiserver; add them for transforms
              if (obj && typeof obj === 'object' && !obj.kind) {
                obj.kind = kind;
                obj.apiVersion = this.apiVersion;
              }
              items.push(transform(obj));
            }
            if (cont) this.emit(epoch, { type: 'page', items: items.slice(from), listed: items.length });
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
        this.setStatus(epoch, { synced: true, error: undefined, errorKind: undefined, retryInMs: undefined, relists: Math.max(0, this.lists - 1) });
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
    let lastData = Date.now();
    let handle: StreamHandle | undefined;
    const started = Date.now();
    let opened = false;
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
    // a watch delivers resourceVersions in increasing order, each after the one it resumed from;
    // one that goes backwards means another server (restored, recreated) answers now
    let lastRv = rvNumber(this.rv);
    const checkRv = (rv: string | undefined): boolean => {
      const n = rvNumber(rv);
      if (n === undefined || lastRv === undefined) return true;
      if (n < lastRv) {
        fail(new ApiError(500, 'ResourceVersionWentBackwards', `the server's resourceVersion went backwards (${rv} after ${lastRv}): it was restarted or restored; listing again`));
        return false;
      }
      lastRv = n;
      return true;
    };
    const onLine = (line: string) => {
      if (failure !== undefined || !this.alive(epoch)) return;
      if (line.length === 0 || !line.trim()) return;
      let ev: any;
      try {
        ev = JSON.parse(line);
      } catch (e) {
        return fail(new NetworkError(`malformed watch event: ${(e as Error).message}`, 'EBADMSG'));
      }
      const obj = ev?.object;
      switch (ev?.type) {
        case 'ADDED':
        case 'MODIFIED':
        case 'DELETED': {
          if (!checkRv(obj?.metadata?.resourceVersion)) return;
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
          if (!checkRv(obj?.metadata?.resourceVersion)) return;
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
          opened = true;
          bytes = true;
          watchdog.refresh();
          if (!this.alive(epoch)) return;
          this.failures = 0;
          this.setStatus(epoch, { phase: 'watching', error: undefined, errorKind: undefined, retryInMs: undefined });
        },
        onData: () => {
          bytes = true;
          lastData = Date.now();
          watchdog.refresh();
        },
        onLine,
      });
      this.watchHandle = handle;
      await handle.done;
    } finally {
      clearTimeout(watchdog);
      if (this.watchHandle === handle) this.watchHandle = undefined;
      if (opened) this.watchEndedAt = Date.now();
    }
    if (failure !== undefined) throw failure;
    if (watchdogFired && !bytes) {
      throw new NetworkError(`no answer to the watch in ${this.watchdogMs} ms`, 'ETIMEDOUT');
    }
    if (watchdogFired) {
      // the watchdog fired long after it was due: kmux's loop was blocked or the machine slept,
      // and nobody knows what the server did meanwhile; list again. Otherwise a quiet watch
      // (a server that sends no bookmarks) just resumes.
      const silentFor = Date.now() - lastData;
      if (silentFor > this.watchdogMs + GAP_MS) throw new NetworkError(`no word from the watch for ${Math.round(silentFor / 1000)} s`, 'ETIMEDOUT');
      return { quick: false };
    }
    return { quick: delivered === 0 && Date.now() - started < 1000 };
  }
}
