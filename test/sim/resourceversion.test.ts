/**
 * resourceVersion semantics of list, get and watch as the apiserver 1.32 (watch cache on)
 * has them: NotOlderThan waits for a store that is behind and then answers 504 "Too large
 * resource version"; Exact lists rebuild the past from history; a plain watch ahead of the
 * store is accepted and hears nothing until the store passes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { until } from '../helpers/wait.js';
import { rawRequest, rawStream } from '../helpers/stream.js';

let fleet: Fleet;
let base: string;
const cluster = () => fleet.members[0].cluster;
const server = () => fleet.members[0].server;
const WAIT = 400;

const cmBody = (name: string, labels: Record<string, string> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: name } });

async function post(ns: string, name: string, labels: Record<string, string> = {}): Promise<any> {
  const r = await rawRequest(`${base}/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: cmBody(name, labels) });
  expect(r.status, r.text).toBe(201);
  return JSON.parse(r.text);
}

async function get(path: string): Promise<{ status: number; json: any; headers: Record<string, any> }> {
  const r = await rawRequest(`${base}${path}`);
  return { status: r.status, json: JSON.parse(r.text), headers: r.headers };
}

const names = (list: any) => list.items.map((o: any) => o.metadata.name);

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, names: ['rv'], empty: true, cluster: { historySize: 60, bookmarkIntervalMs: 100, tooLargeRvWaitMs: WAIT } });
  base = server().url;
});
afterAll(async () => fleet?.stop());

describe('a resourceVersion ahead of the store', () => {
  it('a list waits, then answers 504 Too large resource version with the cause and Retry-After', async () => {
    const cur = cluster().store.rv;
    const t0 = Date.now();
    const r = await get(`/api/v1/namespaces/default/configmaps?resourceVersion=${cur + 1000}`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(WAIT - 20);
    expect(r.status).toBe(504);
    expect(r.headers['retry-after']).toBe('1');
    expect(r.json).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: `Timeout: Too large resource version: ${cur + 1000}, current: ${cur}`, reason: 'Timeout',
      details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
      code: 504,
    });
    // the same with an explicit NotOlderThan, and for a get of one object
    const explicit = await get(`/api/v1/namespaces/default/configmaps?resourceVersion=${cur + 1000}&resourceVersionMatch=NotOlderThan`);
    expect(explicit.status).toBe(504);
    await post('default', 'one');
    const one = await get(`/api/v1/namespaces/default/configmaps/one?resourceVersion=${cluster().store.rv + 5}`);
    expect(one.status).toBe(504);
    expect(one.json.details.causes[0].reason).toBe('ResourceVersionTooLarge');
  });

  it('a list served as soon as the store catches up within the wait', async () => {
    const c = cluster();
    c.tooLargeRvWaitMs = 30_000;
    try {
      const wanted = c.store.rv + 2;
      const from = server().requestLog.length;
      const pending = get(`/api/v1/namespaces/default/configmaps?resourceVersion=${wanted}`);
      const rec = await until('the list to arrive', () => server().requestLog.slice(from).find((x) => x.query.startsWith('resourceVersion=')));
      await post('default', 'catch-up-1');
      expect(rec.status).toBeUndefined();
      await post('default', 'catch-up-2');
      const r = await pending;
      expect(r.status).toBe(200);
      expect(Number(r.json.metadata.resourceVersion)).toBeGreaterThanOrEqual(wanted);
      expect(names(r.json)).toEqual(expect.arrayContaining(['catch-up-1', 'catch-up-2']));
    } finally {
      c.tooLargeRvWaitMs = WAIT;
    }
  });

  it('a list at or below the current RV is served at once (NotOlderThan), RV 0 too', async () => {
    const cur = cluster().store.rv;
    for (const q of [`resourceVersion=${cur}`, `resourceVersion=${cur - 1}`, 'resourceVersion=0', `resourceVersion=${cur}&resourceVersionMatch=NotOlderThan`]) {
      const r = await get(`/api/v1/namespaces/default/configmaps?${q}`);
      expect(r.status, q).toBe(200);
      expect(r.json.metadata.resourceVersion).toBe(String(cur));
    }
  });

  it('a watch ahead of the store is accepted and silent until the store passes its RV; then only later events come', async () => {
    const store = cluster().store;
    const ahead = store.rv + 3;
    const w = rawStream(`${base}/api/v1/namespaces/kube-public/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${ahead}`);
    // a control watch from the current RV: its bookmarks show the bookmark timer has run
    const control = rawStream(`${base}/api/v1/namespaces/kube-public/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${store.rv}`);
    expect(await w.status).toBe(200);
    await control.until('two bookmarks', (evs) => evs.filter((e) => e.type === 'BOOKMARK').length >= 2);
    expect(w.events).toEqual([]);
    for (let i = 1; i <= 5; i++) await post('kube-public', `ahead-${i}`);
    await w.until('ahead-4 and ahead-5', (evs) => evs.filter((e) => e.type === 'ADDED').length >= 2);
    const added = w.events.filter((e) => e.type === 'ADDED');
    expect(added.map((e) => e.object.metadata.name)).toEqual(['ahead-4', 'ahead-5']);
    expect(added.every((e) => Number(e.object.metadata.resourceVersion) > ahead)).toBe(true);
    expect(w.events.filter((e) => e.type === 'BOOKMARK').every((e) => Number(e.object.metadata.resourceVersion) >= ahead)).toBe(true);
    w.close();
    control.close();
  });

  it('a watch-list (sendInitialEvents) ahead of the store waits, then sends one ERROR event with the 504 Status and ends', async () => {
    const cur = cluster().store.rv;
    const t0 = Date.now();
    const w = rawStream(`${base}/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=${cur + 100}`);
    expect(await w.status).toBe(200);
    expect((await w.ended).clean).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(WAIT - 20);
    expect(w.events).toEqual([{
      type: 'ERROR',
      object: {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Timeout: Too large resource version: ${cur + 100}, current: ${cur}`,
        reason: 'Timeout', details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 }, code: 504,
      },
    }]);
    // at or below the current RV the watch-list sends the state and the end bookmark
    const ok = rawStream(`${base}/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=${cur}`);
    await ok.until('the initial-events-end bookmark', (evs) => evs.some((e) => e.object.metadata.annotations?.['k8s.io/initial-events-end'] === 'true'));
    ok.close();
  });

  it('a watch from an old RV still gets 410 Expired', async () => {
    const old = cluster().store.rv;
    for (let i = 0; i < 65; i++) await post('kube-node-lease', `flood-${i}`);
    const w = rawStream(`${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${old}`);
    expect(await w.status).toBe(200);
    await w.ended;
    expect(w.events).toHaveLength(1);
    expect(w.events[0].object).toMatchObject({ reason: 'Expired', code: 410 });
  });
});

describe('Exact lists', () => {
  it('resourceVersionMatch=Exact lists the state at that RV; a limit with an RV (no match) does too, paged', async () => {
    await post('kube-system', 'ex-a', { v: '1' });
    await post('kube-system', 'ex-b');
    const then = (await get('/api/v1/namespaces/kube-system/configmaps')).json;
    const r = await rawRequest(`${base}/api/v1/namespaces/kube-system/configmaps/ex-a`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { v: '2' } } }),
    });
    expect(r.status).toBe(200);
    expect((await rawRequest(`${base}/api/v1/namespaces/kube-system/configmaps/ex-b`, { method: 'DELETE' })).status).toBe(200);
    await post('kube-system', 'ex-c');
    const rv = then.metadata.resourceVersion;

    const exact = (await get(`/api/v1/namespaces/kube-system/configmaps?resourceVersion=${rv}&resourceVersionMatch=Exact`)).json;
    expect(exact.metadata.resourceVersion).toBe(rv);
    expect(exact.items).toEqual(then.items);
    expect(exact.items.find((o: any) => o.metadata.name === 'ex-a').metadata.labels).toEqual({ v: '1' });

    const now = (await get(`/api/v1/namespaces/kube-system/configmaps?resourceVersion=${rv}`)).json;
    expect(names(now)).toEqual(['ex-a', 'ex-c']);

    const page1 = (await get(`/api/v1/namespaces/kube-system/configmaps?resourceVersion=${rv}&limit=1`)).json;
    expect(page1.metadata.resourceVersion).toBe(rv);
    expect(names(page1)).toEqual(['ex-a']);
    expect(page1.items[0].metadata.labels).toEqual({ v: '1' });
    const page2 = (await get(`/api/v1/namespaces/kube-system/configmaps?limit=1&continue=${encodeURIComponent(page1.metadata.continue)}`)).json;
    expect(page2.metadata.resourceVersion).toBe(rv);
    expect(names(page2)).toEqual(['ex-b']);
    expect(page2.metadata.continue).toBeUndefined();
  });

  it('an Exact RV ahead of the store is etcd\'s future-revision error, a 500 without a reason', async () => {
    const cur = cluster().store.rv;
    for (const q of [`resourceVersion=${cur + 1}&resourceVersionMatch=Exact`, `resourceVersion=${cur + 1}&limit=10`]) {
      const r = await get(`/api/v1/namespaces/default/configmaps?${q}`);
      expect(r.status, q).toBe(500);
      expect(r.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: mvcc: required revision is a future revision', code: 500 });
    }
  });

  it('an Exact RV older than the kept history is 410 Expired', async () => {
    const old = cluster().store.rv;
    for (let i = 0; i < 65; i++) await post('kube-node-lease', `old-${i}`);
    const r = await get(`/api/v1/namespaces/default/configmaps?resourceVersion=${old}&resourceVersionMatch=Exact`);
    expect(r.status).toBe(410);
    expect(r.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'The resourceVersion for the provided list is too old.', reason: 'Expired', code: 410 });
  });
});

describe('ListOptions validation', () => {
  it('answers misused resourceVersionMatch and continue as the apiserver does', async () => {
    const bad = async (q: string) => {
      const r = await get(`/api/v1/namespaces/default/configmaps?${q}`);
      expect(r.status, q).toBe(422);
      expect(r.json.reason).toBe('Invalid');
      return r.json.message;
    };
    expect(await bad('resourceVersionMatch=NotOlderThan')).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    expect(await bad('resourceVersion=0&resourceVersionMatch=Exact')).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    expect(await bad('resourceVersion=5&resourceVersionMatch=Newest')).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""');
    expect(await bad('watch=true&resourceVersion=5&resourceVersionMatch=NotOlderThan')).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
    expect(await bad('watch=true&sendInitialEvents=true&allowWatchBookmarks=true')).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    const cont = await get('/api/v1/namespaces/default/configmaps?resourceVersion=5&continue=abc');
    expect(cont.status).toBe(400);
    expect(cont.json.message).toBe('specifying resource version is not allowed when using continue');
  });
});
