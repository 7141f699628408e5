/**
 * One cluster's object storage: resource versions, watch history and live watchers.
 *
 * Objects are immutable once stored: every write stores a new object (sub-objects may be
 * shared between versions and between objects), so lists, snapshots and watch history can
 * hand out references without copying. One resource-version counter spans all kinds, as
 * etcd's revision does.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, alreadyExists, conflict, expired, notFound } from './errors.js';
import type { FieldMatcher, LabelMatcher } from './selectors.js';
import { typeKey, type ResourceType } from './resources.js';
import { flat } from './strings.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  rv: number;
  tk: string;
  type: EventType;
  obj: any;
  /** the previous version, so a selector watcher can tell "left the selection" from "changed". */
  old?: any;
  /**
   * the serialized object, made once and shared by every full-object watcher while the event
   * is dispatched; dropped afterwards, so the kept history holds objects, not their text too.
   */
  line?: string;
  /** when it was recorded (the store's clock), for compaction by age */
  at: number;
}

export interface WatchFilter {
  tk: string;
  namespace?: string;
  label: LabelMatcher;
  field: FieldMatcher;
}

export interface Watcher extends WatchFilter {
  deliver(type: EventType, obj: any, ev: StoredEvent): void;
}

export type ChangeListener = (ev: StoredEvent) => void;

interface Snapshot {
  id: string;
  rv: number;
  items: any[];
  touched: number;
}

export function objKey(ns: string | undefined, name: string): string {
  return ns ? `${ns}/${name}` : name;
}

let isoSecond = NaN;
let isoText = '';
/** RFC 3339 to the second, as the API server writes timestamps; one flat string per second. */
export function nowIso(ms = Date.now()): string {
  const sec = Math.floor(ms / 1000);
  if (sec === isoSecond) return isoText;
  const iso = new Date(sec * 1000).toISOString();
  isoSecond = sec;
  isoText = iso.endsWith('.000Z') ? flat(iso.slice(0, -5), 'Z') : iso;
  return isoText;
}

export class ClusterStore {
  rv = 1000;
  readonly types = new Map<string, ResourceType>();
  private readonly objects = new Map<string, Map<string, any>>();
  /** per kind, per namespace: the same objects, so a namespace's list costs its size, not the cluster's. */
  private readonly byNs = new Map<string, Map<string, Map<string, any>>>();
  private readonly sortedKeys = new Map<string, string[] | null>();
  /**
   * The kept watch history, oldest first: `history[historyHead..]`. It is compacted as etcd
   * is, by size (`historySize` events) and by age (`historySeconds`); the front is cut by
   * moving `historyHead`, and the array is shifted down once the dead part is half of it.
   */
  private history: StoredEvent[] = [];
  private historyHead = 0;
  /** the newest RV that is no longer in history: a watch from an older RV gets 410. */
  compactedRv = 1000;
  /** events older than this are compacted away (0: kept until `historySize` pushes them out) */
  historySeconds = 0;
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly listeners: ChangeListener[] = [];
  private readonly snapshots = new Map<string, Snapshot>();
  /** requests waiting for the counter to reach an RV (a list or watch-list ahead of the store). */
  private readonly rvWaiters = new Set<{ rv: number; done: (ok: boolean) => void }>();
  /** uid generator; the scenario swaps in a seeded one so a seed gives the same fleet. */
  newUid: () => string = randomUUID;
  clock: () => number = Date.now;

  constructor(public historySize = 20_000, startRv = 1000) {
    this.rv = startRv;
    this.compactedRv = startRv;
  }

  addType(t: ResourceType): void {
    const tk = typeKey(t);
    this.types.set(tk, t);
    if (!this.objects.has(tk)) this.objects.set(tk, new Map());
  }

  removeType(tk: string): void {
    this.types.delete(tk);
    this.objects.delete(tk);
    this.byNs.delete(tk);
    this.sortedKeys.delete(tk);
  }

  type(tk: string): ResourceType {
    const t = this.types.get(tk);
    if (!t) throw new ApiError(404, 'NotFound', `the server could not find the requested resource`);
    return t;
  }

  onChange(l: ChangeListener): void {
    this.listeners.push(l);
  }

  private map(tk: string): Map<string, any> {
    let m = this.objects.get(tk);
    if (!m) {
      m = new Map();
      this.objects.set(tk, m);
    }
    return m;
  }

  get(tk: string, ns: string | undefined, name: string): any | undefined {
    return this.objects.get(tk)?.get(objKey(ns, name));
  }

  mustGet(tk: string, ns: string | undefined, name: string): any {
    const o = this.get(tk, ns, name);
    if (!o) {
      const t = this.type(tk);
      throw notFound(t.plural, t.group, name);
    }
    return o;
  }

  count(tk: string): number {
    return this.objects.get(tk)?.size ?? 0;
  }

  /** All objects of a kind, optionally in one namespace; unordered. */
  iter(tk: string, ns?: string): Iterable<any> {
    const m = ns ? this.byNs.get(tk)?.get(ns) : this.objects.get(tk);
    return m ? m.values() : [];
  }

  private nsPut(tk: string, key: string, obj: any): void {
    const ns = obj.metadata.namespace;
    if (!ns) return;
    let t = this.byNs.get(tk);
    if (!t) this.byNs.set(tk, (t = new Map()));
    let m = t.get(ns);
    if (!m) t.set(ns, (m = new Map()));
    m.set(key, obj);
  }

  private nsDelete(tk: string, key: string, obj: any): void {
    const ns = obj.metadata.namespace;
    if (!ns) return;
    const t = this.byNs.get(tk);
    const m = t?.get(ns);
    if (!m) return;
    m.delete(key);
    if (m.size === 0) t!.delete(ns);
  }

  /** Objects ordered by key (namespace, then name), as etcd returns them. */
  sorted(tk: string): any[] {
    const m = this.map(tk);
    let keys = this.sortedKeys.get(tk);
    if (!keys) {
      keys = [...m.keys()].sort();
      this.sortedKeys.set(tk, keys);
    }
    const out: any[] = new Array(keys.length);
    let n = 0;
    for (const k of keys) {
      const o = m.get(k);
      if (o) out[n++] = o;
    }
    out.length = n;
    return out;
  }

  private record(tk: string, type: EventType, obj: any, old?: any): StoredEvent {
    const ev: StoredEvent = { rv: this.rv, tk, type, obj, old, at: this.clock() };
    this.history.push(ev);
    this.compact(ev.at);
    const ws = this.watchers.get(tk);
    if (ws) for (const w of ws) dispatch(w, ev);
    ev.line = undefined;
    for (const l of this.listeners) l(ev);
    if (this.rvWaiters.size) for (const w of this.rvWaiters) if (this.rv >= w.rv) w.done(true);
    return ev;
  }

  /** How many objects the store holds, all kinds together. */
  countAll(): number {
    let n = 0;
    for (const m of this.objects.values()) n += m.size;
    return n;
  }

  /** How many events the history keeps now. */
  historyLength(): number {
    return this.history.length - this.historyHead;
  }

  /**
   * Drop what is past the history's size or age (the cluster's tick calls this too, so a quiet
   * cluster's history ages out as etcd's compaction would cut it).
   */
  compact(now = this.clock()): void {
    const h = this.history;
    const oldest = this.historySeconds > 0 ? now - this.historySeconds * 1000 : -Infinity;
    let head = this.historyHead;
    while (head < h.length && (h.length - head > this.historySize || h[head].at < oldest)) {
      this.compactedRv = h[head].rv;
      head++;
    }
    if (head === this.historyHead) return;
    if (head > 1024 && head * 2 > h.length) {
      this.history = h.slice(head);
      this.historyHead = 0;
    } else {
      // let the dropped events go now, not when the array is next shifted
      for (let i = this.historyHead; i < head; i++) (h as any[])[i] = undefined;
      this.historyHead = head;
    }
  }

  /**
   * Resolves true once the counter reaches `rv`, false after `ms` if it has not: the apiserver's
   * watch cache waits like this (up to 3 s) before it calls a resourceVersion too large.
   */
  waitForRv(rv: number, ms: number): Promise<boolean> {
    if (this.rv >= rv) return Promise.resolve(true);
    if (ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w = {
        rv,
        done: (ok: boolean) => {
          clearTimeout(timer);
          this.rvWaiters.delete(w);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => w.done(false), ms);
      this.rvWaiters.add(w);
    });
  }

  /**
   * The objects of a kind as they were at `rv` (an exact-RV list), ordered by key: the current
   * ones with the kept history after `rv` undone. 410 when that history is gone.
   */
  stateAt(tk: string, rv: number): any[] {
    if (rv < this.compactedRv) throw expired('The resourceVersion for the provided list is too old.');
    const after = this.eventsSince(rv);
    if (after.length === 0) return this.sorted(tk);
    const t = this.types.get(tk);
    const key = (o: any) => objKey(t?.namespaced ? o.metadata.namespace : undefined, o.metadata.name);
    const m = new Map<string, any>();
    for (const o of this.iter(tk)) m.set(key(o), o);
    for (let i = after.length - 1; i >= 0; i--) {
      const ev = after[i];
      if (ev.tk !== tk) continue;
      if (ev.type === 'ADDED') m.delete(key(ev.obj));
      else m.set(key(ev.old), ev.old);
    }
    return [...m.keys()].sort().map((k) => m.get(k));
  }

  /** Store a brand-new object: fills uid, resourceVersion, creationTimestamp, generation. */
  create(tk: string, obj: any): any {
    const t = this.type(tk);
    const m = this.map(tk);
    const md = obj.metadata ?? {};
    const key = objKey(t.namespaced ? md.namespace : undefined, md.name);
    if (m.has(key)) throw alreadyExists(t.plural, t.group, md.name);
    const rv = ++this.rv;
    const stored = {
      ...obj,
      apiVersion: t.group ? `${t.group}/${t.version}` : t.version,
      kind: t.kind,
      metadata: {
        ...md,
        uid: md.uid ?? this.newUid(),
        resourceVersion: String(rv),
        creationTimestamp: md.creationTimestamp ?? nowIso(this.clock()),
        ...(obj.spec !== undefined && t.kind !== 'Pod' ? { generation: 1 } : {}),
      },
    };
    if (!t.namespaced) delete stored.metadata.namespace;
    m.set(key, stored);
    this.nsPut(tk, key, stored);
    this.sortedKeys.set(tk, null);
    this.record(tk, 'ADDED', stored);
    return stored;
  }

  /**
   * Replace a stored object with a new version. `expectRv` enforces optimistic concurrency
   * (409 Conflict when the stored version moved on). Bumps metadata.generation on spec changes.
   */
  update(tk: string, obj: any, expectRv?: string): any {
    const t = this.type(tk);
    const md = obj.metadata;
    const ns = t.namespaced ? md.namespace : undefined;
    const old = this.mustGet(tk, ns, md.name);
    if (expectRv && expectRv !== old.metadata.resourceVersion) throw conflict(t.plural, t.group, md.name);
    let generation = old.metadata.generation;
    if (generation !== undefined && obj.spec !== old.spec && JSON.stringify(obj.spec) !== JSON.stringify(old.spec)) generation++;
    const rv = ++this.rv;
    const stored = {
      ...obj,
      apiVersion: old.apiVersion,
      kind: old.kind,
      metadata: {
        ...md,
        uid: old.metadata.uid,
        creationTimestamp: old.metadata.creationTimestamp,
        resourceVersion: String(rv),
        ...(generation !== undefined ? { generation } : {}),
        ...(old.metadata.deletionTimestamp && !md.deletionTimestamp
          ? { deletionTimestamp: old.metadata.deletionTimestamp, deletionGracePeriodSeconds: old.metadata.deletionGracePeriodSeconds }
          : {}),
      },
    };
    this.map(tk).set(objKey(ns, md.name), stored);
    this.nsPut(tk, objKey(ns, md.name), stored);
    this.record(tk, 'MODIFIED', stored, old);
    return stored;
  }

  /** Apply a function to the current version and store its result (controllers' writes). */
  mutate(tk: string, ns: string | undefined, name: string, fn: (o: any) => any): any | undefined {
    const cur = this.get(tk, ns, name);
    if (!cur) return undefined;
    const next = fn(cur);
    if (next === cur || next === undefined) return cur;
    return this.update(tk, next);
  }

  /** Remove an object for good (after any grace period): the DELETED event carries a new RV. */
  remove(tk: string, ns: string | undefined, name: string): any {
    const t = this.type(tk);
    const key = objKey(t.namespaced ? ns : undefined, name);
    const m = this.map(tk);
    const old = m.get(key);
    if (!old) throw notFound(t.plural, t.group, name);
    m.delete(key);
    this.nsDelete(tk, key, old);
    this.sortedKeys.set(tk, null);
    const rv = ++this.rv;
    const last = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } };
    this.record(tk, 'DELETED', last, old);
    return last;
  }

  /** Events after `rv` for a watch, or 410 when that part of history is gone. */
  eventsSince(rv: number): StoredEvent[] {
    if (rv < this.compactedRv) throw expired(`too old resource version: ${rv} (${this.compactedRv + 1})`);
    const h = this.history;
    // the history is in RV order: find the first event after `rv`
    let lo = this.historyHead;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (h[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return h.slice(lo);
  }

  addWatcher(w: Watcher): () => void {
    let s = this.watchers.get(w.tk);
    if (!s) this.watchers.set(w.tk, (s = new Set()));
    s.add(w);
    return () => s!.delete(w);
  }

  watcherCount(): number {
    let n = 0;
    for (const s of this.watchers.values()) n += s.size;
    return n;
  }

  /** Paginated-list snapshots: a continue token names one, so later pages see the same state. */
  makeSnapshot(tk: string, at?: { rv: number; items: any[] }): Snapshot {
    this.gcSnapshots();
    const s: Snapshot = { id: randomUUID(), rv: at?.rv ?? this.rv, items: at?.items ?? this.sorted(tk), touched: Date.now() };
    this.snapshots.set(s.id, s);
    return s;
  }

  snapshot(id: string): Snapshot | undefined {
    const s = this.snapshots.get(id);
    if (s) s.touched = Date.now();
    return s;
  }

  dropSnapshot(id: string): void {
    this.snapshots.delete(id);
  }

  private gcSnapshots(): void {
    const cutoff = Date.now() - 5 * 60_000;
    for (const [id, s] of this.snapshots) if (s.touched < cutoff) this.snapshots.delete(id);
    while (this.snapshots.size > 32) this.snapshots.delete(this.snapshots.keys().next().value!);
  }
}

/** Send one stored event to one watcher, translating selector entry and exit as the apiserver does. */
export function dispatch(w: Watcher, ev: StoredEvent): void {
  const cur = ev.obj;
  if (w.namespace && cur.metadata.namespace !== w.namespace) return;
  const matches = (o: any) => !!o && w.label(o.metadata.labels) && w.field(o);
  if (ev.type === 'MODIFIED') {
    const now = matches(cur);
    const before = matches(ev.old);
    if (now && before) w.deliver('MODIFIED', cur, ev);
    else if (now) w.deliver('ADDED', cur, ev);
    else if (before) w.deliver('DELETED', cur, ev);
    return;
  }
  if (matches(cur)) w.deliver(ev.type, cur, ev);
}
