/**
 * Custom columns, K9s's `views.yaml`:
 *
 *   views:
 *     v1/pods:
 *       columns: [AGE, "NAME|WR", "IP:.status.podIP", "IMAGES:.spec.containers[*].image|W"]
 *       sortColumn: AGE:asc
 *
 * Read from `$XDG_CONFIG_HOME/k9s/views.yaml`, then `$XDG_CONFIG_HOME/kmux/views.yaml` (kmux's
 * entry for a resource wins). A column is `HEADER[:jsonpath][|flags]`: a column of the
 * resource's own (by name, any case) or, with a JSONPath, a new one read from the object.
 * Flags (K9s's): W wide only, S shown (not wide), H hidden, L left- and R right-aligned,
 * N number, T time. NAMESPACE and CONTEXT take flags and a place too, as every column. In wide
 * mode (ctrl-w) the resource's columns the entry leaves out follow the listed ones, as in K9s.
 *
 * A key `RESOURCE@REGEX` (`v1/pods@kube-system`, `v1/pods@team-.*`) applies where the view is in
 * one namespace the regular expression matches; it wins over the plain key.
 *
 * Never throws: whatever is wrong comes back as problems naming the file, line and key.
 */
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YNode } from 'yaml';
import { compileJsonPath, evalJsonPath } from '../resources/jsonpath.js';
import type { Column, ColumnKind, PlacedColumn, Projection, ResourceColumns } from '../resources/types.js';
import { k9sConfigDir, kmuxConfigDir } from './paths.js';
import { capProblems, formatLoadProblem, quote, readTextFile, safeProblem, safeText } from './untrusted.js';
import { deref, entriesOf, reportDangling } from './yaml-nodes.js';

export interface ViewProblem {
  file: string;
  /** 1-based line, when known. */
  line?: number;
  /** the views.yaml key (e.g. `v1/pods`), or `v1/pods.columns[2]`. */
  key?: string;
  message: string;
}

export interface ViewColumnSpec {
  /** the entry as written, e.g. `IP:.status.podIP|R`. */
  raw: string;
  /** upper-case header. */
  header: string;
  /** JSONPath for a computed column; absent for a column of the resource's own. */
  path?: string;
  wide: boolean;
  /** S: shown in normal mode even where the resource's column is wide-only. */
  show: boolean;
  right: boolean;
  /** L: left-aligned (a number column too) */
  left: boolean;
  hidden: boolean;
  number: boolean;
  time: boolean;
  line?: number;
}

export interface ViewSpecConfig {
  /** the key as written, lower-cased (`v1/pods`, `deployments.apps`, `pods`...), without its `@namespace`. */
  key: string;
  /** `@REGEX`: the namespaces this entry is for */
  namespace?: RegExp;
  file: string;
  line?: number;
  /** k9s's file or kmux's: kmux's wins when both describe the same resource. */
  source: 'k9s' | 'kmux';
  columns: ViewColumnSpec[];
  /** from `sortColumn: AGE:asc`; column is upper case. */
  sort?: { column: string; asc: boolean };
}

export interface ViewsLoad {
  views: Map<string, ViewSpecConfig>;
  problems: ViewProblem[];
}

/** `file:line: key: message`, safe to show. */
export function formatViewProblem(p: ViewProblem): string {
  return formatLoadProblem(p);
}

/** K9s's views.yaml, then kmux's (same key: kmux's wins). Never throws. */
export function loadViews(env: NodeJS.ProcessEnv = process.env): ViewsLoad {
  const views = new Map<string, ViewSpecConfig>();
  const problems: ViewProblem[] = [];
  const files: [string, 'k9s' | 'kmux'][] = [
    [join(k9sConfigDir(env), 'views.yaml'), 'k9s'],
    [join(kmuxConfigDir(env), 'views.yaml'), 'kmux'],
  ];
  for (const [file, source] of files) {
    const read = readTextFile(file);
    if (!read.ok) {
      if (read.code !== 'ENOENT' && read.code !== 'ENOTDIR') problems.push({ file, message: `${read.message}; ignored` });
      continue;
    }
    for (const v of parseViews(read.text, file, source, problems)) views.set(mapKey(v), v);
  }
  return { views, problems };
}

/** Where a view sits in the map: its key, and `@REGEX` when it has one. */
function mapKey(v: ViewSpecConfig): string {
  return v.namespace ? `${v.key}@${v.namespace.source}` : v.key;
}

/** The entries of one views.yaml text; problems are appended. Never throws. */
export function parseViews(text: string, file: string, source: 'k9s' | 'kmux', problems: ViewProblem[]): ViewSpecConfig[] {
  const mine: ViewProblem[] = [];
  let out: ViewSpecConfig[];
  try {
    out = parseViewsText(text, file, source, mine);
  } catch (e) {
    // a last resort: every path below is meant to report, never to throw
    out = [];
    mine.push({ file, message: `not usable (internal error: ${(e as Error)?.message ?? String(e)}); file ignored` });
  }
  for (const p of capProblems(mine.map(safeProblem), file, {})) problems.push(p);
  return out;
}

const MAX_SYNTAX_PROBLEMS = 5;

function isEmpty(n: unknown): boolean {
  return n === null || n === undefined || (isScalar(n) && (n.value === null || n.value === ''));
}

function parseViewsText(text: string, file: string, source: 'k9s' | 'kmux', problems: ViewProblem[]): ViewSpecConfig[] {
  const lc = new LineCounter();
  const lineOf = (n: unknown): number | undefined => {
    const off = (n as YNode | null | undefined)?.range?.[0];
    return off === undefined ? undefined : lc.linePos(off).line;
  };
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, merge: true });
  if (doc.errors.length) {
    for (const err of doc.errors.slice(0, MAX_SYNTAX_PROBLEMS)) {
      const off = err.pos?.[0];
      problems.push({ file, line: off === undefined ? undefined : lc.linePos(off).line, message: `YAML error: ${safeText(err.message.split('\n')[0], 300)}; file ignored` });
    }
    return [];
  }
  reportDangling(doc, (off, message) => problems.push({ file, line: off === undefined ? undefined : lc.linePos(off).line, message }));
  const root = deref(doc, doc.contents);
  if (isEmpty(root)) return [];
  if (!isMap(root)) {
    problems.push({ file, line: lineOf(root), message: 'expected a mapping with a top-level views: key; file ignored' });
    return [];
  }
  const top = entriesOf(doc, root);
  const viewsEntry = top.find((e) => e.key === 'views');
  for (const e of top) {
    if (e !== viewsEntry) problems.push({ file, line: lineOf(e.keyNode), key: e.key, message: 'unknown top-level key (want views:); ignored' });
  }
  if (!viewsEntry) {
    problems.push({ file, message: 'no top-level views: key; file ignored' });
    return [];
  }
  const vmap = deref(doc, viewsEntry.value);
  if (isEmpty(vmap)) return [];
  if (!isMap(vmap)) {
    problems.push({ file, line: lineOf(viewsEntry.keyNode), key: 'views', message: `expected a mapping of resource -> {columns, sortColumn}, found ${kindOf(vmap)}` });
    return [];
  }
  const out: ViewSpecConfig[] = [];
  const seen = new Map<string, number | undefined>();
  for (const pair of entriesOf(doc, vmap)) {
    const line = lineOf(pair.keyNode);
    const rawKey = pair.key.trim();
    const at = rawKey.indexOf('@');
    const key = normalizeKey(at >= 0 ? rawKey.slice(0, at) : rawKey);
    let namespace: RegExp | undefined;
    if (at >= 0) {
      const rx = rawKey.slice(at + 1).trim();
      try {
        if (rx === '') throw new Error('nothing after @');
        namespace = new RegExp(rx);
      } catch (e) {
        problems.push({ file, line, key: rawKey, message: `${quote(rx)} after @ is not a regular expression for namespaces (${safeText((e as Error).message, 120)}); ignored` });
        continue;
      }
    }
    if (!/^[a-z0-9.-]+(\/[a-z0-9.-]+){0,2}$/.test(key)) {
      problems.push({ file, line, key: rawKey, message: 'not a resource key (write v1/pods, apps/v1/deployments, pods or deployments.apps); ignored' });
      continue;
    }
    const id = namespace ? `${key}@${namespace.source}` : key;
    if (seen.has(id)) problems.push({ file, line, key: rawKey, message: `duplicate key (line ${seen.get(id) ?? '?'} has it too); the last one wins` });
    seen.set(id, line);
    const body = deref(doc, pair.value);
    if (!isMap(body)) {
      problems.push({ file, line, key: rawKey, message: `expected a mapping with columns: (and sortColumn:), found ${kindOf(body)}; ignored` });
      continue;
    }
    const spec: ViewSpecConfig = { key, file, line, source, columns: [] };
    if (namespace) spec.namespace = namespace;
    for (const f of entriesOf(doc, body)) {
      const name = f.key;
      const fline = lineOf(f.keyNode);
      const value = deref(doc, f.value);
      if (name === 'columns') {
        if (isEmpty(value)) continue;
        if (!isSeq(value)) {
          problems.push({ file, line: fline, key: `${rawKey}.columns`, message: `expected a list of column strings, found ${kindOf(value)}; ignored` });
          continue;
        }
        const headers = new Set<string>();
        value.items.forEach((raw, i) => {
          const item = deref(doc, raw);
          const where = { file, line: lineOf(raw) ?? fline, key: `${rawKey}.columns[${i}]` };
          const v = isScalar(item) ? item.value : undefined;
          if (typeof v !== 'string' || v.trim() === '') {
            problems.push({ ...where, message: `expected a column string like NAME, "IP:.status.podIP" or "AGE|W", found ${kindOf(item)}; skipped` });
            return;
          }
          const c = parseColumn(v, (message) => problems.push({ ...where, message }));
          if (!c) return;
          if (headers.has(c.header)) {
            problems.push({ ...where, message: `column ${quote(c.header)} is listed twice; skipped` });
            return;
          }
          headers.add(c.header);
          c.line = where.line;
          spec.columns.push(c);
        });
      } else if (name === 'sortColumn') {
        const v = isScalar(value) ? value.value : undefined;
        const s = typeof v === 'string' ? parseSort(v) : undefined;
        if (s) spec.sort = s;
        else problems.push({ file, line: fline, key: `${rawKey}.sortColumn`, message: `${isScalar(value) || isEmpty(value) ? quote(v) : kindOf(value)} is not COLUMN:asc or COLUMN:desc; ignored` });
      } else {
        problems.push({ file, line: fline, key: `${rawKey}.${name}`, message: 'unknown key (want columns or sortColumn); ignored' });
      }
    }
    out.push(spec);
  }
  return out;
}

/** A node for a message: a scalar's value quoted, or what kind of node it is. */
function kindOf(n: unknown): string {
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (isScalar(n)) return quote(n.value);
  return 'nothing';
}

/** `v1/pods`, `core/v1/pods` -> `v1/pods`; lower case. */
function normalizeKey(k: string): string {
  const s = k.trim().toLowerCase();
  return s.startsWith('core/') ? s.slice('core/'.length) : s;
}

/** `AGE:asc`, `name:DESC`, `AGE` (ascending). No regex: a long run of spaces must not backtrack for minutes. */
export function parseSort(s: string): { column: string; asc: boolean } | undefined {
  const t = s.trim();
  const colon = t.lastIndexOf(':');
  const column = (colon >= 0 ? t.slice(0, colon) : t).trim();
  const dir = colon >= 0 ? t.slice(colon + 1).trim().toLowerCase() : 'asc';
  if (column === '' || column.includes(':') || (dir !== 'asc' && dir !== 'desc')) return undefined;
  return { column: column.toUpperCase(), asc: dir === 'asc' };
}

/** One `HEADER[:jsonpath][|flags]` entry; undefined (with a problem) when unusable. */
export function parseColumn(raw: string, problem: (message: string) => void): ViewColumnSpec | undefined {
  let s = raw.trim();
  let flags = '';
  const bar = s.lastIndexOf('|');
  if (bar >= 0 && /^[A-Za-z]*$/.test(s.slice(bar + 1))) {
    flags = s.slice(bar + 1);
    s = s.slice(0, bar).trim();
  }
  const colon = s.indexOf(':');
  const header = (colon >= 0 ? s.slice(0, colon) : s).trim().toUpperCase();
  const path = colon >= 0 ? s.slice(colon + 1).trim() : undefined;
  if (header === '') {
    problem(`${quote(raw)} has no column name; skipped`);
    return undefined;
  }
  if (path !== undefined) {
    if (path === '') {
      problem(`${quote(raw)}: nothing after ":" (want a JSONPath like .status.podIP); skipped`);
      return undefined;
    }
    try {
      compileJsonPath(path);
    } catch (e) {
      problem(`${safeText((e as Error)?.message ?? String(e), 300)}; skipped`);
      return undefined;
    }
  }
  const c: ViewColumnSpec = { raw, header, path, wide: false, show: false, right: false, left: false, hidden: false, number: false, time: false };
  const bad: string[] = [];
  for (const f of flags.toUpperCase()) {
    if (f === 'W') c.wide = true;
    else if (f === 'S') c.show = true;
    else if (f === 'R') [c.right, c.left] = [true, false];
    else if (f === 'L') [c.left, c.right] = [true, false];
    else if (f === 'H') c.hidden = true;
    else if (f === 'N') c.number = true;
    else if (f === 'T') c.time = true;
    else bad.push(f);
  }
  if (bad.length) problem(`unknown column flag${bad.length > 1 ? 's' : ''} ${bad.join('')} (known: W wide, S shown, H hidden, L left-aligned, R right-aligned, N number, T time); ignored`);
  if (c.show) c.wide = false;
  return c;
}

/**
 * The keys a resource is known by in views.yaml, most specific first:
 * `v1/pods`, `pods`; `apps/v1/deployments`, `deployments.apps`, `deployments`.
 */
export function viewKeyFor(r: { group: string; version: string; plural: string }): string[] {
  const plural = r.plural.toLowerCase();
  const group = r.group === 'core' ? '' : r.group.toLowerCase();
  const version = r.version.toLowerCase();
  return group === '' ? [`${version}/${plural}`, plural] : [`${group}/${version}/${plural}`, `${plural}.${group}`, plural];
}

/**
 * The view for a resource in a namespace (undefined: all namespaces): an entry for namespaces
 * matching it first (K9s's `@`), then the plain one; kmux's file over K9s's, then the most
 * specific key.
 */
export function viewFor(views: Map<string, ViewSpecConfig>, r: { group: string; version: string; plural: string }, namespace?: string): ViewSpecConfig | undefined {
  const keys = viewKeyFor(r);
  const pick = (cands: ViewSpecConfig[]): ViewSpecConfig | undefined => {
    let best: ViewSpecConfig | undefined;
    for (const k of keys) {
      for (const v of cands) {
        if (v.key !== k) continue;
        if (!best || (v.source === 'kmux' && best.source === 'k9s')) best = v;
      }
    }
    return best;
  };
  if (namespace) {
    const scoped = [...views.values()].filter((v) => v.namespace && keys.includes(v.key) && v.namespace.test(namespace));
    const hit = pick(scoped);
    if (hit) return hit;
  }
  return pick(keys.map((k) => views.get(k)).filter((v): v is ViewSpecConfig => !!v));
}

type Cell = string | number;

const asNumber = (v: Cell): Cell => {
  if (typeof v === 'number') return v;
  const t = v.trim();
  const n = t === '' ? NaN : Number(t);
  return Number.isFinite(n) ? n : v;
};

const asTime = (v: Cell): Cell => {
  if (typeof v === 'number') return v;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : '';
};

function pathCell(obj: unknown, path: string, text: boolean): Cell {
  let vals: unknown[];
  try {
    vals = evalJsonPath(obj, path);
  } catch {
    vals = [];
  }
  const parts = vals.filter((v) => v !== undefined && v !== null).map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)));
  if (parts.length === 0) return text ? '<none>' : '';
  return parts.join(',');
}

interface Plan {
  column: Column;
  /** index of the base cell, or -1 for a JSONPath column. */
  from: number;
  path?: string;
  convert?: (v: Cell) => Cell;
}

/**
 * `base` with its columns chosen, ordered and flagged by `spec`, as K9s does: the listed columns
 * in their order and flags, then (wide mode only) the rest of the resource's columns. NAME always
 * stays (first when the spec leaves it out). NAMESPACE and CONTEXT are the view's own: listed,
 * they are placed and flagged (`placed`). Unknown names and a sort column that is not shown are
 * appended to `problems` when given.
 */
export function customColumns(base: ResourceColumns, spec: ViewSpecConfig, problems?: ViewProblem[]): ResourceColumns {
  if (spec.columns.length === 0) return base;
  const report = (c: ViewColumnSpec | undefined, message: string): void => {
    problems?.push(safeProblem({ file: spec.file, line: c?.line ?? spec.line, key: spec.key, message }));
  };
  const index = new Map(base.columns.map((c, i) => [c.name.toUpperCase(), i]));
  const plans: Plan[] = [];
  const placed: PlacedColumn[] = [];
  const used = new Set<number>();
  let hasName = false;
  for (const c of spec.columns) {
    const isName = c.header === 'NAME' && c.path === undefined;
    const from = c.path === undefined ? index.get(c.header) : -1;
    if (from !== undefined && from >= 0) used.add(from);
    if (isName && (c.hidden || c.wide)) report(c, 'NAME is always shown; its H and W flags are ignored');
    else if (c.hidden && (c.header === 'NAMESPACE' || c.header === 'CONTEXT') && c.path === undefined) {
      placed.push({ name: c.header, at: plans.length, hidden: true });
      continue;
    } else if (c.hidden) continue;
    if (from === undefined) {
      if (c.header === 'NAMESPACE' || c.header === 'CONTEXT') {
        // the view adds these itself: here only their place and flags
        const p: PlacedColumn = { name: c.header, at: plans.length };
        if (c.wide) p.wide = true;
        if (c.left || c.right) p.align = c.left ? 'left' : 'right';
        placed.push(p);
        continue;
      }
      report(c, `no column ${safeText(c.header, 60)} here (columns: ${base.columns.map((x) => x.name).join(', ')}; or add one with "${safeText(c.header, 60)}:.json.path"); skipped`);
      continue;
    }
    const own = from >= 0 ? base.columns[from]! : undefined;
    let kind: ColumnKind | undefined = own?.kind;
    let convert: ((v: Cell) => Cell) | undefined;
    if (c.time) {
      if (kind !== 'age') convert = asTime;
      kind = 'age';
    } else if (c.number) {
      if (kind !== 'number') convert = asNumber;
      kind = 'number';
    } else if (c.right && own === undefined) {
      kind = 'number'; // right-aligned; numeric values also sort as numbers
      convert = asNumber;
    }
    const column: Column = { name: isName ? 'NAME' : c.header };
    if (kind && kind !== 'text') column.kind = kind;
    // metrics columns keep what their percentage is of (a pod's requests or limits)
    if (own?.basis) column.basis = own.basis;
    if (c.wide && !isName) column.wide = true;
    const natural = kind !== undefined && kind !== 'text' ? 'right' : 'left';
    if (c.left && natural === 'right') column.align = 'left';
    if (c.right && natural === 'left') column.align = 'right';
    if (isName) hasName = true;
    plans.push({ column, from, path: c.path, convert });
  }
  if (!hasName) {
    const at = index.get('NAME');
    if (at !== undefined) {
      plans.unshift({ column: { ...base.columns[at]!, wide: undefined }, from: at });
      used.add(at);
      for (const p of placed) p.at++;
    }
  }
  for (const p of plans) if (p.column.wide === undefined) delete p.column.wide;
  if (spec.sort && !['NAME', 'NAMESPACE', 'CONTEXT', ''].includes(spec.sort.column) && !plans.some((p) => p.column.name === spec.sort!.column)) {
    report(undefined, `sortColumn ${safeText(spec.sort.column, 60)} is not one of the columns shown`);
  }
  // wide mode shows the resource's other columns after the listed ones (K9s's Customize)
  base.columns.forEach((col, i) => {
    if (used.has(i) || plans.some((p) => p.column.name === col.name)) return;
    const { optional: _optional, ...rest } = col;
    plans.push({ column: { ...rest, wide: true }, from: i });
  });
  const columns = plans.map((p) => p.column);
  const out: ResourceColumns = {
    columns,
    project(obj: any, now: number): Projection {
      const b = base.project(obj, now);
      const cells = plans.map((p): Cell => {
        const v = p.from >= 0 ? (b.cells[p.from] ?? '') : pathCell(obj, p.path!, p.convert === undefined);
        return p.convert ? p.convert(v) : v;
      });
      return b.extra === undefined ? { cells, state: b.state } : { cells, state: b.state, extra: b.extra };
    },
  };
  if (placed.length) out.placed = placed;
  return out;
}
