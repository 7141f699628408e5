import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { request, watch } from '../helpers/http.js';

let fleet: Fleet;
let base: string;

const cm = (name: string, labels: Record<string, string> = {}) => JSON.stringify({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: name },
});

async function create(ns: string, name: string, labels: Record<string, string> = {}) {
  const r = await request(`${base}/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: cm(name, labels) });
  expect(r.status).toBe(201);
  return r.json();
}

async function patchLabels(ns: string, name: string, labels: Record<string, string | null>) {
  const r = await request(`${base}/api/v1/namespaces/${ns}/configmaps/${name}`, {
    method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels } }),
  });
  expect(r.status).toBe(200);
  return r.json();
}

async function del(ns: string, name: string) {
  const r = await request(`${base}/api/v1/namespaces/${ns}/configmaps/${name}`, { method: 'DELETE' });
  expect(r.status).toBe(200);
}

async function listRv(path: string): Promise<string> {
  const r = await request(`${base}${path}`);
  expect(r.status).toBe(200);
  return r.json().metadata.resourceVersion;
}

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, names: ['w'], empty: true, cluster: { historySize: 40, bookmarkIntervalMs: 150 } });
  base = fleet.members[0].server.url;
});
afterAll(async () => fleet?.stop());

describe('watch', () => {
  it('delivers every change after the list RV, in order, with kinds and new RVs on DELETED', async () => {
    const rv = await listRv('/api/v1/namespaces/default/configmaps');
    const w = watch(`${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`);
    expect(await w.status).toBe(200);
    await create('default', 'a1');
    await patchLabels('default', 'a1', { x: '1' });
    await del('default', 'a1');
    const evs = await w.waitFor(3);
    w.close();
    expect(evs.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(evs.every((e) => e.object.kind === 'ConfigMap' && e.object.apiVersion === 'v1')).toBe(true);
    const rvs = evs.map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs[0]).toBeLessThan(rvs[1]);
    expect(rvs[1]).toBeLessThan(rvs[2]);
  });

  it('?watch= is a bool as the apiserver reads one: True (the Python client) and 1 watch; f, False and 0 list', async () => {
    await create('default', 'b1');
    for (const v of ['True', '1', 't']) {
      const w = watch(`${base}/api/v1/namespaces/default/configmaps?watch=${v}&fieldSelector=metadata.name%3Db1`);
      const [ev] = await w.waitFor(1);
      w.close();
      expect([ev.type, ev.object.metadata.name], v).toEqual(['ADDED', 'b1']);
    }
    for (const v of ['f', 'False', '0']) expect((await request(`${base}/api/v1/namespaces/default/configmaps?watch=${v}`)).json().kind, v).toBe('ConfigMapList');
    await del('default', 'b1');
  });

  it('resumes from a resourceVersion without losing or repeating an event', async () => {
    const w1 = watch(`${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${await listRv('/api/v1/namespaces/default/configmaps')}`);
    await w1.status;
    await create('default', 'r1');
    await create('default', 'r2');
    const first = await w1.waitFor(2);
    w1.close();
    const lastRv = first[1].object.metadata.resourceVersion;
    // changes while nobody watches
    await create('default', 'r3');
    await patchLabels('default', 'r2', { y: '2' });
    const w2 = watch(`${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${lastRv}`);
    const second = await w2.waitFor(2);
    await create('default', 'r4');
    await w2.waitFor(3);
    w2.close();
    expect(second.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'r3'], ['MODIFIED', 'r2'], ['ADDED', 'r4']]);
  });

  it('answers a too-old resourceVersion with one 410 Expired ERROR event and closes; a relist then works', async () => {
    const old = await listRv('/api/v1/namespaces/default/configmaps');
    for (let i = 0; i < 45; i++) await create('default', `flood-${i}`);
    const w = watch(`${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${old}`);
    expect(await w.status).toBe(200);
    await w.ended;
    expect(w.events).toHaveLength(1);
    expect(w.events[0].type).toBe('ERROR');
    expect(w.events[0].object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(w.events[0].object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    const list = (await request(`${base}/api/v1/namespaces/default/configmaps`)).json();
    expect(list.items.filter((x: any) => x.metadata.name.startsWith('flood-'))).toHaveLength(45);
    const w2 = watch(`${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
    await create('default', 'after-relist');
    expect((await w2.waitFor(1))[0].object.metadata.name).toBe('after-relist');
    w2.close();
  });

  it('sends BOOKMARK events when asked, carrying a resumable RV', async () => {
    const rv = await listRv('/api/v1/namespaces/kube-system/configmaps');
    const w = watch(`${base}/api/v1/namespaces/kube-system/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`);
    const bm = await w.until((e) => e.type === 'BOOKMARK', 3000);
    w.close();
    expect(bm.object.kind).toBe('ConfigMap');
    expect(Number(bm.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(rv));
    const plain = watch(`${base}/api/v1/namespaces/kube-system/configmaps?watch=true&resourceVersion=${rv}`);
    await new Promise((r) => setTimeout(r, 500));
    plain.close();
    expect(plain.events.filter((e) => e.type === 'BOOKMARK')).toHaveLength(0);
  });

  it('watch-list: sendInitialEvents gives the current state then the initial-events-end bookmark', async () => {
    await create('kube-public', 'wl-1');
    await create('kube-public', 'wl-2');
    const w = watch(`${base}/api/v1/namespaces/kube-public/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`);
    const end = await w.until((e) => e.type === 'BOOKMARK' && e.object.metadata.annotations?.['k8s.io/initial-events-end'] === 'true');
    const before = w.events.slice(0, w.events.indexOf(end));
    expect(before.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'wl-1'], ['ADDED', 'wl-2']]);
    w.close();
  });

  it('closes cleanly at timeoutSeconds', async () => {
    const t0 = Date.now();
    const w = watch(`${base}/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1&resourceVersion=${await listRv('/api/v1/namespaces/default/configmaps')}`);
    await w.ended;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('with a label selector, an object leaving the selection arrives as DELETED and entering as ADDED', async () => {
    await create('default', 'sel-1', { tier: 'web' });
    const rv = await listRv('/api/v1/namespaces/default/configmaps?labelSelector=tier%3Dweb');
    const w = watch(`${base}/api/v1/namespaces/default/configmaps?watch=true&labelSelector=tier%3Dweb&resourceVersion=${rv}`);
    await w.status;
    await patchLabels('default', 'sel-1', { tier: 'db' });
    await patchLabels('default', 'sel-1', { tier: 'web' });
    await create('default', 'sel-other', { tier: 'db' });
    const evs = await w.waitFor(2);
    await new Promise((r) => setTimeout(r, 200));
    w.close();
    expect(evs.map((e) => [e.type, e.object.metadata.name])).toEqual([['DELETED', 'sel-1'], ['ADDED', 'sel-1']]);
  });

  it('resourceVersion=0 or unset starts with synthetic ADDED events for the current state', async () => {
    const w = watch(`${base}/api/v1/namespaces/kube-public/configmaps?watch=true`);
    const evs = await w.waitFor(2);
    w.close();
    expect(evs.slice(0, 2).every((e) => e.type === 'ADDED')).toBe(true);
  });

  it('ends watches when the server stops, and serves again after a restart on the same port', async () => {
    const srv = fleet.members[0].server;
    const port = srv.port;
    const w = watch(`${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${await listRv('/api/v1/namespaces/default/configmaps')}`);
    await w.status;
    await srv.stop();
    await w.ended;
    await expect(request(`${base}/version`)).rejects.toThrow();
    await srv.start();
    expect(srv.port).toBe(port);
    expect((await request(`${base}/version`)).json().minor).toBe('32');
  });
});

describe('list', () => {
  it('paginates with limit and continue over a consistent snapshot', async () => {
    for (let i = 0; i < 25; i++) await create('kube-node-lease', `page-${String(i).padStart(2, '0')}`);
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    let firstRv = '';
    do {
      const r = (await request(`${base}/api/v1/namespaces/kube-node-lease/configmaps?limit=10${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`)).json();
      if (!firstRv) firstRv = r.metadata.resourceVersion;
      expect(r.metadata.resourceVersion).toBe(firstRv);
      names.push(...r.items.map((x: any) => x.metadata.name));
      cont = r.metadata.continue ?? '';
      pages++;
      // a write between pages must not show up in this list
      if (pages === 1) await create('kube-node-lease', 'page-zz-late');
    } while (cont);
    expect(pages).toBe(3);
    expect(names).toEqual(Array.from({ length: 25 }, (_, i) => `page-${String(i).padStart(2, '0')}`));
  });

  it('a bad continue token is a 400, an unknown snapshot a 410', async () => {
    const bad = await request(`${base}/api/v1/configmaps?limit=5&continue=%%%`);
    expect(bad.status).toBe(400);
    const gone = await request(`${base}/api/v1/configmaps?limit=5&continue=${Buffer.from(JSON.stringify({ s: 'nope', o: 5 })).toString('base64url')}`);
    expect(gone.status).toBe(410);
    expect(gone.json().reason).toBe('Expired');
  });

  it('filters by label and field selectors and rejects bad ones with 400', async () => {
    await create('default', 'lf-1', { app: 'web', env: 'prod' });
    await create('default', 'lf-2', { app: 'web', env: 'dev' });
    await create('default', 'lf-3', { app: 'db' });
    const q = async (s: string) => (await request(`${base}/api/v1/namespaces/default/configmaps?${s}`)).json().items.map((x: any) => x.metadata.name).filter((n: string) => n.startsWith('lf-'));
    expect(await q('labelSelector=app%3Dweb')).toEqual(['lf-1', 'lf-2']);
    expect(await q('labelSelector=app%3Dweb,env!%3Ddev')).toEqual(['lf-1']);
    expect(await q('labelSelector=env%20in%20(dev,qa)')).toEqual(['lf-2']);
    expect(await q('labelSelector=!env')).toEqual(['lf-3']);
    expect(await q('labelSelector=env')).toEqual(['lf-1', 'lf-2']);
    expect(await q('fieldSelector=metadata.name%3Dlf-3')).toEqual(['lf-3']);
    expect(await q('fieldSelector=metadata.name!%3Dlf-3&labelSelector=app')).toEqual(['lf-1', 'lf-2']);
    expect((await request(`${base}/api/v1/configmaps?labelSelector=a%20in%20(`)).status).toBe(400);
    const badField = await request(`${base}/api/v1/configmaps?fieldSelector=spec.nope%3D1`);
    expect(badField.status).toBe(400);
    expect(badField.json().message).toBe('field label not supported: spec.nope');
  });
});

describe('API shapes', () => {
  it('answers aggregated discovery with the exact content type, and the legacy documents', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const agg = await request(`${base}/apis`, { headers: { Accept: accept } });
    expect(agg.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(agg.json().items.map((g: any) => g.metadata.name)).toEqual(expect.arrayContaining(['apps', 'batch', 'policy', 'coordination.k8s.io', 'metrics.k8s.io']));
    const legacy = (await request(`${base}/api/v1`)).json();
    expect(legacy.resources).toContainEqual(expect.objectContaining({ name: 'pods/eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] }));
    expect((await request(`${base}/apis`)).json().kind).toBe('APIGroupList');
    expect((await request(`${base}/api`)).json().kind).toBe('APIVersions');
  });

  it('answers errors in the Status shape', async () => {
    const r = await request(`${base}/api/v1/namespaces/default/pods/nope`);
    expect(r.status).toBe(404);
    expect(r.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'pods' }, code: 404 });
    const d = await request(`${base}/apis/apps/v1/namespaces/default/deployments/nope`);
    expect(d.json().message).toBe('deployments.apps "nope" not found');
    await create('default', 'dup');
    const dup = await request(`${base}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: cm('dup') });
    expect(dup.status).toBe(409);
    expect(dup.json().reason).toBe('AlreadyExists');
    const stale = await request(`${base}/api/v1/namespaces/default/configmaps/dup`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup', resourceVersion: '1' }, data: {} }),
    });
    expect(stale.status).toBe(409);
    expect(stale.json().reason).toBe('Conflict');
  });

  it('serves a Table when asked, with column definitions and partial object metadata', async () => {
    const r = await request(`${base}/api/v1/namespaces/default/configmaps?limit=3`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    const t = r.json();
    expect(t.kind).toBe('Table');
    expect(t.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(t.rows[0].object.kind).toBe('PartialObjectMetadata');
    expect(t.rows).toHaveLength(3);
  });
});
