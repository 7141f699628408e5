/** Node lifecycle in a real terminal: cordon, uncordon and the drain dialog, against the sim. */
import { describe, expect, it } from 'vitest';
import { e2eFleet } from '../helpers/e2e.js';
import { hasTmux } from '../helpers/tmux.js';

const e = e2eFleet('nodes', { clusters: 1, names: ['prod'], nodes: 4, pods: 50, seed: 5, cluster: { startDelayMs: [100, 300], stopDelayMs: [100, 300] } });
const kmux = (args: string[]) => e.kmux(args);

describe.skipIf(!hasTmux())('nodes in a terminal', () => {
  it('drains a node through the dialog: options, plan, progress, then uncordons it', async () => {
    const c = e.fleet.member('prod').cluster;
    const t = kmux(['--context', 'prod', '-c', 'nodes']);
    try {
      await t.waitFor(/nodes\[4\]/);
      await t.waitFor(/PODS/);
      t.type('/worker-2');
      t.keys('Enter');
      await t.waitFor(/nodes\[1\/4\]/);
      t.keys('r');
      await t.waitFor(/kubectl drain's options/);
      t.keys('Down', 'Down', 'Space', 'Down', 'Space', 'Enter');
      const plan = await t.waitFor(/to evict, \d+ skipped, 0 refusing/);
      const toEvict = Number(plan.match(/(\d+) to evict/)![1]);
      const onNode = () => [...c.store.iter('pods')].filter((p) => p.spec.nodeName === 'prod-worker-2');
      const evictable = onNode().filter((p) => !p.metadata.ownerReferences?.some((o: any) => o.kind === 'DaemonSet') && !p.metadata.annotations?.['kubernetes.io/config.mirror']);
      expect(toEvict).toBe(evictable.length);
      t.keys('Enter');
      await t.waitFor(/prod-worker-2: drained/, 30_000);
      expect(t.screen()).toMatch(new RegExp(`${toEvict}/${toEvict} evicted`));
      // what kubectl would leave: only DaemonSet pods (no mirror pods on workers), the node cordoned
      const left = onNode();
      expect(left.every((p) => p.metadata.ownerReferences?.some((o: any) => o.kind === 'DaemonSet'))).toBe(true);
      expect(c.store.get('nodes', undefined, 'prod-worker-2').spec.unschedulable).toBe(true);
      t.keys('Escape');
      await t.waitFor(/Ready,SchedulingDisabled/);
      t.keys('u');
      await t.waitFor(/node\/prod-worker-2 uncordoned/);
      await t.waitFor((s) => !/SchedulingDisabled/.test(s));
      expect(c.store.get('nodes', undefined, 'prod-worker-2').spec.unschedulable).toBeUndefined();
    } finally {
      t.kill();
    }
  });

  it('cordons, says "already cordoned" the second time, and refuses everything in read-only mode', async () => {
    const m = e.fleet.member('prod');
    const t = kmux(['--context', 'prod', '-c', 'nodes']);
    try {
      await t.waitFor(/nodes\[4\]/);
      t.type('/worker-3');
      t.keys('Enter');
      await t.waitFor(/nodes\[1\/4\]/);
      t.keys('c');
      await t.waitFor(/node\/prod-worker-3 cordoned/);
      await t.waitFor(/SchedulingDisabled/);
      t.keys('c');
      await t.waitFor(/node\/prod-worker-3 already cordoned/);
      t.keys('u');
      await t.waitFor(/node\/prod-worker-3 uncordoned/);
    } finally {
      t.kill();
    }
    const ro = kmux(['--context', 'prod', '-c', 'nodes', '--readonly']);
    try {
      await ro.waitFor(/nodes\[4\]/);
      const before = m.server.requestLog.length;
      for (const k of ['c', 'u', 'r']) {
        ro.keys(k);
        await ro.waitFor(/read-only mode: (cordon|uncordon|drain) is disabled/);
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(m.server.writes(before)).toHaveLength(0);
    } finally {
      ro.kill();
    }
  });
});
