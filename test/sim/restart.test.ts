/**
 * Restarting one cluster of a fleet on the same port: as a restore from a backup (the same
 * objects, the resourceVersion counter back where a new store starts), as a different cluster
 * (another seed), from the test or over the admin endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { until, untilAsync } from '../helpers/wait.js';
import { rawRequest, rawStream, simAdmin } from '../helpers/stream.js';

let fleet: Fleet;
const WAIT = 300;
const url = (name: string) => fleet.member(name).server.url;

async function json(u: string): Promise<any> {
  const r = await rawRequest(u);
  expect(r.status, r.text).toBe(200);
  return JSON.parse(r.text);
}

/** name -> uid of every object of a list. */
const uids = (list: any) => Object.fromEntries(list.items.map((o: any) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o.metadata.uid]));

/** Whether the port answers at all. */
const answers = (u: string) => rawRequest(`${u}/version`).then((r) => r.status === 200, () => false);

beforeAll(async () => {
  fleet = await startFleet({
    clusters: 2, names: ['a', 'b'], nodes: 2, pods: 20, seed: 4,
    cluster: { startDelayMs: [20, 60], stopDelayMs: [20, 60], tooLargeRvWaitMs: WAIT },
  });
});
afterAll(async () => fleet?.stop());

describe('Fleet.restart', () => {
  it('with the same seed: same port, same objects, a lower resourceVersion; open watches are cut', async () => {
    const a = fleet.member('a');
    const port = a.server.port;
    const before = { nodes: uids(await json(`${url('a')}/api/v1/nodes`)), deploys: uids(await json(`${url('a')}/apis/apps/v1/deployments`)) };
    const bUids = uids(await json(`${url('b')}/api/v1/pods`));
    // move the counter on, as a cluster that ran for a while
    for (let i = 0; i < 50; i++) a.cluster.store.create('configmaps', { metadata: { name: `busy-${i}`, namespace: 'default' }, data: {} });
    const oldRv = a.cluster.store.rv;
    const w = rawStream(`${url('a')}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${oldRv}`);
    expect(await w.status).toBe(200);
    const oldServer = a.server;

    const m = await fleet.restart('a');

    expect(m).toBe(a);
    expect(a.server).not.toBe(oldServer);
    expect(a.server.port).toBe(port);
    expect((await w.ended).clean).toBe(false);
    expect(a.cluster.store.rv).toBeLessThan(oldRv);
    expect(uids(await json(`${url('a')}/api/v1/nodes`))).toEqual(before.nodes);
    expect(uids(await json(`${url('a')}/apis/apps/v1/deployments`))).toEqual(before.deploys);
    expect((await json(`${url('a')}/api/v1/namespaces/default/configmaps`)).items.map((o: any) => o.metadata.name)).not.toContain('busy-0');
    // the other cluster is untouched
    expect(uids(await json(`${url('b')}/api/v1/pods`))).toEqual(bUids);

    // a client that resumes blindly with the old RV: a list is refused after the wait...
    const list = await rawRequest(`${url('a')}/api/v1/pods?resourceVersion=${oldRv}`);
    expect(list.status).toBe(504);
    expect(JSON.parse(list.text).message).toBe(`Timeout: Too large resource version: ${oldRv}, current: ${a.cluster.store.rv}`);
    // ...a watch-list too, with an ERROR event...
    const wl = rawStream(`${url('a')}/api/v1/pods?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=${oldRv}`);
    await wl.ended;
    expect(wl.events.map((e) => [e.type, e.object.code, e.object.details?.causes?.[0]?.reason])).toEqual([['ERROR', 504, 'ResourceVersionTooLarge']]);
    // ...while a plain watch is accepted and hears nothing of what happens below the old RV
    const blind = rawStream(`${url('a')}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${oldRv}`);
    expect(await blind.status).toBe(200);
    const fresh = rawStream(`${url('a')}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${a.cluster.store.rv}`);
    expect(await fresh.status).toBe(200);
    a.cluster.store.create('configmaps', { metadata: { name: 'after-restore', namespace: 'default' }, data: {} });
    await fresh.until('after-restore', (evs) => evs.some((e) => e.object.metadata.name === 'after-restore'));
    expect(blind.events).toEqual([]);
    blind.close();
    fresh.close();
  });

  it('with another seed: a different cluster on the same port', async () => {
    const a = fleet.member('a');
    const port = a.server.port;
    const pods = uids(await json(`${url('a')}/api/v1/pods`));
    await fleet.restart('a', { seed: 77 });
    expect(a.server.port).toBe(port);
    const after = uids(await json(`${url('a')}/api/v1/pods`));
    expect(Object.keys(after).length).toBeGreaterThan(5);
    expect(Object.values(after).filter((u) => Object.values(pods).includes(u))).toEqual([]);
  });

  it('resourceVersion sets where the new counter starts', async () => {
    const a = fleet.member('a');
    await fleet.restart('a', { resourceVersion: 10 });
    const rv = Number((await json(`${url('a')}/api/v1/namespaces`)).metadata.resourceVersion);
    expect(rv).toBeGreaterThan(10);
    expect(rv).toBeLessThan(1000);
    expect(a.cluster.store.rv).toBe(rv);
  });
});

describe('POST /_sim/restart', () => {
  it('answers 202, then the cluster comes back on the same port after downMs, rebuilt with the seed asked for', async () => {
    const b = fleet.member('b');
    const oldServer = b.server;
    const pods = uids(await json(`${url('b')}/api/v1/pods`));
    const r = await simAdmin(url('b'), 'POST', '/restart', { seed: 9, downMs: 800 });
    expect(r.status).toBe(202);
    expect(r.json).toEqual({ restarting: 'b', seed: 9, downMs: 800 });
    // the port is closed for a while...
    expect(await answers(oldServer.url)).toBe(false);
    // ...then a new server answers there
    await until('b to be restarted', () => b.server !== oldServer, 20_000);
    await untilAsync('b to answer', () => answers(url('b')), 20_000);
    expect(b.server.port).toBe(oldServer.port);
    const after = uids(await json(`${url('b')}/api/v1/pods`));
    expect(Object.values(after).filter((u) => Object.values(pods).includes(u))).toEqual([]);
  });

  it('refuses bad options', async () => {
    const r = await simAdmin(url('b'), 'POST', '/restart', { seed: 'x' });
    expect(r.status).toBe(400);
  });
});
