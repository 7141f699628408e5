/**
 * YAML aliases for the loaders that walk the document tree (skins, plugins, hotkeys,
 * views.yaml, aliases.yaml, configs): what an alias points at, found once per document.
 *
 * The yaml package's `Alias.resolve(doc)` visits the whole document on every call, so a file
 * with many aliases costs the square of its size; this index makes each lookup O(1).
 */
import { isAlias, isMap, isScalar, isSeq, visit, type Alias, type Document, type Node } from 'yaml';

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
