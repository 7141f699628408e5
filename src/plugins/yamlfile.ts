/**
 * Reading K9s-format YAML with line numbers for every problem. K9s reads these files with
 * yaml.v2 (YAML 1.1: `yes`/`on` are booleans, `0755` is octal) and takes a scalar's own text
 * for a string field (`args: [1.10]` is "1.10"): so do we.
 */
import { Alias, LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';

export type ProblemKind = 'parse' | 'invalid' | 'clash' | 'override';

export interface PluginProblem {
  file: string;
  line?: number;
  message: string;
  kind: ProblemKind;
}

/** "file:line: message" */
export function formatProblem(p: PluginProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`;
}

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
    return { problems: [{ file, kind: 'parse', message: `not readable YAML: ${(e as Error).message}` }] };
  }
  if (!Array.isArray(docs)) docs = []; // an empty stream
  const line = (offset: number | undefined) => (offset === undefined ? undefined : lc.linePos(offset).line);
  const problems: PluginProblem[] = [];
  for (const d of docs) {
    for (const e of d.errors) {
      problems.push({ file, line: line(e.pos?.[0]), kind: 'parse', message: `YAML syntax: ${e.message.split('\n')[0]}` });
    }
  }
  if (problems.length) return { problems };
  const yaml: YamlFile = {
    file,
    docs,
    line,
    lineOf: (node) => line((node as { range?: [number, number, number] } | null)?.range?.[0]),
    resolve: (node, doc) => {
      let n = node as Node | null;
      for (let hops = 0; n && isAlias(n) && hops < 10; hops++) n = (n as Alias).resolve(doc) ?? null;
      return n ?? null;
    },
  };
  return { yaml, problems };
}

export interface Entry {
  key: string;
  keyNode: unknown;
  value: Node | null;
}

/** A map's entries with string keys (as written), aliases resolved; `<<` merges are expanded. */
export function mapEntries(node: Node | null, doc: Document.Parsed, y: YamlFile): Entry[] | undefined {
  if (!isMap(node)) return undefined;
  const out: Entry[] = [];
  for (const pair of node.items) {
    const k = y.resolve(pair.key, doc);
    const key = scalarText(k);
    const value = y.resolve(pair.value, doc);
    if (key === '<<') {
      const sources = isSeq(value) ? value.items.map((v) => y.resolve(v, doc)) : [value];
      for (const s of sources) for (const e of mapEntries(s, doc, y) ?? []) if (!out.some((o) => o.key === e.key)) out.push(e);
      continue;
    }
    if (key === undefined) continue;
    out.push({ key, keyNode: pair.key, value });
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
