/** Plugins in a real terminal: a K9s plugins.yaml is listed in help and runs with the row's variables. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { k9sSubstitute } from '../helpers/k9s.js';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { Terminal, hasTmux } from '../helpers/tmux.js';
import { until } from '../helpers/wait.js';

const BIN = resolve(import.meta.dirname, '../../bin/kmux.js');
let fleet: Fleet;
let dir: string;
let kubeconfig: string;
let recorder: string;

beforeAll(async () => {
  fleet = await startFleet({ clusters: 2, names: ['dev', 'prod'], nodes: 3, pods: 30, seed: 9 });
  dir = mkdtempSync(join(tmpdir(), 'kmux-plugins-'));
  kubeconfig = join(dir, 'kubeconfig.yaml');
  fleet.writeKubeconfig(kubeconfig);
  // writes its argv, one JSON array per run, to the file named first
  recorder = join(dir, 'record.cjs');
  writeFileSync(recorder, "require('fs').appendFileSync(process.argv[2], JSON.stringify(process.argv.slice(3)) + '\\n');\n");
});
afterAll(async () => fleet?.stop());

function plugins(out: string) {
  // K9s documentation style: a plugins map, Shift keys, scopes, variables in args
  return `plugins:
  record-args:
    shortCut: Shift-R
    description: Record my arguments
    scopes:
      - pods
    command: ${process.execPath}
    background: false
    confirm: false
    args:
      - ${recorder}
      - ${out}
      - $NAME
      - $NAMESPACE
      - $CONTEXT
      - $COL-NODE
`;
}

describe.skipIf(!hasTmux())('plugins in a terminal', () => {
  it('shows a K9s plugin in ? help on the pods view and runs it with the row\'s own variables, in merged views too', async () => {
    const cfg = join(dir, 'cfg');
    const out = join(dir, 'args.jsonl');
    mkdirSync(join(cfg, 'k9s'), { recursive: true });
    writeFileSync(join(cfg, 'k9s', 'plugins.yaml'), plugins(out));
    const t = new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, '--context', 'dev,prod', '-A'], {
      env: { XDG_CONFIG_HOME: cfg, XDG_DATA_HOME: join(cfg, 'data') },
    });
    try {
      await t.waitFor(/pods\(all\)@dev,prod\[\d+\]/);
      t.keys('?');
      await t.waitFor(/ help /);
      for (let i = 0; i < 40 && !/Record my arguments/.test(t.screen()); i++) t.keys('j');
      expect(t.screen()).toMatch(/<shift-r>\s+Record my arguments/);
      t.keys('Escape');
      // a prod row: the variables must be prod's
      const pod = [...fleet.member('prod').cluster.store.iter('pods')].find((p) => p.metadata.name.startsWith('coredns-'))!;
      t.type(`/${pod.metadata.name}`);
      t.keys('Enter');
      await t.waitFor(/\[1\/\d+\]/);
      t.keys('R');
      for (let i = 0; i < 50 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 100));
      await t.waitFor(/plugin record-args finished/);
      const runs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(runs).toEqual([[pod.metadata.name, 'kube-system', 'prod', pod.spec.nodeName]]);
    } finally {
      t.kill();
    }
  });

  it.each([
    ['--readonly', ['--readonly'], ''],
    ["K9s's config.yaml (k9s.readOnly: true)", [], 'k9s:\n  readOnly: true\n'],
  ])('read-only by %s: a plugin\'s kubectl label, foreground or background, is refused by kmux\'s proxy and the cluster gets no write; dangerous plugins stay hidden', async (_how, flags, k9sConfig) => {
    const cfg = join(dir, `cfg-readonly-${flags.length}`);
    const fg = join(cfg, 'ro-foreground.txt');
    const bg = join(cfg, 'ro-background.txt');
    const danger = join(cfg, 'ro-danger.txt');
    mkdirSync(join(cfg, 'k9s'), { recursive: true });
    if (k9sConfig) writeFileSync(join(cfg, 'k9s', 'config.yaml'), k9sConfig);
    // the script labels the row's pod, then reads it: reads pass, the write does not
    const script = (out: string) => `kubectl label pod "$NAME" -n "$NAMESPACE" ro-e2e=yes >${out} 2>&1; echo "exit $?" >>${out}; kubectl get pod "$NAME" -n "$NAMESPACE" -o name >>${out} 2>&1; echo done >>${out}`;
    writeFileSync(join(cfg, 'k9s', 'plugins.yaml'), `plugins:
  label-it:
    shortCut: Shift-L
    description: Label it here
    scopes: [pods]
    command: sh
    background: false
    confirm: false
    args: ['-c', ${JSON.stringify(script(fg))}]
  label-bg:
    shortCut: Shift-B
    description: Label it behind
    scopes: [pods]
    command: sh
    background: true
    confirm: false
    args: ['-c', ${JSON.stringify(script(bg))}]
  danger:
    shortCut: Shift-D
    description: Dangerous thing
    scopes: [pods]
    dangerous: true
    confirm: false
    command: sh
    args: ['-c', ${JSON.stringify(`echo ran >${danger}`)}]
`);
    const dev = fleet.member('dev');
    const pod = [...dev.cluster.store.iter('pods')].find((p) => p.status?.phase === 'Running' && p.metadata.namespace !== 'kube-system')!;
    const t = new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, '--context', 'dev', '-A', ...flags], {
      env: { XDG_CONFIG_HOME: cfg, XDG_DATA_HOME: join(cfg, 'data') },
    });
    try {
      await t.waitFor(/pods\(all\)\[\d+\]/, 30_000);
      t.keys('?');
      await t.waitFor(/ help /);
      for (let i = 0; i < 60 && !/Label it here/.test(t.screen()); i++) t.keys('j');
      const help = t.screen();
      expect(help).toMatch(/<shift-l>\s+Label it here/);
      expect(help).toMatch(/<shift-b>\s+Label it behind/);
      expect(help).not.toMatch(/Dangerous thing/);
      t.keys('Escape');
      t.type(`/${pod.metadata.name}`);
      t.keys('Enter');
      await t.waitFor(/\[1\/\d+\]/);
      const from = dev.server.requestLog.length;
      // the dangerous plugin's key does nothing (were it bound, its confirm dialog would take the next key)
      t.keys('D');
      t.keys('L');
      // the foreground plugin's kubectl ran while kmux waited for it: the proxy answers from its own thread
      await t.waitFor(/plugin label-it finished/, 60_000);
      const out = readFileSync(fg, 'utf8');
      expect(out).toContain(`Error from server (Forbidden): pods "${pod.metadata.name}" is forbidden: kmux is in read-only mode`);
      expect(out).toMatch(/^exit 1$/m);
      expect(out).toContain(`pod/${pod.metadata.name}`);
      t.keys('B');
      await until('the background plugin to finish', () => existsSync(bg) && readFileSync(bg, 'utf8').includes('done'), 60_000);
      const outBg = readFileSync(bg, 'utf8');
      expect(outBg).toContain('is forbidden: kmux is in read-only mode');
      expect(outBg).toContain(`pod/${pod.metadata.name}`);
      expect(dev.server.writes(from)).toEqual([]);
      expect(dev.cluster.store.get('pods', pod.metadata.namespace, pod.metadata.name).metadata.labels?.['ro-e2e']).toBeUndefined();
      expect(existsSync(danger)).toBe(false);
    } finally {
      t.kill();
    }
  });

  it('starts with a broken plugin file and a clash, and :plugins says what is wrong, where, and who wins', async () => {
    const cfg = join(dir, 'cfg-broken');
    mkdirSync(join(cfg, 'k9s'), { recursive: true });
    mkdirSync(join(cfg, 'kmux', 'plugins'), { recursive: true });
    writeFileSync(join(cfg, 'k9s', 'plugins.yaml'), 'plugins:\n  first:\n    shortCut: Shift-Q\n    description: first\n    scopes: [pods]\n    command: echo\n');
    writeFileSync(join(cfg, 'kmux', 'plugins', 'clash.yaml'), 'second:\n  shortCut: Shift-Q\n  description: second\n  scopes: [pods]\n  command: echo\n');
    writeFileSync(join(cfg, 'kmux', 'plugins', 'broken.yaml'), 'plugins:\n  bad: [unclosed\n');
    const t = new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, '--context', 'dev', '-A'], {
      env: { XDG_CONFIG_HOME: cfg, XDG_DATA_HOME: join(cfg, 'data') },
    });
    try {
      await t.waitFor(/pods\(all\)\[\d+\]/);
      t.type(':plugins');
      t.keys('Enter');
      const s = await t.waitFor(/plugins\[\d+\]/);
      expect(s).toMatch(/PARSE .*broken\.yaml:\d+/);
      expect(s).toMatch(/CLASH .*clash\.yaml:\d+/);
      // the whole story of the clash: both definitions and the winner
      const lines = s.split('\n').filter((l) => l.startsWith('│'));
      const at = lines.findIndex((l) => /CLASH/.test(l)) - 1; // minus the header line
      for (let i = 0; i < at; i++) t.keys('j');
      t.keys('Enter');
      const full = await t.waitFor(/plugin problem \(clash\)/);
      expect(full).toMatch(/plugins\.yaml:\d+/);
      expect(full).toMatch(/clash\.yaml:\d+/);
      expect(full).toMatch(/second/);
    } finally {
      t.kill();
    }
  });
});

/**
 * A K9s user's config dir (test/fixtures/k9s: plugins.yaml, plugins/<sub>/..., hotkeys.yaml) in
 * a real terminal. PLUGIN_OUT is where the fixture's plugins write (an environment variable of
 * the tester's: K9s and kmux leave it to the shell); a stand-in kubectl first on PATH records
 * its arguments there.
 */
describe.skipIf(!hasTmux())("a K9s config dir's plugins and hotkeys", () => {
  const FIXTURE = resolve(import.meta.dirname, '../fixtures/k9s');
  let n = 0;
  function setup() {
    const cfg = join(dir, `cfg-k9s-${++n}`);
    for (const f of ['plugins.yaml', 'plugins', 'hotkeys.yaml']) cpSync(join(FIXTURE, f), join(cfg, 'k9s', f), { recursive: true });
    const bin = join(cfg, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'kubectl'), '#!/bin/sh\nprintf \'%s\\0\' "$@" > "$PLUGIN_OUT"\n');
    chmodSync(join(bin, 'kubectl'), 0o755);
    const out = join(cfg, 'plugin-out');
    const env = { XDG_CONFIG_HOME: cfg, XDG_DATA_HOME: join(cfg, 'data'), PLUGIN_OUT: out, PATH: `${bin}${delimiter}${process.env.PATH}` };
    const t = new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, '--context', 'dev', '-A'], { env });
    return { cfg, bin, out, env, t };
  }
  async function written(out: string): Promise<string> {
    await until(`${out} written`, () => existsSync(out) && readFileSync(out, 'utf8').length > 0, 30_000);
    const text = readFileSync(out, 'utf8');
    rmSync(out);
    return text;
  }

  it('a containers-scoped plugin, run from the containers view of a pod, gets $POD, $CONTAINER and the view\'s columns', async () => {
    const { out, t } = setup();
    const pod = [...fleet.member('dev').cluster.store.iter('pods')].find((p) => p.spec.containers.length > 1)!;
    const second = pod.spec.containers[1];
    try {
      await t.waitFor(/pods\(all\)\[\d+\]/);
      t.type(`/${pod.metadata.name}`);
      t.keys('Enter');
      await t.waitFor(/\[1\/\d+\]/);
      t.keys('Enter');
      await t.waitFor(new RegExp(`containers\\(${pod.metadata.namespace}/${pod.metadata.name}\\)`), 30_000);
      t.keys('j');
      // d: K9s's containers view has no describe, so the plugin has the key
      t.keys('d');
      expect(await written(out)).toBe(`${pod.metadata.name} ${second.name} ${pod.metadata.namespace} ${second.name} ${second.image}\n`);
      await t.waitFor(/plugin container-names finished/, 30_000);
      // the containers view is still there after the plugin
      expect(t.screen()).toMatch(/containers\(/);
    } finally {
      t.kill();
    }
  });

  it("watch-events (plugins/<sub>/) on a deployment: kubectl gets exactly the arguments K9s would give it", async () => {
    const { out, t, env } = setup();
    const deploys = [...fleet.member('dev').cluster.store.iter('deployments.apps')];
    // one that a filter on its name finds alone
    const deploy = deploys.find((d) => deploys.filter((o) => o.metadata.name.includes(d.metadata.name)).length === 1)!;
    const { name, namespace: ns } = deploy.metadata;
    try {
      await t.waitFor(/pods\(all\)\[\d+\]/);
      t.type(':deploy');
      t.keys('Enter');
      await t.waitFor(/deployments\(all\)\[\d+\]/, 30_000);
      t.type(`/${name}`);
      t.keys('Enter');
      await t.waitFor(/\[1\/\d+\]/);
      t.keys('E');
      const kmuxArgv = (await written(out)).split('\0').slice(0, -1);
      // K9s: its regex substitution on the text, then sh with the user's environment as it is
      const script = readFileSync(join(FIXTURE, 'plugins', 'community', 'watch-events.yaml'), 'utf8').match(/- "(kubectl events[^"]*)"/)![1];
      const vars = { CONTEXT: 'dev', NAMESPACE: ns, NAME: name, RESOURCE_NAME: 'deployments', RESOURCE_GROUP: 'apps', RESOURCE_VERSION: 'v1' };
      execFileSync('sh', ['-c', k9sSubstitute(script, vars)], { env: { PATH: env.PATH, PLUGIN_OUT: out } });
      const k9sArgv = (await written(out)).split('\0').slice(0, -1);
      expect(k9sArgv).toEqual(['events', '--context', 'dev', '--namespace', ns, '--for', `deployments./${name}`, '--watch']);
      expect(kmuxArgv).toEqual(k9sArgv);
    } finally {
      t.kill();
    }
  });

  it("hotkeys: K9s's variables in the command, Ctrl-J its own key, and hotkeys.yaml edited while kmux runs", async () => {
    const { cfg, t } = setup();
    const pod = [...fleet.member('dev').cluster.store.iter('pods')].find((p) => p.metadata.namespace === 'checkout')!;
    try {
      await t.waitFor(/pods\(all\)\[\d+\]/);
      t.type(`/${pod.metadata.name}`);
      t.keys('Enter');
      await t.waitFor(/\[1\/\d+\]/);
      // Shift-1: pods $NAMESPACE, from the row under the cursor
      t.type('!');
      await t.waitFor(/pods\(checkout\)\[\d+\]/, 30_000);
      // Ctrl-J: nodes (Enter would drill into a pod's containers)
      t.keys('C-j');
      await t.waitFor(/ nodes(\(all\))?\[\d+\]/, 30_000);
      appendFileSync(join(cfg, 'k9s', 'hotkeys.yaml'), '  services-now:\n    shortCut: Shift-3\n    description: Services\n    command: svc\n');
      await t.waitFor(/hotkeys reloaded/, 30_000);
      t.type('#');
      await t.waitFor(/ services(\(all\))?\[\d+\]/, 30_000);
    } finally {
      t.kill();
    }
  });
});
