/**
 * Reading K9s-format YAML with line numbers for every problem. K9s reads these files with
 * yaml.v2 (YAML 1.1: `yes`/`on` are booleans, `0755` is octal) and takes a scalar's own text
 * for a string field (`args: [1.10]` is "1.10"): so do we.
 */
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import { formatLoadProblem, safeText } from '../config/untrusted.js';
import { deref, isMergeKey, reportDangling } from '../config/yaml-nodes.js';

export type ProblemKind = 'parse' | 'invalid' | 'clash' | 'override';

export interface PluginProblem {
  file: string;
  line?: number;
  message: string;
  kind: ProblemKind;
}

/** "file:line: message", safe to show (a file name may hold control characters too). */
export function formatProblem(p: PluginProblem): string {
  return formatLoadProblem(p);
}

/** A file full of syntax errors (binary data, say) needs its first few, not thousands. */
const MAX_SYNTAX_PROBLEMS = 10;

export interface YamlFile {
  file: string;
  docs: Document.Parsed[];
  /** 1-based line of an offset */
  line(offset: number | undefined): number | undefined;
  /** 1-based line where a node starts */
  lineOf(node: unknown): number | undefined;
  /** resolves aliases (*anchor) */
  resolve(node: unknown, doc: Document.Parsed): Node | null;
}

/** Parse; on syntax errors return the problems (file and line) and no documents. */
export function readYaml(file: string, text: string): { yaml?: YamlFile; problems: PluginProblem[] } {
  const lc = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false, version: '1.1', prettyErrors: false }) as Document.Parsed[];
  } catch (e) {
    return { problems: [{ file, kind: 'parse', message: `not readable YAML: ${safeText((e as Error)?.message ?? String(e), 200)}` }] };
  }
  if (!Array.isArray(docs)) docs = []; // an empty stream
  const line = (offset: number | undefined) => (offset === undefined ? undefined : lc.linePos(offset).line);
  const problems: PluginProblem[] = [];
  const errors = docs.flatMap((d) => d.errors);
  for (const e of errors.slice(0, MAX_SYNTAX_PROBLEMS)) {
    problems.push({ file, line: line(e.pos?.[0]), kind: 'parse', message: `YAML syntax: ${safeText(e.message.split('\n')[0], 300)}` });
  }
  if (errors.length > MAX_SYNTAX_PROBLEMS) problems.push({ file, kind: 'parse', message: `and ${errors.length - MAX_SYNTAX_PROBLEMS} more YAML syntax errors` });
  if (problems.length) return { problems };
  for (const d of docs) reportDangling(d, (off, message) => problems.push({ file, line: line(off), kind: 'invalid', message }));
  const yaml: YamlFile = {
    file,
    docs,
    line,
    lineOf: (node) => line((node as { range?: [number, number, number] } | null)?.range?.[0]),
    resolve: (node, doc) => (deref(doc, node) as Node | undefined) ?? null,
  };
  return { yaml, problems };
}

export interface Entry {
  key: string;
  keyNode: unknown;
  value: Node | null;
}

/** How deep `<<` merges may nest (each level is a call). */
const MAX_MERGE_DEPTH = 100;

/**
 * A map's entries with string keys (as written), aliases resolved; `<<` merges are expanded
 * (explicit keys and earlier merges win). A map merges into one result at most once, so a map
 * that merges itself, or `<<: [*a, *a]` chains, cost no more than their size.
 */
export function mapEntries(node: Node | null, doc: Document.Parsed, y: YamlFile, merged = new Set<unknown>(), depth = 0): Entry[] | undefined {
  if (!isMap(node)) return undefined;
  merged.add(node);
  const out: Entry[] = [];
  const seen = new Set<string>();
  const later: Node[] = [];
  for (const pair of node.items) {
    const k = y.resolve(pair.key, doc);
    const key = scalarText(k);
    const value = y.resolve(pair.value, doc);
    if (key === '<<' || isMergeKey(k)) {
      const sources = isSeq(value) ? value.items.map((v) => y.resolve(v, doc)) : [value];
      for (const s of sources) if (s) later.push(s);
      continue;
    }
    if (key === undefined) continue;
    out.push({ key, keyNode: pair.key, value });
    seen.add(key);
  }
  if (depth < MAX_MERGE_DEPTH) {
    for (const s of later) {
      if (merged.has(s)) continue;
      for (const e of mapEntries(s, doc, y, merged, depth + 1) ?? []) {
        if (seen.has(e.key)) continue;
        seen.add(e.key);
        out.push(e);
      }
    }
  }
  return out;
}

/** A scalar as K9s reads it into a string: the text as written for plain scalars. */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  if (node.value === null || node.value === undefined) return undefined;
  if (typeof node.value === 'string') return node.value;
  if (node.type === 'PLAIN' && typeof node.source === 'string') return node.source;
  return String(node.value);
}

export function isNull(node: Node | null): boolean {
  return node === null || (isScalar(node) && (node.value === null || node.value === undefined));
}

export { isMap, isScalar, isSeq };

/**
 * A flag as K9s's YAML reader (yaml.v3 into a Go bool) takes it: a YAML boolean, or the quoted
 * words yaml.v3 still reads as one (y, yes, on, n, no, off and their capitalised forms).
 * A quoted "true"/"false" is taken too, with `note` saying K9s refuses it. undefined: not a flag.
 */
export function flagOf(node: unknown): { value: boolean; note?: string } | undefined {
  if (!isScalar(node)) return undefined;
  if (typeof node.value === 'boolean') return { value: node.value };
  if (typeof node.value !== 'string') return undefined;
  const v = node.value;
  if (/^(y|Y|yes|Yes|YES|on|On|ON)$/.test(v)) return { value: true };
  if (/^(n|N|no|No|NO|off|Off|OFF)$/.test(v)) return { value: false };
  if (/^(true|True|TRUE|false|False|FALSE)$/.test(v)) return { value: /^t/i.test(v), note: `the string "${v}" (quoted); K9s refuses it, kmux reads it as ${/^t/i.test(v)}` };
  return undefined;
}
