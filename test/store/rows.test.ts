import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetMember } from '../../src/sim/fleet.js';
import { Connection } from '../../src/kube/connection.js';
import { discover, resolveResource, type ApiResource } from '../../src/kube/discovery.js';
import { loadKubeconfig, type Kubeconfig } from '../../src/kube/kubeconfig.js';
import { columnsFor } from '../../src/resources/registry.js';
import { RowStore, StoreRegistry, storeId, type StoreKey } from '../../src/store/rows.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-rows-'));
let fleet: Fleet;
let kc: Kubeconfig;
let m: FleetMember;
let ctx: string;
let PODS: ApiResource;
let CM: ApiResource;
const conns = new Map<string, Connection>();
let registry: StoreRegistry;
const held: RowStore[] = [];

function connFor(context: string): Connection {
  let c = conns.get(context);
  if (!c) conns.set(context, (c = new Connection(kc, context)));
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

function acquire(k: StoreKey, reg = registry): RowStore {
  const s = reg.acquire(k);
  held.push(s);
  return s;
}

let nsSeq = 0;
/** A fresh namespace in the sim, so each test sees only its own configmaps. */
function freshNamespace(): string {
  const ns = `rows-test-${++nsSeq}`;
  m.cluster.store.create('namespaces', { metadata: { name: ns }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  return ns;
}

function createCm(ns: string, name: string, value = 'v0'): void {
  m.cluster.store.create('configmaps', { metadata: { name, namespace: ns, labels: { app: 'rows' } }, data: { k: value } });
}

function updateCm(ns: string, name: string, value: string): void {
  const cur = m.cluster.store.get('configmaps', ns, name);
  m.cluster.store.update('configmaps', { ...cur, data: { k: value } });
}

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, nodes: 2, pods: 20 });
  const f = path.join(dir, 'config');
  fleet.writeKubeconfig(f);
  kc = loadKubeconfig([f]);
  m = fleet.members[0];
  ctx = m.name;
  const all = await discover(connFor(ctx));
  PODS = resolveResource(all, 'po')!;
  CM = resolveResource(all, 'cm')!;
  expect(PODS).toMatchObject({ plural: 'pods', group: '' });
  expect(CM).toMatchObject({ plural: 'configmaps', group: '' });
  registry = new StoreRegistry(connFor, (k) => columnsFor(k.resource), 100);
});

afterEach(async () => {
  // release what a test left held (a failing test must not leave watches behind)
  for (const s of held.splice(0)) while (s.refs > 0) registry.release(s);
  // the sim drops a watcher when its connection closes: wait, so the next test counts from a quiet start
  await until(() => m.cluster.store.watcherCount() === 0, 5000, `no watchers left (${m.cluster.store.watcherCount()})`);
});

afterAll(async () => {
  registry?.stopAll();
  for (const c of conns.values()) c.close();
  await fleet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('RowStore', () => {
  it('syncs every object of the kind into projected rows', async () => {
    const s = acquire({ context: ctx, resource: PODS });
    await until(() => s.status.synced, 5000, 'pods synced');
    const want = [...m.cluster.store.iter('pods')].map((o) => `${ctx}|${o.metadata.namespace}/${o.metadata.name}`).sort();
    expect(want.length).toBeGreaterThan(10);
    expect([...s.rows.keys()].sort()).toEqual(want);
    const cols = columnsFor(PODS).columns;
    for (const r of s.rows.values()) {
      expect(r.context).toBe(ctx);
      expect(r.key).toBe(`${ctx}|${r.namespace}/${r.name}`);
      expect(r.cells).toHaveLength(cols.length);
      expect(r.uid).not.toBe('');
      expect(r.created).toBeGreaterThan(0);
      // the initial list is not "new"
      expect(r.addedAt).toBeUndefined();
      expect(r.modifiedAt).toBeUndefined();
    }
    expect(s.version).toBeGreaterThan(0);
  });

  it('a namespace and a label selector narrow the store', async () => {
    const ns = freshNamespace();
    createCm(ns, 'a');
    createCm(ns, 'b');
    m.cluster.store.create('configmaps', { metadata: { name: 'other', namespace: ns, labels: { app: 'else' } }, data: {} });
    const s = acquire({ context: ctx, resource: CM, namespace: ns, labelSelector: 'app=rows' });
    await until(() => s.status.synced, 5000, 'synced');
    expect([...s.rows.keys()].sort()).toEqual([`${ctx}|${ns}/a`, `${ctx}|${ns}/b`]);
    expect(s.rows.get(`${ctx}|${ns}/a`)!.labels).toEqual({ app: 'rows' });
  });

  it('marks rows added and modified after the initial sync, and drops deleted ones', async () => {
    const ns = freshNamespace();
    createCm(ns, 'old');
    const s = acquire({ context: ctx, resource: CM, namespace: ns });
    await until(() => s.status.synced && s.status.phase === 'watching', 5000, 'watching');
    const old = s.rows.get(`${ctx}|${ns}/old`)!;
    expect(old.addedAt).toBeUndefined();

    const before = Date.now();
    createCm(ns, 'fresh');
    await until(() => s.rows.has(`${ctx}|${ns}/fresh`), 5000, 'fresh row');
    const fresh = s.rows.get(`${ctx}|${ns}/fresh`)!;
    expect(fresh.addedAt).toBeGreaterThanOrEqual(before);
    expect(fresh.addedAt).toBeLessThanOrEqual(Date.now());
    expect(fresh.modifiedAt).toBeUndefined();

    await sleep(5);
    const v0 = s.version;
    updateCm(ns, 'fresh', 'v1');
    await until(() => s.rows.get(`${ctx}|${ns}/fresh`) !== fresh, 5000, 'modified row');
    const mod = s.rows.get(`${ctx}|${ns}/fresh`)!;
    expect(mod.modifiedAt).toBeGreaterThan(fresh.addedAt! - 1);
    expect(mod.addedAt).toBe(fresh.addedAt); // same object: keeps its added time
    expect(s.version).toBeGreaterThan(v0);

    updateCm(ns, 'old', 'v1');
    await until(() => s.rows.get(`${ctx}|${ns}/old`)?.modifiedAt !== undefined, 5000, 'old modified');
    expect(s.rows.get(`${ctx}|${ns}/old`)!.addedAt).toBeUndefined();

    m.cluster.store.remove('configmaps', ns, 'old');
    await until(() => !s.rows.has(`${ctx}|${ns}/old`), 5000, 'old deleted');
    expect([...s.rows.keys()]).toEqual([`${ctx}|${ns}/fresh`]);

    // re-created under the same name: a new object, so new again
    m.cluster.store.remove('configmaps', ns, 'fresh');
    await until(() => !s.rows.has(`${ctx}|${ns}/fresh`), 5000, 'fresh deleted');
    const t = Date.now();
    createCm(ns, 'fresh');
    await until(() => s.rows.has(`${ctx}|${ns}/fresh`), 5000, 'fresh again');
    const again = s.rows.get(`${ctx}|${ns}/fresh`)!;
    expect(again.uid).not.toBe(fresh.uid);
    expect(again.addedAt).toBeGreaterThanOrEqual(t);
    expect(again.modifiedAt).toBeUndefined();
  });

  it('tells listeners in batches, not once per event', async () => {
    const ns = freshNamespace();
    const s = acquire({ context: ctx, resource: CM, namespace: ns });
    await until(() => s.status.phase === 'watching', 5000, 'watching');
    await sleep(150); // let the sync notices go out
    let calls = 0;
    const off = s.subscribe(() => calls++);
    const v0 = s.version;

    // a burst: 200 changes at once
    for (let i = 0; i < 100; i++) createCm(ns, `burst-${i}`);
    for (let i = 0; i < 100; i++) updateCm(ns, `burst-${i}`, 'v1');
    await until(() => s.rows.size === 100 && [...s.rows.values()].every((r) => r.modifiedAt !== undefined), 5000, 'burst applied');
    await sleep(250);
    expect(s.version - v0).toBeGreaterThanOrEqual(200);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThan(5);

    // a steady stream: 200 changes over ~600 ms, 10 every 30 ms
    calls = 0;
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 10; j++) updateCm(ns, `burst-${(i * 10 + j) % 100}`, `w${i}`);
      await sleep(30);
    }
    await sleep(250);
    const elapsed = Date.now() - t0;
    // at most one notice per batchMs (100), plus the trailing one
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    expect(calls).toBeLessThan(20);

    // unsubscribed listeners hear nothing
    off();
    const before = calls;
    createCm(ns, 'after-off');
    await until(() => s.rows.has(`${ctx}|${ns}/after-off`), 5000, 'after-off');
    await sleep(200);
    expect(calls).toBe(before);
  });

  it('takeChanges: null after a full list, then the keys changed since the last call', async () => {
    const ns = freshNamespace();
    createCm(ns, 'a');
    const s = acquire({ context: ctx, resource: CM, namespace: ns });
    await until(() => s.status.phase === 'watching', 5000, 'watching');
    expect(s.takeChanges()).toBeNull();
    expect([...s.takeChanges()!]).toEqual([]);
    createCm(ns, 'b');
    updateCm(ns, 'a', 'x');
    await until(() => s.rows.has(`${ctx}|${ns}/b`) && s.rows.get(`${ctx}|${ns}/a`)!.modifiedAt !== undefined, 5000, 'changes');
    expect([...s.takeChanges()!].sort()).toEqual([`${ctx}|${ns}/a`, `${ctx}|${ns}/b`]);
  });
});

describe('StoreRegistry', () => {
  it('shares a store by key and counts its users', async () => {
    const ns = freshNamespace();
    const k: StoreKey = { context: ctx, resource: CM, namespace: ns };
    const size0 = registry.size;
    const a = acquire(k);
    const b = acquire({ ...k, resource: { ...CM } }); // an equal key, not the same object
    expect(b).toBe(a);
    expect(a.refs).toBe(2);
    expect(registry.size).toBe(size0 + 1);
    // any difference in the key is another store
    const c = acquire({ ...k, labelSelector: 'app=rows' });
    const d = acquire({ ...k, namespace: undefined });
    expect(c).not.toBe(a);
    expect(d).not.toBe(a);
    expect(d).not.toBe(c);
    expect(registry.size).toBe(size0 + 3);
    expect(new Set([storeId(k), storeId(c.key), storeId(d.key)]).size).toBe(3);
  });

  it('stops the watch when the last user releases the store', async () => {
    const ns = freshNamespace();
    createCm(ns, 'x');
    const reg = new StoreRegistry(connFor, (k) => columnsFor(k.resource), 100);
    try {
      const base = m.cluster.store.watcherCount();
      const k: StoreKey = { context: ctx, resource: CM, namespace: ns };
      const a = reg.acquire(k);
      const b = reg.acquire(k);
      expect(b).toBe(a);
      await until(() => a.status.phase === 'watching' && m.cluster.store.watcherCount() === base + 1, 5000, 'one watch');
      // two users share one watch
      expect(m.cluster.store.watcherCount()).toBe(base + 1);

      reg.release(a);
      expect(a.refs).toBe(1);
      expect(reg.size).toBe(1);
      await sleep(200);
      expect(m.cluster.store.watcherCount()).toBe(base + 1);

      reg.release(b);
      expect(a.refs).toBe(0);
      expect(reg.size).toBe(0);
      await until(() => m.cluster.store.watcherCount() === base, 5000, 'watch closed');

      // a released store hears nothing more
      const v = a.version;
      createCm(ns, 'y');
      await sleep(300);
      expect(a.version).toBe(v);
      expect(a.rows.has(`${ctx}|${ns}/y`)).toBe(false);

      // acquiring the key again makes a new store that syncs afresh
      const c = reg.acquire(k);
      expect(c).not.toBe(a);
      expect(c.refs).toBe(1);
      await until(() => c.rows.size === 2, 5000, 'new store synced');
      reg.release(c);
      await until(() => m.cluster.store.watcherCount() === base, 5000, 'watch closed again');
    } finally {
      reg.stopAll();
    }
  });

  it('stopAll stops every watch', async () => {
    const reg = new StoreRegistry(connFor, (k) => columnsFor(k.resource), 100);
    const base = m.cluster.store.watcherCount();
    const a = reg.acquire({ context: ctx, resource: CM, namespace: freshNamespace() });
    const b = reg.acquire({ context: ctx, resource: PODS });
    await until(() => a.status.phase === 'watching' && b.status.phase === 'watching', 5000, 'watching');
    await until(() => m.cluster.store.watcherCount() === base + 2, 5000, 'two watches');
    reg.stopAll();
    expect(reg.size).toBe(0);
    await until(() => m.cluster.store.watcherCount() === base, 5000, 'watches closed');
  });

  it('refresh lists again and keeps the rows it already had', async () => {
    const ns = freshNamespace();
    createCm(ns, 'a');
    const reg = new StoreRegistry(connFor, (k) => columnsFor(k.resource), 100);
    try {
      const s = reg.acquire({ context: ctx, resource: CM, namespace: ns });
      await until(() => s.status.phase === 'watching', 5000, 'watching');
      const from = m.server.requestLog.length;
      reg.refresh();
      createCm(ns, 'b');
      await until(() => s.rows.has(`${ctx}|${ns}/b`) && s.status.phase === 'watching', 5000, 'refreshed');
      const lists = m.server.requestLog.slice(from).filter((r) => r.path === `/api/v1/namespaces/${ns}/configmaps` && !r.query.includes('watch'));
      expect(lists.length).toBeGreaterThanOrEqual(1);
      // the relist keeps what it knew: the old row is not "new", the one made meanwhile is
      expect(s.rows.get(`${ctx}|${ns}/a`)!.addedAt).toBeUndefined();
      expect(s.rows.get(`${ctx}|${ns}/b`)!.addedAt).toBeGreaterThan(0);
      reg.release(s);
    } finally {
      reg.stopAll();
    }
  });
});
