import { describe, expect, it } from 'vitest';
import type { Column, RowState } from '../../src/resources/types.js';
import { parseFilter } from '../../src/store/filter.js';
import type { Row, RowStore } from '../../src/store/rows.js';
import { ViewModel, viewColumns, type SortSpec } from '../../src/store/view.js';

// ---------------------------------------------------------------- fakes

const COLS: Column[] = [
  { name: 'NAME' },
  { name: 'READY' },
  { name: 'STATUS' },
  { name: 'RESTARTS', kind: 'number' },
  { name: 'AGE', kind: 'age' },
];
const C = { NAME: 0, READY: 1, STATUS: 2, RESTARTS: 3, AGE: 4 };
const T0 = Date.UTC(2025, 0, 1);

interface RowInit {
  ns?: string;
  name: string;
  status?: string;
  restarts?: number;
  created?: number;
  state?: RowState;
  labels?: Record<string, string>;
  uid?: string;
}

let uidSeq = 0;

/** What the ViewModel reads of a RowStore: rows, version, key.context, and the change log. */
class FakeStore {
  readonly rows = new Map<string, Row>();
  version = 0;
  seq = 0;
  private log: string[] = [];
  readonly key: { context: string };
  constructor(context: string) {
    this.key = { context };
  }

  changesSince(seq: number): string[] | null {
    return this.log.slice(seq);
  }

  /** record a change to `key`, as the real store does for every event it applies */
  logged(key: string): void {
    this.log.push(key);
    this.seq++;
    this.version++;
  }

  make(o: RowInit): Row {
    const created = o.created ?? T0;
    return {
      key: `${this.key.context}|${o.ns ? `${o.ns}/` : ''}${o.name}`,
      context: this.key.context,
      namespace: o.ns,
      name: o.name,
      uid: o.uid ?? `uid-${++uidSeq}`,
      labels: o.labels,
      created,
      cells: [o.name, '1/1', o.status ?? 'Running', o.restarts ?? 0, created],
      state: o.state ?? 'normal',
    };
  }

  /** add or replace (a new Row object, as the real store does) */
  put(o: RowInit): Row {
    const r = this.make(o);
    this.rows.set(r.key, r);
    this.logged(r.key);
    return r;
  }

  /** a new version of an existing row with some cells changed */
  modify(key: string, patch: { status?: string; restarts?: number; state?: RowState }): Row {
    const old = this.rows.get(key)!;
    const cells = [...old.cells];
    if (patch.status !== undefined) cells[C.STATUS] = patch.status;
    if (patch.restarts !== undefined) cells[C.RESTARTS] = patch.restarts;
    const r: Row = { ...old, cells, state: patch.state ?? old.state, text: undefined, prepared: undefined };
    this.rows.set(key, r);
    this.logged(key);
    return r;
  }

  del(key: string): void {
    this.rows.delete(key);
    this.logged(key);
  }
}

const asStores = (s: FakeStore[]) => s as unknown as RowStore[];

function vmOf(stores: FakeStore[], opts: { context?: boolean; namespace?: boolean } = {}): ViewModel {
  const cols = viewColumns(COLS, opts.context ?? stores.length > 1, opts.namespace ?? true);
  return new ViewModel(asStores(stores), cols);
}

const names = (rows: Row[]) => rows.map((r) => r.name);
const keys = (rows: Row[]) => rows.map((r) => r.key);

/** mulberry32: a small seeded PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- tests

describe('viewColumns', () => {
  it('adds CONTEXT and NAMESPACE in front, with cell -1, and indexes the rest', () => {
    const v = viewColumns(COLS, true, true);
    expect(v.map((c) => c.name)).toEqual(['CONTEXT', 'NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(v.map((c) => c.cell)).toEqual([-1, -1, 0, 1, 2, 3, 4]);
    expect(viewColumns(COLS, false, false).map((c) => c.name)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(viewColumns(COLS, false, true)[4]).toMatchObject({ name: 'RESTARTS', kind: 'number', cell: 3 });
  });
});

describe('ViewModel sorting', () => {
  function fleet() {
    const dev = new FakeStore('dev');
    const prod = new FakeStore('prod');
    prod.put({ ns: 'default', name: 'web-2', status: 'Running', restarts: 10, created: T0 + 5000 });
    prod.put({ ns: 'default', name: 'api', status: 'Pending', restarts: 2, created: T0 + 1000 });
    prod.put({ ns: 'kube-system', name: 'coredns', status: 'Running', restarts: 0, created: T0 });
    dev.put({ ns: 'kube-system', name: 'coredns', status: 'CrashLoopBackOff', restarts: 9, created: T0 + 3000 });
    dev.put({ ns: 'default', name: 'web-1', status: 'Error', restarts: 1, created: T0 + 4000 });
    dev.put({ ns: 'default', name: 'api', status: 'Running', restarts: 0, created: T0 + 2000 });
    return { dev, prod, stores: [prod, dev] };
  }

  it('natural order is context, namespace, name whatever the store order', () => {
    const { stores } = fleet();
    const vm = vmOf(stores);
    expect(keys(vm.rows())).toEqual([
      'dev|default/api', 'dev|default/web-1', 'dev|kube-system/coredns',
      'prod|default/api', 'prod|default/web-2', 'prod|kube-system/coredns',
    ]);
    expect(vm.total).toBe(6);
    expect(vm.getSort()).toEqual({ column: '', asc: true });
  });

  it('natural order descending reverses it', () => {
    const { stores } = fleet();
    const vm = vmOf(stores);
    vm.setSort({ column: '', asc: false });
    expect(keys(vm.rows())[0]).toBe('prod|kube-system/coredns');
    expect(keys(vm.rows()).at(-1)).toBe('dev|default/api');
  });

  it('cluster-scoped rows (no namespace) sort before namespaced ones in a context', () => {
    const s = new FakeStore('dev');
    s.put({ ns: 'a', name: 'x' });
    s.put({ name: 'node-1' });
    expect(names(vmOf([s]).rows())).toEqual(['node-1', 'x']);
  });

  it('NAME ascending and descending; equal names fall back to the natural order', () => {
    const { stores } = fleet();
    const vm = vmOf(stores);
    vm.setSort({ column: 'NAME', asc: true });
    expect(keys(vm.rows())).toEqual([
      'dev|default/api', 'prod|default/api', 'dev|kube-system/coredns', 'prod|kube-system/coredns', 'dev|default/web-1', 'prod|default/web-2',
    ]);
    vm.setSort({ column: 'NAME', asc: false });
    expect(names(vm.rows())).toEqual(['web-2', 'web-1', 'coredns', 'coredns', 'api', 'api']);
  });

  it('AGE ascending is the youngest first (the cell holds the creation time in ms)', () => {
    const { stores } = fleet();
    const vm = vmOf(stores);
    vm.setSort({ column: 'AGE', asc: true });
    expect(vm.rows().map((r) => r.cells[C.AGE])).toEqual([T0 + 5000, T0 + 4000, T0 + 3000, T0 + 2000, T0 + 1000, T0]);
    vm.setSort({ column: 'AGE', asc: false });
    expect(vm.rows().map((r) => r.cells[C.AGE])).toEqual([T0, T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000, T0 + 5000]);
  });

  it('a number column sorts numerically, not as text', () => {
    const { stores } = fleet();
    const vm = vmOf(stores);
    vm.setSort({ column: 'RESTARTS', asc: true });
    const r = vm.rows().map((x) => x.cells[C.RESTARTS]);
    expect(r).toEqual([0, 0, 1, 2, 9, 10]);
    // ties (0 restarts) in natural order
    expect(keys(vm.rows()).slice(0, 2)).toEqual(['dev|default/api', 'prod|kube-system/coredns']);
    vm.setSort({ column: 'RESTARTS', asc: false });
    expect(vm.rows().map((x) => x.cells[C.RESTARTS])).toEqual([10, 9, 2, 1, 0, 0]);
  });

  it('a number column also reads numbers kept as strings', () => {
    const s = new FakeStore('dev');
    for (const [n, v] of [['a', '10 (5m ago)'], ['b', '9'], ['c', '100']] as const) {
      const r = s.put({ ns: 'x', name: n });
      r.cells[C.RESTARTS] = v;
    }
    const vm = vmOf([s]);
    vm.setSort({ column: 'RESTARTS', asc: true });
    expect(names(vm.rows())).toEqual(['b', 'a', 'c']);
  });

  it('STATUS sorts as text, ties in natural order', () => {
    const { stores } = fleet();
    const vm = vmOf(stores);
    vm.setSort({ column: 'STATUS', asc: true });
    expect(vm.rows().map((r) => `${r.context}/${r.cells[C.STATUS]}`)).toEqual([
      'dev/CrashLoopBackOff', 'dev/Error', 'prod/Pending', 'dev/Running', 'prod/Running', 'prod/Running',
    ]);
  });

  it('CONTEXT and NAMESPACE columns sort too', () => {
    const { stores } = fleet();
    const vm = vmOf(stores);
    vm.setSort({ column: 'NAMESPACE', asc: false });
    expect(vm.rows().slice(0, 2).map((r) => r.namespace)).toEqual(['kube-system', 'kube-system']);
    vm.setSort({ column: 'CONTEXT', asc: false });
    expect(vm.rows().slice(0, 3).map((r) => r.context)).toEqual(['prod', 'prod', 'prod']);
  });

  it('an unknown column falls back to the natural order', () => {
    const { stores } = fleet();
    const vm = vmOf(stores);
    const natural = keys(vm.rows());
    vm.setSort({ column: 'NOPE', asc: true });
    expect(keys(vm.rows())).toEqual(natural);
  });
});

describe('ViewModel incremental sort', () => {
  /** Random adds, deletes, modifies and re-creations; after each batch the long-lived view must equal a fresh one. */
  function property(sort: SortSpec, seed: number, opts: { filter?: string; faults?: boolean } = {}) {
    const rand = rng(seed);
    const pick = <T,>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
    const stores = [new FakeStore('dev'), new FakeStore('prod'), new FakeStore('staging')];
    const nss = ['default', 'kube-system', 'apps', undefined];
    const statuses = ['Running', 'Pending', 'Error', 'Completed'];
    const states: RowState[] = ['normal', 'error', 'pending', 'completed'];
    const newRow = (s: FakeStore) =>
      s.put({
        ns: pick(nss),
        name: `${pick(['web', 'api', 'db', 'cache'])}-${Math.floor(rand() * 40)}`,
        status: pick(statuses),
        restarts: Math.floor(rand() * 20),
        created: T0 + Math.floor(rand() * 100) * 1000, // equal ages happen: ties must break the same way
        state: pick(states),
      });
    for (const s of stores) for (let i = 0; i < 30; i++) newRow(s);

    const vm = vmOf(stores);
    vm.setSort(sort);
    const setUp = (v: ViewModel) => {
      v.setSort(sort);
      if (opts.filter) v.setFilter(parseFilter(opts.filter));
      if (opts.faults) v.setFaultsOnly(true);
    };
    setUp(vm);
    let checked = 0;
    for (let round = 0; round < 60; round++) {
      const ops = Math.floor(rand() * 8);
      for (let i = 0; i < ops; i++) {
        const s = pick(stores);
        const existing = [...s.rows.keys()];
        const op = rand();
        if (op < 0.3 || existing.length === 0) newRow(s);
        else if (op < 0.5) s.del(pick(existing));
        else if (op < 0.8) {
          s.modify(pick(existing), { status: pick(statuses), restarts: Math.floor(rand() * 20), state: pick(states) });
        } else {
          // deleted and created again under the same name between two looks: new uid, new creation time
          const old = s.rows.get(pick(existing))!;
          s.put({ ns: old.namespace, name: old.name, created: T0 + Math.floor(rand() * 100) * 1000 + 500_000, status: 'Pending', state: 'pending' });
        }
      }
      const fresh = vmOf(stores);
      setUp(fresh);
      const got = vm.rows();
      const want = fresh.rows();
      expect(keys(got), `sort ${JSON.stringify(sort)} seed ${seed} round ${round}`).toEqual(keys(want));
      // and the current version of every row, not a stale one
      got.forEach((r, i) => expect(r).toBe(want[i]));
      checked += got.length;
    }
    expect(checked).toBeGreaterThan(0);
  }

  const sorts: SortSpec[] = [
    { column: '', asc: true },
    { column: '', asc: false },
    { column: 'NAME', asc: true },
    { column: 'NAME', asc: false },
    { column: 'NAMESPACE', asc: true },
    { column: 'CONTEXT', asc: false },
    { column: 'AGE', asc: true },
    { column: 'AGE', asc: false },
    { column: 'RESTARTS', asc: true },
    { column: 'STATUS', asc: false },
  ];
  for (const sort of sorts) {
    it(`${sort.column || 'natural'} ${sort.asc ? 'asc' : 'desc'} matches a full sort after random changes`, () => {
      for (const seed of [1, 2, 3]) property(sort, seed);
    });
  }

  it('with a regex filter and faults-only on top', () => {
    property({ column: 'NAME', asc: true }, 7, { filter: 'web|Pending' });
    property({ column: 'AGE', asc: false }, 8, { filter: '!api' });
    property({ column: '', asc: true }, 9, { faults: true });
  });

  it('typing a filter while batches arrive (narrowing across batches, backspace) matches a fresh view', () => {
    const rand = rng(11);
    const pick = <T,>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
    const s = new FakeStore('dev');
    const names = ['web', 'web-1', 'web-12', 'api', 'cache'];
    const newRow = () => s.put({ ns: pick(['default', 'apps']), name: `${pick(names)}-${Math.floor(rand() * 50)}`, status: pick(['Running', 'Pending']), restarts: Math.floor(rand() * 5) });
    for (let i = 0; i < 200; i++) newRow();
    const vm = vmOf([s]);
    vm.setSort({ column: 'NAME', asc: true });
    const typing = ['w', 'we', 'web', 'web-', 'web-1', 'web-', 'web-1', 'web-12', '', 'a', 'ap', 'api', 'api-1', 'api-'];
    for (let round = 0; round < 3; round++) {
      for (const text of typing) {
        // a batch lands between two keys (sometimes none, sometimes many)
        const ops = Math.floor(rand() * 30);
        for (let i = 0; i < ops; i++) {
          const existing = [...s.rows.keys()];
          const op = rand();
          if (op < 0.4) newRow();
          else if (op < 0.6) s.del(pick(existing));
          else s.modify(pick(existing), { status: pick(['Running', 'Pending', 'Error']), restarts: Math.floor(rand() * 5) });
        }
        vm.setFilter(parseFilter(text));
        const fresh = vmOf([s]);
        fresh.setSort({ column: 'NAME', asc: true });
        fresh.setFilter(parseFilter(text));
        const got = vm.rows();
        const want = fresh.rows();
        expect(keys(got), `round ${round} filter ${JSON.stringify(text)}`).toEqual(keys(want));
        got.forEach((r, i) => expect(r).toBe(want[i]));
        // and a frame of the same filter after another batch
        s.modify(pick([...s.rows.keys()]), { restarts: 9 });
        expect(keys(vm.rows())).toEqual(keys(fresh.rows()));
      }
    }
  });

  it('changing the sort after incremental rounds sorts everything again', () => {
    const s = new FakeStore('dev');
    s.put({ ns: 'a', name: 'b', restarts: 3 });
    const vm = vmOf([s]);
    vm.setSort({ column: 'NAME', asc: true });
    vm.rows();
    s.put({ ns: 'a', name: 'a', restarts: 5 });
    s.put({ ns: 'a', name: 'c', restarts: 1 });
    expect(names(vm.rows())).toEqual(['a', 'b', 'c']);
    vm.setSort({ column: 'RESTARTS', asc: true });
    expect(names(vm.rows())).toEqual(['c', 'b', 'a']);
  });
});

describe('ViewModel filtering', () => {
  function pods() {
    const s = new FakeStore('dev');
    s.put({ ns: 'kube-system', name: 'coredns-5d78c-abcde', labels: { 'k8s-app': 'kube-dns' }, status: 'Running' });
    s.put({ ns: 'kube-system', name: 'coredns-5d78c-fghij', labels: { 'k8s-app': 'kube-dns' }, status: 'CrashLoopBackOff', state: 'error' });
    s.put({ ns: 'default', name: 'web-1', labels: { app: 'web', tier: 'frontend' }, status: 'Running' });
    s.put({ ns: 'default', name: 'web-2', labels: { app: 'web', tier: 'frontend' }, status: 'Pending', state: 'pending' });
    s.put({ ns: 'default', name: 'db-0', labels: { app: 'db', tier: 'backend' }, status: 'Terminating', state: 'terminating' });
    s.put({ ns: 'default', name: 'job-x', labels: { app: 'batch' }, status: 'Completed', state: 'completed' });
    return s;
  }

  it('regex, case-insensitive, over context, namespace and cells', () => {
    const s = pods();
    const vm = vmOf([s]);
    vm.setFilter(parseFilter('COREDNS'));
    expect(names(vm.rows())).toEqual(['coredns-5d78c-abcde', 'coredns-5d78c-fghij']);
    vm.setFilter(parseFilter('crashloop'));
    expect(names(vm.rows())).toEqual(['coredns-5d78c-fghij']);
    vm.setFilter(parseFilter('^dev default'));
    expect(names(vm.rows())).toEqual(['db-0', 'job-x', 'web-1', 'web-2']);
    // the total still counts every row
    expect(vm.total).toBe(6);
  });

  it('the raw creation time in the AGE cell is not matched', () => {
    const s = new FakeStore('dev');
    s.put({ ns: 'default', name: 'web-1', created: 1_735_689_600_123 });
    s.put({ ns: 'default', name: 'web-2', created: 1_735_689_600_456 });
    const vm = vmOf([s]);
    // the user sees "5m", never 1735689600123: typing digits of a name must not match every row
    vm.setFilter(parseFilter('1735'));
    expect(vm.rows()).toEqual([]);
    vm.setFilter(parseFilter('-2'));
    expect(names(vm.rows())).toEqual(['web-2']);
  });

  it('! keeps the rows that do not match', () => {
    const vm = vmOf([pods()]);
    vm.setFilter(parseFilter('!running'));
    expect(names(vm.rows())).toEqual(['db-0', 'job-x', 'web-2', 'coredns-5d78c-fghij']);
  });

  it('-l label selectors', () => {
    const vm = vmOf([pods()]);
    vm.setFilter(parseFilter('-l app=web'));
    expect(names(vm.rows())).toEqual(['web-1', 'web-2']);
    vm.setFilter(parseFilter('-l tier,app!=web'));
    expect(names(vm.rows())).toEqual(['db-0']);
    vm.setFilter(parseFilter('-l !app'));
    expect(names(vm.rows())).toEqual(['coredns-5d78c-abcde', 'coredns-5d78c-fghij']);
    vm.setFilter(parseFilter('-l app in (db,batch)'));
    expect(names(vm.rows())).toEqual(['db-0', 'job-x']);
  });

  it('clearing the filter shows everything again', () => {
    const vm = vmOf([pods()]);
    vm.setFilter(parseFilter('web'));
    expect(vm.rows()).toHaveLength(2);
    vm.setFilter(parseFilter(''));
    expect(vm.rows()).toHaveLength(6);
    expect(vm.getFilter().kind).toBe('none');
  });

  it('a changed row is filtered again (no stale cached verdict)', () => {
    const s = pods();
    const vm = vmOf([s]);
    vm.setFilter(parseFilter('pending'));
    expect(names(vm.rows())).toEqual(['web-2']);
    s.modify('dev|default/web-2', { status: 'Running', state: 'normal' });
    s.modify('dev|default/web-1', { status: 'Pending', state: 'pending' });
    expect(names(vm.rows())).toEqual(['web-1']);
  });

  it('fuzzy filter with highlights on the matched characters of the name', () => {
    const a = pods();
    const b = new FakeStore('prod');
    b.put({ ns: 'kube-system', name: 'coredns-5d78c-abcde' });
    b.put({ ns: 'default', name: 'cache-7' });
    const vm = vmOf([a, b]);
    vm.setFilter(parseFilter('-f cdns'));
    const rows = vm.rows();
    expect(names(rows)).toEqual(['coredns-5d78c-abcde', 'coredns-5d78c-fghij', 'coredns-5d78c-abcde']);
    expect(rows.map((r) => r.context)).toEqual(['dev', 'dev', 'prod']);
    for (const r of rows) {
      const idx = vm.highlights.get(r.key);
      expect(idx, r.key).toBeDefined();
      expect(idx!.map((i) => r.name[i]).join('')).toBe('cdns');
      // indexes are increasing positions inside the name
      expect([...idx!].sort((x, y) => x - y)).toEqual(idx);
    }
    expect(vm.highlights.size).toBe(3);
    // a query nothing matches
    vm.setFilter(parseFilter('-f zzzq'));
    expect(vm.rows()).toEqual([]);
    expect(vm.highlights.size).toBe(0);
    // leaving fuzzy mode drops the highlights
    vm.setFilter(parseFilter('web'));
    vm.rows();
    expect(vm.highlights.size).toBe(0);
  });

  it('fuzzy keeps the table order, not the score order', () => {
    const s = new FakeStore('dev');
    s.put({ ns: 'a', name: 'x-web-z' });
    s.put({ ns: 'a', name: 'web' });
    s.put({ ns: 'a', name: 'w-e-b' });
    const vm = vmOf([s]);
    vm.setSort({ column: 'NAME', asc: false });
    vm.setFilter(parseFilter('-f web'));
    expect(names(vm.rows())).toEqual(['x-web-z', 'web', 'w-e-b']);
  });

  it('faults only: error, pending and terminating rows', () => {
    const vm = vmOf([pods()]);
    vm.setFaultsOnly(true);
    expect(vm.getFaultsOnly()).toBe(true);
    expect(names(vm.rows())).toEqual(['db-0', 'web-2', 'coredns-5d78c-fghij']);
    // combined with a filter
    vm.setFilter(parseFilter('default'));
    expect(names(vm.rows())).toEqual(['db-0', 'web-2']);
    vm.setFaultsOnly(false);
    expect(names(vm.rows())).toEqual(['db-0', 'job-x', 'web-1', 'web-2']);
  });
});

describe('ViewModel recompute', () => {
  it('returns the same array while no store version changed', () => {
    const s = new FakeStore('dev');
    const t = new FakeStore('prod');
    s.put({ ns: 'a', name: 'x' });
    t.put({ ns: 'a', name: 'y' });
    const vm = vmOf([s, t]);
    const a = vm.rows();
    expect(vm.rows()).toBe(a);
    expect(vm.rows()).toBe(a);

    // a change in any store makes a new result
    t.put({ ns: 'a', name: 'z' });
    const b = vm.rows();
    expect(b).not.toBe(a);
    expect(names(b)).toEqual(['x', 'y', 'z']);
    expect(vm.rows()).toBe(b);

    // filter, sort and faults-only changes recompute even with the same versions
    vm.setFilter(parseFilter('z'));
    const c = vm.rows();
    expect(c).not.toBe(b);
    expect(names(c)).toEqual(['z']);
    expect(vm.rows()).toBe(c);
    vm.setSort({ column: 'NAME', asc: false });
    const d = vm.rows();
    expect(d).not.toBe(c);
    expect(vm.rows()).toBe(d);
    vm.setFaultsOnly(true);
    expect(vm.rows()).not.toBe(d);
  });

  it('does not see changes that do not bump the version (the version is the contract)', () => {
    const s = new FakeStore('dev');
    s.put({ ns: 'a', name: 'x' });
    const vm = vmOf([s]);
    const a = vm.rows();
    const r = s.make({ ns: 'a', name: 'sneaky' });
    s.rows.set(r.key, r);
    expect(vm.rows()).toBe(a);
    expect(vm.rows()).toHaveLength(1);
    s.logged(r.key);
    expect(names(vm.rows())).toEqual(['sneaky', 'x']);
  });

  it('an empty view', () => {
    const vm = vmOf([new FakeStore('dev')]);
    expect(vm.rows()).toEqual([]);
    expect(vm.total).toBe(0);
  });
});

describe('ViewModel filter typing', () => {
  // typing narrows from the last result and a backspace reuses an earlier one: both must give
  // exactly what a fresh filter over all rows gives, also when the data moved in between
  it('narrowing and cached results equal a fresh filter, before and after data changes', () => {
    const s = new FakeStore('dev');
    const words = ['alpha', 'alpine', 'albatross', 'beta', 'alps', 'alphabet', 'gamma', 'al-pha'];
    words.forEach((w, i) => s.put({ ns: i % 2 ? 'a' : 'b', name: `${w}-${i}` }));
    const vm = vmOf([s]);
    const fresh = (raw: string) => {
      const v = vmOf([s]);
      v.setFilter(parseFilter(raw));
      return keys(v.rows());
    };
    const typed: string[] = [];
    for (const raw of ['a', 'al', 'alp', 'alph', 'alp', 'al', 'al-', 'al', 'alpha']) {
      vm.setFilter(parseFilter(raw));
      typed.push(raw);
      expect(keys(vm.rows()), raw).toEqual(fresh(raw));
      if (raw === 'alp') {
        // the data moves under the typing: a new matching row and a renamed one
        s.put({ ns: 'a', name: 'alpaca-99' });
        s.modify(`dev|a/alpine-1`, { status: 'Pending' });
        expect(keys(vm.rows()), `${raw} after a change`).toEqual(fresh(raw));
      }
    }
    expect(typed).toHaveLength(9);
  });
});
