/** views.yaml custom columns: loading (K9s then kmux), key forms, flags, JSONPath columns, problems. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { customColumns, formatViewProblem, loadViews, parseColumn, parseSort, parseViews, viewFor, viewKeyFor, type ViewProblem, type ViewSpecConfig } from '../../src/config/views.js';
import { columnsFor } from '../../src/resources/registry.js';
import { viewColumns } from '../../src/store/view.js';
import { NOW, webDeployment, webPod } from '../resources/fixtures.js';

let home: string;
let env: NodeJS.ProcessEnv;
const write = (app: 'k9s' | 'kmux', text: string): string => {
  const dir = join(home, app);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'views.yaml');
  writeFileSync(file, text);
  return file;
};

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'kmux-views-'));
  env = { XDG_CONFIG_HOME: home };
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const POD = { group: '', version: 'v1', plural: 'pods' };
const DEPLOY = { group: 'apps', version: 'v1', plural: 'deployments' };
const pods = columnsFor({ group: '', plural: 'pods' });

/** A spec straight from column strings, as the loader would make it. */
function spec(columns: string[], sortColumn?: string): ViewSpecConfig {
  const s: ViewSpecConfig = { key: 'v1/pods', file: 'views.yaml', source: 'kmux', columns: [] };
  for (const raw of columns) {
    const c = parseColumn(raw, (m) => {
      throw new Error(m);
    });
    if (c) s.columns.push(c);
  }
  if (sortColumn) s.sort = parseSort(sortColumn);
  return s;
}

const twoContainerPod = {
  ...webPod,
  spec: { ...webPod.spec, containers: [...webPod.spec.containers, { name: 'proxy', image: 'envoyproxy/envoy:v1.31.0' }] },
};

/** The row as header -> cell, to check cells line up with columns. */
const row = (cols: ReturnType<typeof customColumns>, obj: unknown) => {
  const p = cols.project(obj, NOW);
  expect(p.cells).toHaveLength(cols.columns.length);
  return { byName: Object.fromEntries(cols.columns.map((c, i) => [c.name, p.cells[i]])), p };
};

describe('loadViews', () => {
  it('reads K9s then kmux, kmux winning per resource key, with sortColumn', () => {
    write('k9s', `views:\n  v1/pods:\n    columns: [AGE, "NAME|WR", "IP:.status.podIP"]\n    sortColumn: AGE:asc\n  apps/v1/deployments:\n    columns: [NAME, READY]\n`);
    write('kmux', `views:\n  v1/pods:\n    columns:\n      - NAME\n      - STATUS\n    sortColumn: NAME:desc\n`);
    const { views, problems } = loadViews(env);
    expect(problems).toEqual([]);
    expect(views.get('v1/pods')!.source).toBe('kmux');
    expect(views.get('v1/pods')!.columns.map((c) => c.header)).toEqual(['NAME', 'STATUS']);
    expect(views.get('v1/pods')!.sort).toEqual({ column: 'NAME', asc: false });
    expect(views.get('apps/v1/deployments')!.source).toBe('k9s');
  });

  it('is empty and quiet with no files', () => {
    expect(loadViews(env)).toEqual({ views: new Map(), problems: [] });
  });

  it('accepts every key form, and kmux beats K9s across forms', () => {
    write('k9s', `views:\n  pods: {columns: [NAME, IP]}\n  deployments.apps: {columns: [NAME, AGE]}\n  core/v1/services: {columns: [NAME]}\n`);
    write('kmux', `views:\n  deployments: {columns: [NAME, READY]}\n`);
    const { views, problems } = loadViews(env);
    expect(problems).toEqual([]);
    expect([...views.keys()].sort()).toEqual(['deployments', 'deployments.apps', 'pods', 'v1/services']);
    expect(viewFor(views, POD)!.key).toBe('pods');
    expect(viewFor(views, DEPLOY)!.key).toBe('deployments'); // kmux's, though less specific
    expect(viewFor(views, { group: '', version: 'v1', plural: 'services' })!.key).toBe('v1/services');
    expect(viewFor(views, { group: '', version: 'v1', plural: 'secrets' })).toBeUndefined();
  });

  it('prefers the most specific key within one file', () => {
    write('kmux', `views:\n  pods: {columns: [NAME]}\n  v1/pods: {columns: [NAME, IP]}\n`);
    expect(viewFor(loadViews(env).views, POD)!.key).toBe('v1/pods');
  });

  it('reports broken YAML with file and line, and keeps the other file', () => {
    const bad = write('k9s', `views:\n  v1/pods:\n    columns: [NAME, IP\n    sortColumn: AGE:asc\n`);
    write('kmux', `views:\n  v1/pods: {columns: [NAME]}\n`);
    const { views, problems } = loadViews(env);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ file: bad, message: expect.stringMatching(/YAML error/) });
    expect(problems[0]!.line).toBeGreaterThanOrEqual(3);
    expect(views.get('v1/pods')!.file).toContain('kmux');
  });

  it('reports bad entries with line and key, and keeps the good ones', () => {
    const file = write('kmux', [
      'views:', //                                  1
      '  v1/pods:', //                              2
      '    columns:', //                            3
      '      - NAME', //                            4
      '      - "BAD:.status[?(@.x"', //             5
      '      - "IP|Q"', //                          6
      '      - 42', //                              7
      '    sortColumn: AGE:sideways', //            8
      '    colums: [X]', //                         9
      '  v1/pods@kube-system: {columns: [NAME]}', // 10
      '  secrets: nope', //                         11
      '',
    ].join('\n'));
    const { views, problems } = loadViews(env);
    const at = (line: number): ViewProblem | undefined => problems.find((p) => p.line === line);
    expect(at(5)).toMatchObject({ file, key: 'v1/pods.columns[1]', message: expect.stringMatching(/jsonpath/) });
    expect(at(6)!.message).toMatch(/unknown column flag Q/);
    expect(at(7)!.message).toMatch(/expected a column string/);
    expect(at(8)).toMatchObject({ key: 'v1/pods.sortColumn' });
    expect(at(9)!.message).toMatch(/unknown key/);
    expect(at(10)).toBeUndefined(); // a view for namespaces matching kube-system (K9s's @)
    expect(views.get('v1/pods@kube-system')!.namespace!.test('kube-system')).toBe(true);
    expect(at(11)!.message).toMatch(/expected a mapping/);
    expect(views.get('v1/pods')!.columns.map((c) => c.raw)).toEqual(['NAME', 'IP|Q']);
    expect(views.get('v1/pods')!.sort).toBeUndefined();
    expect(views.has('secrets')).toBe(false);
  });

  it('reports a file without views:', () => {
    const file = write('kmux', `v1/pods:\n  columns: [NAME]\n`);
    const { views, problems } = loadViews(env);
    expect(views.size).toBe(0);
    expect(problems.some((p) => p.file === file && /no top-level views/.test(p.message))).toBe(true);
  });
});

describe('viewKeyFor / parseSort / parseColumn', () => {
  it('lists the keys a resource is known by', () => {
    expect(viewKeyFor(POD)).toEqual(['v1/pods', 'pods']);
    expect(viewKeyFor(DEPLOY)).toEqual(['apps/v1/deployments', 'deployments.apps', 'deployments']);
  });

  it('parses sortColumn', () => {
    expect(parseSort('AGE:asc')).toEqual({ column: 'AGE', asc: true });
    expect(parseSort('name:DESC')).toEqual({ column: 'NAME', asc: false });
    expect(parseSort('RESTARTS')).toEqual({ column: 'RESTARTS', asc: true });
    expect(parseSort('AGE:up')).toBeUndefined();
  });

  it('parses header, path and flags', () => {
    const c = parseColumn('Images:.spec.containers[*].image|wr', () => {})!;
    expect(c).toMatchObject({ header: 'IMAGES', path: '.spec.containers[*].image', wide: true, right: true, hidden: false });
    expect(parseColumn('NAME|WR', () => {})).toMatchObject({ header: 'NAME', path: undefined, wide: true, right: true });
  });
});

describe('customColumns', () => {
  it('rearranges the pods columns; cells line up with the columns', () => {
    const cols = customColumns(pods, spec(['AGE', 'STATUS', 'NAME', 'RESTARTS', 'CPU', 'NODE']));
    // the rest follow in wide mode only, as K9s does
    expect(cols.columns.slice(6).map((c) => [c.name, c.wide])).toEqual(pods.columns.map((c) => c.name).filter((n) => !['AGE', 'STATUS', 'NAME', 'RESTARTS', 'CPU', 'NODE'].includes(n)).map((n) => [n, true]));
    expect(cols.columns.slice(0, 6)).toEqual([
      { name: 'AGE', kind: 'age' },
      { name: 'STATUS' },
      { name: 'NAME' },
      { name: 'RESTARTS', kind: 'number' },
      { name: 'CPU', kind: 'cpu' },
      { name: 'NODE' },
    ]);
    const base = pods.project(webPod, NOW);
    const { byName, p } = row(cols, webPod);
    const at = (n: string) => base.cells[pods.columns.findIndex((c) => c.name === n)];
    for (const n of ['AGE', 'STATUS', 'NAME', 'RESTARTS', 'CPU', 'NODE']) expect(byName[n]).toEqual(at(n));
    expect(byName).toMatchObject({ NAME: 'web-7d4b9c-x2x9k', STATUS: 'Running', RESTARTS: 3, NODE: 'node-a', AGE: NOW - 3600_000 });
    expect(p.state).toBe(base.state);
    expect(p.extra).toEqual(base.extra);
  });

  it('computes JSONPath columns from the object', () => {
    const cols = customColumns(pods, spec(['NAME', 'IP:.status.podIP', 'APP:.metadata.labels.app', 'IMAGES:.spec.containers[*].image', 'TEAM:.metadata.labels.team', 'HOST:.status.hostIP|W']));
    expect(cols.columns.slice(0, 6)).toEqual([{ name: 'NAME' }, { name: 'IP' }, { name: 'APP' }, { name: 'IMAGES' }, { name: 'TEAM' }, { name: 'HOST', wide: true }]);
    expect(row(cols, twoContainerPod).byName).toMatchObject({
      NAME: 'web-7d4b9c-x2x9k',
      IP: '10.244.1.17',
      APP: 'web',
      IMAGES: 'ghcr.io/acme/web:1.4.2,envoyproxy/envoy:v1.31.0',
      TEAM: '<none>',
      HOST: '192.168.49.2',
    });
  });

  it('keeps NAME: first when left out, and shown despite H or W', () => {
    const left = customColumns(pods, spec(['IP', 'AGE']));
    expect(left.columns.filter((c) => !c.wide).map((c) => c.name)).toEqual(['NAME', 'IP', 'AGE']);
    expect(row(left, webPod).byName.NAME).toBe('web-7d4b9c-x2x9k');
    const problems: ViewProblem[] = [];
    const hidden = customColumns(pods, spec(['AGE', 'NAME|HW']), problems);
    expect(hidden.columns.slice(0, 2)).toEqual([{ name: 'AGE', kind: 'age' }, { name: 'NAME' }]);
    expect(problems[0]!.message).toMatch(/NAME is always shown/);
  });

  it('applies the flags: W wide, H hidden, R right-aligned, N number, T time', () => {
    const cols = customColumns(pods, spec([
      'NAME|WR', // NAME stays shown; R on a text column keeps it text
      'IP|W',
      'STATUS|H',
      'QOS', // wide in pods, shown when listed
      'PRIO:.spec.priority|R',
      'RC:.status.containerStatuses[0].restartCount|N',
      'STARTED:.status.startTime|T',
      'RESTARTS|T', // nonsense, but harmless: a number is taken as ms
      'AGE|R', // already right-aligned: kept as age
    ]));
    expect(cols.columns.slice(0, 8)).toEqual([
      { name: 'NAME', align: 'right' },
      { name: 'IP', wide: true },
      { name: 'QOS' },
      { name: 'PRIO', kind: 'number' },
      { name: 'RC', kind: 'number' },
      { name: 'STARTED', kind: 'age' },
      { name: 'RESTARTS', kind: 'age' },
      { name: 'AGE', kind: 'age' },
    ]);
    expect(row(cols, webPod).byName).toMatchObject({
      NAME: 'web-7d4b9c-x2x9k',
      IP: '10.244.1.17',
      QOS: 'Burstable',
      PRIO: 0,
      RC: 3,
      STARTED: Date.parse('2025-03-01T11:00:05Z'),
      RESTARTS: 3,
      AGE: NOW - 3600_000,
    });
  });

  it('leaves non-numeric values of an R or N column as text, and a missing time empty', () => {
    const cols = customColumns(pods, spec(['NAME', 'PHASE:.status.phase|R', 'NOPE:.status.nope|N', 'GONE:.status.gone|T']));
    expect(row(cols, webPod).byName).toMatchObject({ NAME: 'web-7d4b9c-x2x9k', PHASE: 'Running', NOPE: '', GONE: '' });
  });

  it('reports an unknown column and skips it; NAMESPACE is the view\'s and skipped quietly', () => {
    const problems: ViewProblem[] = [];
    const cols = customColumns(pods, spec(['NAMESPACE', 'NAME', 'READYNESS', 'READY'], 'RESTARTS:desc'), problems);
    expect(cols.columns.filter((c) => !c.wide).map((c) => c.name)).toEqual(['NAME', 'READY']);
    expect(cols.placed).toEqual([{ name: 'NAMESPACE', at: 0 }]);
    expect(row(cols, webPod).byName).toMatchObject({ NAME: 'web-7d4b9c-x2x9k', READY: '1/1' });
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^no column READYNESS here \(columns: NAME, READY, STATUS/),
      'sortColumn RESTARTS is not one of the columns shown',
    ]);
    expect(problems[0]).toMatchObject({ file: 'views.yaml', key: 'v1/pods' });
  });

  it('matches base names in any case and keeps their kind', () => {
    const cols = customColumns(pods, spec(['name', 'restarts', 'mem', 'age']));
    expect(cols.columns.slice(0, 4)).toEqual([{ name: 'NAME' }, { name: 'RESTARTS', kind: 'number' }, { name: 'MEM', kind: 'mem' }, { name: 'AGE', kind: 'age' }]);
  });

  it('returns the base columns untouched for a sort-only entry', () => {
    const s = spec([], 'AGE:desc');
    expect(customColumns(pods, s)).toBe(pods);
    expect(s.sort).toEqual({ column: 'AGE', asc: false });
  });

  it('works end to end from a file, for a group resource', () => {
    write('k9s', `views:\n  deployments.apps:\n    columns: ["IMAGE:.spec.template.spec.containers[*].image", NAME, READY]\n    sortColumn: READY:desc\n`);
    const { views } = loadViews(env);
    const s = viewFor(views, DEPLOY)!;
    const cols = customColumns(columnsFor({ group: 'apps', plural: 'deployments' }), s);
    expect(cols.columns.filter((c) => !c.wide).map((c) => c.name)).toEqual(['IMAGE', 'NAME', 'READY']);
    const { byName } = row(cols, webDeployment);
    expect(byName.NAME).toBe(webDeployment.metadata.name);
    expect(String(byName.IMAGE)).toMatch(/acme\/web/);
    expect(s.sort).toEqual({ column: 'READY', asc: false });
  });
});

describe('bad views.yaml never crashes, hangs or echoes raw bytes (issue 11)', () => {
  it('escape sequences in resource keys, columns and sort columns are shown escaped', () => {
    const problems: ViewProblem[] = [];
    parseViews('views:\n  "\\e[2Jpods": {columns: [AGE]}\n  v1/pods:\n    columns: ["\\e[31m:", "\\u009b:.x["]\n    sortColumn: "\\u202eAGE:up"\n', 'views.yaml', 'kmux', problems);
    const shown = problems.map(formatViewProblem);
    expect(shown).toHaveLength(4);
    // eslint-disable-next-line no-control-regex
    for (const s of shown) expect(s).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(problems[0].key).toBe('\\x1b[2Jpods');
    expect(problems[1].message).toBe('"\\x1b[31m:": nothing after ":" (want a JSONPath like .status.podIP); skipped');
    expect(problems[3].message).toBe('"\\u202eAGE:up" is not COLUMN:asc or COLUMN:desc; ignored');
  });

  it('a sortColumn of many spaces is judged at once (the regex backtracked for minutes)', () => {
    const t0 = Date.now();
    expect(parseSort(`${' '.repeat(100_000)}:`)).toBeUndefined();
    expect(parseSort(`a${' '.repeat(100_000)}x`)).toEqual({ column: `A${' '.repeat(100_000)}X`, asc: true });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(parseSort(' name : DESC ')).toEqual({ column: 'NAME', asc: false });
    expect(parseSort('a:b:asc')).toBeUndefined();
    expect(parseSort('AGE:')).toBeUndefined();
  });

  it('anchors, aliases and << merges are followed (an aliased column list was "not a list")', () => {
    const problems: ViewProblem[] = [];
    const out = parseViews('base: &b\n  columns: &cols [AGE, NAME]\n  sortColumn: AGE:desc\nviews:\n  v1/pods:\n    <<: *b\n  pods:\n    columns: *cols\n', 'views.yaml', 'k9s', problems);
    expect(problems.map((p) => p.message)).toEqual(['unknown top-level key (want views:); ignored']);
    expect(out.map((v) => [v.key, v.columns.map((c) => c.header), v.sort])).toEqual([
      ['v1/pods', ['AGE', 'NAME'], { column: 'AGE', asc: false }],
      ['pods', ['AGE', 'NAME'], undefined],
    ]);
  });

  it('binary data and a FIFO are reported and skipped; the other file still loads', () => {
    const bin = write('k9s', 'x');
    writeFileSync(bin, Buffer.from([0x76, 0x69, 0x65, 0x77, 0x73, 0x3a, 0x00, 0x1b]));
    const r = loadViews(env);
    expect(r.problems).toEqual([{ file: bin, message: 'binary data, not text (a NUL byte at offset 6); ignored' }]);
    rmSync(bin);
    execFileSync('mkfifo', [bin]);
    write('kmux', 'views:\n  v1/pods:\n    columns: [AGE]\n');
    const f = loadViews(env);
    expect(f.problems).toEqual([{ file: bin, message: 'not a regular file (a device, pipe or socket); ignored' }]);
    expect([...f.views.keys()]).toEqual(['v1/pods']);
  });
});

describe('a views.yaml with thousands of mistakes (issue 11)', () => {
  it('reports the first fifty and counts the rest, not a message bar of thousands', () => {
    const problems: ViewProblem[] = [];
    parseViews(`views:\n${Array.from({ length: 3000 }, (_, i) => `  bad key ${i}: {}\n`).join('')}`, 'views.yaml', 'k9s', problems);
    expect(problems).toHaveLength(51);
    expect(problems[50]).toEqual({ file: 'views.yaml', message: 'and 2950 more problems' });
  });
});

describe('customColumns problems are display-safe too (issue 11)', () => {
  it('a very long resource key is cut in the problem customColumns reports', () => {
    const problems: ViewProblem[] = [];
    const key = `v1/${'a'.repeat(5000)}`;
    const [v] = parseViews(`views:\n  ? ${key}\n  : columns: [NOPE]\n`, 'views.yaml', 'k9s', problems);
    expect(problems).toEqual([]);
    customColumns(pods, v, problems);
    expect(problems).toHaveLength(1);
    expect(problems[0].key!.length).toBeLessThanOrEqual(201);
    expect(problems[0].message).toMatch(/^no column NOPE here/);
  });
});

describe("K9s's views.yaml semantics (issue 14)", () => {
  it('RESOURCE@REGEX applies in a namespace the regex matches and wins there over the plain key', () => {
    const problems: ViewProblem[] = [];
    const out = parseViews('views:\n  v1/pods:\n    columns: [NAME, AGE]\n  v1/pods@kube-.*:\n    columns: [NAME, NODE]\n  v1/pods@[:\n    columns: [NAME]\n', 'views.yaml', 'k9s', problems);
    const views = new Map(out.map((v) => [v.namespace ? `${v.key}@${v.namespace.source}` : v.key, v]));
    expect(viewFor(views, POD, 'kube-system')!.columns.map((c) => c.header)).toEqual(['NAME', 'NODE']);
    expect(viewFor(views, POD, 'default')!.columns.map((c) => c.header)).toEqual(['NAME', 'AGE']);
    expect(viewFor(views, POD, undefined)!.columns.map((c) => c.header)).toEqual(['NAME', 'AGE']);
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/^"\[" after @ is not a regular expression/)]);
  });

  it('L left-aligns a number column, R right-aligns a text one', () => {
    const cols = customColumns(pods, spec(['NAME', 'RESTARTS|L', 'NODE|R']));
    expect(cols.columns.slice(0, 3)).toEqual([{ name: 'NAME' }, { name: 'RESTARTS', kind: 'number', align: 'left' }, { name: 'NODE', align: 'right' }]);
  });

  it('NAMESPACE and CONTEXT take a place and flags; H hides them', () => {
    const placed = customColumns(pods, spec(['NAME', 'READY', 'NAMESPACE|W', 'CONTEXT|H']));
    expect(placed.placed).toEqual([{ name: 'NAMESPACE', at: 2, wide: true }, { name: 'CONTEXT', at: 2, hidden: true }]);
    const shown = viewColumns(placed.columns, true, true, placed.placed).filter((c) => !c.wide || c.name === 'NAMESPACE').map((c) => `${c.name}${c.wide ? '|W' : ''}`);
    expect(shown).toEqual(['NAME', 'READY', 'NAMESPACE|W']);
    // without views.yaml: CONTEXT, NAMESPACE first as always
    expect(viewColumns(pods.columns, true, true).slice(0, 3).map((c) => c.name)).toEqual(['CONTEXT', 'NAMESPACE', 'NAME']);
  });

  it("K9s's metrics columns keep what they are a share of, and CPU/RL, MEM/RL exist", () => {
    const cols = customColumns(pods, spec(['NAME', '%CPU/R', '%MEM/L', 'CPU/RL', 'MEM/RL']));
    expect(cols.columns.slice(0, 5)).toEqual([
      { name: 'NAME' },
      { name: '%CPU/R', kind: 'cpupct', basis: 'requests' },
      { name: '%MEM/L', kind: 'mempct', basis: 'limits' },
      { name: 'CPU/RL', kind: 'number' },
      { name: 'MEM/RL', kind: 'number' },
    ]);
    expect(row(cols, webPod).byName).toMatchObject({ 'CPU/RL': expect.stringMatching(/^\d+:\d+$/), 'MEM/RL': expect.stringMatching(/^\d+:\d+$/) });
  });
});
