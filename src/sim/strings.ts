/**
 * Strings the simulator keeps for a long time (in its objects and its watch history), made flat.
 * V8 keeps `a + b` and template literals of 13 characters or more as a rope (a ConsString that
 * points at its parts) for as long as the string lives: a uid built from twelve pieces held
 * about 470 bytes where its flat form takes 80 (200,000 of them: 94 MB against 16 MB), and a
 * churning cluster makes such strings with every pod and status it writes.
 * `Array.prototype.join` of two parts or more writes one flat string.
 */
export function flat(...parts: string[]): string {
  return parts.join('');
}

const pool = new Map<string, string>();
/**
 * The parts joined, as one string shared by every caller that makes the same value (a message,
 * an owner's generateName): a bounded pool, started over past 20,000 values.
 */
export function shared(...parts: string[]): string {
  const s = parts.length === 1 ? parts[0] : parts.join('');
  const hit = pool.get(s);
  if (hit !== undefined) return hit;
  if (pool.size >= 20_000) pool.clear();
  // one part may be a rope: its first use is copied flat (a join of one part is that part itself)
  const f = parts.length === 1 && s.length >= 13 ? (JSON.parse(JSON.stringify(s)) as string) : s;
  pool.set(f, f);
  return f;
}
