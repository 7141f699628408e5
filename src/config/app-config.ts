/**
 * K9s's `config.yaml` and kmux's, read into one set of settings.
 *
 * Files, later wins for a key both set:
 * - K9s's `$K9S_CONFIG_DIR/config.yaml` (else `$XDG_CONFIG_HOME/k9s/config.yaml`), keys under `k9s:`;
 * - kmux's `$XDG_CONFIG_HOME/kmux/config.yaml`: the same keys at the top level (no `k9s:`),
 *   and per context `contexts: {NAME: {namespace: {active, favorites}, view: {active}, skin, readOnly}}`;
 * - per context, K9s's `clusters/<cluster>/<context>/config.yaml` (under `$K9S_CONFIG_DIR`, else
 *   `$XDG_DATA_HOME/k9s`), keys under `k9s:`; kmux's own `contexts.NAME` wins over it.
 *
 * `readOnly` and the skin keys are decided by `readonly.ts` and `theme/select.ts`: here they are
 * only known (not reported). Every other key K9s knows and kmux does not use is reported as
 * ignored with the reason; a key K9s does not know either is reported as unknown. A value of
 * the wrong type is reported and its default kept. Never throws.
 */
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YNode } from 'yaml';
import { k9sClustersRoot, k9sConfigDir, k9sContextDir, kmuxConfigDir } from './paths.js';
import { formatLoadProblem, quote, readTextFile, safeProblem, safeText } from './untrusted.js';
import { deref, entriesOf, reportDangling } from './yaml-nodes.js';

/** Only what a file set: kmux's own defaults (200 lines asked for, 5,000 kept) stand for the rest. */
export interface LoggerConfig {
  /** lines asked for when logs open (at most 5,000) */
  tail?: number;
  /** lines kept (at most 5,000) */
  buffer?: number;
  /** seconds back when logs open; -1: the last `tail` lines */
  sinceSeconds?: number;
  textWrap?: boolean;
  showTime?: boolean;
  disableAutoscroll?: boolean;
}

export interface AppConfig {
  noExitOnCtrlC: boolean;
  /** the view kmux opens on (a `:` command), unless -c says otherwise */
  defaultView?: string;
  ui: { headless: boolean; logoless: boolean; crumbsless: boolean; noIcons: boolean; reactive: boolean };
  /** seconds between metrics polls (CPU, MEM); undefined: kmux's own 15 s */
  refreshRate?: number;
  logger: LoggerConfig;
}

export interface ContextConfig {
  /** the namespace to open in ('' = all namespaces) */
  namespace?: string;
  favorites?: string[];
  /** the view to open on */
  view?: string;
  /** which file said each of the above */
  from: { namespace?: string; favorites?: string; view?: string };
}

export interface ConfigProblem {
  file: string;
  line?: number;
  key?: string;
  message: string;
}

export interface ConfigLoad {
  config: AppConfig;
  /** the files that were read (for watching) */
  files: string[];
  problems: ConfigProblem[];
  /** a context's own settings (its K9s file read on first ask); its problems are appended to `problems` */
  context(name: string, cluster?: string): ContextConfig;
}

export const K9S_LOG_MAX = 5000;

export function defaultConfig(): AppConfig {
  return {
    noExitOnCtrlC: false,
    ui: { headless: false, logoless: false, crumbsless: false, noIcons: false, reactive: false },
    logger: {},
  };
}

/** A K9s setting kmux knows and does not use (not a mistake in the file). */
export function isIgnoredKey(p: ConfigProblem): boolean {
  return p.message.startsWith('ignored: ');
}

export function formatConfigProblem(p: ConfigProblem): string {
  return formatLoadProblem(p);
}

// ---------------------------------------------------------------- what each key is

type Leaf = 'bool' | 'int' | 'number' | 'string' | 'strings';
/** a key kmux uses (its type), one decided elsewhere ('known'), one it ignores (the reason), or a section */
type Spec = { use: Leaf } | { known: true } | { ignored: string } | { section: Record<string, Spec> };

const use = (t: Leaf): Spec => ({ use: t });
const known: Spec = { known: true };
const ignored = (why: string): Spec => ({ ignored: why });

/** the keys under K9s's `k9s:` (kmux's config.yaml: at its top level) */
const GLOBAL: Record<string, Spec> = {
  readOnly: known,
  noExitOnCtrlC: use('bool'),
  defaultView: use('string'),
  refreshRate: use('number'),
  maxConnRetry: ignored('kmux never gives up on a context: it retries with backoff and shows the context as unreachable until it answers'),
  liveViewAutoRefresh: ignored('describe and YAML views are read once; ctrl-r reads them again'),
  gpuVendors: ignored('kmux shows no GPU columns'),
  screenDumpDir: ignored('kmux saves logs (ctrl-s) in its own state directory'),
  apiServerTimeout: ignored('kmux sets its own timeouts per request (15 s) and keeps watches open'),
  portForwardAddress: ignored('port-forwards listen on 127.0.0.1'),
  skipLatestRevCheck: known, // kmux never checks for a newer release: nothing to skip
  disablePodCounting: ignored('the nodes view counts pods from the pods kmux already watches'),
  shellPod: ignored('kmux has no node shell: the shell key opens a shell in a pod\'s container with kubectl exec'),
  imageScans: ignored('kmux does not scan images'),
  thresholds: ignored('kmux does not color CPU and memory by thresholds'),
  ui: {
    section: {
      headless: use('bool'),
      logoless: use('bool'),
      crumbsless: use('bool'),
      noIcons: use('bool'), // kmux draws no icons: true or false, the screen is the same
      reactive: use('bool'),
      skin: known,
      splashless: known, // kmux shows no splash screen
      enableMouse: ignored('kmux takes no mouse input'),
      defaultsToFullScreen: ignored('kmux\'s logs, describe and YAML always fill the view'),
      useFullGVRTitle: ignored('titles name the resource as typed'),
      invert: ignored('skins are used as written'),
    },
  },
  logger: {
    section: {
      tail: use('int'),
      buffer: use('int'),
      sinceSeconds: use('int'),
      textWrap: use('bool'),
      showTime: use('bool'),
      disableAutoscroll: use('bool'),
      columnLock: ignored('kmux\'s logs have no column lock'),
      logBufferSize: ignored('log lines are read as they come, without a channel buffer to size'),
    },
  },
};

/** the keys of a context: K9s's per-context `k9s:`, kmux's `contexts.NAME` */
const CONTEXT: Record<string, Spec> = {
  cluster: known, // K9s writes it for itself
  readOnly: known,
  skin: known,
  proxy: ignored('kmux uses the kubeconfig\'s proxy-url and the HTTPS_PROXY environment variable'),
  featureGates: ignored('kmux has no node shell'),
  namespace: {
    section: {
      active: use('string'),
      favorites: use('strings'),
      lockFavorites: ignored('kmux keeps the favorites the file names first, then the ones used most recently'),
    },
  },
  view: { section: { active: use('string') } },
};

/** kmux's config.yaml: the global keys, its skin, and its contexts */
const KMUX: Record<string, Spec> = { ...GLOBAL, skin: known, contexts: known };

// ---------------------------------------------------------------- reading

type Values = Map<string, { value: unknown; file: string }>;

interface Parsed {
  values: Values;
  /** kmux's contexts.NAME sections, by name */
  contexts?: Map<string, Values>;
}

function kindOf(n: unknown): string {
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (isScalar(n)) return quote(n.value);
  return 'nothing';
}

function isEmpty(n: unknown): boolean {
  return n === null || n === undefined || (isScalar(n) && (n.value === null || n.value === ''));
}

const TYPE_WORDS: Record<Leaf, string> = { bool: 'true or false', int: 'a whole number', number: 'a number', string: 'text', strings: 'a list of names' };

/**
 * One config file's text: the values of the keys kmux uses (by dotted path), problems for the
 * rest. `wrapped`: the keys are under `k9s:` (K9s's files). Never throws.
 */
export function parseConfigText(text: string, file: string, kind: 'k9s' | 'kmux' | 'k9s-context', problems: ConfigProblem[]): Parsed {
  const mine: ConfigProblem[] = [];
  let out: Parsed;
  try {
    out = parse1(text, file, kind, mine);
  } catch (e) {
    // a last resort: every path below is meant to report, never to throw
    out = { values: new Map() };
    mine.push({ file, message: `not usable (internal error: ${(e as Error)?.message ?? String(e)}); its settings are ignored` });
  }
  for (const p of mine.slice(0, 50)) problems.push(safeProblem(p));
  if (mine.length > 50) problems.push({ file, message: `and ${mine.length - 50} more problems` });
  return out;
}

function parse1(text: string, file: string, kind: 'k9s' | 'kmux' | 'k9s-context', problems: ConfigProblem[]): Parsed {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, merge: true });
  const lineOf = (n: unknown): number | undefined => {
    const off = (n as YNode | null | undefined)?.range?.[0];
    return off === undefined ? undefined : lc.linePos(off).line;
  };
  const values: Values = new Map();
  if (doc.errors.length) {
    const err = doc.errors[0];
    const off = err.pos?.[0];
    problems.push({ file, line: off === undefined ? undefined : lc.linePos(off).line, message: `not valid YAML (${safeText(err.message.split('\n')[0], 300)}); its settings are ignored` });
    return { values };
  }
  reportDangling(doc, (off, message) => problems.push({ file, line: off === undefined ? undefined : lc.linePos(off).line, message }));
  let root = deref(doc, doc.contents);
  if (isEmpty(root)) return { values };
  if (!isMap(root)) {
    problems.push({ file, line: lineOf(root), message: `expected a mapping, found ${kindOf(root)}; its settings are ignored` });
    return { values };
  }
  let prefix = '';
  if (kind !== 'kmux') {
    const top = entriesOf(doc, root);
    const k9s = top.filter((e) => e.key === 'k9s').at(-1);
    for (const e of top) if (e.key !== 'k9s') problems.push({ file, line: lineOf(e.keyNode), key: e.key, message: 'unknown top-level key (K9s\'s settings go under k9s:); ignored' });
    if (!k9s) return { values };
    root = deref(doc, k9s.value);
    if (isEmpty(root)) return { values };
    if (!isMap(root)) {
      problems.push({ file, line: lineOf(k9s.keyNode), key: 'k9s', message: `expected a mapping, found ${kindOf(root)}; its settings are ignored` });
      return { values };
    }
    prefix = 'k9s.';
  }
  const walk = (map: unknown, spec: Record<string, Spec>, path: string, into: Values, shown: string): void => {
    for (const e of entriesOf(doc, map)) {
      const s = Object.hasOwn(spec, e.key) ? spec[e.key] : undefined;
      const key = `${shown}${e.key}`;
      const line = lineOf(e.keyNode);
      const v = deref(doc, e.value);
      if (!s) {
        problems.push({ file, line, key, message: `unknown key (not a ${kind === 'kmux' ? 'kmux or ' : ''}K9s setting); ignored` });
        continue;
      }
      if ('known' in s) continue;
      if ('ignored' in s) {
        problems.push({ file, line, key, message: `ignored: ${s.ignored}` });
        continue;
      }
      if ('section' in s) {
        if (isEmpty(v)) continue;
        if (!isMap(v)) problems.push({ file, line, key, message: `expected a mapping, found ${kindOf(v)}; ignored` });
        else walk(v, s.section, `${path}${e.key}.`, into, `${key}.`);
        continue;
      }
      if (isEmpty(v) && s.use !== 'string') continue;
      const value = leaf(s.use, v);
      if (value === undefined) problems.push({ file, line, key, message: `expected ${TYPE_WORDS[s.use]}, found ${kindOf(v)}; ignored` });
      else into.set(`${path}${e.key}`, { value, file });
    }
  };
  if (kind === 'k9s-context') {
    walk(root, CONTEXT, '', values, prefix);
    return { values };
  }
  walk(root, kind === 'kmux' ? KMUX : GLOBAL, '', values, prefix);
  if (kind !== 'kmux') return { values };
  // kmux's per-context sections
  const contexts = new Map<string, Values>();
  const ce = entriesOf(doc, root).filter((e) => e.key === 'contexts').at(-1);
  const cmap = ce ? deref(doc, ce.value) : undefined;
  if (ce && !isEmpty(cmap) && !isMap(cmap)) problems.push({ file, line: lineOf(ce.keyNode), key: 'contexts', message: `expected a mapping of context name -> settings, found ${kindOf(cmap)}; ignored` });
  else if (ce) {
    for (const e of entriesOf(doc, cmap)) {
      const body = deref(doc, e.value);
      if (isEmpty(body)) continue;
      if (!isMap(body)) {
        problems.push({ file, line: lineOf(e.keyNode), key: `contexts.${e.key}`, message: `expected a mapping, found ${kindOf(body)}; ignored` });
        continue;
      }
      const into: Values = new Map();
      walk(body, CONTEXT, '', into, `contexts.${e.key}.`);
      contexts.set(e.key, into);
    }
  }
  return { values, contexts };
}

function leaf(t: Leaf, n: unknown): unknown {
  const v = isScalar(n) ? n.value : undefined;
  switch (t) {
    case 'bool':
      return typeof v === 'boolean' ? v : undefined;
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    case 'string':
      if (isEmpty(n)) return '';
      return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : undefined;
    case 'strings':
      if (!isSeq(n)) return undefined;
      {
        const items = n.items.map((x) => (isScalar(x) ? x.value : undefined));
        if (!items.every((x) => typeof x === 'string' && x.trim() !== '')) return undefined;
        return (items as string[]).map((s) => s.trim());
      }
  }
}

function readFile(file: string, kind: 'k9s' | 'kmux' | 'k9s-context', problems: ConfigProblem[]): Parsed | undefined {
  const r = readTextFile(file);
  if (!r.ok) {
    if (r.code !== 'ENOENT' && r.code !== 'ENOTDIR') problems.push({ file, message: `${r.message}; its settings are ignored` });
    return undefined;
  }
  return parseConfigText(r.text, file, kind, problems);
}

/** The settings of the values read (later files' values already won). Values out of range are reported and brought in range. */
function settle(values: Values, problems: ConfigProblem[]): AppConfig {
  const c = defaultConfig();
  const get = <T>(k: string): { value: T; file: string } | undefined => values.get(k) as { value: T; file: string } | undefined;
  const bool = (k: string, set: (b: boolean) => void) => {
    const v = get<boolean>(k);
    if (v) set(v.value);
  };
  bool('noExitOnCtrlC', (b) => (c.noExitOnCtrlC = b));
  for (const k of ['headless', 'logoless', 'crumbsless', 'noIcons', 'reactive'] as const) bool(`ui.${k}`, (b) => (c.ui[k] = b));
  bool('logger.textWrap', (b) => (c.logger.textWrap = b));
  bool('logger.showTime', (b) => (c.logger.showTime = b));
  bool('logger.disableAutoscroll', (b) => (c.logger.disableAutoscroll = b));
  const dv = get<string>('defaultView');
  if (dv?.value) c.defaultView = dv.value;
  const rr = get<number>('refreshRate');
  if (rr) {
    // K9s's floor: metrics more often than every 2 s would only load the API server
    if (rr.value < 2) problems.push({ file: rr.file, key: 'refreshRate', message: `${rr.value} is below the minimum of 2 seconds; using 2` });
    c.refreshRate = Math.max(2, rr.value);
  }
  const tail = get<number>('logger.tail');
  if (tail) {
    // K9s: 0 or less is its default (100 lines)
    if (tail.value <= 0) problems.push({ file: tail.file, key: 'logger.tail', message: `${tail.value} is not a line count; using 100` });
    else if (tail.value > K9S_LOG_MAX) problems.push({ file: tail.file, key: 'logger.tail', message: `${tail.value} is over the most kept (${K9S_LOG_MAX}); using ${K9S_LOG_MAX}` });
    c.logger.tail = tail.value <= 0 ? 100 : Math.min(K9S_LOG_MAX, tail.value);
  }
  const buffer = get<number>('logger.buffer');
  if (buffer) {
    const bad = buffer.value <= 0 || buffer.value > K9S_LOG_MAX;
    if (bad) problems.push({ file: buffer.file, key: 'logger.buffer', message: `${buffer.value} is not between 1 and ${K9S_LOG_MAX}; using ${K9S_LOG_MAX}` });
    c.logger.buffer = bad ? K9S_LOG_MAX : buffer.value;
  }
  const since = get<number>('logger.sinceSeconds');
  // K9s: 0 or less is "the last tail lines"
  if (since) c.logger.sinceSeconds = since.value > 0 ? since.value : -1;
  return c;
}

export function k9sContextConfigFiles(env: NodeJS.ProcessEnv, context: string, cluster: string): string[] {
  return [...new Set([join(k9sContextDir(env, context, cluster), 'config.yaml'), join(k9sClustersRoot(env), cluster, context, 'config.yaml')])];
}

/** K9s's config.yaml, then kmux's (kmux's wins for a key both set). Never throws. */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): ConfigLoad {
  const problems: ConfigProblem[] = [];
  const k9sFile = join(k9sConfigDir(env), 'config.yaml');
  const kmuxFile = join(kmuxConfigDir(env), 'config.yaml');
  const k9s = readFile(k9sFile, 'k9s', problems);
  const kmux = readFile(kmuxFile, 'kmux', problems);
  const values: Values = new Map([...(k9s?.values ?? []), ...(kmux?.values ?? [])]);
  const config = settle(values, problems);
  const files = [k9sFile, kmuxFile];
  const cache = new Map<string, ContextConfig>();
  const context = (name: string, cluster?: string): ContextConfig => {
    const id = `${name}\u0000${cluster ?? ''}`;
    const hit = cache.get(id);
    if (hit) return hit;
    const merged: Values = new Map();
    if (cluster) {
      for (const f of k9sContextConfigFiles(env, name, cluster)) {
        const p = readFile(f, 'k9s-context', problems);
        if (p) {
          for (const [k, v] of p.values) merged.set(k, v);
          break; // the sanitized path is K9s's; the raw one only for names that need no cleaning
        }
      }
    }
    for (const [k, v] of kmux?.contexts?.get(name) ?? []) merged.set(k, v);
    const out: ContextConfig = { from: {} };
    const ns = merged.get('namespace.active');
    if (ns && typeof ns.value === 'string' && ns.value) {
      // K9s writes "all" for every namespace (and nothing for its default)
      out.namespace = ns.value === 'all' ? '' : ns.value;
      out.from.namespace = ns.file;
    }
    const fav = merged.get('namespace.favorites');
    if (fav) {
      out.favorites = (fav.value as string[]).filter((f) => f !== 'all');
      out.from.favorites = fav.file;
    }
    const view = merged.get('view.active');
    if (view && typeof view.value === 'string' && view.value) {
      out.view = view.value;
      out.from.view = view.file;
    }
    cache.set(id, out);
    return out;
  };
  return { config, files, problems, context };
}

/**
 * Where kmux opens, from every place that may say (first wins):
 * - the namespace: -A, -n, kmux's memory of the context (state.json), the context's config
 *   (kmux's contexts.NAME, else K9s's per-context namespace.active), the kubeconfig's namespace,
 *   `default` (the demo: every namespace). undefined = all namespaces.
 * - the view: -c, config.yaml's defaultView (K9s lets it win over what it remembers), kmux's
 *   memory, the context's view.active, pods.
 */
export function startPoint(o: {
  flags: { allNamespaces?: boolean; namespace?: string; command?: string };
  memory: { view?: string; namespace?: string };
  context: ContextConfig;
  defaultView?: string;
  kubeconfigNamespace?: string;
  demo?: boolean;
}): { namespace: string | undefined; view: string } {
  const remembered = o.memory.namespace ?? o.context.namespace;
  const namespace = o.flags.allNamespaces ? undefined
    : o.flags.namespace ?? (remembered !== undefined ? remembered || undefined : o.demo ? undefined : o.kubeconfigNamespace ?? 'default');
  const view = o.flags.command ?? o.defaultView ?? o.memory.view ?? o.context.view ?? 'pods';
  return { namespace, view };
}
