/**
 * Properties: no state.json and no config.yaml (kmux's or K9s's, global or per context)
 * crashes kmux. Settings load to well-typed data with problems that name the file; the
 * read-only decision is always a boolean with a reason; every message is safe to show.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Settings } from '../../src/config/settings.js';
import { loadReadOnlyConfig } from '../../src/config/readonly.js';
import { expectDisplaySafe, fc, fileText, nastyString, shaped, valueOr, type Shape } from './arbitraries.js';

// 10,000 runs take seconds on a quiet machine and over a minute on a 2-core one under heavy load
vi.setConfig({ testTimeout: 300_000 });

const root = mkdtempSync(join(tmpdir(), 'kmux-state-prop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const view = fc.constantFrom('pods', 'deploy', 'nodes', 'db', '');
const MEMORY: Shape = { view, namespace: fc.constantFrom('', 'default', 'web', 'kube-system') };
const STATE: Shape = {
  favorites: fc.array(fc.constantFrom('default', 'web', 'a', ''), { maxLength: 12 }),
  contexts: fc.dictionary(fc.oneof(fc.constantFrom('dev', 'prod', '__proto__', 'constructor'), nastyString), valueOr(shaped(MEMORY)), { maxKeys: 4 }),
  lastContexts: fc.array(fc.constantFrom('dev', 'prod')),
  lastView: view,
  lastNamespace: nastyString,
};

/** JSON as written by a program, by hand, or by a full disk: valid, edited, cut, or garbage. */
const jsonText = fc.oneof(
  { weight: 6, arbitrary: shaped(STATE, 0, 5).map((v) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)) ?? 'null') },
  { weight: 2, arbitrary: fc.tuple(shaped(STATE, 0, 5), fc.nat(200)).map(([v, cut]) => (JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)) ?? '').slice(0, cut)) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fileText(shaped(STATE)) },
);

describe('state.json', () => {
  it('loads to well-typed data or defaults, names the file in every problem, and saves without throwing (10,000 inputs)', () => {
    const dir = join(root, 'state');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'state.json');
    let problems = 0;
    fc.assert(
      fc.property(jsonText, (text) => {
        writeFileSync(file, text);
        const s = new Settings(dir);
        for (const p of s.problems) {
          if (!p.startsWith(file)) throw new Error(`a problem does not name the file: ${p}`);
          expectDisplaySafe(p, 'problem');
          problems++;
        }
        if (!Array.isArray(s.data.favorites) || !s.data.favorites.every((f) => typeof f === 'string')) throw new Error('favorites not strings');
        if (s.data.favorites.length > 9) throw new Error('more than nine favorites');
        for (const [k, m] of Object.entries(s.data.contexts)) {
          if (typeof m !== 'object' || m === null) throw new Error(`context ${k} memory is not an object`);
          if (m.view !== undefined && typeof m.view !== 'string') throw new Error('view not a string');
          if (m.namespace !== undefined && typeof m.namespace !== 'string') throw new Error('namespace not a string');
        }
        // what a run does with it
        s.memory('dev');
        s.memory('__proto__');
        s.remember('prod', { view: 'pods', namespace: null });
        s.useNamespace('web');
      }),
      { numRuns: 10_000 },
    );
    expect(problems).toBeGreaterThan(1000);
  });
});

const BOOLISH = valueOr(fc.boolean());
const K9S: Shape = { k9s: { readOnly: BOOLISH, ui: { skin: nastyString, headless: fc.boolean() }, cluster: nastyString, skin: nastyString } };
const KMUX: Shape = { readOnly: BOOLISH, skin: nastyString, contexts: { prod: { readOnly: BOOLISH, skin: nastyString }, dev: { readOnly: BOOLISH } } };

describe('config.yaml (read-only settings)', () => {
  it('always decides a boolean with a reason, whatever K9s and kmux files say (10,000 inputs)', () => {
    let n = 0;
    let readOnly = 0;
    fc.assert(
      fc.property(fileText(shaped(K9S)), fileText(shaped(KMUX)), fileText(shaped(K9S)), fc.option(fc.boolean(), { nil: undefined }), (k9s, kmux, perCtx, flag) => {
        const d = join(root, `ro${++n % 50}`);
        for (const [rel, text] of [['config/k9s/config.yaml', k9s], ['config/kmux/config.yaml', kmux], ['data/k9s/clusters/prod-cluster/prod/config.yaml', perCtx]] as const) {
          mkdirSync(join(d, rel, '..'), { recursive: true });
          writeFileSync(join(d, rel), text);
        }
        const c = loadReadOnlyConfig({ env: { XDG_CONFIG_HOME: join(d, 'config'), XDG_DATA_HOME: join(d, 'data'), HOME: d }, flag });
        for (const [ctx, cluster] of [['prod', 'prod-cluster'], ['dev', undefined], ['__proto__', 'x']] as const) {
          const dec = c.decide(ctx, cluster);
          if (typeof dec.readOnly !== 'boolean') throw new Error('not a boolean');
          expectDisplaySafe(dec.why, 'why');
          if (flag !== undefined && dec.readOnly !== flag) throw new Error('the flag does not win');
          if (dec.readOnly) readOnly++;
        }
        for (const p of c.problems) {
          if (!p.startsWith(d)) throw new Error(`a problem names no file: ${p}`);
          expectDisplaySafe(p, 'problem');
        }
      }),
      { numRuns: 10_000 },
    );
    expect(readOnly).toBeGreaterThan(1000);
  });
});
