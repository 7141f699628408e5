/**
 * A list screen: contexts, skins, plugins, aliases, port-forwards, containers, problems. The
 * rows come from a source (src/ui/screens/lists.ts); the screen gives them the same keys
 * everywhere: moving, paging, g/G, `/` filtering, marks, enter and the source's own keys.
 */
import React from 'react';
import { Text } from 'ink';
import type { Theme } from '../../theme/theme.js';
import type { KeyAction } from '../keys/keys.js';
import type { Nav } from '../nav.js';
import { Viewport } from '../scroll.js';
import { clean, fit, width } from '../text.js';
import { frame } from '../chrome/frame.js';
import { navigationKeys } from './navigation.js';
import { shrink } from './columns.js';
import { cursorStyle } from './cells.js';
import type { PluginScope, RenderCtx, Screen } from './screen.js';
import type { Plugin } from '../../plugins/load.js';
import type { PluginVars } from '../../plugins/vars.js';

export interface ListRow {
  key: string;
  cells: string[];
  color?: keyof Theme;
  /** colors drawn as small blocks after the cells (the :skins preview) */
  swatches?: string[];
}

export interface ListSource {
  title: string;
  columns: string[];
  rows(): ListRow[];
  hint?: string;
  /** what an empty list says */
  empty?: string;
  /** where the cursor starts (e.g. the skin in use) */
  initial?(rows: ListRow[]): number;
  /** space marks rows: enter then gets them all */
  markable?: boolean;
  enterDesc?: string;
  onEnter?(row: ListRow, marked: string[]): void;
  /** keys of this list's own, on the cursor row */
  actions?: { id: string; keys: string[]; desc: string; dangerous?: boolean; unavailable?: string; run(row: ListRow, marked: string[]): void }[];
  /** plugins apply to its rows (a pod's containers): the scope names, contexts, and a run on a row */
  plugins?: { names: string[]; contexts: string[]; run(p: Plugin, row: ListRow): void; vars?(row: ListRow): PluginVars };
  /** what the list opened (stores, timers), closed when the screen goes */
  dispose?(): void;
}

export class ListScreen implements Screen {
  readonly vp = new Viewport(true);
  readonly marks = new Set<string>();
  private filterText = '';
  private filterRe?: RegExp;
  private placed = false;

  constructor(private readonly nav: Nav, readonly source: ListSource) {}

  crumb(): string {
    return this.source.title.split(/[\s(]/)[0];
  }

  /** The rows shown: the source's, through the filter. */
  rows(): ListRow[] {
    const all = this.source.rows();
    const re = this.filterRe;
    return re ? all.filter((r) => r.cells.some((c) => re.test(c))) : all;
  }

  current(): ListRow | undefined {
    return this.rows()[this.vp.cursor];
  }

  pluginScope(): PluginScope | undefined {
    const ps = this.source.plugins;
    if (!ps) return undefined;
    return {
      names: ps.names, contexts: ps.contexts, run: (p) => {
        const r = this.current();
        if (r) ps.run(p, r);
      },
      vars: () => {
        const r = this.current();
        return r && ps.vars ? ps.vars(r) : undefined;
      },
    };
  }

  readonly filter = {
    get: () => this.filterText,
    set: (text: string): string | undefined => {
      try {
        this.filterRe = text ? new RegExp(text, 'i') : undefined;
      } catch (e) {
        return `invalid regular expression "${text}": ${(e as Error).message}`;
      }
      this.filterText = text;
      this.vp.home();
      return undefined;
    },
  };

  keys(): KeyAction[] {
    // keys can come before the next drawing (typed fast, or right after the list opened or was
    // filtered): the viewport moves within the rows there are now, not those last drawn
    this.vp.count = this.rows().length;
    const out: KeyAction[] = navigationKeys(this.vp);
    const on = (fn: (r: ListRow) => void) => () => {
      const r = this.current();
      if (r) fn(r);
    };
    if (this.source.markable) {
      out.push({ id: 'mark', keys: ['<space>'], desc: 'mark', section: 'Resource', hint: true, run: on((r) => (this.marks.has(r.key) ? this.marks.delete(r.key) : this.marks.add(r.key))) });
    }
    for (const a of this.source.actions ?? []) out.push({ ...a, section: 'Resource', hint: true, run: on((r) => a.run(r, [...this.marks])) });
    if (this.source.onEnter) {
      const enter = this.source.onEnter;
      out.push({ id: 'enter', keys: ['<enter>'], desc: this.source.enterDesc ?? 'select', section: 'Resource', hint: true, run: on((r) => enter(r, [...this.marks])) });
    }
    return out;
  }

  dispose(): void {
    this.source.dispose?.();
  }

  render(ctx: RenderCtx): React.ReactElement[] {
    const { W, theme, mono } = ctx;
    const rows = this.rows();
    if (!this.placed && rows.length) {
      this.placed = true;
      const at = this.source.initial?.(rows);
      if (at !== undefined && at >= 0) {
        this.vp.layout(rows.length, Math.max(1, ctx.height - 3));
        this.vp.select(at);
      }
    }
    const { from, to } = this.vp.layout(rows.length, Math.max(1, ctx.height - 3));
    const slice = rows.slice(from, to);
    const cols = this.source.columns;
    const widths = cols.map((c, i) => Math.max(width(c), ...slice.map((r) => width(clean(r.cells[i] ?? '')))));
    shrink(widths, widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1), W - 3);
    const line = (cells: string[]) => ' ' + cells.map((t, i) => fit(clean(t ?? ''), widths[i])).join('  ');
    const body: React.ReactElement[] = [<Text key="h" color={theme.tableHeader} bold>{fit(line(cols), W - 2)}</Text>];
    slice.forEach((r, i) => {
      const idx = from + i;
      const text = fit(line(r.cells), W - 2);
      const color = this.marks.has(r.key) ? theme.mark : (theme[r.color ?? 'rowNormal'] ?? '');
      if (idx === this.vp.cursor) body.push(<Text key={r.key} {...cursorStyle(theme, color, mono)}>{text}</Text>);
      else if (r.swatches) {
        const sw = r.swatches.length * 2 + 1;
        body.push(<Text key={r.key}><Text color={theme.rowNormal}>{fit(line(r.cells), W - 2 - sw)}</Text><Text> </Text>{r.swatches.map((c, j) => <Text key={j} color={c || undefined}>{mono ? '  ' : '██'}</Text>)}</Text>);
      } else body.push(<Text key={r.key} color={color}>{text}</Text>);
    });
    if (rows.length === 0 && this.source.empty) body.push(<Text key="empty" color={theme.fg}>{fit(`  ${this.filterText ? 'nothing matches the filter' : this.source.empty}`, W - 2)}</Text>);
    const all = this.source.rows().length;
    const count = rows.length === all ? `${all}` : `${rows.length}/${all}`;
    const title = ` ${this.source.title}[${count}]${this.filterText ? ` </${this.filterText}>` : ''}${this.source.hint ? `  ${this.source.hint}` : ''} `;
    return frame(ctx, title, body, ctx.height);
  }
}
