/** Plugins in a real terminal: a K9s plugins.yaml is listed in help and runs with the row's variables. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
