import { flat } from './strings.js';
/** Seeded pseudo-random numbers: the same seed builds the same fleet. */
export class Rand {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** mulberry32: small, fast, good enough for names and timings. */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hiExclusive: number): number {
    return lo + Math.floor(this.next() * (hiExclusive - lo));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Lowercase alphanumerics without vowels, as Kubernetes' generateName suffixes. */
  suffix(n: number): string {
    const a = 'bcdfghjklmnpqrstvwxz2456789';
    let s = '';
    for (let i = 0; i < n; i++) s += a[Math.floor(this.next() * a.length)];
    return s;
  }
  uid(): string {
    const h = () => Math.floor(this.next() * 0x10000).toString(16).padStart(4, '0');
    return flat(h(), h(), '-', h(), '-4', h().slice(1), '-', (8 + this.int(0, 4)).toString(16), h().slice(1), '-', h(), h(), h());
  }
}

/** A stable 32-bit hash of a string (FNV-1a), for per-object deterministic behaviour. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
