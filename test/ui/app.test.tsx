/**
 * The navigator screen in ink-testing-library: a real Session on a small in-process fleet,
 * keys written to stdin as a user types them, frames read back as text.
 */
import React from 'react';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { Session } from '../../src/app/session.js';
import { Settings } from '../../src/config/settings.js';
import { App } from '../../src/ui/App.js';

const ROWS = 40;
const COLS = 100; // what ink-testing-library's stdout reports

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-ui-'));
let fleet: Fleet;
let session: Session;
let app: ReturnType<typeof render>;
const saved = { kmux: process.env.KMUX_CONFIG_DIR, k9s: process.env.K9S_CONFIG_DIR };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// eslint-disable-next-line no-control-regex
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
const frame = () => strip(app.lastFrame() ?? '');

/** Wait for a frame that satisfies pred; fail with the last frame on screen. */
async function waitFrame(pred: (f: string) => boolean, what: string, ms = 5000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const f = frame();
    if (pred(f)) return f;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; last frame:\n${f}`);
    await sleep(25);
  }
}
const waitFor = (re: RegExp, ms?: number) => waitFrame((f) => re.test(f), String(re), ms);

/** Type text a key at a time, as a person would (Ink reads each write as one key). */
async function type(text: string): Promise<void> {
  for (const c of text) {
    app.stdin.write(c);
    await sleep(60);
  }
}
async function key(seq: string): Promise<void> {
  app.stdin.write(seq);
  await sleep(100);
}
const ENTER = '\r';
const ESC = '\x1b';

/** The title bar line of the main frame, e.g. "pods(all)[29]". */
function title(f: string): string {
  const line = f.split('\n').find((l) => l.startsWith('┌─') && /\[\d+(\/\d+)?\]/.test(l)) ?? '';
  return line.replace(/^┌─+\s*|\s*─+┐$/g, '');
}

/** Rows of the table: lines between the frame's side borders, minus the header line. */
function tableRows(f: string): string[] {
  const lines = f.split('\n').filter((l) => l.startsWith('│')).map((l) => l.slice(1, -1));
  return lines.slice(1).filter((l) => l.trim() !== '');
}

const count = (ctx: string, tk: string) => [...fleet.member(ctx).cluster.store.iter(tk)].length;

beforeAll(async () => {
  process.env.KMUX_CONFIG_DIR = path.join(dir, 'kmux');
  process.env.K9S_CONFIG_DIR = path.join(dir, 'k9s');
  fleet = await startFleet({ clusters: 2, nodes: 3, pods: 30 });
  const kc = path.join(dir, 'kubeconfig');
  fleet.writeKubeconfig(kc);
  session = new Session({ kubeconfig: loadKubeconfig([kc]), contexts: ['dev'], batchMs: 50, settings: new Settings(path.join(dir, 'kmux')) });
  const cmd = session.parse('pods');
  if (cmd.kind !== 'resource') throw new Error('pods is a resource command');
  const initial = session.specFor(cmd);
  expect(initial).toMatchObject({ resource: 'pods', contexts: ['dev'], namespace: undefined });
  session.start();
  app = render(<App session={session} initial={initial} version="0.0.0-test" />);
  // ink-testing-library's stdout has no rows: give it a height, as a terminal would on resize
  Object.defineProperty(app.stdout, 'rows', { value: ROWS, configurable: true });
  await sleep(20);
  app.stdout.emit('resize');
});

afterAll(async () => {
  app?.unmount();
  session?.stop();
  await fleet?.stop();
  process.env.KMUX_CONFIG_DIR = saved.kmux;
  process.env.K9S_CONFIG_DIR = saved.k9s;
  if (saved.kmux === undefined) delete process.env.KMUX_CONFIG_DIR;
  if (saved.k9s === undefined) delete process.env.K9S_CONFIG_DIR;
  rmSync(dir, { recursive: true, force: true });
});

describe('App', () => {
  it('opens on the pods of the first context, every namespace, with the header', async () => {
    const pods = count('dev', 'pods');
    expect(pods).toBeGreaterThan(10);
    const f = await waitFor(new RegExp(`pods\\(all\\)\\[${pods}\\]`));
    expect(title(f)).toBe(`pods(all)[${pods}]`);
    expect(f).toMatch(/^Context:\s+dev\b/m);
    expect(f).toMatch(/^Cluster:\s+kmux-sim-dev\b/m);
    expect(f).toMatch(/^kmux Rev:\s+v0\.0\.0-test\b/m);
    // one context: no CONTEXT column; every namespace: a NAMESPACE column
    expect(f).toMatch(/│\s*NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS/);
    expect(f).not.toMatch(/│\s*CONTEXT\s/);
    // the whole screen, no wider and no taller than the terminal
    const lines = f.split('\n');
    expect(lines).toHaveLength(ROWS);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(COLS);
    // the rows that fit: 40 lines - 7 header - crumbs - status - 3 frame/header lines
    expect(tableRows(f)).toHaveLength(ROWS - 7 - 1 - 1 - 3);
    expect(f).toMatch(/<pods>/);
  });

  it('/ filters as you type; esc clears the filter', async () => {
    const pods = count('dev', 'pods');
    await waitFor(new RegExp(`pods\\(all\\)\\[${pods}\\]`));
    await key('/');
    await waitFor(/│ \/.*│/); // the prompt box
    await type('coredns');
    const dns = [...fleet.member('dev').cluster.store.iter('pods')].filter((p) => /coredns/i.test(p.metadata.name)).length;
    expect(dns).toBeGreaterThan(0);
    // live: the table narrows before Enter
    await waitFor(new RegExp(`\\[${dns}/${pods}\\]`));
    await key(ENTER);
    const f = await waitFor(new RegExp(`pods\\(all\\)\\[${dns}/${pods}\\] </coredns>`));
    const rows = tableRows(f);
    expect(rows).toHaveLength(dns);
    for (const r of rows) expect(r).toMatch(/^\s*kube-system\s/);
    expect(f).not.toMatch(/│ \/coredns/); // the prompt closed

    await key(ESC);
    const back = await waitFor(new RegExp(`pods\\(all\\)\\[${pods}\\] `));
    expect(title(back)).toBe(`pods(all)[${pods}]`);
  });

  it('a bad regex says so in the prompt, and Enter reports it without filtering', async () => {
    const pods = count('dev', 'pods');
    await key('/');
    await type('[');
    const f = await waitFor(/invalid regular expression/);
    // the error shows in the prompt line, next to what was typed
    expect(f).toMatch(/│ \/\[.*invalid regular expression "\[/);
    // nothing was filtered
    expect(title(f)).toBe(`pods(all)[${pods}]`);
    await key(ENTER);
    const g = await waitFrame((x) => !/│ \/\[/.test(x), 'prompt closed');
    // the status line (last line) carries the error
    expect(g.split('\n').at(-1)).toMatch(/invalid regular expression "\["/);
    expect(title(g)).toBe(`pods(all)[${pods}]`);
  });

  it('? shows the help with the bindings of the view below it', async () => {
    await key('?');
    const f = await waitFor(/─ help( \d+%)? ─/);
    expect(f).toMatch(/│ GENERAL/);
    expect(f).toMatch(/│ RESOURCE/);
    // in the help list, not the header's hints: key padded to a column, then the description
    expect(f).toMatch(/│\s{3}<ctrl-d>\s{6,}delete/);
    expect(f).toMatch(/│\s{3}\/\s{10,}filter/);
    expect(f).toMatch(/<help>/); // crumbs
    await key(ESC);
    await waitFor(/pods\(all\)\[\d+\]/);
    expect(frame()).not.toMatch(/─ help( \d+%)? ─/);
  });

  it(': deploy Enter switches to deployments', async () => {
    const deploys = count('dev', 'deployments.apps');
    expect(deploys).toBeGreaterThan(1);
    await key(':');
    await type('deploy');
    // the prompt shows what was typed
    await waitFor(/│ :deploy/);
    await key(ENTER);
    const f = await waitFor(new RegExp(`deployments\\(all\\)\\[${deploys}\\]`));
    expect(title(f)).toBe(`deployments(all)[${deploys}]`);
    expect(f).toMatch(/│\s*NAMESPACE\s+NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(tableRows(f)).toHaveLength(Math.min(deploys, ROWS - 12));
    expect(f).toMatch(/<deployments>/);
    expect(f).not.toMatch(/<pods>/); // a : command starts a new stack
    // every deployment of the cluster by name, with its namespace
    for (const d of fleet.member('dev').cluster.store.iter('deployments.apps')) {
      expect(f).toMatch(new RegExp(`│ ${d.metadata.namespace}\\s+${d.metadata.name}\\s+\\d+/\\d+\\s`));
    }
  });

  it(':pods @all merges every context with a CONTEXT column', async () => {
    const total = count('dev', 'pods') + count('staging', 'pods');
    await key(':');
    await type('pods @all');
    await key(ENTER);
    const f = await waitFor(new RegExp(`pods\\(all\\)@dev,staging\\[${total}\\]`));
    // 100 columns cannot hold all eleven: NAMESPACE may be cut, but it is there, in order
    expect(f).toMatch(/│\s*CONTEXT\s+NAMESPA(CE|…)\s+NAME/);
    expect(f).toMatch(/^Context:\s+dev,staging\b/m);
    const ctxs = new Set(tableRows(f).map((r) => r.trim().split(/\s+/)[0]));
    expect([...ctxs].every((c) => c === 'dev' || c === 'staging')).toBe(true);
  });

  it('an unknown resource is reported and the view stays', async () => {
    await key(':');
    await type('nosuchthing');
    await key(ENTER);
    const f = await waitFor(/unknown resource "nosuchthing"/);
    expect(title(f)).toMatch(/^pods\(all\)@dev,staging\[\d+\]$/);
  });
});
