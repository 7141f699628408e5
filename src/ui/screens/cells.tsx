/** What a table cell shows, a row's color, and the fuzzy match drawn in a row. */
import React from 'react';
import { Text } from 'ink';
import type { TableView } from '../../app/session.js';
import type { Row } from '../../store/rows.js';
import { percentOf, type ViewColumn } from '../../store/view.js';
import { humanAge } from '../../resources/format.js';
import type { Theme } from '../../theme/theme.js';
import { clean } from '../text.js';

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

export function rowColor(t: Theme, state: Row['state']): string {
  switch (state) {
    case 'new': return t.rowNew;
    case 'modified': return t.rowModified;
    case 'error': return t.rowError;
    case 'pending': return t.rowPending;
    case 'completed': return t.rowCompleted;
    case 'terminating': return t.rowTerminating;
    default: return t.rowNormal;
  }
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
