/**
 * Command aliases: kmux's built-ins, then K9s's `aliases.yaml`, then kmux's, then K9s's file for
 * the context (later wins). A value is K9s's resource form (`pp: v1/pods`, `dp:
 * apps/v1/deployments`, and `apps/deployments`), a name kubectl knows, or a whole command:
 * `pp: pods @prod`, `fred: pods fred app=blee`.
 *
 *   aliases:
 *     dp: deployments
 *     pp: pods @prod
 *
 * (A bare map of alias -> command is taken too.) Never throws: a file that cannot be used, and
 * each entry that is wrong, come back as problems naming the file, line and key; the good
 * entries still apply.
 */
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YNode } from 'yaml';
import { k9sConfigDir, k9sContextDir, kmuxConfigDir } from './paths.js';
import { capProblems, formatLoadProblem, quote, readTextFile, safeProblem, safeText } from './untrusted.js';
import { deref, entriesOf, reportDangling } from './yaml-nodes.js';

export const BUILTIN_ALIASES: Record<string, string> = {
  dp: 'deployments', sec: 'secrets', jo: 'jobs', cr: 'clusterroles', crb: 'clusterrolebindings',
  ro: 'roles', rb: 'rolebindings', np: 'networkpolicies', contexts: 'ctx', context: 'ctx',
};

export interface AliasProblem {
  file: string;
  /** 1-based line, when known. */
  line?: number;
  /** `aliases.dp`, when the problem is one entry's. */
  key?: string;
  message: string;
}

export interface AliasSource {
  file: string;
  /** this file's problems in one line (`line 3: aliases.dp: ...; ...`), when it has any */
  problem?: string;
}

/** `file:line: key: message`. */
export function formatAliasProblem(p: AliasProblem): string {
  return formatLoadProblem(p);
}

/** Alias maps have no prototype: `:constructor` must not find Object's. */
function emptyAliases(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

/**
 * The aliases files in the order they apply (a later one wins for an alias): K9s's, kmux's, then
 * K9s's per-context `clusters/<cluster>/<context>/aliases.yaml` (more specific than either).
 */
export function aliasFiles(env: NodeJS.ProcessEnv = process.env, at?: { context: string; cluster?: string }): string[] {
  const files = [join(k9sConfigDir(env), 'aliases.yaml'), join(kmuxConfigDir(env), 'aliases.yaml')];
  if (at?.cluster) files.push(join(k9sContextDir(env, at.context, at.cluster), 'aliases.yaml'));
  return files;
}

export function loadAliases(env: NodeJS.ProcessEnv = process.env, at?: { context: string; cluster?: string }): { aliases: Record<string, string>; sources: AliasSource[]; problems: AliasProblem[] } {
  const aliases = Object.assign(emptyAliases(), BUILTIN_ALIASES);
  const sources: AliasSource[] = [];
  const problems: AliasProblem[] = [];
  for (const file of aliasFiles(env, at)) {
    const read = readTextFile(file);
    let mine: AliasProblem[];
    if (!read.ok) {
      if (read.code === 'ENOENT' || read.code === 'ENOTDIR') continue;
      mine = [{ file, message: `${read.message}; its aliases are ignored` }];
    } else {
      const r = parseAliases(read.text, file);
      Object.assign(aliases, r.aliases);
      mine = r.problems;
    }
    problems.push(...mine);
    const problem = mine.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.key ? `${p.key}: ` : ''}${p.message}`).join('; ');
    sources.push(problem ? { file, problem: safeText(problem, 2000) } : { file });
  }
  return { aliases, sources, problems };
}

/** The aliases of one aliases.yaml text (pure). Never throws. */
export function parseAliases(text: string, file: string): { aliases: Record<string, string>; problems: AliasProblem[] } {
  let r: { aliases: Record<string, string>; problems: AliasProblem[] };
  try {
    r = parseAliasText(text, file);
  } catch (e) {
    // a last resort: every path below is meant to report, never to throw
    r = { aliases: emptyAliases(), problems: [{ file, message: `not usable (internal error: ${(e as Error)?.message ?? String(e)}); its aliases are ignored` }] };
  }
  return { aliases: r.aliases, problems: capProblems(r.problems.map(safeProblem), file, {}) };
}

const MAX_SYNTAX_PROBLEMS = 5;

function parseAliasText(text: string, file: string): { aliases: Record<string, string>; problems: AliasProblem[] } {
  const aliases = emptyAliases();
  const problems: AliasProblem[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, merge: true });
  const lineOf = (n: unknown): number | undefined => {
    const off = (n as YNode | null | undefined)?.range?.[0];
    return off === undefined ? undefined : lc.linePos(off).line;
  };
  if (doc.errors.length) {
    for (const err of doc.errors.slice(0, MAX_SYNTAX_PROBLEMS)) {
      const off = err.pos?.[0];
      problems.push({ file, line: off === undefined ? undefined : lc.linePos(off).line, message: `YAML error: ${safeText(err.message.split('\n')[0], 300)}; its aliases are ignored` });
    }
    return { aliases, problems };
  }
  reportDangling(doc, (off, message) => problems.push({ file, line: off === undefined ? undefined : lc.linePos(off).line, message }));
  const root = deref(doc, doc.contents);
  if (root === null || root === undefined || (isScalar(root) && (root.value === null || root.value === ''))) return { aliases, problems };
  if (!isMap(root)) {
    problems.push({ file, line: lineOf(root), message: `expected a mapping with aliases: (alias -> command), found ${kind(root)}; its aliases are ignored` });
    return { aliases, problems };
  }
  const top = entriesOf(doc, root);
  const under = top.find((e) => e.key === 'aliases');
  let map: unknown = root;
  let where = '';
  if (under) {
    for (const e of top) if (e !== under) problems.push({ file, line: lineOf(e.keyNode), key: e.key, message: 'unknown top-level key (aliases go under aliases:); ignored' });
    map = deref(doc, under.value);
    where = 'aliases.';
    if (map === null || map === undefined || (isScalar(map) && map.value === null)) return { aliases, problems };
    if (!isMap(map)) {
      problems.push({ file, line: lineOf(under.keyNode), key: 'aliases', message: `expected a mapping of alias -> command, found ${kind(map)}; ignored` });
      return { aliases, problems };
    }
  }
  for (const e of entriesOf(doc, map)) {
    const line = lineOf(e.keyNode);
    const key = `${where}${e.key}`;
    const name = e.key.trim();
    if (name === '' || /\s/.test(name)) {
      problems.push({ file, line, key, message: `${name === '' ? 'an empty alias' : 'an alias is one word'}; ignored` });
      continue;
    }
    const v = deref(doc, e.value);
    const value = isScalar(v) ? v.value : v;
    if (typeof value !== 'string') {
      problems.push({ file, line, key, message: `expected a command (text such as "pods @prod"), found ${isScalar(v) ? quote(value) : kind(v)}; ignored` });
      continue;
    }
    if (value.trim() === '') {
      problems.push({ file, line, key, message: 'the command is empty; ignored' });
      continue;
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) {
      problems.push({ file, line, key, message: `the command ${quote(value)} holds control characters; ignored` });
      continue;
    }
    aliases[name] = value.trim();
  }
  return { aliases, problems };
}

function kind(n: unknown): string {
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (isScalar(n)) return quote(n.value);
  return 'nothing';
}
