/**
 * Plugin files in K9s's format: where they are, what they hold, and what is wrong with them.
 * Nothing here throws for a bad file: every problem is returned with its file and line, and
 * kmux starts with whatever loaded.
 *
 * Load order (a later file replaces a plugin of the same name, and wins a key clash):
 *   1. kmux's shipped examples (shippedDir/*.yaml): only the ones not marked dangerous
 *   2. K9s: $XDG_DATA_DIRS/k9s/plugins/, $K9S_CONFIG_DIR|$XDG_CONFIG_HOME/k9s/plugins.yaml,
 *      $XDG_DATA_HOME/k9s/plugins/, $XDG_CONFIG_HOME/k9s/plugins/
 *   3. kmux: $XDG_CONFIG_HOME/kmux/plugins.yaml, then $XDG_CONFIG_HOME/kmux/plugins/
 * A plugins/ directory is read whole, sub-folders too (as K9s walks it).
 *   4. the context's own: $XDG_DATA_HOME/k9s/clusters/<cluster>/<context>/plugins.yaml, then
 *      $XDG_CONFIG_HOME/kmux/clusters/<context>/plugins.yaml
 * Each file may have any of K9s's three shapes: `plugins:` map of name -> plugin; a single
 * plugin (named after the file); a bare map of name -> plugin.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import type { Document, Node } from 'yaml';
import { k9sConfigDir, kmuxConfigDir, xdgConfigHome } from '../config/paths.js';
import { quote, readTextFile, safeProblem, safeText } from '../config/untrusted.js';
import { formatKey, k9sKeyName, keyCaveat, keyId, matchesKey, parseKey, sameKey, type KeySpec } from './keys.js';
import { splitWords } from './vars.js';
import { flagOf, isMap, isNull, isScalar, isSeq, mapEntries, readYaml, scalarText, type Entry, type PluginProblem, type YamlFile } from './yamlfile.js';

export type { PluginProblem, ProblemKind } from './yamlfile.js';
export { formatProblem } from './yamlfile.js';

export type InputType = 'string' | 'number' | 'bool' | 'dropdown';

export interface PluginInput {
  name: string;
  label: string;
  type: InputType;
  required: boolean;
  default?: string | number | boolean;
  /** dropdown choices */
  options: string[];
  /** the variable the value is exposed as: INPUT_<NAME> */
  varName: string;
}

export type PluginOrigin = 'shipped' | 'k9s' | 'kmux' | 'context';

export interface Plugin {
  name: string;
  shortCut: KeySpec;
  /** the shortCut as written in the file */
  shortCutText: string;
  description: string;
  /** lower-cased as written: resource names, short names, aliases, or 'all' */
  scopes: string[];
  command: string;
  args: string[];
  background: boolean;
  confirm: boolean;
  dangerous: boolean;
  override: boolean;
  overwriteOutput: boolean;
  inputs: PluginInput[];
  /** further pipeline stages, each an argument vector */
  pipes: string[][];
  source: string;
  line: number;
  origin: PluginOrigin;
  /** scopes (as written in `scopes`, or canonical view names) where a built-in key keeps the plugin off its key */
  unboundScopes: string[];
  /** position in load order: the higher wins a key */
  order: number;
}

export interface SkippedPlugin {
  name: string;
  file: string;
  line: number;
  reason: string;
}

export interface LoadResult {
  plugins: Plugin[];
  problems: PluginProblem[];
  /** every file read, in load order; shipped files note the dangerous examples left out */
  sources: string[];
  skipped: SkippedPlugin[];
}

export interface BuiltinKey extends KeySpec {
  /** what the key does, for messages: 'logs' */
  label?: string;
  /** a key K9s leaves to plugins (moving keys): taken without override, with a note */
  soft?: boolean;
}

/** Views with keys of their own that are not table views: 'all' in builtinKeys is not about them. */
const LIST_VIEWS = new Set(['containers', 'helm']);

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  context?: string;
  cluster?: string;
  shippedDir: string;
  /**
   * Built-in keys active in a scope ('pods', 'nodes'... and 'all' for keys of every view).
   * A plugin taking one without `override: true` is reported and not bound there.
   */
  builtinKeys?: (scope: string) => BuiltinKey[];
  /** scopes with keys of their own, checked for plugins scoped 'all' (e.g. pods' `l`) */
  builtinScopes?: string[];
  /** map a scope name to its canonical view name (po -> pods); defaults to canonicalScope */
  canonical?: (scope: string) => string;
}

const FIELDS = ['shortCut', 'description', 'scopes', 'command', 'args', 'background', 'confirm', 'dangerous', 'override', 'overwriteOutput', 'inputs', 'pipes'] as const;
const FIELD_BY_LOWER = new Map(FIELDS.map((f) => [f.toLowerCase(), f]));
const INPUT_FIELDS = ['name', 'label', 'type', 'required', 'default', 'options'];
const MAX_INPUTS = 5;
/** How many earlier plugins a key clash names, per plugin. */
const MAX_CLASHES = 5;

// ---------------------------------------------------------------------------------------
// Scopes

const SCOPE_ALIASES: Record<string, string> = {
  po: 'pods', pod: 'pods', dp: 'deployments', deploy: 'deployments', deployment: 'deployments',
  no: 'nodes', node: 'nodes', svc: 'services', service: 'services', ns: 'namespaces', namespace: 'namespaces',
  cm: 'configmaps', configmap: 'configmaps', sec: 'secrets', secret: 'secrets', sts: 'statefulsets',
  statefulset: 'statefulsets', ds: 'daemonsets', daemonset: 'daemonsets', rs: 'replicasets', replicaset: 'replicasets',
  job: 'jobs', jo: 'jobs', cj: 'cronjobs', cronjob: 'cronjobs', pvc: 'persistentvolumeclaims',
  persistentvolumeclaim: 'persistentvolumeclaims', pv: 'persistentvolumes', persistentvolume: 'persistentvolumes',
  ev: 'events', event: 'events', pdb: 'poddisruptionbudgets', poddisruptionbudget: 'poddisruptionbudgets',
  ing: 'ingresses', ingress: 'ingresses', sa: 'serviceaccounts', serviceaccount: 'serviceaccounts',
  co: 'containers', container: 'containers', ctx: 'contexts', context: 'contexts', crd: 'customresourcedefinitions',
  customresourcedefinition: 'customresourcedefinitions', ep: 'endpoints', hpa: 'horizontalpodautoscalers',
  horizontalpodautoscaler: 'horizontalpodautoscalers', netpol: 'networkpolicies', np: 'networkpolicies',
  networkpolicy: 'networkpolicies', sc: 'storageclasses', storageclass: 'storageclasses', role: 'roles', ro: 'roles',
  rb: 'rolebindings', rolebinding: 'rolebindings', cr: 'clusterroles', clusterrole: 'clusterroles',
  crb: 'clusterrolebindings', clusterrolebinding: 'clusterrolebindings',
};

/** The canonical view name of a built-in scope (po, pod, Pod -> pods); other names as they are. */
export function canonicalScope(scope: string): string {
  const s = scope.trim().toLowerCase();
  return SCOPE_ALIASES[s] ?? s;
}

/**
 * Every name a view answers to, for matching plugin scopes: plural, singular, short names,
 * kind, plural.group, K9s's group/version/plural (`apps/v1/deployments`, `v1/pods`), and the
 * user's aliases that open it (`pp: pods @prod` or K9s's `pp: v1/pods` count for pods).
 */
export function scopeNames(
  r: { plural: string; singular?: string; kind?: string; shortNames?: string[]; group?: string; version?: string },
  aliases: Record<string, string> = {},
): string[] {
  const names = new Set<string>([r.plural, r.singular ?? '', r.kind ?? '', ...(r.shortNames ?? [])].map((s) => s.toLowerCase()).filter(Boolean));
  if (r.group) names.add(`${r.plural}.${r.group}`.toLowerCase());
  if (r.version) names.add(`${r.group ? `${r.group}/` : ''}${r.version}/${r.plural}`.toLowerCase());
  for (const [alias, target] of Object.entries(aliases)) {
    const head = String(target).trim().split(/\s+/)[0]?.toLowerCase();
    if (head && names.has(head)) names.add(alias.toLowerCase());
  }
  return [...names];
}

function viewNamesOf(scope: string | string[], canonical: (s: string) => string): Set<string> {
  const list = Array.isArray(scope) ? scope : [scope];
  const out = new Set<string>();
  for (const s of list) {
    out.add(s.toLowerCase());
    out.add(canonical(s));
  }
  return out;
}

/** True when the plugin applies to a view known by these names. */
export function inScope(p: Pick<Plugin, 'scopes'>, scope: string | string[], canonical: (s: string) => string = canonicalScope): boolean {
  const names = viewNamesOf(scope, canonical);
  return p.scopes.some((s) => s === 'all' || names.has(s) || names.has(canonical(s)));
}

// ---------------------------------------------------------------------------------------
// Files

export interface PluginFile {
  file: string;
  origin: PluginOrigin;
}

/** How deep and how many entries a plugins/ tree is walked (a symlink loop or a home dir by mistake). */
const MAX_DIR_DEPTH = 16;
const MAX_DIR_ENTRIES = 10_000;

/** The YAML files (.yaml/.yml, as K9s spells them) of one directory, sorted. */
function yamlFilesIn(dir: string): string[] {
  return walkYaml(dir, false);
}

/**
 * The YAML files of a plugins/ tree: K9s walks it whole, sub-folders and symlinks included, in
 * name order, depth first. A directory reached twice (a symlink loop) is read once.
 */
function yamlTreeIn(dir: string): string[] {
  return walkYaml(dir, true);
}

function walkYaml(dir: string, deep: boolean): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let budget = MAX_DIR_ENTRIES;
  const walk = (d: string, depth: number) => {
    let real: string;
    try {
      real = realpathSync(d);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (--budget < 0) return;
      const f = join(d, name);
      let st;
      try {
        st = statSync(f);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (deep && depth < MAX_DIR_DEPTH) walk(f, depth + 1);
      } else if (st.isFile() && /\.ya?ml$/.test(name)) out.push(f);
    }
  };
  walk(dir, 0);
  return out;
}

/** K9s turns ':' and '/' in cluster and context names into '-' for its directories. */
export function sanitizePathPart(name: string): string {
  const s = name.replace(/[:/\\]+/g, '-');
  return s === '.' || s === '..' || s === '' ? s.replace(/\./g, '-') || '-' : s;
}

function xdgDataHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
}

/** K9s's data dir: $K9S_CONFIG_DIR when set, else $XDG_DATA_HOME/k9s. */
function k9sDataDir(env: NodeJS.ProcessEnv): string {
  return env.K9S_CONFIG_DIR || join(xdgDataHome(env), 'k9s');
}

/** The plugin files, in load order (later wins). Files that do not exist are left out. */
export function pluginFiles(o: Pick<LoadOptions, 'env' | 'context' | 'cluster' | 'shippedDir'>): PluginFile[] {
  const env = o.env ?? process.env;
  const out: PluginFile[] = [];
  const seen = new Set<string>();
  const add = (file: string, origin: PluginOrigin) => {
    const abs = resolve(file);
    if (seen.has(abs) || !existsSync(abs)) return;
    try {
      if (!statSync(abs).isFile()) return;
    } catch {
      return;
    }
    seen.add(abs);
    out.push({ file: abs, origin });
  };
  for (const f of yamlFilesIn(o.shippedDir)) add(f, 'shipped');
  // XDG_DATA_DIRS lists the most important first: load it last
  const dataDirs = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':').filter(Boolean).reverse();
  for (const d of dataDirs) for (const f of yamlTreeIn(join(d, 'k9s', 'plugins'))) add(f, 'k9s');
  add(join(k9sConfigDir(env), 'plugins.yaml'), 'k9s');
  for (const f of yamlTreeIn(join(xdgDataHome(env), 'k9s', 'plugins'))) add(f, 'k9s');
  for (const f of yamlTreeIn(join(xdgConfigHome(env), 'k9s', 'plugins'))) add(f, 'k9s');
  for (const f of yamlTreeIn(join(k9sConfigDir(env), 'plugins'))) add(f, 'k9s');
  add(join(kmuxConfigDir(env), 'plugins.yaml'), 'kmux');
  for (const f of yamlTreeIn(join(kmuxConfigDir(env), 'plugins'))) add(f, 'kmux');
  if (o.context) {
    if (o.cluster) add(join(k9sDataDir(env), 'clusters', sanitizePathPart(o.cluster), sanitizePathPart(o.context), 'plugins.yaml'), 'context');
    add(join(kmuxConfigDir(env), 'clusters', sanitizePathPart(o.context), 'plugins.yaml'), 'context');
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// One file

/** A plugin as one file defines it, before load order and key checks. */
export type PluginDefinition = Omit<Plugin, 'order' | 'unboundScopes'>;

function lineOr(y: YamlFile, node: unknown, fallback: number): number {
  return y.lineOf(node) ?? fallback;
}

/** A node for a message: a scalar's text quoted, or what kind of node it is. */
function nodeText(n: Node | null): string {
  if (isMap(n)) return 'a map';
  if (isSeq(n)) return 'a list';
  const t = scalarText(n);
  return t === undefined ? 'empty' : quote(t);
}

function boolField(e: Entry, y: YamlFile, problems: PluginProblem[], where: string): boolean | undefined {
  if (isNull(e.value)) return undefined;
  const flag = flagOf(e.value);
  if (flag) {
    if (flag.note) problems.push({ file: y.file, line: y.lineOf(e.value) ?? y.lineOf(e.keyNode), kind: 'invalid', message: `${where}: ${e.key} is ${flag.note}` });
    return flag.value;
  }
  problems.push({ file: y.file, line: y.lineOf(e.value) ?? y.lineOf(e.keyNode), kind: 'invalid', message: `${where}: ${e.key} must be true or false, not ${nodeText(e.value)}` });
  return undefined;
}

function stringList(node: Node | null, doc: Document.Parsed, y: YamlFile): string[] | string {
  if (isNull(node)) return [];
  if (!isSeq(node)) return 'must be a list';
  const out: string[] = [];
  for (const item of node.items) {
    const n = y.resolve(item, doc);
    const s = scalarText(n);
    if (s === undefined) return `item ${out.length + 1} must be a string or a number, not ${isMap(n) ? 'a map' : isSeq(n) ? 'a list' : 'empty'}`;
    out.push(s);
  }
  return out;
}

/** Validate one plugin definition; undefined when it cannot be used (the reasons are in problems). */
function readPlugin(name: string, body: Node | null, nameNode: unknown, doc: Document.Parsed, y: YamlFile, origin: PluginOrigin, problems: PluginProblem[]): PluginDefinition | undefined {
  const line = lineOr(y, nameNode, 1);
  const where = `plugin ${quote(name)}`;
  const bad = (message: string, node?: unknown) => problems.push({ file: y.file, line: (node ? y.lineOf(node) : undefined) ?? line, kind: 'invalid', message: `${where}: ${message}` });
  const entries = mapEntries(body, doc, y);
  if (!entries) {
    bad(`expected a map of fields (shortCut, description, scopes, command...), found ${isSeq(body) ? 'a list' : isNull(body) ? 'nothing' : 'a scalar'}`);
    return undefined;
  }
  const f = new Map<string, Entry>();
  for (const e of entries) {
    if ((FIELDS as readonly string[]).includes(e.key)) {
      f.set(e.key, e);
      continue;
    }
    const guess = FIELD_BY_LOWER.get(e.key.toLowerCase().replace(/[-_]/g, ''));
    bad(guess ? `unknown field ${quote(e.key)} (did you mean "${guess}"? K9s field names are case-sensitive)` : `unknown field ${quote(e.key)} (ignored)`, e.keyNode);
  }
  let ok = true;
  const str = (field: string, required: boolean): string | undefined => {
    const e = f.get(field);
    if (!e || isNull(e.value)) {
      if (required) {
        bad(`missing ${field}`);
        ok = false;
      }
      return undefined;
    }
    const s = scalarText(e.value);
    if (s === undefined) {
      bad(`${field} must be a string`, e.value);
      ok = false;
    }
    return s;
  };

  // shortCut
  const shortCutText = str('shortCut', true);
  let shortCut: KeySpec | undefined;
  if (shortCutText !== undefined) {
    try {
      shortCut = parseKey(shortCutText);
      const caveat = keyCaveat(shortCut);
      if (caveat) bad(caveat, f.get('shortCut')?.value);
    } catch (e) {
      bad(`bad shortCut: ${(e as Error).message}`, f.get('shortCut')?.value);
      ok = false;
    }
  }
  let description = str('description', false);
  if (description === undefined && f.get('description') === undefined) {
    // K9s requires one; kmux lists the plugin by name instead
    problems.push({ file: y.file, line, kind: 'invalid', message: `${where}: missing description (K9s requires one; kmux shows the name)` });
  }
  description ??= name;
  const command = str('command', true);
  if (command !== undefined && !command.trim()) {
    bad('command is empty', f.get('command')?.value);
    ok = false;
  }

  // scopes: a list of strings; a single string is taken as a list of one
  let scopes: string[] = [];
  const se = f.get('scopes');
  if (!se || isNull(se.value)) {
    bad('missing scopes (a list of resource names, or [all])');
    ok = false;
  } else if (isScalar(se.value)) {
    scopes = [scalarText(se.value) ?? ''];
  } else if (isSeq(se.value)) {
    se.value.items.forEach((item, idx) => {
      const n = y.resolve(item, doc);
      // K9s takes a scalar's text: `no` (YAML 1.1 false) is the nodes short name
      const text = isScalar(n) ? scalarText(n) : undefined;
      if (text === undefined) {
        bad(`scopes item ${idx + 1} must be a resource name (a string), not ${isMap(n) ? 'a map' : isSeq(n) ? 'a list' : 'empty'}`, item);
        ok = false;
      } else {
        scopes.push(text);
      }
    });
  } else {
    bad('scopes must be a list of resource names', se.value);
    ok = false;
  }
  scopes = scopes.map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (se && !isNull(se.value) && scopes.length === 0 && ok) {
    bad('scopes is empty: the plugin would never apply', se.value);
    ok = false;
  }

  // args
  let args: string[] = [];
  const ae = f.get('args');
  if (ae) {
    const a = stringList(ae.value, doc, y);
    if (typeof a === 'string') {
      bad(`args ${a}`, ae.value);
      ok = false;
    } else args = a;
  }

  // pipes: K9s writes each stage as one string ("grep -v foo"); kmux also takes a list of words
  const pipes: string[][] = [];
  const pe = f.get('pipes');
  if (pe && !isNull(pe.value)) {
    if (!isSeq(pe.value)) {
      bad('pipes must be a list of commands', pe.value);
      ok = false;
    } else {
      pe.value.items.forEach((item, idx) => {
        const n = y.resolve(item, doc);
        if (isSeq(n)) {
          const words = stringList(n, doc, y);
          if (typeof words === 'string' || words.length === 0) {
            bad(`pipes stage ${idx + 1}: ${typeof words === 'string' ? words : 'is empty'}`, item);
            ok = false;
          } else pipes.push(words);
          return;
        }
        const s = scalarText(n);
        const words = s === undefined ? [] : splitWords(s);
        if (words.length === 0) {
          bad(`pipes stage ${idx + 1} must be a command line such as "grep -v foo"`, item);
          ok = false;
        } else pipes.push(words);
      });
    }
  }

  const flags: Record<string, boolean | undefined> = {};
  for (const k of ['background', 'confirm', 'dangerous', 'override', 'overwriteOutput']) {
    const e = f.get(k);
    if (!e) continue;
    const b = boolField(e, y, problems, where);
    if (b === undefined && !isNull(e.value)) ok = false;
    flags[k] = b;
  }

  // inputs
  const inputs: PluginInput[] = [];
  const ie = f.get('inputs');
  if (ie && !isNull(ie.value)) {
    if (!isSeq(ie.value)) {
      bad('inputs must be a list', ie.value);
      ok = false;
    } else {
      if (ie.value.items.length > MAX_INPUTS) {
        bad(`at most ${MAX_INPUTS} inputs (found ${ie.value.items.length})`, ie.value);
        ok = false;
      }
      ie.value.items.forEach((item, idx) => {
        const input = readInput(y.resolve(item, doc), doc, y, (m, node) => bad(`inputs item ${idx + 1}: ${m}`, node ?? item));
        if (!input) ok = false;
        else if (inputs.some((x) => x.varName === input.varName)) {
          bad(`inputs item ${idx + 1}: a second input named ${input.name}`, item);
          ok = false;
        } else inputs.push(input);
      });
    }
  }

  if (!ok || !shortCut || shortCutText === undefined || command === undefined) return undefined;
  return {
    name,
    shortCut,
    shortCutText,
    description,
    scopes,
    command,
    args,
    background: flags.background ?? false,
    // K9s: a plugin with inputs shows its form, which is the confirmation
    confirm: flags.confirm ?? inputs.length > 0,
    dangerous: flags.dangerous ?? false,
    override: flags.override ?? false,
    overwriteOutput: flags.overwriteOutput ?? false,
    inputs,
    pipes,
    source: y.file,
    line,
    origin,
  };
}

function readInput(node: Node | null, doc: Document.Parsed, y: YamlFile, bad: (m: string, node?: unknown) => void): PluginInput | undefined {
  const entries = mapEntries(node, doc, y);
  if (!entries) {
    bad('must be a map with name, type...');
    return undefined;
  }
  const f = new Map(entries.map((e) => [e.key, e]));
  for (const e of entries) if (!INPUT_FIELDS.includes(e.key)) bad(`unknown field ${quote(e.key)} (ignored)`, e.keyNode);
  const name = scalarText(f.get('name')?.value);
  if (!name || !/^[A-Za-z_][\w-]*$/.test(name)) {
    bad(name ? `name ${quote(name)} must be letters, digits, _ or -` : 'missing name');
    return undefined;
  }
  const typeText = (scalarText(f.get('type')?.value) ?? 'string').toLowerCase();
  const type = ({ string: 'string', text: 'string', number: 'number', int: 'number', bool: 'bool', boolean: 'bool', dropdown: 'dropdown' } as Record<string, InputType>)[typeText];
  if (!type) {
    bad(`type ${quote(typeText)} is not one of string, number, bool, dropdown`, f.get('type')?.value);
    return undefined;
  }
  const reqNode = f.get('required')?.value ?? null;
  if (!isNull(reqNode) && !(isScalar(reqNode) && typeof reqNode.value === 'boolean')) {
    bad('required must be true or false', reqNode);
    return undefined;
  }
  const required = isScalar(reqNode) && reqNode.value === true;
  let options: string[] = [];
  const oe = f.get('options');
  if (oe) {
    const o = stringList(oe.value, doc, y);
    if (typeof o === 'string') {
      bad(`options ${o}`, oe.value);
      return undefined;
    }
    options = o;
  }
  if (type === 'dropdown' && options.length === 0) {
    bad('a dropdown needs options');
    return undefined;
  }
  let def: string | number | boolean | undefined;
  const de = f.get('default');
  if (de && !isNull(de.value)) {
    const n = de.value;
    const text = scalarText(n);
    if (text === undefined) {
      bad('default must be a value', n);
      return undefined;
    }
    if (type === 'bool') {
      // K9s keeps a default as text and wants "true" or "false": quoted or not, both are fine
      const b = isScalar(n) && typeof n.value === 'boolean' ? n.value : text === 'true' ? true : text === 'false' ? false : undefined;
      if (b === undefined) {
        bad(`default of a bool input must be true or false, not ${quote(text)}`, n);
        return undefined;
      }
      def = b;
    } else if (type === 'number') {
      if (!Number.isFinite(Number(text)) || text.trim() === '') {
        bad(`default ${quote(text)} is not a number`, n);
        return undefined;
      }
      def = Number(text);
    } else {
      def = text;
      if (type === 'dropdown' && !options.includes(text)) {
        bad(`default ${quote(text)} is not one of the options`, n);
        return undefined;
      }
    }
  }
  return {
    name,
    label: scalarText(f.get('label')?.value) ?? name,
    type,
    required,
    default: def,
    options,
    varName: `INPUT_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`,
  };
}

function looksLikePlugin(entries: Entry[]): boolean {
  return entries.some((e) => FIELD_BY_LOWER.has(e.key.toLowerCase()));
}

/** Read one file's text (any of the three shapes). Pure: the tests feed it strings. Never throws. */
export function parsePluginFile(file: string, text: string, origin: PluginOrigin = 'kmux'): { plugins: PluginDefinition[]; problems: PluginProblem[] } {
  let r: { plugins: PluginDefinition[]; problems: PluginProblem[] };
  try {
    r = parsePluginText(file, text, origin);
  } catch (e) {
    // a last resort: every path below is meant to report, never to throw
    r = { plugins: [], problems: [{ file, kind: 'parse', message: `not usable (internal error: ${(e as Error)?.message ?? String(e)}); no plugin loaded from it` }] };
  }
  return { plugins: r.plugins, problems: r.problems.map(safeProblem) };
}

function parsePluginText(file: string, text: string, origin: PluginOrigin): { plugins: PluginDefinition[]; problems: PluginProblem[] } {
  const { yaml: y, problems } = readYaml(file, text);
  const plugins: PluginDefinition[] = [];
  if (!y) return { plugins, problems };
  for (const doc of y.docs) {
    const root = y.resolve(doc.contents, doc);
    if (isNull(root)) continue;
    const entries = mapEntries(root, doc, y);
    if (!entries) {
      problems.push({ file, line: y.lineOf(root), kind: 'invalid', message: `expected a map (plugins: name -> plugin), found ${isSeq(root) ? 'a list' : 'a scalar'}` });
      continue;
    }
    const pluginsEntry = entries.find((e) => e.key === 'plugins');
    if (pluginsEntry && (isMap(pluginsEntry.value) || isNull(pluginsEntry.value))) {
      // shape 1: plugins: {name: plugin}
      for (const e of entries) {
        if (e !== pluginsEntry) problems.push({ file, line: y.lineOf(e.keyNode), kind: 'invalid', message: `unknown top-level key ${quote(e.key)} (ignored; plugins go under "plugins:")` });
      }
      for (const e of mapEntries(pluginsEntry.value, doc, y) ?? []) {
        const p = readPlugin(e.key, e.value, e.keyNode, doc, y, origin, problems);
        if (p) plugins.push(p);
      }
    } else if (looksLikePlugin(entries)) {
      // shape 2: one plugin, named after the file
      const name = basename(file, extname(file));
      const p = readPlugin(name, root, root, doc, y, origin, problems);
      if (p) plugins.push(p);
    } else {
      // shape 3: {name: plugin}
      for (const e of entries) {
        const p = readPlugin(e.key, e.value, e.keyNode, doc, y, origin, problems);
        if (p) plugins.push(p);
      }
    }
  }
  return { plugins, problems };
}

// ---------------------------------------------------------------------------------------
// All files

const at = (p: { source: string; line: number }) => `${safeText(p.source, 500)}:${p.line}`;

function overlap(a: string[], b: string[], canonical: (s: string) => string): string[] | undefined {
  if (a.includes('all')) return b.includes('all') ? ['all'] : b;
  if (b.includes('all')) return a;
  const cb = new Set(b.map(canonical));
  const both = a.filter((s) => cb.has(canonical(s)));
  return both.length ? [...new Set(both.map(canonical))] : undefined;
}

/** Load every plugin file: the plugins that can be used, and everything wrong on the way. */
export function loadPlugins(o: LoadOptions): LoadResult {
  const canonical = o.canonical ?? canonicalScope;
  const problems: PluginProblem[] = [];
  const sources: string[] = [];
  const skipped: SkippedPlugin[] = [];
  const byName = new Map<string, Plugin>();
  let order = 0;

  for (const { file, origin } of pluginFiles(o)) {
    const read = readTextFile(file);
    if (!read.ok) {
      problems.push({ file, kind: 'parse', message: `cannot read: ${read.message}` });
      sources.push(file);
      continue;
    }
    const r = parsePluginFile(file, read.text, origin);
    problems.push(...r.problems);
    const left: string[] = [];
    for (const raw of r.plugins) {
      if (origin === 'shipped' && raw.dangerous) {
        // shipped examples that change clusters are opt-in: copy the file to enable them
        skipped.push({ name: raw.name, file, line: raw.line, reason: 'a shipped example marked dangerous: copy it to kmux\'s plugins/ directory to enable it' });
        left.push(raw.name);
        continue;
      }
      const prev = byName.get(raw.name);
      if (prev) {
        problems.push({ file, line: raw.line, kind: 'override', message: `plugin ${quote(raw.name)} replaces the one from ${at(prev)}` });
        byName.delete(raw.name); // re-insert so the map keeps load order
      }
      byName.set(raw.name, { ...raw, unboundScopes: [], order: order++ });
    }
    sources.push(left.length ? `${file} (shipped; dangerous examples not enabled: ${left.join(', ')})` : file);
  }

  const plugins = [...byName.values()].sort((a, b) => a.order - b.order);

  // plugin against plugin: same key, scopes overlapping; the later one wins. Each plugin names
  // at most MAX_CLASHES earlier ones (the latest): a file of thousands of plugins on one key
  // must not make a problem for every pair.
  const byKey = new Map<string, Plugin[]>();
  for (const b of plugins) {
    const id = keyId(b.shortCut);
    const earlier = byKey.get(id) ?? [];
    const hits: { a: Plugin; where: string[] }[] = [];
    let more = false;
    for (let i = earlier.length - 1; i >= 0; i--) {
      const where = overlap(earlier[i].scopes, b.scopes, canonical);
      if (!where) continue;
      if (hits.length === MAX_CLASHES) {
        more = true;
        break;
      }
      hits.push({ a: earlier[i], where });
    }
    for (const { a, where } of hits.reverse()) {
      problems.push({
        file: b.source,
        line: b.line,
        kind: 'clash',
        message: `${k9sKeyName(b.shortCut)} in ${safeText(where.join(', '), 200)}: plugin ${quote(a.name)} (${at(a)}) and plugin ${quote(b.name)} (${at(b)}) both take it; ${quote(b.name)} wins (loaded later)`,
      });
    }
    if (more) problems.push({ file: b.source, line: b.line, kind: 'clash', message: `${k9sKeyName(b.shortCut)}: more plugins loaded before ${quote(b.name)} take it too; ${quote(b.name)} wins` });
    earlier.push(b);
    byKey.set(id, earlier);
  }

  // plugin against kmux's own keys
  if (o.builtinKeys) {
    for (const p of plugins) {
      // 'all' first: a clash with a key of every table view need not be repeated per table view
      const checks = new Set<string>(p.scopes.includes('all') ? ['all', ...(o.builtinScopes ?? [])] : p.scopes);
      let everyTable = false;
      for (const scope of checks) {
        if (everyTable && !LIST_VIEWS.has(canonical(scope))) continue;
        let keys: BuiltinKey[] = [];
        try {
          keys = o.builtinKeys(scope) ?? [];
        } catch {
          keys = [];
        }
        const hit = keys.find((k) => sameKey(k, p.shortCut));
        if (!hit) continue;
        const what = `${k9sKeyName(p.shortCut)} is kmux's key${hit.label ? ` for "${hit.label}"` : ''} in ${safeText(scope, 100)}`;
        if (scope === 'all') everyTable = true;
        if (hit.soft) {
          problems.push({ file: p.source, line: p.line, kind: 'override', message: `plugin ${quote(p.name)}: ${what}; the plugin takes it, as in K9s (which leaves moving keys to plugins); the arrows and Home/End/PgUp/PgDn still move` });
        } else if (p.override) {
          problems.push({ file: p.source, line: p.line, kind: 'override', message: `plugin ${quote(p.name)}: ${what}; the plugin takes it (override: true)` });
        } else {
          p.unboundScopes.push(scope);
          problems.push({ file: p.source, line: p.line, kind: 'clash', message: `plugin ${quote(p.name)}: ${what}; kmux's key wins and the plugin is not bound there (add override: true to take the key)` });
        }
      }
    }
  }
  return { plugins, problems: problems.map(safeProblem), sources, skipped };
}

// ---------------------------------------------------------------------------------------
// What a view offers

export interface ViewQuery {
  readonly: boolean;
  /** the view's names: a resource name, or all of scopeNames(resource) */
  scope: string | string[];
  canonical?: (scope: string) => string;
}

/** The plugins of a view: in scope, and not dangerous in read-only mode. */
export function visiblePlugins(plugins: readonly Plugin[], q: ViewQuery): Plugin[] {
  return plugins.filter((p) => !(q.readonly && p.dangerous) && inScope(p, q.scope, q.canonical));
}

/**
 * The plugins that hold a key in this view: visible ones, minus those kmux's keys keep out
 * (unboundScopes, or builtinKeys of this view without override), one per key (the later
 * loaded wins). Sorted by key for menus.
 */
export function bindPlugins(plugins: readonly Plugin[], q: ViewQuery & { builtinKeys?: KeySpec[] }): Plugin[] {
  const canonical = q.canonical ?? canonicalScope;
  const names = viewNamesOf(q.scope, canonical);
  const byKey = new Map<string, Plugin>();
  const listView = [...names].some((n) => LIST_VIEWS.has(canonical(n)));
  for (const p of visiblePlugins(plugins, q)) {
    if (!p.override && p.unboundScopes.some((s) => (s === 'all' ? !listView : names.has(s) || names.has(canonical(s))))) continue;
    if (!p.override && q.builtinKeys?.some((k) => sameKey(k, p.shortCut))) continue;
    const id = keyId(p.shortCut);
    const cur = byKey.get(id);
    if (!cur || cur.order < p.order) byKey.set(id, p);
  }
  return [...byKey.values()].sort((a, b) => keyId(a.shortCut).localeCompare(keyId(b.shortCut)));
}

/** The bound plugin for a keypress from Ink's useInput, if any. */
export function pluginForKey(bound: readonly Plugin[], input: string, key: { ctrl: boolean; shift: boolean; meta?: boolean }): Plugin | undefined {
  return bound.find((p) => matchesKey(p.shortCut, input, key));
}

/** One line for :plugins: key, name, description, scopes, file:line. */
export function describePlugin(p: Plugin): { key: string; name: string; description: string; scopes: string; source: string; flags: string } {
  const flags = [p.background && 'background', p.dangerous && 'dangerous', p.confirm && 'confirm', p.override && 'override', p.overwriteOutput && 'output', p.inputs.length && `${p.inputs.length} input(s)`, p.unboundScopes.length && `not bound in ${p.unboundScopes.join(',')}`]
    .filter(Boolean)
    .join(' ');
  return { key: formatKey(p.shortCut), name: p.name, description: p.description, scopes: p.scopes.join(','), source: at(p), flags };
}
