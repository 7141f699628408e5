/**
 * Ages, quantities and percentages as kubectl and K9s print them. Pure functions.
 */

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * kubectl's HumanDuration (apimachinery util/duration): "59s", "3m5s", "45m", "3h5m", "30h",
 * "2d3h", "300d", "3y20d", "10y". Negative durations (clock skew) read as "0s".
 */
export function humanAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0s';
  const seconds = Math.floor(ms / SEC);
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(ms / MIN);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 3 * 60) return `${minutes}m`;
  const hours = Math.floor(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 2) return `${days}d`;
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    const y = Math.floor(days / 365);
    return d === 0 ? `${y}y` : `${y}y${d}d`;
  }
  return `${Math.floor(days / 365)}y`;
}

/** Age of a timestamp at `now`, or '<unknown>' when the time is missing (kubectl's wording). */
export function ageSince(time: number | '' | undefined, now: number): string {
  if (time === '' || time === undefined || !Number.isFinite(time)) return '<unknown>';
  return humanAge(now - time);
}

/**
 * An RFC 3339 timestamp in ms, or '' when missing or the zero time ("0001-01-01T00:00:00Z").
 * '' rather than 0 so that a view can tell "unknown" from the epoch.
 */
export function toMs(t: unknown): number | '' {
  if (typeof t === 'number') return Number.isFinite(t) && t > 0 ? t : '';
  if (typeof t !== 'string' || t === '') return '';
  const ms = Date.parse(t);
  return Number.isFinite(ms) && ms > 0 ? ms : '';
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

/**
 * A Kubernetes resource.Quantity in base units ("250m" -> 0.25, "1Gi" -> 1073741824, "1e3" -> 1000).
 * NaN when the text is not a quantity. Digits are scaled as integers before the one division,
 * so "0.1" * 1000 is exactly 100.
 */
export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return NaN;
  // a cluster repeats a handful of quantity strings across tens of thousands of containers
  let v = parsed.get(q);
  if (v === undefined) {
    v = parseQuantityText(q);
    if (parsed.size >= 4096) parsed.clear();
    parsed.set(q, v);
  }
  return v;
}

const parsed = new Map<string, number>();

function parseQuantityText(q: string): number {
  const m = QUANTITY.exec(q.trim());
  if (!m) return NaN;
  const [, sign, whole = '', frac = '', suffix, exp] = m;
  if (whole === '' && frac === '') return NaN;
  const digits = Number(whole + frac);
  let pow10 = -frac.length;
  let mult = 1;
  if (suffix !== undefined) {
    if (suffix in BINARY) mult = BINARY[suffix]!;
    else pow10 += DECIMAL[suffix]!;
  } else if (exp !== undefined) {
    pow10 += Number(exp);
  }
  const v = pow10 >= 0 ? digits * mult * 10 ** pow10 : (digits * mult) / 10 ** -pow10;
  return sign === '-' ? -v : v;
}

/** Millicores from a CPU quantity: "250m" -> 250, "1.5" -> 1500, "2500000n" -> 2.5. 0 when absent or invalid. */
export function parseCpu(q: unknown): number {
  const v = parseQuantity(q);
  if (!Number.isFinite(v)) return 0;
  // scale with the exponent kept apart, so "300u" gives 0.3 and not 0.30000000000000004
  return Number((v * 1000).toPrecision(15));
}

/** Bytes from a memory quantity: "128Mi", "1G", "1024Ki", "1e3". 0 when absent or invalid. */
export function parseMem(q: unknown): number {
  const v = parseQuantity(q);
  return Number.isFinite(v) ? Math.round(v) : 0;
}

/** The CPU column as K9s shows it: whole millicores ("12"), rounded up like Quantity.MilliValue. */
export function fmtCpuMilli(milli: number): string {
  if (!Number.isFinite(milli)) return '';
  return String(Math.ceil(milli - 1e-9));
}

/** The MEM column as K9s shows it: whole MiB ("128"), rounded down. */
export function fmtMemMi(bytes: number): string {
  if (!Number.isFinite(bytes)) return '';
  return String(Math.floor(bytes / 2 ** 20));
}

/** A CPU quantity for describe: whole cores as "2", otherwise millicores "250m", "1500m". */
export function fmtQuantityCpu(milli: number): string {
  if (!Number.isFinite(milli)) return '';
  const m = Math.ceil(milli - 1e-9);
  if (m === 0) return '0';
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** A memory quantity for describe: the largest exact binary then decimal suffix ("128Mi", "500M"), else bytes. */
export function fmtQuantityMem(bytes: number): string {
  if (!Number.isFinite(bytes)) return '';
  const b = Math.round(bytes);
  if (b === 0) return '0';
  for (const s of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
    const f = BINARY[s]!;
    if (b % f === 0) return `${b / f}${s}`;
  }
  for (const [s, e] of [['E', 18], ['P', 15], ['T', 12], ['G', 9], ['M', 6], ['k', 3]] as const) {
    const f = 10 ** e;
    if (b % f === 0) return `${b / f}${s}`;
  }
  return String(b);
}

/** a as a whole percentage of b, truncated like kubectl ("42%"); "n/a" when b is 0 or unknown. */
export function percent(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a';
  return `${Math.trunc((a / b) * 100 + 1e-9)}%`;
}
