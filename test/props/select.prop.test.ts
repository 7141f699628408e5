/**
 * Properties: no K9s or kmux config.yaml (global or per-context) crashes the skin selection;
 * the skin names that come back are names, and selectTheme always ends with a usable theme.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readSkinSettings, selectTheme, type SkinConfigKind } from '../../src/theme/select.js';
import { formatProblem } from '../../src/theme/skin.js';
import { THEME_ROLES } from '../../src/theme/theme.js';
import { expectProblems, fc, fileText, nastyString, shaped, valueOr } from './arbitraries.js';

// 10,000 runs take seconds on a quiet machine and over a minute on a 2-core one under heavy load
vi.setConfig({ testTimeout: 300_000 });

const skinName = fc.oneof(fc.constantFrom('dracula', 'nord', 'stock', 'mine', 'Dracula', ' light ', 'no-such-skin', 'skins/x.yaml', 2077, true), nastyString);
const contextName = fc.oneof(fc.constantFrom('prod', 'dev', 'arn:aws:eks:eu-1/cl', 'kind-kind', 'constructor', '__proto__'), nastyString);

/** kmux's: skin + contexts.<ctx>.skin; K9s's: k9s.ui.skin; K9s per-context: k9s.skin (plus the other keys K9s writes). */
const KMUX = shaped({ skin: skinName, contexts: fc.dictionary(fc.oneof({ weight: 3, arbitrary: fc.constantFrom('prod', 'dev') }, { weight: 1, arbitrary: contextName }), valueOr(shaped({ skin: skinName })), { maxKeys: 3 }) });
const K9S = shaped({ k9s: shaped({ ui: shaped({ skin: skinName, enableMouse: fc.boolean(), headless: fc.boolean() }), refreshRate: fc.integer(), skin: skinName }) });
const K9S_CONTEXT = shaped({ k9s: shaped({ cluster: nastyString, skin: skinName, namespace: shaped({ active: nastyString, favorites: fc.array(nastyString) }) }) });
const CONFIG: Record<SkinConfigKind, fc.Arbitrary<unknown>> = { kmux: KMUX, k9s: K9S, 'k9s-context': K9S_CONTEXT };

const FILE = 'config.yaml';

function expectName(n: unknown): void {
  if (n === undefined) return;
  if (typeof n !== 'string' || n === '' || n !== n.trim()) throw new Error(`not a skin name: ${JSON.stringify(n)}`);
}

describe('skin selection config properties', () => {
  it('any kmux, K9s or per-context config.yaml text: no throw, names or nothing, clean problems (10,000 runs)', () => {
    const input = fc.constantFrom<SkinConfigKind>('kmux', 'k9s', 'k9s-context').chain((kind) => fc.tuple(fc.constant(kind), fileText(CONFIG[kind]), fc.option(contextName, { nil: undefined })));
    fc.assert(
      fc.property(input, ([kind, text, ctx]) => {
        const r = readSkinSettings(text, FILE, kind, ctx);
        expectName(r.global);
        expectName(r.context);
        if (ctx === undefined && r.context !== undefined) throw new Error('a context skin without a context');
        expectProblems(r.problems, [FILE], formatProblem);
      }),
      { numRuns: 10_000 },
    );
  });

  it('the generator reaches the deep paths: names found, wrong types on the way reported', () => {
    const seen = { global: 0, context: 0, wrongType: 0 };
    const input = fc.constantFrom<SkinConfigKind>('kmux', 'k9s', 'k9s-context').chain((kind) => fc.tuple(fc.constant(kind), fileText(CONFIG[kind]), fc.constantFrom('prod', 'dev')));
    for (const [kind, text, ctx] of fc.sample(input, { numRuns: 2000, seed: 17 })) {
      const r = readSkinSettings(text, FILE, kind, ctx);
      if (r.global) seen.global++;
      if (r.context) seen.context++;
      if (r.problems.some((p) => /^expected a (mapping|skin name)/.test(p.message))) seen.wrongType++;
    }
    expect(seen.global).toBeGreaterThan(100);
    expect(seen.context).toBeGreaterThan(20);
    expect(seen.wrongType).toBeGreaterThan(100);
  });

  it('any bytes in the config files and skins selectTheme reads: a usable theme, never a throw (200 runs)', () => {
    const content = (kind: SkinConfigKind) =>
      fc.oneof({ weight: 5, arbitrary: fileText(CONFIG[kind]).map((t) => Buffer.from(t, 'utf8')) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 150 }).map((b) => Buffer.from(b)) });
    const skinFile = fc.oneof(fc.constant(Buffer.from('k9s:\n  body:\n    fgColor: red\n')), fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b)), fileText(fc.anything()).map((t) => Buffer.from(t)));
    fc.assert(
      fc.property(
        fc.option(content('kmux')),
        fc.option(content('k9s')),
        fc.array(fc.tuple(fc.constantFrom('c1', 'prod', 'kind-kind'), fc.constantFrom('prod', 'dev'), content('k9s-context')), { maxLength: 2 }),
        fc.option(skinFile),
        fc.record({ context: fc.option(fc.constantFrom('prod', 'dev'), { nil: undefined }), cluster: fc.option(fc.constantFrom('c1', 'prod'), { nil: undefined }) }),
        (kmux, k9s, perContext, mine, opts) => {
          const root = mkdtempSync(join(tmpdir(), 'kmux-selprop-'));
          try {
            const written: string[] = [];
            const put = (rel: string, bytes: Buffer) => {
              const f = join(root, rel);
              mkdirSync(join(f, '..'), { recursive: true });
              writeFileSync(f, bytes);
              written.push(resolve(f));
            };
            if (kmux) put('config/kmux/config.yaml', kmux);
            if (k9s) put('config/k9s/config.yaml', k9s);
            for (const [cl, cx, bytes] of perContext) put(`data/k9s/clusters/${cl}/${cx}/config.yaml`, bytes);
            if (mine) put('config/kmux/skins/mine.yaml', mine);
            const env = { HOME: root, XDG_CONFIG_HOME: join(root, 'config'), XDG_DATA_HOME: join(root, 'data') };
            const t = selectTheme({ env, ...opts });
            for (const role of THEME_ROLES) {
              if (typeof t.theme[role] !== 'string' || !/^(#[0-9a-f]{6})?$/.test(t.theme[role])) throw new Error(`role ${role} is ${JSON.stringify(t.theme[role])}`);
            }
            expectName(t.choice.name);
            // a problem names a file read, a skin file found, or the skin asked for (`name.yaml`, not found)
            const files = [...written, ...(t.file ? [t.file] : []), ...(t.choice.name ? [`${t.choice.name.trim()}.yaml`] : [])];
            expectProblems(t.problems, files, formatProblem);
          } finally {
            rmSync(root, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
