import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { Connection } from '../../src/kube/connection.js';
import { DEFAULT_LOG_OPTIONS, LogFollower, LogRing } from '../../src/actions/logs.js';
import { until } from '../helpers/wait.js';

describe('LogRing', () => {
  it('keeps the newest lines, oldest first, never more than its capacity', () => {
    const r = new LogRing(3);
    for (let i = 1; i <= 7; i++) r.push('', `line ${i}`);
    expect(r.size).toBe(3);
    expect(r.toArray().map((l) => l.text)).toEqual(['line 5', 'line 6', 'line 7']);
    r.clear();
    expect(r.toArray()).toEqual([]);
  });
});

describe('LogFollower against the simulated fleet', () => {
  let fleet: Fleet;
  let conn: Connection;
  beforeAll(async () => {
    fleet = await startFleet({ clusters: 1, names: ['dev'], nodes: 3, pods: 20, seed: 2, cluster: { startDelayMs: [50, 100] } });
    const dir = mkdtempSync(join(tmpdir(), 'kmux-logs-'));
    fleet.writeKubeconfig(join(dir, 'kc.yaml'));
    conn = new Connection(loadKubeconfig([join(dir, 'kc.yaml')]), 'dev');
  });
  afterAll(async () => {
    conn?.close();
    await fleet?.stop();
  });

  it('follows a chatty pod without holding more lines than asked', async () => {
    const c = fleet.member('dev').cluster;
    c.store.create('pods', {
      metadata: { name: 'chatty', namespace: 'default', annotations: { 'sim.kmux.dev/log-rate': '500' } },
      spec: { containers: [{ name: 'main', image: 'busybox' }] },
    });
    await until('chatty running', () => c.store.get('pods', 'default', 'chatty')?.status?.phase === 'Running', 10_000);
    const f = new LogFollower(conn, [{ namespace: 'default', pod: 'chatty', containers: ['main'] }], { ...DEFAULT_LOG_OPTIONS, maxLines: 100, tailLines: 10 });
    f.start();
    try {
      await until('lines flowing', () => f.ring.seq > 400, 10_000);
      expect(f.ring.size).toBe(100);
      const seqs = f.ring.toArray().map((l) => Number(JSON.parse(l.text).seq));
      // in order and contiguous: nothing lost or repeated inside the window
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
      expect(f.status).toBe('following');
    } finally {
      f.stop();
    }
  });

  it('names the pod and container when there are several, and says when a stream fails', async () => {
    const c = fleet.member('dev').cluster;
    const pods = [...c.store.iter('pods', 'kube-system')].filter((p) => p.metadata.name.startsWith('coredns-'));
    const f = new LogFollower(conn, [
      ...pods.map((p) => ({ namespace: 'kube-system', pod: p.metadata.name, containers: ['coredns'] })),
      { namespace: 'kube-system', pod: 'no-such-pod', containers: ['x'] },
    ], { ...DEFAULT_LOG_OPTIONS, tailLines: 20 });
    f.start();
    try {
      await until('lines from every pod', () => pods.every((p) => f.ring.toArray().some((l) => l.source === `${p.metadata.name}/coredns`)), 10_000);
      await until('the failure said', () => f.ring.toArray().some((l) => /\[kmux\] no-such-pod\/x: .*not found/.test(l.text)), 10_000);
    } finally {
      f.stop();
    }
  });
});
