/**
 * Row stores: one per (context, resource, namespace scope, selectors), fed by one reflector,
 * shared by every view that shows the same data and stopped when the last one lets go.
 * Views hear of changes at most every `batchMs`, never once per watch event.
 */
import { Reflector, type ReflectorEvent, type ReflectorStatus } from '../kube/reflector.js';
import type { Connection } from '../kube/connection.js';
import type { ApiResource } from '../kube/discovery.js';
import type { ResourceColumns, RowState } from '../resources/types.js';
import { intern } from './intern.js';
import { compactSoon, listed, listLoading } from './gc.js';

export interface Row {
  /** unique across a merged view: context|namespace/name */
  key: string;
  context: string;
  namespace?: string;
  name: string;
  uid: string;
  /** the object's resourceVersion: which version of it the row shows */
  rv?: string;
  labels?: Record<string, string>;
  created: number;
  cells: (string | number)[];
  state: RowState;
  extra?: Record<string, unknown>;
  /** when the row appeared or last changed after the initial sync (for the new/modified colors). */
  addedAt?: number;
  modifiedAt?: number;
  /** row text for the regex filter, made once per row version. */
  text?: string;
  /** fuzzysort's prepared form of the name, made once per row version. */
  prepared?: unknown;
}

export interface StoreKey {
  context: string;
  resource: ApiResource;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** rows projected for another purpose than the kind's table ('helm': Helm's storage objects as revisions) */
  projection?: 'helm';
}

export function storeId(k: StoreKey): string {
  return [k.context, k.resource.group, k.resource.plural, k.namespace ?? '', k.labelSelector ?? '', k.fieldSelector ?? '', ...(k.projection ? [k.projection] : [])].join('|');
}

export type Listener = () => void;

/** Stores whose reflector runs: their rows are the ones alive, and size the interning pools. */
const running = new Set<RowStore>();
intern.sizeBy(() => {
  let n = 0;
  for (const s of running) n += s.rows.size;
  return n;
});

/**
 * Changed keys a store remembers for views that update incrementally. A view further behind
 * than a batch of this many (or of its row count, when larger) re-sorts everything anyway
 * (`ViewModel`), so older keys serve nobody: the log keeps between this many and twice as many,
 * however long the cluster churns. While its first list loads, a store keeps up to twice its
 * rows: views merge a batch of pages in, where a re-sort of every row per batch would cost
 * them several times more.
 */
export const CHANGE_LOG = 5000;

export class RowStore {
  readonly rows = new Map<string, Row>();
  status: ReflectorStatus = { phase: 'listing', synced: false, relists: 0 };
  /** bumps on every applied change: views compare it to know whether to recompute. */
  version = 0;
  /** keys added, changed or removed since the views last looked (null: everything changed). */
  private pendingChanges: Set<string> | null = null;
  private readonly listeners = new Set<Listener>();
  private reflector?: Reflector<Row>;
  private timer?: NodeJS.Timeout;
  private lastFlush = 0;
  /** items of the list in progress at the last collection it asked for */
  private collectedAt = 0;
  /** whether this store counts as loading a list (the heap may grow freely meanwhile) */
  private loading = false;
  /**
   * Whether the rows come from a completed list. Until the first one completes (and again
   * after new columns cleared the rows) pages show as they arrive; once a store holds a whole
   * list, a relist's pages are never shown and its rows change only by a whole new list.
   */
  private listed = false;
  refs = 0;

  constructor(
    readonly key: StoreKey,
    private readonly conn: Connection,
    /** the kind's columns (xray reads a cell by its column's name; views.yaml may change them) */
    public columns: ResourceColumns,
    private readonly batchMs = 100,
    private readonly onStatus?: (s: RowStore) => void,
    /** items per list page: more than kubectl's 500, a 50,000-pod list is 25 round trips instead of 100 */
    private readonly pageSize = 2000,
  ) {}

  /** Its first list is loading: the rows are what has arrived so far. */
  get loadingFirst(): boolean {
    return !this.listed && !!this.reflector && this.status.phase === 'listing';
  }

  /**
   * The end of the first list, over the pages shown so far: the rows it has that are not
   * shown yet go in, the rows shown that it does not have go out (pages of an attempt that
   * failed or started over). Only those keys change, so views move them and keep their order.
   */
  private replaceFirst(items: Row[]): void {
    const seen = new Set<string>();
    for (const r of items) {
      seen.add(r.key);
      if (this.rows.get(r.key) === r) continue;
      this.rows.set(r.key, r);
      this.changed(r.key);
    }
    for (const k of [...this.rows.keys()]) {
      if (seen.has(k)) continue;
      this.rows.delete(k);
      this.changed(k);
    }
  }

  private project(obj: any): Row {
    const md = obj.metadata ?? {};
    const p = this.columns.project(obj, Date.now());
    const ns = md.namespace;
    // equal parts of rows are shared (namespaces, statuses, label sets, container lists): a big
    // cluster's rows then cost little more than their names
    let extra = p.extra;
    if (extra) {
      extra = { ...extra };
      for (const [k, v] of Object.entries(extra)) extra[k] = typeof v === 'string' ? intern.str(v) : intern.obj(v);
    }
    return {
      key: `${this.key.context}|${ns ? `${ns}/` : ''}${md.name}`,
      context: this.key.context,
      namespace: intern.str(ns),
      name: md.name,
      uid: md.uid ?? '',
      rv: md.resourceVersion,
      labels: intern.obj(md.labels),
      created: md.creationTimestamp ? Date.parse(md.creationTimestamp) : 0,
      // the name is the one cell no other row shares: pooling it would only keep it alive
      cells: p.cells.map((c) => (typeof c === 'string' && c !== md.name ? intern.str(c) : c)),
      state: p.state,
      extra,
    };
  }

  start(): void {
    if (this.reflector) return;
    running.add(this);
    this.reflector = new Reflector<Row>({
      conn: this.conn,
      resource: this.key.resource,
      namespace: this.key.namespace,
      labelSelector: this.key.labelSelector,
      fieldSelector: this.key.fieldSelector,
      transform: (o) => this.project(o),
      pageSize: this.pageSize,
      onEvent: (ev) => this.apply(ev),
    });
    this.reflector.start();
  }

  /** What the reflector hands on, applied to the rows (a benchmark feeds it too). */
  apply(ev: ReflectorEvent<Row>): void {
    const now = Date.now();
    switch (ev.type) {
      case 'page': {
        // each page leaves its JSON text (megabytes, straight into V8's large-object space,
        // freed only by a full collection) behind: collect every ~20,000 items, not at the
        // very end. A list that failed and started again counts from its start.
        if (ev.listed < this.collectedAt) this.collectedAt = 0;
        if (ev.listed - this.collectedAt >= 20_000) {
          this.collectedAt = ev.listed;
          compactSoon(0);
        }
        // a relist: what is shown stays, whole, until the new list replaces it whole
        if (this.listed) break;
        // the first list: its rows show as they come (a page of an attempt that started
        // over may bring a row again: same key, one row)
        for (const r of ev.items) {
          this.rows.set(r.key, r);
          this.changed(r.key);
        }
        break;
      }
      case 'replace': {
        this.collectedAt = 0;
        listed(ev.items.length);
        if (!this.listed) {
          this.replaceFirst(ev.items);
          // after the pages' keys went into the log (kept whole while listing): views behind by a
          // few pages merge them in rather than re-sort
          this.listed = true;
          if (ev.items.length > 10_000) compactSoon();
          break;
        }
        const first = !this.status.synced && this.rows.size === 0;
        const seen = new Set<string>();
        for (const r of ev.items) {
          seen.add(r.key);
          const old = this.rows.get(r.key);
          if (!first && !old) r.addedAt = now;
          else if (old && old.uid === r.uid) {
            r.addedAt = old.addedAt;
            r.modifiedAt = old.modifiedAt;
          }
          this.rows.set(r.key, r);
        }
        for (const k of [...this.rows.keys()]) if (!seen.has(k)) this.rows.delete(k);
        this.changedAll();
        // a big list leaves a lot of dead JSON behind: collect it once now, not someday
        if (ev.items.length > 10_000) compactSoon();
        break;
      }
      case 'upsert': {
        const old = this.rows.get(ev.item.key);
        if (old) {
          ev.item.addedAt = old.uid === ev.item.uid ? old.addedAt : now;
          ev.item.modifiedAt = now;
        } else ev.item.addedAt = now;
        this.rows.set(ev.item.key, ev.item);
        this.changed(ev.item.key);
        break;
      }
      case 'delete':
        this.rows.delete(ev.item.key);
        this.changed(ev.item.key);
        break;
      case 'status':
        this.status = ev.status;
        this.setLoading(ev.status.phase === 'listing');
        this.changedAll(false);
        this.onStatus?.(this);
        break;
    }
  }

  /** whether the list loading now is this store's first (decided when it starts) */
  private loadingIsFirst = false;

  private setLoading(on: boolean): void {
    if (on === this.loading) return;
    this.loading = on;
    if (on) this.loadingIsFirst = !this.listed;
    listLoading(on ? 1 : -1, this.loadingIsFirst);
  }

  stop(): void {
    running.delete(this);
    this.setLoading(false);
    this.reflector?.stop();
    this.reflector = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The context answers again: end a backoff now instead of when it runs out. */
  /** Whether its watch is open now (listing, backing off and stopped are not). */
  get watching(): boolean {
    return this.reflector?.status.phase === 'watching';
  }

  wake(): void {
    this.reflector?.wake();
  }

  /**
   * New columns (views.yaml changed): rows are projections, so the store starts over (a fresh
   * list) rather than show old cells under new headers.
   */
  setColumns(c: ResourceColumns): void {
    if (c === this.columns) return;
    const running = !!this.reflector;
    this.stop();
    this.columns = c;
    this.rows.clear();
    this.listed = false;
    this.status = { phase: 'listing', synced: false, relists: this.status.relists };
    this.changedAll();
    if (running) this.start();
  }

  /** List afresh and replace the rows (the server is not the one that was watched). */
  relist(): void {
    this.reflector?.relist();
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Keys changed since the last call; null when the whole set must be re-read. */
  takeChanges(): Set<string> | null {
    const c = this.pendingChanges;
    this.pendingChanges = new Set();
    return c;
  }

  /**
   * A log of changed keys for views that update incrementally: `changesSince(seq)` gives the keys
   * changed after `seq`, or null when the view must re-read everything (a relist, or a log
   * trimmed past what the view saw).
   */
  seq = 0;
  private log: string[] = [];
  private logBase = 0;
  private resetAt = 0;

  changesSince(seq: number): string[] | null {
    if (seq < this.resetAt || seq < this.logBase) return null;
    return this.log.slice(seq - this.logBase);
  }

  private changed(key: string): void {
    this.version++;
    this.pendingChanges?.add(key);
    this.log.push(key);
    this.seq++;
    const keep = this.listed ? CHANGE_LOG : Math.max(CHANGE_LOG, this.rows.size);
    if (this.log.length > 2 * keep) {
      const drop = this.log.length - keep;
      this.log = this.log.slice(drop);
      this.logBase += drop;
    }
    this.schedule();
  }

  private changedAll(data = true): void {
    this.version++;
    if (data) {
      this.pendingChanges = null;
      this.seq++;
      this.resetAt = this.seq;
      this.log = [];
      this.logBase = this.seq;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    // big stores tell their views less often: a 50,000-row view need not redraw ten times a
    // second for a churning cluster, and the keys typed meanwhile get the time instead
    const every = this.rows.size > 10_000 ? Math.max(this.batchMs, 250) : this.batchMs;
    const wait = Math.max(0, every - (Date.now() - this.lastFlush));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastFlush = Date.now();
      for (const l of this.listeners) l();
    }, wait);
  }
}

/** Shares stores between views by key and stops a store when its last user releases it. */
export class StoreRegistry {
  private readonly stores = new Map<string, RowStore>();

  constructor(
    private readonly connFor: (context: string) => Connection,
    private readonly columnsFor: (k: StoreKey) => ResourceColumns,
    private readonly batchMs = 100,
    /** told of every store's status change (the session rechecks a context whose stores fail) */
    private readonly onStatus?: (s: RowStore) => void,
  ) {}

  /** Every store now open. */
  all(): RowStore[] {
    return [...this.stores.values()];
  }

  /** Every store of one context. */
  ofContext(context: string): RowStore[] {
    return [...this.stores.values()].filter((s) => s.key.context === context);
  }

  acquire(k: StoreKey): RowStore {
    const id = storeId(k);
    let s = this.stores.get(id);
    if (!s) {
      s = new RowStore(k, this.connFor(k.context), this.columnsFor(k), this.batchMs, this.onStatus);
      this.stores.set(id, s);
      s.start();
    }
    s.refs++;
    return s;
  }

  release(s: RowStore): void {
    s.refs--;
    if (s.refs > 0) return;
    s.stop();
    this.stores.delete(storeId(s.key));
  }

  /** Columns may have changed (views.yaml): each store takes its columns again, starting over where they differ. */
  reproject(): void {
    for (const s of this.stores.values()) s.setColumns(this.columnsFor(s.key));
  }

  /** Restart every store's reflector (ctrl-r): a fresh list, then watch. */
  refresh(): void {
    for (const s of this.stores.values()) {
      s.stop();
      s.start();
    }
  }

  get size(): number {
    return this.stores.size;
  }

  stopAll(): void {
    for (const s of this.stores.values()) s.stop();
    this.stores.clear();
  }
}
