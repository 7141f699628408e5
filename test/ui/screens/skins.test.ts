/**
 * Rows and the cursor colored as K9s colors them, with the K9s skins of the shared fixture:
 * a real Session on a small fleet holding pods in each state, the table drawn without Ink and
 * each row's colors read from what it draws. A steady row takes frame.status.newColor (never
 * views.table.fgColor), an added or changed one addColor or modifyColor, an error errorColor,
 * and so on; the cursor bar is the row's own color behind views.table.cursorFgColor.
 */
import { cpSync } from 'node:fs';
import React from 'react';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Nav } from '../../../src/ui/nav.js';
import { TableScreen } from '../../../src/ui/screens/table.js';
import { ListScreen } from '../../../src/ui/screens/list.js';
import { contextsList } from '../../../src/ui/screens/lists.js';
import { SortColumnDialog } from '../../../src/ui/dialogs/sortcol.js';
import { containerColor, cursorStyle } from '../../../src/ui/screens/cells.js';
import { STOCK } from '../../../src/theme/theme.js';
import { styledBodyOf, styledOf, type Styled } from '../../helpers/lines.js';
import { fleetSession, keys, openView, type FleetSession } from '../../helpers/ui.js';
import { until } from '../../helpers/wait.js';

const FIXTURE_SKINS = path.resolve(import.meta.dirname, '../../fixtures/k9s/skins');
const NS = 'skins';
const PODS = { resource: 'pods', contexts: ['dev'], namespace: NS };
const CONFIGMAPS = { resource: 'configmaps', contexts: ['dev'], namespace: NS };

/** The fixture's roles.yaml, role by role. */
const ROLES = {
  new: '#11aa01', modify: '#22bb02', add: '#33cc03', pending: '#44dd04', error: '#ee1105', highlight: '#66ff06',
  kill: '#7700a7', completed: '#8888a8', tableFg: '#ff00f9', cursorFg: '#010203', cursorBg: '#fefdfc', mark: '#abab0a',
  header: '#dddddb', sorter: '#ccccc0', selectedSort: '#bbbbbd',
};

let fs: FleetSession;
let nav: Nav;

const cluster = () => fs.fleet.member('dev').cluster;
const pod = (name: string) => cluster().store.get('pods', NS, name);

/** The rows of the top screen as drawn: each row's text and colors, keyed by the object's name. */
function drawn(W = 160, height = 30): { header: Styled; rows: Map<string, Styled> } {
  const s = nav.top()!;
  const theme = fs.session.themeFor('dev');
  const body = styledBodyOf(s.render({ W, theme, mono: false, height }));
  const rows = new Map<string, Styled>();
  for (const l of body.slice(1)) {
    const name = l.text.trim().split(/\s+/)[0]?.replace(/^\*$/, '');
    if (name) rows.set(name, l);
  }
  return { header: body[0], rows };
}

function rowOf(name: string): Styled {
  const r = drawn().rows.get(name);
  if (!r) throw new Error(`${name} is not drawn: ${[...drawn().rows.keys()].join(', ')}`);
  return r;
}

/** Put the cursor on a row by name. */
function cursorTo(name: string): void {
  const v = nav.view()!;
  const i = v.rows().findIndex((r) => r.name === name);
  if (i < 0) throw new Error(`no row ${name}`);
  v.moveTo(i);
}

beforeAll(async () => {
  fs = await fleetSession({
    clusters: 1, names: ['dev'], nodes: 2, pods: 10, seed: 14,
    // pods start at once; a deleted pod stays Terminating for the whole test
    cluster: { startDelayMs: [20, 60], stopDelayMs: [600_000, 600_000] },
    env: { K9S_SKIN: 'roles' },
  });
  cpSync(FIXTURE_SKINS, path.join(fs.env.K9S_CONFIG_DIR!, 'skins'), { recursive: true });
  const c = cluster();
  c.store.create('namespaces', { metadata: { name: NS }, spec: {}, status: { phase: 'Active' } });
  const mk = (name: string, extra: { annotations?: Record<string, string>; nodeSelector?: Record<string, string> } = {}) => c.store.create('pods', {
    metadata: { name, namespace: NS, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: { containers: [{ name: 'main', image: 'busybox' }], ...(extra.nodeSelector ? { nodeSelector: extra.nodeSelector } : {}) },
  });
  mk('sk-run');
  mk('sk-term');
  mk('sk-crash', { annotations: { 'sim.kmux.dev/behaviour': 'crashloop' } });
  mk('sk-done', { annotations: { 'sim.kmux.dev/behaviour': 'complete' } });
  mk('sk-pend', { nodeSelector: { 'kmux.dev/no-such-node': 'x' } });
  c.store.create('configmaps', { metadata: { name: 'sk-cm-old', namespace: NS }, data: { a: '1' } });
  c.store.create('configmaps', { metadata: { name: 'sk-cm-steady', namespace: NS }, data: { a: '1' } });
  await until('pods in their states', () => pod('sk-run')?.status?.phase === 'Running' && pod('sk-term')?.status?.phase === 'Running'
    && pod('sk-done')?.status?.phase === 'Succeeded' && pod('sk-crash')?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff'
    && pod('sk-pend')?.status?.conditions?.[0]?.reason === 'Unschedulable', 30_000);
  c.deletePod(pod('sk-term'), 600);
  nav = new Nav(fs.session, PODS);
  await openView(nav, PODS);
  await until('pods drawn in their states', () => nav.view()!.rows().find((r) => r.name === 'sk-term')?.state === 'terminating'
    && nav.view()!.rows().find((r) => r.name === 'sk-crash')?.state === 'error', 30_000);
}, 90_000);

afterAll(async () => {
  nav?.dispose();
  await fs?.stop();
});

beforeEach(async () => {
  fs.session.setSkin('roles');
  if (nav.dialog()) keys(nav, '<esc>');
  if (!(nav.top() instanceof TableScreen) || nav.view()!.spec.resource !== 'pods') await openView(nav, PODS);
  nav.view()!.marks.clear();
  cursorTo('sk-run');
});

describe('rows take the color of their state (frame.status), as K9s draws them', () => {
  it('a running pod newColor, CrashLoopBackOff errorColor, Completed completedColor, Pending pendingColor, Terminating killColor', () => {
    cursorTo('sk-pend'); // the cursor on another row: the rows below are drawn plain
    expect(rowOf('sk-run').color).toBe(ROLES.new);
    expect(rowOf('sk-crash').color).toBe(ROLES.error);
    expect(rowOf('sk-done').color).toBe(ROLES.completed);
    expect(rowOf('sk-term').color).toBe(ROLES.kill);
    cursorTo('sk-run');
    expect(rowOf('sk-pend').color).toBe(ROLES.pending);
  });

  it('no row is drawn in views.table.fgColor, and only the cursor has a background', () => {
    cursorTo('sk-crash');
    const { rows } = drawn();
    expect(rows.size).toBeGreaterThanOrEqual(5);
    for (const [name, r] of rows) {
      expect(r.color, name).not.toBe(ROLES.tableFg);
      if (name !== 'sk-crash') expect(r.backgroundColor, name).toBeUndefined();
    }
  });

  it('a row added after the list took addColor, a changed one modifyColor, then both newColor', async () => {
    await openView(nav, CONFIGMAPS);
    const c = cluster();
    c.store.create('configmaps', { metadata: { name: 'sk-cm-added', namespace: NS }, data: { a: '1' } });
    const old = c.store.get('configmaps', NS, 'sk-cm-old');
    c.store.update('configmaps', { ...old, data: { a: '2' } });
    await until('the change listed', () => nav.view()!.rows().some((r) => r.name === 'sk-cm-added') && !!nav.view()!.rows().find((r) => r.name === 'sk-cm-old')?.modifiedAt, 10_000);
    cursorTo('sk-cm-steady');
    expect(rowOf('sk-cm-added').color).toBe(ROLES.add);
    expect(rowOf('sk-cm-old').color).toBe(ROLES.modify);
    // and once they are not news any more, the steady color
    await until('added and changed rows back to newColor', () => rowOf('sk-cm-added').color === ROLES.new && rowOf('sk-cm-old').color === ROLES.new, 10_000);
    await openView(nav, PODS);
  });

  it('a running pod that changed keeps newColor, as K9s keeps a Running pod', async () => {
    const p = pod('sk-run');
    cluster().store.update('pods', { ...p, metadata: { ...p.metadata, labels: { touched: 'yes' } } });
    await until('the change listed', () => !!nav.view()!.rows().find((r) => r.name === 'sk-run' && r.labels?.touched === 'yes')?.modifiedAt, 10_000);
    cursorTo('sk-crash');
    expect(rowOf('sk-run').color).toBe(ROLES.new);
  });

  it('the context in use takes highlightColor in :ctx', () => {
    const list = new ListScreen(nav, contextsList(nav));
    nav.push(list);
    try {
      // one context, under the cursor: the bar is the row's own color, highlightColor
      const body = styledBodyOf(list.render({ W: 160, theme: fs.session.themeFor('dev'), mono: false, height: 20 }));
      const dev = body.find((l) => /\bdev\b/.test(l.text))!;
      expect(dev.backgroundColor).toBe(ROLES.highlight);
    } finally {
      nav.pop();
    }
  });

  it('a marked row takes markColor', () => {
    nav.view()!.marks.add(nav.view()!.rows().find((r) => r.name === 'sk-crash')!.key);
    expect(rowOf('sk-crash').color).toBe(ROLES.mark);
  });
});

describe('the cursor bar: the row\'s own color behind cursorFgColor, bold', () => {
  it('on an error row it is errorColor, on a running pod newColor, on a completed one completedColor; never cursorBgColor', () => {
    for (const [name, color] of [['sk-crash', ROLES.error], ['sk-run', ROLES.new], ['sk-done', ROLES.completed], ['sk-term', ROLES.kill], ['sk-pend', ROLES.pending]] as const) {
      cursorTo(name);
      const r = rowOf(name);
      expect(r, name).toMatchObject({ backgroundColor: color, color: ROLES.cursorFg, bold: true });
      expect(r.inverse, name).toBeFalsy();
    }
  });

  it('on a marked row it is markColor', () => {
    cursorTo('sk-crash');
    keys(nav, '<space>'); // marks and moves down
    cursorTo('sk-crash');
    expect(rowOf('sk-crash')).toMatchObject({ backgroundColor: ROLES.mark, color: ROLES.cursorFg });
  });

  it('stays readable where cursorBgColor is the steady rows\' color and table fgColor the background', () => {
    fs.session.setSkin('cursor-clash');
    cursorTo('sk-crash');
    expect(rowOf('sk-run').color).toBe('#268bd2'); // newColor, not the background's #fdf6e3
    expect(rowOf('sk-crash')).toMatchObject({ backgroundColor: '#dc322f', color: '#fdf6e3', bold: true });
    cursorTo('sk-run');
    expect(rowOf('sk-run')).toMatchObject({ backgroundColor: '#268bd2', color: '#fdf6e3' });
    // the other rows and the header on views.table.bgColor
    expect(rowOf('sk-crash')).toMatchObject({ color: '#dc322f', backgroundColor: '#fdf6e3' });
    expect(drawn().header.backgroundColor).toBe('#fdf6e3');
  });

  it('where cursorFgColor is the row\'s own color, kmux draws the text in cursorBgColor, else inverse', () => {
    const t = { ...STOCK, rowError: '#aa0000', cursorFg: '#aa0000', cursorBg: '#00aa00' };
    expect(cursorStyle(t, t.rowError, false)).toMatchObject({ color: '#00aa00', backgroundColor: '#aa0000' });
    expect(cursorStyle({ ...t, cursorBg: '#aa0000', tableBg: '', bg: '' }, t.rowError, false)).toMatchObject({ inverse: true });
    // a row color of the terminal's own: inverse; NO_COLOR: inverse
    expect(cursorStyle(t, '', false)).toMatchObject({ inverse: true });
    expect(cursorStyle(t, t.rowError, true)).toMatchObject({ inverse: true, color: '' });
  });
});

describe('a community skin with anchors, aliases and << merges', () => {
  it('colors rows and the cursor from its aliased status colors', () => {
    fs.session.setSkin('anchors');
    expect(fs.session.skinChoice('dev')?.problems ?? []).toEqual([]);
    cursorTo('sk-done');
    expect(rowOf('sk-run').color).toBe('#8be9fd');
    expect(rowOf('sk-crash').color).toBe('#ff5555');
    expect(rowOf('sk-pend').color).toBe('#ffb86c');
    expect(rowOf('sk-term').color).toBe('#6272a4');
    expect(rowOf('sk-done')).toMatchObject({ backgroundColor: '#6272a4', color: '#282a36', bold: true });
  });
});

describe('the column header', () => {
  it('names in header.fgColor, the sort arrow in sorterColor, the column picked to sort by in selectedSortColumnColor', () => {
    nav.view()!.vm.setSort({ column: 'NAME', asc: true });
    try {
      let { header } = drawn();
      const colors = (h: Styled) => h.parts.filter((p) => p.text.trim()).map((p) => [p.text.trim(), p.color]);
      expect(colors(header)).toContainEqual(['↑', ROLES.sorter]);
      expect(colors(header).filter(([, c]) => c !== ROLES.sorter).every(([, c]) => c === ROLES.header)).toBe(true);
      keys(nav, '<shift-o>');
      expect(nav.dialog()).toBeInstanceOf(SortColumnDialog);
      keys(nav, '<right>');
      ({ header } = drawn());
      const picked = (nav.dialog() as SortColumnDialog).col;
      expect(picked).toBe(1);
      const selected = header.parts.filter((p) => p.color === ROLES.selectedSort).map((p) => p.text).join('');
      expect(selected).toMatch(/^\s*\[\w+\]\s*$/);
    } finally {
      if (nav.dialog()) keys(nav, '<esc>');
      nav.view()!.vm.setSort({ column: '', asc: true });
    }
  });
});

describe('the containers view, by K9s\'s rule on a container\'s STATE', () => {
  it('Running and ready steady, Running not ready an error, waiting reasons errors, Completed, Pending, creating', () => {
    const cases: [string, boolean, string][] = [
      ['Running', true, 'rowNormal'], ['Running', false, 'rowError'], ['CrashLoopBackOff', false, 'rowError'],
      ['ImagePullBackOff', false, 'rowError'], ['Completed', false, 'rowCompleted'], ['Pending', false, 'rowPending'],
      ['ContainerCreating', false, 'rowAdded'], ['PodInitializing', false, 'rowAdded'], ['Terminating', true, 'rowHighlight'],
    ];
    for (const [state, ready, role] of cases) expect(containerColor(state, ready), `${state} ready=${ready}`).toBe(role);
  });
});

describe('the frame around the table', () => {
  it('title: the kind in title.fgColor, the namespace in highlightColor, the count in counterColor, on title.bgColor', () => {
    const top = nav.top()!.render({ W: 160, theme: fs.session.themeFor('dev'), mono: false, height: 20 })[0];
    const title = (React.Children.toArray((top.props as { children?: React.ReactNode }).children) as React.ReactElement[])[1];
    const t = styledOf(title);
    expect(t.backgroundColor).toBe('#000010');
    const colored = (want: string) => t.parts.find((p) => p.text === want || p.parts.some((q) => q.text === want));
    expect(colored(' pods')?.color).toBe('#00c0c0');
    expect(colored(NS)?.parts.find((q) => q.text === NS)?.color).toBe('#c000c0');
    const count = String(nav.view()!.rows().length);
    expect(colored(count)?.parts.find((q) => q.text === count)?.color).toBe('#c0c000');
  });

  it('the border in focusColor while the table has the keys, in fgColor under a dialog', () => {
    const theme = fs.session.themeFor('dev');
    const edgeColor = (blurred: boolean) => {
      const top = nav.top()!.render({ W: 160, theme, mono: false, height: 20, blurred })[0];
      return styledOf(top).parts[0].color;
    };
    expect(edgeColor(false)).toBe('#60a0e0');
    expect(edgeColor(true)).toBe('#3060c0');
  });
});

