/** The `/` filter language: regex (case-insensitive), `!` inverse, `-l` label selector, `-f` fuzzy. */

export class FilterError extends Error {}

export type LabelMatch = (labels: Record<string, string> | undefined) => boolean;

export type Filter =
  | { kind: 'none'; raw: '' }
  | { kind: 'regex'; raw: string; re: RegExp; inverse: boolean }
  | { kind: 'labels'; raw: string; match: LabelMatch }
  | { kind: 'fuzzy'; raw: string; query: string };

export const NO_FILTER: Filter = { kind: 'none', raw: '' };

export function parseFilter(input: string): Filter {
  const raw = input.trim();
  if (!raw) return NO_FILTER;
  if (raw.startsWith('-l ') || raw === '-l') {
    const sel = raw.slice(2).trim();
    if (!sel) throw new FilterError('-l wants a label selector, e.g. -l app=web,tier!=db');
    return { kind: 'labels', raw, match: parseLabelSelector(sel) };
  }
  if (raw.startsWith('-f ') || raw === '-f') {
    const query = raw.slice(2).trim();
    if (!query) throw new FilterError('-f wants some text to match fuzzily');
    return { kind: 'fuzzy', raw, query };
  }
  const inverse = raw.startsWith('!');
  const pattern = inverse ? raw.slice(1) : raw;
  if (!pattern) throw new FilterError('! wants a pattern to exclude, e.g. !Running');
  try {
    return { kind: 'regex', raw, re: new RegExp(pattern, 'i'), inverse };
  } catch (e) {
    throw new FilterError(`invalid regular expression "${pattern}": ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (depth < 0) throw new FilterError(`unbalanced ")" in selector "${s}"`);
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) throw new FilterError(`unbalanced "(" in selector "${s}"`);
  out.push(cur.trim());
  return out;
}

/** Kubernetes label selector syntax, evaluated client-side. Throws FilterError on bad input. */
export function parseLabelSelector(sel: string): LabelMatch {
  const tests: LabelMatch[] = [];
  for (const part of splitTop(sel)) {
    if (!part) throw new FilterError(`empty requirement in selector "${sel}"`);
    const key = (k: string) => {
      if (!KEY.test(k)) throw new FilterError(`invalid label key "${k}" in selector "${sel}"`);
      return k;
    };
    const value = (v: string) => {
      if (!VALUE.test(v)) throw new FilterError(`invalid label value "${v}" in selector "${sel}"`);
      return v;
    };
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^(\S+)\s+(in|notin)\s*\((.*)\)$/))) {
      const k = key(m[1]);
      const vs = m[3].split(',').map((v) => value(v.trim()));
      tests.push(m[2] === 'in' ? (l) => !!l && Object.hasOwn(l, k) && vs.includes(l[k]) : (l) => !l || !Object.hasOwn(l, k) || !vs.includes(l[k]));
    } else if ((m = part.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      const k = key(m[1]);
      const v = value(m[3]);
      tests.push(m[2] === '!=' ? (l) => !l || l[k] !== v : (l) => !!l && l[k] === v);
    } else if ((m = part.match(/^!\s*(\S+)$/))) {
      const k = key(m[1]);
      tests.push((l) => !l || !Object.hasOwn(l, k));
    } else if (/^\S+$/.test(part)) {
      const k = key(part);
      tests.push((l) => !!l && Object.hasOwn(l, k));
    } else {
      throw new FilterError(`cannot parse "${part}" in selector "${sel}": expected key, !key, key=value, key!=value, key in (a,b) or key notin (a,b)`);
    }
  }
  return (labels) => tests.every((t) => t(labels));
}
