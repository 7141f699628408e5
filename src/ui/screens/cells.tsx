/** What a table cell shows, a row's color, and the fuzzy match drawn in a row. */
import React from 'react';
import { Text } from 'ink';
import type { TableView } from '../../app/session.js';
import type { Row } from '../../store/rows.js';
import { percentOf, type ViewColumn } from '../../store/view.js';
import { humanAge } from '../../resources/format.js';
import type { Theme } from '../../theme/theme.js';
import { clean, fit, width } from '../text.js';

/** What a cell shows: joined values (metrics, pod counts) and ages are made here, at draw time. */
export function cellTextOf(v: TableView, r: Row, c: ViewColumn, now: number): string {
  if (c.name === 'CONTEXT') return r.context;
  if (c.name === 'NAMESPACE') return r.namespace ?? '';
  if (c.kind === 'age') {
    const at = r.cells[c.cell];
    return at === '' || at === undefined || !Number.isFinite(Number(at)) ? '<none>' : humanAge(now - Number(at));
  }
  if (c.kind === 'podcount') {
    const n = v.vm.podCount?.(r);
    return n === undefined ? '-' : String(n);
  }
  if (c.kind === 'cpupct' || c.kind === 'mempct') {
    const m = v.metricsOf(r);
    if (!m) return v.metricsAvailable(r.context) === false ? 'n/a' : '-';
    const pct = percentOf(r, c.kind, m, c.basis);
    return pct === undefined ? 'n/a' : String(pct);
  }
  if (c.kind === 'cpu' || c.kind === 'mem') {
    const m = v.metricsOf(r);
    if (!m) return v.metricsAvailable(r.context) === false ? 'n/a' : '-';
    return c.kind === 'cpu' ? String(Math.round(m.cpu)) : String(Math.round(m.mem / 2 ** 20));
  }
  return clean(String(r.cells[c.cell] ?? ''));
}

/** How long a row that appeared or changed keeps addColor or modifyColor (K9s: until its next refresh). */
export const FRESH_MS = 3000;

/**
 * The state a row is drawn in at `now`: its own, or for a normal row that appeared or changed
 * in the last FRESH_MS, `new` (addColor) or `modified` (modifyColor), as K9s colors the rows of
 * a refresh that added or changed them. A `steady` row (a running pod) keeps its color.
 */
export function shownState(r: Pick<Row, 'state' | 'addedAt' | 'modifiedAt'>, now: number): Row['state'] {
  if (r.state !== 'normal') return r.state;
  if (r.addedAt && now - r.addedAt < FRESH_MS) return 'new';
  if (r.modifiedAt && now - r.modifiedAt < FRESH_MS) return 'modified';
  return 'normal';
}

/** A row state's color: K9s's frame.status roles (a steady row takes newColor, an added one addColor). */
export function rowColor(t: Theme, state: Row['state']): string {
  return t[ROLE_OF[state] ?? 'rowNormal'] ?? '';
}

/** ListRow color roles by state, as rowColor gives them. */
const ROLE_OF: Record<Row['state'], keyof Theme> = {
  normal: 'rowNormal', steady: 'rowNormal', new: 'rowAdded', added: 'rowAdded', modified: 'rowModified', error: 'rowError',
  pending: 'rowPending', completed: 'rowCompleted', terminating: 'rowTerminating', highlight: 'rowHighlight',
};

/**
 * A container's color role in the containers view, by K9s's rule on its STATE: Pending pending,
 * ContainerCreating and PodInitializing added, Terminating and Initialized highlighted,
 * Completed completed, Running normal when ready and in error when not, anything else error.
 */
export function containerColor(state: string, ready: boolean): keyof Theme {
  switch (state) {
    case 'Pending': return ROLE_OF.pending;
    case 'ContainerCreating':
    case 'PodInitializing': return ROLE_OF.added;
    case 'Terminating':
    case 'Initialized': return ROLE_OF.highlight;
    case 'Completed': return ROLE_OF.completed;
    case 'Running': return ready ? ROLE_OF.normal : ROLE_OF.error;
    default: return ROLE_OF.error;
  }
}

export interface CursorStyle {
  color: string;
  backgroundColor: string;
  bold: boolean;
  inverse: boolean;
}

/**
 * The cursor bar as K9s draws it: the row's own color (its state's, or the mark color) as the
 * background, views.table.cursorFgColor as the text, bold; so the cursor shows what the row
 * is, and stays readable whatever cursorBgColor is (K9s draws no table cursor with it). Where
 * that would hide the text (a row color of the terminal's own, or the same as the cursor's
 * text), kmux does better than K9s: the terminal's inverse, or cursorBgColor for the text.
 * Under NO_COLOR, inverse.
 */
export function cursorStyle(t: Theme, rowColorOf: string, mono: boolean): CursorStyle {
  if (mono || !rowColorOf) return { color: '', backgroundColor: '', bold: true, inverse: true };
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  let fg = t.cursorFg;
  if (fg && same(fg, rowColorOf)) {
    fg = t.cursorBg && !same(t.cursorBg, rowColorOf) ? t.cursorBg : t.tableBg || t.bg || '';
    if (!fg) return { color: '', backgroundColor: '', bold: true, inverse: true };
  }
  return { color: fg, backgroundColor: rowColorOf, bold: true, inverse: false };
}

export interface HeaderCell {
  /** the header as fitted to its column's width */
  text: string;
  /** the column picked in the sort-column dialog */
  selected?: boolean;
  /** the column the rows are sorted by: its arrow takes the sorter color */
  sorted?: boolean;
}

/**
 * The table's header line as K9s colors it: names in views.table.header.fgColor on its bgColor,
 * the column picked for sorting in selectedSortColumnColor, the sort arrow in sorterColor. `total` is the
 * line's width (padded with spaces); a line that would not fit is drawn in one color.
 */
export function headerLine(t: Theme, cells: HeaderCell[], total: number): React.ReactElement {
  const parts: React.ReactElement[] = [];
  let used = 1;
  let plain = ' ';
  const flush = () => {
    if (plain) parts.push(<Text key={parts.length} color={t.tableHeader}>{plain}</Text>);
    plain = '';
  };
  cells.forEach((c, i) => {
    if (i > 0) plain += '  ';
    used += (i > 0 ? 2 : 0) + width(c.text);
    const arrow = c.sorted ? Math.max(c.text.lastIndexOf('↑'), c.text.lastIndexOf('↓')) : -1;
    if (!c.selected && arrow < 0) {
      plain += c.text;
      return;
    }
    flush();
    const color = c.selected ? t.sortSelected : t.tableHeader;
    if (arrow < 0) parts.push(<Text key={parts.length} color={color}>{c.text}</Text>);
    else {
      parts.push(<Text key={parts.length} color={color}>{c.text.slice(0, arrow)}</Text>);
      parts.push(<Text key={parts.length} color={t.sortMarker}>{c.text[arrow]}</Text>);
      if (arrow + 1 < c.text.length) parts.push(<Text key={parts.length} color={color}>{c.text.slice(arrow + 1)}</Text>);
    }
  });
  const bg = t.tableHeaderBg || undefined;
  if (used > total) return <Text color={t.tableHeader} backgroundColor={bg} bold>{fit(' ' + cells.map((c) => c.text).join('  '), total)}</Text>;
  plain += ' '.repeat(total - used);
  flush();
  return <Text backgroundColor={bg} bold>{parts}</Text>;
}

/** Bold the fuzzy-matched characters of the name inside a rendered line. */
export function highlight(line: string, name: string, idx: number[]): React.ReactElement[] {
  const at = line.indexOf(name);
  if (at < 0) return [<Text key="all">{line}</Text>];
  const set = new Set(idx.map((i) => i + at));
  const out: React.ReactElement[] = [];
  let buf = '';
  let bold = false;
  const flush = (k: number) => {
    if (buf) out.push(<Text key={k} bold={bold} underline={bold}>{buf}</Text>);
    buf = '';
  };
  [...line].forEach((c, i) => {
    const b = set.has(i);
    if (b !== bold) {
      flush(i);
      bold = b;
    }
    buf += c;
  });
  flush(line.length);
  return out;
}
