/**
 * A K9s configuration directory (test/fixtures/k9s: config.yaml, a per-context config.yaml,
 * aliases.yaml, views.yaml) pointed at with K9S_CONFIG_DIR, in a real terminal against the
 * simulated fleet: each key shows on screen.
 */
import { describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { e2eFleet } from '../helpers/e2e.js';
import { hasTmux, type Terminal } from '../helpers/tmux.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/k9s');
const e2e = e2eFleet('k9scfg', { clusters: 2, names: ['dev', 'staging'], nodes: 2, pods: 20, seed: 14 });
let runs = 0;

/** kmux with a copy of the fixture as K9s's dir (its config.yaml replaced when given), and kmux's own config.yaml when given. */
function kmux(args: string[], kmuxConfig?: string, k9sConfig?: string): { t: Terminal; k9s: string } {
  const root = join(e2e.dir, `run-${++runs}`);
  const k9s = join(root, 'k9s');
  cpSync(FIXTURE, k9s, { recursive: true });
  if (k9sConfig !== undefined) writeFileSync(join(k9s, 'config.yaml'), k9sConfig);
  if (kmuxConfig !== undefined) {
    mkdirSync(join(root, 'kmux'), { recursive: true });
    writeFileSync(join(root, 'kmux', 'config.yaml'), kmuxConfig);
  }
  const t = e2e.kmux(args, { XDG_CONFIG_HOME: root, XDG_DATA_HOME: join(root, 'data'), K9S_CONFIG_DIR: k9s });
  return { t, k9s };
}

/** The table's column header line (the first line that names NAME as a column). */
const headerLine = (screen: string) => screen.split('\n').find((l) => /│\s*(AGE|NAME)\S?\s{2,}/.test(l)) ?? '';

describe.skipIf(!hasTmux())("a K9s user's config directory", () => {
  it('config.yaml and the context\'s own: defaultView in namespace.active, favorites, logoless, read-only, noExitOnCtrlC; aliases; an @namespace view; :problems', async () => {
    const { t } = kmux(['--context', 'staging'], 'bogusKey: 1\n');
    try {
      // defaultView: deploy, in the context's namespace.active, with views.yaml's columns
      let s = await t.waitFor(/deployments\(kube-system\)\[\d+\]/);
      await t.waitFor((x) => /IMAGE/.test(headerLine(x)) && /coredns/.test(x));
      s = t.screen();
      expect(headerLine(s)).toMatch(/NAME\s+READY\s+IMAGE/);
      // the context's favorites, then kmux's remembered ones
      expect(s).toMatch(/<1>\s*kube-system/);
      // ui.logoless: no logo in the header, which is there (ui.headless: false)
      expect(s).toContain('Context:');
      expect(s).not.toContain('|_|');
      // the context's readOnly: true refuses a delete and names the file
      t.keys('C-d');
      s = await t.waitFor(/read-only mode: delete is disabled/);
      expect(s).toMatch(/clusters\/kmux-sim-staging\/staging\/config\.yaml/);
      // noExitOnCtrlC: ctrl-c says how to leave instead of leaving
      t.keys('C-c');
      await t.waitFor(/ctrl-c does not quit here/);
      // aliases.yaml: pp: v1/pods opens pods; views.yaml's v1/pods@kube-.* applies in kube-system
      t.type(':pp');
      t.keys('Enter');
      await t.waitFor((x) => /pods\(kube-system\)\[\d+\]/.test(x) && /NAME\s+NODE\s+READY/.test(headerLine(x)));
      // an alias that is a whole command
      t.type(':sys');
      t.keys('Enter');
      await t.waitFor(/services\(kube-system\)\[\d+\]/);
      // the unknown key of kmux's config.yaml and K9s keys kmux does not use, with the reason
      t.type(':problems');
      t.keys('Enter');
      s = await t.waitFor(/bogusKey: unknown key/);
      expect(s).toMatch(/k9s\.maxConnRetry: ignored: kmux never gives up/);
      t.keys('Escape');
      t.type(':q');
      t.keys('Enter');
      await t.waitFor(/\[exited 0\]/);
    } finally {
      t.kill();
    }
  });

  it('kmux\'s config.yaml wins over K9s\'s: headless and crumbsless; logger.tail and showTime open the logs', async () => {
    const { t } = kmux(['--context', 'dev', '-n', 'default', '-c', 'pods'], 'ui:\n  headless: true\n  crumbsless: true\n');
    try {
      let s = await t.waitFor(/pods\(default\)\[\d+\]/);
      s = await t.waitFor((x) => /Running/.test(x));
      expect(s).not.toContain('Context:'); // no header
      expect(s).not.toMatch(/<pods>/); // no crumbs
      t.keys('Down');
      t.type('l');
      // K9s's logger: the last 50 lines, with timestamps
      s = await t.waitFor(/logs \S+ \[\d+\] tail 50 timestamps/);
      await t.waitFor(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    } finally {
      t.kill();
    }
  });

  it('ui.reactive: config.yaml edited while kmux runs hides the header and the crumbs', async () => {
    const { t, k9s } = kmux(['--context', 'dev', '-n', 'default', '-c', 'pods'], undefined, 'k9s:\n  ui:\n    reactive: true\n');
    try {
      let s = await t.waitFor(/pods\(default\)\[\d+\]/);
      expect(s).toContain('Context:');
      expect(s).toMatch(/<pods>/);
      writeFileSync(join(k9s, 'config.yaml'), 'k9s:\n  ui:\n    reactive: true\n    headless: true\n    crumbsless: true\n');
      s = await t.waitFor((x) => !x.includes('Context:') && !/<pods>/.test(x) && /pods\(default\)/.test(x));
      expect(s).toMatch(/config\.yaml reloaded/);
    } finally {
      t.kill();
    }
  });

  it('views.yaml: K9s\'s column names with metrics, and an edit while kmux runs changes the columns', async () => {
    const { t, k9s } = kmux(['--context', 'dev', '-n', 'default', '-c', 'pods']);
    try {
      await t.waitFor(/pods\(default\)\[\d+\]/);
      // AGE first, NAMESPACE and NODE only wide; %CPU/R from metrics (a number, not n/a), MEM/RL from the spec
      const s = await t.waitFor((x) => /AGE↓?\s+NAME\s+STATUS\s+%CPU\/R\s+MEM\/RL/.test(headerLine(x)) && /Running\s+\d+\s+\d+:\d+/.test(x), 30_000);
      expect(headerLine(s)).not.toMatch(/NAMESPACE|NODE/);
      writeFileSync(join(k9s, 'views.yaml'), 'views:\n  v1/pods:\n    columns: [NAME, "PODIP:.status.podIP", READY]\n');
      const after = await t.waitFor((x) => /NAME\s+PODIP\s+READY/.test(headerLine(x)) && /\d+\.\d+\.\d+\.\d+\s+\d\/\d/.test(x), 20_000);
      expect(headerLine(after)).not.toMatch(/%CPU\/R/);
      expect(after).toMatch(/views\.yaml reloaded/);
    } finally {
      t.kill();
    }
  });
});
