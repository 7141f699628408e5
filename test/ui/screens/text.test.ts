/**
 * The text screen (describe, YAML) without Ink: lines that scroll to the very last one at any
 * height, never past it; `x` swaps in the revealed lines of a secret.
 */
import { describe, expect, it } from 'vitest';
import { Nav } from '../../../src/ui/nav.js';
import { TextScreen } from '../../../src/ui/screens/text.js';
import { bodyOf, titleOf } from '../../helpers/lines.js';
import { draw, fakeSession, keys } from '../../helpers/ui.js';
import { until } from '../../helpers/wait.js';

const LINES = Array.from({ length: 100 }, (_x, i) => `line ${i + 1}`);

function textNav(o: Partial<ConstructorParameters<typeof TextScreen>[1]> = {}) {
  const session = fakeSession();
  const nav = new Nav(session, { resource: 'x', contexts: [] });
  const text = new TextScreen(nav, { title: 'describe pods/x', lines: LINES, ...o });
  nav.push(text);
  return { session, nav, text };
}

describe('TextScreen', () => {
  for (const height of [40, 25, 7]) {
    it(`G, <end>, PgDn and j reach the last line and stop there (drawn ${height} lines high)`, () => {
      const { nav, text, session } = textNav();
      const inner = height - 2;
      const at = (lines: string[]) => bodyOf(lines).map((l) => l.trim());
      let lines = draw(session, text, 80, height);
      expect(at(lines)).toEqual(LINES.slice(0, inner));
      expect(titleOf(lines)).toBe(`describe pods/x ${Math.round((inner / 100) * 100)}%`);
      keys(nav, 'G');
      lines = draw(session, text, 80, height);
      expect(at(lines)).toEqual(LINES.slice(100 - inner));
      expect(titleOf(lines)).toBe('describe pods/x 100%');
      // nothing moves past the end
      keys(nav, 'j', '<pgdn>', '<down>', '<ctrl-f>', 'G');
      expect(at(draw(session, text, 80, height))).toEqual(LINES.slice(100 - inner));
      keys(nav, 'g');
      expect(at(draw(session, text, 80, height))[0]).toBe('line 1');
      keys(nav, '<end>');
      expect(at(draw(session, text, 80, height)).at(-1)).toBe('line 100');
      keys(nav, '<home>');
      draw(session, text, 80, height);
      // PgDn, page by page: each page starts where the last one ended
      let pages = 0;
      while (!text.vp.atEnd()) {
        const before = at(draw(session, text, 80, height));
        keys(nav, '<pgdn>');
        const after = at(draw(session, text, 80, height));
        if (!text.vp.atEnd()) expect(after[0]).toBe(`line ${Number(before[0].split(' ')[1]) + inner}`);
        pages++;
        expect(pages).toBeLessThan(100);
      }
      expect(at(draw(session, text, 80, height)).at(-1)).toBe('line 100');
      // j, a line at a time
      keys(nav, 'g');
      draw(session, text, 80, height);
      for (let i = 0; i < 100 - inner; i++) keys(nav, 'j');
      expect(at(draw(session, text, 80, height))).toEqual(LINES.slice(100 - inner));
      // back up
      keys(nav, 'k', '<pgup>', '<ctrl-b>');
      expect(at(draw(session, text, 80, height))[0]).toBe(`line ${Math.max(1, 100 - inner - 1 - 2 * inner + 1)}`);
    });
  }

  it('keys page by the height last drawn: a drawing that shrank (the header came back) still ends on the last line', () => {
    const { nav, text, session } = textNav();
    draw(session, text, 80, 40);
    draw(session, text, 80, 31);
    keys(nav, 'G');
    expect(bodyOf(draw(session, text, 80, 31)).at(-1)!.trim()).toBe('line 100');
  });

  it('keys that come before the first drawing still reach the end', () => {
    const { nav, text, session } = textNav();
    keys(nav, 'G');
    expect(bodyOf(draw(session, text, 80, 30)).at(-1)!.trim()).toBe('line 100');
  });

  it('a text that fits has no percentage and does not scroll', () => {
    const { nav, text, session } = textNav({ lines: LINES.slice(0, 5) });
    let lines = draw(session, text, 80, 20);
    expect(titleOf(lines)).toBe('describe pods/x');
    keys(nav, 'G', 'j', '<pgdn>');
    lines = draw(session, text, 80, 20);
    expect(bodyOf(lines)[0].trim()).toBe('line 1');
    expect(bodyOf(lines).slice(0, 5).map((l) => l.trim())).toEqual(LINES.slice(0, 5));
  });

  it('x (a secret\'s YAML) swaps in the decoded lines and back; the title says revealed', async () => {
    const asked: boolean[] = [];
    const { nav, text, session } = textNav({
      title: 'yaml secrets/db', yaml: true, lines: ['data:', '  password: KioqKio='],
      reveal: async (r) => {
        asked.push(r);
        return r ? ['data:', '  password: hunter2'] : ['data:', '  password: KioqKio='];
      },
    });
    expect(nav.actionsOf(text).find((a) => a.id === 'reveal')?.desc).toBe('reveal secret values (decoded)');
    keys(nav, 'x');
    await until('the decoded lines', () => text.revealed);
    let lines = draw(session, text, 80, 10);
    expect(titleOf(lines)).toBe('yaml secrets/db (revealed)');
    expect(bodyOf(lines)[1].trim()).toBe('password: hunter2');
    expect(nav.actionsOf(text).find((a) => a.id === 'reveal')?.desc).toBe('mask secret values');
    keys(nav, 'x');
    await until('the masked lines again', () => !text.revealed);
    lines = draw(session, text, 80, 10);
    expect(titleOf(lines)).toBe('yaml secrets/db');
    expect(bodyOf(lines)[1].trim()).toBe('password: KioqKio=');
    expect(asked).toEqual([true, false]);
  });

  it('no x where there is nothing to reveal', () => {
    const { nav, text } = textNav();
    expect(nav.actionsOf(text).some((a) => a.keys.includes('x'))).toBe(false);
  });
});
