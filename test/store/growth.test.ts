/**
 * What a store keeps under churn is bounded by the rows alive, not by the changes seen
 * (issue 21). Pods come and go with new names, addresses and label sets, as a churning cluster
 * replaces them; the interning pools and the change log must let the dead ones go.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetMember } from '../../src/sim/fleet.js';
import { Connection } from '../../src/kube/connection.js';
import { discover, resolveResource } from '../../src/kube/discovery.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { columnsFor } from '../../src/resources/registry.js';
import { CHANGE_LOG, StoreRegistry } from '../../src/store/rows.js';
import { Interner, intern, MIN_GENERATION, PER_ROW } from '../../src/store/intern.js';
import { until } from '../helpers/wait.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
function liveHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('the interner', () => {
  it('keeps what live rows use and lets go of the values of rows that are gone', () => {
    const pool = new Interner();
    let live = 1000;
    pool.sizeBy(() => live);
    const limit = Math.max(MIN_GENERATION, PER_ROW * live);
    // a status every row shares, then 300,000 names and label sets of short-lived pods
    const running = pool.str('Running'.slice(0));
    const labels = pool.obj({ app: 'web' });
    const before = liveHeap();
    for (let i = 0; i < 300_000; i++) {
      pool.str(`web-7d9f8c-${i.toString(36)}-pod-of-a-churning-deployment`);
      pool.obj({ app: 'web', 'pod-template-hash': `h${i}` });
      // the live rows keep using these: they stay shared across turns of the pools
      if (i % 1000 === 0) {
        expect(pool.str('Runn' + 'ing')).toBe(running);
        expect(pool.obj({ app: 'web' })).toBe(labels);
      }
    }
    const grown = liveHeap() - before;
    expect(pool.stats.strings).toBeLessThanOrEqual(2 * limit);
    expect(pool.stats.objects).toBeLessThanOrEqual(2 * limit);
    // the pools that kept 200,000 of each held 27.6 MB here; two generations of 4096 take 1.4
    expect(grown).toBeLessThan(4 * 1048576);
    // more live rows, bigger generations: sharing is not lost for a big cluster
    live = 50_000;
    for (let i = 0; i < 150_000; i++) pool.str(`n${i}`);
    expect(pool.stats.limit).toBe(PER_ROW * 50_000);
    expect(pool.stats.strings).toBeGreaterThan(MIN_GENERATION * 2);
    expect(pool.stats.strings).toBeLessThanOrEqual(2 * PER_ROW * 50_000);
  });
});

describe('a pods store against the simulator, pods replaced by new ones', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-growth-'));
  let fleet: Fleet;
  let m: FleetMember;
  let conn: Connection;
  let registry: StoreRegistry;

  beforeAll(async () => {
    fleet = await startFleet({ clusters: 1, nodes: 3, pods: 100, churn: 0, seed: 8 });
    m = fleet.members[0];
    const f = path.join(dir, 'kc.yaml');
    fleet.writeKubeconfig(f);
    conn = new Connection(loadKubeconfig([f]), m.name);
    registry = new StoreRegistry(() => conn, (k) => columnsFor(k.resource), 20);
  });

  afterAll(async () => {
    registry?.stopAll();
    conn?.close();
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after 12 rounds of 1,000 new pods: the pools and the change log are bounded by the rows alive', async () => {
    const all = await discover(conn);
    const store = registry.acquire({ context: m.name, resource: resolveResource(all, 'pods')! });
    await until('store synced', () => store.status.synced, 30_000);
    const base = store.rows.size;
    const node = [...m.cluster.store.iter('nodes')][0].metadata.name;
    const c = m.cluster;
    for (let round = 0; round < 12; round++) {
      const names: string[] = [];
      for (let i = 0; i < 1000; i++) {
        const name = `churned-${round}-${i}`;
        names.push(name);
        c.store.create('pods', {
          metadata: { name, namespace: 'default', labels: { app: 'churned', run: `${round}-${i}` } },
          spec: { nodeName: node, containers: [{ name: 'main', image: 'busybox' }] },
          status: { phase: 'Running', podIP: `10.${round}.${i >> 8}.${i & 255}` },
        });
      }
      await until(`round ${round}: its pods listed`, () => names.every((n) => store.rows.has(`${m.name}|default/${n}`)), 30_000);
      for (const n of names) c.store.remove('pods', 'default', n);
      await until(`round ${round}: its pods gone`, () => names.every((n) => !store.rows.has(`${m.name}|default/${n}`)), 30_000);
    }
    // 12,000 pods with their own names, addresses and label sets came and went; ~100 remain
    expect(store.rows.size).toBeLessThan(base + 50);
    const s = intern.stats;
    expect(s.limit).toBe(MIN_GENERATION);
    expect(s.strings).toBeLessThanOrEqual(2 * MIN_GENERATION);
    expect(s.objects).toBeLessThanOrEqual(2 * MIN_GENERATION);
    // the change log holds at most twice what a view can still apply incrementally
    expect(store.changesSince(0)).toBeNull();
    expect(store.changesSince(store.seq - CHANGE_LOG)!.length).toBe(CHANGE_LOG);
    expect(store.changesSince(store.seq - 2 * CHANGE_LOG - 1)).toBeNull();
    registry.release(store);
  }, 120_000);
});
