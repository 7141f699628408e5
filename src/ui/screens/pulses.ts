/** `:pulses`: the pulse model's rows as a list; enter opens the kind's view. */
import { sparkline, type PulseModel, type PulseRow } from '../../app/pulse.js';
import type { Nav } from '../nav.js';
import type { ListRow, ListSource } from './list.js';

const signed = (n: number | undefined) => (n === undefined ? '-' : n > 0 ? `+${n}` : String(n));

export function pulseCells(r: PulseRow): string[] {
  if (r.usage !== undefined) {
    const pct = r.total === undefined ? '' : `${r.total}% of allocatable`;
    return [r.plural, r.usage, '', '', '', '', sparkline(r.history), pct];
  }
  if (r.total === undefined) return [r.plural, '', '', '', '', '', '', r.note ?? ''];
  const events = r.plural === 'events';
  return [r.plural, String(r.total), String(r.ok), String(r.failing), signed(r.delta), r.perMin === undefined ? '-' : String(r.perMin), sparkline(r.history), r.note ?? (events && r.failing ? 'not ok: warnings' : '')];
}

export function pulsesList(nav: Nav, model: PulseModel): ListSource {
  const many = model.contexts.length > 1;
  // the skin's dial colors (views.charts.defaultDialColors): ok, and not ok
  const color = (r: PulseRow): ListRow['color'] => (r.note && r.total === undefined ? (r.note === 'loading...' ? 'rowPending' : 'rowError') : r.failing ? 'healthBad' : 'healthOk');
  return {
    title: `pulses(${model.namespace ?? 'all'})${many ? `@${model.contexts.join(',')}` : ''}`,
    columns: [...(many ? ['CONTEXT'] : []), 'KIND', 'TOTAL', 'OK', 'NOT OK', 'Δ1M', 'CHANGES/MIN', 'TREND(2M)', 'NOTE'],
    hint: '<enter> the kind\'s view',
    empty: 'no kinds to count (the contexts have not answered)',
    rows: () => model.rows().map((r) => ({ key: `${r.context}|${r.plural}`, cells: [...(many ? [r.context] : []), ...pulseCells(r)], color: color(r) })),
    enterDesc: 'open the kind\'s view',
    onEnter: (row) => {
      const [context, plural] = row.key.split('|');
      // cpu and memory: the pods that use them
      const resource = plural === 'cpu' || plural === 'memory' ? 'pods' : plural;
      void nav.openSpec({ resource, contexts: [context], namespace: model.namespace });
    },
    dispose: () => model.dispose(),
  };
}
