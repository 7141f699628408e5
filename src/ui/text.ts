/**
 * Fitting text into terminal cells, by the rules Ink measures with (string-width): wide
 * characters take two cells, combining marks and zero-width characters none, an emoji with
 * its modifiers two. ASCII, nearly all of what kmux draws, takes the fast path.
 */
import stringWidth from 'string-width';

const ASCII = /^[\x20-\x7e]*$/;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemes(s: string): Iterable<string> {
  return ASCII.test(s) ? s : [...segmenter.segment(s)].map((g) => g.segment);
}

export function width(s: string): number {
  return ASCII.test(s) ? s.length : stringWidth(s);
}

/** Pad or cut to exactly n cells; a cut ends with an ellipsis. A character is never split. */
export function fit(s: string, n: number, align: 'left' | 'right' = 'left'): string {
  if (n <= 0) return '';
  const ascii = ASCII.test(s);
  const w = ascii ? s.length : stringWidth(s);
  if (w === n) return s;
  if (w < n) return align === 'left' ? s + ' '.repeat(n - w) : ' '.repeat(n - w) + s;
  if (ascii) return `${s.slice(0, n - 1)}…`;
  let out = '';
  let used = 0;
  for (const g of graphemes(s)) {
    const cw = stringWidth(g);
    if (used + cw > n - 1) break;
    out += g;
    used += cw;
  }
  return out + '…' + ' '.repeat(Math.max(0, n - used - 1));
}

/** The end of `s` in at most n cells: cut at the start, with an ellipsis there (what is being typed stays in view). */
export function fitEnd(s: string, n: number): string {
  if (n <= 0) return '';
  if (width(s) <= n) return s;
  const gs = [...graphemes(s)];
  let out = '';
  let used = 0;
  for (let i = gs.length - 1; i >= 0; i--) {
    const cw = width(gs[i]);
    if (used + cw > n - 1) break;
    out = gs[i] + out;
    used += cw;
  }
  return '…' + out;
}

/** Strip control characters so object data can never move the cursor or change colors. */
export function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/**
 * Where to cut `s` into pieces of at most `w` cells: string offsets, first 0, last s.length.
 * Wide characters count two cells and a character (a grapheme) is never split.
 */
export function wrapCuts(s: string, w: number): number[] {
  const cuts = [0];
  let used = 0;
  let i = 0;
  for (const g of graphemes(s)) {
    const cw = g.length === 1 && g >= ' ' && g <= '~' ? 1 : stringWidth(g);
    if (used + cw > w && used > 0) {
      cuts.push(i);
      used = 0;
    }
    used += cw;
    i += g.length;
  }
  if (cuts[cuts.length - 1] !== s.length || s.length === 0) cuts.push(s.length);
  return cuts;
}

/** Text cut into lines of at most `w` cells, on spaces where it can. */
export function wrapLines(text: string, w: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let rest = line;
    while (width(rest) > w) {
      const cuts = wrapCuts(rest, w);
      let cut = cuts[1];
      const space = rest.lastIndexOf(' ', cut);
      if (space > cut / 2) cut = space;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut).replace(/^ /, '');
    }
    out.push(rest);
  }
  return out;
}
