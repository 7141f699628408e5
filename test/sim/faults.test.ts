/**
 * Fault injection over HTTP: every fault the sim offers, set from the test (SimServer.faults)
 * and over the admin endpoint, as a client sees it on the wire.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import type { SimServer } from '../../src/sim/server.js';
import { until, untilAsync } from '../helpers/wait.js';
import { rawRequest, rawStream, simAdmin } from '../helpers/stream.js';

let fleet: Fleet;
let base: string;
const srv = (): SimServer => fleet.members[0].server;
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

const cm = (name: string, labels: Record<string, string> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: name } });

async function create(ns: string, name: string): Promise<any> {
  const r = await rawRequest(`${base}/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: cm(name) });
  expect(r.status, r.text).toBe(201);
  return JSON.parse(r.text);
}

const listRv = async (path: string) => JSON.parse((await rawRequest(`${base}${path}`)).text).metadata.resourceVersion as string;

/** The request log entry of the first request to `path` from `from` on, once the server has it. */
const logged = (path: string, from: number) => until(`the server to receive ${path}`, () => srv().requestLog.slice(from).find((r) => r.path === path));

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, names: ['f'], empty: true });
  base = srv().url;
  for (const ns of ['web', 'db']) {
    const r = await rawRequest(`${base}/api/v1/namespaces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: ns } }) });
    expect(r.status).toBe(201);
  }
  await create('web', 'w1');
  await create('db', 'd1');
});
afterAll(async () => fleet?.stop());
afterEach(() => {
  srv().faults.clear();
  srv().dropWatches();
});

describe('401 and 403', () => {
  it('a 401 rule without a resource answers every request exactly as the apiserver does', async () => {
    srv().faults.deny.push({ code: 401 });
    for (const path of ['/version', '/api', '/apis', '/api/v1/namespaces/web/configmaps', '/api/v1/nodes', '/api/v1/namespaces/web/configmaps?watch=true']) {
      const r = await rawRequest(`${base}${path}`);
      expect(r.status, path).toBe(401);
      expect(r.text, path).toBe('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}');
    }
    srv().faults.clear();
    expect((await rawRequest(`${base}/version`)).status).toBe(200);
  });

  it('a 401 for one namespace leaves the others and discovery alone', async () => {
    srv().faults.deny.push({ code: 401, namespace: 'web' });
    expect((await rawRequest(`${base}/api/v1/namespaces/web/configmaps`)).status).toBe(401);
    expect((await rawRequest(`${base}/api/v1/namespaces/db/configmaps`)).status).toBe(200);
    expect((await rawRequest(`${base}/api`)).status).toBe(200);
  });

  it('403 for pods in one namespace: RBAC\'s messages for a namespaced list, a named get, a subresource, and the cluster-wide list', async () => {
    srv().faults.deny.push({ code: 403, resource: 'configmaps', namespace: 'web' });
    const list = await rawRequest(`${base}/api/v1/namespaces/web/configmaps`);
    expect(list.status).toBe(403);
    expect(list.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(list.text)).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'configmaps is forbidden: User "admin" cannot list resource "configmaps" in API group "" in the namespace "web"',
      reason: 'Forbidden', details: { kind: 'configmaps' }, code: 403,
    });
    const get = JSON.parse((await rawRequest(`${base}/api/v1/namespaces/web/configmaps/w1`)).text);
    expect(get.message).toBe('configmaps "w1" is forbidden: User "admin" cannot get resource "configmaps" in API group "" in the namespace "web"');
    expect(get.details).toEqual({ name: 'w1', kind: 'configmaps' });
    const watch = JSON.parse((await rawRequest(`${base}/api/v1/namespaces/web/configmaps?watch=true`)).text);
    expect(watch.message).toBe('configmaps is forbidden: User "admin" cannot watch resource "configmaps" in API group "" in the namespace "web"');
    // listing every namespace needs the permission everywhere: forbidden at the cluster scope
    const all = await rawRequest(`${base}/api/v1/configmaps`);
    expect(all.status).toBe(403);
    expect(JSON.parse(all.text).message).toBe('configmaps is forbidden: User "admin" cannot list resource "configmaps" in API group "" at the cluster scope');
    // other namespaces, other resources and cluster-scoped resources are untouched
    expect((await rawRequest(`${base}/api/v1/namespaces/db/configmaps`)).status).toBe(200);
    expect((await rawRequest(`${base}/api/v1/namespaces/web/secrets`)).status).toBe(200);
    expect((await rawRequest(`${base}/api/v1/namespaces`)).status).toBe(200);
  });

  it('403 names the group, the user and the subresource; verbs narrow a rule', async () => {
    srv().faults.deny.push({ code: 403, resource: 'deployments.apps', verbs: ['delete'], user: 'viewer' });
    srv().faults.deny.push({ code: 403, resource: 'pods/log' });
    expect((await rawRequest(`${base}/apis/apps/v1/namespaces/web/deployments`)).status).toBe(200);
    const del = JSON.parse((await rawRequest(`${base}/apis/apps/v1/namespaces/web/deployments/d`, { method: 'DELETE' })).text);
    expect(del).toMatchObject({
      code: 403, reason: 'Forbidden', details: { name: 'd', group: 'apps', kind: 'deployments' },
      message: 'deployments.apps "d" is forbidden: User "viewer" cannot delete resource "deployments" in API group "apps" in the namespace "web"',
    });
    const log = JSON.parse((await rawRequest(`${base}/api/v1/namespaces/web/pods/p/log`)).text);
    expect(log.message).toBe('pods "p" is forbidden: User "admin" cannot get resource "pods/log" in API group "" in the namespace "web"');
    // the pod itself is not covered by a rule for its subresource (and does not exist)
    expect((await rawRequest(`${base}/api/v1/namespaces/web/pods/p`)).status).toBe(404);
  });

  it('exec, attach and portforward upgrades get the 403 before the upgrade', async () => {
    const upgrade = { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    // no rule: the pod does not exist
    expect((await rawRequest(`${base}/api/v1/namespaces/web/pods/p/exec?command=sh&stdout=true`, { headers: upgrade })).status).toBe(404);
    srv().faults.deny.push({ code: 403, resource: 'pods/exec', namespace: 'web' });
    const r = await rawRequest(`${base}/api/v1/namespaces/web/pods/p/exec?command=sh&stdout=true`, { headers: upgrade });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text).message).toBe('pods "p" is forbidden: User "admin" cannot create resource "pods/exec" in API group "" in the namespace "web"');
  });

  it('the older forbidden set still forbids a type everywhere', async () => {
    srv().faults.forbidden.add('configmaps');
    const r = JSON.parse((await rawRequest(`${base}/api/v1/namespaces/db/configmaps`)).text);
    expect(r.message).toBe('configmaps is forbidden: User "admin" cannot list resource "configmaps" in API group "" in the namespace "db"');
    srv().faults.forbidden.delete('configmaps');
    expect((await rawRequest(`${base}/api/v1/namespaces/db/configmaps`)).status).toBe(200);
  });
});

describe('429, 500 and 503', () => {
  it('429 as the max-in-flight filter answers: plain text and Retry-After, for `count` requests', async () => {
    srv().faults.errors.push({ code: 429, count: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await rawRequest(`${base}/api/v1/namespaces/web/configmaps`);
      expect(r.status).toBe(429);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.text).toBe('Too many requests, please try again later.\n');
    }
    expect((await rawRequest(`${base}/api/v1/namespaces/web/configmaps`)).status).toBe(200);
    expect(srv().faults.errors).toEqual([]);
  });

  it('429 as a Status carries details.retryAfterSeconds and the header', async () => {
    srv().faults.errors.push({ code: 429, body: 'status', retryAfterSeconds: 3, message: 'storage is (re)initializing' });
    const r = await rawRequest(`${base}/api/v1/namespaces/web/configmaps`);
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('3');
    expect(JSON.parse(r.text)).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'storage is (re)initializing', reason: 'TooManyRequests',
      details: { retryAfterSeconds: 3 }, code: 429,
    });
  });

  it('500 and 503 in the apiserver\'s Status shapes, for one resource only', async () => {
    srv().faults.errors.push({ code: 500, resource: 'configmaps', message: 'etcdserver: request timed out' });
    srv().faults.errors.push({ code: 503, resource: 'secrets' });
    const r500 = await rawRequest(`${base}/api/v1/configmaps`);
    expect(r500.status).toBe(500);
    expect(JSON.parse(r500.text)).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Internal error occurred: etcdserver: request timed out',
      reason: 'InternalError', details: { causes: [{ message: 'etcdserver: request timed out' }] }, code: 500,
    });
    const r503 = await rawRequest(`${base}/api/v1/namespaces/db/secrets`);
    expect(r503.status).toBe(503);
    expect(JSON.parse(r503.text)).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server is currently unable to handle the request',
      reason: 'ServiceUnavailable', code: 503,
    });
    expect((await rawRequest(`${base}/api/v1/namespaces`)).status).toBe(200);
    expect((await rawRequest(`${base}/version`)).status).toBe(200);
  });

  it('a 503 for every request reaches discovery and /version too; text bodies on request', async () => {
    srv().faults.errors.push({ code: 503, body: 'text' });
    for (const path of ['/version', '/apis', '/api/v1/pods']) {
      const r = await rawRequest(`${base}${path}`);
      expect(r.status, path).toBe(503);
      expect(r.text).toBe('service unavailable\n');
    }
  });

  it('a fraction fails some requests and not others', async () => {
    srv().faults.errors.push({ code: 500, fraction: 0.5, resource: 'namespaces' });
    const codes = [];
    for (let i = 0; i < 120; i++) codes.push((await rawRequest(`${base}/api/v1/namespaces`)).status);
    const failed = codes.filter((c) => c === 500).length;
    expect(codes.every((c) => c === 200 || c === 500)).toBe(true);
    // binomial(120, 0.5): outside 25..95 has a probability far below 1e-9
    expect(failed).toBeGreaterThan(25);
    expect(failed).toBeLessThan(95);
  });
});

describe('truncation', () => {
  it('cuts a list in the middle of an object and destroys the connection, once', async () => {
    for (let i = 0; i < 5; i++) await create('db', `t-${i}`);
    srv().faults.truncate.push({ resource: 'configmaps', verbs: ['list'], count: 1 });
    const cut = await rawRequest(`${base}/api/v1/namespaces/db/configmaps`);
    expect(cut.status).toBe(200);
    expect(cut.complete).toBe(false);
    expect(cut.text.length).toBeGreaterThan(10);
    expect(() => JSON.parse(cut.text)).toThrow();
    // cut inside the items, not between them
    expect(cut.text).toContain('"items":[{');
    expect(cut.text.endsWith('}') || cut.text.endsWith(',')).toBe(false);
    const whole = await rawRequest(`${base}/api/v1/namespaces/db/configmaps`);
    expect(whole.complete).toBe(true);
    expect(JSON.parse(whole.text).items).toHaveLength(6);
    // the same state, so the cut body is the beginning of the whole one
    expect(whole.text.startsWith(cut.text)).toBe(true);
  });

  it('afterBytes sets where the cut falls, for Tables too', async () => {
    srv().faults.truncate.push({ resource: 'configmaps', afterBytes: 40, count: 1 });
    const cut = await rawRequest(`${base}/api/v1/namespaces/db/configmaps`, { headers: { Accept: TABLE } });
    expect(cut.complete).toBe(false);
    expect(Buffer.byteLength(cut.text)).toBe(40);
    const whole = await rawRequest(`${base}/api/v1/namespaces/db/configmaps`, { headers: { Accept: TABLE } });
    expect(JSON.parse(whole.text).kind).toBe('Table');
    expect(cut.text).toBe(whole.text.slice(0, 40));
  });

  it('cuts a watch stream after N whole events, in the middle of the next', async () => {
    const rv = await listRv('/api/v1/namespaces/web/configmaps');
    srv().faults.truncate.push({ resource: 'configmaps', verbs: ['watch'], afterEvents: 1, count: 1 });
    const w = rawStream(`${base}/api/v1/namespaces/web/configmaps?watch=true&resourceVersion=${rv}`);
    expect(await w.status).toBe(200);
    await create('web', 'tw-1');
    await create('web', 'tw-2');
    const end = await w.ended;
    expect(end.clean).toBe(false);
    expect(w.events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'tw-1']]);
    expect(w.rest().startsWith('{"type":"ADDED","object":{')).toBe(true);
    expect(() => JSON.parse(w.rest())).toThrow();
    // the rule is used up: the next watch is whole
    expect(srv().faults.truncate).toEqual([]);
    const w2 = rawStream(`${base}/api/v1/namespaces/web/configmaps?watch=true&resourceVersion=${rv}`);
    await w2.until('both events', (evs) => evs.length === 2);
    w2.close();
  });
});

describe('stalls, dropped watches and latency', () => {
  it('a stalled server receives requests and answers none until the stall ends; the admin endpoint still answers', async () => {
    srv().stall(120_000);
    const from = srv().requestLog.length;
    const pending = rawRequest(`${base}/api/v1/namespaces/web/configmaps`);
    let settled = false;
    void pending.then(() => (settled = true));
    const rec = await logged('/api/v1/namespaces/web/configmaps', from);
    const state = await simAdmin(base, 'GET', '/faults');
    expect(state.status).toBe(200);
    expect(state.json.stalledForMs).toBeGreaterThan(60_000);
    expect(rec.status).toBeUndefined();
    expect(settled).toBe(false);
    await simAdmin(base, 'DELETE', '/faults');
    const r = await pending;
    expect(r.status).toBe(200);
    expect(rec.status).toBe(200);
  });

  it('a timed stall ends by itself', async () => {
    const t0 = Date.now();
    await simAdmin(base, 'POST', '/faults', { stallSeconds: 0.6 });
    const r = await rawRequest(`${base}/version`);
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
  });

  it('open watches go silent during a stall and catch up after it', async () => {
    const rv = await listRv('/api/v1/namespaces/db/configmaps');
    const w = rawStream(`${base}/api/v1/namespaces/db/configmaps?watch=true&resourceVersion=${rv}`);
    expect(await w.status).toBe(200);
    srv().stall(120_000);
    const store = fleet.members[0].cluster.store;
    store.create('configmaps', { metadata: { name: 'during-stall', namespace: 'db' }, data: {} });
    // two round trips to the admin endpoint: time for a (wrong) write to reach the client
    await simAdmin(base, 'GET', '/faults');
    await simAdmin(base, 'GET', '/faults');
    expect(w.events).toEqual([]);
    srv().stall(0);
    await w.until('the event held by the stall', (evs) => evs.some((e) => e.object.metadata.name === 'during-stall'));
    w.close();
  });

  it('drops every open watch with a destroyed connection, or closes them cleanly', async () => {
    const rv = await listRv('/api/v1/namespaces/web/configmaps');
    const a = rawStream(`${base}/api/v1/namespaces/web/configmaps?watch=true&resourceVersion=${rv}`);
    const b = rawStream(`${base}/api/v1/namespaces/db/configmaps?watch=true&resourceVersion=${rv}`);
    await a.status;
    await b.status;
    await until('two watches', () => srv().watchCount('configmaps') === 2);
    const dropped = await simAdmin(base, 'POST', '/watches/drop');
    expect(dropped.json).toEqual({ dropped: 2 });
    expect((await a.ended).clean).toBe(false);
    expect((await b.ended).clean).toBe(false);
    expect(srv().watchCount()).toBe(0);

    const c = rawStream(`${base}/api/v1/namespaces/web/configmaps?watch=true&resourceVersion=${rv}`);
    await c.status;
    await until('one watch', () => srv().watchCount() === 1);
    expect(srv().dropWatches({ clean: true })).toBe(1);
    expect((await c.ended).clean).toBe(true);
  });

  it('a delay rule holds the requests it matches (here the later pages of a list) until its time, a release or a clear', async () => {
    await create('web', 'w2');
    const put = await simAdmin(base, 'PUT', '/faults', { delays: [{ resource: 'configmaps', verbs: ['list'], continued: true, ms: 120_000 }] });
    expect(put.json).toMatchObject({ delays: [{ resource: 'configmaps', continued: true, ms: 120_000 }], heldRequests: 0 });
    // the first page is not held
    const t0 = Date.now();
    const first = await rawRequest(`${base}/api/v1/namespaces/web/configmaps?limit=1`);
    expect(first.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(60_000);
    const cont = JSON.parse(first.text).metadata.continue as string;
    expect(cont).toBeTruthy();
    // the next one is, until released
    const path = '/api/v1/namespaces/web/configmaps';
    for (const release of [() => simAdmin(base, 'POST', '/delays/release'), () => simAdmin(base, 'DELETE', '/faults')]) {
      const from = srv().requestLog.length;
      const pending = rawRequest(`${base}${path}?limit=1&continue=${cont}`);
      let settled = false;
      void pending.then(() => (settled = true));
      const rec = await logged(path, from);
      await untilAsync('the page held', async () => (await simAdmin(base, 'GET', '/faults')).json.heldRequests === 1);
      expect(settled).toBe(false);
      expect(rec.status).toBeUndefined();
      const r = await release();
      if (r.json.released !== undefined) expect(r.json).toEqual({ released: 1 });
      const page = await pending;
      expect(page.status).toBe(200);
      expect(JSON.parse(page.text).items).toHaveLength(1);
    }
    // a timed delay: that long
    srv().faults.delays.push({ namespace: 'db', ms: 400 });
    const t1 = Date.now();
    expect((await rawRequest(`${base}/api/v1/namespaces/db/configmaps`)).status).toBe(200);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(380);
    // bad rules are refused
    expect((await simAdmin(base, 'POST', '/faults', { delays: [{ ms: -1 }] })).status).toBe(400);
    expect((await simAdmin(base, 'POST', '/faults', { delays: [{ ms: 5, continued: 'yes' }] })).status).toBe(400);
  });

  it('latency delays every answer', async () => {
    await simAdmin(base, 'PUT', '/faults', { latencyMs: 400 });
    const t0 = Date.now();
    expect((await rawRequest(`${base}/api/v1/namespaces`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
  });
});

describe('the admin endpoint', () => {
  it('GET shows the faults, PUT replaces them, POST adds to them, DELETE clears them; none of it is logged', async () => {
    const from = srv().requestLog.length;
    const put = await simAdmin(base, 'PUT', '/faults', { latencyMs: 5, deny: [{ code: 403, resource: 'secrets', namespace: 'web' }] });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ latencyMs: 5, deny: [{ code: 403, resource: 'secrets', namespace: 'web' }], errors: [], truncate: [], stalledForMs: 0 });
    const post = await simAdmin(base, 'POST', '/faults', { errors: [{ code: 500, resource: 'configmaps', count: 1 }], forbidden: ['services'] });
    expect(post.json).toMatchObject({ latencyMs: 5, forbidden: ['services'], deny: [{ code: 403 }], errors: [{ code: 500, count: 1 }] });
    expect((await rawRequest(`${base}/api/v1/namespaces/web/secrets`)).status).toBe(403);
    expect((await rawRequest(`${base}/api/v1/namespaces/web/services`)).status).toBe(403);
    expect((await rawRequest(`${base}/api/v1/namespaces/web/configmaps`)).status).toBe(500);
    const replaced = await simAdmin(base, 'PUT', '/faults', { errors: [{ code: 503, resource: 'pods' }] });
    expect(replaced.json).toMatchObject({ latencyMs: 0, forbidden: [], deny: [], errors: [{ code: 503, resource: 'pods' }] });
    expect((await rawRequest(`${base}/api/v1/namespaces/web/secrets`)).status).toBe(200);
    const cleared = await simAdmin(base, 'DELETE', '/faults');
    expect(cleared.json).toMatchObject({ latencyMs: 0, forbidden: [], deny: [], errors: [], truncate: [] });
    expect((await rawRequest(`${base}/api/v1/namespaces/web/pods`)).status).toBe(200);
    expect(srv().requestLog.slice(from).filter((r) => r.path.startsWith('/_sim'))).toEqual([]);
    const overview = await simAdmin(base, 'GET', '');
    expect(overview.json).toMatchObject({ cluster: 'f', watches: 0 });
  });

  it('refuses bad input with a 400 and keeps serving', async () => {
    const bad = [
      '{not json', { nope: 1 }, { deny: [{ code: 404 }] }, { errors: [{ code: 200 }] }, { errors: [{ code: 500, fraction: 2 }] },
      { truncate: [{ verbs: ['delete'] }] }, { latencyMs: -1 }, [1, 2],
    ];
    for (const b of bad) {
      const r = await simAdmin(base, 'PUT', '/faults', b);
      expect(r.status, JSON.stringify(b)).toBe(400);
      expect(typeof r.json.error).toBe('string');
    }
    expect((await simAdmin(base, 'GET', '/faults')).json).toMatchObject({ latencyMs: 0, deny: [], errors: [] });
    expect((await simAdmin(base, 'GET', '/nope')).status).toBe(404);
    expect((await rawRequest(`${base}/api/v1/namespaces`)).status).toBe(200);
  });

  it('faults compose: latency, a 403, a one-shot 500 and a truncation at once', async () => {
    await simAdmin(base, 'PUT', '/faults', {
      latencyMs: 50,
      deny: [{ code: 403, resource: 'secrets' }],
      errors: [{ code: 500, resource: 'configmaps', count: 1 }],
      truncate: [{ resource: 'namespaces', count: 1 }],
    });
    expect((await rawRequest(`${base}/api/v1/namespaces/db/secrets`)).status).toBe(403);
    expect((await rawRequest(`${base}/api/v1/namespaces/db/configmaps`)).status).toBe(500);
    expect((await rawRequest(`${base}/api/v1/namespaces/db/configmaps`)).status).toBe(200);
    expect((await rawRequest(`${base}/api/v1/namespaces`)).complete).toBe(false);
    expect((await rawRequest(`${base}/api/v1/namespaces`)).complete).toBe(true);
    expect((await rawRequest(`${base}/api/v1/namespaces/db/secrets`)).status).toBe(403);
  });
});
