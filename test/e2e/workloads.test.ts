/** Scale, restart and kill in a real terminal, against the sim. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { Terminal, hasTmux } from '../helpers/tmux.js';
import { until } from '../helpers/wait.js';

const BIN = resolve(import.meta.dirname, '../../bin/kmux.js');
let fleet: Fleet;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, names: ['dev'], nodes: 3, pods: 30, seed: 6, cluster: { startDelayMs: [100, 300], stopDelayMs: [100, 300] } });
  dir = mkdtempSync(join(tmpdir(), 'kmux-workloads-'));
  kubeconfig = join(dir, 'kubeconfig.yaml');
  fleet.writeKubeconfig(kubeconfig);
});
afterAll(async () => fleet?.stop());

describe.skipIf(!hasTmux())('workload actions in a terminal', () => {
  it('scales a deployment to 5, restarts it, and kills a pod', async () => {
    const c = fleet.member('dev').cluster;
    const running = () => [...c.store.iter('pods', 'ingress-nginx')].filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
    const t = new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, '-n', 'ingress-nginx', '-c', 'deploy'], { env: { XDG_CONFIG_HOME: join(dir, 'cfg') } });
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
