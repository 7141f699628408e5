/**
 * The real kmux binary in a real terminal (tmux) against an in-process simulated fleet:
 * type keys as a user would and read the screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { Terminal, hasTmux } from '../helpers/tmux.js';

const BIN = resolve(import.meta.dirname, '../../bin/kmux.js');
const tmux = hasTmux();
if (!tmux) console.warn('e2e: tmux is not installed; these tests need a real terminal');

let fleet: Fleet;
let dir: string;
let kubeconfig: string;

let runs = 0;
/** kmux in a terminal, each run with a config dir of its own unless one is given. */
function kmux(args: string[], env: Record<string, string> = {}): Terminal {
  return new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, ...args], {
    env: { XDG_CONFIG_HOME: join(dir, `config-${++runs}`), ...env },
  });
}

/** The table rows on screen (lines between the frame's borders). */
function tableLines(screen: string): string[] {
  return screen.split('\n').filter((l) => l.startsWith('│')).map((l) => l.slice(1, -1).trim());
}

beforeAll(async () => {
  fleet = await startFleet({ clusters: 3, nodes: 3, pods: 40, seed: 11, cluster: { startDelayMs: [100, 300], stopDelayMs: [100, 300] } });
  dir = mkdtempSync(join(tmpdir(), 'kmux-e2e-'));
  kubeconfig = join(dir, 'kubeconfig.yaml');
  fleet.writeKubeconfig(kubeconfig);
});

afterAll(async () => {
  await fleet?.stop();
});

describe.skipIf(!tmux)('kmux in a terminal', () => {
  it('opens on the current context, and :pods @all merges every context live', async () => {
    const t = kmux(['-A']);
    try {
      const first = await t.waitFor(/pods\(all\)\[\d+\]/);
      expect(first).toMatch(/Context:\s+dev/);
      const devPods = [...fleet.member('dev').cluster.store.iter('pods')].length;
      await t.waitFor(new RegExp(`pods\\(all\\)\\[${devPods}\\]`));

      t.type(':pods @all');
      t.keys('Enter');
      const merged = await t.waitFor(/pods\(all\)@dev,staging,prod\[\d+\]/);
      expect(merged).toMatch(/CONTEXT\s+NAMESPACE\s+NAME\s+READY\s+STATUS/);

      // a pod deleted behind kmux's back vanishes within about a second
      const prod = fleet.member('prod').cluster;
      const victim = [...prod.store.iter('pods')].find((p) => p.metadata.namespace !== 'kube-system' && p.metadata.ownerReferences?.[0]?.kind === 'ReplicaSet')!;
      t.type(`/${victim.metadata.name}`);
      t.keys('Enter');
      await t.waitFor((s) => tableLines(s).some((l) => l.startsWith('prod') && l.includes(victim.metadata.name)));
      // kubectl deletes it (gracefully; the sim's kubelet stops it within 300 ms)
      // async: the fleet answering kubectl lives in this very process
      const del = await execa('kubectl', ['--kubeconfig', kubeconfig, '--context', 'prod', '-n', victim.metadata.namespace, 'delete', 'pod', victim.metadata.name, '--wait=false'], {
        env: { ...process.env, KUBECACHEDIR: join(dir, 'kubectl-cache') }, reject: false, timeout: 20_000,
      });
      expect(del.exitCode, del.stderr).toBe(0);
      const t0 = Date.now();
      await t.waitFor((s) => !s.includes(victim.metadata.name + ' ') && /\[0\/\d+\]/.test(s), 3000);
      // gone from the screen within a second of the pod's deletion (its grace period is at most 300 ms here)
      expect(Date.now() - t0).toBeLessThan(1200);
    } finally {
      t.kill();
    }
  });

  it('says what is wrong with a bad command, regex or selector, and keeps running', async () => {
    const t = kmux(['-A']);
    try {
      await t.waitFor(/pods\(all\)\[\d+\]/);
      t.type(':nosuchthing');
      t.keys('Enter');
      await t.waitFor(/unknown resource "nosuchthing"/);
      t.type('/[oops');
      await t.waitFor(/invalid regular expression/);
      t.keys('Enter');
      await t.waitFor(/invalid regular expression "\[oops"/);
      t.type('/-l app in (web');
      t.keys('Enter');
      await t.waitFor(/unbalanced "\(" in selector/);
      t.type(':po app==');
      t.keys('Enter');
      const s = await t.waitFor(/pods\(all\)|selector|cannot/);
      expect(s).not.toMatch(/\[exited/);
      // still alive and responsive
      t.keys('?');
      await t.waitFor(/ help /);
      expect(t.screen()).toMatch(/<ctrl-d>\s+delete/);
      t.keys('Escape');
      await t.waitFor(/pods\(all\)/);
    } finally {
      t.kill();
    }
  });

  it('recovers by itself when the fleet goes away and comes back on the same ports', async () => {
    const t = kmux(['--context', 'staging', '-A']);
    try {
      await t.waitFor(/pods\(all\)\[\d+\]/);
      const m = fleet.member('staging');
      await m.server.stop();
      await t.waitFor(/staging unreachable|unreachable/, 15_000);
      // a change while it is down must show once it is back
      const pod = [...m.cluster.store.iter('pods')].find((p) => p.metadata.ownerReferences?.[0]?.kind === 'ReplicaSet')!;
      m.cluster.deletePod(pod, 0);
      await m.server.start();
      await t.waitFor((s) => !/unreachable/.test(s) && /pods\(all\)\[\d+\]/.test(s), 20_000);
      await t.waitFor((s) => !s.includes(pod.metadata.name), 10_000);
    } finally {
      t.kill();
    }
  });

  it('describes, shows YAML, drills down and deletes with a confirmation', async () => {
    const t = kmux(['--context', 'prod', '-c', 'deploy', '-A']);
    try {
      await t.waitFor(/deployments\(all\)\[\d+\]/);
      t.type('/coredns');
      t.keys('Enter');
      await t.waitFor(/deployments\(all\)\[1\//);
      t.keys('Enter');
      await t.waitFor(/pods\(deployment\/coredns\)/);
      await t.waitFor((s) => tableLines(s).filter((l) => /coredns-/.test(l)).length === 2);
      t.keys('d');
      await t.waitFor(/describe pods\/coredns-/);
      expect(t.screen()).toMatch(/Controlled By:\s+ReplicaSet\/coredns-/);
      t.keys('Escape');
      t.keys('y');
      await t.waitFor(/yaml pods\/coredns-/);
      expect(t.screen()).toMatch(/kind: Pod/);
      t.keys('Escape');
      await t.waitFor(/pods\(deployment\/coredns\)/);
      const before = [...fleet.member('prod').cluster.store.iter('pods', 'kube-system')].filter((p) => p.metadata.name.startsWith('coredns-')).map((p) => p.metadata.name);
      t.keys('C-d');
      await t.waitFor(/Delete pods\/coredns-/);
      t.keys('Enter');
      await t.waitFor(/deleted pods\/coredns-/);
      const after = () => [...fleet.member('prod').cluster.store.iter('pods', 'kube-system')].filter((p) => p.metadata.name.startsWith('coredns-') && !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
      for (let i = 0; i < 30 && before.every((n) => after().includes(n)); i++) await new Promise((r) => setTimeout(r, 100));
      expect(before.filter((n) => !after().includes(n))).toHaveLength(1);
    } finally {
      t.kill();
    }
  });

  it('lists contexts with their health and switches; lists namespaces and switches', async () => {
    const t = kmux(['--context', 'dev']);
    try {
      await t.waitFor(/pods\(/);
      t.type(':ctx');
      t.keys('Enter');
      await t.waitFor(/contexts\[3\]/);
      await t.waitFor((s) => (s.match(/reachable/g) ?? []).length >= 1);
      t.keys('Down', 'Down', 'Enter');
      await t.waitFor(/Context:\s+prod/);
      t.type(':ns');
      t.keys('Enter');
      await t.waitFor(/namespaces\[\d+\]/);
      t.type('/kube-system');
      t.keys('Enter');
      await t.waitFor(/namespaces\[1\//);
      t.keys('Enter');
      await t.waitFor(/pods\(kube-system\)\[\d+\]/);
    } finally {
      t.kill();
    }
  });

  it('refuses to delete in read-only mode', async () => {
    const t = kmux(['--context', 'dev', '-A', '--readonly']);
    try {
      await t.waitFor(/pods\(all\)\[\d+\]/);
      const writes = fleet.member('dev').server.writes().length;
      // a refused write says so and why; it never opens the dialog
      t.keys('C-d');
      await t.waitFor(/read-only mode: delete is disabled \(start kmux without --readonly/);
      expect(t.screen()).not.toMatch(/Delete pods\//);
      t.keys('C-k');
      await t.waitFor(/read-only mode: kill is disabled/);
      expect(t.screen()).not.toMatch(/Kill pod/);
      t.keys('?');
      // help lists the key with what it does now
      await t.waitFor(/<ctrl-d>\s+delete \(read-only\)/);
      expect(fleet.member('dev').server.writes().length).toBe(writes);
    } finally {
      t.kill();
    }
  });

  it('keeps the reachable contexts working when one context is down, and shows why', async () => {
    const broken = join(dir, 'with-broken.yaml');
    const text = fleet.kubeconfig()
      .replace('clusters:\n', 'clusters:\n- name: gone\n  cluster:\n    server: http://127.0.0.1:9\n')
      .replace('contexts:\n', 'contexts:\n- name: gone\n  context:\n    cluster: gone\n    user: dev-admin\n');
    writeFileSync(broken, text);
    const t = new Terminal([process.execPath, BIN, '--kubeconfig', broken, '--context', 'gone,dev', '-A'], { env: { XDG_CONFIG_HOME: join(dir, 'config-broken') } });
    try {
      const devPods = [...fleet.member('dev').cluster.store.iter('pods')].length;
      const s = await t.waitFor(new RegExp(`pods\\(all\\)@dev\\[${devPods}\\]|pods\\(all\\)@gone,dev\\[${devPods}\\]`), 15_000);
      expect(s).toMatch(/gone\(down\)|gone unreachable|ECONNREFUSED/);
    } finally {
      t.kill();
    }
  });

  it('opens custom resources with their printer columns, remembers the last view, and restores the screen on :q', async () => {
    const cfg = join(dir, 'config-remember');
    const t1 = new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, '--context', 'staging', '-A'], { env: { XDG_CONFIG_HOME: cfg } });
    try {
      await t1.waitFor(/pods\(all\)\[\d+\]/);
      t1.type(':db');
      t1.keys('Enter');
      const s = await t1.waitFor(/databases\(all\)\[\d+\]/);
      expect(s).toMatch(/ENGINE\s+VERSION\s+REPLICAS\s+STATUS\s+AGE/);
      t1.type(':q');
      t1.keys('Enter');
      const after = await t1.waitFor(/\[exited 0\]/);
      // the alternate screen is gone: no frame left on the terminal
      expect(after).not.toMatch(/databases\(all\)/);
    } finally {
      t1.kill();
    }
    // the next run opens the kubeconfig's current-context (dev), not the one the last run ended on
    const t2 = new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig], { env: { XDG_CONFIG_HOME: cfg } });
    try {
      const s = await t2.waitFor(/pods\(default\)\[\d+\]/);
      expect(s).toMatch(/Context:\s+dev\s/);
    } finally {
      t2.kill();
    }
    // and staging, when asked for, opens where the user was there: the last view and namespace
    const t3 = new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, '--context', 'staging'], { env: { XDG_CONFIG_HOME: cfg } });
    try {
      const s = await t3.waitFor(/databases\(all\)\[\d+\]/);
      expect(s).toMatch(/Context:\s+staging/);
    } finally {
      t3.kill();
    }
  });
});
