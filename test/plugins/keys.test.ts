import { describe, expect, it } from 'vitest';
import { formatKey, k9sKeyName, keyCaveat, keyId, matchesKey, parseKey, tryParseKey } from '../../src/plugins/keys.js';

const none = { ctrl: false, shift: false };

describe('K9s key names', () => {
  it('parses letters, digits, Shift- and Ctrl- in any case', () => {
    expect(parseKey('a')).toEqual({ key: 'a', shift: false, ctrl: false });
    expect(parseKey('7')).toEqual({ key: '7', shift: false, ctrl: false });
    expect(parseKey('Shift-A')).toEqual({ key: 'a', shift: true, ctrl: false });
    expect(parseKey('shift-z')).toEqual({ key: 'z', shift: true, ctrl: false });
    expect(parseKey('Shift-1')).toEqual({ key: '1', shift: true, ctrl: false });
    expect(parseKey('Ctrl-X')).toEqual({ key: 'x', shift: false, ctrl: true });
    expect(parseKey('ctrl+k')).toEqual({ key: 'k', shift: false, ctrl: true });
    expect(parseKey(' Shift-0 ')).toEqual({ key: '0', shift: true, ctrl: false });
  });

  it('takes the typed forms too: A is Shift-A, ! is Shift-1', () => {
    expect(parseKey('A')).toEqual(parseKey('Shift-A'));
    expect(parseKey('!')).toEqual(parseKey('Shift-1'));
    expect(parseKey(')')).toEqual(parseKey('Shift-0'));
  });

  it('refuses what it cannot bind, saying why', () => {
    for (const bad of ['', 'F1', 'Alt-X', 'Shift-', 'Ctrl-1', 'Ctrl-Shift-X', 'space', '?', 'Shift-AB', 'Meta-a', 'enter']) {
      const r = tryParseKey(bad);
      expect('error' in r, bad).toBe(true);
    }
    expect(() => parseKey('Alt-X')).toThrow(/unknown modifier "Alt"/);
    expect(tryParseKey(3)).toEqual({ error: expect.stringMatching(/must be a string/) });
  });

  it('formats like kmux help and like K9s files', () => {
    expect(formatKey(parseKey('a'))).toBe('a');
    expect(formatKey(parseKey('Shift-A'))).toBe('<shift-a>');
    expect(formatKey(parseKey('Ctrl-X'))).toBe('<ctrl-x>');
    expect(formatKey(parseKey('Shift-1'))).toBe('<shift-1>');
    expect(k9sKeyName(parseKey('shift-a'))).toBe('Shift-A');
    expect(k9sKeyName(parseKey('ctrl-x'))).toBe('Ctrl-X');
    expect(keyId(parseKey('Ctrl-X'))).toBe('ctrl-x');
  });

  it('matches what Ink useInput reports', () => {
    const a = parseKey('a');
    expect(matchesKey(a, 'a', none)).toBe(true);
    expect(matchesKey(a, 'A', { ctrl: false, shift: true })).toBe(false);
    expect(matchesKey(a, 'a', { ctrl: true, shift: false })).toBe(false);
    expect(matchesKey(a, 'a', { ctrl: false, shift: false, meta: true })).toBe(false);

    const A = parseKey('Shift-A');
    expect(matchesKey(A, 'A', { ctrl: false, shift: true })).toBe(true);
    expect(matchesKey(A, 'a', none)).toBe(false);
    expect(matchesKey(A, 'a', { ctrl: false, shift: true })).toBe(true); // kitty protocol

    const cx = parseKey('Ctrl-X');
    expect(matchesKey(cx, 'x', { ctrl: true, shift: false })).toBe(true);
    expect(matchesKey(cx, 'x', none)).toBe(false);

    const s1 = parseKey('Shift-1');
    expect(matchesKey(s1, '!', none)).toBe(true);
    expect(matchesKey(s1, '1', none)).toBe(false);
    expect(matchesKey(s1, '1', { ctrl: false, shift: true })).toBe(true);
    expect(matchesKey(parseKey('Shift-2'), '@', none)).toBe(true);
    expect(matchesKey(parseKey('1'), '1', none)).toBe(true);
    expect(matchesKey(parseKey('1'), '!', none)).toBe(false);
  });

  it('warns about Ctrl keys a terminal sends as something else', () => {
    expect(keyCaveat(parseKey('Ctrl-I'))).toMatch(/Tab/);
    expect(keyCaveat(parseKey('Ctrl-M'))).toMatch(/Enter/);
    expect(keyCaveat(parseKey('Ctrl-X'))).toBeUndefined();
  });
});
