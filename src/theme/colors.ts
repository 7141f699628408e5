/**
 * Colors as skins write them: the W3C/X11 names (as CSS and K9s know them), `#rrggbb`, `#rgb`,
 * and `default` or `-` for the terminal's own color. Also what a 256- or 16-color terminal
 * gets for a hex color, for previews and for themes adapted to the terminal's color depth.
 */
import { quote } from '../config/untrusted.js';

/** The W3C (CSS Color Module) named colors, X11-derived; both spellings of gray/grey. */
export const COLOR_NAMES: Readonly<Record<string, string>> = Object.freeze({
  aliceblue: '#f0f8ff',
  antiquewhite: '#faebd7',
  aqua: '#00ffff',
  aquamarine: '#7fffd4',
  azure: '#f0ffff',
  beige: '#f5f5dc',
  bisque: '#ffe4c4',
  black: '#000000',
  blanchedalmond: '#ffebcd',
  blue: '#0000ff',
  blueviolet: '#8a2be2',
  brown: '#a52a2a',
  burlywood: '#deb887',
  cadetblue: '#5f9ea0',
  chartreuse: '#7fff00',
  chocolate: '#d2691e',
  coral: '#ff7f50',
  cornflowerblue: '#6495ed',
  cornsilk: '#fff8dc',
  crimson: '#dc143c',
  cyan: '#00ffff',
  darkblue: '#00008b',
  darkcyan: '#008b8b',
  darkgoldenrod: '#b8860b',
  darkgray: '#a9a9a9',
  darkgreen: '#006400',
  darkgrey: '#a9a9a9',
  darkkhaki: '#bdb76b',
  darkmagenta: '#8b008b',
  darkolivegreen: '#556b2f',
  darkorange: '#ff8c00',
  darkorchid: '#9932cc',
  darkred: '#8b0000',
  darksalmon: '#e9967a',
  darkseagreen: '#8fbc8f',
  darkslateblue: '#483d8b',
  darkslategray: '#2f4f4f',
  darkslategrey: '#2f4f4f',
  darkturquoise: '#00ced1',
  darkviolet: '#9400d3',
  deeppink: '#ff1493',
  deepskyblue: '#00bfff',
  dimgray: '#696969',
  dimgrey: '#696969',
  dodgerblue: '#1e90ff',
  firebrick: '#b22222',
  floralwhite: '#fffaf0',
  forestgreen: '#228b22',
  fuchsia: '#ff00ff',
  gainsboro: '#dcdcdc',
  ghostwhite: '#f8f8ff',
  gold: '#ffd700',
  goldenrod: '#daa520',
  gray: '#808080',
  green: '#008000',
  greenyellow: '#adff2f',
  grey: '#808080',
  honeydew: '#f0fff0',
  hotpink: '#ff69b4',
  indianred: '#cd5c5c',
  indigo: '#4b0082',
  ivory: '#fffff0',
  khaki: '#f0e68c',
  lavender: '#e6e6fa',
  lavenderblush: '#fff0f5',
  lawngreen: '#7cfc00',
  lemonchiffon: '#fffacd',
  lightblue: '#add8e6',
  lightcoral: '#f08080',
  lightcyan: '#e0ffff',
  lightgoldenrodyellow: '#fafad2',
  lightgray: '#d3d3d3',
  lightgreen: '#90ee90',
  lightgrey: '#d3d3d3',
  lightpink: '#ffb6c1',
  lightsalmon: '#ffa07a',
  lightseagreen: '#20b2aa',
  lightskyblue: '#87cefa',
  lightslategray: '#778899',
  lightslategrey: '#778899',
  lightsteelblue: '#b0c4de',
  lightyellow: '#ffffe0',
  lime: '#00ff00',
  limegreen: '#32cd32',
  linen: '#faf0e6',
  magenta: '#ff00ff',
  maroon: '#800000',
  mediumaquamarine: '#66cdaa',
  mediumblue: '#0000cd',
  mediumorchid: '#ba55d3',
  mediumpurple: '#9370db',
  mediumseagreen: '#3cb371',
  mediumslateblue: '#7b68ee',
  mediumspringgreen: '#00fa9a',
  mediumturquoise: '#48d1cc',
  mediumvioletred: '#c71585',
  midnightblue: '#191970',
  mintcream: '#f5fffa',
  mistyrose: '#ffe4e1',
  moccasin: '#ffe4b5',
  navajowhite: '#ffdead',
  navy: '#000080',
  oldlace: '#fdf5e6',
  olive: '#808000',
  olivedrab: '#6b8e23',
  orange: '#ffa500',
  orangered: '#ff4500',
  orchid: '#da70d6',
  palegoldenrod: '#eee8aa',
  palegreen: '#98fb98',
  paleturquoise: '#afeeee',
  palevioletred: '#db7093',
  papayawhip: '#ffefd5',
  peachpuff: '#ffdab9',
  peru: '#cd853f',
  pink: '#ffc0cb',
  plum: '#dda0dd',
  powderblue: '#b0e0e6',
  purple: '#800080',
  rebeccapurple: '#663399',
  red: '#ff0000',
  rosybrown: '#bc8f8f',
  royalblue: '#4169e1',
  saddlebrown: '#8b4513',
  salmon: '#fa8072',
  sandybrown: '#f4a460',
  seagreen: '#2e8b57',
  seashell: '#fff5ee',
  sienna: '#a0522d',
  silver: '#c0c0c0',
  skyblue: '#87ceeb',
  slateblue: '#6a5acd',
  slategray: '#708090',
  slategrey: '#708090',
  snow: '#fffafa',
  springgreen: '#00ff7f',
  steelblue: '#4682b4',
  tan: '#d2b48c',
  teal: '#008080',
  thistle: '#d8bfd8',
  tomato: '#ff6347',
  turquoise: '#40e0d0',
  violet: '#ee82ee',
  wheat: '#f5deb3',
  white: '#ffffff',
  whitesmoke: '#f5f5f5',
  yellow: '#ffff00',
  yellowgreen: '#9acd32',
});

/** A parsed skin color: `hex` is `#rrggbb` (lower case), or undefined for the terminal's own color. */
export type ParsedColor = { ok: true; hex?: string } | { ok: false; message: string };

/**
 * Parse one skin color value. Accepts a W3C/X11 name (any case, surrounding spaces ignored),
 * `#rrggbb`, `#rgb`, and `default` or `-` (the terminal's own color, `hex: undefined`).
 * Anything else (numbers, K9s-unknown names, `#12345`) is refused with a message that says why.
 */
export function parseColor(v: unknown): ParsedColor {
  if (typeof v !== 'string') {
    if (v === null || v === undefined) return { ok: false, message: 'no color given' };
    return { ok: false, message: `${quote(v)} is not a color (want a name like dodgerblue, #rrggbb, or default)` };
  }
  const s = v.trim().toLowerCase();
  if (s === '') return { ok: false, message: 'no color given' };
  if (s === 'default' || s === '-') return { ok: true };
  if (s.startsWith('#')) {
    if (/^#[0-9a-f]{6}$/.test(s)) return { ok: true, hex: s };
    if (/^#[0-9a-f]{3}$/.test(s)) return { ok: true, hex: `#${s[1]}${s[1]}${s[2]}${s[2]}${s[3]}${s[3]}` };
    return { ok: false, message: `${quote(v)} is not a hex color (want #rrggbb)` };
  }
  // own names only: `constructor` or `__proto__` must not find Object's
  if (Object.hasOwn(COLOR_NAMES, s)) return { ok: true, hex: COLOR_NAMES[s] };
  const hint = suggestName(s);
  return { ok: false, message: `${quote(v)} is not a known color name${hint ? ` (did you mean ${hint}?)` : ''}` };
}

/** The closest color name by edit distance, for "did you mean" hints; undefined when nothing is close. */
function suggestName(s: string): string | undefined {
  if (s.length > 40) return undefined; // no color name is near a long text, and the distance would cost its length
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(s.length / 4)) + 1;
  for (const name of Object.keys(COLOR_NAMES)) {
    const d = editDistance(s, name, bestD);
    if (d < bestD) {
      bestD = d;
      best = name;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin >= cap) return cap;
    prev = cur;
  }
  return prev[b.length];
}

export type RGB = [number, number, number];

export function hexToRgb(hex: string): RGB {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) throw new Error(`not a #rrggbb color: ${hex}`);
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function rgbToHex([r, g, b]: RGB): string {
  return '#' + [r, g, b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** The xterm 16-color palette (xterm's defaults; terminals may redefine these). */
export const XTERM16: readonly string[] = [
  '#000000', '#cd0000', '#00cd00', '#cdcd00', '#0000ee', '#cd00cd', '#00cdcd', '#e5e5e5',
  '#7f7f7f', '#ff0000', '#00ff00', '#ffff00', '#5c5cff', '#ff00ff', '#00ffff', '#ffffff',
];

const CUBE = [0, 95, 135, 175, 215, 255];

/** The RGB value of an xterm-256 palette index (0-15 use xterm's defaults). */
export function ansi256ToHex(i: number): string {
  if (i < 16) return XTERM16[i];
  if (i >= 232) {
    const v = 8 + (i - 232) * 10;
    return rgbToHex([v, v, v]);
  }
  const c = i - 16;
  return rgbToHex([CUBE[Math.floor(c / 36)], CUBE[Math.floor(c / 6) % 6], CUBE[c % 6]]);
}

/** "Redmean" weighted RGB distance (squared): cheap and closer to perception than plain RGB. */
function distance(a: RGB, b: RGB): number {
  const rm = (a[0] + b[0]) / 2;
  const dr = a[0] - b[0];
  const dg = a[1] - b[1];
  const db = a[2] - b[2];
  return (2 + rm / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rm) / 256) * db * db;
}

function nearestIn(hex: string, from: number, to: number): number {
  const rgb = hexToRgb(hex);
  let best = from;
  let bestD = Infinity;
  for (let i = from; i <= to; i++) {
    const d = distance(rgb, hexToRgb(ansi256ToHex(i)));
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

const memo256 = new Map<string, number>();
const memo16 = new Map<string, number>();

/**
 * The nearest xterm-256 index (16-255: the 6x6x6 cube and the gray ramp; 0-15 are left out
 * because terminals redefine them). This is a true nearest match; chalk's own downsampling
 * (used by Ink when handed a hex color on a 256-color terminal) rounds each channel instead,
 * which can be a step off: `adaptTheme` hands Ink these indexes so the terminal gets the nearest.
 */
export function nearest256(hex: string): number {
  const key = hex.toLowerCase();
  let v = memo256.get(key);
  if (v === undefined) memo256.set(key, (v = nearestIn(key, 16, 255)));
  return v;
}

/**
 * The basic ANSI color (0-7 normal, 8-15 bright) closest in kind: plain RGB distance to the 16
 * colors sends most muted colors to gray and loses their meaning (seagreen "ok" would turn
 * gray), so this matches by hue first. Unsaturated colors go to black, gray, white or bright
 * white by lightness; very dark colors (backgrounds) to black; the rest to the hue's color
 * (red, yellow, green, cyan, blue, magenta), bright when the color is at full brightness or light (skyblue -> bright blue).
 */
export function nearest16(hex: string): number {
  const key = hex.toLowerCase();
  let v = memo16.get(key);
  if (v === undefined) memo16.set(key, (v = basic16(hexToRgb(key))));
  return v;
}

function basic16([r8, g8, b8]: RGB): number {
  const r = r8 / 255;
  const g = g8 / 255;
  const b = b8 / 255;
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const chroma = max - min;
  const sat = max === 0 ? 0 : chroma / max;
  if (max < 0.3) return 0;
  if (sat < 0.25 || chroma < 0.12) {
    const l = (max + min) / 2;
    return l < 0.25 ? 0 : l < 0.7 ? 8 : l < 0.95 ? 7 : 15;
  }
  let hue: number;
  if (max === r) hue = (60 * ((g - b) / chroma) + 360) % 360;
  else if (max === g) hue = 60 * ((b - r) / chroma) + 120;
  else hue = 60 * ((r - g) / chroma) + 240;
  // red 1, yellow 3, green 2, cyan 6, blue 4, magenta 5 (cyan/blue split at 195: sky blues read as blue)
  const base = hue < 30 || hue >= 330 ? 1 : hue < 90 ? 3 : hue < 150 ? 2 : hue < 195 ? 6 : hue < 270 ? 4 : 5;
  return max > 0.95 || (max + min) / 2 > 0.6 ? base + 8 : base;
}

/** chalk's (and so Ink's) names of the 16 basic colors, by ANSI index. */
export const ANSI16_NAMES = [
  'black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white',
  'blackBright', 'redBright', 'greenBright', 'yellowBright', 'blueBright', 'magentaBright', 'cyanBright', 'whiteBright',
] as const;

/** Color depth as chalk counts it: 0 none, 1 basic 16, 2 xterm 256, 3 truecolor. */
export type ColorLevel = 0 | 1 | 2 | 3;

/**
 * The color string to hand Ink for `hex` on a terminal of the given depth: the hex itself
 * (truecolor), `ansi256(N)` with N = nearest256, a chalk basic-color name for nearest16, or ''
 * (no color) at level 0. '' and undefined stay '' (the terminal's own color).
 */
export function colorForLevel(hex: string | undefined, level: ColorLevel): string {
  if (!hex || level === 0) return '';
  if (!/^#[0-9a-f]{6}$/i.test(hex)) return hex;
  if (level === 3) return hex;
  if (level === 2) return `ansi256(${nearest256(hex)})`;
  return ANSI16_NAMES[nearest16(hex)];
}
