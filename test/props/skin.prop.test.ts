/** Property: no skin text crashes the skin loader; what comes back is a usable theme and clean problems. */
import { describe, expect, it, vi } from 'vitest';
import { formatProblem, parseSkin, ROLE_SOURCES, stockTheme } from '../../src/theme/skin.js';
import { THEME_ROLES } from '../../src/theme/theme.js';
import { expectProblems, fc, fileText, nastyString, shaped, valueOr, type Shape } from './arbitraries.js';

// 10,000 runs take seconds on a quiet machine and over a minute on a 2-core one under heavy load
vi.setConfig({ testTimeout: 300_000 });

export const goodColor = fc.oneof(
  fc.constantFrom('dodgerblue', 'papayawhip', 'DarkSeaGreen', ' red ', 'default', '-', '#f8f8f2', '#FFF', 'black', 'white'),
  fc.stringMatching(/^#[0-9a-fA-F]{6}$/),
);

/** The skin's keys as the loader knows them, from where the theme roles are read, plus the K9s keys kmux only checks. */
function skinShape(): Shape {
  const shape: Shape = {};
  const put = (path: string[], leaf: fc.Arbitrary<unknown>) => {
    let cur = shape;
    path.slice(0, -1).forEach((p) => {
      if (!(cur[p] && !(cur[p] instanceof fc.Arbitrary))) cur[p] = {};
      cur = cur[p] as Shape;
    });
    cur[path[path.length - 1]] = leaf;
  };
  for (const paths of Object.values(ROLE_SOURCES)) {
    for (const p of paths) {
      const parts = p.split('.');
      if (/^\d+$/.test(parts[parts.length - 1])) put(parts.slice(0, -1), fc.array(valueOr(goodColor), { maxLength: 4 }));
      else put(parts, goodColor);
    }
  }
  put(['frame', 'menu', 'fgStyle'], fc.constantFrom('bold', 'dim', 'normal', 'sparkly', '-'));
  put(['views', 'xray', 'showIcons'], fc.boolean());
  put(['views', 'charts', 'resourceColors'], fc.dictionary(nastyString, fc.array(valueOr(goodColor), { maxLength: 3 }), { maxKeys: 3 }));
  return shape;
}

const SKIN = fc.oneof(
  // a community skin: a palette of anchors-to-be at the top, then k9s:
  { weight: 8, arbitrary: fc.record({ foreground: goodColor, background: goodColor, k9s: shaped(skinShape()) }, { requiredKeys: ['k9s'] }) },
  { weight: 2, arbitrary: fc.record({ k9s: valueOr(fc.constant({})) }) },
  { weight: 1, arbitrary: shaped({ k9s: shaped(skinShape()), K9S: fc.constant({}), kmux: fc.constant({}) }) },
);

const FILE = 'skins/fuzz.yaml';

describe('skin loader properties', () => {
  it('any skin text: no throw, every role a valid color, problems well-formed and display-safe (10,000 runs)', () => {
    fc.assert(
      fc.property(fileText(SKIN), (text) => {
        const { theme, problems } = parseSkin(text, FILE);
        for (const role of THEME_ROLES) {
          const c = theme[role];
          if (typeof c !== 'string' || !/^(#[0-9a-f]{6})?$/.test(c)) throw new Error(`role ${role} is ${JSON.stringify(c)}`);
        }
        expectProblems(problems, [FILE], formatProblem);
      }),
      { numRuns: 10_000 },
    );
  });

  it('the generator reaches the deep paths: colors applied, nested keys judged, aliases followed, syntax broken', () => {
    const stock = stockTheme();
    const seen = { applied: 0, deep: 0, viaAlias: 0, yamlError: 0, merge: 0 };
    for (const text of fc.sample(fileText(SKIN), { numRuns: 2000, seed: 11 })) {
      const { theme, problems } = parseSkin(text, FILE);
      if (THEME_ROLES.some((r) => theme[r] !== stock[r])) seen.applied++;
      if (problems.some((p) => (p.key ?? '').split('.').length >= 5)) seen.deep++;
      if (problems.some((p) => /via \*/.test(p.message))) seen.viaAlias++;
      if (problems.some((p) => /YAML error/.test(p.message))) seen.yamlError++;
      if (/<<: \*/.test(text)) seen.merge++;
    }
    expect(seen.applied).toBeGreaterThan(200);
    expect(seen.deep).toBeGreaterThan(5);
    expect(seen.viaAlias).toBeGreaterThan(2);
    expect(seen.yamlError).toBeGreaterThan(100);
    expect(seen.merge).toBeGreaterThan(50);
  });
});
