/**
 * The fault suite for kmux's reflector: the simulator is driven through each fault while the
 * cluster changes, and the reflector's rows must converge to the server's truth (equal to a
 * fresh list, by name and resourceVersion) within a bound, with no one pressing anything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetMember } from '../../src/sim/fleet.js';
import { Connection } from '../../src/kube/connection.js';
import type { ApiResource } from '../../src/kube/discovery.js';
import { loadKubeconfig, type Kubeconfig } from '../../src/kube/kubeconfig.js';
import { Reflector, type ReflectorStatus } from '../../src/kube/reflector.js';
import { request } from '../helpers/http.js';
import { sleep, until, untilAsync } from '../helpers/wait.js';

const PODS: ApiResource = { group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], verbs: ['list', 'watch'], categories: [] };
/** How long convergence may take after the fault ends (backoff is capped at 10 s; most take 1-2 s). */
const BOUND_MS = 15_000;

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-faults-'));
let fleet: Fleet;
let kc: Kubeconfig;
const running: { r: Reflector<Row>; c: Connection }[] = [];

interface Row { key: string; rv: string; uid: string }
const toRow = (o: any): Row => ({ key: `${o.metadata.namespace}/${o.metadata.name}`, rv: o.metadata.resourceVersion, uid: o.metadata.uid });

beforeAll(async () => {
  fleet = await startFleet({ clusters: 2, nodes: 3, pods: 40, seed: 21, cluster: { startDelayMs: [50, 150], stopDelayMs: [50, 150], tooLargeRvWaitMs: 200 } });
  const f = path.join(dir, 'kc.yaml');
  fleet.writeKubeconfig(f);
  kc = loadKubeconfig([f]);
});

afterEach(() => {
  for (const { r, c } of running.splice(0)) {
    r.stop();
    c.close();
  }
  for (const m of fleet.members) m.server.faults.clear();
});

afterAll(async () => {
  await fleet.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A reflector of kmux's on the member's pods, feeding a map; statuses recorded. */
function reflect(m: FleetMember) {
  const rows = new Map<string, Row>();
  const statuses: ReflectorStatus[] = [];
  const c = new Connection(kc, m.name);
  const r = new Reflector<Row>({
    conn: c, resource: PODS, transform: toRow, backoffInitialMs: 100, backoffMaxMs: 2000, watchdogMs: 10_000,
    onEvent: (ev) => {
      if (ev.type === 'replace') {
        rows.clear();
        for (const it of ev.items) rows.set(it.key, it);
      } else if (ev.type === 'upsert') rows.set(ev.item.key, ev.item);
      else if (ev.type === 'delete') rows.delete(ev.item.key);
      else if (ev.type === 'status') statuses.push(ev.status);
    },
  });
  running.push({ r, c });
  r.start();
  return { r, rows, statuses };
}

/** The server's truth: a fresh list, as name -> resourceVersion (undefined while it cannot answer). */
async function truth(m: FleetMember): Promise<Map<string, string> | undefined> {
  try {
    const res = await request(`${m.server.url}/api/v1/pods`);
    if (res.status !== 200) return undefined;
    return new Map(res.json().items.map((o: any) => [`${o.metadata.namespace}/${o.metadata.name}`, o.metadata.resourceVersion]));
  } catch {
    return undefined;
  }
}

function same(rows: Map<string, Row>, t: Map<string, string>): boolean {
  if (rows.size !== t.size) return false;
  for (const [k, rv] of t) if (rows.get(k)?.rv !== rv) return false;
  return true;
}

/** Rows equal to a fresh list, by name and resourceVersion, within the bound. */
async function converges(m: FleetMember, rows: Map<string, Row>, what: string, ms = BOUND_MS): Promise<number> {
  const t0 = Date.now();
  let last: Map<string, string> | undefined;
  try {
    await untilAsync(what, async () => {
      last = await truth(m);
      return !!last && same(rows, last);
    }, ms, 100);
  } catch (e) {
    const missing = last ? [...last.keys()].filter((k) => !rows.has(k)).length : '?';
    const extra = last ? [...rows.keys()].filter((k) => !last!.has(k)).length : '?';
    throw new Error(`${(e as Error).message}: kmux has ${rows.size} rows, the server ${last?.size ?? '?'} (${missing} missing, ${extra} stale)`);
  }
  return Date.now() - t0;
}

/** Change the cluster: delete a few running pods (their controllers replace them). */
function churn(m: FleetMember, n = 3): void {
  const pods = [...m.cluster.store.iter('pods')].filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'ReplicaSet' && !p.metadata.deletionTimestamp);
  for (const p of pods.slice(0, n)) m.cluster.deletePod(p, 0);
}

const watching = (r: Reflector<Row>) => r.status.phase === 'watching';

describe('the reflector converges to the server after every fault', () => {
  it('a restart with a lower resourceVersion (a restore from a backup), after changes it never sent', async () => {
    const m = fleet.member('dev');
    const w = reflect(m);
    await until('watching', () => watching(w.r));
    // the cluster moves on, so its counter is well past where a rebuilt store starts
    const start = m.cluster.store.rv;
    while (m.cluster.store.rv < start + 300) {
      churn(m, 4);
      await sleep(50);
    }
    await converges(m, w.rows, 'before the restart');
    const rvBefore = Number(w.r.status.resourceVersion);
    await fleet.restart('dev');
    churn(m, 2);
    await converges(m, w.rows, 'after the restore');
    expect(Number(w.r.status.resourceVersion)).toBeLessThan(rvBefore);
    expect(w.r.status.relists).toBeGreaterThanOrEqual(1);
  });

  it('a restart with another seed (another cluster at the same URL): not one old row is left', async () => {
    const m = fleet.member('staging');
    const w = reflect(m);
    await until('watching', () => watching(w.r));
    const oldUids = new Set([...w.rows.values()].map((r) => r.uid));
    await fleet.restart('staging', { seed: 999, downMs: 500 });
    await converges(m, w.rows, 'after the new cluster');
    expect([...w.rows.values()].filter((r) => oldUids.has(r.uid))).toEqual([]);
  });

  it('a restart with a resourceVersion counter far ahead', async () => {
    const m = fleet.member('dev');
    const w = reflect(m);
    await until('watching', () => watching(w.r));
    await fleet.restart('dev', { resourceVersion: 10_000_000 });
    churn(m, 2);
    await converges(m, w.rows, 'after the jump');
  });

  it('every watch dropped (connection reset) while the cluster changes', async () => {
    const m = fleet.member('dev');
    const w = reflect(m);
    await until('watching', () => watching(w.r));
    const lists = w.r.status.relists;
    for (let i = 0; i < 3; i++) {
      churn(m, 2);
      expect(m.server.dropWatches()).toBeGreaterThanOrEqual(1);
      await until('watching again', () => watching(w.r) && m.server.watchCount() > 0, BOUND_MS);
    }
    await converges(m, w.rows, 'after the resets');
    // a reset is never resumed: each one was followed by a list
    expect(w.r.status.relists).toBeGreaterThanOrEqual(lists + 3);
  });

  it('every watch closed cleanly: resumed from where it was, no list needed', async () => {
    const m = fleet.member('dev');
    const w = reflect(m);
    await until('watching', () => watching(w.r));
    const lists = w.r.status.relists;
    churn(m, 2);
    m.server.dropWatches({ clean: true });
    churn(m, 2);
    await converges(m, w.rows, 'after the clean close');
    expect(w.r.status.relists).toBe(lists);
  });

  it('a stall of a few seconds while the cluster changes', async () => {
    const m = fleet.member('dev');
    const w = reflect(m);
    await until('watching', () => watching(w.r));
    m.server.stall(3000);
    churn(m, 3);
    await sleep(500);
    churn(m, 2);
    await converges(m, w.rows, 'after the stall', 3000 + BOUND_MS);
  });

  it('401 and 403 on pods: the error is named, the rows kept; once allowed, converged', async () => {
    for (const code of [401, 403] as const) {
      const m = fleet.member('staging');
      const w = reflect(m);
      await until('watching', () => watching(w.r));
      m.server.faults.merge({ deny: [{ code, resource: 'pods' }] });
      m.server.dropWatches();
      churn(m, 2);
      await until(`${code} seen`, () => w.r.status.phase === 'backoff' && w.r.status.errorKind === (code === 401 ? 'unauthorized' : 'forbidden'), BOUND_MS);
      expect(w.r.status.error).toMatch(code === 401 ? /^Unauthorized$/ : /pods is forbidden: User "admin" cannot list resource "pods"/);
      // what it had is still shown, marked as not current
      expect(w.rows.size).toBeGreaterThan(0);
      m.server.faults.clear();
      await converges(m, w.rows, `after the ${code}`);
      w.r.stop();
    }
  });

  it('429, 500 and 503 answers: retried with backoff (Retry-After honoured), then converged', async () => {
    for (const code of [429, 500, 503]) {
      const m = fleet.member('dev');
      const w = reflect(m);
      await until('watching', () => watching(w.r));
      m.server.faults.merge({ errors: [{ code, resource: 'pods', count: 4 }] });
      m.server.dropWatches();
      churn(m, 2);
      await until(`${code} seen`, () => w.statuses.some((s) => s.phase === 'backoff' && s.errorKind === (code === 429 ? 'throttled' : 'server')), BOUND_MS);
      await converges(m, w.rows, `after the ${code}s`);
      w.r.stop();
    }
  });

  it('a list cut in the middle of an object, and a watch cut in the middle of an event', async () => {
    const m = fleet.member('staging');
    const w = reflect(m);
    await until('watching', () => watching(w.r));
    // the next list is cut; the watch that is running now is cut at its next event
    m.server.faults.merge({ truncate: [{ resource: 'pods', verbs: ['watch'], count: 1 }, { resource: 'pods', verbs: ['list'], count: 1 }] });
    m.server.dropWatches();
    churn(m, 2);
    await converges(m, w.rows, 'after the cut bodies');
    expect(w.statuses.some((s) => s.phase === 'backoff')).toBe(true);
  });

  it('every answer slowed by 300 ms', async () => {
    const m = fleet.member('dev');
    m.server.faults.latencyMs = 300;
    const w = reflect(m);
    await until('synced', () => w.r.status.synced, BOUND_MS);
    churn(m, 2);
    m.server.dropWatches();
    churn(m, 2);
    await converges(m, w.rows, 'while slow');
  });
});
