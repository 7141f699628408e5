/**
 * `:xray KIND`: the owner tree drawn as an indented tree, one line per node, with its status
 * colored (ok, not ok, completed, a missing reference). Only the lines in view become elements;
 * the flattened tree is made once per rebuilt tree, fold or filter, not per frame.
 */
import React from 'react';
import { Text } from 'ink';
import type { RowSource } from '../../app/session.js';
import type { XrayModel, XrayNode, XrayStatus } from '../../app/xray.js';
import type { Row } from '../../store/rows.js';
import type { RowState } from '../../resources/types.js';
import { monoRowStyle } from '../../theme/theme.js';
import type { KeyAction } from '../keys/keys.js';
import type { Nav } from '../nav.js';
import { Viewport } from '../scroll.js';
import { clean, fit, width } from '../text.js';
import { frame } from '../chrome/frame.js';
import { describeRow, yamlRow } from '../actions/rows.js';
import { openLogs } from '../actions/logs.js';
import { podTerminal } from '../actions/terminal.js';
import { navigationKeys } from './navigation.js';
import { rowColor } from './cells.js';
import type { RenderCtx, Screen } from './screen.js';

export interface XrayLine {
  node: XrayNode;
  /** the tree's drawing before the node: '│  ├─ ' */
  prefix: string;
}

const WORD: Record<XrayStatus, string> = { ok: '', toast: 'NOT OK', completed: 'completed', missing: 'MISSING', unknown: '?' };
const STATE: Record<XrayStatus, RowState> = { ok: 'normal', toast: 'error', completed: 'completed', missing: 'pending', unknown: 'terminating' };
const WORKLOADS = new Set(['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'services']);

/** A node's line as drawn: kind/name (children) [info] and what is wrong with it. */
export function nodeText(n: XrayNode, folded: boolean): string {
  const kids = n.children.length ? `(${folded ? '+' : ''}${n.children.length})` : '';
  return `${n.kind}/${n.name}${kids}${n.info ? ` [${n.info}]` : ''}${WORD[n.status] ? `  ${WORD[n.status]}` : ''}`;
}

export class XrayScreen implements Screen {
  readonly vp = new Viewport(true);
  /** nodes folded by hand; with `allFolded`, the nodes unfolded by hand */
  private readonly toggled = new Set<string>();
  private allFolded = false;
  private foldVersion = 0;
  private cursorId?: string;
  private filterText = '';
  private filterRe?: RegExp;
  private inverse = false;
  /** the tree as shown (filtered) and the line counts of its subtrees, for one tree, fold and filter */
  private shown?: { roots: XrayNode[]; fold: number; filter: string; top: XrayNode[]; sizes: Map<XrayNode, number>; total: number };

  constructor(private readonly nav: Nav, readonly model: XrayModel) {}

  crumb(): string {
    return 'xray';
  }

  private kids(n: XrayNode): number {
    return n.count ?? n.children.length;
  }

  /** Folded: by hand, or all below the top (x) but those unfolded by hand. */
  private isFolded(n: XrayNode, depth: number): boolean {
    if (!this.kids(n)) return false;
    return depth > 0 && this.allFolded ? !this.toggled.has(n.id) : this.toggled.has(n.id);
  }

  /** Lines a node takes with what is unfolded below it; a pod's from its counts, without making its children. */
  private size(n: XrayNode, depth: number): number {
    if (this.isFolded(n, depth)) return 1;
    if (n.lines !== undefined && !this.allFolded && !this.foldedBelow(n)) return n.lines;
    // the sizes of the tree as shown (state() made it current before any size is asked for)
    const sizes = this.shown!.sizes;
    let v = sizes.get(n);
    if (v === undefined) {
      v = 1;
      for (const c of n.children) v += this.size(c, depth + 1);
      sizes.set(n, v);
    }
    return v;
  }

  private foldedBelow(n: XrayNode): boolean {
    if (!this.toggled.size) return false;
    const p = `${n.id}/`;
    for (const id of this.toggled) if (id.startsWith(p)) return true;
    return false;
  }

  private state() {
    const roots = this.model.tree();
    const s = this.shown;
    if (s && s.roots === roots && s.fold === this.foldVersion && s.filter === this.filterText) return s;
    const top = this.filterRe ? this.filtered(roots) : roots;
    const fresh = { roots, fold: this.foldVersion, filter: this.filterText, top, sizes: new Map<XrayNode, number>(), total: 0 };
    this.shown = fresh;
    fresh.total = top.reduce((a, n) => a + this.size(n, 0), 0);
    return fresh;
  }

  /** How many lines the tree takes as shown now. */
  count(): number {
    return this.state().total;
  }

  /** `count` lines from line `from`, drawn as a tree: only these are made. */
  window(from: number, count: number): XrayLine[] {
    const out: XrayLine[] = [];
    const stack = [{ nodes: this.state().top, i: 0, depth: 0, lead: '' }];
    let skip = from;
    while (stack.length && out.length < count) {
      const f = stack[stack.length - 1];
      if (f.i >= f.nodes.length) {
        stack.pop();
        continue;
      }
      const n = f.nodes[f.i++];
      const size = this.size(n, f.depth);
      if (skip >= size) {
        skip -= size;
        continue;
      }
      const last = f.i === f.nodes.length;
      if (skip === 0) out.push({ node: n, prefix: f.depth === 0 ? '' : f.lead + (last ? '└─ ' : '├─ ') });
      else skip--;
      if (size > 1) stack.push({ nodes: n.children, i: 0, depth: f.depth + 1, lead: f.depth === 0 ? '' : f.lead + (last ? '   ' : '│  ') });
    }
    return out;
  }

  /** The line of a node by its id (ids are paths: each level's node is a prefix), if shown. */
  private indexOf(id: string): number | undefined {
    let nodes = this.state().top;
    let at = 0;
    for (let depth = 0; ; depth++) {
      let next: XrayNode[] | undefined;
      for (const n of nodes) {
        if (n.id === id) return at;
        if (id.startsWith(`${n.id}/`)) {
          if (this.isFolded(n, depth)) return undefined;
          at += 1;
          next = n.children;
          break;
        }
        at += this.size(n, depth);
      }
      if (!next) return undefined;
      nodes = next;
    }
  }

  /** The lines of the whole tree as shown (tests; a big tree is better read through window()). */
  lines(): XrayLine[] {
    return this.window(0, this.count());
  }

  /**
   * `/text`: a node that matches stays with all below it, and its ancestors stay to lead to it;
   * `/!text`: nodes that match go, with all below them.
   */
  private filtered(nodes: XrayNode[]): XrayNode[] {
    const re = this.filterRe!;
    const hit = (n: XrayNode) => re.test(`${n.kind}/${n.name}`) || re.test(n.info ?? '') || (WORD[n.status] !== '' && re.test(WORD[n.status]));
    // a copy with some children (a pod's name and namespace are read through its row)
    const copy = (n: XrayNode, children: XrayNode[]): XrayNode => ({ ...n, kind: n.kind, name: n.name, namespace: n.namespace, count: undefined, lines: undefined, children });
    const keep = (n: XrayNode): XrayNode | undefined => {
      if (this.inverse) return hit(n) ? undefined : copy(n, n.children.map(keep).filter((c): c is XrayNode => !!c));
      if (hit(n)) return n;
      const kids = n.children.map(keep).filter((c): c is XrayNode => !!c);
      return kids.length ? copy(n, kids) : undefined;
    };
    return nodes.map(keep).filter((c): c is XrayNode => !!c);
  }

  /** The cursor follows its node while lines come and go; when the node goes it stays in place. */
  private place(): void {
    const total = this.count();
    this.vp.count = total;
    const at = this.cursorId ? this.indexOf(this.cursorId) : undefined;
    if (at !== undefined) this.vp.cursor = at;
    this.vp.cursor = Math.max(0, Math.min(this.vp.cursor, total - 1));
    this.cursorId = this.window(this.vp.cursor, 1)[0]?.node.id;
  }

  current(): XrayNode | undefined {
    this.place();
    return this.window(this.vp.cursor, 1)[0]?.node;
  }

  readonly filter = {
    get: () => this.filterText,
    set: (text: string): string | undefined => {
      const inverse = text.startsWith('!');
      try {
        this.filterRe = text && text !== '!' ? new RegExp(inverse ? text.slice(1) : text, 'i') : undefined;
      } catch (e) {
        return `invalid regular expression "${text}": ${(e as Error).message}`;
      }
      this.inverse = inverse;
      this.filterText = text;
      this.cursorId = undefined;
      this.vp.home();
      return undefined;
    },
  };

  private toggle(n: XrayNode): void {
    if (!this.kids(n)) return;
    if (this.toggled.has(n.id)) this.toggled.delete(n.id);
    else this.toggled.add(n.id);
    this.foldVersion++;
  }

  /** Fold every node below the top, or unfold all (K9s's x). */
  private toggleAll(): void {
    this.allFolded = !this.allFolded;
    this.toggled.clear();
    this.foldVersion++;
  }

  /** The row and resource to read a node's object through (a reference with no row gets one from its name). */
  private source(n: XrayNode): { src: RowSource; row: Row } | undefined {
    const res = this.model.resourceOf(n);
    if (!res) return undefined;
    const row: Row = n.row ?? { key: `${n.context}|${n.namespace ? `${n.namespace}/` : ''}${n.name}`, context: n.context, namespace: n.namespace, name: n.name, uid: '', created: 0, cells: [], state: 'normal' };
    return { src: { resource: res, perContext: new Map([[n.context, res]]) }, row };
  }

  private podSource(n: XrayNode): { src: RowSource; pod: Row; container?: string } | undefined {
    const pod = n.kind === 'container' ? n.pod : n.kind === 'pod' ? n.row : undefined;
    const res = pod ? this.model.resourceOf({ ...n, plural: 'pods' }) : undefined;
    if (!pod || !res) return undefined;
    return { src: { resource: res, perContext: new Map([[n.context, res]]) }, pod, container: n.kind === 'container' ? n.name : undefined };
  }

  /** Enter: the object's own view, the cursor on it. */
  private async goto(n: XrayNode): Promise<void> {
    if (!n.plural || !n.row) {
      if (n.children.length) return this.toggle(n);
      return this.nav.flash(n.kind === 'container' ? `container ${n.name}: l shows its logs, s a shell` : `${n.kind}/${n.name} has no view to go to`, 'warn');
    }
    const ok = await this.nav.openSpec({ resource: n.plural, contexts: [n.context], namespace: n.namespace });
    const v = this.nav.view();
    if (ok && v) {
      v.moved = true;
      v.cursorKey = n.row.key;
    }
  }

  keys(): KeyAction[] {
    this.place();
    const nav = this.nav;
    const after = (a: KeyAction): KeyAction => ({ ...a, run: () => {
      a.run();
      this.cursorId = this.window(this.vp.cursor, 1)[0]?.node.id;
    } });
    const on = (fn: (n: XrayNode) => void) => () => {
      const n = this.current();
      if (n) fn(n);
    };
    const obj = (what: string, fn: (src: RowSource, row: Row) => void) => on((n) => {
      const s = this.source(n);
      if (s) fn(s.src, s.row);
      else nav.flash(`${n.kind}/${n.name}: nothing to ${what} (not an API object)`, 'warn');
    });
    const logs = (previous: boolean) => on((n) => {
      const p = this.podSource(n);
      if (p) return void openLogs(nav, p.src, p.pod, previous, p.container);
      const s = !previous && n.plural && WORKLOADS.has(n.plural) ? this.source(n) : undefined;
      if (s) return void openLogs(nav, s.src, s.row, false);
      nav.flash(`${n.kind}/${n.name} has no logs: pick a pod or a container${previous ? '' : ' (or a workload)'}`, 'warn');
    });
    const cur = this.current();
    const podLike = cur?.kind === 'pod' || cur?.kind === 'container';
    const ro = cur ? nav.session.readOnlyFor([cur.context, ...nav.session.active]) : undefined;
    return [
      ...navigationKeys(this.vp).map(after),
      { id: 'goto', keys: ['<enter>'], desc: 'go to its view (a context or namespace: fold)', section: 'Resource', hint: true, run: on((n) => void this.goto(n)) },
      { id: 'fold', keys: ['<space>'], desc: 'fold / unfold', section: 'Resource', hint: true, run: on((n) => this.toggle(n)) },
      { id: 'fold-all', keys: ['x'], desc: 'fold / unfold all', section: 'Resource', run: () => this.toggleAll() },
      { id: 'describe', keys: ['d'], desc: 'describe', section: 'Resource', hint: true, run: obj('describe', (src, row) => describeRow(nav, src, row)) },
      { id: 'yaml', keys: ['y'], desc: 'yaml', section: 'Resource', hint: true, run: obj('show as YAML', (src, row) => yamlRow(nav, src, row)) },
      { id: 'logs', keys: ['l'], desc: 'logs (pod, container, workload)', section: 'Resource', hint: true, run: logs(false) },
      { id: 'previous-logs', keys: ['p'], desc: 'previous logs (pod, container)', section: 'Resource', run: logs(true) },
      {
        id: 'shell', keys: ['s'], desc: 'shell (pod, container)', section: 'Resource', dangerous: true, hint: podLike,
        unavailable: ro ? nav.session.readOnlyMessage('shell', [cur!.context, ...nav.session.active]) : undefined,
        run: on((n) => {
          const p = this.podSource(n);
          if (!p) return nav.flash(`${n.kind}/${n.name}: a shell needs a pod or a container`, 'warn');
          const container = p.container ?? ((p.pod.extra as { containers?: { name: string }[] } | undefined)?.containers ?? [])[0]?.name;
          if (container) void podTerminal(nav, 'shell', { context: n.context, namespace: p.pod.namespace ?? '', pod: p.pod.name, container });
        }),
      },
    ];
  }

  render(ctx: RenderCtx): React.ReactElement[] {
    const { W, theme, mono } = ctx;
    this.place();
    const total = this.count();
    const { from, to } = this.vp.layout(total, Math.max(1, ctx.height - 2));
    const lines = this.window(from, to - from);
    this.cursorId = lines[this.vp.cursor - from]?.node.id;
    const body: React.ReactElement[] = [];
    for (let i = from; i < to; i++) {
      const { node, prefix } = lines[i - from];
      // a prefix is three cells a level
      const text = fit(' ' + prefix + clean(nodeText(node, this.isFolded(node, prefix.length / 3))), W - 2);
      // the skin's xray colors (views.xray): the cursor, the tree's lines, an ok node; a node
      // that is not ok takes the row color of its state
      const t = this.model.spec.contexts.length > 1 ? this.nav.session.themeFor(node.context) : theme;
      const bg = t.xrayBg || undefined;
      if (i === this.vp.cursor) body.push(<Text key={node.id} color={t.xrayCursorFg} backgroundColor={t.xrayCursorBg} inverse={mono}>{text}</Text>);
      else {
        const cut = Math.min(text.length, prefix.length + 1);
        const color = node.status === 'ok' ? t.xrayFg : rowColor(t, STATE[node.status]);
        body.push(
          <Text key={node.id} backgroundColor={bg} {...(mono ? monoRowStyle(STATE[node.status]) : {})}>
            <Text color={t.xrayGraphic}>{text.slice(0, cut)}</Text><Text color={color}>{text.slice(cut)}</Text>
          </Text>,
        );
      }
    }
    if (total === 0) {
      const msg = this.filterText ? 'nothing matches the filter' : `no ${this.model.plural}${this.model.spec.namespace ? ` in ${this.model.spec.namespace}` : ''}`;
      body.push(<Text key="empty" color={theme.fg}>{fit(`  ${msg}`, W - 2)}</Text>);
    }
    const ns = this.model.spec.namespace ?? 'all';
    const ctxs = this.model.spec.contexts.length > 1 ? `@${this.model.spec.contexts.join(',')}` : '';
    const title = ` xray ${this.model.plural}(${ns})${ctxs}[${this.model.count()}]${this.filterText ? ` </${this.filterText}>` : ''} `;
    return frame(ctx, width(title) > W - 4 ? fit(title, W - 5) : title, body, ctx.height);
  }

  dispose(): void {
    this.model.dispose();
  }
}
