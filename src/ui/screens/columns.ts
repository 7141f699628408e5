/**
 * Which columns a table shows at a width, and how wide each is. A narrow terminal drops whole
 * columns by priority (the optional ones, then the least telling, right to left) rather than
 * squeezing every column until none can be read: NAME, STATUS and CONTEXT go last, and NAME
 * is the last to be cut.
 */

/** Lower is kept longer. */
const PRIORITY: Record<string, number> = { NAME: 0, CONTEXT: 1, STATUS: 1, NAMESPACE: 2, READY: 3, AGE: 4, RESTARTS: 5 };
const GAP = 2;

export interface LayoutColumn {
  name: string;
  /** shown only when there is room */
  optional?: boolean;
}

/** Indices of the columns kept, in order, and their widths. */
export function layoutColumns(cols: readonly LayoutColumn[], natural: readonly number[], avail: number, wide: boolean): { keep: number[]; widths: number[] } {
  const keep = cols.map((_c, i) => i);
  const total = () => keep.reduce((a, i) => a + natural[i], 0) + GAP * (keep.length - 1);
  if (!wide) {
    // optional columns first, right to left; then by priority, the least telling first
    const order = cols.map((c, i) => ({ i, opt: !!c.optional, pri: PRIORITY[c.name] ?? 9 }))
      .sort((a, b) => Number(b.opt) - Number(a.opt) || b.pri - a.pri || b.i - a.i);
    for (const { i, pri } of order) {
      if (total() <= avail || pri <= 1) break;
      keep.splice(keep.indexOf(i), 1);
    }
  }
  const widths = keep.map((i) => natural[i]);
  const nameAt = keep.findIndex((i) => cols[i].name === 'NAME');
  // still too wide: shrink the widest other columns (never below their header or 6), NAME last
  shrink(widths, total(), avail, keep.map((i) => Math.min(natural[i], Math.max(cols[i].name.length, 6))), nameAt, wide ? Infinity : 20);
  return { keep, widths };
}

/**
 * Fit widths into `avail`: first take cells one at a time from the widest columns other than
 * `keep`, never below their floor; then from `keep` down to `keepFloor`; then from the widest
 * of all, never below 6.
 */
export function shrink(widths: number[], total: number, avail: number, floors: number[] = [], keep = -1, keepFloor = 20): void {
  const cut = (eligible: (i: number) => boolean) => {
    while (total > avail) {
      let wi = -1;
      widths.forEach((w, i) => {
        if (eligible(i) && (wi < 0 || w > widths[wi])) wi = i;
      });
      if (wi < 0) return;
      widths[wi]--;
      total--;
    }
  };
  cut((i) => i !== keep && widths[i] > Math.max(6, floors[i] ?? 0));
  cut((i) => i === keep && widths[i] > keepFloor);
  if (keepFloor !== Infinity) cut((i) => widths[i] > 6);
}
