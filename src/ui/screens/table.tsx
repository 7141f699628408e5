/**
 * A table view: the rows of one kind in one or several contexts, virtualized (only the rows
 * on screen become elements, one <Text> per row), with the keys its kind's capabilities bring.
 */
import React from 'react';
import { Text } from 'ink';
import type { TableView } from '../../app/session.js';
import { capabilitiesFor } from '../../resources/capabilities.js';
import { parseFilter, FilterError } from '../../store/filter.js';
import type { ViewColumn } from '../../store/view.js';
import { monoRowStyle } from '../../theme/theme.js';
import { bind, type KeyAction } from '../keys/keys.js';
import { MOVE_DEFS, tableKeyDefs } from '../keys/defs.js';
import type { Nav } from '../nav.js';
import { clean, fit, width } from '../text.js';
import { frame } from '../chrome/frame.js';
import { SortColumnDialog } from '../dialogs/sortcol.js';
import { cellTextOf, cursorStyle, headerLine, highlight, rowColor, shownState } from './cells.js';
import { layoutColumns } from './columns.js';
import type { RenderCtx, Screen } from './screen.js';
import { confirmDelete, confirmRows, cordonRows, describeRow, drill, openPortForward, podTerminalOf, scaleRows, targets, yamlRow } from '../actions/rows.js';
import { editRow } from '../actions/terminal.js';
import { denial, RBAC_CHECKED, whenAllowed } from '../actions/permissions.js';
import { openLogs } from '../actions/logs.js';
import { DrainScreen } from './drain.js';

/** The title's mark while a first list is still arriving. */
export const LOADING = 'loading…';

/** How many rows the column widths are measured on besides those in view (widths do not jump while paging). */
const WIDTH_SAMPLE = 400;

export class TableScreen implements Screen {
  readonly extensible = true;
  /** rows in view, as last drawn (PgDn moves by it) */
  private visible = 20;
  /** column widths measured so far, for one shape of the table (columns, wide, terminal width) */
  private widths?: { shape: string; natural: number[]; sampledAt: number };

  constructor(private readonly nav: Nav, readonly view: TableView) {}

  /** The view's stores go back to the registry: a store no other view holds stops its watch. */
  dispose(): void {
    this.view.dispose();
  }

  crumb(): string {
    return this.view.spec.label ?? this.view.resource.plural;
  }

  readonly filter = {
    get: () => this.view.vm.getFilter().raw,
    set: (text: string, final: boolean): string | undefined => {
      try {
        this.view.vm.setFilter(parseFilter(text));
        this.view.moveTo(0);
        return undefined;
      } catch (e) {
        const msg = e instanceof FilterError ? e.message : String(e);
        if (final) this.view.vm.setFilter(parseFilter(''));
        return msg;
      }
    },
  };

  keys(): KeyAction[] {
    const { nav, view: v } = this;
    const session = nav.session;
    const res = v.resource;
    const caps = capabilitiesFor(res);
    const on = (fn: (r: NonNullable<ReturnType<TableView['current']>>) => void) => () => {
      const r = v.current();
      if (r) fn(r);
    };
    const sort = (name: string) => () => {
      const cur = v.vm.getSort();
      const asc = cur.column === name ? !cur.asc : name !== 'AGE';
      v.vm.setSort({ column: name, asc });
      nav.flash(`sorted by ${name} ${asc ? 'ascending' : 'descending'}`);
    };
    const restart = (r: NonNullable<ReturnType<TableView['current']>>) => session.restart(v, r);
    // read-only, or the user's RBAC: the keys stay bound and say why they refuse, up front
    const ctxs = [...v.spec.contexts, ...session.active];
    const ro = session.readOnlyFor(ctxs);
    const rows = targets(v);
    const refuse = (what: string, id = what): Partial<KeyAction> => {
      if (ro) return { unavailable: session.readOnlyMessage(what, ctxs) };
      const why = denial(session, v, rows, id);
      return why ? { unavailable: why } : {};
    };
    const moves = bind(MOVE_DEFS, {
      down: () => v.move(1), up: () => v.move(-1), 'page-down': () => v.move(this.visible), 'page-up': () => v.move(-this.visible),
      top: () => v.moveTo(0), bottom: () => v.moveTo(v.rows().length - 1),
    });
    return [...moves, ...bind(tableKeyDefs(res, caps), {
      drill: on((r) => void drill(nav, v, r)),
      describe: on((r) => describeRow(nav, v, r)),
      yaml: on((r) => yamlRow(nav, v, r)),
      edit: on((r) => void editRow(nav, v, r)),
      delete: () => confirmDelete(nav, v),
      mark: on((r) => {
        if (v.marks.has(r.key)) v.marks.delete(r.key);
        else v.marks.add(r.key);
        v.move(1);
      }),
      'clear-marks': () => v.marks.clear(),
      wide: () => { v.wide = !v.wide; },
      faults: () => {
        v.vm.setFaultsOnly(!v.vm.getFaultsOnly());
        nav.flash(v.vm.getFaultsOnly() ? 'showing faults only' : 'showing all');
      },
      'sort-name': sort('NAME'),
      'sort-age': sort('AGE'),
      'sort-status': () => {
        const col = v.columns.find((c) => c.name === 'STATUS') ?? v.columns.find((c) => c.name === 'READY');
        if (col) sort(col.name)();
        else nav.flash('this view has no status column', 'warn');
      },
      'sort-column': () => {
        const d: SortColumnDialog = new SortColumnDialog({ columns: () => this.shownColumns().map((c) => c.name), onSort: (n) => sort(n)(), close: () => nav.closeDialog(d) });
        nav.openDialog(d);
      },
      logs: on((r) => void openLogs(nav, v, r, false)),
      'previous-logs': on((r) => void openLogs(nav, v, r, true)),
      shell: on((r) => void podTerminalOf(nav, 'shell', v, r)),
      attach: on((r) => void podTerminalOf(nav, 'attach', v, r)),
      'port-forward': on((r) => void session.fetch(v, r).then((pod) => openPortForward(nav, r.context, pod), (e) => nav.flash((e as Error).message, 'error'))),
      kill: () => confirmRows(nav, v, { verb: 'kill', note: 'deleted at once, with no grace period', act: (r) => session.kill(v, r) }),
      scale: () => scaleRows(nav, v),
      restart: () => confirmRows(nav, v, { verb: 'restart', note: 'a rollout restart: pods are replaced one set at a time', act: restart }),
      cordon: () => void cordonRows(nav, v, true),
      uncordon: () => void cordonRows(nav, v, false),
      drain: () => {
        const rows = targets(v);
        if (rows.length) nav.push(new DrainScreen(nav, rows.map((r) => ({ context: r.context, node: r.name }))));
      },
    }, {
      edit: refuse('edit'), delete: refuse('delete'), shell: refuse('shell'), attach: refuse('attach'), kill: refuse('kill'),
      scale: refuse('scale'), restart: refuse('restart'), cordon: refuse('cordon'), uncordon: refuse('uncordon'), drain: refuse('drain'),
      // reads are never read-only, but RBAC may still refuse them
      ...Object.fromEntries(['describe', 'yaml', 'logs', 'previous-logs', 'port-forward'].map((id) => {
        const why = denial(session, v, rows, id);
        return [id, why ? { unavailable: why } : {}];
      })),
    }).map((a) => (RBAC_CHECKED.includes(a.id) && !a.unavailable
      // not known yet whether the server allows it: ask first, act after
      ? { ...a, run: () => void whenAllowed(session, v, targets(v), a.id, a.run, (why) => nav.flash(why, 'error')) }
      : a)), ...this.favoriteKeys()];
  }

  /** 0 all namespaces, 1-9 the favorites. */
  private favoriteKeys(): KeyAction[] {
    if (!this.view.resource.namespaced) return [];
    const def = tableKeyDefs(this.view.resource).find((d) => d.id === 'favorite')!;
    const out: KeyAction[] = [{ ...def, keys: ['0'], label: '0-9', run: () => void this.nav.switchNamespace(undefined) }];
    for (let n = 1; n <= 9; n++) {
      out.push({ ...def, id: `favorite-${n}`, keys: [String(n)], label: undefined, hidden: true, run: () => {
        const fav = this.nav.session.favorites()[n - 1];
        if (fav) void this.nav.switchNamespace(fav);
        else this.nav.flash(`no favorite namespace on ${n} (:ns NAME adds one)`, 'warn');
      } });
    }
    return out;
  }

  private shownColumns(): ViewColumn[] {
    return this.view.columns.filter((c) => this.view.wide || !c.wide);
  }

  render(ctx: RenderCtx): React.ReactElement[] {
    const { W, theme, mono } = ctx;
    const v = this.view;
    const rows = v.rows();
    const cur = v.current();
    const visible = (this.visible = Math.max(1, ctx.height - 3));
    if (v.cursor < v.top) v.top = v.cursor;
    if (v.cursor >= v.top + visible) v.top = v.cursor - visible + 1;
    v.top = Math.max(0, Math.min(v.top, Math.max(0, rows.length - visible)));
    const slice = rows.slice(v.top, v.top + visible);
    const cols = this.shownColumns();
    const now = Date.now();
    const sort = v.vm.getSort();
    const sortDialog = this.nav.dialog() instanceof SortColumnDialog ? (this.nav.dialog() as SortColumnDialog) : undefined;
    // the column the sort dialog points at, in brackets (and selectedSortColumnColor)
    const picked = sortDialog ? cols[sortDialog.col]?.name : undefined;
    const headers = cols.map((c) => {
      const h = c.name + (sort.column === c.name ? (sort.asc ? '↑' : '↓') : '') + (c.kind === 'cpu' ? '(m)' : c.kind === 'mem' ? '(Mi)' : '');
      return c.name === picked ? `[${h}]` : h;
    });
    const texts = slice.map((r) => cols.map((c) => cellTextOf(v, r, c, now)));
    const natural = this.naturalWidths(cols, headers, texts, rows, now, W);
    const { keep, widths } = layoutColumns(cols, natural, W - 3, v.wide);
    const right = (c: ViewColumn) => (c.align ? c.align === 'right' : c.kind !== undefined && c.kind !== 'text');
    const line = (cells: string[]) => ' ' + keep.map((ci, i) => fit(cells[ci], widths[i], right(cols[ci]) ? 'right' : 'left')).join('  ');
    const body: React.ReactElement[] = [];
    body.push(React.cloneElement(headerLine(theme, keep.map((ci, i) => {
      const name = cols[ci].name;
      return { text: fit(headers[ci], widths[i], right(cols[ci]) ? 'right' : 'left'), selected: picked === name, sorted: sort.column === name };
    }), W - 2), { key: 'hdr' }));
    slice.forEach((r, i) => {
      const marked = v.marks.has(r.key);
      const state = shownState(r, now);
      const rt = v.spec.contexts.length > 1 ? this.nav.session.themeFor(r.context) : theme;
      const color = marked ? rt.mark : rowColor(rt, state);
      const text = fit(line(texts[i]), W - 2);
      const hl = v.vm.highlights.get(r.key);
      const ms = mono ? monoRowStyle(marked ? 'marked' : state) : {};
      if (cur && r.key === cur.key) body.push(<Text key={r.key} {...cursorStyle(rt, color, mono)}>{text}</Text>);
      // rows on views.table.bgColor (else the body's), as K9s draws its table
      else if (hl && hl.length) body.push(<Text key={r.key} color={color} backgroundColor={rt.tableBg || undefined} {...ms}>{highlight(text, r.name, hl)}</Text>);
      else body.push(<Text key={r.key} color={color} backgroundColor={rt.tableBg || undefined} {...ms}>{text}</Text>);
    });
    const problems = v.sourceProblems();
    if (rows.length === 0) {
      const st0 = v.storeStatus();
      const msg = problems.length ? problems.map((e) => `${e.context}: ${e.message}`).join('; ') : st0.every((x) => x.synced) ? 'no objects' : 'loading...';
      body.push(<Text key="empty" color={problems.length ? theme.rowError : theme.fg}>{fit('  ' + clean(msg), W - 2)}</Text>);
    }
    return frame(ctx, this.title(ctx, rows.length, problems), body, ctx.height);
  }

  /**
   * Each column's natural width: the widest of its header, the rows in view and a sample of
   * all rows, kept for as long as the table's shape stays; so widths do not jump while paging.
   */
  private naturalWidths(cols: ViewColumn[], headers: string[], texts: string[][], rows: ReturnType<TableView['rows']>, now: number, W: number): number[] {
    const shape = `${cols.map((c) => c.name).join(',')}|${W}`;
    let w = this.widths;
    if (!w || w.shape !== shape || now - w.sampledAt > 5000) {
      const natural = headers.map((h) => width(h));
      const step = Math.max(1, Math.floor(rows.length / WIDTH_SAMPLE));
      for (let i = 0; i < rows.length; i += step) {
        cols.forEach((c, ci) => {
          const t = cellTextOf(this.view, rows[i], c, now);
          const tw = width(t);
          if (tw > natural[ci]) natural[ci] = tw;
        });
      }
      w = this.widths = { shape, natural: w && w.shape === shape ? w.natural.map((x, i) => Math.max(x, natural[i])) : natural, sampledAt: now };
    }
    // a header may grow while the widths are kept (the sort dialog's brackets)
    for (const t of [headers, ...texts]) t.forEach((s, i) => {
      const tw = width(s);
      if (tw > w.natural[i]) w.natural[i] = tw;
    });
    return w.natural;
  }

  private title(ctx: RenderCtx, shown: number, problems: ReturnType<TableView['sourceProblems']>): React.ReactElement {
    const { theme } = ctx;
    const v = this.view;
    const ns = v.resource.namespaced ? (v.spec.namespace ?? 'all') : '';
    const f = v.vm.getFilter();
    // each source that is not the cluster's truth, named with what is wrong: (prod forbidden; dev unreachable)
    const byLabel = new Map<string, string[]>();
    for (const p of problems) byLabel.set(p.label, [...(byLabel.get(p.label) ?? []), p.context]);
    const errText = [...byLabel].map(([label, ctxs]) => `${ctxs.join(',')} ${label}`).join('; ');
    const label = v.spec.label ?? v.resource.plural;
    const ctxPart = v.spec.contexts.length > 1 ? `@${v.spec.contexts.join(',')}` : '';
    // a label selector typed with the command shows (a drill-down's label already says it)
    const sel = v.spec.labelSelector && !v.spec.label ? ` <-l ${v.spec.labelSelector}>` : '';
    const count = `[${shown}${shown !== v.vm.total ? `/${v.vm.total}` : ''}]`;
    // a first list still coming in: the count climbs as its pages arrive
    const loading = v.loading() ? ` ${LOADING}` : '';
    const titleStr = ` ${label}${ns ? `(${ns})` : ''}${ctxPart}${count}${sel}${f.raw ? ` </${f.raw}>` : ''}${v.vm.getFaultsOnly() ? ' <faults>' : ''}${loading}${errText ? ` (${errText})` : ''} `;
    // K9s's title: the kind bold, the namespace in highlightColor, the count in counterColor, the
    // filter reversed in filterColor, all on title.bgColor
    return (
      <Text data-width={width(titleStr)} backgroundColor={theme.titleBg || undefined}>
        <Text color={theme.title} bold>{` ${label}`}</Text>
        {ns ? <Text color={theme.title}>(<Text color={theme.titleHighlight} bold>{ns}</Text>)</Text> : null}
        {ctxPart ? <Text color={theme.title}>{ctxPart}</Text> : null}
        <Text color={theme.title}>[<Text color={theme.titleCounter} bold>{count.slice(1, -1)}</Text>]</Text>
        {sel ? <Text color={theme.titleFilter}>{sel}</Text> : null}
        {f.raw ? <Text color={theme.title}>{' <'}<Text color={theme.titleFilter} inverse>{`/${f.raw}`}</Text>{'>'}</Text> : null}
        {v.vm.getFaultsOnly() ? <Text color={theme.rowError}> {'<faults>'}</Text> : null}
        {loading ? <Text color={theme.titleCounter}>{loading}</Text> : null}
        {errText ? <Text color={theme.rowError}>{` (${errText})`}</Text> : null}
        <Text> </Text>
      </Text>
    );
  }
}
