/** `:health`: what kmux holds and how quick it is, read each time the screen is drawn (every second). */
import { readHealth } from '../../app/health.js';
import { heapGrowthPercent } from '../../store/gc.js';
import type { Nav } from '../nav.js';
import type { ListRow, ListSource } from './list.js';

export function healthList(nav: Nav): ListSource {
  const session = nav.session;
  const rows = (): ListRow[] => {
    const h = readHealth(session);
    const out: ListRow[] = [
      { key: 'rss', cells: ['memory, resident', `${h.rssMB} MB`] },
      { key: 'heap', cells: ['memory, JS heap used', `${h.heapUsedMB} MB`] },
      { key: 'external', cells: ['memory, external / array buffers', `${h.externalMB} / ${h.arrayBuffersMB} MB`] },
      { key: 'growth', cells: ['heap growth before a full collection', heapGrowthPercent() ? `${heapGrowthPercent()}% (idle: dead row versions collected soon)` : "V8's own (keys coming or a list loading)"] },
      { key: 'loop', cells: ['event-loop delay p99 / max (last 10-20 s)', `${h.loopP99Ms} / ${h.loopMaxMs} ms`], color: h.loopP99Ms > 50 ? 'rowError' : undefined },
      { key: 'watches', cells: ['watches open / stores', `${h.watches} / ${h.stores}`], color: h.watches < h.stores ? 'rowPending' : undefined },
      { key: 'sockets', cells: ['sockets to clusters: in use / idle (listeners)', `${h.sockets} / ${h.idleSockets} (${h.socketListeners})`] },
      { key: 'rows', cells: ['rows held, all stores', String(h.rows.reduce((n, r) => n + r.rows, 0))] },
    ];
    for (const r of h.rows) out.push({ key: `store:${r.store}`, cells: [`  ${r.store}`, `${r.rows} ${r.rows === 1 ? 'row' : 'rows'}${r.watching ? '' : ', not watching'}`], color: r.watching ? undefined : 'rowPending' });
    return out;
  };
  return { title: 'health', columns: ['WHAT', 'NOW'], rows, hint: 'refreshed every second; KMUX_TRACE=file writes it every 10 s' };
}
