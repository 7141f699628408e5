/** Skin colors: names, hex, the terminal's own, and what 256- and 16-color terminals get. */
import { describe, expect, it } from 'vitest';
import { ansi256ToHex, COLOR_NAMES, colorForLevel, nearest16, nearest256, parseColor } from '../../src/theme/colors.js';
import { adaptTheme, monochrome, STOCK, THEME_ROLES } from '../../src/theme/theme.js';

describe('parseColor', () => {
  it('knows the W3C/X11 names, in any case', () => {
    expect(parseColor('dodgerblue')).toEqual({ ok: true, hex: '#1e90ff' });
    expect(parseColor('PapayaWhip')).toEqual({ ok: true, hex: '#ffefd5' });
    expect(parseColor('rebeccapurple')).toEqual({ ok: true, hex: '#663399' });
    expect(parseColor(' lightslategrey ')).toEqual({ ok: true, hex: '#778899' });
    expect(parseColor('grey')).toEqual(parseColor('gray'));
    expect(parseColor('darkslategrey')).toEqual(parseColor('darkslategray'));
    expect(parseColor('aqua')).toEqual(parseColor('cyan'));
    expect(Object.keys(COLOR_NAMES).length).toBe(148);
  });

  it('takes #rrggbb and #rgb', () => {
    expect(parseColor('#F8F8F2')).toEqual({ ok: true, hex: '#f8f8f2' });
    expect(parseColor('#abc')).toEqual({ ok: true, hex: '#aabbcc' });
  });

  it('takes default and - as the terminal\'s own color', () => {
    expect(parseColor('default')).toEqual({ ok: true });
    expect(parseColor('Default')).toEqual({ ok: true });
    expect(parseColor('-')).toEqual({ ok: true });
  });

  it('refuses what is not a color, and says why', () => {
    const bad = ['#12345', '#ggg000', 'dodgerblu', 'blurple', '', '   ', 'rgb(1,2,3)'];
    for (const v of bad) expect(parseColor(v).ok, v).toBe(false);
    for (const v of [12, true, null, undefined, { a: 1 }]) expect(parseColor(v).ok).toBe(false);
    const r = parseColor('dodgerblu');
    expect(!r.ok && r.message).toMatch(/did you mean dodgerblue/);
    const h = parseColor('#12345');
    expect(!h.ok && h.message).toMatch(/#rrggbb/);
  });
});

describe('nearest256 / nearest16', () => {
  it('maps palette colors to themselves and known colors to their nearest index', () => {
    expect(nearest256('#000000')).toBe(16);
    expect(nearest256('#ffffff')).toBe(231);
    expect(nearest256('#ff0000')).toBe(196);
    expect(nearest256('#00ff00')).toBe(46);
    expect(nearest256('#0000ff')).toBe(21);
    expect(nearest256('#808080')).toBe(244);
    expect(nearest256('#5f87af')).toBe(67);
    expect(nearest256('#ff8700')).toBe(208);
    expect(nearest256('#ffa500')).toBe(214); // orange -> #ffaf00
    expect(nearest256('#1e90ff')).toBe(33); // dodgerblue -> #0087ff
  });

  it('every cube and gray-ramp color maps to an index of the same RGB', () => {
    for (let i = 16; i < 256; i++) expect(ansi256ToHex(nearest256(ansi256ToHex(i)))).toBe(ansi256ToHex(i));
  });

  it('picks the basic color of the same kind: hue first, grays for unsaturated colors', () => {
    expect(nearest16('#000000')).toBe(0);
    expect(nearest16('#ffffff')).toBe(15);
    expect(nearest16('#ff0000')).toBe(9);
    expect(nearest16('#cd0000')).toBe(1);
    expect(nearest16('#00ff00')).toBe(10);
    expect(nearest16('#00cd00')).toBe(2);
    expect(nearest16('#0000ff')).toBe(12);
    expect(nearest16('#000080')).toBe(4); // navy
    expect(nearest16('#00ffff')).toBe(14);
    expect(nearest16('#808080')).toBe(8);
    expect(nearest16('#c0c0c0')).toBe(7);
    expect(nearest16('#ff4500')).toBe(9); // orangered
    expect(nearest16('#2e8b57')).toBe(2); // seagreen stays green, not gray
    expect(nearest16('#1e90ff')).toBe(12); // dodgerblue
    expect(nearest16('#5f9ea0')).toBe(6); // cadetblue
    expect(nearest16('#87ceeb')).toBe(12); // skyblue: light, so bright blue
    expect(nearest16('#ffa500')).toBe(11); // orange
    expect(nearest16('#778899')).toBe(8); // lightslategray
    expect(nearest16('#ffefd5')).toBe(7); // papayawhip: a light gray-white
    expect(nearest16('#002b36')).toBe(0); // a dark background stays dark
    // every basic color maps to itself
    for (const [i, hex] of ['#000000', '#cd0000', '#00cd00', '#cdcd00', '#0000ee', '#cd00cd', '#00cdcd', '#e5e5e5', '#7f7f7f', '#ff0000', '#00ff00', '#ffff00', '#5c5cff', '#ff00ff', '#00ffff', '#ffffff'].entries()) {
      expect(nearest16(hex), hex).toBe(i);
    }
  });

  it('colorForLevel gives Ink what each depth takes', () => {
    expect(colorForLevel('#1e90ff', 3)).toBe('#1e90ff');
    expect(colorForLevel('#1e90ff', 2)).toBe('ansi256(33)');
    expect(colorForLevel('#ff0000', 1)).toBe('redBright');
    expect(colorForLevel('#ff0000', 0)).toBe('');
    expect(colorForLevel('', 3)).toBe('');
    expect(colorForLevel(undefined, 2)).toBe('');
  });
});

describe('adaptTheme and monochrome', () => {
  it('keeps the theme at truecolor and converts every role below it', () => {
    expect(adaptTheme(STOCK, 3)).toBe(STOCK);
    const t256 = adaptTheme(STOCK, 2);
    for (const k of THEME_ROLES) expect(t256[k] ?? '').toMatch(k === 'bg' || !STOCK[k] ? /^$/ : /^ansi256\(\d+\)$/);
    const t16 = adaptTheme(STOCK, 1);
    expect(t16.rowError).toBe('redBright');
  });

  it('monochrome has every role and no color', () => {
    const m = monochrome();
    for (const k of THEME_ROLES) expect(m[k]).toBe('');
    expect(adaptTheme(STOCK, 0)).toEqual(m);
  });
});
