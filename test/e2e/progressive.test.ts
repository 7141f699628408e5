/**
 * The first frame comes with the first page: kmux in a terminal on a cluster whose pod list
 * arrives page by page (the simulator holds every page after the first until the test lets it
 * go), so "before the last page" is a state the test controls, not a race.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eFleet } from '../helpers/e2e.js';
import { hasTmux } from '../helpers/tmux.js';

const e = e2eFleet('progressive', { clusters: 1, nodes: 10, pods: 4500, seed: 3 });

/** kmux's list pages (src/store/rows.ts) */
const PAGE = 2000;

/** The table rows on screen (lines between the frame's borders). */
function tableLines(screen: string): string[] {
  return screen.split('\n').filter((l) => l.startsWith('│')).map((l) => l.slice(1, -1).trim());
}

/** The row under the cursor: with NO_COLOR the one line drawn in inverse. */
function cursorRow(ansi: string): string | undefined {
  const line = ansi.split('\n').find((l) => /\x1b\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m/.test(l));
  return line?.replace(/\x1b\[[0-9;]*m/g, '').replace(/^│|│$/g, '').trim();
}

describe.skipIf(!hasTmux())('a big first list, page by page', () => {
  it('shows the first page at once with a loading mark and a live count, moves and filters on it, then fills in and drops the mark', async () => {
    const dev = e.fleet.member('dev');
    const total = [...dev.cluster.store.iter('pods')].length;
    expect(total).toBeGreaterThan(2 * PAGE);
    // every page of a pod list after the first waits until released
    dev.server.faults.delays.push({ resource: 'pods', verbs: ['list'], continued: true, ms: 300_000 });
    const trace = join(e.dir, 'trace');
    const t = e.kmux(['--context', 'dev', '-A', '-c', 'pods'], { NO_COLOR: '1', KMUX_TRACE: trace });
    const traced = (label: string) => {
      try {
        return readFileSync(trace, 'utf8').split('\n').filter((l) => l.startsWith(`${label} `)).map((l) => Number(l.split(' ')[1]));
      } catch {
        return [];
      }
    };
    try {
      // the first page, counted, with the mark; the rest of the list is held at the server
      const first = await t.waitFor(new RegExp(`pods\\(all\\)\\[${PAGE}\\] loading…`));
      expect(tableLines(first).length).toBeGreaterThan(10);
      expect(dev.server.faults.toJSON().heldRequests).toBe(1);
      // the trace says when the first rows were drawn, and nothing is "ready" yet
      await t.waitFor(() => traced('first').length === 1);
      expect(traced('ready')).toEqual([]);

      // a filter works on the rows there are: the matching rows of the page, the mark still there
      const name = tableLines(first)[1].split(/\s+/)[1];
      expect(name).toMatch(/^[a-z0-9.-]+$/);
      t.type(`/${name}`);
      t.keys('Enter');
      const filtered = await t.waitFor(new RegExp(`pods\\(all\\)\\[\\d+/${PAGE}\\] </${name.replace(/\./g, '\\.')}> loading…`));
      const rows = tableLines(filtered).filter((l) => l && !/^NAMESPACE\b/.test(l));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((l) => l.includes(name))).toBe(true);
      t.keys('Escape');
      await t.waitFor(new RegExp(`pods\\(all\\)\\[${PAGE}\\] loading…`));

      // and the keys: to the last row of the page, and two up
      t.keys('G');
      await t.waitFor(() => !!cursorRow(t.screenAnsi()) && tableLines(t.screen()).at(-1) === cursorRow(t.screenAnsi()));
      t.keys('k', 'k');
      await t.waitFor(() => {
        const lines = tableLines(t.screen());
        return cursorRow(t.screenAnsi()) === lines.at(-3);
      });
      const picked = cursorRow(t.screenAnsi())!;
      const atCursor = picked.split(/\s+/)[1];

      // the rest of the list comes: the full count, no mark, and the cursor on the same pod
      dev.server.faults.clear();
      const full = await t.waitFor(new RegExp(`pods\\(all\\)\\[${total}\\] `), 30_000);
      expect(full).not.toContain('loading…');
      await t.waitFor(() => cursorRow(t.screenAnsi())?.split(/\s+/)[1] === atCursor);
      await t.waitFor(() => traced('ready').length === 1);
      expect(traced('first')).toHaveLength(1);
      expect(traced('first')[0]).toBeLessThanOrEqual(traced('ready')[0]);
    } finally {
      t.kill();
      dev.server.faults.clear();
    }
  });
});
