/**
 * The first list shows its pages as they arrive; a relist never shows a partial set; a list that
 * starts over ends with exactly the server's rows. Over HTTP against the simulator, its list
 * pages held back by a delay rule (`continued: true`) and let through one at a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetMember } from '../../src/sim/fleet.js';
import { Connection } from '../../src/kube/connection.js';
import { discover, resolveResource, type ApiResource } from '../../src/kube/discovery.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { columnsFor } from '../../src/resources/registry.js';
import { RowStore } from '../../src/store/rows.js';
import { ViewModel, viewColumns } from '../../src/store/view.js';
import { until } from '../helpers/wait.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-progressive-'));
let fleet: Fleet;
let m: FleetMember;
let conn: Connection;
let CM: ApiResource;
const stores: RowStore[] = [];

/** objects per namespace and items per page: pages of 500, 500 and 200 */
const N = 1200;
const PAGE = 500;


let nsSeq = 0;
/** A fresh namespace holding N configmaps cm-0000 ... */
function namespaceWith(n = N): string {
  const ns = `progressive-${++nsSeq}`;
  m.cluster.store.create('namespaces', { metadata: { name: ns }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  for (let i = 0; i < n; i++) m.cluster.store.create('configmaps', { metadata: { name: `cm-${String(i).padStart(4, '0')}`, namespace: ns }, data: { k: 'v' } });
  return ns;
}

/** The server's configmaps of a namespace as row keys, with their resourceVersions. */
function serverRows(ns: string): Map<string, string> {
  return new Map([...m.cluster.store.iter('configmaps', ns)].map((o) => [`${m.name}|${ns}/${o.metadata.name}`, o.metadata.resourceVersion]));
}

function storeRows(s: RowStore): Map<string, string | undefined> {
  return new Map([...s.rows.values()].map((r) => [r.key, r.rv]));
}

function storeFor(ns: string): RowStore {
  const s = new RowStore({ context: m.name, resource: CM, namespace: ns }, conn, columnsFor(CM), 50, undefined, PAGE);
  stores.push(s);
  s.start();
  return s;
}

function viewOf(s: RowStore): ViewModel {
  return new ViewModel([s], viewColumns(columnsFor(CM).columns, false, false));
}

/** List requests of the namespace that carried a continue token (the later pages) so far. */
function continuedLists(ns: string): number {
  return m.server.requestLog.filter((r) => r.path === `/api/v1/namespaces/${ns}/configmaps` && !r.query.includes('watch=') && r.query.includes('continue=')).length;
}

/** Hold every later page of a list of this namespace until released (or the faults cleared). */
function holdPages(ns: string): void {
  m.server.faults.delays.push({ resource: 'configmaps', namespace: ns, verbs: ['list'], continued: true, ms: 120_000 });
}

/** Wait until the server holds a later page of a list: the page before it has been handed on. */
async function pageHeld(ns: string, nth: number): Promise<void> {
  await until(`continued list #${nth} held`, () => continuedLists(ns) >= nth && m.server.faults.toJSON().heldRequests === 1, 20_000);
}

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, nodes: 2, pods: 10 });
  const f = path.join(dir, 'config');
  fleet.writeKubeconfig(f);
  m = fleet.members[0];
  conn = new Connection(loadKubeconfig([f]), m.name);
  CM = resolveResource(await discover(conn), 'cm')!;
});

afterEach(() => {
  m.server.faults.clear();
  for (const s of stores.splice(0)) s.stop();
});

afterAll(async () => {
  conn?.close();
  await fleet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the first list, page by page', () => {
  it('shows each page as it arrives, in order, before the list is complete', async () => {
    const ns = namespaceWith();
    holdPages(ns);
    const s = storeFor(ns);
    const vm = viewOf(s);
    let told = 0;
    s.subscribe(() => told++);

    await pageHeld(ns, 1);
    await until('the first page shown', () => s.rows.size === PAGE && told > 0, 15_000);
    expect(s.status.synced).toBe(false);
    expect(s.loadingFirst).toBe(true);
    // the view has them too, sorted, and a first list's rows are not "new"
    expect(vm.rows().map((r) => r.name)).toEqual(Array.from({ length: PAGE }, (_, i) => `cm-${String(i).padStart(4, '0')}`));
    expect([...s.rows.values()].every((r) => r.addedAt === undefined)).toBe(true);

    m.server.faults.release();
    await pageHeld(ns, 2);
    await until('the second page shown', () => s.rows.size === 2 * PAGE, 15_000);
    expect(s.loadingFirst).toBe(true);
    expect(vm.rows().length).toBe(2 * PAGE);

    m.server.faults.release();
    await until('synced', () => s.status.synced, 20_000);
    expect(s.loadingFirst).toBe(false);
    expect(storeRows(s)).toEqual(serverRows(ns));
    const names = vm.rows().map((r) => r.name);
    expect(names).toEqual([...names].sort());
    expect(names.length).toBe(N);
    expect([...s.rows.values()].every((r) => r.addedAt === undefined)).toBe(true);
  });

  for (const how of ['relist', 'refresh'] as const) it(`a ${how === 'relist' ? 'relist' : 'refresh (ctrl-r: the reflector restarted)'} of a store that has listed never shows a page: the old rows stay until the new list replaces them whole`, async () => {
    const ns = namespaceWith();
    const s = storeFor(ns);
    const vm = viewOf(s);
    await until('watching', () => s.status.synced && s.status.phase === 'watching', 20_000);
    const before = new Map(s.rows);
    const seq = s.seq;
    expect(vm.rows().length).toBe(N);

    holdPages(ns);
    if (how === 'relist') s.relist();
    else {
      s.stop();
      s.start();
    }
    await pageHeld(ns, 1);
    // the relist's first page has been handed on (the server holds the request for the next):
    // not one row moved, not one change logged for the views
    expect(s.seq).toBe(seq);
    expect(s.rows.size).toBe(N);
    for (const [k, r] of before) expect(s.rows.get(k)).toBe(r);
    expect(s.loadingFirst).toBe(false);
    expect(vm.rows().length).toBe(N);

    // meanwhile the server changes: a row goes, one comes
    m.cluster.store.remove('configmaps', ns, 'cm-0001');
    m.cluster.store.create('configmaps', { metadata: { name: 'cm-0000a', namespace: ns }, data: { k: 'v' } });
    m.server.faults.release();
    await pageHeld(ns, 2);
    expect(s.seq).toBe(seq);
    for (const [k, r] of before) expect(s.rows.get(k)).toBe(r);

    m.server.faults.clear();
    await until('relisted and caught up', () => s.status.phase === 'watching' && s.seq > seq && storeRows(s).size === serverRows(ns).size && s.rows.has(`${m.name}|${ns}/cm-0000a`), 20_000);
    expect(storeRows(s)).toEqual(serverRows(ns));
    expect(vm.rows().map((r) => r.key).sort()).toEqual([...serverRows(ns).keys()].sort());
  });

  for (const how of ['an expired continue token', 'a connection cut mid-page'] as const) {
    it(`a first list that starts over after ${how} ends with exactly the server's rows`, async () => {
      const ns = namespaceWith();
      holdPages(ns);
      const s = storeFor(ns);
      const vm = viewOf(s);
      await pageHeld(ns, 1);
      await until('the first page shown', () => s.rows.size === PAGE, 15_000);
      const shown = [...s.rows.keys()];

      // the server changes behind the list: rows already shown go, others go, new ones come
      // (early names: they land in the first page of the list that starts over)
      for (const i of [3, 4, 250, 700, 1100]) m.cluster.store.remove('configmaps', ns, `cm-${String(i).padStart(4, '0')}`);
      for (const name of ['cm-0000x', 'cm-0000y', 'cm-9999']) m.cluster.store.create('configmaps', { metadata: { name, namespace: ns }, data: { k: 'new' } });
      const cm1 = m.cluster.store.get('configmaps', ns, 'cm-0001');
      m.cluster.store.update('configmaps', { ...cm1, data: { k: 'changed' } });

      // the held page fails: 410 (the list starts over at once) or a cut body (backoff, then a new list)
      if (how === 'an expired continue token') m.server.faults.errors.push({ code: 410, resource: 'configmaps', namespace: ns, verbs: ['list'], count: 1 });
      else m.server.faults.truncate.push({ resource: 'configmaps', namespace: ns, verbs: ['list'], count: 1 });
      m.server.faults.release();
      // the list that starts over hands on its first page, and is held at its second
      await pageHeld(ns, 2);
      await until('the new first page shown', () => s.rows.has(`${m.name}|${ns}/cm-0000x`), 20_000);
      expect(s.status.synced).toBe(false);
      // one row per key, whatever came twice; the view agrees with the store
      const keys = vm.rows().map((r) => r.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(s.rows.size);
      // rows of the failed attempt that the server no longer has may still show until the end
      expect(shown.every((k) => s.rows.has(k))).toBe(true);

      m.server.faults.clear();
      await until('synced', () => s.status.synced, 20_000);
      expect(storeRows(s)).toEqual(serverRows(ns));
      expect(s.rows.get(`${m.name}|${ns}/cm-0001`)!.rv).toBe(m.cluster.store.get('configmaps', ns, 'cm-0001').metadata.resourceVersion);
      const final = vm.rows().map((r) => r.key);
      expect(final).toEqual([...serverRows(ns).keys()].sort());
      // still the first list: nothing shows as "new"
      expect([...s.rows.values()].every((r) => r.addedAt === undefined)).toBe(true);
    });
  }

  it('new columns start the store over: its next list shows page by page again', async () => {
    const ns = namespaceWith();
    const s = storeFor(ns);
    await until('synced', () => s.status.synced, 20_000);
    holdPages(ns);
    s.setColumns({ ...columnsFor(CM) });
    expect(s.rows.size).toBe(0);
    await pageHeld(ns, 1);
    await until('the first page of the new list shown', () => s.rows.size === PAGE, 15_000);
    expect(s.loadingFirst).toBe(true);
    m.server.faults.clear();
    await until('synced', () => s.status.synced && !s.loadingFirst, 20_000);
    expect(storeRows(s)).toEqual(serverRows(ns));
  });
});

describe('the change log while a first list loads', () => {
  it('keeps every page for a view several pages behind, and goes back to its bound once the list is whole', () => {
    // fed as its reflector would feed it: no server needed
    const s = new RowStore({ context: 'c', resource: CM }, undefined as unknown as Connection, columnsFor(CM));
    const row = (i: number) => ({ key: `c|ns/cm-${String(i).padStart(5, '0')}`, context: 'c', namespace: 'ns', name: `cm-${String(i).padStart(5, '0')}`, uid: String(i), created: 0, cells: [], state: 'steady' as const });
    const all = Array.from({ length: 30_000 }, (_, i) => row(i));
    const from = s.seq;
    for (let at = 0; at < 28_000; at += 2000) s.apply({ type: 'page', items: all.slice(at, at + 2000), listed: at + 2000 });
    // 28,000 keys: a view that saw none of them still gets them one by one
    expect(s.changesSince(from)?.length).toBe(28_000);
    s.apply({ type: 'replace', items: all });
    expect(s.rows.size).toBe(30_000);
    expect(s.changesSince(from)?.length).toBe(30_000);
    // the first change after the list trims the log to its usual bound
    s.apply({ type: 'delete', item: all[0], raw: {} });
    expect(s.changesSince(from)).toBeNull();
    expect(s.changesSince(s.seq - 10)?.length).toBe(10);
    s.stop();
  });
});
