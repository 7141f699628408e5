/** Fitting text into terminal cells. kmux's strings are mostly ASCII; wide characters count double. */

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1faff}]/u;

export function width(s: string): number {
  let w = 0;
  for (const ch of s) w += WIDE.test(ch) ? 2 : 1;
  return w;
}

/** Pad or cut to exactly n cells; a cut ends with an ellipsis. */
export function fit(s: string, n: number, align: 'left' | 'right' = 'left'): string {
  if (n <= 0) return '';
  const w = width(s);
  if (w === n) return s;
  if (w < n) return align === 'left' ? s + ' '.repeat(n - w) : ' '.repeat(n - w) + s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const cw = WIDE.test(ch) ? 2 : 1;
    if (used + cw > n - 1) break;
    out += ch;
    used += cw;
  }
  return out + '…' + ' '.repeat(Math.max(0, n - used - 1));
}

/** Strip control characters so object data can never move the cursor or change colors. */
export function clean(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/**
 * Where to cut `s` into pieces of at most `w` cells: string offsets, first 0, last s.length.
 * Wide characters count two cells and a character (or surrogate pair) is never split.
 */
export function wrapCuts(s: string, w: number): number[] {
  const cuts = [0];
  let used = 0;
  let i = 0;
  for (const ch of s) {
    const cw = WIDE.test(ch) ? 2 : 1;
    if (used + cw > w && used > 0) {
      cuts.push(i);
      used = 0;
    }
    used += cw;
    i += ch.length;
  }
  if (cuts[cuts.length - 1] !== s.length || s.length === 0) cuts.push(s.length);
  return cuts;
}
