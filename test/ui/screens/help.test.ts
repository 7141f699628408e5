/**
 * The help screen without Ink: the keys of the screen below from the registry that dispatches
 * them, scrolling that stops at the last line, and read-only keys marked as such.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Nav } from '../../../src/ui/nav.js';
import { HelpScreen } from '../../../src/ui/screens/help.js';
import { TableScreen } from '../../../src/ui/screens/table.js';
import { Session } from '../../../src/app/session.js';
import { Settings } from '../../../src/config/settings.js';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.js';
import { bodyOf, titleOf } from '../../helpers/lines.js';
import { draw, fleetSession, keys, openView, type FleetSession } from '../../helpers/ui.js';

let fs: FleetSession;
let nav: Nav;
const PODS = { resource: 'pods', contexts: ['dev'], namespace: undefined };

beforeAll(async () => {
  fs = await fleetSession({ clusters: 1, names: ['dev'], nodes: 2, pods: 20 });
  nav = new Nav(fs.session, PODS);
  await openView(nav, PODS);
});

afterAll(async () => {
  nav?.dispose();
  await fs?.stop();
});

/** Open help over the table; the help screen is returned, esc closes it after `fn`. */
function withHelp(n: Nav, fn: (help: HelpScreen) => void): void {
  keys(n, '?');
  const help = n.top() as HelpScreen;
  expect(help).toBeInstanceOf(HelpScreen);
  try {
    fn(help);
  } finally {
    keys(n, '<esc>');
  }
  expect(n.top()).toBeInstanceOf(TableScreen);
}

describe('HelpScreen', () => {
  it('lists the keys of the view below by section, with the pod keys its capabilities bring', () => {
    withHelp(nav, (help) => {
      const text = help.lines().map((l) => `${l.key ?? ''}|${l.text}`);
      for (const sec of [' GENERAL', ' NAVIGATION', ' RESOURCE', ' SORT', ' VIEW', ' COMMANDS']) expect(text).toContain(`|${sec}`);
      for (const [k, d] of [['<ctrl-d>', 'delete'], ['l', 'logs'], ['p', 'previous logs'], ['s', 'shell'], ['a', 'attach'], ['<shift-f>', 'port-forward'], ['<ctrl-k>', 'kill (no grace period)'], ['j/<down>', 'down'], ['/', 'filter'], ['0-9', 'favorite namespace (0 = all; :ns NAME adds one)']]) {
        expect(text).toContain(`   ${k}|${d}`);
      }
      // 1-9 are dispatched but shown once, as 0-9
      expect(text.filter((t) => t.includes('favorite namespace'))).toHaveLength(1);
    });
  });

  it('says how to add a favorite namespace, and lists the favorites', () => {
    fs.session.settings.useNamespace('kube-system');
    withHelp(nav, (help) => {
      const favs = help.lines().find((l) => l.text.includes('favorites:'));
      expect(favs?.text).toBe('   favorites: 0 all  1 kube-system  2 default   (:ns NAME switches and adds one)');
    });
  });

  for (const height of [20, 31]) {
    it(`scrolls to its last line and never past it (drawn ${height} lines high)`, () => {
      withHelp(nav, (help) => {
        const all = help.lines();
        const inner = height - 2;
        expect(all.length).toBeGreaterThan(inner);
        const lastText = all.at(-1)!.text.trim();
        let lines = draw(fs.session, help, 120, height);
        expect(titleOf(lines)).toMatch(/^help \d+%$/);
        keys(nav, 'G');
        lines = draw(fs.session, help, 120, height);
        expect(titleOf(lines)).toBe('help 100%');
        let body = bodyOf(lines);
        expect(body).toHaveLength(inner);
        // the last help line is the last one drawn: a full page, no blank lines after the end
        expect(body.at(-1)!.trim()).toBe(lastText);
        expect(body.every((l) => l.trim() !== '')).toBe(true);
        const top = help.vp.top;
        expect(top).toBe(all.length - inner);
        for (let i = 0; i < 30; i++) keys(nav, 'j');
        keys(nav, '<pgdn>', '<ctrl-f>', '<end>');
        body = bodyOf(draw(fs.session, help, 120, height));
        expect(help.vp.top).toBe(top);
        expect(body.at(-1)!.trim()).toBe(lastText);
        // and back to the top
        keys(nav, 'g');
        body = bodyOf(draw(fs.session, help, 120, height));
        expect(body[0].trim()).toBe('GENERAL');
        // PgDn page by page ends on the same last page
        for (let i = 0; i < Math.ceil(all.length / inner) + 2; i++) keys(nav, '<pgdn>');
        body = bodyOf(draw(fs.session, help, 120, height));
        expect(help.vp.top).toBe(top);
        expect(body.at(-1)!.trim()).toBe(lastText);
      });
    });
  }

  it('in read-only mode lists the keys that change things with "(read-only)", and pressing one says why', async () => {
    const ro = new Session({
      kubeconfig: loadKubeconfig([path.join(fs.dir, 'kubeconfig')]), contexts: ['dev'], readonly: true, batchMs: 20,
      settings: new Settings(path.join(fs.dir, 'kmux-ro')), env: fs.env,
    });
    ro.start();
    const n = new Nav(ro, PODS);
    try {
      await openView(n, PODS);
      withHelp(n, (help) => {
        const byKey = new Map(help.lines().filter((l) => l.kind === 'key').map((l) => [l.key!.trim(), l.text]));
        expect(byKey.get('<ctrl-d>')).toBe('delete (read-only)');
        expect(byKey.get('e')).toBe('edit (kubectl edit) (read-only)');
        expect(byKey.get('s')).toBe('shell (read-only)');
        expect(byKey.get('a')).toBe('attach (read-only)');
        expect(byKey.get('<ctrl-k>')).toBe('kill (no grace period) (read-only)');
        // reading is not refused
        expect(byKey.get('d')).toBe('describe');
        expect(byKey.get('l')).toBe('logs');
        const drawn = bodyOf(draw(ro, help, 120, 80)).map((l) => l.trim());
        expect(drawn.some((l) => /^<ctrl-d>\s+delete \(read-only\)$/.test(l))).toBe(true);
      });
      keys(n, '<ctrl-d>');
      expect(n.dialog()).toBeUndefined();
      expect(ro.flashMsg?.level).toBe('error');
      expect(ro.flashMsg?.text).toMatch(/^read-only mode: delete is disabled/);
    } finally {
      n.dispose();
      ro.stop();
    }
  });
});
