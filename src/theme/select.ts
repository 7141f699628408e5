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
import { existsSync, readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { k9sConfigDir, kmuxConfigDir } from '../config/paths.js';
import { loadSkinFile, stockTheme, type SkinProblem } from './skin.js';
import type { Theme } from './theme.js';

/** The skins shipped with kmux (skins/ at the package root). */
export const SHIPPED_SKINS_DIR = fileURLToPath(new URL('../../skins/', import.meta.url)).replace(/[\\/]$/, '');

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

function readConfig(file: string, problems: SkinProblem[]): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') problems.push({ file, message: `config not readable (${(e as Error).message}); its skin setting is ignored` });
    return undefined;
  }
  try {
    const v = parseYaml(text, { merge: true });
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch (e) {
    const err = e as Error & { linePos?: { line: number }[] };
    problems.push({ file, line: err.linePos?.[0]?.line, message: `config is not valid YAML (${err.message.split('\n')[0]}); its skin setting is ignored` });
    return undefined;
  }
}

function get(o: unknown, ...path: string[]): unknown {
  let cur = o;
  for (const p of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
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
  const kmuxCfg = readConfig(kmuxFile, problems);
  if (opts.context) {
    const own = str(get(kmuxCfg, 'contexts', opts.context, 'skin'));
    if (own) return { name: own, from: 'context', file: kmuxFile, problems };
    for (const f of k9sContextFiles(env, opts.context, opts.cluster)) {
      if (!existsSync(f)) continue;
      const skin = str(get(readConfig(f, problems), 'k9s', 'skin'));
      if (skin) return { name: skin, from: 'context', file: f, problems };
    }
  }
  const global = str(get(kmuxCfg, 'skin'));
  if (global) return { name: global, from: 'global', file: kmuxFile, problems };
  const k9sFile = join(k9sConfigDir(env), 'config.yaml');
  const k9sGlobal = str(get(readConfig(k9sFile, problems), 'k9s', 'ui', 'skin'));
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
    problems: [{
      file: `${n}.yaml`,
      message: `skin ${n} not found in ${skinDirs(env).join(', ')}${known.length ? ` (available: ${known.join(', ')})` : ''}; using the stock skin`,
    }],
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
  const read = (): string | null => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return null;
    }
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
