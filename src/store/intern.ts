/**
 * Sharing equal values between rows. 50,000 pods repeat the same namespaces, node names,
 * statuses, label sets and container lists; JSON.parse makes a fresh copy of each for every
 * pod. Rows are never mutated, so equal parts can be one object.
 *
 * The pools are generational and sized by the rows alive: values go into the young
 * generation; when it holds `limit()` values it becomes the old one and the previous old one
 * is dropped. A value found in the old generation moves to the young one, so what live rows
 * keep using stays shared, and what only dead row versions used (a deleted pod's name and IP,
 * a status it had for a second) is let go after two turns. A churning cluster then holds at
 * most 2 x limit values per pool, not whatever passed through it. Dropping a value only costs
 * sharing, never correctness.
 */

/** the young generation never turns over below this many values */
export const MIN_GENERATION = 4096;
/** values per live row a generation may hold before it turns over */
export const PER_ROW = 2;

class Generations<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  /** the young generation's size limit as last read (read again when reached) */
  private cap = 0;
  turns = 0;

  constructor(private readonly limit: () => number) {}

  get size(): number {
    return this.young.size + this.old.size;
  }

  get(k: string): V | undefined {
    const hit = this.young.get(k);
    if (hit !== undefined) return hit;
    const aged = this.old.get(k);
    if (aged !== undefined) {
      this.old.delete(k);
      this.add(k, aged);
    }
    return aged;
  }

  add(k: string, v: V): void {
    if (this.young.size >= this.cap && this.young.size >= (this.cap = this.limit())) {
      this.old = this.young;
      this.young = new Map();
      this.turns++;
    }
    this.young.set(k, v);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }
}

export class Interner {
  private liveRows: () => number = () => 0;
  private readonly limit = () => Math.max(MIN_GENERATION, PER_ROW * this.liveRows());
  private readonly strings = new Generations<string>(this.limit);
  private readonly objects = new Generations<unknown>(this.limit);

  /** Where the number of rows alive comes from (the row stores): it sizes the pools. */
  sizeBy(liveRows: () => number): void {
    this.liveRows = liveRows;
  }

  /** Values held now (both generations), and how many times the pools turned over. */
  get stats(): { strings: number; objects: number; limit: number; turns: number } {
    return { strings: this.strings.size, objects: this.objects.size, limit: this.limit(), turns: this.strings.turns + this.objects.turns };
  }

  str<T extends string | undefined>(s: T): T {
    if (s === undefined || s.length > 96) return s;
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit as T;
    this.strings.add(s, s);
    return s;
  }

  /** An equal object already seen (compared by its JSON), or this one. */
  obj<T>(o: T): T {
    if (o === undefined || o === null || typeof o !== 'object') return o;
    const k = JSON.stringify(o);
    if (k.length > 4096) return o;
    const hit = this.objects.get(k);
    if (hit !== undefined) return hit as T;
    this.objects.add(k, o);
    return o;
  }

  clear(): void {
    this.strings.clear();
    this.objects.clear();
  }
}

export const intern = new Interner();
