/**
 * The table screen without Ink: a real Session on a small in-process fleet, keys pressed
 * through the navigator, the state of the view and the lines it draws read back.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Nav } from '../../../src/ui/nav.js';
import { TableScreen } from '../../../src/ui/screens/table.js';
import { TextScreen } from '../../../src/ui/screens/text.js';
import { SortColumnDialog } from '../../../src/ui/dialogs/sortcol.js';
import { PromptDialog } from '../../../src/ui/dialogs/prompt.js';
import { bodyOf, titleOf } from '../../helpers/lines.js';
import { draw, fleetSession, keys, openView, typeText, type FleetSession } from '../../helpers/ui.js';
import { until } from '../../helpers/wait.js';

let fs: FleetSession;
let nav: Nav;

const PODS = { resource: 'pods', contexts: ['dev'], namespace: undefined };
const screen = () => nav.top() as TableScreen;
const view = () => nav.view()!;
const names = () => view().rows().map((r) => r.name);
/** The table's rows as drawn: the body lines after the column header. */
const rowsDrawn = (lines: string[]) => bodyOf(lines).slice(1).filter((l) => l.trim() !== '');
/** The column header line as drawn. */
const headerDrawn = (lines: string[]) => bodyOf(lines)[0];

beforeAll(async () => {
  fs = await fleetSession({ clusters: 1, names: ['dev'], nodes: 3, pods: 70 });
  nav = new Nav(fs.session, PODS);
  await openView(nav, PODS);
});

afterAll(async () => {
  nav?.dispose();
  await fs?.stop();
});

beforeEach(async () => {
  // every test starts on all pods, unsorted and unfiltered, at the top, nothing marked
  if (nav.dialog()) keys(nav, '<esc>');
  if (!(nav.top() instanceof TableScreen) || view().spec.resource !== 'pods' || view().spec.namespace !== undefined) await openView(nav, PODS);
  view().vm.setSort({ column: '', asc: true });
  screen().filter.set('', true);
  view().marks.clear();
  keys(nav, 'g');
});

describe('TableScreen: moving', () => {
  it('j/k and the arrows move the cursor one row; the drawn rows follow it', () => {
    const all = names();
    expect(all.length).toBeGreaterThan(40);
    draw(fs.session, screen(), 120, 20);
    keys(nav, 'j', 'j', '<down>');
    expect(view().cursor).toBe(3);
    expect(view().current()?.name).toBe(all[3]);
    keys(nav, 'k', '<up>');
    expect(view().current()?.name).toBe(all[1]);
    // k at the top stays there
    keys(nav, 'k', 'k', 'k');
    expect(view().cursor).toBe(0);
    const rows = rowsDrawn(draw(fs.session, screen(), 120, 20));
    expect(rows[0]).toContain(all[0]);
  });

  it('PgDn and PgUp move by the rows drawn (the height of the last drawing), and the view follows', () => {
    const all = names();
    // 20 lines: the frame's two borders and the column header leave 17 rows
    let lines = draw(fs.session, screen(), 120, 20);
    expect(rowsDrawn(lines)).toHaveLength(17);
    keys(nav, '<pgdn>');
    expect(view().cursor).toBe(17);
    lines = draw(fs.session, screen(), 120, 20);
    // the cursor row is the last one drawn
    expect(rowsDrawn(lines).at(-1)).toContain(all[17]);
    expect(rowsDrawn(lines)[0]).toContain(all[1]);
    // a taller drawing pages by its own height: 30 lines, 27 rows
    lines = draw(fs.session, screen(), 120, 30);
    keys(nav, '<ctrl-f>');
    expect(view().cursor).toBe(17 + 27);
    keys(nav, '<pgup>');
    expect(view().cursor).toBe(17);
    keys(nav, '<ctrl-b>', '<ctrl-b>');
    expect(view().cursor).toBe(0);
  });

  it('G and <end> go to the last row, g and <home> to the first; the drawing shows each', () => {
    const all = names();
    keys(nav, 'G');
    expect(view().cursor).toBe(all.length - 1);
    let rows = rowsDrawn(draw(fs.session, screen(), 120, 20));
    expect(rows.at(-1)).toContain(all.at(-1));
    keys(nav, 'g');
    expect(view().cursor).toBe(0);
    rows = rowsDrawn(draw(fs.session, screen(), 120, 20));
    expect(rows[0]).toContain(all[0]);
    keys(nav, '<end>');
    expect(view().current()?.name).toBe(all.at(-1));
    keys(nav, '<home>');
    expect(view().current()?.name).toBe(all[0]);
  });

  it('column widths stay the same while paging through rows of names of different lengths', () => {
    const lens = new Set(names().map((n) => n.length));
    expect(lens.size).toBeGreaterThan(3);
    const headers = new Set<string>();
    draw(fs.session, screen(), 100, 15);
    for (let i = 0; i < 8; i++) {
      headers.add(headerDrawn(draw(fs.session, screen(), 100, 15)));
      keys(nav, '<pgdn>');
    }
    expect([...headers]).toHaveLength(1);
  });
});

describe('TableScreen: marks, sorting, filter, favorites', () => {
  it('<space> marks the row and moves down; <space> again unmarks; <ctrl-\\> clears every mark', () => {
    const all = view().rows();
    keys(nav, '<space>', '<space>');
    expect([...view().marks]).toEqual([all[0].key, all[1].key]);
    expect(view().cursor).toBe(2);
    keys(nav, 'k', '<space>');
    expect([...view().marks]).toEqual([all[0].key]);
    keys(nav, '<space>', '<space>');
    expect(view().marks.size).toBe(3);
    keys(nav, '<ctrl-\\>');
    expect(view().marks.size).toBe(0);
  });

  it('N sorts by name (again: the other way), A by age (AGE↓: the oldest first), S by status; the header says which', () => {
    keys(nav, 'N');
    let all = names();
    expect(all).toEqual([...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(headerDrawn(draw(fs.session, screen(), 140, 20))).toMatch(/\bNAME↑/);
    keys(nav, 'N');
    all = names();
    expect(all).toEqual([...all].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
    expect(headerDrawn(draw(fs.session, screen(), 140, 20))).toMatch(/\bNAME↓/);

    keys(nav, 'A');
    expect(view().vm.getSort()).toEqual({ column: 'AGE', asc: false });
    expect(headerDrawn(draw(fs.session, screen(), 140, 20))).toMatch(/\bAGE↓/);
    const ageCell = view().columns.find((c) => c.name === 'AGE')!.cell;
    const created = view().rows().map((r) => Number(r.cells[ageCell]));
    expect(created).toEqual([...created].sort((a, b) => a - b));

    keys(nav, 'S');
    expect(view().vm.getSort()).toEqual({ column: 'STATUS', asc: true });
    expect(headerDrawn(draw(fs.session, screen(), 140, 20))).toMatch(/\bSTATUS↑/);
  });

  it('O picks the column to sort by with ←/→ (marked in the header while open), <enter> sorts', () => {
    keys(nav, 'O');
    expect(nav.dialog()).toBeInstanceOf(SortColumnDialog);
    let header = headerDrawn(draw(fs.session, screen(), 140, 20));
    expect(header).toMatch(/^\s*\[NAMESPACE\]\s+NAME\s/);
    keys(nav, '<right>');
    header = headerDrawn(draw(fs.session, screen(), 140, 20));
    expect(header).toMatch(/^\s*NAMESPACE\s+\[NAME\]\s/);
    keys(nav, '<enter>');
    expect(nav.dialog()).toBeUndefined();
    expect(view().vm.getSort()).toEqual({ column: 'NAME', asc: true });
    expect(headerDrawn(draw(fs.session, screen(), 140, 20))).toMatch(/^\s*NAMESPACE\s+NAME↑\s/);
    // esc leaves the sort as it was
    keys(nav, 'O', '<right>', '<right>', '<esc>');
    expect(view().vm.getSort()).toEqual({ column: 'NAME', asc: true });
  });

  it('/ filters as typed, <enter> keeps it (shown in the title), <esc> clears it and stays', () => {
    const total = names().length;
    const dns = names().filter((n) => /coredns/.test(n)).length;
    expect(dns).toBeGreaterThan(0);
    keys(nav, '/');
    expect(nav.dialog()).toBeInstanceOf(PromptDialog);
    typeText(nav, 'coredns');
    // applied while typing, before enter
    expect(names()).toHaveLength(dns);
    keys(nav, '<enter>');
    expect(nav.dialog()).toBeUndefined();
    const lines = draw(fs.session, screen(), 120, 20);
    expect(titleOf(lines)).toBe(`pods(all)[${dns}/${total}] </coredns>`);
    for (const r of rowsDrawn(lines)) expect(r).toMatch(/coredns/);
    // esc clears the filter first, and the screen stays
    keys(nav, '<esc>');
    expect(nav.top()).toBeInstanceOf(TableScreen);
    expect(names()).toHaveLength(total);
    expect(titleOf(draw(fs.session, screen(), 120, 20))).toBe(`pods(all)[${total}]`);
    // <ctrl-u> clears it too; esc in the prompt puts back what was there
    keys(nav, '/');
    typeText(nav, 'coredns');
    keys(nav, '<enter>', '<ctrl-u>');
    expect(names()).toHaveLength(total);
    keys(nav, '/');
    typeText(nav, 'zzz-nothing');
    expect(names()).toHaveLength(0);
    keys(nav, '<esc>');
    expect(names()).toHaveLength(total);
  });

  it('0-9: 1 opens the first favorite namespace, 0 every namespace; an empty slot says how to add one', async () => {
    expect(fs.session.settings.data.favorites[0]).toBe('default');
    fs.session.settings.useNamespace('kube-system');
    expect(fs.session.settings.data.favorites.slice(0, 2)).toEqual(['kube-system', 'default']);
    keys(nav, '1');
    await until('kube-system opened', () => nav.view()?.spec.namespace === 'kube-system' && nav.view()!.rows().length > 0);
    expect(new Set(view().rows().map((r) => r.namespace))).toEqual(new Set(['kube-system']));
    expect(titleOf(draw(fs.session, screen(), 120, 20))).toMatch(/^pods\(kube-system\)\[\d+\]$/);
    keys(nav, '2');
    await until('default opened', () => nav.view()?.spec.namespace === 'default');
    keys(nav, '9');
    expect(fs.session.flashMsg?.text).toBe('no favorite namespace on 9 (:ns NAME adds one)');
    keys(nav, '0');
    await until('every namespace opened', () => nav.view() && nav.view()!.spec.namespace === undefined && nav.view()!.rows().length > 0);
    expect(titleOf(draw(fs.session, screen(), 120, 20))).toMatch(/^pods\(all\)\[\d+\]$/);
  });
});

describe('TableScreen: columns at a width', () => {
  it('at 80 columns a pod\'s NAME is whole: columns are dropped by priority, NAME and STATUS stay', () => {
    const lines = draw(fs.session, screen(), 80, 30);
    const header = headerDrawn(lines);
    expect(header).toMatch(/\bNAME\b/);
    expect(header).toMatch(/\bSTATUS\b/);
    // something had to go at this width
    const wideHeader = headerDrawn(draw(fs.session, screen(), 200, 30));
    expect(header.trim().split(/\s+/).length).toBeLessThan(wideHeader.trim().split(/\s+/).length);
    const rows = rowsDrawn(lines);
    expect(rows.length).toBeGreaterThan(10);
    view().rows().slice(0, rows.length).forEach((r, i) => {
      expect(rows[i]).toContain(` ${r.name} `);
      expect(rows[i]).not.toContain('…');
    });
    for (const l of lines) expect(l).toHaveLength(80);
  });

  it('wide mode (<ctrl-w>) shows the wide columns and still never cuts NAME', () => {
    const narrow = headerDrawn(draw(fs.session, screen(), 120, 30));
    keys(nav, '<ctrl-w>');
    try {
      expect(view().wide).toBe(true);
      for (const W of [120, 100, 80]) {
        const lines = draw(fs.session, screen(), W, 30);
        const header = headerDrawn(lines);
        expect(header).toMatch(/\bNAME\b/);
        if (W === 120) expect(header).not.toBe(narrow);
        const rows = rowsDrawn(lines);
        view().rows().slice(0, rows.length).forEach((r, i) => expect(rows[i], `at ${W}`).toContain(` ${r.name} `));
        for (const l of lines) expect(l).toHaveLength(W);
      }
    } finally {
      keys(nav, '<ctrl-w>');
    }
    expect(view().wide).toBe(false);
  });
});

describe('describe (d) from the table: the text screen', () => {
  it('G, PgDn and j reach the very last line of a pod\'s describe, drawn 40 or 25 lines high', async () => {
    keys(nav, 'j');
    const pod = view().current()!.name;
    keys(nav, 'd');
    const text = await until('the describe screen', () => (nav.top() instanceof TextScreen ? (nav.top() as TextScreen) : undefined), 15_000);
    const last = text.lines.filter((l) => l.trim() !== '').at(-1)!;
    try {
      expect(text.lines.length).toBeGreaterThan(45);
      for (const height of [40, 25]) {
        const inner = height - 2;
        const shows = (lines: string[]) => bodyOf(lines).some((l) => l.trimEnd() === last.trimEnd());
        // G
        keys(nav, 'g');
        let lines = draw(fs.session, text, 120, height);
        expect(titleOf(lines)).toMatch(new RegExp(`^describe pods/${pod} \\d+%$`));
        expect(shows(lines)).toBe(false);
        keys(nav, 'G');
        lines = draw(fs.session, text, 120, height);
        expect(shows(lines), `G at height ${height}`).toBe(true);
        expect(titleOf(lines)).toMatch(/ 100%$/);
        // PgDn, as many times as it takes
        keys(nav, 'g');
        draw(fs.session, text, 120, height);
        for (let i = 0; i < Math.ceil(text.lines.length / inner); i++) keys(nav, '<pgdn>');
        lines = draw(fs.session, text, 120, height);
        expect(shows(lines), `PgDn at height ${height}`).toBe(true);
        // the last page is full: no blank space drawn past the end
        expect(bodyOf(lines)).toHaveLength(inner);
        expect(bodyOf(lines).at(-1)!.trimEnd()).toBe(text.lines.at(-1)!.trimEnd());
        // j, one line at a time
        keys(nav, 'g');
        draw(fs.session, text, 120, height);
        for (let i = 0; i < text.lines.length; i++) keys(nav, 'j');
        lines = draw(fs.session, text, 120, height);
        expect(shows(lines), `j at height ${height}`).toBe(true);
      }
    } finally {
      keys(nav, '<esc>');
    }
    expect(nav.top()).toBeInstanceOf(TableScreen);
  });
});
