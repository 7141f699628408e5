/**
 * Sharing equal values between rows. 50,000 pods repeat the same namespaces, node names,
 * statuses, label sets and container lists; JSON.parse makes a fresh copy of each for every
 * pod. Rows are never mutated, so equal parts can be one object. The pools are bounded: when
 * one grows past its limit it starts over, which only costs sharing, never correctness.
 */
const MAX = 200_000;

export class Interner {
  private strings = new Map<string, string>();
  private objects = new Map<string, unknown>();

  str<T extends string | undefined>(s: T): T {
    if (s === undefined || s.length > 96) return s;
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit as T;
    if (this.strings.size >= MAX) this.strings = new Map();
    this.strings.set(s, s);
    return s;
  }

  /** An equal object already seen (compared by its JSON), or this one. */
  obj<T>(o: T): T {
    if (o === undefined || o === null || typeof o !== 'object') return o;
    const k = JSON.stringify(o);
    if (k.length > 4096) return o;
    const hit = this.objects.get(k);
    if (hit !== undefined) return hit as T;
    if (this.objects.size >= MAX) this.objects = new Map();
    this.objects.set(k, o);
    return o;
  }
}

export const intern = new Interner();
