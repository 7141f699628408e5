/**
 * views.yaml changed while kmux runs (issue 14): a real Session on an in-process fleet, its K9s
 * views.yaml written after the table opened; the table is rebuilt with the new columns and its
 * rows are projected anew (no old cells under new headers). A broken file is a problem, not a crash.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Nav } from '../../../src/ui/nav.js';
import { fleetSession, openView, type FleetSession } from '../../helpers/ui.js';
import { until } from '../../helpers/wait.js';

let fs: FleetSession;
let nav: Nav;
const DEFAULT = { resource: 'pods', contexts: ['dev'], namespace: 'default' };
const shown = () => nav.view()!.columns.filter((c) => !c.wide).map((c) => c.name);
const views = (text: string) => {
  mkdirSync(fs.env.K9S_CONFIG_DIR!, { recursive: true });
  writeFileSync(join(fs.env.K9S_CONFIG_DIR!, 'views.yaml'), text);
};

beforeAll(async () => {
  fs = await fleetSession({ clusters: 1, names: ['dev'], nodes: 2, pods: 20 });
  nav = new Nav(fs.session, DEFAULT);
  await openView(nav, DEFAULT);
});

afterAll(async () => {
  nav?.dispose();
  await fs?.stop();
});

describe('views.yaml reloaded live', () => {
  it('a new entry rebuilds the open table; its rows carry the new cells', async () => {
    expect(shown()).toContain('READY');
    views('views:\n  v1/pods:\n    columns: [NAME, "PHASE:.status.phase", "%CPU/L"]\n  v1/pods@kube-.*:\n    columns: [NAME, NODE]\n');
    await until('new columns', () => shown().join(' ') === 'NAME PHASE %CPU/L', 15_000);
    await until('rows listed again', () => (nav.view()?.rows().length ?? 0) > 0, 15_000);
    const v = nav.view()!;
    const phaseAt = v.columns.findIndex((c) => c.name === 'PHASE');
    for (const r of v.rows()) expect(r.cells[v.columns[phaseAt]!.cell]).toMatch(/^(Running|Pending|Succeeded|Failed|Unknown)$/);
    expect(v.columns.find((c) => c.name === '%CPU/L')).toMatchObject({ kind: 'cpupct', basis: 'limits' });
  });

  it('an @namespace entry applies where the namespace matches', async () => {
    await openView(nav, { ...DEFAULT, namespace: 'kube-system' });
    expect(shown()).toEqual(['NAME', 'NODE']);
    await openView(nav, DEFAULT);
    expect(shown()).toEqual(['NAME', 'PHASE', '%CPU/L']);
  });

  it('a file that no longer parses is a problem; the kind\'s own columns come back', async () => {
    views('views:\n  v1/pods: [\n');
    await until('own columns', () => shown().includes('READY'), 15_000);
    expect(fs.session.problems.some((p) => p.source === 'views' && /YAML error/.test(p.message))).toBe(true);
  });
});
