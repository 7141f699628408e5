/** Plugins in a real terminal: a K9s plugins.yaml is listed in help and runs with the row's variables. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { Terminal, hasTmux } from '../helpers/tmux.js';

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
