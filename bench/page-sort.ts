/**
 * What a first list's pages cost the view: 50,000 pod rows arriving in pages of 2,000 (the
 * server's order: namespace, name) into a row store, the view brought up to date after every
 * page or after every few pages (a store tells its views at most every 250 ms at that size).
 * Per sort column, with and without a filter; CPU time of the view's update.
 * Run: `node bin/run-ts.js bench/page-sort.ts` (PAGESORT_ROWS, default 50000; PAGESORT_PAGE, 2000).
 */
import { RowStore, type Row } from '../src/store/rows.js';
import type { Connection } from '../src/kube/connection.js';
import type { ApiResource } from '../src/kube/discovery.js';
import { parseFilter } from '../src/store/filter.js';
import { ViewModel, viewColumns, type SortSpec } from '../src/store/view.js';
import type { Column, ResourceColumns } from '../src/resources/types.js';

const ROWS = Number(process.env.PAGESORT_ROWS ?? 50_000);
const PAGE = Number(process.env.PAGESORT_PAGE ?? 2000);

const COLS: Column[] = [{ name: 'NAME' }, { name: 'READY' }, { name: 'STATUS' }, { name: 'RESTARTS', kind: 'number' }, { name: 'IP' }, { name: 'NODE' }, { name: 'AGE', kind: 'age' }];
const STATUSES = ['Running', 'Running', 'Running', 'Pending', 'CrashLoopBackOff', 'Completed', 'ContainerCreating'];

function pods(n: number): Row[] {
  const out: Row[] = [];
  const t0 = Date.UTC(2025, 0, 1);
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < n; i++) {
    const ns = `ns-${String(i % 40).padStart(2, '0')}`;
    const name = `app-${i % 900}-${Math.floor(rnd() * 1e9).toString(36)}-${i.toString(36)}`;
    const status = STATUSES[Math.floor(rnd() * STATUSES.length)];
    const created = t0 + Math.floor(rnd() * 86_400_000 * 60);
    out.push({
      key: `dev|${ns}/${name}`, context: 'dev', namespace: ns, name, uid: String(i), created, state: 'steady',
      cells: [name, '1/1', status, Math.floor(rnd() * 30), `10.0.${i >> 8 & 255}.${i & 255}`, `node-${i % 50}`, created],
    });
  }
  // the server's order: namespace, then name
  return out.sort((a, b) => (a.namespace! < b.namespace! ? -1 : a.namespace! > b.namespace! ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const all = pods(ROWS);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

const PODS = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true } as ApiResource;
const columns: ResourceColumns = { columns: COLS, project: () => { throw new Error('rows are made here'); } };

const cpu = (t: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
};

/** pagesPerBatch 0: the whole list in one replace, no pages (what a list cost before pages were shown) */
function run(sort: SortSpec, filter: string, pagesPerBatch: number): { max: number; p50: number; total: number; batches: number; store: number } {
  // never started: the pages are fed as its reflector would hand them on
  const store = new RowStore({ context: 'dev', resource: PODS }, undefined as unknown as Connection, columns);
  const vm = new ViewModel([store], viewColumns(COLS, false, true));
  vm.setSort(sort);
  if (filter) vm.setFilter(parseFilter(filter));
  vm.rows();
  const times: number[] = [];
  let storeMs = 0;
  for (let at = 0; at < all.length;) {
    // CPU time, not wall time: on a shared machine the wall clock measures the neighbours too
    const s0 = process.cpuUsage();
    if (pagesPerBatch === 0) {
      store.apply({ type: 'replace', items: all });
      at = all.length;
    }
    for (let p = 0; p < pagesPerBatch && at < all.length; p++, at += PAGE) {
      const items = all.slice(at, at + PAGE);
      if (at + PAGE < all.length) store.apply({ type: 'page', items, listed: at + items.length });
      else store.apply({ type: 'replace', items: all });
    }
    storeMs += cpu(s0);
    const t = process.cpuUsage();
    const shown = vm.rows();
    times.push(cpu(t));
    if (!filter && shown.length !== store.rows.size) throw new Error('the view lost rows');
  }
  store.stop();
  return { max: Math.max(...times), p50: pct(times, 50), total: times.reduce((a, b) => a + b, 0), batches: times.length, store: storeMs };
}

const sorts: [string, SortSpec][] = [['natural', { column: '', asc: true }], ['NAME', { column: 'NAME', asc: true }], ['AGE', { column: 'AGE', asc: false }], ['STATUS', { column: 'STATUS', asc: true }], ['RESTARTS', { column: 'RESTARTS', asc: false }]];
// warm up the JIT
for (const [, s] of sorts) run(s, '', 1);
console.log(`${ROWS} rows in pages of ${PAGE}: CPU ms to bring the view up to date (p50 / max per batch, sum over the list; the store's sum)`);
for (const filter of ['', 'crash']) {
  for (const [label, s] of sorts) {
    const cells = [0, 1, 3].map((k) => {
      const r = run(s, filter, k);
      const what = k === 0 ? 'one replace' : `${k} page${k > 1 ? 's' : ''}/batch`;
      return `${what}: ${r.p50.toFixed(1)} / ${r.max.toFixed(1)}, sum ${r.total.toFixed(0)} (${r.batches}); store ${r.store.toFixed(0)}`;
    });
    console.log(`  ${label.padEnd(8)}${filter ? ` /${filter}` : ''}  ${cells.join('   ')}`);
  }
}
