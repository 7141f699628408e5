/** Properties: no views.yaml text crashes the views loader; every view that loads has columns a table can use. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { customColumns, formatViewProblem, loadViews, parseViews, type ViewProblem, type ViewSpecConfig } from '../../src/config/views.js';
import { compileJsonPath } from '../../src/resources/jsonpath.js';
import { columnsFor } from '../../src/resources/registry.js';
import { NOW, webPod } from '../resources/fixtures.js';
import { expectProblems, fc, fileText, namedMap, nastyString, shaped, valueOr } from './arbitraries.js';

// 10,000 runs take seconds on a quiet machine and over a minute on a 2-core one under heavy load
vi.setConfig({ testTimeout: 300_000 });

const column = fc.oneof(
  fc.constantFrom('AGE', 'NAME|WR', 'IP:.status.podIP', 'IMAGES:.spec.containers[*].image|W', 'STATUS', 'ready|h', 'X:.metadata.labels.app|RNT', 'BAD:.a[', 'NODE|Q', ':.x', 'A:', 'NAMESPACE', 'NAME', 'RESTARTS|N', 'T:{.metadata.name}'),
  fc.tuple(fc.stringMatching(/^[A-Z][A-Z0-9-]{0,8}$/), fc.constantFrom('', ':.metadata.name', ':.spec.nodeName', ':$.status.phase'), fc.constantFrom('', '|W', '|S', '|H', '|R', '|N', '|T', '|WX')).map(([h, p, f]) => `${h}${p}${f}`),
  nastyString,
);
const VIEW = { columns: fc.array(valueOr(column), { maxLength: 6 }), sortColumn: fc.constantFrom('AGE:asc', 'NAME:desc', 'age', 'IP:sideways', ':asc', '') };
const resourceKey = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('v1/pods', 'pods', 'apps/v1/deployments', 'deployments.apps', 'core/v1/pods', 'V1/Pods', 'v1/pods@kube-system', 'a/b/c/d', 'v1 pods') }, { weight: 1, arbitrary: nastyString });
const nearlyGood = fc.record({ columns: fc.array(column, { minLength: 1, maxLength: 6 }), sortColumn: VIEW.sortColumn }, { requiredKeys: ['columns'] });
const views = fc.dictionary(resourceKey, fc.oneof(valueOr(shaped(VIEW)), nearlyGood), { maxKeys: 4 });
const VIEWS_FILE = fc.oneof(
  { weight: 6, arbitrary: fc.record({ views: valueOr(views) }) },
  { weight: 1, arbitrary: shaped({ views: fc.constant({}), Views: views }) },
  { weight: 1, arbitrary: namedMap(valueOr(shaped(VIEW)), 3) },
);

const PODS = columnsFor({ group: '', plural: 'pods' });

function expectUsable(v: ViewSpecConfig, file: string): void {
  const fail = (why: string) => {
    throw new Error(`unusable view (${why}): ${JSON.stringify(v)}`);
  };
  if (!/^[a-z0-9.-]+(\/[a-z0-9.-]+){0,2}$/.test(v.key)) fail('key');
  if (v.file !== file || (v.source !== 'k9s' && v.source !== 'kmux')) fail('file or source');
  const headers = new Set<string>();
  for (const c of v.columns) {
    if (typeof c.header !== 'string' || c.header === '' || c.header !== c.header.toUpperCase() || headers.has(c.header)) fail('a header');
    headers.add(c.header);
    for (const b of [c.wide, c.show, c.right, c.hidden, c.number, c.time]) if (typeof b !== 'boolean') fail('a flag');
    if (c.path !== undefined) {
      try {
        compileJsonPath(c.path);
      } catch {
        fail('a path that does not compile');
      }
    }
  }
  if (v.sort && (typeof v.sort.column !== 'string' || typeof v.sort.asc !== 'boolean')) fail('sort');
  // and a table can be made with it: columns, then a row of cells
  const extra: ViewProblem[] = [];
  const cols = customColumns(PODS, v, extra);
  const row = cols.project(webPod, NOW);
  if (row.cells.length !== cols.columns.length) fail('cells and columns differ');
  for (const cell of row.cells) if (typeof cell !== 'string' && typeof cell !== 'number') fail('a cell');
  expectProblems(extra, [file], formatViewProblem);
}

const FILE = 'views.yaml';

describe('views.yaml loader properties', () => {
  it('any views.yaml text: no throw, usable views, clean problems (10,000 runs)', () => {
    fc.assert(
      fc.property(fileText(VIEWS_FILE), fc.constantFrom('k9s' as const, 'kmux' as const), (text, source) => {
        const problems: ViewProblem[] = [];
        const out = parseViews(text, FILE, source, problems);
        for (const v of out) {
          expect(v.source).toBe(source);
          expectUsable(v, FILE);
        }
        expectProblems(problems, [FILE], formatViewProblem);
      }),
      { numRuns: 10_000 },
    );
  });

  it('the generator reaches the deep paths: views with columns load, columns and sorts are judged', () => {
    const seen = { withColumns: 0, columnProblem: 0, sortProblem: 0 };
    for (const text of fc.sample(fileText(VIEWS_FILE), { numRuns: 2000, seed: 13 })) {
      const problems: ViewProblem[] = [];
      const out = parseViews(text, FILE, 'k9s', problems);
      if (out.some((v) => v.columns.length)) seen.withColumns++;
      if (problems.some((p) => /columns\[/.test(p.key ?? ''))) seen.columnProblem++;
      if (problems.some((p) => /sortColumn/.test(p.key ?? ''))) seen.sortProblem++;
    }
    expect(seen.withColumns).toBeGreaterThan(100);
    expect(seen.columnProblem).toBeGreaterThan(100);
    expect(seen.sortProblem).toBeGreaterThan(50);
  });

  it("any bytes in K9s's and kmux's views.yaml: loadViews never throws (200 runs)", () => {
    const content = fc.oneof(
      { weight: 5, arbitrary: fileText(VIEWS_FILE).map((t) => Buffer.from(t, 'utf8')) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    );
    fc.assert(
      fc.property(fc.option(content), fc.option(content), (k9s, kmux) => {
        const root = mkdtempSync(join(tmpdir(), 'kmux-viewprop-'));
        try {
          const files: string[] = [];
          for (const [app, bytes] of [['k9s', k9s], ['kmux', kmux]] as const) {
            if (!bytes) continue;
            mkdirSync(join(root, app), { recursive: true });
            files.push(join(root, app, 'views.yaml'));
            writeFileSync(files.at(-1)!, bytes);
          }
          const r = loadViews({ XDG_CONFIG_HOME: root });
          for (const v of r.views.values()) expectUsable(v, v.file);
          expectProblems(r.problems, files, formatViewProblem);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 200 },
    );
  });
});
