import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hotkeyForKey, loadHotkeys, parseHotkeyFile } from '../../src/plugins/hotkeys.js';
import { parseKey } from '../../src/plugins/keys.js';
import { formatProblem } from '../../src/plugins/load.js';
import { tree, type Tree } from './helpers.js';

let t: Tree;
beforeEach(() => {
  t = tree();
});
afterEach(() => t.cleanup());

describe('hotkeys', () => {
  it("loads K9s's and kmux's hotkeys.yaml; kmux's wins for the same id", () => {
    const k9s = t.write('config/k9s/hotkeys.yaml', `hotKeys:
  pods-everywhere:
    shortCut: Shift-1
    description: All pods
    command: pods @all
  deploys:
    shortCut: Shift-2
    description: Deployments
    command: dp
    keepHistory: true
`);
    const kmux = t.write('config/kmux/hotkeys.yaml', `hotKeys:
  pods-everywhere:
    shortCut: Shift-1
    description: Prod pods
    command: pods @prod
`);
    const r = loadHotkeys({ env: t.env });
    expect(r.sources).toEqual([k9s, kmux]);
    expect(r.hotkeys.map((h) => [h.id, h.command, h.keepHistory, h.bound])).toEqual([
      ['deploys', 'dp', true, true],
      ['pods-everywhere', 'pods @prod', false, true],
    ]);
    expect(r.problems.map(formatProblem)).toEqual([`${kmux}:2: hotkey "pods-everywhere" replaces the one from ${k9s}:2`]);
    // Shift-1 arrives as '!'
    expect(hotkeyForKey(r.hotkeys, '!', { ctrl: false, shift: false })?.command).toBe('pods @prod');
    expect(hotkeyForKey(r.hotkeys, '@', { ctrl: false, shift: false })?.command).toBe('dp');
  });

  it('reports clashes with each other and with built-in keys, and bad entries with lines', () => {
    const f = t.write('config/kmux/hotkeys.yaml', `hotKeys:
  first:
    shortCut: Shift-3
    command: nodes
  second:
    shortCut: Shift-3
    command: ns
  help:
    shortCut: Ctrl-A
    command: aliases
  taken:
    shortCut: Ctrl-R
    command: pods
    override: true
  broken:
    shortCut: F1
    command: pods
  empty:
    shortCut: Shift-9
`);
    const r = loadHotkeys({ env: t.env, builtinKeys: [{ ...parseKey('Ctrl-A'), label: 'aliases' }, { ...parseKey('Ctrl-R'), label: 'refresh' }] });
    expect(r.problems.map((p) => `${p.kind} ${p.line}: ${p.message}`)).toEqual([
      `invalid 16: hotkey "broken": bad shortCut: "F1" is not a key kmux can bind (use a-z, 0-9, Shift-A..Shift-Z, Shift-0..Shift-9 or Ctrl-A..Ctrl-Z)`,
      'invalid 18: hotkey "empty": missing command (a : command such as "pods @all")',
      `clash 8: hotkey "help": Ctrl-A is kmux's key for "aliases"; kmux's key wins in the views that have it, the hotkey works in the others (add override: true to take it)`,
      `override 11: hotkey "taken": Ctrl-R is kmux's key for "refresh"; the hotkey takes it (override: true)`,
      `clash 5: Shift-3: hotkey "first" (${f}:2) and hotkey "second" (${f}:5) both take it; "second" wins (loaded later)`,
    ]);
    // "help" stays bound: as in K9s, each view's own keys decide (withExtensions keeps kmux's)
    expect(r.hotkeys.map((h) => [h.id, h.bound])).toEqual([['first', false], ['second', true], ['help', true], ['taken', true]]);
    expect(hotkeyForKey(r.hotkeys, '#', { ctrl: false, shift: false })?.id).toBe('second');
    // bound; in a view with kmux's Ctrl-A (every view: aliases) withExtensions keeps kmux's key
    expect(hotkeyForKey(r.hotkeys, 'a', { ctrl: true, shift: false })?.id).toBe('help');
  });

  it('a broken file is reported and the other one still loads', () => {
    const bad = t.write('config/k9s/hotkeys.yaml', 'hotKeys:\n  x: [\n');
    t.write('config/kmux/hotkeys.yaml', 'hotKeys:\n  ok: {shortCut: Shift-4, command: pods}\n');
    const r = loadHotkeys({ env: t.env });
    expect(r.hotkeys.map((h) => h.id)).toEqual(['ok']);
    expect(r.problems[0]).toMatchObject({ file: bad, kind: 'parse', line: expect.any(Number) });
  });

  it('reads per-context hotkeys after the global ones', () => {
    t.write('config/kmux/hotkeys.yaml', 'hotKeys:\n  go: {shortCut: Shift-5, command: pods}\n');
    const ctx = t.write('config/kmux/clusters/prod/hotkeys.yaml', 'hotKeys:\n  go: {shortCut: Shift-5, command: pods @prod}\n');
    const r = loadHotkeys({ env: t.env, context: 'prod' });
    expect(r.hotkeys.map((h) => [h.command, h.source])).toEqual([['pods @prod', ctx]]);
    expect(r.sources.at(-1)).toBe(join(t.config, 'kmux/clusters/prod/hotkeys.yaml'));
  });
});

describe('garbage hotkey files never crash, hang or echo raw bytes (issue 11)', () => {
  it('a FIFO named hotkeys.yaml is refused at once instead of waiting for a writer', () => {
    mkdirSync(join(t.config, 'k9s'), { recursive: true });
    const fifo = join(t.config, 'k9s', 'hotkeys.yaml');
    execFileSync('mkfifo', [fifo]);
    t.write('config/kmux/hotkeys.yaml', 'hotKeys:\n  ok: {shortCut: Shift-4, command: pods}\n');
    const r = loadHotkeys({ env: t.env });
    expect(r.hotkeys.map((h) => h.id)).toEqual(['ok']);
    expect(r.problems).toEqual([{ file: fifo, kind: 'parse', message: 'cannot read: not a regular file (a device, pipe or socket)' }]);
  });

  it('escape sequences in ids and keys are shown escaped; a self-merge is read once', () => {
    const r = parseHotkeyFile('h.yaml', 'hotKeys:\n  "\\e]0;pwn\\a":\n    shortCut: "\\u202eA"\n    command: pods\n    "\\e[1m": x\n');
    expect(r.problems.map(formatProblem)).toEqual([
      'h.yaml:5: hotkey "\\x1b]0;pwn\\x07": unknown field "\\x1b[1m" (ignored)',
      'h.yaml:3: hotkey "\\x1b]0;pwn\\x07": bad shortCut: "\\u202eA" is not a key kmux can bind (use a-z, 0-9, Shift-A..Shift-Z, Shift-0..Shift-9 or Ctrl-A..Ctrl-Z)',
    ]);
    const self = parseHotkeyFile('h.yaml', 'hotKeys: &h\n  <<: *h\n  go: {shortCut: Shift-5, command: pods}\n');
    expect(self.hotkeys.map((h) => h.id)).toEqual(['go']);
  });
});

describe('many hotkeys on one key (issue 11)', () => {
  it('each takes the key from the one before it: one message per hotkey, not per pair', () => {
    const n = 2000;
    const f = t.write('config/kmux/hotkeys.yaml', `hotKeys:\n${Array.from({ length: n }, (_, i) => `  h${i}: {shortCut: Shift-7, command: pods}\n`).join('')}`);
    const r = loadHotkeys({ env: t.env });
    expect(r.problems).toHaveLength(n - 1);
    expect(r.problems[0].message).toBe(`Shift-7: hotkey "h0" (${f}:2) and hotkey "h1" (${f}:3) both take it; "h1" wins (loaded later)`);
    expect(r.hotkeys.filter((h) => h.bound).map((h) => h.id)).toEqual([`h${n - 1}`]);
  });
});
