/**
 * Properties: no K9s or kmux config.yaml (global or per-context) makes the settings loader throw;
 * what comes back has the types the UI relies on, in range, and its problems are display-safe.
 */
import { describe, expect, it, vi } from 'vitest';
import { formatConfigProblem, parseConfigText, type ConfigProblem } from '../../src/config/app-config.js';
import { expectProblems, fc, fileText, nastyString, shaped, valueOr } from './arbitraries.js';

// 10,000 runs take seconds on a quiet machine and over a minute on a 2-core one under heavy load
vi.setConfig({ testTimeout: 300_000 });

const bool = valueOr(fc.boolean());
const int = valueOr(fc.integer({ min: -10, max: 10_000 }));
const GLOBAL = {
  noExitOnCtrlC: bool, defaultView: valueOr(fc.constantFrom('pods', 'deploy', 'v1/pods', '')), refreshRate: valueOr(fc.double()), maxConnRetry: int,
  readOnly: bool, shellPod: shaped({ image: nastyString }), bogus: nastyString,
  ui: shaped({ headless: bool, logoless: bool, crumbsless: bool, noIcons: bool, reactive: bool, skin: nastyString, enableMouse: bool }),
  logger: shaped({ tail: int, buffer: int, sinceSeconds: int, textWrap: bool, showTime: bool, columnLock: bool }),
};
const CONTEXT = { cluster: nastyString, readOnly: bool, skin: nastyString, namespace: shaped({ active: valueOr(nastyString), favorites: valueOr(fc.array(nastyString)) }), view: shaped({ active: valueOr(nastyString) }) };
const K9S = shaped({ k9s: shaped(GLOBAL) });
const K9S_CONTEXT = shaped({ k9s: shaped(CONTEXT) });
const KMUX = shaped({ ...GLOBAL, contexts: fc.dictionary(fc.constantFrom('prod', 'dev'), valueOr(shaped(CONTEXT)), { maxKeys: 2 }) });
type Kind = 'k9s' | 'kmux' | 'k9s-context';
const FILES: Record<Kind, fc.Arbitrary<unknown>> = { k9s: K9S, kmux: KMUX, 'k9s-context': K9S_CONTEXT };
const TYPES: Record<string, string> = {
  noExitOnCtrlC: 'boolean', defaultView: 'string', refreshRate: 'number', 'ui.headless': 'boolean', 'ui.logoless': 'boolean', 'ui.crumbsless': 'boolean',
  'ui.noIcons': 'boolean', 'ui.reactive': 'boolean', 'logger.tail': 'number', 'logger.buffer': 'number', 'logger.sinceSeconds': 'number',
  'logger.textWrap': 'boolean', 'logger.showTime': 'boolean', 'logger.disableAutoscroll': 'boolean', 'namespace.active': 'string', 'view.active': 'string',
};

describe('config.yaml settings properties', () => {
  it('any K9s, per-context or kmux config.yaml text: no throw, typed values, clean problems (10,000 runs)', () => {
    const input = fc.constantFrom<Kind>('k9s', 'kmux', 'k9s-context').chain((kind) => fc.tuple(fc.constant(kind), fileText(FILES[kind])));
    fc.assert(
      fc.property(input, ([kind, text]) => {
        const problems: ConfigProblem[] = [];
        const r = parseConfigText(text, 'config.yaml', kind, problems);
        const all = [...r.values, ...[...(r.contexts?.values() ?? [])].flatMap((m) => [...m])];
        for (const [k, v] of all) {
          if (k === 'namespace.favorites') {
            if (!Array.isArray(v.value) || !v.value.every((x: unknown) => typeof x === 'string')) throw new Error(`favorites: ${JSON.stringify(v.value)}`);
          } else if (typeof v.value !== TYPES[k]) throw new Error(`${k}: ${typeof v.value}`);
        }
        expectProblems(problems, ['config.yaml'], formatConfigProblem);
      }),
      { numRuns: 10_000 },
    );
  });

  it('the generator reaches the keys: values read, wrong types and ignored keys reported', () => {
    const seen = { values: 0, wrongType: 0, ignored: 0 };
    const input = fc.constantFrom<Kind>('k9s', 'kmux', 'k9s-context').chain((kind) => fc.tuple(fc.constant(kind), fileText(FILES[kind])));
    for (const [kind, text] of fc.sample(input, { numRuns: 2000, seed: 14 })) {
      const problems: ConfigProblem[] = [];
      const r = parseConfigText(text, 'config.yaml', kind, problems);
      seen.values += r.values.size;
      if (problems.some((p) => /^expected /.test(p.message))) seen.wrongType++;
      if (problems.some((p) => /^ignored: /.test(p.message))) seen.ignored++;
    }
    expect(seen.values).toBeGreaterThan(200);
    expect(seen.wrongType).toBeGreaterThan(100);
    expect(seen.ignored).toBeGreaterThan(100);
  });
});
