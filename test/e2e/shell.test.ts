/** Shell (s) and attach (a) on a pod in a real terminal: kubectl exec/attach against the sim, and back to kmux. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { e2eFleet, KMUX_BIN } from '../helpers/e2e.js';
import { Terminal, hasTmux } from '../helpers/tmux.js';
import { onPath } from '../helpers/wait.js';

const e = e2eFleet('shell', { clusters: 1, names: ['dev'], nodes: 3, pods: 30, seed: 6, cluster: { startDelayMs: [50, 150], stopDelayMs: [50, 150] } });

const running = (ns: string) => [...e.fleet.member('dev').cluster.store.iter('pods', ns)].filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);

/** kmux on ingress-nginx's pods, filtered down to one running pod. */
async function onOnePod() {
  const pod = running('ingress-nginx')[0].metadata.name;
  const t = e.kmux(['-n', 'ingress-nginx', '-c', 'pods']);
  try {
    await t.waitFor(/pods\(ingress-nginx\)\[\d+\]/);
    t.type(`/${pod}`);
    t.keys('Enter');
    await t.waitFor(/pods\(ingress-nginx\)\[1\/\d+\]/);
  } catch (err) {
    t.kill();
    throw err;
  }
  return { pod, t };
}

describe.skipIf(!hasTmux() || !onPath('kubectl'))('shell and attach in a terminal', () => {
  it('s opens a shell in the pod (hostname is the pod), exit comes back to the same view', async () => {
    const { pod, t } = await onOnePod();
    try {
      t.keys('s');
      // the terminal is kubectl's: a shell prompt in the pod
      await t.waitFor(new RegExp(`${pod}.*[#$] ?$`, 'm'), 15_000);
      t.type('hostname');
      t.keys('Enter');
      const s = await t.waitFor(new RegExp(`^${pod}\\s*$`, 'm'));
      expect(s).not.toMatch(/pods\(ingress-nginx\)/);
      t.type('exit');
      t.keys('Enter');
      // back in kmux, on the same filtered view, with a word on what happened
      await t.waitFor(/pods\(ingress-nginx\)\[1\/\d+\]/, 10_000);
      await t.waitFor(new RegExp(`shell ${pod}/controller: ended`));
      // a shell that ends with a failing status is said plainly, not as an error of kmux
      t.keys('s');
      await t.waitFor(new RegExp(`${pod}.*[#$] ?$`, 'm'), 15_000);
      t.type('exit 3');
      t.keys('Enter');
      await t.waitFor(new RegExp(`shell ${pod}/controller: ended \\(exit 3\\)`), 10_000);
      // kmux still answers keys
      t.keys('Escape');
      await t.waitFor(/pods\(ingress-nginx\)\[\d+\]/);
    } finally {
      t.kill();
    }
  });

  it('a attaches to the container (its output shows), ctrl-c comes back', async () => {
    const { pod, t } = await onOnePod();
    try {
      t.keys('a');
      // an nginx-like container's access log lines, streamed by the attach
      await t.waitFor(/HTTP\/1\.1" \d{3}/, 20_000);
      t.keys('C-c');
      await t.waitFor(/pods\(ingress-nginx\)\[1\/\d+\]/, 10_000);
      // the whole frame is drawn again, from its first line (the child's output left the cursor
      // at the bottom, and a frame drawn from there scrolled its first line away)
      await t.waitFor((s) => /^Context:\s+\S+/.test(s.split('\n')[0]), 10_000);
      await t.waitFor(/attach \S+: ended/, 10_000);
    } finally {
      t.kill();
    }
  });

  it('on the embedded fleet (--demo) too: kubectl in the foreground still reaches it', async () => {
    // the demo fleet lives in kmux's process; while kubectl holds the terminal kmux's event loop
    // waits, so the fleet runs on a thread of its own
    const t = new Terminal([process.execPath, KMUX_BIN, '--demo', '-n', 'monitoring', '-c', 'pods'], { env: { XDG_CONFIG_HOME: join(e.dir, 'cfg-demo') } });
    try {
      await t.waitFor(/pods\(monitoring\)\[\d+\]/, 20_000);
      t.type('/grafana');
      t.keys('Enter');
      await t.waitFor(/pods\(monitoring\)\[1\/\d+\]/);
      t.keys('s');
      const prompt = await t.waitFor(/root@(grafana-\S+):\/# ?$/m, 15_000);
      const pod = prompt.match(/root@(grafana-\S+):/)![1];
      t.type('hostname');
      t.keys('Enter');
      await t.waitFor(new RegExp(`^${pod}\\s*$`, 'm'));
      t.type('exit');
      t.keys('Enter');
      await t.waitFor(new RegExp(`shell ${pod}/grafana: ended`), 10_000);
    } finally {
      t.kill();
    }
  });

  it('read-only refuses shell and attach', async () => {
    const t = e.kmux(['--readonly', '-n', 'ingress-nginx', '-c', 'pods']);
    try {
      await t.waitFor(/pods\(ingress-nginx\)\[\d+\]/);
      t.keys('s');
      await t.waitFor(/read-only mode: shell is disabled/);
      t.keys('a');
      await t.waitFor(/read-only mode: attach is disabled/);
    } finally {
      t.kill();
    }
  });
});
