/**
 * The list screen without Ink: keys through the navigator, the cursor, filter and marks read
 * back with the lines drawn. Most tests need no cluster (a fake session); `:skins` uses a real
 * Session that never connects.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Nav } from '../../../src/ui/nav.js';
import { ListScreen, type ListRow, type ListSource } from '../../../src/ui/screens/list.js';
import { runCommand } from '../../../src/ui/commands.js';
import { Session } from '../../../src/app/session.js';
import { Settings } from '../../../src/config/settings.js';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.js';
import { listSkins } from '../../../src/theme/select.js';
import { bodyOf, titleOf } from '../../helpers/lines.js';
import { draw, fakeSession, keys, typeText } from '../../helpers/ui.js';

const ROWS: ListRow[] = Array.from({ length: 60 }, (_x, i) => ({ key: `k${i}`, cells: [`row-${String(i).padStart(2, '0')}`, i % 2 ? 'odd' : 'even'] }));

function listNav(o: Partial<ListSource> = {}) {
  const session = fakeSession();
  const nav = new Nav(session, { resource: 'x', contexts: [] });
  const entered: { row: string; marked: string[] }[] = [];
  const list = new ListScreen(nav, {
    title: 'things', columns: ['NAME', 'PARITY'], rows: () => ROWS, markable: true,
    onEnter: (row, marked) => entered.push({ row: row.key, marked }), ...o,
  });
  nav.push(list);
  return { session, nav, list, entered };
}

/** The list's rows as drawn (after the column header). */
const rowsDrawn = (lines: string[]) => bodyOf(lines).slice(1).filter((l) => l.trim() !== '');

describe('ListScreen: moving', () => {
  it('j/k, PgDn/PgUp by the drawn height, g/G and <home>/<end>', () => {
    const { nav, list, session } = listNav();
    // 20 lines: two borders and the column header leave 17 rows
    let lines = draw(session, list, 80, 20);
    expect(titleOf(lines)).toBe('things[60]');
    expect(rowsDrawn(lines)).toHaveLength(17);
    expect(rowsDrawn(lines)[0]).toMatch(/^ row-00\s+even/);
    keys(nav, 'j', 'j', '<down>', 'k');
    expect(list.current()?.key).toBe('k2');
    keys(nav, '<pgdn>');
    expect(list.vp.cursor).toBe(19);
    lines = draw(session, list, 80, 20);
    expect(rowsDrawn(lines).at(-1)).toMatch(/^ row-19 /);
    keys(nav, '<pgup>');
    expect(list.vp.cursor).toBe(2);
    keys(nav, 'G');
    expect(list.current()?.key).toBe('k59');
    lines = draw(session, list, 80, 20);
    expect(rowsDrawn(lines).at(-1)).toMatch(/^ row-59 /);
    expect(rowsDrawn(lines)).toHaveLength(17);
    // past the end stays at the end
    keys(nav, 'j', '<pgdn>');
    expect(list.vp.cursor).toBe(59);
    keys(nav, 'g');
    expect(list.vp.cursor).toBe(0);
    expect(rowsDrawn(draw(session, list, 80, 20))[0]).toMatch(/^ row-00 /);
    keys(nav, '<end>');
    expect(list.vp.cursor).toBe(59);
    keys(nav, '<home>');
    expect(list.vp.cursor).toBe(0);
    keys(nav, 'k', '<pgup>');
    expect(list.vp.cursor).toBe(0);
  });

  it('a shorter drawing pages by its own height', () => {
    const { nav, list, session } = listNav();
    draw(session, list, 80, 10);
    keys(nav, '<pgdn>');
    expect(list.vp.cursor).toBe(7);
    draw(session, list, 80, 40);
    keys(nav, '<ctrl-f>');
    expect(list.vp.cursor).toBe(7 + 37);
  });
});

describe('ListScreen: filter and marks', () => {
  it('/ filters the rows as typed (a regular expression, any cell); <esc> clears the filter before leaving', () => {
    const { nav, list, session } = listNav();
    const below = listNav().list;
    nav.stack.unshift(below);
    keys(nav, 'G', '/');
    typeText(nav, 'row-1');
    expect(list.rows().map((r) => r.key)).toEqual(Array.from({ length: 10 }, (_x, i) => `k${10 + i}`));
    keys(nav, '<enter>');
    // the filter puts the cursor on the first row
    expect(list.vp.cursor).toBe(0);
    let lines = draw(session, list, 80, 20);
    expect(titleOf(lines)).toBe('things[10/60] </row-1>');
    expect(rowsDrawn(lines)).toHaveLength(10);
    for (const r of rowsDrawn(lines)) expect(r).toMatch(/^ row-1\d /);
    // another cell, any case
    keys(nav, '/', '<ctrl-u>');
    typeText(nav, '^ODD$');
    keys(nav, '<enter>');
    expect(list.rows()).toHaveLength(30);
    // esc: the filter goes, the screen stays
    keys(nav, '<esc>');
    expect(nav.top()).toBe(list);
    expect(list.rows()).toHaveLength(60);
    lines = draw(session, list, 80, 20);
    expect(titleOf(lines)).toBe('things[60]');
    // a broken expression is said and nothing is filtered
    keys(nav, '/');
    typeText(nav, '[');
    keys(nav, '<enter>');
    expect(session.flashes.at(-1)?.text).toMatch(/^invalid regular expression "\[":/);
    expect(list.rows()).toHaveLength(60);
    // a filter that matches nothing says so when the source has words for an empty list
    keys(nav, '<esc>');
    expect(nav.top()).toBe(below);
  });

  it('keys that come before the list is drawn (typed fast, right after it opened) move within its rows', () => {
    const { nav, list, entered } = listNav();
    keys(nav, '<space>', 'j', '<space>', 'G', '<enter>');
    expect([...list.marks]).toEqual(['k0', 'k1']);
    expect(entered).toEqual([{ row: 'k59', marked: ['k0', 'k1'] }]);
    // and right after a filter, before the narrowed list is drawn
    keys(nav, '/');
    typeText(nav, 'row-1');
    keys(nav, '<enter>', 'G', '<enter>');
    expect(entered.at(-1)).toEqual({ row: 'k19', marked: ['k0', 'k1'] });
  });

  it('<space> marks rows (again: unmarks); <enter> hands over the row and every mark', () => {
    const { nav, list, entered, session } = listNav();
    draw(session, list, 80, 20);
    keys(nav, '<space>', 'j', 'j', '<space>', 'j', '<space>', '<space>');
    expect([...list.marks]).toEqual(['k0', 'k2']);
    keys(nav, '<enter>');
    expect(entered).toEqual([{ row: 'k3', marked: ['k0', 'k2'] }]);
  });

  it('an empty list says what its source says; a filter that matches nothing says that instead', () => {
    const { nav, list, session } = listNav({ rows: () => [], empty: 'nothing here yet' });
    expect(bodyOf(draw(session, list, 80, 10))[1].trim()).toBe('nothing here yet');
    keys(nav, '/');
    typeText(nav, 'x');
    keys(nav, '<enter>');
    expect(bodyOf(draw(session, list, 80, 10))[1].trim()).toBe('nothing matches the filter');
  });
});

describe(':skins', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-skins-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens with the cursor on the skin in use, in view even when it is far down the list', async () => {
    const kc = path.join(dir, 'kubeconfig');
    // a context that is never contacted: the skins list needs no cluster
    writeFileSync(kc, 'apiVersion: v1\nkind: Config\ncurrent-context: offline\nclusters:\n- name: offline\n  cluster: {server: "https://127.0.0.1:9"}\nusers:\n- name: u\n  user: {token: x}\ncontexts:\n- name: offline\n  context: {cluster: offline, user: u}\n');
    const env = { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg'), KMUX_CONFIG_DIR: path.join(dir, 'kmux'), K9S_CONFIG_DIR: path.join(dir, 'k9s') };
    const skins = listSkins(env).map((s) => s.name);
    const inUse = 'solarized-dark';
    expect(skins.indexOf(inUse)).toBeGreaterThan(4);
    const session = new Session({ kubeconfig: loadKubeconfig([kc]), contexts: ['offline'], skin: inUse, env, settings: new Settings(path.join(dir, 'kmux')) });
    const nav = new Nav(session, { resource: 'pods', contexts: ['offline'] });
    // what App does on each frame: the focused context's skin draws it
    session.themeFor('offline');
    await runCommand(nav, 'skins');
    const list = nav.top() as ListScreen;
    expect(list).toBeInstanceOf(ListScreen);
    // 8 lines: 5 rows in view
    const lines = draw(session, list, 120, 8);
    expect(list.current()?.key).toBe(inUse);
    expect(list.vp.cursor).toBe(skins.indexOf(inUse));
    expect(rowsDrawn(lines).some((l) => l.startsWith(` * ${inUse} `))).toBe(true);
    expect(titleOf(lines)).toContain(`(in use: ${inUse})`);
    // enter uses the skin under the cursor: the one in use, unchanged
    keys(nav, '<enter>');
    expect(session.flashMsg?.text).toBe(`skin: ${inUse}`);
    expect(session.skinChoice('offline')?.choice.name).toBe(inUse);
    session.stop();
  });
});
