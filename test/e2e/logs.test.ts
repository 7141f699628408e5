/** Logs in a real terminal: streamed from the API, merged across a deployment's pods with prefixes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
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
  fleet = await startFleet({ clusters: 1, names: ['dev'], nodes: 3, pods: 30, seed: 4 });
  dir = mkdtempSync(join(tmpdir(), 'kmux-logs-'));
  kubeconfig = join(dir, 'kubeconfig.yaml');
  fleet.writeKubeconfig(kubeconfig);
  // a deployment whose pods log 20 lines a second each
  const c = fleet.member('dev').cluster;
  const d = c.store.get('deployments.apps', 'kube-system', 'coredns');
  c.store.update('deployments.apps', {
    ...d,
    spec: { ...d.spec, template: { ...d.spec.template, metadata: { ...d.spec.template.metadata, annotations: { 'sim.kmux.dev/log-rate': '20' } } } },
  });
});
afterAll(async () => fleet?.stop());

describe.skipIf(!hasTmux())('logs in a terminal', () => {
  it('streams a deployment\'s logs from all its pods with a prefix per pod, and filters them', async () => {
    const t = new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, '-n', 'kube-system', '-c', 'deploy'], { env: { XDG_CONFIG_HOME: join(dir, 'cfg'), KMUX_LOGS_DIR: join(dir, 'saved') } });
    try {
      await t.waitFor(/deployments\(kube-system\)\[\d+\]/);
      t.type('/coredns');
      t.keys('Enter');
      await t.waitFor(/<\/coredns>/);
      // the rollout made new pods: wait until both run before asking for their logs
      const c = fleet.member('dev').cluster;
      for (let i = 0; i < 100; i++) {
        const running = [...c.store.iter('pods', 'kube-system')].filter((p) => p.metadata.name.startsWith('coredns-') && p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && p.metadata.annotations?.['sim.kmux.dev/log-rate']);
        if (running.length === 2) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      t.keys('l');
      const s = await t.waitFor(/logs deployment\/coredns \[\d+\]/);
      const pods = [...c.store.iter('pods', 'kube-system')].filter((p) => p.metadata.name.startsWith('coredns-') && !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
      await t.waitFor((x) => pods.every((p) => x.includes(`${p}/coredns`)), 8000);
      const count = () => Number(t.screen().match(/logs deployment\/coredns \[(\d+)\]/)?.[1] ?? 0);
      const n0 = count();
      await new Promise((r) => setTimeout(r, 1500));
      expect(count()).toBeGreaterThan(n0); // still following
      expect(s).toMatch(/following/);
      // a pod goes, its replacement comes: the replacement's lines join in
      const gone = c.store.get('pods', 'kube-system', pods[0]);
      c.deletePod(gone, 0);
      let fresh = '';
      await until('a replacement pod running', () => {
        const p = [...c.store.iter('pods', 'kube-system')].find((x) => x.metadata.name.startsWith('coredns-') && !pods.includes(x.metadata.name) && x.status?.phase === 'Running');
        fresh = p?.metadata.name ?? '';
        return !!p;
      }, 15_000);
      await t.waitFor((x) => x.includes(`${fresh}/coredns`), 10_000);
      t.type('/level":"error');
      t.keys('Enter');
      await t.waitFor(/<\/level":"error>/);
      const lines = t.screen().split('\n').filter((l) => l.startsWith('│') && l.includes('"level"'));
      expect(lines.every((l) => l.includes('"level":"error"'))).toBe(true);
      // fuzzy, a mark, and ctrl-s saves what is shown (the mark included) to a file
      t.keys('/', 'C-u');
      t.type('-f lvlwarn');
      t.keys('Enter');
      await t.waitFor(/<\/-f lvlwarn>/);
      t.keys('m');
      await t.waitFor(/── mark \d\d:\d\d:\d\d ──/);
      t.keys('C-s');
      const saved = await t.waitFor(/saved \d+ lines to \S+\.log/);
      const file = saved.match(/saved \d+ lines to (\S+\.log)/)![1];
      expect(file.startsWith(join(dir, 'saved'))).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text).toMatch(/mark \d\d:\d\d:\d\d/);
      expect(text.split('\n').filter((l) => l.includes('"level"')).every((l) => /"level":"warn"/.test(l))).toBe(true);
      // esc clears the filter first, then leaves
      t.keys('Escape');
      await t.waitFor((x) => /logs deployment\/coredns/.test(x) && !/<\/-f lvlwarn>/.test(x));
      t.keys('Escape');
      await t.waitFor(/deployments\(kube-system\)/);
    } finally {
      t.kill();
    }
  });

  it('logs of one container from the containers view (enter on a pod, then l)', async () => {
    const t = new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, '-n', 'monitoring', '-c', 'pods'], { env: { XDG_CONFIG_HOME: join(dir, 'cfg-c') } });
    try {
      await t.waitFor(/pods\(monitoring\)\[\d+\]/);
      t.type('/grafana');
      t.keys('Enter');
      await t.waitFor(/pods\(monitoring\)\[1\/\d+\]/);
      t.keys('Enter');
      await t.waitFor(/containers\(monitoring\/grafana-/);
      t.keys('l');
      await t.waitFor(/logs grafana-\S+\/grafana \[\d+\]/);
      await t.waitFor(/"logger":"grafana"/);
    } finally {
      t.kill();
    }
  });

  it('logs of a service merge the pods it selects', async () => {
    const t = new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, '-n', 'ingress-nginx', '-c', 'svc'], { env: { XDG_CONFIG_HOME: join(dir, 'cfg-s') } });
    try {
      await t.waitFor(/services\(ingress-nginx\)\[1\]/);
      t.keys('l');
      await t.waitFor(/logs service\/ingress-nginx-controller \[\d+\]/);
      const pods = [...fleet.member('dev').cluster.store.iter('pods', 'ingress-nginx')].map((p) => p.metadata.name);
      expect(pods.length).toBeGreaterThanOrEqual(2);
      await t.waitFor((x) => pods.every((p) => x.includes(`${p} `) || x.includes(`${p}/`)), 10_000);
    } finally {
      t.kill();
    }
  });

  it('the logs of one pod go on after its container restarts, and the title says the stream is live', async () => {
    const c = fleet.member('dev').cluster;
    const pod = [...c.store.iter('pods', 'monitoring')].find((p) => p.metadata.name.startsWith('grafana-') && p.status?.phase === 'Running')!;
    const t = new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, '-n', 'monitoring', '-c', 'pods'], { env: { XDG_CONFIG_HOME: join(dir, 'cfg-r') } });
    try {
      await t.waitFor(/pods\(monitoring\)\[\d+\]/);
      t.type(`/${pod.metadata.name}`);
      t.keys('Enter');
      await t.waitFor(/pods\(monitoring\)\[1\/\d+\]/);
      // faster lines, so the new instance's first ones come soon
      const cur = c.store.get('pods', 'monitoring', pod.metadata.name);
      c.store.update('pods', { ...cur, metadata: { ...cur.metadata, annotations: { ...cur.metadata.annotations, 'sim.kmux.dev/log-rate': '10' } } });
      t.keys('l');
      await t.waitFor(/logs grafana-\S+ \[\d+\] tail 200 autoscroll following/);
      // the container restarts (as the kubelet does): the stream of the old instance ends
      const now = c.store.get('pods', 'monitoring', pod.metadata.name);
      const restartedAt = new Date();
      c.store.update('pods', {
        ...now,
        status: {
          ...now.status,
          containerStatuses: now.status.containerStatuses.map((cs: any) => ({
            ...cs, restartCount: (cs.restartCount ?? 0) + 1,
            state: { running: { startedAt: restartedAt.toISOString().replace(/\.\d+Z$/, 'Z') } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: cs.state?.running?.startedAt, finishedAt: restartedAt.toISOString().replace(/\.\d+Z$/, 'Z') } },
          })),
        },
      });
      // lines of the new instance arrive (its sequence starts again at 0, stamped after the restart)
      const since = Math.floor(restartedAt.getTime() / 1000) * 1000;
      await t.waitFor((x) => [...x.matchAll(/"ts":"([^"]+)","logger":"grafana","msg":"[^"]*","seq":(\d+)/g)].some((m) => Date.parse(m[1]) >= since && Number(m[2]) < 20), 20_000);
      expect(t.screen()).toMatch(/ following /);
    } finally {
      t.kill();
    }
  });
});

