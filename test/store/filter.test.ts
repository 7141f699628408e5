import { describe, expect, it } from 'vitest';
import { FilterError, NO_FILTER, parseFilter, parseLabelSelector, type Filter } from '../../src/store/filter.js';

function ferr(input: string): FilterError {
  try {
    parseFilter(input);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterError);
    return e as FilterError;
  }
  throw new Error(`parseFilter(${JSON.stringify(input)}) did not throw`);
}

function labels(sel: string): (l: Record<string, string> | undefined) => boolean {
  const f = parseFilter(`-l ${sel}`);
  expect(f.kind).toBe('labels');
  return (f as Extract<Filter, { kind: 'labels' }>).match;
}

function regex(input: string): Extract<Filter, { kind: 'regex' }> {
  const f = parseFilter(input);
  expect(f.kind).toBe('regex');
  return f as Extract<Filter, { kind: 'regex' }>;
}

describe('parseFilter: none and regex', () => {
  it('empty or blank input is no filter', () => {
    expect(parseFilter('')).toBe(NO_FILTER);
    expect(parseFilter('   ')).toBe(NO_FILTER);
  });

  it('regex is case-insensitive and keeps the raw text', () => {
    const f = regex(' CoreDNS ');
    expect(f.raw).toBe('CoreDNS');
    expect(f.inverse).toBe(false);
    expect(f.re.test('kube-system coredns-5d78c9869d-abcde')).toBe(true);
    expect(f.re.test('COREDNS')).toBe(true);
    expect(f.re.test('kube-proxy')).toBe(false);
    const g = regex('^web-[0-9]+$');
    expect(g.re.test('WEB-12')).toBe(true);
    expect(g.re.test('web-x')).toBe(false);
  });

  it('! inverts', () => {
    const f = regex('!Running');
    expect(f.inverse).toBe(true);
    expect(f.raw).toBe('!Running');
    expect(f.re.source).toBe('Running');
    expect(f.re.flags).toContain('i');
    // the view keeps a row when re.test(text) !== inverse
    expect(f.re.test('pod-1 1/1 running') !== f.inverse).toBe(false);
    expect(f.re.test('pod-2 0/1 CrashLoopBackOff') !== f.inverse).toBe(true);
  });

  it('! alone wants a pattern', () => {
    expect(ferr('!').message).toMatch(/! wants a pattern/);
  });

  it('a bad regex says which pattern and why, without the "Invalid regular expression" prefix', () => {
    const e = ferr('[');
    expect(e.message).toMatch(/^invalid regular expression "\["/);
    expect(e.message).not.toMatch(/Invalid regular expression:/);
    expect(ferr('!(a').message).toMatch(/^invalid regular expression "\(a"/);
    expect(ferr('a{2,1}').message).toMatch(/invalid regular expression "a\{2,1\}"/);
  });
});

describe('parseFilter: -l label selectors', () => {
  const web = { app: 'web', tier: 'frontend' };
  const db = { app: 'db', tier: 'backend' };
  const bare = { other: 'x' };

  it('= and ==', () => {
    const m = labels('app=web');
    expect(m(web)).toBe(true);
    expect(m(db)).toBe(false);
    expect(m(bare)).toBe(false);
    expect(m(undefined)).toBe(false);
    expect(labels('app==web')(web)).toBe(true);
    expect(labels('app = web')(web)).toBe(true);
  });

  it('!= matches objects without the key too (Kubernetes semantics)', () => {
    const m = labels('app!=web');
    expect(m(web)).toBe(false);
    expect(m(db)).toBe(true);
    expect(m(bare)).toBe(true);
    expect(m(undefined)).toBe(true);
  });

  it('requirements are ANDed', () => {
    const m = labels('app=web,tier!=backend');
    expect(m(web)).toBe(true);
    expect(m({ app: 'web', tier: 'backend' })).toBe(false);
    expect(m(db)).toBe(false);
  });

  it('in and notin', () => {
    const m = labels('app in (web, db)');
    expect(m(web)).toBe(true);
    expect(m(db)).toBe(true);
    expect(m({ app: 'cache' })).toBe(false);
    expect(m(bare)).toBe(false);
    expect(m(undefined)).toBe(false);
    const n = labels('app notin (web)');
    expect(n(web)).toBe(false);
    expect(n(db)).toBe(true);
    expect(n(bare)).toBe(true);
    expect(n(undefined)).toBe(true);
    // commas inside parentheses do not split requirements
    const both = labels('app in (web,db),tier=frontend');
    expect(both(web)).toBe(true);
    expect(both(db)).toBe(false);
  });

  it('exists and !key', () => {
    const has = labels('tier');
    expect(has(web)).toBe(true);
    expect(has(bare)).toBe(false);
    expect(has(undefined)).toBe(false);
    const hasnt = labels('!tier');
    expect(hasnt(web)).toBe(false);
    expect(hasnt(bare)).toBe(true);
    expect(hasnt(undefined)).toBe(true);
    expect(labels('app.kubernetes.io/name')({ 'app.kubernetes.io/name': 'x' })).toBe(true);
  });

  it('label keys that are Object.prototype names are only matched when present', () => {
    // labels come from JSON: a plain object inherits constructor, toString...
    expect(labels('constructor')({ app: 'web' })).toBe(false);
    expect(labels('toString')({ toString: 'yes' })).toBe(true);
    expect(labels('!hasOwnProperty')({ app: 'web' })).toBe(true);
    expect(labels('constructor notin (x)')({ app: 'web' })).toBe(true);
    expect(labels('constructor in (x)')({ constructor: 'x' } as Record<string, string>)).toBe(true);
  });

  it('raw text is kept for the title', () => {
    expect(parseFilter('-l app=web').raw).toBe('-l app=web');
  });

  it('-l without a selector', () => {
    expect(ferr('-l').message).toMatch(/-l wants a label selector/);
    expect(ferr('-l   ').message).toMatch(/-l wants a label selector/);
  });

  it('unbalanced parentheses', () => {
    expect(ferr('-l app in (web,db').message).toMatch(/unbalanced "\("/);
    expect(ferr('-l app in web,db)').message).toMatch(/unbalanced "\)"/);
  });

  it('bad keys and values', () => {
    expect(ferr('-l -app=web').message).toMatch(/invalid label key "-app"/);
    expect(ferr('-l a/b/c=web').message).toMatch(/invalid label key "a\/b\/c"/);
    expect(ferr('-l app=we b').message).toMatch(/cannot parse "app=we b"/);
    expect(ferr('-l app=-web').message).toMatch(/invalid label value "-web"/);
    expect(ferr('-l app in (web,-db)').message).toMatch(/invalid label value "-db"/);
  });

  it('empty requirements', () => {
    expect(ferr('-l app=web,').message).toMatch(/empty requirement/);
    expect(ferr('-l ,app=web').message).toMatch(/empty requirement/);
  });

  it('parseLabelSelector throws FilterError directly', () => {
    expect(() => parseLabelSelector('app in (x')).toThrow(FilterError);
    expect(parseLabelSelector('app=web')({ app: 'web' })).toBe(true);
  });
});

describe('parseFilter: -f fuzzy', () => {
  it('keeps the query', () => {
    expect(parseFilter('-f cdns')).toEqual({ kind: 'fuzzy', raw: '-f cdns', query: 'cdns' });
    expect(parseFilter('-f   web api ')).toEqual({ kind: 'fuzzy', raw: '-f   web api', query: 'web api' });
  });

  it('-f alone wants text', () => {
    expect(ferr('-f').message).toMatch(/-f wants some text/);
  });

  it('-fx and -lx are regexes, not flags', () => {
    expect(parseFilter('-fx').kind).toBe('regex');
    expect(parseFilter('-list').kind).toBe('regex');
  });
});
