/**
 * The logs view's filter: regex (case-insensitive), `!` inverse, `-f` fuzzy (fuzzysort), with
 * the matched character ranges for highlighting. Each line is matched once per filter (a
 * WeakMap on the ring's line objects), so a frame over a full ring costs lookups, not matches.
 */
import fuzzysort from 'fuzzysort';
import { parseFilter, FilterError, type Filter } from '../store/filter.js';
import type { LogLine } from './logs.js';

/** [start, end) character ranges of `text` to highlight. */
export type Ranges = [number, number][];

export class LogFilter {
  readonly raw: string;
  private readonly f: Filter;
  private cache = new WeakMap<LogLine, Ranges | null>();

  /** Throws FilterError with a message for the status line. */
  constructor(raw: string) {
    const f = parseFilter(raw);
    if (f.kind === 'labels') throw new FilterError('logs have no labels: filter with a regex, !regex or -f text');
    this.f = f;
    this.raw = f.raw;
  }

  get active(): boolean {
    return this.f.kind !== 'none';
  }

  /** as the title shows it, like a table's filter: `/err`, `/!GET`, `/-f tmout` */
  get describe(): string {
    return this.active ? `/${this.raw}` : '';
  }

  /** The ranges to highlight when the line is shown ([] = shown, nothing to mark), null when hidden. */
  match(line: LogLine): Ranges | null {
    let r = this.cache.get(line);
    if (r === undefined) {
      r = this.compute(line.text);
      this.cache.set(line, r);
    }
    return r;
  }

  /** Matches of `text` (for lines not in the ring, e.g. the prefix-less text of a line). */
  compute(text: string): Ranges | null {
    const f = this.f;
    if (f.kind === 'none' || f.kind === 'labels') return [];
    if (f.kind === 'fuzzy') {
      const res = fuzzysort.single(f.query, text);
      if (!res) return null;
      return toRanges(res.indexes);
    }
    const re = new RegExp(f.re.source, f.re.flags.includes('g') ? f.re.flags : `${f.re.flags}g`);
    const out: Ranges = [];
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      out.push([m.index, m.index + m[0].length]);
      if (out.length > 64) break;
    }
    const hit = out.length > 0 || re.test(text);
    if (f.inverse) return hit ? null : [];
    return hit ? out : null;
  }
}

/** Sorted character indexes -> merged [start, end) ranges. */
export function toRanges(indexes: readonly number[]): Ranges {
  const sorted = [...indexes].sort((a, b) => a - b);
  const out: Ranges = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] === i) last[1] = i + 1;
    else out.push([i, i + 1]);
  }
  return out;
}

/** Split `text` into plain and highlighted pieces by `ranges` shifted by `offset`. */
export function splitByRanges(text: string, ranges: Ranges, offset = 0): { text: string; hit: boolean }[] {
  const out: { text: string; hit: boolean }[] = [];
  let pos = 0;
  for (const [a0, b0] of ranges) {
    const a = Math.max(0, a0 + offset);
    const b = Math.min(text.length, b0 + offset);
    if (b <= pos || a >= text.length) continue;
    if (a > pos) out.push({ text: text.slice(pos, a), hit: false });
    out.push({ text: text.slice(Math.max(a, pos), b), hit: true });
    pos = b;
  }
  if (pos < text.length) out.push({ text: text.slice(pos), hit: false });
  return out;
}
