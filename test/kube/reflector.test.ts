import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetMember } from '../../src/sim/fleet.js';
import { Connection } from '../../src/kube/connection.js';
import type { ApiResource } from '../../src/kube/discovery.js';
import { loadKubeconfig, type Kubeconfig } from '../../src/kube/kubeconfig.js';
import { Reflector, type ReflectorEvent, type ReflectorOptions, type ReflectorStatus } from '../../src/kube/reflector.js';

const CM: ApiResource = { group: '', version: 'v1', plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], verbs: ['list', 'watch'], categories: [] };
const PODS: ApiResource = { group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], verbs: ['list', 'watch'], categories: [] };

interface Row { key: string; rv: string; data?: string }
const toRow = (o: any): Row => ({ key: `${o.metadata.namespace ?? ''}/${o.metadata.name}`, rv: o.metadata.resourceVersion, data: o.data?.k });

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-refl-'));
let fleet: Fleet;
let kc: Kubeconfig;
const conns: Connection[] = [];
const running: Reflector<Row>[] = [];

function conn(m: FleetMember): Connection {
  const c = new Connection(kc, m.name);
  conns.push(c);
  return c;
}

/** A reflector feeding a map, with every event and status recorded. */
function watchInto(m: FleetMember, o: Partial<ReflectorOptions<Row>> = {}) {
  const rows = new Map<string, Row>();
  const events: ReflectorEvent<Row>[] = [];
  const statuses: ReflectorStatus[] = [];
  const r = new Reflector<Row>({
    conn: conn(m),
    resource: CM,
    transform: toRow,
    backoffInitialMs: 50,
    backoffMaxMs: 400,
    watchdogMs: 10_000,
    ...o,
    onEvent: (ev) => {
      events.push(ev);
      if (ev.type === 'replace') {
        rows.clear();
        for (const it of ev.items) rows.set(it.key, it);
      } else if (ev.type === 'upsert') rows.set(ev.item.key, ev.item);
      else if (ev.type === 'delete') rows.delete(ev.item.key);
      else if (ev.type === 'status') statuses.push(ev.status);
    },
  });
  running.push(r);
  r.start();
  return { r, rows, events, statuses, names: () => [...rows.keys()].sort() };
}

async function until(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function storeNames(m: FleetMember, tk = 'configmaps', ns?: string): string[] {
  return [...m.cluster.store.iter(tk, ns)].map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
}

function storeRvs(m: FleetMember, tk = 'configmaps'): Record<string, string> {
  return Object.fromEntries([...m.cluster.store.iter(tk)].map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o.metadata.resourceVersion]));
}

function rowRvs(rows: Map<string, Row>): Record<string, string> {
  return Object.fromEntries([...rows.values()].map((r) => [r.key, r.rv]));
}

let seq = 0;
function createCm(m: FleetMember, ns = 'default', name = `cm-${++seq}`): string {
  m.cluster.store.create('configmaps', { metadata: { name, namespace: ns }, data: { k: 'v0' } });
  return name;
}

function updateCm(m: FleetMember, ns: string, name: string, value: string): void {
  const cur = m.cluster.store.get('configmaps', ns, name);
  m.cluster.store.update('configmaps', { ...cur, data: { k: value } });
}

beforeAll(async () => {
  fleet = await startFleet({ clusters: 2, empty: true, cluster: { historySize: 30, bookmarkIntervalMs: 200 } });
  const f = path.join(dir, 'config');
  fleet.writeKubeconfig(f);
  kc = loadKubeconfig([f]);
});

afterEach(async () => {
  for (const r of running.splice(0)) r.stop();
  for (const m of fleet.members) {
    m.server.faults.latencyMs = 0;
    m.server.faults.forbidden.clear();
    if (!m.server.server) await m.server.start();
  }
});

afterAll(async () => {
  for (const c of conns) c.close();
  await fleet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Reflector', () => {
  it('lists (paginated), watches, and converges with the store', async () => {
    const m = fleet.members[0];
    for (let i = 0; i < 7; i++) createCm(m, i % 2 ? 'default' : 'kube-system');
    const from = m.server.requestLog.length;
    const w = watchInto(m, { pageSize: 3 });
    await until(() => w.r.status.synced, 5000, 'synced');
    expect(w.names()).toEqual(storeNames(m));
    expect(w.events[0]).toMatchObject({ type: 'status', status: { phase: 'listing', synced: false } });
    const lists = m.server.requestLog.slice(from).filter((r) => r.path === '/api/v1/configmaps' && !r.query.includes('watch'));
    expect(lists.length).toBe(3); // 7 items, pages of 3
    expect(lists[1].query).toContain('continue=');
    // the first two pages went out as they came, then the whole list
    const listing = w.events.filter((e) => e.type === 'page' || e.type === 'replace');
    expect(listing.map((e) => (e.type === 'page' ? [e.type, e.items.length, e.listed] : [e.type, e.items.length]))).toEqual([['page', 3, 3], ['page', 3, 6], ['replace', 7]]);
    expect(listing.flatMap((e) => (e.type === 'page' ? e.items : []))).toEqual((listing[2] as { items: Row[] }).items.slice(0, 6));
    await until(() => w.r.status.phase === 'watching', 5000, 'watching');
    const watchReq = m.server.requestLog.slice(from).find((r) => r.query.includes('watch=true'))!;
    expect(watchReq.query).toContain('allowWatchBookmarks=true');
    expect(watchReq.query).toMatch(/resourceVersion=\d+/);
    expect(watchReq.query).toMatch(/timeoutSeconds=\d+/);

    const added = createCm(m, 'default');
    const [first] = storeNames(m);
    const [fns, fname] = first.split('/');
    updateCm(m, fns, fname, 'changed');
    const victim = storeNames(m)[1].split('/');
    m.cluster.store.remove('configmaps', victim[0], victim[1]);
    await until(() => w.rows.get(first)?.data === 'changed' && !w.rows.has(victim.join('/')) && w.rows.has(`default/${added}`), 5000, 'changes');
    expect(rowRvs(w.rows)).toEqual(storeRvs(m));
    const kinds = w.events.filter((e) => e.type !== 'status' && e.type !== 'replace' && e.type !== 'page').map((e) => e.type);
    expect(kinds).toEqual(['upsert', 'upsert', 'delete']);
    const del = w.events.find((e) => e.type === 'delete') as any;
    expect(del.raw.kind).toBe('ConfigMap');
    // bookmarks move the resourceVersion forward
    await until(() => Number(w.r.status.resourceVersion) === m.cluster.store.rv, 3000, 'bookmark rv');
  });

  it('watches one namespace with a label selector', async () => {
    const m = fleet.members[1];
    m.cluster.store.create('configmaps', { metadata: { name: 'sel-a', namespace: 'default', labels: { app: 'x' } }, data: {} });
    m.cluster.store.create('configmaps', { metadata: { name: 'sel-b', namespace: 'default', labels: { app: 'y' } }, data: {} });
    m.cluster.store.create('configmaps', { metadata: { name: 'sel-c', namespace: 'kube-system', labels: { app: 'x' } }, data: {} });
    const w = watchInto(m, { namespace: 'default', labelSelector: 'app=x' });
    await until(() => w.r.status.phase === 'watching');
    expect(w.names()).toEqual(['default/sel-a']);
    m.cluster.store.create('configmaps', { metadata: { name: 'sel-d', namespace: 'default', labels: { app: 'x' } }, data: {} });
    await until(() => w.rows.has('default/sel-d'));
    expect(w.names()).toEqual(['default/sel-a', 'default/sel-d']);
  });

  it('resumes from the last resourceVersion after a clean close (server timeoutSeconds)', async () => {
    const m = fleet.members[0];
    const from = m.server.requestLog.length;
    const w = watchInto(m, { watchTimeoutSeconds: 1 });
    await until(() => w.r.status.phase === 'watching');
    await until(() => m.server.requestLog.slice(from).filter((r) => r.query.includes('watch=true')).length >= 2, 4000, 'a second watch');
    const name = createCm(m);
    await until(() => w.rows.has(`default/${name}`));
    expect(w.r.status.relists).toBe(0);
    expect(m.server.requestLog.slice(from).filter((r) => r.path === '/api/v1/configmaps' && !r.query.includes('watch')).length).toBe(1);
    expect(w.statuses.some((s) => s.phase === 'backoff')).toBe(false);
  });

  it('relists after 410 Gone when history moved past its resourceVersion', async () => {
    const m = fleet.members[0];
    const w = watchInto(m);
    await until(() => w.r.status.phase === 'watching');
    expect(w.r.status.relists).toBe(0);
    await m.server.stop();
    for (let i = 0; i < 40; i++) createCm(m, 'kube-public'); // more than historySize
    const names = storeNames(m);
    m.cluster.store.remove('configmaps', names[0].split('/')[0], names[0].split('/')[1]);
    await m.server.start();
    await until(() => w.r.status.relists >= 1 && w.r.status.phase === 'watching', 8000, 'relist');
    expect(w.names()).toEqual(storeNames(m));
    expect(rowRvs(w.rows)).toEqual(storeRvs(m));
    expect(w.events.filter((e) => e.type === 'replace').length).toBe(2);
  });

  it('survives a server restart: backoff, then a fresh list that replaces the rows, then watching', async () => {
    const m = fleet.members[1];
    const w = watchInto(m);
    await until(() => w.r.status.phase === 'watching');
    const n0 = w.statuses.length;
    const replaces0 = w.events.filter((e) => e.type === 'replace').length;
    await m.server.stop();
    await until(() => w.r.status.phase === 'backoff', 3000, 'backoff');
    expect(w.r.status.error).toMatch(/ECONNREFUSED|ECONNRESET|closed/);
    expect(w.r.status.errorKind).toBe('unreachable');
    const a = createCm(m, 'default');
    const b = createCm(m, 'default');
    m.cluster.store.remove('configmaps', 'default', a);
    await sleep(150);
    await m.server.start();
    await until(() => w.r.status.phase === 'watching' && w.rows.has(`default/${b}`), 5000, 'resume');
    expect(w.rows.has(`default/${a}`)).toBe(false);
    expect(w.names()).toEqual(storeNames(m));
    expect(rowRvs(w.rows)).toEqual(storeRvs(m));
    const phases = w.statuses.slice(n0).map((s) => s.phase);
    expect(phases).toContain('backoff');
    expect(phases.at(-1)).toBe('watching');
    expect(phases.indexOf('backoff')).toBeLessThan(phases.lastIndexOf('watching'));
    // a broken connection is never trusted to resume: the rows come from a new list
    expect(w.r.status.relists).toBeGreaterThanOrEqual(1);
    expect(w.events.filter((e) => e.type === 'replace').length).toBeGreaterThan(replaces0);
    expect(w.r.status.error).toBeUndefined();
    // the backoff grew while the server was down
    const retries = w.statuses.filter((s) => s.phase === 'backoff').map((s) => s.retryInMs!);
    expect(retries.every((x) => x >= 25 && x <= 400)).toBe(true);
  });

  it('a slow cluster does not delay another', async () => {
    const [slow, fast] = fleet.members;
    slow.server.faults.latencyMs = 1500;
    const t0 = Date.now();
    const ws = watchInto(slow);
    const wf = watchInto(fast);
    await until(() => wf.r.status.synced, 1200, 'fast cluster synced');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(ws.r.status.synced).toBe(false);
    await until(() => ws.r.status.synced, 5000, 'slow cluster synced');
    expect(ws.names()).toEqual(storeNames(slow));
    // let the watch request through the delay before stopping: the sim only notices clients
    // that leave once it has started answering
    await until(() => ws.r.status.phase === 'watching', 5000, 'slow cluster watching');
  });

  it('403 Forbidden: backoff with the Status message, then syncs once allowed', async () => {
    const m = fleet.members[1];
    m.cluster.store.create('pods', { metadata: { name: 'p1', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    m.server.faults.forbidden.add('pods');
    const w = watchInto(m, { resource: PODS });
    await until(() => w.r.status.phase === 'backoff', 3000, 'backoff');
    expect(w.r.status.error).toContain('forbidden');
    expect(w.r.status.synced).toBe(false);
    expect(w.r.status.retryInMs).toBeGreaterThan(0);
    await sleep(300);
    m.server.faults.forbidden.delete('pods');
    await until(() => w.r.status.synced && w.r.status.phase === 'watching', 3000, 'synced');
    expect(w.names()).toEqual(storeNames(m, 'pods'));
    expect(w.r.status.error).toBeUndefined();
  });

  it('restarts a silent watch after watchdogMs', async () => {
    const quiet = await startFleet({ clusters: 1, names: ['quiet'], empty: true, cluster: { bookmarkIntervalMs: 600_000 } });
    try {
      const f = path.join(dir, 'quiet');
      quiet.writeKubeconfig(f);
      const m = quiet.members[0];
      const c = new Connection(loadKubeconfig([f]), 'quiet');
      conns.push(c);
      const statuses: ReflectorStatus[] = [];
      const upserts: string[] = [];
      const r = new Reflector<Row>({
        conn: c, resource: CM, transform: toRow, watchdogMs: 250,
        onEvent: (ev) => {
          if (ev.type === 'status') statuses.push(ev.status);
          if (ev.type === 'upsert') upserts.push(ev.item.key);
        },
      });
      running.push(r);
      r.start();
      await until(() => r.status.phase === 'watching');
      const watches = () => m.server.requestLog.filter((x) => x.path === '/api/v1/configmaps' && x.query.includes('watch=true')).length;
      await until(() => watches() >= 4, 3000, 'watch restarts');
      expect(r.status.relists).toBe(0);
      expect(statuses.some((s) => s.phase === 'backoff')).toBe(false);
      // still receiving changes between restarts
      const name = createCm(m);
      await until(() => upserts.includes(`default/${name}`), 3000, 'change after restarts');
      r.stop();
      // no watch left open on the server
      await until(() => m.cluster.store.watcherCount() === 0, 2000, 'watchers gone');
    } finally {
      await quiet.stop();
    }
  });

  it('stop() closes the watch and no event fires after it', async () => {
    const m = fleet.members[0];
    const before = m.cluster.store.watcherCount();
    const w = watchInto(m);
    await until(() => w.r.status.phase === 'watching');
    expect(m.cluster.store.watcherCount()).toBe(before + 1);
    w.r.stop();
    expect(w.r.status.phase).toBe('stopped');
    const n = w.events.length;
    createCm(m);
    await until(() => m.cluster.store.watcherCount() === before, 2000, 'watcher released');
    await sleep(300); // bookmarks, the change above
    expect(w.events.length).toBe(n);

    // stop while listing (slow server) and while in backoff
    m.server.faults.latencyMs = 400;
    const w2 = watchInto(m);
    await sleep(50);
    w2.r.stop();
    m.server.faults.latencyMs = 0;
    m.server.faults.forbidden.add('configmaps');
    const w3 = watchInto(m);
    await until(() => w3.r.status.phase === 'backoff');
    w3.r.stop();
    const n2 = w2.events.length;
    const n3 = w3.events.length;
    m.server.faults.forbidden.clear();
    await sleep(600);
    expect(w2.events.length).toBe(n2);
    expect(w3.events.length).toBe(n3);
    expect(m.cluster.store.watcherCount()).toBe(before);

    // it can start again
    w.r.start();
    await until(() => w.r.status.phase === 'watching');
    expect(w.names()).toEqual(storeNames(m));
  });
});
