/** Properties: no aliases.yaml text crashes the alias loader; every alias that loads is a usable command. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { BUILTIN_ALIASES, formatAliasProblem, loadAliases, parseAliases } from '../../src/config/aliases.js';
import { expectDisplaySafe, expectProblems, fc, fileText, namedMap, valueOr } from './arbitraries.js';

// 10,000 runs take seconds on a quiet machine and over a minute on a 2-core one under heavy load
vi.setConfig({ testTimeout: 300_000 });

const command = fc.constantFrom('pods', 'pods @prod', 'deployments', 'po kube-system', 'ctx', 'no', '  nodes  ');
const aliasMap = namedMap(valueOr(command), 6);
const ALIASES_FILE = fc.oneof(
  { weight: 5, arbitrary: fc.record({ aliases: valueOr(aliasMap) }) },
  { weight: 1, arbitrary: fc.tuple(fc.record({ aliases: aliasMap }), namedMap(valueOr(command), 2)).map(([a, b]) => ({ ...b, ...a })) },
  { weight: 3, arbitrary: aliasMap },
);

function expectUsable(aliases: Record<string, string>): void {
  for (const [k, v] of Object.entries(aliases)) {
    if (k === '' || /\s/.test(k)) throw new Error(`alias ${JSON.stringify(k)} cannot be typed`);
    // eslint-disable-next-line no-control-regex
    if (typeof v !== 'string' || v === '' || v !== v.trim() || /[\u0000-\u001f\u007f-\u009f]/.test(v)) throw new Error(`alias ${JSON.stringify(k)} -> ${JSON.stringify(v)} is not a command`);
  }
}

const FILE = 'aliases.yaml';

describe('alias loader properties', () => {
  it('any aliases.yaml text: no throw, every alias a usable command, clean problems (10,000 runs)', () => {
    fc.assert(
      fc.property(fileText(ALIASES_FILE), (text) => {
        const { aliases, problems } = parseAliases(text, FILE);
        expectUsable(aliases);
        expectProblems(problems, [FILE], formatAliasProblem);
      }),
      { numRuns: 10_000 },
    );
  });

  it('the generator reaches the deep paths: aliases load, entries are judged one by one', () => {
    const seen = { loaded: 0, entryProblem: 0 };
    for (const text of fc.sample(fileText(ALIASES_FILE), { numRuns: 2000, seed: 9 })) {
      const { aliases, problems } = parseAliases(text, FILE);
      if (Object.keys(aliases).length) seen.loaded++;
      if (problems.some((p) => p.key !== undefined && p.key !== 'aliases')) seen.entryProblem++;
    }
    expect(seen.loaded).toBeGreaterThan(400);
    expect(seen.entryProblem).toBeGreaterThan(300);
  });

  it("any bytes in K9s's and kmux's aliases.yaml: loadAliases never throws, keeps the built-ins (200 runs)", () => {
    const content = fc.oneof(
      { weight: 5, arbitrary: fileText(ALIASES_FILE).map((t) => Buffer.from(t, 'utf8')) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    );
    fc.assert(
      fc.property(fc.option(content), fc.option(content), (k9s, kmux) => {
        const root = mkdtempSync(join(tmpdir(), 'kmux-aliasprop-'));
        try {
          const files: string[] = [];
          for (const [app, bytes] of [['k9s', k9s], ['kmux', kmux]] as const) {
            if (!bytes) continue;
            mkdirSync(join(root, app), { recursive: true });
            files.push(join(root, app, 'aliases.yaml'));
            writeFileSync(files.at(-1)!, bytes);
          }
          const r = loadAliases({ XDG_CONFIG_HOME: root });
          expectUsable(r.aliases);
          for (const k of Object.keys(BUILTIN_ALIASES)) expect(typeof r.aliases[k]).toBe('string');
          expectProblems(r.problems, files, formatAliasProblem);
          expect(r.sources.map((s) => s.file)).toEqual(files);
          for (const s of r.sources) if (s.problem !== undefined) expectDisplaySafe(s.problem, 'source problem');
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 200 },
    );
  });
});
