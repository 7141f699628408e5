/** :xray and :pulses in a real terminal, against the sim, with kubectl as the referee. */
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { e2eFleet } from '../helpers/e2e.js';
import { hasTmux } from '../helpers/tmux.js';
import { onPath, untilAsync } from '../helpers/wait.js';

const e = e2eFleet('xray', { clusters: 1, names: ['dev'], nodes: 3, pods: 40, seed: 14, cluster: { startDelayMs: [100, 300], stopDelayMs: [100, 300] } });

async function kubectl(...args: string[]): Promise<string> {
  const r = await execa('kubectl', ['--context', 'dev', ...args], {
    env: { ...process.env, KUBECONFIG: e.kubeconfig, KUBECACHEDIR: join(e.dir, 'kcache') }, reject: false, timeout: 20_000,
  });
  if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout as string;
}

const lines = (screen: string) => screen.split('\n');
/** The screen line that holds `text`, its index. */
const at = (screen: string, text: string) => lines(screen).findIndex((l) => l.includes(text));

describe.skipIf(!hasTmux() || !onPath('kubectl'))(':xray and :pulses in a terminal', () => {
  it(':xray deploy draws deployment -> replicaset -> pod -> container, and follows a pod deleted with kubectl', async () => {
    const t = e.kmux(['-n', 'kube-system', '-c', 'deploy']);
    try {
      await t.waitFor(/deployments\(kube-system\)\[\d+\]/);
      t.type(':xray deploy');
      t.keys('Enter');
      const pods = (await kubectl('get', 'pods', '-n', 'kube-system', '-l', 'app=coredns', '-o', 'name')).split('\n').filter(Boolean).map((p) => p.replace('pod/', '')).sort();
      expect(pods).toHaveLength(2);
      const screen = await t.waitFor((s) => pods.every((p) => s.includes(`pod/${p}`)) && s.includes('container/coredns'), 20_000);
      expect(screen).toMatch(/xray deployments\(kube-system\)\[\d+\]/);
      const dep = at(screen, 'deployment/coredns(1)');
      const rs = at(screen, 'replicaset/coredns-');
      const p0 = at(screen, `pod/${pods[0]}`);
      const co = at(screen, 'container/coredns');
      expect(dep).toBeGreaterThan(0);
      expect([dep < rs, rs < p0, p0 < co]).toEqual([true, true, true]);
      expect(lines(screen)[co]).toMatch(/[│├└]─ container\/coredns/);

      await kubectl('delete', 'pod', '-n', 'kube-system', pods[0], '--wait=false');
      const replaced = await untilAsync('a replacement pod', async () => {
        const now = (await kubectl('get', 'pods', '-n', 'kube-system', '-l', 'app=coredns', '-o', 'name')).split('\n').filter(Boolean).map((p) => p.replace('pod/', ''));
        return now.length === 2 && !now.includes(pods[0]) ? now : undefined;
      }, 30_000);
      const after = await t.waitFor((s) => !s.includes(`pod/${pods[0]}`) && replaced.every((p) => s.includes(`pod/${p}`)), 30_000);
      expect(after).toContain('deployment/coredns(1)');
    } finally {
      t.kill();
    }
  });

  it(':pulses counts the pods as kubectl get pods -A does; enter opens the pods view', async () => {
    const t = e.kmux(['-c', 'deploy']);
    try {
      await t.waitFor(/deployments\(\w+\)\[\d+\]/);
      t.type(':pulses all');
      t.keys('Enter');
      await t.waitFor(/pulses\(all\)/, 20_000);
      const count = async () => (await kubectl('get', 'pods', '-A', '--no-headers')).split('\n').filter(Boolean).length;
      const n = await count();
      await t.waitFor(new RegExp(`\\bpods\\s+${n}\\s+\\d+\\s+\\d+`), 20_000);
      const deps = (await kubectl('get', 'deployments', '-A', '--no-headers')).split('\n').filter(Boolean).length;
      await t.waitFor(new RegExp(`\\bdeployments\\s+${deps}\\s+`), 20_000);
      // the cursor to pods, enter: the pods of every namespace
      for (let i = 0; i < 4; i++) t.keys('j');
      await t.waitFor(/pulses\(all\)/);
      t.keys('Enter');
      await t.waitFor(new RegExp(`pods\\(all\\)\\[${await count()}\\]`), 20_000);
      t.keys('Escape');
      await t.waitFor(/pulses\(all\)/, 10_000);
    } finally {
      t.kill();
    }
  });
});
