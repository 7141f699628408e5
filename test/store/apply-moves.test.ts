import { describe, it, expect } from 'vitest';
import { applyMoves } from '../../src/store/view.js';
import type { Row } from '../../src/store/rows.js';

const row = (name: string, v = 0): Row => ({ key: name, context: 'c', name, cells: [name, v], state: 'normal' } as unknown as Row);
const cmp = (a: Row, b: Row) => (a.cells[1] as number) - (b.cells[1] as number) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

describe('applyMoves', () => {
  for (const batch of [3, 40]) {
    it(`matches a full sort after random batches of ${batch} changes (splice path and merge path)`, () => {
      let seed = 42;
      const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
      const live = new Map<string, Row>();
      for (let i = 0; i < 500; i++) live.set(`r${i}`, row(`r${i}`, rnd(50)));
      let sorted = [...live.values()].sort(cmp);
      let filtered = sorted.filter((r) => (r.cells[1] as number) % 2 === 0);
      for (let round = 0; round < 30; round++) {
        const moves: [Row | undefined, Row | undefined][] = [];
        const touched = new Set<string>();
        for (let k = 0; k < batch; k++) {
          const name = `r${rnd(600)}`;
          if (touched.has(name)) continue;
          touched.add(name);
          const old = live.get(name);
          const op = rnd(3);
          const cur = op === 0 && old ? undefined : row(name, rnd(50));
          if (cur) live.set(name, cur);
          else live.delete(name);
          moves.push([old, cur]);
        }
        sorted = applyMoves(sorted, moves, cmp);
        filtered = applyMoves(filtered, moves, cmp, (r) => (r.cells[1] as number) % 2 === 0);
        const want = [...live.values()].sort(cmp);
        expect(sorted.map((r) => r.key)).toEqual(want.map((r) => r.key));
        expect(filtered.map((r) => r.key)).toEqual(want.filter((r) => (r.cells[1] as number) % 2 === 0).map((r) => r.key));
      }
    });
  }
});
