/**
 * Regression tests for the defects issue 12 names, through the whole navigator in
 * ink-testing-library: a real Session on an in-process fleet, keys written to stdin as a user
 * types them, frames read back as text. Each test starts kmux of its own (its own size, config
 * files and Session) on one shared fleet.
 */
import React from 'react';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { Session, type SessionOptions } from '../../src/app/session.js';
import { Settings } from '../../src/config/settings.js';
import { App } from '../../src/ui/App.js';
import { builtinKeysFor, SCOPES_WITH_KEYS } from '../../src/ui/keys/defs.js';

const ENTER = '\r';
const ESC = '\x1b';
const PGDN = '\x1b[6~';
const CTRL_W = '\x17';
const CTRL_D = '\x04';

// eslint-disable-next-line no-control-regex
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const root = mkdtempSync(path.join(os.tmpdir(), 'kmux-regress-'));
const kubeconfig = path.join(root, 'kubeconfig');
let fleet: Fleet;

/** What the tests look for: objects of their own in the dev cluster. */
const LONG_DATA = Object.fromEntries(Array.from({ length: 40 }, (_x, i) => [`key-${String(i).padStart(2, '0')}`, `value ${i}`]));
const UNICODE = 'Café crème ✅ naïve 👩‍💻 e\u0301 ⚠️ 日本語';
const SECRET = 'hunter2-s3cret';

beforeAll(async () => {
  fleet = await startFleet({ clusters: 2, nodes: 3, pods: 60 });
  fleet.writeKubeconfig(kubeconfig);
  const store = fleet.member('dev').cluster.store;
  store.create('configmaps', { metadata: { name: 'regress-long', namespace: 'default' }, data: LONG_DATA });
  store.create('configmaps', { metadata: { name: 'regress-unicode', namespace: 'default' }, data: { note: UNICODE } });
  store.create('secrets', { metadata: { name: 'regress-secret', namespace: 'default' }, type: 'Opaque', data: { password: Buffer.from(SECRET).toString('base64') } });
});

afterAll(async () => {
  await fleet?.stop();
  rmSync(root, { recursive: true, force: true });
});

interface Ui {
  session: Session;
  frame(): string;
  waitFrame(pred: (f: string) => boolean, what: string, ms?: number): Promise<string>;
  waitFor(re: RegExp, ms?: number): Promise<string>;
  key(...seqs: string[]): Promise<void>;
  type(text: string): Promise<void>;
  stop(): void;
}
let running: Ui[] = [];
let runs = 0;

afterEach(() => {
  for (const u of running.splice(0)) u.stop();
});

/** kmux in ink-testing-library at a size, with config files of its own (paths relative to its config home). */
async function launch(o: { cols?: number; rows?: number; contexts?: string[]; view?: string; files?: Record<string, string>; session?: Partial<SessionOptions> } = {}): Promise<Ui> {
  const cols = o.cols ?? 100;
  const rows = o.rows ?? 40;
  const dir = path.join(root, `run-${++runs}`);
  for (const [f, text] of Object.entries(o.files ?? {})) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  const env = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg'), XDG_DATA_HOME: path.join(dir, 'data'), KMUX_CONFIG_DIR: path.join(dir, 'kmux'), K9S_CONFIG_DIR: path.join(dir, 'k9s') };
  const session = new Session({ kubeconfig: loadKubeconfig([kubeconfig]), contexts: o.contexts ?? ['dev'], batchMs: 50, settings: new Settings(path.join(dir, 'kmux')), env, ...o.session });
  const cmd = session.parse(o.view ?? 'pods');
  if (cmd.kind !== 'resource') throw new Error(`${o.view} is not a resource view`);
  const initial = session.specFor(cmd);
  session.start();
  const app = render(<App session={session} initial={initial} version="0.0.0-test" />);
  Object.defineProperty(app.stdout, 'columns', { value: cols, configurable: true });
  Object.defineProperty(app.stdout, 'rows', { value: rows, configurable: true });
  await sleep(20);
  app.stdout.emit('resize');
  const frame = () => strip(app.lastFrame() ?? '');
  const ui: Ui = {
    session,
    frame,
    async waitFrame(pred, what, ms = 15_000) {
      const t0 = Date.now();
      for (;;) {
        const f = frame();
        if (pred(f)) return f;
        if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; last frame:\n${f}`);
        await sleep(25);
      }
    },
    waitFor: (re, ms) => ui.waitFrame((f) => re.test(f), String(re), ms),
    async key(...seqs) {
      for (const s of seqs) {
        app.stdin.write(s);
        await sleep(80);
      }
    },
    async type(text) {
      for (const c of text) {
        app.stdin.write(c);
        await sleep(60);
      }
    },
    stop() {
      app.unmount();
      session.stop();
    },
  };
  running.push(ui);
  return ui;
}

/** The title of the screen's frame, e.g. "pods(all)[29]" or "describe configmaps/x 50%". */
function title(f: string): string {
  const line = f.split('\n').find((l) => /^┌─+ .* ─+┐$/.test(l)) ?? '';
  return line.replace(/^┌─+ /, '').replace(/ ─+┐$/, '');
}
/** The lines inside the screen's frame. */
const body = (f: string) => f.split('\n').filter((l) => l.startsWith('│')).map((l) => l.slice(1, -1));
/** A table's rows: the frame's lines after the column header. */
const tableRows = (f: string) => body(f).slice(1).filter((l) => l.trim() !== '');
const count = (ctx: string, tk: string) => [...fleet.member(ctx).cluster.store.iter(tk)].length;
const podNames = (ctx = 'dev') => new Set([...fleet.member(ctx).cluster.store.iter('pods')].map((p) => p.metadata.name as string));
/**
 * The pod a table row shows and its namespace. Its name as drawn may be cut with an ellipsis
 * (as the code before issue 12 did): then the first pod, in the table's order (namespace, then
 * name), whose name starts so, which is right for the first row of a view.
 */
function podOf(row: string, ctx = 'dev'): { name: string; namespace: string } {
  const key = (p: any) => `${p.metadata.namespace}\u0000${p.metadata.name}`;
  const pods = [...fleet.member(ctx).cluster.store.iter('pods')].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  for (const t of row.trim().split(/\s+/)) {
    const p = pods.find((x) => x.metadata.name === t || (t.endsWith('…') && x.metadata.name.startsWith(t.slice(0, -1))));
    if (p) return { name: p.metadata.name, namespace: p.metadata.namespace };
  }
  throw new Error(`no pod of ${ctx} in the row ${row}`);
}

/** Open an object's describe from its view: filter down to it, then d. */
async function describeOf(ui: Ui, view: string, name: string): Promise<string> {
  await ui.key(':');
  await ui.type(view);
  await ui.key(ENTER);
  await ui.waitFor(new RegExp(`^┌─+ ${view}\\(all\\)\\[\\d+\\] ─+┐$`, 'm'));
  await ui.key('/');
  await ui.type(name);
  await ui.key(ENTER);
  await ui.waitFor(new RegExp(`\\[1/\\d+\\] </${name}>`));
  await ui.key('d');
  return ui.waitFor(new RegExp(`describe ${view}/${name}`));
}

describe('describe scrolls to its very end while the header is shown', () => {
  const lastLine = (f: string) => body(f).map((l) => l.trim()).filter(Boolean).at(-1);

  it('G', async () => {
    const ui = await launch();
    await ui.waitFor(/pods\(all\)\[\d+\]/);
    let f = await describeOf(ui, 'configmaps', 'regress-long');
    expect(f).toMatch(/^Context:\s+dev/m); // the header takes 7 lines
    expect(lastLine(f)).not.toMatch(/^Events:/);
    await ui.key('G');
    f = await ui.waitFrame((x) => /^Events:\s+<none>$/.test(lastLine(x) ?? ''), 'the last line of the describe');
    expect(title(f)).toMatch(/ 100%$/);
  });

  it('PgDn, page after page', async () => {
    const ui = await launch();
    await ui.waitFor(/pods\(all\)\[\d+\]/);
    await describeOf(ui, 'configmaps', 'regress-long');
    // 40 keys and their values: well over four pages of 29 lines
    for (let i = 0; i < 7; i++) await ui.key(PGDN);
    const f = await ui.waitFrame((x) => /^Events:\s+<none>$/.test(lastLine(x) ?? ''), 'the last line of the describe');
    expect(title(f)).toMatch(/ 100%$/);
  });

  it('j, line after line', async () => {
    const ui = await launch();
    await ui.waitFor(/pods\(all\)\[\d+\]/);
    const f0 = await describeOf(ui, 'configmaps', 'regress-long');
    const pct = Number(title(f0).match(/(\d+)%$/)![1]);
    const total = Math.round((body(f0).length * 100) / pct);
    for (let i = 0; i < total - body(f0).length + 3; i++) await ui.key('j');
    await ui.waitFrame((x) => /^Events:\s+<none>$/.test(lastLine(x) ?? ''), 'the last line of the describe');
  });
});

it('help scrolls to its last line and never past it: j, PgDn and G', async () => {
  const ui = await launch();
  await ui.waitFor(/pods\(all\)\[\d+\]/);
  await ui.key('?');
  const f0 = await ui.waitFor(/─ help/);
  const inner = body(f0).length;
  /** the last page: as many lines as fit, the last one help's last, no blank lines after it */
  const atEnd = (f: string) => {
    const lines = body(f);
    expect(lines).toHaveLength(inner);
    expect(lines.filter((l) => l.trim() === '')).toEqual([]);
    expect(lines.at(-1)).toMatch(/:q(uit)?\b/);
  };
  // far more than it takes, each way
  for (let i = 0; i < 6; i++) await ui.key(PGDN);
  atEnd(await ui.waitFrame((x) => /:q(uit)?\b/.test(body(x).at(-1) ?? ''), 'PgDn to the end'));
  await ui.key('g');
  await ui.waitFrame((x) => /GENERAL/.test(body(x)[0] ?? ''), 'the top');
  await ui.key('G');
  atEnd(await ui.waitFrame((x) => /:q(uit)?\b/.test(body(x).at(-1) ?? ''), 'G to the end'));
  await ui.key('g');
  await ui.waitFrame((x) => /GENERAL/.test(body(x)[0] ?? ''), 'the top');
  for (let i = 0; i < 80; i++) await ui.key('j');
  const f = await ui.waitFrame((x) => /:q(uit)?\b/.test(body(x).at(-1) ?? ''), 'j to the end');
  atEnd(f);
  expect(title(f)).toBe('help 100%');
});

it(':skins opens with the cursor on the skin in use (enter keeps it)', async () => {
  const ui = await launch({ session: { skin: 'solarized-dark' } });
  await ui.waitFor(/pods\(all\)\[\d+\]/);
  await ui.key(':');
  await ui.type('skins');
  await ui.key(ENTER);
  const f = await ui.waitFor(/skins\[\d+\]/);
  expect(f).toMatch(/\* solarized-dark/);
  // solarized-dark is not the first skin: the cursor was put on it
  expect(tableRows(f)[0]).not.toMatch(/solarized-dark/);
  await ui.key(ENTER);
  await ui.waitFor(/skin: solarized-dark/);
});

describe('table columns', () => {
  it('at 80x24 a pod\'s NAME is not cut: columns are dropped by priority, NAME and STATUS stay', async () => {
    const ui = await launch({ cols: 80, rows: 24 });
    const f = await ui.waitFor(new RegExp(`pods\\(all\\)\\[${count('dev', 'pods')}\\]`));
    const header = body(f)[0];
    expect(header).toMatch(/\bNAME\b/);
    expect(header).toMatch(/\bSTATUS\b/);
    const names = podNames();
    const rows = tableRows(f);
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) expect(r.split(/\s+/).some((t) => names.has(t)), r).toBe(true);
    for (const l of f.split('\n')) expect(stringWidth(l)).toBeLessThanOrEqual(80);
  });

  it('column widths do not change while paging down a long table', async () => {
    const ui = await launch({ cols: 100, rows: 30 });
    let f = await ui.waitFor(new RegExp(`pods\\(all\\)\\[${count('dev', 'pods')}\\]`));
    const headers = new Set([body(f)[0]]);
    let first = tableRows(f)[0];
    for (let i = 0; i < 4; i++) {
      await ui.key(PGDN);
      f = await ui.waitFrame((x) => tableRows(x)[0] !== first, 'the next page');
      first = tableRows(f)[0];
      headers.add(body(f)[0]);
    }
    expect([...headers]).toHaveLength(1);
  });

  it('wide mode (ctrl-w) does not cut NAME', async () => {
    const ui = await launch({ cols: 100, rows: 40 });
    const f0 = await ui.waitFor(new RegExp(`pods\\(all\\)\\[${count('dev', 'pods')}\\]`));
    await ui.key(CTRL_W);
    const f = await ui.waitFrame((x) => body(x)[0] !== body(f0)[0], 'the wide columns');
    const names = podNames();
    for (const r of tableRows(f)) expect(r.split(/\s+/).some((t) => names.has(t)), r).toBe(true);
  });
});

it('header key hints are never cut with an ellipsis at 80, 100, 120 and 160 columns', async () => {
  for (const cols of [80, 100, 120, 160]) {
    const ui = await launch({ cols, rows: 40 });
    const f = await ui.waitFor(new RegExp(`pods\\(all\\)\\[${count('dev', 'pods')}\\]`));
    const header = f.split('\n').slice(0, 7);
    expect(header[0]).toMatch(/^Context:\s+dev/);
    expect(header.join('\n'), `at ${cols} columns`).not.toContain('…');
    // the hints are there: help and the prompts at least
    expect(header.join('\n')).toMatch(/<\?>\s+help|\?\s+help/);
    ui.stop();
    running = running.filter((x) => x !== ui);
  }
});

it('text with accents and emoji does not shift the frame\'s right border', async () => {
  const ui = await launch({ cols: 100, rows: 40 });
  await ui.waitFor(/pods\(all\)\[\d+\]/);
  await ui.key(':');
  await ui.type('configmaps');
  await ui.key(ENTER);
  await ui.waitFor(/configmaps\(all\)\[\d+\]/);
  await ui.key('/');
  await ui.type('regress-unicode');
  await ui.key(ENTER);
  await ui.waitFor(/\[1\/\d+\]/);
  await ui.key('y');
  const f = await ui.waitFor(/yaml configmaps\/regress-unicode/);
  expect(f).toContain('Café crème ✅');
  for (const l of f.split('\n').filter((x) => x.startsWith('│'))) {
    expect(stringWidth(l), l).toBe(100);
    expect(l.endsWith('│'), l).toBe(true);
  }
  // a message in the status line: the whole screen keeps its size
  await ui.key(':');
  await ui.type('nosuch-café-✅');
  await ui.key(ENTER);
  const g = await ui.waitFor(/unknown resource "nosuch-café-✅"/);
  const lines = g.split('\n');
  expect(lines).toHaveLength(40);
  for (const l of lines) expect(stringWidth(l), l).toBeLessThanOrEqual(100);
  for (const l of lines.filter((x) => x.startsWith('│'))) expect(stringWidth(l), l).toBe(100);
});

it(':ctx: space marks two contexts, enter opens one merged view', async () => {
  const ui = await launch();
  await ui.waitFor(/pods\(all\)\[\d+\]/);
  await ui.key(':');
  await ui.type('ctx');
  await ui.key(ENTER);
  await ui.waitFor(/contexts\[\d+\]/);
  await ui.key('g', ' ', 'j', ' ', ENTER);
  const f = await ui.waitFor(new RegExp(`pods\\(all\\)@dev,staging\\[${count('dev', 'pods') + count('staging', 'pods')}\\]`));
  expect(f).toMatch(/^Context:\s+dev,staging/m);
});

it('a merged view opens with the cursor on its first row, whichever context answers first', async () => {
  // dev answers last: its rows come first in the view once they arrive
  fleet.member('dev').server.faults.latencyMs = 1500;
  let ui: Ui;
  try {
    ui = await launch({ contexts: ['dev', 'staging'], view: 'pods @all' });
    await ui.waitFor(/pods\(all\)@dev,staging\[\d+\]/);
  } finally {
    setTimeout(() => { fleet.member('dev').server.faults.latencyMs = 0; }, 4000);
  }
  const f = await ui.waitFor(new RegExp(`pods\\(all\\)@dev,staging\\[${count('dev', 'pods') + count('staging', 'pods')}\\]`), 30_000);
  fleet.member('dev').server.faults.latencyMs = 0;
  const firstRow = tableRows(f)[0].trim().split(/\s+/);
  expect(firstRow[0]).toBe('dev');
  const firstName = podOf(tableRows(f)[0]).name;
  // what the cursor is on: describe says
  await ui.key('d');
  await ui.waitFor(new RegExp(`describe pods/${firstName}\\b`));
});

it(':po app=x shows the selector in the title', async () => {
  const ui = await launch();
  await ui.waitFor(/pods\(all\)\[\d+\]/);
  const app = [...fleet.member('dev').cluster.store.iter('pods')].map((p) => p.metadata.labels?.app).find(Boolean) as string;
  const n = [...fleet.member('dev').cluster.store.iter('pods')].filter((p) => p.metadata.labels?.app === app).length;
  await ui.key(':');
  await ui.type(`po app=${app}`);
  await ui.key(ENTER);
  const f = await ui.waitFor(new RegExp(`pods\\(all\\)\\[${n}\\] <-l app=${app}>`));
  expect(title(f)).toBe(`pods(all)[${n}] <-l app=${app}>`);
});

it('x on a secret\'s YAML shows its values decoded', async () => {
  const ui = await launch();
  await ui.waitFor(/pods\(all\)\[\d+\]/);
  await ui.key(':');
  await ui.type('secrets');
  await ui.key(ENTER);
  await ui.waitFor(/secrets\(all\)\[\d+\]/);
  await ui.key('/');
  await ui.type('regress-secret');
  await ui.key(ENTER);
  await ui.waitFor(/\[1\/\d+\]/);
  await ui.key('y');
  let f = await ui.waitFor(/yaml secrets\/regress-secret/);
  expect(f).not.toContain(SECRET);
  await ui.key('x');
  f = await ui.waitFor(/yaml secrets\/regress-secret.*\(revealed\)/);
  expect(body(f).some((l) => l.includes(`password: ${SECRET}`))).toBe(true);
});

it(':aliases lists the built-in short names (po, deploy...)', async () => {
  const ui = await launch();
  await ui.waitFor(/pods\(all\)\[\d+\]/);
  await ui.key(':');
  await ui.type('aliases');
  await ui.key(ENTER);
  await ui.waitFor(/aliases\[\d+\]/);
  await ui.key('/');
  await ui.type('^(po|deploy|svc)$');
  await ui.key(ENTER);
  const f = await ui.waitFor(/aliases\[3\/\d+\]/);
  const rows = tableRows(f).map((r) => r.trim().split(/\s+/).slice(0, 2).join(' '));
  expect(rows).toEqual(['deploy deployments.apps', 'po pods', 'svc services']);
});

it('help says how to add a favorite namespace; the header shows the favorites', async () => {
  const ui = await launch();
  const f = await ui.waitFor(/pods\(all\)\[\d+\]/);
  const header = f.split('\n').slice(0, 7).join('\n');
  expect(header).toMatch(/<0>\s+all/);
  expect(header).toMatch(/<1>\s+default/);
  await ui.key('?');
  await ui.waitFor(/─ help/);
  // further down: the 0-9 key and the favorites, each saying how to add one
  const key = /0-9\s+favorite namespace \(0 = all; :ns NAME adds one\)/;
  const favs = /favorites: 0 all {2}1 default {3}\(:ns NAME switches and adds one\)/;
  let seen = { key: false, favs: false };
  for (let i = 0; i < 80 && !(seen.key && seen.favs); i++) {
    await ui.key('j');
    const h = ui.frame();
    seen = { key: seen.key || key.test(h), favs: seen.favs || favs.test(h) };
  }
  expect(seen).toEqual({ key: true, favs: true });
});

it('ctrl-d shows the whole name, namespace and context of what is deleted, wrapped on a narrow terminal', async () => {
  const ui = await launch({ cols: 60, rows: 30 });
  const f0 = await ui.waitFor(new RegExp(`pods\\(all\\)\\[${count('dev', 'pods')}\\]`));
  const { name, namespace: ns } = podOf(tableRows(f0)[0]);
  await ui.key(CTRL_D);
  const f = await ui.waitFor(/│ Delete pods\//);
  const box = f.split('\n').filter((l) => /^ +│ .* │ *$/.test(l)).map((l) => l.trim().slice(2, -2).trim());
  const text = box.join(' ');
  expect(f).not.toMatch(/│ Delete .*…/);
  expect(text.replace(/\s+/g, '')).toContain(`Deletepods/${name}in${ns}(dev)?`);
  await ui.key(ESC);
  await ui.waitFor(/delete cancelled/);
});

describe('a plugin on a built-in key', () => {
  const plugin = (override: boolean) => ({
    'k9s/plugins.yaml': [
      'plugins:',
      '  my-logs:',
      '    shortCut: l',
      `    override: ${override}`,
      '    description: my logs',
      '    scopes: [pods]',
      '    command: echo',
      '    args: [my-logs-ran-for, $NAME]',
      '    overwriteOutput: true',
      '',
    ].join('\n'),
  });
  const builtinKeys = { forScope: builtinKeysFor, scopes: SCOPES_WITH_KEYS, everywhere: () => builtinKeysFor('all') };

  it('with override: true pressing the key runs the plugin', async () => {
    const ui = await launch({ files: plugin(true), session: { builtinKeys } });
    const f = await ui.waitFor(new RegExp(`pods\\(all\\)\\[${count('dev', 'pods')}\\]`));
    const { name } = podOf(tableRows(f)[0]);
    await ui.key('l');
    await ui.waitFor(new RegExp(`my-logs-ran-for ${name}`));
    expect(ui.frame()).not.toMatch(/logs \S+ \[\d+\]/);
  });

  it('without override kmux\'s key wins, and the clash is reported when plugins load', async () => {
    const ui = await launch({ files: plugin(false), session: { builtinKeys } });
    const f = await ui.waitFor(new RegExp(`pods\\(all\\)\\[${count('dev', 'pods')}\\]`));
    const clash = ui.session.plugins.problems.find((p) => p.kind === 'clash');
    expect(clash?.message).toMatch(/plugin "?my-logs"?: .*kmux's key wins/);
    const { name } = podOf(tableRows(f)[0]);
    await ui.key('l');
    await ui.waitFor(new RegExp(`logs ${name} \\[\\d+\\]`));
    expect(ui.frame()).not.toContain('my-logs-ran-for');
  });
});
