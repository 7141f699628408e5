/**
 * The real kmux in a terminal in a hostile world: broken kubeconfig entries, a forbidden
 * source in a merged view, a namespace that does not exist, bad settings files, no terminal,
 * signals. What it shows must be what is true, and it must never crash.
 */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eFleet, KMUX_BIN } from '../helpers/e2e.js';
import { Terminal } from '../helpers/tmux.js';

const e = e2eFleet('faults', { clusters: 2, nodes: 3, pods: 30, seed: 5, cluster: { startDelayMs: [100, 300], stopDelayMs: [100, 300] } });

/** The fleet's kubeconfig plus a context whose cluster entry is gone, as stale kubeconfigs have. */
function withStale(current = 'dev'): string {
  const file = join(e.dir, `stale-${current}.yaml`);
  const text = e.fleet.kubeconfig()
    .replace(/current-context: .*/, `current-context: ${current}`)
    .replace('contexts:\n', 'contexts:\n- name: stale\n  context:\n    cluster: deleted-cluster\n    user: dev-admin\n');
  writeFileSync(file, text);
  return file;
}

let runs = 0;
function kmuxWith(kubeconfig: string, args: string[], env: Record<string, string> = {}): Terminal {
  return new Terminal([process.execPath, KMUX_BIN, '--kubeconfig', kubeconfig, ...args], { env: { XDG_CONFIG_HOME: join(e.dir, `fcfg-${++runs}`), ...env } });
}

function podCount(ctx: string, ns?: string): number {
  return [...e.fleet.member(ctx).cluster.store.iter('pods', ns)].length;
}

/** kubectl's count of every pod of a context: the referee. */
async function kubectlPods(ctx: string): Promise<number> {
  const r = await execa('kubectl', ['--context', ctx, 'get', 'pods', '-A', '--no-headers'], {
    env: { ...process.env, KUBECONFIG: e.kubeconfig, KUBECACHEDIR: join(e.dir, 'kcache') }, reject: false, timeout: 20_000,
  });
  if (r.exitCode !== 0) throw new Error(`kubectl: ${r.stderr}`);
  return (r.stdout as string).split('\n').filter(Boolean).length;
}

describe('kmux under faults, in a terminal', () => {
  it('clusters restarted on the same ports as other clusters: an open :pods @all equals kubectl within 15 s, no key pressed', async () => {
    const t = kmuxWith(e.kubeconfig, ['-A', '-c', 'pods @all']);
    try {
      const before = (await kubectlPods('dev')) + (await kubectlPods('staging'));
      await t.waitFor(new RegExp(`pods\\(all\\)@dev,staging\\[${before}\\]`), 15_000);
      const old = [...e.fleet.member('dev').cluster.store.iter('pods')].map((p) => ({ ns: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid }));
      await Promise.all([e.fleet.restart('dev', { seed: 4242, downMs: 300 }), e.fleet.restart('staging', { seed: 4343 })]);
      const t0 = Date.now();
      const [dev, staging] = [await kubectlPods('dev'), await kubectlPods('staging')];
      // the new clusters are not the old ones: no pod has an old uid, and most names are new
      const store = e.fleet.member('dev').cluster.store;
      expect(old.filter((p) => store.get('pods', p.ns, p.name)?.metadata.uid === p.uid)).toEqual([]);
      const gone = old.filter((p) => !store.get('pods', p.ns, p.name)).map((p) => p.name);
      expect(gone.length).toBeGreaterThan(5);
      await t.waitFor(new RegExp(`pods\\(all\\)@dev,staging\\[${dev + staging}\\] `), 15_000 - (Date.now() - t0));
      // and per context, as kubectl counts them
      // (the header names the context: the counts of two clusters may be equal)
      for (const [ctx, n] of [['staging', staging], ['dev', dev]] as const) {
        t.type(`:pods @${ctx}`);
        t.keys('Enter');
        await t.waitFor(new RegExp(`Context:\\s+${ctx}\\s[\\s\\S]*pods\\(all\\)\\[${n}\\]`), 10_000);
      }
      t.type('/' + gone[0]);
      t.keys('Enter');
      await t.waitFor(new RegExp(`pods\\(all\\)\\[0/${dev}\\]`), 10_000);
    } finally {
      t.kill();
    }
  });

  it('a kubeconfig with a stale context starts on the current one and shows the broken one with its reason', async () => {
    const t = kmuxWith(withStale(), ['-A']);
    try {
      await t.waitFor(new RegExp(`pods\\(all\\)\\[${podCount('dev')}\\]`), 15_000);
      expect(t.screen()).toMatch(/1 problem at start \(see :problems\): context stale is broken: cluster "deleted-cluster" was not found for context "stale"/);
      t.type(':ctx');
      t.keys('Enter');
      await t.waitFor(/stale\s+deleted-cluster\s+dev-admin\s+broken: cluster "deleted-cluster" was not found/);
      t.keys('Escape');
      t.type(':problems');
      t.keys('Enter');
      await t.waitFor(/context\s+context stale is broken/);
    } finally {
      t.kill();
    }
  });

  it('asking for the broken context exits with the kubectl-style message and no stack trace', async () => {
    for (const args of [['--context', 'stale'], []]) {
      const kc = args.length ? withStale() : withStale('stale');
      const t = kmuxWith(kc, args);
      try {
        const s = await t.waitFor(/\[exited \d+\]/, 15_000);
        expect(s).toMatch(/kmux: error: cluster "deleted-cluster" was not found for context "stale"/);
        expect(s).toMatch(/usable contexts: dev, staging/);
        expect(s).toMatch(/\[exited 1\]/);
        expect(s).not.toMatch(/\n\s+at /);
      } finally {
        t.kill();
      }
    }
  });

  it('a merged view names the broken and the forbidden sources and keeps showing the others', async () => {
    const staging = e.fleet.member('staging');
    staging.server.faults.forbidden.add('pods');
    const t = kmuxWith(withStale(), ['--context', 'dev,staging,stale', '-A']);
    try {
      await t.waitFor(new RegExp(`pods\\(all\\)@dev,staging,stale\\[${podCount('dev')}\\] \\(staging forbidden; stale broken\\)`), 15_000);
      // the status line gives the server's own words (once the start-up note has had its time)
      const s = await t.waitFor(/staging: pods is forbidden: User "admin" cannot list resource "pods" in API group "" at the cluster scope; retrying/, 15_000);
      expect(s).not.toMatch(/staging unreachable/);
      staging.server.faults.forbidden.delete('pods');
      await t.waitFor(new RegExp(`pods\\(all\\)@dev,staging,stale\\[${podCount('dev') + podCount('staging')}\\] \\(stale broken\\)`), 20_000);
    } finally {
      staging.server.faults.forbidden.delete('pods');
      t.kill();
    }
  });

  it('a namespace that does not exist is said so, and :ns refuses it without saving it as a favorite', async () => {
    const cfg = join(e.dir, 'ns-cfg');
    const t = kmuxWith(e.kubeconfig, ['--context', 'dev'], { XDG_CONFIG_HOME: cfg });
    try {
      await t.waitFor(/pods\(default\)\[\d+\]/, 15_000);
      t.type(':po nosuch');
      t.keys('Enter');
      await t.waitFor(/namespaces "nosuch" not found/);
      expect(t.screen()).toMatch(/pods\(default\)\[\d+\]/);
      t.type(':ns nosuch');
      t.keys('Enter');
      await t.waitFor(/namespaces "nosuch" not found/);
      t.type(':ns kube-system');
      t.keys('Enter');
      await t.waitFor(/pods\(kube-system\)\[\d+\]/);
      const state = JSON.parse(readFileSync(join(cfg, 'kmux', 'state.json'), 'utf8'));
      expect(state.favorites).toContain('kube-system');
      expect(state.favorites).not.toContain('nosuch');
      expect(state.contexts.dev).toEqual({ view: 'pods', namespace: 'kube-system' });
    } finally {
      t.kill();
    }
    // started in one: the reason and the way out, not a screen that says "connecting..." forever
    const t2 = kmuxWith(e.kubeconfig, ['--context', 'dev', '-n', 'nosuch']);
    try {
      await t2.waitFor(/namespaces "nosuch" not found[\s\S]*:ns NAME or :ns all for another namespace/, 15_000);
      t2.type(':ns all');
      t2.keys('Enter');
      await t2.waitFor(/pods\(all\)\[\d+\]/);
    } finally {
      t2.kill();
    }
  });

  it('wrong-typed settings and K9s config are reported in :problems and kmux runs on defaults', async () => {
    const cfg = join(e.dir, 'bad-cfg');
    mkdirSync(join(cfg, 'kmux'), { recursive: true });
    mkdirSync(join(cfg, 'k9s'), { recursive: true });
    writeFileSync(join(cfg, 'kmux', 'state.json'), JSON.stringify({ lastContexts: 'prod', favorites: 7, contexts: [] }));
    writeFileSync(join(cfg, 'k9s', 'config.yaml'), 'k9s:\n  readOnly: maybe\n');
    const t = kmuxWith(e.kubeconfig, ['--context', 'dev'], { XDG_CONFIG_HOME: cfg });
    try {
      await t.waitFor(/pods\(default\)\[\d+\]/, 15_000);
      expect(t.screen()).toMatch(/3 problems at start \(see :problems\)/);
      t.type(':problems');
      t.keys('Enter');
      const s = await t.waitFor(/problems\[3\]/);
      expect(s).toMatch(/settings\s+.*state\.json: "favorites" must be a list of namespace names; using the default/);
      expect(s).toMatch(/settings\s+.*state\.json: "contexts" must be an object; forgotten/);
      expect(s).toMatch(/read-only\s+.*config\.yaml: "k9s\.readOnly" must be true or false, not "maybe"; taken as read-only/);
      // taken as read-only: writes refuse
      t.keys('Escape');
      t.keys('C-d');
      await t.waitFor(/read-only mode: delete is disabled/);
    } finally {
      t.kill();
    }
  });

  it("K9s's readOnly: true refuses ctrl-d with a message naming the file, and nothing is written", async () => {
    const cfg = join(e.dir, 'k9s-ro');
    mkdirSync(join(cfg, 'k9s'), { recursive: true });
    writeFileSync(join(cfg, 'k9s', 'config.yaml'), 'k9s:\n  readOnly: true\n');
    const t = kmuxWith(e.kubeconfig, ['--context', 'dev', '-A'], { XDG_CONFIG_HOME: cfg });
    try {
      await t.waitFor(/pods\(all\)\[\d+\]/, 15_000);
      const from = e.fleet.member('dev').server.requestLog.length;
      t.keys('C-d');
      await t.waitFor(/read-only mode: delete is disabled \(set by .*k9s\/config\.yaml \(k9s\.readOnly: true\); --write overrides it\)/);
      expect(t.screen()).not.toMatch(/Delete pods\//);
      expect(e.fleet.member('dev').server.writes(from)).toEqual([]);
    } finally {
      t.kill();
    }
  });

  it('without a terminal it says so in one line', async () => {
    const r = await execa(process.execPath, [KMUX_BIN, '--kubeconfig', e.kubeconfig], { reject: false, input: '', env: { XDG_CONFIG_HOME: join(e.dir, 'notty') } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['kmux: needs an interactive terminal (standard input is not a TTY); run it in a terminal, or use kubectl for scripts']);
  });

  it('SIGTERM and SIGHUP leave the alternate screen and exit 143 and 129; a 1x1 terminal waits for a usable size', async () => {
    for (const [sig, code] of [['TERM', 143], ['HUP', 129]] as const) {
      const t = kmuxWith(e.kubeconfig, ['--context', 'dev']);
      try {
        await t.waitFor(/pods\(default\)\[\d+\]/, 15_000);
        const pid = t.tmux('list-panes', '-t', t.name, '-F', '#{pane_pid}').trim();
        // the pane runs a shell; kmux is its child
        const kids = (await execa('pgrep', ['-P', pid], { reject: false })).stdout.trim().split('\n').filter(Boolean);
        for (const k of kids) process.kill(Number(k), `SIG${sig}`);
        const s = await t.waitFor(new RegExp(`\\[exited ${code}\\]`));
        expect(s).not.toMatch(/pods\(default\)/);
      } finally {
        t.kill();
      }
    }
    const t = new Terminal([process.execPath, KMUX_BIN, '--kubeconfig', e.kubeconfig, '--context', 'dev'], { width: 1, height: 1, env: { XDG_CONFIG_HOME: join(e.dir, 'tiny') } });
    try {
      // nothing to read at 1x1: wait until kmux has started (its state file is written), then grow
      const deadline = Date.now() + 15_000;
      while (!existsSync(join(e.dir, 'tiny', 'kmux', 'state.json')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      t.tmux('resize-window', '-t', t.name, '-x', '120', '-y', '30');
      await t.waitFor(/pods\(default\)\[\d+\]/, 15_000);
    } finally {
      t.kill();
    }
  });
});
