/**
 * Endurance in miniature (issue 21): the simulator ends every watch after 0.4-0.8 s, as an
 * apiserver ends each watch after its timeout, while the cluster keeps changing. After 20
 * expiries per store, kmux holds exactly what it held after the first (watches on the server,
 * sockets and their listeners on its connection, stores) and its rows equal a fresh list by
 * name and resourceVersion.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetMember } from '../../src/sim/fleet.js';
import { Connection } from '../../src/kube/connection.js';
import { discover, resolveResource } from '../../src/kube/discovery.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { columnsFor } from '../../src/resources/registry.js';
import { StoreRegistry, type RowStore } from '../../src/store/rows.js';
import { request } from '../helpers/http.js';
import { untilAsync } from '../helpers/wait.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-expiry-'));
let fleet: Fleet;
let m: FleetMember;
let conn: Connection;
let registry: StoreRegistry;

beforeAll(async () => {
  fleet = await startFleet({
    clusters: 1, nodes: 3, pods: 60, churn: 15, seed: 5,
    cluster: { watchTimeoutSeconds: EXPIRY_S, startDelayMs: [50, 200], stopDelayMs: [50, 200] },
  });
  m = fleet.members[0];
  const f = path.join(dir, 'kc.yaml');
  fleet.writeKubeconfig(f);
  conn = new Connection(loadKubeconfig([f]), m.name);
  registry = new StoreRegistry(() => conn, (k) => columnsFor(k.resource), 50);
});

afterAll(async () => {
  registry?.stopAll();
  conn?.close();
  await fleet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** watch requests the server has seen, per resource path */
function watchesStarted(): Map<string, number> {
  const n = new Map<string, number>();
  for (const r of m.server.requestLog) {
    if (r.method !== 'GET' || !/(^|&)watch=(true|1)(&|$)/.test(r.query)) continue;
    n.set(r.path, (n.get(r.path) ?? 0) + 1);
  }
  return n;
}

const EXPIRY_S = 0.4;

/**
 * What kmux holds once the expiries are paused (the watches opened before the pause still end
 * once; those after live for minutes) and nothing has moved for a second: the same reading
 * twice in a row, a second apart. Expiries are left paused; the caller turns them back on.
 */
async function steadyHeld(): Promise<ReturnType<typeof held>> {
  m.cluster.watchTimeoutSeconds = 3600;
  let last = '';
  return untilAsync('a steady reading with the expiries paused', async () => {
    const now = held();
    const text = JSON.stringify(now);
    const steady = text === last && now.serverWatches === 3;
    last = text;
    return steady ? now : undefined;
  }, 30_000, 1000);
}

/** what kmux holds open, as the server and the client each see it */
function held() {
  const c = conn.stats();
  const processListeners = process.eventNames().reduce((n, e) => n + process.listenerCount(e), 0);
  return { processListeners, serverWatches: m.server.watchCount(), storeWatchers: m.cluster.store.watcherCount(), sockets: c.sockets, socketListeners: c.socketListeners, agents: c.agents, stores: registry.size };
}

async function fresh(plural: string, group = ''): Promise<Map<string, string>> {
  const url = `${m.server.url}${group ? `/apis/${group}/v1` : '/api/v1'}/${plural}`;
  const res = await request(url);
  expect(res.status).toBe(200);
  return new Map(res.json().items.map((o: any) => [`${o.metadata.namespace}/${o.metadata.name}`, o.metadata.resourceVersion as string]));
}

function rowsOf(s: RowStore): Map<string, string | undefined> {
  return new Map([...s.rows.values()].map((r) => [`${r.namespace}/${r.name}`, r.rv]));
}

it('after 20 watch expiries per store: the same watches, sockets and listeners as after the first, and rows equal a fresh list', async () => {
  const all = await discover(conn);
  const kinds = [resolveResource(all, 'pods')!, resolveResource(all, 'deployments')!, resolveResource(all, 'replicasets')!];
  const stores = kinds.map((resource) => registry.acquire({ context: m.name, resource }));
  await untilAsync('stores synced', async () => stores.every((s) => s.status.synced), 30_000);

  // after the first expiry of every store, and its watch open again
  const paths = ['/api/v1/pods', '/apis/apps/v1/deployments', '/apis/apps/v1/replicasets'];
  const expired = (n: number) => paths.every((p) => (watchesStarted().get(p) ?? 0) >= n + 1);
  await untilAsync('one expiry each, watches open again', async () => expired(1) && m.server.watchCount() === stores.length, 30_000);
  // what kmux holds is read with the expiries paused: a watch being re-opened at that instant
  // borrows a socket and its listeners for a moment, and would be counted
  const first = await steadyHeld();
  expect(first.serverWatches).toBe(3);
  expect(first.storeWatchers).toBe(3);

  // expiries on again; the watches open now were given an hour, so end them as a timeout does
  m.cluster.watchTimeoutSeconds = EXPIRY_S;
  const before = new Map(watchesStarted());
  m.server.dropWatches({ clean: true });
  const expiredSince = (n: number) => paths.every((p) => (watchesStarted().get(p) ?? 0) - (before.get(p) ?? 0) >= n);
  await untilAsync(`20 more expiries each (${JSON.stringify([...watchesStarted()])})`, async () => expiredSince(20), 120_000);
  // pause the cluster so a fresh list is a fixed truth, then the rows must come to equal it
  m.churn.stop();
  const truth = { pods: await fresh('pods'), deployments: await fresh('deployments', 'apps'), replicasets: await fresh('replicasets', 'apps') };
  await untilAsync('rows equal a fresh list by name and resourceVersion', async () => {
    const now = { pods: await fresh('pods'), deployments: await fresh('deployments', 'apps'), replicasets: await fresh('replicasets', 'apps') };
    // the controllers may still finish a rollout after the churn stops: take the newest truth
    Object.assign(truth, now);
    return stores.every((s, i) => sameMap(rowsOf(s), Object.values(truth)[i]));
  }, 30_000);
  expect(truth.pods.size).toBeGreaterThan(30);

  // exactly what was held after the first expiry, read the same way
  expect(await steadyHeld()).toEqual(first);
  for (const s of stores) registry.release(s);
  await untilAsync('watches closed on release', async () => m.server.watchCount() === 0, 15_000);
}, 240_000);

function sameMap(a: Map<string, string | undefined>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of b) if (a.get(k) !== v) return false;
  return true;
}
