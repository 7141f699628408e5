/**
 * Events (core/v1 and events.k8s.io/v1): NAME TYPE REASON OBJECT COUNT MESSAGE AGE, where AGE
 * is the last time the event was seen, not its creation.
 */
import { AGE, NAME, nameOf } from './common.js';
import { toMs } from './format.js';
import type { ResourceColumns } from './types.js';

/** The object an event is about: involvedObject (v1) or regarding (events.k8s.io). */
export function eventObject(ev: any): { kind: string; name: string; namespace: string; uid: string } {
  const o = ev?.involvedObject ?? ev?.regarding ?? {};
  return { kind: String(o.kind ?? ''), name: String(o.name ?? ''), namespace: String(o.namespace ?? ''), uid: String(o.uid ?? '') };
}

export function eventCount(ev: any): number {
  const n = Number(ev?.series?.count ?? ev?.count ?? ev?.deprecatedCount ?? 1);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

/** Last seen: series.lastObservedTime, lastTimestamp, eventTime, firstTimestamp, then creation. */
export function eventLastSeen(ev: any): number | '' {
  for (const t of [
    ev?.series?.lastObservedTime,
    ev?.lastTimestamp,
    ev?.deprecatedLastTimestamp,
    ev?.eventTime,
    ev?.firstTimestamp,
    ev?.deprecatedFirstTimestamp,
    ev?.metadata?.creationTimestamp,
  ]) {
    const ms = toMs(t);
    if (ms !== '') return ms;
  }
  return '';
}

/** First seen: eventTime, firstTimestamp, then creation. */
export function eventFirstSeen(ev: any): number | '' {
  for (const t of [ev?.eventTime, ev?.firstTimestamp, ev?.deprecatedFirstTimestamp, ev?.metadata?.creationTimestamp]) {
    const ms = toMs(t);
    if (ms !== '') return ms;
  }
  return '';
}

export function eventSource(ev: any): string {
  return String(ev?.source?.component || ev?.reportingController || ev?.reportingComponent || '');
}

export function eventMessage(ev: any): string {
  return String(ev?.message ?? ev?.note ?? '').trim();
}

export const eventColumns: ResourceColumns = {
  columns: [
    NAME,
    { name: 'TYPE' },
    { name: 'REASON' },
    { name: 'OBJECT' },
    { name: 'COUNT', kind: 'number' },
    { name: 'MESSAGE' },
    // last seen: it moves when the event recurs
    { ...AGE, mutable: true },
  ],
  // what happened last first, as an operator reads events (AGE ascending: the youngest first)
  defaultSort: { column: 'AGE', asc: true },
  project(ev: any) {
    const o = eventObject(ev);
    const type = String(ev?.type ?? 'Normal');
    return {
      cells: [
        nameOf(ev),
        type,
        String(ev?.reason ?? ''),
        `${o.kind.toLowerCase()}/${o.name}`,
        eventCount(ev),
        eventMessage(ev).replace(/\s*\n\s*/g, ' '),
        eventLastSeen(ev),
      ],
      state: type === 'Warning' ? 'error' : 'normal',
      extra: {
        involvedObject: o,
        source: eventSource(ev),
        firstSeen: eventFirstSeen(ev),
      },
    };
  },
};
