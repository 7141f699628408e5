/**
 * YAML aliases for the loaders that walk the document tree (skins, plugins, hotkeys,
 * views.yaml, aliases.yaml, configs): what an alias points at, found once per document.
 *
 * The yaml package's `Alias.resolve(doc)` visits the whole document on every call, so a file
 * with many aliases costs the square of its size; this index makes each lookup O(1).
 */
import { isAlias, isMap, isScalar, isSeq, visit, type Alias, type Document, type Node } from 'yaml';
import { safeText } from './untrusted.js';

const targets = new WeakMap<Document, Map<Alias, Node | undefined>>();

/** The node an alias stands for: the last node with its anchor before it (YAML's rule). */
export function aliasTarget(doc: Document, alias: Alias): Node | undefined {
  let index = targets.get(doc);
  if (!index) {
    const built = new Map<Alias, Node | undefined>();
    const last = new Map<string, Node>();
    visit(doc, {
      Node(_key, node) {
        if (isAlias(node)) built.set(node, last.get(node.source));
        else if (node.anchor) last.set(node.anchor, node);
      },
    });
    targets.set(doc, built);
    index = built;
  }
  return index.get(alias);
}

/** `node` with aliases followed (undefined for an alias to nothing); never loops. */
export function deref(doc: Document, node: unknown): unknown {
  let cur = node;
  for (let hops = 0; hops < 50 && isAlias(cur); hops++) cur = aliasTarget(doc, cur);
  return isAlias(cur) ? undefined : cur;
}

/** A YAML merge key (`<<`). */
export function isMergeKey(k: unknown): boolean {
  if (!isScalar(k)) return false;
  return k.source === '<<' || k.value === '<<' || typeof k.value === 'symbol';
}

/**
 * A map key as text for a message or a lookup: a scalar's value, or what kind of node it is.
 * Never `String(node)` on a collection: that runs the yaml package's toJSON, which throws for a
 * bad merge, an unresolved alias or an alias bomb.
 */
export function keyText(k: unknown): string {
  if (isScalar(k)) {
    const v = k.value;
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    if (typeof v === 'symbol') return '<<';
    if (v instanceof Uint8Array) return `(binary key, ${v.length} bytes)`;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(k.source ?? '') : (typeof k.source === 'string' ? k.source : v.toISOString());
    return typeof k.source === 'string' && k.type === 'PLAIN' ? k.source : String(v);
  }
  if (isAlias(k)) return `*${k.source}`;
  if (isMap(k)) return '(a mapping as a key)';
  if (isSeq(k)) return '(a list as a key)';
  return '';
}

export interface MapEntry {
  /** the key as text (keyText) */
  key: string;
  keyNode: unknown;
  /** the value node as written (an alias is not followed: callers deref it) */
  value: unknown;
}

/**
 * A mapping's entries, aliases followed, `<<` merges applied (explicit keys win, then earlier
 * merged maps); duplicate explicit keys are all kept, in order. Each map is merged into one
 * result once, and merges nest at most 100 deep, so self-merges and `<<: [*a, *a]` chains cost
 * no more than the file's size.
 */
export function entriesOf(doc: Document, map: unknown, merged = new Set<unknown>(), depth = 0): MapEntry[] {
  if (!isMap(map)) return [];
  merged.add(map);
  const out: MapEntry[] = [];
  const seen = new Set<string>();
  const later: unknown[] = [];
  for (const pair of map.items) {
    const k = deref(doc, pair.key);
    if (isMergeKey(k)) {
      const v = deref(doc, pair.value);
      if (isSeq(v)) later.push(...v.items.map((x) => deref(doc, x)));
      else later.push(v);
      continue;
    }
    const key = keyText(k);
    out.push({ key, keyNode: pair.key, value: pair.value });
    seen.add(key);
  }
  if (depth < 100) {
    for (const m of later) {
      if (!isMap(m) || merged.has(m)) continue;
      for (const e of entriesOf(doc, m, merged, depth + 1)) {
        if (seen.has(e.key)) continue;
        seen.add(e.key);
        out.push(e);
      }
    }
  }
  return out;
}

/**
 * Aliases with no anchor before them (`*x` where no `&x` precedes it). The yaml package
 * reports them only when converting to JS; the tree walkers take them as empty, and say so
 * with this list: a message for each, with the offset where it stands.
 */
export function danglingAliases(doc: Document): { name: string; offset?: number }[] {
  const out: { name: string; offset?: number }[] = [];
  visit(doc, {
    Alias(_key, node) {
      if (aliasTarget(doc, node) === undefined) out.push({ name: node.source, offset: node.range?.[0] });
    },
  });
  return out;
}

/** Report each dangling alias (the first ten, then a count) through `report(offset, message)`. */
export function reportDangling(doc: Document, report: (offset: number | undefined, message: string) => void, max = 10): void {
  const all = danglingAliases(doc);
  for (const a of all.slice(0, max)) {
    const name = safeText(a.name, 40);
    report(a.offset, `alias *${name} has no anchor &${name} before it; taken as empty`);
  }
  if (all.length > max) report(undefined, `and ${all.length - max} more aliases with no anchor before them`);
}
