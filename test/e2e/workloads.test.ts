/** Scale, restart and kill in a real terminal, against the sim. */
import { describe, expect, it } from 'vitest';
import { e2eFleet } from '../helpers/e2e.js';
import { hasTmux } from '../helpers/tmux.js';
import { until } from '../helpers/wait.js';

const e = e2eFleet('workloads', { clusters: 1, names: ['dev'], nodes: 3, pods: 30, seed: 6, cluster: { startDelayMs: [100, 300], stopDelayMs: [100, 300] } });

describe.skipIf(!hasTmux())('workload actions in a terminal', () => {
  it('scales a deployment to 5, restarts it, and kills a pod', async () => {
    const c = e.fleet.member('dev').cluster;
    const running = () => [...c.store.iter('pods', 'ingress-nginx')].filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
    const t = e.kmux(['-n', 'ingress-nginx', '-c', 'deploy']);
    try {
      await t.waitFor(/deployments\(ingress-nginx\)\[1\]/);
      t.keys('s');
      await t.waitFor(/Scale deployment\/ingress-nginx-controller/);
      t.keys('BSpace', 'BSpace');
      t.type('5');
      t.keys('Enter');
      await t.waitFor(/scaled deployment\/ingress-nginx-controller to 5/);
      await until('5 running pods', () => running().length === 5, 15_000);
      await t.waitFor(/5\/5/);
      const before = new Set(running().map((p) => p.metadata.name));
      t.keys('r');
      await t.waitFor(/Restart deployment\/ingress-nginx-controller\?/);
      t.keys('Enter');
      await t.waitFor(/restarted deployment\/ingress-nginx-controller/);
      // a new ReplicaSet's pods replace every old one
      await until('pods replaced', () => running().length === 5 && running().every((p) => !before.has(p.metadata.name)), 20_000);
      t.type(':pods');
      t.keys('Enter');
      await t.waitFor(/pods\(ingress-nginx\)\[\d+\]/);
      const victim = running()[0].metadata.name;
      t.type(`/${victim}`);
      t.keys('Enter');
      await t.waitFor(/\[1\/\d+\]/);
      t.keys('C-k');
      await t.waitFor(/Kill pod\//);
      t.keys('Enter');
      await t.waitFor(/killed pod\//);
      await until('victim gone', () => !c.store.get('pods', 'ingress-nginx', victim), 10_000);
      expect(c.store.get('pods', 'ingress-nginx', victim)).toBeUndefined();
    } finally {
      t.kill();
    }
  });
});
