/**
 * Which skin applies, where skins are found, and watching the active one.
 *
 * Directories, first wins for a name: kmux's ($XDG_CONFIG_HOME/kmux/skins, or
 * $KMUX_CONFIG_DIR/skins), K9s's ($XDG_CONFIG_HOME/k9s/skins, or $K9S_CONFIG_DIR/skins), and
 * the skins shipped in the package's skins/.
 *
 * Selection, first match wins: --skin NAME, KMUX_SKIN, K9S_SKIN, the context's own skin (kmux
 * config `contexts.<ctx>.skin`, else K9s's per-context `k9s.skin`), the global setting (kmux
 * config `skin:`, else K9s's `k9s.ui.skin`), then the stock skin.
 */
import { shipped } from '../util/paths.js';
import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YNode, type Scalar } from 'yaml';
import { k9sConfigDir, kmuxConfigDir } from '../config/paths.js';
import { quote, readTextFile, safeProblem, safeText } from '../config/untrusted.js';
import { deref, entriesOf, reportDangling } from '../config/yaml-nodes.js';
import { loadSkinFile, stockTheme, type SkinProblem } from './skin.js';
import type { Theme } from './theme.js';

/** The skins shipped with kmux (skins/ at the package root). */
export const SHIPPED_SKINS_DIR = shipped('skins');

export type SkinOrigin = 'kmux' | 'k9s' | 'shipped';

export interface SkinDir {
  dir: string;
  origin: SkinOrigin;
}

/** Where skins are looked for, in precedence order. */
export function skinDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return skinDirsWithOrigin(env).map((d) => d.dir);
}

export function skinDirsWithOrigin(env: NodeJS.ProcessEnv = process.env): SkinDir[] {
  return [
    { dir: join(kmuxConfigDir(env), 'skins'), origin: 'kmux' },
    { dir: join(k9sConfigDir(env), 'skins'), origin: 'k9s' },
    { dir: SHIPPED_SKINS_DIR, origin: 'shipped' },
  ];
}

export interface SkinEntry {
  name: string;
  file: string;
  dir: string;
  origin: SkinOrigin;
}

/** Every skin by name (kmux's dir wins over K9s's over the shipped ones), sorted by name. */
export function listSkins(env: NodeJS.ProcessEnv = process.env): SkinEntry[] {
  const byName = new Map<string, SkinEntry>();
  for (const { dir, origin } of skinDirsWithOrigin(env)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue; // a missing or unreadable dir is normal
    }
    // .yaml before .yml for the same name
    names.sort((a, b) => (extname(a) === extname(b) ? a.localeCompare(b) : extname(a) === '.yaml' ? -1 : 1));
    for (const f of names) {
      const ext = extname(f).toLowerCase();
      if ((ext !== '.yaml' && ext !== '.yml') || f.startsWith('.')) continue;
      const name = basename(f, extname(f));
      if (byName.has(name)) continue;
      const file = join(dir, f);
      try {
        if (!statSync(file).isFile()) continue;
      } catch {
        continue;
      }
      byName.set(name, { name, file, dir, origin });
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export type SkinSource = 'flag' | 'KMUX_SKIN' | 'K9S_SKIN' | 'context' | 'global' | 'stock';

export interface SkinChoice {
  /** undefined = the stock skin. */
  name?: string;
  from: SkinSource;
  /** the config file the name came from (context and global choices). */
  file?: string;
  /** config files that could not be read or parsed on the way (selection carried on). */
  problems: SkinProblem[];
}

export interface ResolveOptions {
  flag?: string;
  env?: NodeJS.ProcessEnv;
  context?: string;
  /** the context's cluster (kubeconfig), for K9s's per-context dir; scanned for when absent. */
  cluster?: string;
}

/** The data dir K9s keeps per-context configs in. */
export function k9sClustersDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.K9S_CONFIG_DIR) return join(env.K9S_CONFIG_DIR, 'clusters');
  const data = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(data, 'k9s', 'clusters');
}

/** K9s's file-name cleaning for cluster and context dirs (`:` and `/` become `-`). */
function sanitize(s: string): string {
  return s.replace(/[:/\\]+/g, '-');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Which config file: kmux's config.yaml, K9s's config.yaml, or K9s's per-context config.yaml. */
export type SkinConfigKind = 'kmux' | 'k9s' | 'k9s-context';

export interface SkinSettings {
  /** the skin for every context (kmux `skin:`, K9s `k9s.ui.skin`) */
  global?: string;
  /** the skin for the context asked about (kmux `contexts.<ctx>.skin`, K9s per-context `k9s.skin`) */
  context?: string;
  problems: SkinProblem[];
}

const SKIN_PATHS: Record<SkinConfigKind, { global?: string[]; context?: (ctx: string) => string[] }> = {
  kmux: { global: ['skin'], context: (ctx) => ['contexts', ctx, 'skin'] },
  k9s: { global: ['k9s', 'ui', 'skin'] },
  'k9s-context': { context: () => ['k9s', 'skin'] },
};

/**
 * The skin settings in one config file's text (pure). Only the keys on the way to a skin are
 * judged: one of the wrong type (a list where a mapping goes, a mapping where a name goes) is
 * reported with its line and key, and that setting is left out. Never throws.
 */
export function readSkinSettings(text: string, file: string, kind: SkinConfigKind, context?: string): SkinSettings {
  let r: SkinSettings;
  try {
    r = readSkinSettingsText(text, file, kind, context);
  } catch (e) {
    // a last resort: every path below is meant to report, never to throw
    r = { problems: [{ file, message: `config not usable (internal error: ${(e as Error)?.message ?? String(e)}); its skin setting is ignored` }] };
  }
  return { ...r, problems: r.problems.map(safeProblem) };
}

function readSkinSettingsText(text: string, file: string, kind: SkinConfigKind, context?: string): SkinSettings {
  const problems: SkinProblem[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, merge: true, uniqueKeys: false, prettyErrors: false });
  const lineOf = (n: unknown): number | undefined => {
    const off = (n as YNode | null | undefined)?.range?.[0];
    return off === undefined ? undefined : lc.linePos(off).line;
  };
  if (doc.errors.length) {
    const err = doc.errors[0];
    const off = err.pos?.[0];
    problems.push({ file, line: off === undefined ? undefined : lc.linePos(off).line, message: `config is not valid YAML (${safeText(err.message.split('\n')[0], 300)}); its skin setting is ignored` });
    return { problems };
  }
  reportDangling(doc, (off, message) => problems.push({ file, line: off === undefined ? undefined : lc.linePos(off).line, message }));
  const root = deref(doc, doc.contents);
  if (isNothing(root)) return { problems };
  if (!isMap(root)) {
    problems.push({ file, line: lineOf(root), message: `config is not a mapping (found ${kindOf(root)}); its skin setting is ignored` });
    return { problems };
  }
  /** The skin name at `path`, reporting the first node on the way that has the wrong type. */
  const at = (path: string[]): string | undefined => {
    let cur: unknown = root;
    for (let i = 0; i < path.length; i++) {
      const e = entriesOf(doc, cur).filter((x) => x.key === path[i]).at(-1);
      if (!e) return undefined;
      const v = deref(doc, e.value);
      const key = path.slice(0, i + 1).join('.');
      if (isNothing(v)) return undefined;
      const last = i === path.length - 1;
      if (!last && !isMap(v)) {
        problems.push({ file, line: lineOf(e.keyNode), key, message: `expected a mapping, found ${kindOf(v)}; the skin setting under it is ignored` });
        return undefined;
      }
      if (last) {
        const name = isScalar(v) ? scalarName(v) : undefined;
        if (name === undefined) problems.push({ file, line: lineOf(e.keyNode), key, message: `expected a skin name, found ${kindOf(v)}; ignored` });
        return name;
      }
      cur = v;
    }
    return undefined;
  };
  const paths = SKIN_PATHS[kind];
  const out: SkinSettings = { problems };
  if (paths.context && context !== undefined) out.context = at(paths.context(context));
  if (paths.global) out.global = at(paths.global);
  return out;
}

function isNothing(n: unknown): boolean {
  return n === null || n === undefined || (isScalar(n) && (n.value === null || n.value === undefined || n.value === ''));
}

/** A skin name as K9s reads it into a string: text, or a number's or boolean's own text. */
function scalarName(n: Scalar): string | undefined {
  const v = n.value;
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return str(typeof n.source === 'string' ? n.source : String(v));
  return undefined;
}

function kindOf(n: unknown): string {
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (isScalar(n)) return quote(n.value);
  return 'nothing';
}

/** A config file's skin settings; a missing file has none. */
function readConfig(file: string, kind: SkinConfigKind, problems: SkinProblem[], context?: string): SkinSettings | undefined {
  const r = readTextFile(file);
  if (!r.ok) {
    if (r.code !== 'ENOENT' && r.code !== 'ENOTDIR') problems.push({ file, message: `config ${r.message}; its skin setting is ignored` });
    return undefined;
  }
  const s = readSkinSettings(r.text, file, kind, context);
  problems.push(...s.problems);
  return s;
}

export function kmuxConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(kmuxConfigDir(env), 'config.yaml');
}

/** K9s's per-context config files that may hold the context's skin, most specific first. */
function k9sContextFiles(env: NodeJS.ProcessEnv, context: string, cluster?: string): string[] {
  const root = k9sClustersDir(env);
  const ctxDirs = [...new Set([sanitize(context), context])];
  const out: string[] = [];
  if (cluster) {
    for (const cl of new Set([sanitize(cluster), cluster])) for (const cx of ctxDirs) out.push(join(root, cl, cx, 'config.yaml'));
  } else {
    let clusters: string[] = [];
    try {
      clusters = readdirSync(root).sort();
    } catch {
      // no K9s data
    }
    for (const cl of clusters) for (const cx of ctxDirs) out.push(join(root, cl, cx, 'config.yaml'));
  }
  return [...new Set(out)];
}

/** Which skin applies, and why. */
export function resolveSkinName(opts: ResolveOptions = {}): SkinChoice {
  const env = opts.env ?? process.env;
  const problems: SkinProblem[] = [];
  const flag = str(opts.flag);
  if (flag) return { name: flag, from: 'flag', problems };
  const kmuxEnv = str(env.KMUX_SKIN);
  if (kmuxEnv) return { name: kmuxEnv, from: 'KMUX_SKIN', problems };
  const k9sEnv = str(env.K9S_SKIN);
  if (k9sEnv) return { name: k9sEnv, from: 'K9S_SKIN', problems };

  const kmuxFile = kmuxConfigFile(env);
  const kmuxCfg = readConfig(kmuxFile, 'kmux', problems, opts.context);
  if (opts.context) {
    const own = kmuxCfg?.context;
    if (own) return { name: own, from: 'context', file: kmuxFile, problems };
    for (const f of k9sContextFiles(env, opts.context, opts.cluster)) {
      if (!existsSync(f)) continue;
      const skin = readConfig(f, 'k9s-context', problems, opts.context)?.context;
      if (skin) return { name: skin, from: 'context', file: f, problems };
    }
  }
  const global = kmuxCfg?.global;
  if (global) return { name: global, from: 'global', file: kmuxFile, problems };
  const k9sFile = join(k9sConfigDir(env), 'config.yaml');
  const k9sGlobal = readConfig(k9sFile, 'k9s', problems)?.global;
  if (k9sGlobal) return { name: k9sGlobal, from: 'global', file: k9sFile, problems };
  return { from: 'stock', problems };
}

export interface ThemeLoad {
  theme: Theme;
  problems: SkinProblem[];
  /** the skin file in use (also when it had problems: watch it, a fix applies live). */
  file?: string;
}

function looksLikePath(name: string): boolean {
  return name.includes('/') || name.includes('\\') || /\.ya?ml$/i.test(name);
}

/**
 * The theme for a skin name (undefined = stock). A name with a slash or a .yaml/.yml ending is
 * taken as a file path. An unknown name gives the stock theme and a problem listing where kmux
 * looked and which skins exist.
 */
export function loadTheme(name: string | undefined, env: NodeJS.ProcessEnv = process.env): ThemeLoad {
  if (name === undefined || name.trim() === '') return { theme: stockTheme(), problems: [] };
  const n = name.trim();
  if (looksLikePath(n)) {
    const file = isAbsolute(n) ? n : resolve(n);
    return { ...loadSkinFile(file), file };
  }
  const skins = listSkins(env);
  const hit = skins.find((s) => s.name === n) ?? skins.find((s) => s.name.toLowerCase() === n.toLowerCase());
  if (hit) return { ...loadSkinFile(hit.file), file: hit.file };
  const known = skins.map((s) => s.name);
  return {
    theme: stockTheme(),
    problems: [safeProblem({
      file: `${n}.yaml`,
      message: `skin ${safeText(n, 100)} not found in ${skinDirs(env).join(', ')}${known.length ? ` (available: ${known.join(', ')})` : ''}; using the stock skin`,
    })],
  };
}

export interface SelectedTheme extends ThemeLoad {
  choice: SkinChoice;
}

/** resolveSkinName + loadTheme: the theme one context (or the whole UI, without a context) uses. */
export function selectTheme(opts: ResolveOptions = {}): SelectedTheme {
  const env = opts.env ?? process.env;
  const choice = resolveSkinName({ ...opts, env });
  const load = loadTheme(choice.name, env);
  return { ...load, problems: [...choice.problems, ...load.problems], choice };
}

/**
 * Call onChange (debounced, ~150 ms) whenever the file's content changes: written in place,
 * replaced by rename (editors' safe-save), deleted, or created. Watches the directory, so a
 * replaced file keeps being watched. Returns a function that stops watching. Never throws.
 */
export function watchSkin(file: string, onChange: () => void, debounceMs = 150): () => void {
  const dir = dirname(resolve(file));
  const base = basename(file);
  // readTextFile, not readFileSync: a FIFO put in the skin's place must not block the UI, nor /dev/zero fill memory
  const read = (): string | null => {
    const r = readTextFile(file);
    return r.ok ? r.text : r.code === 'ENOENT' ? null : `\u0000${r.code}`;
  };
  let last = read();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const fire = () => {
    timer = undefined;
    if (closed) return;
    const now = read();
    if (now === last) return;
    last = now;
    try {
      onChange();
    } catch {
      // a listener's failure is not the watcher's
    }
  };
  const poke = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (name === null || name === undefined || String(name) === base) poke();
    });
    watcher.on('error', () => {});
  } catch {
    watcher = undefined;
  }
  // A slow poll as a safety net (network file systems, a dir that is itself replaced).
  const poll = setInterval(poke, 1000);
  poll.unref();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    clearInterval(poll);
    watcher?.close();
  };
}
