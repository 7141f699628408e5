/**
 * Container logs streamed from the API by kmux itself: one stream per container of each pod,
 * lines kept in a ring buffer (memory stays bounded however long it follows), a prefix per pod
 * and container when there are several, K9s's time windows. No Ink here: the UI reads `lines`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApiError, type Connection, type StreamHandle } from '../kube/connection.js';

export interface LogTarget {
  namespace: string;
  pod: string;
  containers: string[];
  /** the pod's restart count, when known: a stream that ends after it changed is opened again */
  restarts?: number;
}

/** K9s's windows: 0 tail, 1 head (everything kept), 2-6 since 1m/5m/15m/30m/1h. */
/** the last lines, everything kept, or the last N seconds (keys 2-6, config.yaml's logger.sinceSeconds) */
export type LogWindow = 'tail' | 'head' | number;

export interface LogOptions {
  window: LogWindow;
  timestamps: boolean;
  previous: boolean;
  /** lines kept (the ring buffer's size) */
  maxLines: number;
  tailLines: number;
}

export const DEFAULT_LOG_OPTIONS: LogOptions = { window: 'tail', timestamps: false, previous: false, maxLines: 5000, tailLines: 200 };

export interface LogLine {
  /** which pod/container it came from, as shown in the prefix ('' when there is only one) */
  source: string;
  text: string;
  seq: number;
  /** a mark the user set (m): shown whatever the filter */
  mark?: boolean;
}

// CSI (colors, cursor moves), OSC (titles, links) and other escape sequences, then any control
// character left: what a line shows, filters and saves is what the terminal would show
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)|\u001b[@-_]|\u009b[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** A log line as text for the screen: escape sequences removed, tabs to spaces, no controls. */
export function displayLine(line: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u001f\u007f-\u009f]/.test(line)) return line;
  return line.replace(ESCAPES, '').replace(/\t/g, '    ').replace(CONTROLS, '');
}

/** A fixed-size ring of lines: old lines drop off the top. */
export class LogRing {
  private buf: LogLine[] = [];
  private start = 0;
  seq = 0;
  constructor(public readonly capacity: number) {}

  push(source: string, text: string, mark = false): void {
    const line: LogLine = { source, text, seq: ++this.seq };
    if (mark) line.mark = true;
    if (this.buf.length < this.capacity) this.buf.push(line);
    else {
      this.buf[this.start] = line;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  get size(): number {
    return this.buf.length;
  }

  /** Lines oldest first. */
  toArray(): LogLine[] {
    return this.start === 0 ? this.buf.slice() : [...this.buf.slice(this.start), ...this.buf.slice(0, this.start)];
  }

  clear(): void {
    this.buf = [];
    this.start = 0;
  }
}

export class LogFollower {
  readonly ring: LogRing;
  /** one stream per pod/container, by "ns/pod/container" */
  private streams = new Map<string, StreamHandle>();
  private readonly listeners = new Set<() => void>();
  private pending = false;
  /** the last error of a stream, while some stream is not live */
  private lastError = '';
  /** streams still open */
  open = 0;
  /** the last restart count heard of per pod (ns/pod) */
  private readonly restartsOf = new Map<string, number>();
  /** per open stream (ns/pod/container): the pod's restart count when it was opened */
  private readonly openedAt = new Map<string, number>();

  /** What the title says: which streams are live, and why the others are not. */
  get status(): string {
    if (this.opts.previous) return 'previous logs';
    const total = this.targets.reduce((a, t) => a + t.containers.length, 0);
    if (total > 0 && this.open >= total) return 'following';
    const why = this.lastError ? `; ${this.lastError}` : '';
    if (this.open === 0) return `no stream live${why || '; waiting for the container'}`;
    return `${this.open}/${total} streams live${why}`;
  }

  constructor(private readonly conn: Connection, public targets: LogTarget[], public opts: LogOptions) {
    this.ring = new LogRing(opts.maxLines);
  }

  onChange(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Notice listeners at most every 100 ms: a pod logging 1,000 lines a second is 10 redraws. */
  private changed(): void {
    if (this.pending) return;
    this.pending = true;
    setTimeout(() => {
      this.pending = false;
      for (const l of this.listeners) l();
    }, 100).unref?.();
  }

  private many(): boolean {
    return this.targets.length > 1 || this.targets.some((t) => t.containers.length > 1);
  }

  start(): void {
    this.stop();
    this.ring.clear();
    this.lastError = '';
    for (const t of this.targets) if (t.restarts !== undefined) this.restartsOf.set(`${t.namespace}/${t.pod}`, t.restarts);
    for (const t of this.targets) for (const c of t.containers) this.open1(t, c, false);
    this.changed();
  }

  /**
   * The pods changed (a deployment's pods come and go): streams start for new pods, from their
   * first line, and stop for pods that are gone.
   */
  sync(targets: LogTarget[]): void {
    const want = new Set<string>();
    for (const t of targets) for (const c of t.containers) want.add(`${t.namespace}/${t.pod}/${c}`);
    for (const [id, h] of this.streams) {
      if (want.has(id)) continue;
      h.abort();
      this.streams.delete(id);
    }
    this.targets = targets;
    for (const t of targets) {
      if (t.restarts !== undefined) {
        this.restartsOf.set(`${t.namespace}/${t.pod}`, t.restarts);
        // streams opened before the count was known belong to the instance running now
        for (const c of t.containers) if (this.streams.has(`${t.namespace}/${t.pod}/${c}`) && !this.openedAt.has(`${t.namespace}/${t.pod}/${c}`)) this.openedAt.set(`${t.namespace}/${t.pod}/${c}`, t.restarts);
      }
      for (const c of t.containers) if (!this.streams.has(`${t.namespace}/${t.pod}/${c}`)) this.open1(t, c, true);
    }
    this.changed();
  }

  private open1(t: LogTarget, c: string, fromStart: boolean): void {
    const many = this.many();
    const several = this.targets.length > 1;
    const source = many ? (several ? `${t.pod}/${c}` : c) : '';
    const query: Record<string, string | number | boolean | undefined> = {
      container: c, follow: !this.opts.previous, timestamps: this.opts.timestamps || undefined, previous: this.opts.previous || undefined,
    };
    if (!fromStart) {
      if (this.opts.window === 'tail') query.tailLines = this.opts.tailLines;
      else if (typeof this.opts.window === 'number') query.sinceSeconds = this.opts.window;
    }
    const id = `${t.namespace}/${t.pod}/${c}`;
    const podId = `${t.namespace}/${t.pod}`;
    const known = this.restartsOf.get(podId);
    if (known !== undefined) this.openedAt.set(id, known);
    else this.openedAt.delete(id);
    this.open++;
    let first = true;
    const h = this.conn.stream(`/api/v1/namespaces/${encodeURIComponent(t.namespace)}/pods/${encodeURIComponent(t.pod)}/log`, {
      query, timeoutMs: 30_000,
      onLine: (line) => {
        // a stream that delivers is live: an error said before is stale
        if (first) {
          first = false;
          this.lastError = '';
        }
        this.ring.push(source, displayLine(line));
        this.changed();
      },
    });
    this.streams.set(id, h);
    h.done.then(
      () => {
        this.open--;
        if (this.streams.get(id) !== h) return this.changed();
        this.streams.delete(id);
        // the container restarted while this stream was open (the pod's update came before the
        // stream's end): the new instance's logs, from its first line
        const now = this.restartsOf.get(podId);
        const then = this.openedAt.get(id);
        this.openedAt.delete(id);
        const still = this.targets.find((x) => x.namespace === t.namespace && x.pod === t.pod && x.containers.includes(c));
        if (!this.opts.previous && still && now !== undefined && then !== undefined && now !== then) this.open1(still, c, true);
        this.changed();
      },
      (e) => {
        this.open--;
        if (this.streams.get(id) === h) this.streams.delete(id);
        const msg = e instanceof ApiError ? e.message : (e as Error).message;
        if (!/aborted/.test(msg)) {
          // a pod that is still starting has no logs yet: it is tried again on the next sync
          if (!/waiting to start/.test(msg)) this.ring.push(source, `[kmux] ${source || t.pod}: ${msg}`);
          this.lastError = msg;
        }
        this.changed();
      },
    );
  }

  /** New options (window, timestamps, previous) take a fresh stream. */
  restart(opts: Partial<LogOptions>): void {
    this.opts = { ...this.opts, ...opts };
    this.start();
  }

  stop(): void {
    for (const s of this.streams.values()) s.abort();
    this.streams.clear();
    this.openedAt.clear();
    this.open = 0;
  }
}

/**
 * Save lines to `dir/<name>-<UTC time>.log` (prefixes kept, marks as they were shown).
 * Returns the file's path.
 */
export function saveLogLines(lines: LogLine[], dir: string, name: string, now = new Date()): string {
  mkdirSync(dir, { recursive: true });
  const stamp = now.toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15);
  const text = lines.map((l) => (l.source ? `${l.source} ${l.text}` : l.text)).join('\n');
  // never over an earlier save: two in the same second get -2, -3...
  for (let n = 1; ; n++) {
    const file = join(dir, `${name.replace(/[^\w.-]+/g, '_')}-${stamp}${n > 1 ? `-${n}` : ''}.log`);
    try {
      writeFileSync(file, text ? `${text}\n` : '', { mode: 0o600, flag: 'wx' });
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n > 99) throw e;
    }
  }
}

/** Where ctrl-s saves logs: KMUX_LOGS_DIR, else $XDG_STATE_HOME/kmux/logs, else ~/.local/state/kmux/logs. */
export function logsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KMUX_LOGS_DIR) return env.KMUX_LOGS_DIR;
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'kmux', 'logs');
}
