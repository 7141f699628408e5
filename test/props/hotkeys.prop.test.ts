/** Properties: no hotkeys.yaml text crashes the hotkey parser or loader; hotkeys that load can be bound and run. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadHotkeys, parseHotkeyFile, type Hotkey } from '../../src/plugins/hotkeys.js';
import { formatProblem } from '../../src/plugins/load.js';
import { expectProblems, fc, fileText, namedMap, nastyString, shaped, valueOr, type Shape } from './arbitraries.js';

// 10,000 runs take seconds on a quiet machine and over a minute on a 2-core one under heavy load
vi.setConfig({ testTimeout: 300_000 });

const HOTKEY: Shape = {
  shortCut: fc.constantFrom('Shift-1', 'Shift-0', 'a', 'Ctrl-R', 'Ctrl-A', 'shift+z', 'Ctrl-Shift-A', 'F1', '', '!'),
  description: nastyString,
  command: fc.oneof(fc.constantFrom('pods @all', 'dp', 'ctx prod', ' ', 'po kube-system'), nastyString),
  override: fc.boolean(),
  keepHistory: fc.boolean(),
};

const nearlyGood = fc
  .tuple(fc.record({ shortCut: fc.constantFrom('Shift-1', 'Ctrl-T', 'q'), command: fc.constantFrom('pods @all', 'dp') }), shaped(HOTKEY, 0, 3))
  .map(([req, rest]) => (rest && typeof rest === 'object' && !Array.isArray(rest) ? { ...(rest as object), ...req } : req));

const hotkeys = namedMap(fc.oneof(shaped(HOTKEY), nearlyGood), 4);
const HOTKEYS_FILE = fc.oneof(
  { weight: 6, arbitrary: fc.record({ hotKeys: valueOr(hotkeys) }) },
  { weight: 1, arbitrary: fc.record({ hotkeys: valueOr(hotkeys) }) },
  { weight: 1, arbitrary: shaped({ hotKeys: hotkeys, HotKeys: hotkeys, plugins: fc.constant({}) }) },
  { weight: 1, arbitrary: hotkeys },
);

function expectUsable(h: Omit<Hotkey, 'bound'>, file: string): void {
  const k = h.shortCut;
  const ok = typeof h.id === 'string' && !!k && /^[a-z0-9]$/.test(k.key) && typeof k.shift === 'boolean' && typeof k.ctrl === 'boolean' && !(k.ctrl && k.shift)
    && typeof h.shortCutText === 'string' && typeof h.description === 'string' && typeof h.command === 'string' && h.command !== '' && h.command === h.command.trim()
    && typeof h.override === 'boolean' && typeof h.keepHistory === 'boolean' && h.source === file && Number.isInteger(h.line) && h.line >= 1;
  if (!ok) throw new Error(`unusable hotkey: ${JSON.stringify(h)}`);
}

const FILE = 'hotkeys.yaml';

describe('hotkey loader properties', () => {
  it('any hotkeys.yaml text: no throw, usable hotkeys, clean problems (10,000 runs)', () => {
    fc.assert(
      fc.property(fileText(HOTKEYS_FILE), (text) => {
        const { hotkeys: hs, problems } = parseHotkeyFile(FILE, text);
        for (const h of hs) expectUsable(h, FILE);
        expectProblems(problems, [FILE], formatProblem);
      }),
      { numRuns: 10_000 },
    );
  });

  it('the generator reaches the deep paths: hotkeys load, fields are judged', () => {
    const seen = { loaded: 0, badField: 0, badKey: 0 };
    for (const text of fc.sample(fileText(HOTKEYS_FILE), { numRuns: 2000, seed: 3 })) {
      const { hotkeys: hs, problems } = parseHotkeyFile(FILE, text);
      if (hs.length) seen.loaded++;
      if (problems.some((p) => /must be true or false|unknown field/.test(p.message))) seen.badField++;
      if (problems.some((p) => /bad shortCut/.test(p.message))) seen.badKey++;
    }
    expect(seen.loaded).toBeGreaterThan(100);
    expect(seen.badField).toBeGreaterThan(50);
    expect(seen.badKey).toBeGreaterThan(50);
  });

  it('any bytes in every hotkeys.yaml loadHotkeys reads, with built-in keys: never throws (200 runs)', () => {
    const places = ['config/k9s/hotkeys.yaml', 'data/k9s/clusters/c1/ctx/hotkeys.yaml', 'config/kmux/hotkeys.yaml', 'config/kmux/clusters/ctx/hotkeys.yaml'];
    const content = fc.oneof(
      { weight: 5, arbitrary: fileText(HOTKEYS_FILE).map((t) => Buffer.from(t, 'utf8')) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...places), content), { maxLength: 4 }), (files) => {
        const root = mkdtempSync(join(tmpdir(), 'kmux-hkprop-'));
        try {
          const written: string[] = [];
          for (const [rel, bytes] of files) {
            const f = join(root, rel);
            mkdirSync(join(f, '..'), { recursive: true });
            writeFileSync(f, bytes);
            written.push(resolve(f));
          }
          const env = { HOME: root, XDG_CONFIG_HOME: join(root, 'config'), XDG_DATA_HOME: join(root, 'data') };
          const r = loadHotkeys({ env, context: 'ctx', cluster: 'c1', builtinKeys: [{ key: 'r', shift: false, ctrl: true, label: 'refresh' }, { key: 'a', shift: false, ctrl: true }] });
          for (const h of r.hotkeys) {
            expectUsable(h, h.source);
            expect(typeof h.bound).toBe('boolean');
          }
          expectProblems(r.problems, written, formatProblem);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 200 },
    );
  });
});
