/**
 * A small JSONPath evaluator for CRD printer columns (the subset kubectl's jsonpath accepts there):
 * `.a.b`, `.a\.b` (escaped dot in a key), `['a.b']`, `[0]`, `[-1]`, `[1:3]`, `[*]`, `.*`, `..name`,
 * and filters `[?(@.type=="Ready")]`, `[?(@.count>2)]`, `[?(@.ready)]`. An optional `{...}`
 * wrapper and leading `$` are accepted.
 */

type Literal = string | number | boolean | null;

type Step =
  | { t: 'field'; name: string }
  | { t: 'wild' }
  | { t: 'index'; i: number }
  | { t: 'slice'; start?: number; end?: number; step?: number }
  | { t: 'recurse'; name: string | '*' }
  | { t: 'filter'; path: Step[]; op?: string; value?: Literal | { path: Step[] } };

export class JsonPathError extends Error {}

const cache = new Map<string, Step[]>();

export function compileJsonPath(path: string): Step[] {
  let steps = cache.get(path);
  if (!steps) {
    let p = path.trim();
    if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
    if (p.startsWith('$')) p = p.slice(1);
    steps = new Parser(p).steps(false);
    if (cache.size > 500) cache.clear();
    cache.set(path, steps);
  }
  return steps;
}

/** Every value the path selects in obj (empty when nothing matches). Throws JsonPathError on bad syntax. */
export function evalJsonPath(obj: unknown, path: string): unknown[] {
  return run(compileJsonPath(path), [obj]);
}

/** The first value the path selects, or undefined (also for bad syntax). */
export function jsonPathFirst(obj: unknown, path: string): unknown {
  try {
    return evalJsonPath(obj, path)[0];
  } catch {
    return undefined;
  }
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  private fail(msg: string): never {
    throw new JsonPathError(`jsonpath ${JSON.stringify(this.s)} at ${this.i}: ${msg}`);
  }

  /** Steps until the end, or (inFilter) until an operator, ')' or whitespace. */
  steps(inFilter: boolean): Step[] {
    const out: Step[] = [];
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '.') {
        if (s[this.i + 1] === '.') {
          this.i += 2;
          const name = this.ident();
          out.push({ t: 'recurse', name: name === '' || name === '*' ? '*' : name });
          continue;
        }
        this.i++;
        if (s[this.i] === '*') {
          this.i++;
          out.push({ t: 'wild' });
          continue;
        }
        if (s[this.i] === '[') continue;
        const name = this.ident();
        if (name === '') {
          if (this.i >= s.length) break; // a lone "." is the object itself
          this.fail('expected a field name');
        }
        out.push({ t: 'field', name });
      } else if (c === '[') {
        out.push(this.bracket());
      } else if (inFilter) {
        break;
      } else if (out.length === 0 && /[A-Za-z_]/.test(c)) {
        // "status.phase" without the leading dot
        out.push({ t: 'field', name: this.ident() });
      } else {
        this.fail(`unexpected ${JSON.stringify(c)}`);
      }
    }
    return out;
  }

  private ident(): string {
    const s = this.s;
    let name = '';
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '\\' && this.i + 1 < s.length) {
        name += s[this.i + 1];
        this.i += 2;
        continue;
      }
      if (c === '.' || c === '[' || c === ')' || c === ' ' || /[=!<>&|]/.test(c)) break;
      name += c;
      this.i++;
    }
    return name;
  }

  private bracket(): Step {
    const s = this.s;
    this.i++; // [
    this.space();
    let step: Step;
    if (s[this.i] === '*') {
      this.i++;
      step = { t: 'wild' };
    } else if (s[this.i] === "'" || s[this.i] === '"') {
      step = { t: 'field', name: this.quoted() };
    } else if (s[this.i] === '?') {
      this.i++;
      this.space();
      if (s[this.i] !== '(') this.fail('expected ( after ?');
      this.i++;
      step = this.filter();
      this.space();
      if (s[this.i] !== ')') this.fail('expected ) to close the filter');
      this.i++;
    } else {
      const m = /^(-?\d*)(?::(-?\d*))?(?::(-?\d*))?/.exec(s.slice(this.i));
      const text = m?.[0] ?? '';
      if (!m || text === '') this.fail('expected an index');
      this.i += text.length;
      const n = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
      if (text.includes(':')) step = { t: 'slice', start: n(m[1]), end: n(m[2]), step: n(m[3]) };
      else step = { t: 'index', i: Number(m[1]) };
    }
    this.space();
    if (s[this.i] !== ']') this.fail('expected ]');
    this.i++;
    return step;
  }

  private filter(): Step {
    this.space();
    if (this.s[this.i] !== '@') this.fail('a filter starts with @');
    this.i++;
    const path = this.steps(true);
    this.space();
    const m = /^(==|!=|<=|>=|<|>)/.exec(this.s.slice(this.i));
    if (!m) return { t: 'filter', path };
    this.i += m[0].length;
    this.space();
    return { t: 'filter', path, op: m[0], value: this.operand() };
  }

  private operand(): Literal | { path: Step[] } {
    const s = this.s;
    const c = s[this.i];
    if (c === "'" || c === '"') return this.quoted();
    if (c === '@') {
      this.i++;
      return { path: this.steps(true) };
    }
    const m = /^(-?\d+(?:\.\d+)?|true|false|null)/.exec(s.slice(this.i));
    if (!m) this.fail('expected a value');
    this.i += m[0].length;
    return m[0] === 'true' ? true : m[0] === 'false' ? false : m[0] === 'null' ? null : Number(m[0]);
  }

  private quoted(): string {
    const s = this.s;
    const q = s[this.i];
    this.i++;
    let out = '';
    while (this.i < s.length && s[this.i] !== q) {
      if (s[this.i] === '\\' && this.i + 1 < s.length) this.i++;
      out += s[this.i];
      this.i++;
    }
    if (s[this.i] !== q) this.fail('unterminated string');
    this.i++;
    return out;
  }

  private space(): void {
    while (this.s[this.i] === ' ') this.i++;
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const children = (v: unknown): unknown[] => (Array.isArray(v) ? v : isObj(v) ? Object.values(v) : []);

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
      return a === b || (typeof a !== typeof b && a !== undefined && String(a) === String(b));
    case '!=':
      return !compare(a, '==', b);
  }
  if (typeof a === 'number' && typeof b === 'number') {
    return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
  }
  return false;
}

function run(steps: Step[], input: unknown[]): unknown[] {
  let cur = input;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      switch (step.t) {
        case 'field':
          if (isObj(v) && Object.hasOwn(v, step.name)) next.push(v[step.name]);
          break;
        case 'wild':
          next.push(...children(v));
          break;
        case 'index':
          if (Array.isArray(v)) {
            const i = step.i < 0 ? v.length + step.i : step.i;
            if (i >= 0 && i < v.length) next.push(v[i]);
          }
          break;
        case 'slice':
          if (Array.isArray(v)) {
            const len = v.length;
            const norm = (x: number | undefined, d: number) => (x === undefined ? d : x < 0 ? Math.max(len + x, 0) : Math.min(x, len));
            const by = step.step && step.step > 0 ? step.step : 1;
            for (let i = norm(step.start, 0); i < norm(step.end, len); i += by) next.push(v[i]);
          }
          break;
        case 'recurse': {
          const walk = (x: unknown): void => {
            if (isObj(x)) {
              if (step.name === '*') next.push(...Object.values(x));
              else if (Object.hasOwn(x, step.name)) next.push(x[step.name]);
            } else if (Array.isArray(x) && step.name === '*') next.push(...x);
            for (const c of children(x)) walk(c);
          };
          walk(v);
          break;
        }
        case 'filter':
          for (const el of children(v)) {
            const left = run(step.path, [el]);
            if (step.op === undefined) {
              if (left.length > 0 && left[0] !== false && left[0] !== null) next.push(el);
              continue;
            }
            const rv = step.value;
            const right = rv !== null && typeof rv === 'object' ? run(rv.path, [el])[0] : rv;
            if (left.length > 0 && compare(left[0], step.op, right)) next.push(el);
          }
          break;
      }
    }
    cur = next;
  }
  return cur;
}
