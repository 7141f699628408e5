/**
 * Reading a skin file: K9s's format (one top key `k9s:` with body, prompt, help, info, dialog,
 * frame and views sections), plus a few kmux extension keys, mapped onto kmux's Theme roles.
 *
 * Never throws. Whatever is wrong (an unreadable or missing file, YAML syntax, unknown keys,
 * values that are not colors) comes back as problems naming the file, line and key; the theme
 * is the stock one where the file cannot be used at all, and otherwise keeps every good color
 * and takes the stock color for each role whose value was bad. YAML anchors, aliases and `<<`
 * merge keys work (community skins lean on them).
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YNode } from 'yaml';
import { formatLoadProblem, quote, readTextFile, safeProblem } from '../config/untrusted.js';
import { deref, isMergeKey, keyText, reportDangling } from '../config/yaml-nodes.js';
import { parseColor } from './colors.js';
import { STOCK, THEME_ROLES, type Theme } from './theme.js';

export interface SkinProblem {
  file: string;
  /** 1-based line in the file, when known. */
  line?: number;
  /** dotted key path, e.g. `k9s.views.table.cursorFgColor`. */
  key?: string;
  message: string;
}

export interface SkinLoad {
  theme: Theme;
  problems: SkinProblem[];
}

/** `file:line: key: message`, the form a message bar or stderr shows. */
export function formatProblem(p: SkinProblem): string {
  return formatLoadProblem(p);
}

/** A copy of the stock theme with every role present (bg as '', the terminal's own). */
export function stockTheme(): Theme {
  return { ...STOCK, bg: STOCK.bg ?? '' };
}

type Leaf = 'color' | 'colors' | 'colorMap' | 'style' | 'bool';
interface Schema {
  [key: string]: Leaf | Schema;
}

const C = 'color' as const;

/** Every key K9s (v0.51 era) knows in a skin, plus kmux's extensions (marked). Anything else is reported. */
const SCHEMA: Schema = {
  body: { fgColor: C, bgColor: C, logoColor: C, logoColorMsg: C, logoColorInfo: C, logoColorWarn: C, logoColorError: C },
  prompt: { fgColor: C, bgColor: C, suggestColor: C, border: { command: C, default: C } },
  help: { fgColor: C, bgColor: C, sectionColor: C, keyColor: C, numKeyColor: C },
  info: { fgColor: C, sectionColor: C, cpuColor: C, memColor: C, k9sRevColor: C },
  dialog: {
    fgColor: C, bgColor: C, buttonFgColor: C, buttonBgColor: C, buttonFocusFgColor: C, buttonFocusBgColor: C,
    labelFgColor: C, fieldFgColor: C,
    borderColor: C, // kmux
  },
  frame: {
    title: { fgColor: C, bgColor: C, highlightColor: C, counterColor: C, filterColor: C },
    border: { fgColor: C, focusColor: C, bgColor: C },
    menu: { fgColor: C, fgStyle: 'style', keyColor: C, numKeyColor: C },
    crumbs: {
      fgColor: C, bgColor: C, activeColor: C, keyColor: C,
      activeFgColor: C, // kmux
    },
    status: {
      newColor: C, modifyColor: C, addColor: C, pendingColor: C, errorColor: C, highlightColor: C, killColor: C, completedColor: C,
    },
  },
  views: {
    table: {
      fgColor: C, bgColor: C, cursorFgColor: C, cursorBgColor: C, cursorColor: C, markColor: C,
      header: { fgColor: C, bgColor: C, sorterColor: C, selectedSortColumnColor: C },
    },
    xray: { fgColor: C, bgColor: C, cursorColor: C, cursorTextColor: C, cursorFgColor: C, graphicColor: C, showIcons: 'bool' },
    charts: {
      bgColor: C, dialBgColor: C, chartBgColor: C, focusFgColor: C, focusBgColor: C,
      defaultDialColors: 'colors', defaultChartColors: 'colors', resourceColors: 'colorMap',
    },
    yaml: { keyColor: C, valueColor: C, colonColor: C },
    picker: { mainColor: C, focusColor: C, shortcutColor: C },
    logs: { fgColor: C, bgColor: C, indicator: { fgColor: C, bgColor: C, toggleOnColor: C, toggleOffColor: C } },
  },
};

const STYLES = new Set(['normal', 'bold', 'dim', 'italic', 'underline', 'blink', 'reverse', 'strikethrough', '-', '']);

/**
 * Where each role's color comes from: the first key present in the skin wins; a key that is
 * present but not a color gives the stock color; no key at all gives the stock color too.
 * Later entries fill kmux's finer roles from the nearest K9s key (so a community skin that
 * sets only body.bgColor gets that background on every panel, not the stock one).
 */
export const ROLE_SOURCES: Readonly<Record<keyof Theme, readonly string[]>> = {
  fg: ['body.fgColor'],
  bg: ['body.bgColor'],
  logo: ['body.logoColor'],
  logoMsg: ['body.logoColorMsg', 'body.fgColor'],
  infoLabel: ['info.fgColor'],
  infoValue: ['info.sectionColor'],
  infoCpu: ['info.cpuColor'],
  infoMem: ['info.memColor'],
  infoVersion: ['info.k9sRevColor'],
  menuKey: ['frame.menu.keyColor'],
  menuNumKey: ['frame.menu.numKeyColor'],
  menuDesc: ['frame.menu.fgColor'],
  border: ['frame.border.fgColor'],
  borderFocus: ['frame.border.focusColor'],
  title: ['frame.title.fgColor'],
  titleBg: ['frame.title.bgColor', 'body.bgColor'],
  titleHighlight: ['frame.title.highlightColor'],
  titleCounter: ['frame.title.counterColor'],
  titleFilter: ['frame.title.filterColor'],
  tableBg: ['views.table.bgColor', 'body.bgColor'],
  tableHeader: ['views.table.header.fgColor'],
  tableHeaderBg: ['views.table.header.bgColor', 'views.table.bgColor', 'body.bgColor'],
  sortMarker: ['views.table.header.sorterColor'],
  sortSelected: ['views.table.header.selectedSortColumnColor'],
  cursorFg: ['views.table.cursorFgColor'],
  cursorBg: ['views.table.cursorBgColor', 'views.table.cursorColor'],
  mark: ['views.table.markColor'],
  // K9s's standard row color is newColor; views.table.fgColor colors no row in K9s
  rowNormal: ['frame.status.newColor'],
  rowNew: ['frame.status.newColor'],
  rowAdded: ['frame.status.addColor'],
  rowModified: ['frame.status.modifyColor'],
  rowError: ['frame.status.errorColor'],
  rowPending: ['frame.status.pendingColor'],
  rowCompleted: ['frame.status.completedColor'],
  rowTerminating: ['frame.status.killColor'],
  rowHighlight: ['frame.status.highlightColor'],
  crumbFg: ['frame.crumbs.fgColor'],
  crumbBg: ['frame.crumbs.bgColor'],
  crumbActiveFg: ['frame.crumbs.activeFgColor', 'frame.crumbs.fgColor'],
  crumbActiveBg: ['frame.crumbs.activeColor'],
  promptFg: ['prompt.fgColor'],
  promptBg: ['prompt.bgColor', 'body.bgColor'],
  promptSuggest: ['prompt.suggestColor'],
  promptBorder: ['prompt.border.command'],
  promptBorderFilter: ['prompt.border.default'],
  flashInfo: ['body.logoColorInfo'],
  flashWarn: ['body.logoColorWarn'],
  flashError: ['body.logoColorError'],
  dialogFg: ['dialog.fgColor'],
  dialogBg: ['dialog.bgColor', 'body.bgColor'],
  dialogBorder: ['dialog.borderColor', 'dialog.fgColor'],
  dialogLabel: ['dialog.labelFgColor'],
  dialogField: ['dialog.fieldFgColor'],
  buttonFg: ['dialog.buttonFgColor'],
  buttonBg: ['dialog.buttonBgColor'],
  buttonFocusFg: ['dialog.buttonFocusFgColor'],
  buttonFocusBg: ['dialog.buttonFocusBgColor'],
  helpFg: ['help.fgColor', 'body.fgColor'],
  helpBg: ['help.bgColor', 'body.bgColor'],
  helpSection: ['help.sectionColor'],
  helpKey: ['help.keyColor'],
  helpNumKey: ['help.numKeyColor'],
  yamlKey: ['views.yaml.keyColor'],
  yamlColon: ['views.yaml.colonColor', 'body.fgColor'],
  yamlValue: ['views.yaml.valueColor'],
  logFg: ['views.logs.fgColor', 'body.fgColor'],
  logBg: ['views.logs.bgColor', 'body.bgColor'],
  logIndicatorFg: ['views.logs.indicator.fgColor'],
  logIndicatorBg: ['views.logs.indicator.bgColor', 'views.logs.bgColor', 'body.bgColor'],
  logToggleOn: ['views.logs.indicator.toggleOnColor'],
  logToggleOff: ['views.logs.indicator.toggleOffColor'],
  xrayFg: ['views.xray.fgColor'],
  xrayBg: ['views.xray.bgColor', 'body.bgColor'],
  xrayCursorFg: ['views.xray.cursorTextColor', 'views.xray.cursorFgColor'],
  xrayCursorBg: ['views.xray.cursorColor'],
  xrayGraphic: ['views.xray.graphicColor'],
  pickerFg: ['views.picker.mainColor'],
  pickerFocus: ['views.picker.focusColor'],
  pickerShortcut: ['views.picker.shortcutColor'],
  healthOk: ['views.charts.defaultDialColors.0'],
  healthBad: ['views.charts.defaultDialColors.1'],
  chartFocusFg: ['views.charts.focusFgColor'],
  chartFocusBg: ['views.charts.focusBgColor'],
};

/** A color found in the skin: '' = terminal's own; undefined = present but bad (reported). */
type Found = Map<string, string | undefined>;

/** Read and map one skin file. Never throws. */
export function loadSkinFile(file: string): SkinLoad {
  const r = readTextFile(file);
  if (!r.ok) return { theme: stockTheme(), problems: [{ file, message: `${readError(r.code, r.message)}; using the stock skin` }] };
  return parseSkin(r.text, file);
}

function readError(code: string, message: string): string {
  switch (code) {
    case 'ENOENT': return 'skin file not found';
    case 'EACCES':
    case 'EPERM': return 'skin file not readable (permission denied)';
    case 'EISDIR': return 'skin path is a directory, not a file';
    default: return `skin file ${message}`;
  }
}

/** Map a skin's text (K9s format) onto a Theme; `file` names it in problems. Never throws. */
export function parseSkin(text: string, file: string): SkinLoad {
  let r: SkinLoad;
  try {
    r = parseSkinText(text, file);
  } catch (e) {
    // a last resort: every path below is meant to return, never to throw
    r = { theme: stockTheme(), problems: [{ file, message: `skin not usable (internal error: ${(e as Error)?.message ?? String(e)}); using the stock skin` }] };
  }
  return { theme: r.theme, problems: r.problems.map(safeProblem) };
}

function parseSkinText(text: string, file: string): SkinLoad {
  const problems: SkinProblem[] = [];
  const lc = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lc, merge: true, uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    return { theme: stockTheme(), problems: [{ file, message: `YAML error: ${(e as Error).message}; using the stock skin` }] };
  }
  const lineOf = (offset: number | undefined): number | undefined => (offset === undefined ? undefined : lc.linePos(offset).line);
  if (doc.errors.length) {
    const lines = text.split('\n');
    doc.errors.slice(0, 10).forEach((err, i) => {
      const line = lineOf(err.pos?.[0]);
      const hint = line && /:\s*-\s*(#.*)?$/.test(lines[line - 1] ?? '') ? ' (a bare - starts a YAML list: write "-" in quotes, or default)' : '';
      problems.push({ file, line, message: `YAML error: ${firstLine(err.message)}${hint}${i === 0 ? '; using the stock skin' : ''}` });
    });
    return { theme: stockTheme(), problems };
  }
  for (const w of doc.warnings) problems.push({ file, line: lineOf(w.pos?.[0]), message: `YAML warning: ${firstLine(w.message)}` });
  reportDangling(doc, (off, message) => problems.push({ file, line: lineOf(off), message }));

  const root = doc.contents;
  if (!root || (isScalar(root) && (root.value === null || root.value === ''))) {
    problems.push({ file, message: 'skin file is empty; using the stock skin' });
    return { theme: stockTheme(), problems };
  }
  if (!isMap(root)) {
    problems.push({ file, line: lineOf(root.range?.[0]), message: 'a skin is a YAML mapping with a top-level k9s: key; using the stock skin' });
    return { theme: stockTheme(), problems };
  }
  const top = entries(doc, root, 'top level', file, problems, lineOf);
  const k9s = top.get('k9s');
  if (!k9s) {
    const near = [...top.keys()].find((k) => k.toLowerCase() === 'k9s' || k.toLowerCase() === 'kmux');
    problems.push({ file, message: `no top-level k9s: key${near ? ` (found ${quote(near)})` : ''}; using the stock skin` });
    return { theme: stockTheme(), problems };
  }
  const found: Found = new Map();
  let split: string[] | undefined;
  const lines = () => (split ??= text.split('\n'));
  walk(doc, k9s.node, SCHEMA, 'k9s', k9s.line, file, problems, lineOf, found, lines);
  return { theme: resolveRoles(found), problems: capped(problems, file) };
}

const MAX_PROBLEMS = 50;

/** A skin with hundreds of mistakes needs the first few, not a screenful. */
function capped(problems: SkinProblem[], file: string): SkinProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_PROBLEMS), { file, message: `and ${problems.length - MAX_PROBLEMS} more problems` }];
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

/** Build the theme from the colors found: first source present wins; present-but-bad = stock. */
function resolveRoles(found: Found): Theme {
  const out = {} as Record<string, string>;
  for (const role of THEME_ROLES) {
    const stock = STOCK[role] ?? '';
    let v: string = stock;
    for (const path of ROLE_SOURCES[role]) {
      if (!found.has(path)) continue;
      v = found.get(path) ?? stock;
      break;
    }
    out[role] = v;
  }
  return out as unknown as Theme;
}

/** How deep `<<` merges may nest (each level is a call; a chain of thousands would exhaust the stack). */
const MAX_MERGE_DEPTH = 100;

interface Entry {
  node: unknown;
  line?: number;
}

type LineOf = (offset: number | undefined) => number | undefined;

/**
 * The entries of a mapping, `<<` merges applied (explicit keys win over merged ones, earlier
 * merged maps over later ones), duplicate explicit keys reported (the last one wins).
 */
function entries(doc: Document, map: unknown, where: string, file: string, problems: SkinProblem[], lineOf: LineOf, depth = 0, merged = new Set<unknown>()): Map<string, Entry> {
  const out = new Map<string, Entry>();
  if (!isMap(map)) return out;
  // a map merged once need not be merged again: keeps `<<: [*a, *a]` chains and cycles linear
  merged.add(map);
  const merges: unknown[] = [];
  for (const pair of map.items) {
    const key = pair.key;
    if (isMergeKey(key)) {
      const v = deref(doc, pair.value);
      if (isSeq(v)) merges.push(...v.items.map((x) => deref(doc, x)));
      else merges.push(v);
      continue;
    }
    const name = keyText(key);
    const line = lineOf((key as YNode | null)?.range?.[0]);
    if (out.has(name)) {
      problems.push({ file, line, key: where === 'top level' ? name : `${where}.${name}`, message: `duplicate key (line ${out.get(name)!.line ?? '?'} has it too); the last one wins` });
    }
    out.set(name, { node: pair.value, line });
  }
  if (merges.length && depth >= MAX_MERGE_DEPTH) {
    problems.push({ file, key: where, message: `<< merges nested more than ${MAX_MERGE_DEPTH} deep; the deeper ones are ignored` });
  } else {
    for (const m of merges) {
      if (!isMap(m)) {
        problems.push({ file, key: where, message: '<< merges a value that is not a mapping; ignored' });
        continue;
      }
      if (merged.has(m)) continue;
      for (const [k, e] of entries(doc, m, where, file, problems, lineOf, depth + 1, merged)) if (!out.has(k)) out.set(k, e);
    }
  }
  return out;
}

function walk(
  doc: Document, rawNode: unknown, schema: Schema, path: string, line: number | undefined,
  file: string, problems: SkinProblem[], lineOf: LineOf, found: Found, lines: () => string[],
): void {
  const node = deref(doc, rawNode);
  if (node === null || node === undefined || (isScalar(node) && (node.value === null || node.value === undefined))) return; // empty section
  if (!isMap(node)) {
    problems.push({ file, line, key: path, message: `expected a section with keys (${Object.keys(schema).join(', ')}), found ${describe(node)}` });
    return;
  }
  for (const [key, e] of entries(doc, node, path, file, problems, lineOf)) {
    const sub = schema[key];
    const kpath = `${path}.${key}`;
    if (sub === undefined) {
      const hint = Object.keys(schema).find((k) => k.toLowerCase() === key.toLowerCase()) ?? nearKey(key, Object.keys(schema));
      problems.push({ file, line: e.line, key: kpath, message: `unknown key${hint ? ` (did you mean ${hint}?)` : ''}; ignored` });
      continue;
    }
    const rel = kpath.slice('k9s.'.length);
    if (typeof sub === 'object') {
      walk(doc, e.node, sub, kpath, e.line, file, problems, lineOf, found, lines);
      continue;
    }
    const via = viaAlias(doc, e.node, lineOf);
    const value = deref(doc, e.node);
    switch (sub) {
      case 'color':
        color(value, rel, kpath, e.line, via, file, problems, found, lines);
        break;
      case 'colors': {
        if (!isSeq(value)) {
          problems.push({ file, line: e.line, key: kpath, message: `expected a list of colors, found ${describe(value)}` });
          break;
        }
        value.items.forEach((item, i) => color(deref(doc, item), `${rel}.${i}`, `${kpath}[${i}]`, lineOf((item as YNode | null)?.range?.[0]) ?? e.line, viaAlias(doc, item, lineOf), file, problems, found, lines));
        break;
      }
      case 'colorMap': {
        const m = deref(doc, e.node);
        if (!isMap(m)) {
          problems.push({ file, line: e.line, key: kpath, message: `expected a mapping of name -> list of colors, found ${describe(m)}` });
          break;
        }
        for (const [name, ce] of entries(doc, m, kpath, file, problems, lineOf)) {
          const list = deref(doc, ce.node);
          if (!isSeq(list)) {
            problems.push({ file, line: ce.line, key: `${kpath}.${name}`, message: `expected a list of colors, found ${describe(list)}` });
            continue;
          }
          list.items.forEach((item, i) => color(deref(doc, item), `${rel}.${name}.${i}`, `${kpath}.${name}[${i}]`, lineOf((item as YNode | null)?.range?.[0]) ?? ce.line, viaAlias(doc, item, lineOf), file, problems, found, lines));
        }
        break;
      }
      case 'style': {
        const s = isScalar(value) ? value.value : value;
        if (s === null || s === undefined) break;
        if (typeof s !== 'string' || !STYLES.has(s.trim().toLowerCase())) {
          problems.push({ file, line: e.line, key: kpath, message: `${quote(s)} is not a text style (want one of ${[...STYLES].filter((x) => x && x !== '-').join(', ')})` });
        }
        break;
      }
      case 'bool': {
        const b = isScalar(value) ? value.value : value;
        if (b !== null && b !== undefined && typeof b !== 'boolean') problems.push({ file, line: e.line, key: kpath, message: `${quote(b)} is not true or false` });
        break;
      }
    }
  }
}

function color(
  value: unknown, rel: string, kpath: string, line: number | undefined, via: string,
  file: string, problems: SkinProblem[], found: Found, lines: () => string[],
): void {
  const raw = isScalar(value) ? value.value : (value ?? null);
  if (isMap(raw) || isSeq(raw)) {
    problems.push({ file, line, key: kpath, message: `expected a color, found ${describe(raw)}; using the stock color` });
    found.set(rel, undefined);
    return;
  }
  const c = parseColor(raw);
  if (c.ok) {
    found.set(rel, c.hex ?? '');
    return;
  }
  let msg = c.message;
  if ((raw === null || raw === '') && line !== undefined && /:\s*#/.test(lines()[line - 1] ?? '')) {
    msg = 'no color given: an unquoted # starts a YAML comment, write "#rrggbb" in quotes';
  }
  problems.push({ file, line, key: kpath, message: `${msg}${via}; using the stock color` });
  found.set(rel, undefined);
}

function viaAlias(doc: Document, n: unknown, lineOf: LineOf): string {
  if (!isAlias(n)) return '';
  const target = deref(doc, n) as YNode | undefined;
  const l = lineOf(target?.range?.[0]);
  return ` (via *${n.source}${l ? `, defined on line ${l}` : ''})`;
}

function describe(n: unknown): string {
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (isScalar(n)) return quote(n.value);
  return quote(n);
}

function nearKey(key: string, keys: string[]): string | undefined {
  if (key.length > 40) return undefined;
  const k = key.toLowerCase();
  let best: string | undefined;
  let bestD = 3;
  for (const cand of keys) {
    const d = lev(k, cand.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = cand;
    }
  }
  return best;
}

function lev(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}
