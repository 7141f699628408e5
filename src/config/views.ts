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
 * Flags: W wide only, S shown (not wide), H hidden, R right-aligned, N number, T time.
 *
 * Never throws: whatever is wrong comes back as problems naming the file, line and key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YNode } from 'yaml';
import { compileJsonPath, evalJsonPath } from '../resources/jsonpath.js';
import type { Column, ColumnKind, Projection, ResourceColumns } from '../resources/types.js';
import { k9sConfigDir, kmuxConfigDir } from './paths.js';

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
  hidden: boolean;
  number: boolean;
  time: boolean;
  line?: number;
}

export interface ViewSpecConfig {
  /** the key as written, lower-cased (`v1/pods`, `deployments.apps`, `pods`...). */
  key: string;
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

/** `file:line: key: message`. */
export function formatViewProblem(p: ViewProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.key ? `${p.key}: ` : ''}${p.message}`;
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
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') problems.push({ file, message: `not readable (${(e as Error).message}); ignored` });
      continue;
    }
    for (const v of parseViews(text, file, source, problems)) views.set(v.key, v);
  }
  return { views, problems };
}

/** The entries of one views.yaml text; problems are appended. Never throws. */
export function parseViews(text: string, file: string, source: 'k9s' | 'kmux', problems: ViewProblem[]): ViewSpecConfig[] {
  const lc = new LineCounter();
  const lineOf = (n: unknown): number | undefined => {
    const off = (n as YNode | null | undefined)?.range?.[0];
    return off === undefined ? undefined : lc.linePos(off).line;
  };
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    problems.push({ file, message: `YAML error: ${(e as Error).message}; file ignored` });
    return [];
  }
  if (doc.errors.length) {
    for (const err of doc.errors.slice(0, 5)) {
      const off = err.pos?.[0];
      problems.push({ file, line: off === undefined ? undefined : lc.linePos(off).line, message: `YAML error: ${err.message.split('\n')[0]}; file ignored` });
    }
    return [];
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return [];
  if (!isMap(root)) {
    problems.push({ file, line: lineOf(root), message: 'expected a mapping with a top-level views: key; file ignored' });
    return [];
  }
  const viewsPair = root.items.find((p) => isScalar(p.key) && p.key.value === 'views');
  for (const p of root.items) {
    if (p !== viewsPair) problems.push({ file, line: lineOf(p.key), key: String(isScalar(p.key) ? p.key.value : p.key), message: 'unknown top-level key (want views:); ignored' });
  }
  if (!viewsPair) {
    problems.push({ file, message: 'no top-level views: key; file ignored' });
    return [];
  }
  const vmap = viewsPair.value;
  if (vmap === null || (isScalar(vmap) && vmap.value === null)) return [];
  if (!isMap(vmap)) {
    problems.push({ file, line: lineOf(viewsPair.key), key: 'views', message: 'expected a mapping of resource -> {columns, sortColumn}' });
    return [];
  }
  const out: ViewSpecConfig[] = [];
  const seen = new Map<string, number | undefined>();
  for (const pair of vmap.items) {
    const line = lineOf(pair.key);
    const rawKey = String(isScalar(pair.key) ? pair.key.value : pair.key).trim();
    const key = normalizeKey(rawKey);
    if (key.includes('@')) {
      problems.push({ file, line, key: rawKey, message: 'namespace-specific views (resource@namespace) are not supported yet; ignored' });
      continue;
    }
    if (!/^[a-z0-9.-]+(\/[a-z0-9.-]+){0,2}$/.test(key)) {
      problems.push({ file, line, key: rawKey, message: 'not a resource key (write v1/pods, apps/v1/deployments, pods or deployments.apps); ignored' });
      continue;
    }
    if (seen.has(key)) problems.push({ file, line, key: rawKey, message: `duplicate key (line ${seen.get(key) ?? '?'} has it too); the last one wins` });
    seen.set(key, line);
    const body = pair.value;
    if (!isMap(body)) {
      problems.push({ file, line, key: rawKey, message: 'expected a mapping with columns: (and sortColumn:); ignored' });
      continue;
    }
    const spec: ViewSpecConfig = { key, file, line, source, columns: [] };
    for (const f of body.items) {
      const name = String(isScalar(f.key) ? f.key.value : f.key);
      const fline = lineOf(f.key);
      if (name === 'columns') {
        if (!isSeq(f.value)) {
          problems.push({ file, line: fline, key: `${rawKey}.columns`, message: 'expected a list of column strings; ignored' });
          continue;
        }
        const headers = new Set<string>();
        f.value.items.forEach((item, i) => {
          const where = { file, line: lineOf(item) ?? fline, key: `${rawKey}.columns[${i}]` };
          const v = isScalar(item) ? item.value : undefined;
          if (typeof v !== 'string' || v.trim() === '') {
            problems.push({ ...where, message: 'expected a column string like NAME, "IP:.status.podIP" or "AGE|W"; skipped' });
            return;
          }
          const c = parseColumn(v, (message) => problems.push({ ...where, message }));
          if (!c) return;
          if (headers.has(c.header)) {
            problems.push({ ...where, message: `column ${c.header} is listed twice; skipped` });
            return;
          }
          headers.add(c.header);
          c.line = where.line;
          spec.columns.push(c);
        });
      } else if (name === 'sortColumn') {
        const v = isScalar(f.value) ? f.value.value : undefined;
        const s = typeof v === 'string' ? parseSort(v) : undefined;
        if (s) spec.sort = s;
        else problems.push({ file, line: fline, key: `${rawKey}.sortColumn`, message: `${JSON.stringify(v ?? null)} is not COLUMN:asc or COLUMN:desc; ignored` });
      } else {
        problems.push({ file, line: fline, key: `${rawKey}.${name}`, message: 'unknown key (want columns or sortColumn); ignored' });
      }
    }
    out.push(spec);
  }
  return out;
}

/** `v1/pods`, `core/v1/pods` -> `v1/pods`; lower case. */
function normalizeKey(k: string): string {
  const s = k.trim().toLowerCase();
  return s.startsWith('core/') ? s.slice('core/'.length) : s;
}

/** `AGE:asc`, `name:DESC`, `AGE` (ascending). */
export function parseSort(s: string): { column: string; asc: boolean } | undefined {
  const m = /^\s*([^:]+?)\s*(?::\s*(asc|desc)\s*)?$/i.exec(s);
  if (!m) return undefined;
  return { column: m[1]!.toUpperCase(), asc: (m[2] ?? 'asc').toLowerCase() === 'asc' };
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
    problem(`${JSON.stringify(raw)} has no column name; skipped`);
    return undefined;
  }
  if (path !== undefined) {
    if (path === '') {
      problem(`${JSON.stringify(raw)}: nothing after ":" (want a JSONPath like .status.podIP); skipped`);
      return undefined;
    }
    try {
      compileJsonPath(path);
    } catch (e) {
      problem(`${(e as Error).message}; skipped`);
      return undefined;
    }
  }
  const c: ViewColumnSpec = { raw, header, path, wide: false, show: false, right: false, hidden: false, number: false, time: false };
  const bad: string[] = [];
  for (const f of flags.toUpperCase()) {
    if (f === 'W') c.wide = true;
    else if (f === 'S') c.show = true;
    else if (f === 'R') c.right = true;
    else if (f === 'H') c.hidden = true;
    else if (f === 'N') c.number = true;
    else if (f === 'T') c.time = true;
    else bad.push(f);
  }
  if (bad.length) problem(`unknown column flag${bad.length > 1 ? 's' : ''} ${bad.join('')} (known: W wide, S shown, H hidden, R right-aligned, N number, T time); ignored`);
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

/** The view for a resource: kmux's file over K9s's, then the most specific key. */
export function viewFor(views: Map<string, ViewSpecConfig>, r: { group: string; version: string; plural: string }): ViewSpecConfig | undefined {
  let best: ViewSpecConfig | undefined;
  for (const k of viewKeyFor(r)) {
    const v = views.get(k);
    if (v && (!best || (v.source === 'kmux' && best.source === 'k9s'))) best = v;
  }
  return best;
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
 * `base` with its columns chosen, ordered and flagged by `spec`. NAME always stays (first when
 * the spec leaves it out); NAMESPACE and CONTEXT are the view's own and are skipped quietly.
 * Unknown names and a sort column that is not shown are appended to `problems` when given.
 */
export function customColumns(base: ResourceColumns, spec: ViewSpecConfig, problems?: ViewProblem[]): ResourceColumns {
  if (spec.columns.length === 0) return base;
  const report = (c: ViewColumnSpec | undefined, message: string): void => {
    problems?.push({ file: spec.file, line: c?.line ?? spec.line, key: spec.key, message });
  };
  const index = new Map(base.columns.map((c, i) => [c.name.toUpperCase(), i]));
  const plans: Plan[] = [];
  let hasName = false;
  for (const c of spec.columns) {
    const isName = c.header === 'NAME' && c.path === undefined;
    if (isName && (c.hidden || c.wide)) report(c, 'NAME is always shown; its H and W flags are ignored');
    else if (c.hidden) continue;
    const from = c.path === undefined ? index.get(c.header) : -1;
    if (from === undefined) {
      if (c.header === 'NAMESPACE' || c.header === 'CONTEXT') continue; // the view adds these itself
      report(c, `no column ${c.header} here (columns: ${base.columns.map((x) => x.name).join(', ')}; or add one with "${c.header}:.json.path"); skipped`);
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
    if (c.wide && !isName) column.wide = true;
    if (isName) hasName = true;
    plans.push({ column, from, path: c.path, convert });
  }
  if (!hasName) {
    const at = index.get('NAME');
    if (at !== undefined) plans.unshift({ column: { ...base.columns[at]!, wide: undefined }, from: at });
  }
  for (const p of plans) if (p.column.wide === undefined) delete p.column.wide;
  if (spec.sort && !['NAME', 'NAMESPACE', 'CONTEXT', ''].includes(spec.sort.column) && !plans.some((p) => p.column.name === spec.sort!.column)) {
    report(undefined, `sortColumn ${spec.sort.column} is not one of the columns shown`);
  }
  const columns = plans.map((p) => p.column);
  return {
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
}
