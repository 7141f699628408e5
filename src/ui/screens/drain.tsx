/**
 * Drain: kubectl drain's options, then the plan (evicted, skipped, refusing, with kubectl's
 * reasons) before anything changes, then live progress per pod with the PodDisruptionBudget
 * that blocks. esc cancels: what is evicted stays evicted, the node stays cordoned.
 */
import React from 'react';
import { Text } from 'ink';
import { DEFAULT_DRAIN_OPTIONS, refusalMessage, type DrainOptions, type DrainPlan } from '../../actions/drain-plan.js';
import type { DrainResult, PodProgress } from '../../actions/drain-run.js';
import type { KeyAction, Press } from '../keys/keys.js';
import type { Nav } from '../nav.js';
import { clean, fit } from '../text.js';
import { frame } from '../chrome/frame.js';
import type { RenderCtx, Screen } from './screen.js';

const FIELDS: { key: keyof DrainOptions; label: string; kind: 'number' | 'bool' | 'text' }[] = [
  { key: 'gracePeriodSeconds', label: 'Grace period (s, -1 = the pod\'s own)', kind: 'number' },
  { key: 'timeoutSeconds', label: 'Timeout (s, 0 = none)', kind: 'number' },
  { key: 'ignoreDaemonSets', label: 'Ignore DaemonSets', kind: 'bool' },
  { key: 'deleteEmptyDirData', label: 'Delete emptyDir data', kind: 'bool' },
  { key: 'force', label: 'Force (pods with no controller)', kind: 'bool' },
  { key: 'disableEviction', label: 'Disable eviction (plain delete, ignores PDBs)', kind: 'bool' },
  { key: 'podSelector', label: 'Pod selector', kind: 'text' },
  { key: 'dryRun', label: 'Dry run (change nothing)', kind: 'bool' },
];

export class DrainScreen implements Screen {
  stage: 'options' | 'planning' | 'plan' | 'running' | 'done' = 'options';
  readonly opts: DrainOptions = { ...DEFAULT_DRAIN_OPTIONS };
  field = 0;
  plans: ({ plan?: DrainPlan; error?: string } | undefined)[] = [];
  current = 0;
  progress = new Map<string, PodProgress>();
  notes: string[] = [];
  results: DrainResult[] = [];
  started?: number;
  /** when it ended (done or cancelled): the clock stops there */
  ended?: number;
  cancelled = false;
  abort?: AbortController;
  top = 0;

  constructor(private readonly nav: Nav, readonly targets: { context: string; node: string }[]) {}

  get title(): string {
    return this.targets.length === 1 ? `drain ${this.targets[0].node}` : `drain ${this.targets.length} nodes`;
  }

  crumb(): string {
    return 'drain';
  }

  /** What evicting is called: with eviction disabled pods are deleted, not evicted. */
  private get verb(): { doing: string; done: string } {
    return this.opts.disableEviction ? { doing: 'delete', done: 'deleted' } : { doing: 'evict', done: 'evicted' };
  }

  keys(): KeyAction[] {
    const scroll = (d: number) => () => { this.top = Math.max(0, this.top + d); };
    const keys: KeyAction[] = [];
    if (this.stage !== 'options') {
      keys.push({ id: 'down', keys: ['j', '<down>'], desc: 'scroll down', section: 'Navigation', run: scroll(1) }, { id: 'up', keys: ['k', '<up>'], desc: 'scroll up', section: 'Navigation', run: scroll(-1) });
    }
    if (this.stage === 'plan') {
      keys.push(
        { id: 'go', keys: ['<enter>'], desc: this.opts.dryRun ? 'run the dry run' : 'cordon and drain', section: 'Resource', hint: true, run: () => {
          if (this.plans.some((p) => p?.plan)) void this.run();
          else this.nav.flash('nothing to drain: every plan failed', 'error');
        } },
        { id: 'options', keys: ['o'], desc: 'options', section: 'Resource', hint: true, run: () => { this.stage = 'options'; } },
      );
    }
    if (this.stage === 'running') {
      // esc cancels here (before the global esc, which would leave the screen)
      keys.push({ id: 'cancel', keys: ['<esc>'], desc: 'cancel (evicted pods stay evicted, the node stays cordoned)', section: 'Resource', hint: true, run: () => {
        this.cancelled = true;
        this.abort?.abort();
        this.nav.flash('cancelling the drain: evicted pods stay evicted, the node stays cordoned');
      } });
    }
    if (this.stage === 'done') keys.push({ id: 'close', keys: ['<enter>'], desc: 'close', section: 'Resource', run: () => this.nav.pop() });
    return keys;
  }

  /** The options form takes typing (digits, text) before any key binding. */
  input(input: string, k: Press): boolean {
    if (this.stage !== 'options') return false;
    const f = FIELDS[this.field];
    if (k.escape) return false;
    if (k.upArrow || (k.tab && k.shift)) this.field = (this.field + FIELDS.length - 1) % FIELDS.length;
    else if (k.downArrow || k.tab) this.field = (this.field + 1) % FIELDS.length;
    else if (k.return) void this.plan();
    else if (f.kind === 'bool' && input === ' ') (this.opts as any)[f.key] = !(this.opts as any)[f.key];
    else if (f.kind === 'number') {
      const cur = String((this.opts as any)[f.key]);
      let next = cur;
      if (k.backspace || k.delete) next = cur.slice(0, -1);
      else if (/^[0-9-]$/.test(input)) next = cur === '0' || cur === '-1' ? input : cur + input;
      else return false;
      const n = next === '' || next === '-' ? 0 : Number(next);
      if (Number.isInteger(n) && n >= -1) (this.opts as any)[f.key] = n;
    } else if (f.kind === 'text') {
      const cur = String((this.opts as any)[f.key]);
      if (k.backspace || k.delete) (this.opts as any)[f.key] = cur.slice(0, -1);
      else if (input && !k.ctrl && input >= ' ') (this.opts as any)[f.key] = cur + input;
      else return false;
    } else return false;
    return true;
  }

  async plan(): Promise<void> {
    this.stage = 'planning';
    this.plans = [];
    this.nav.redraw();
    for (const t of this.targets) {
      try {
        this.plans.push({ plan: await this.nav.session.previewDrain(t.context, t.node, this.opts) });
      } catch (e) {
        this.plans.push({ error: (e as Error).message });
      }
    }
    if (this.stage === 'planning') this.stage = 'plan';
    this.nav.redraw();
  }

  async run(): Promise<void> {
    this.stage = 'running';
    this.started = Date.now();
    this.results = [];
    for (this.current = 0; this.current < this.targets.length; this.current++) {
      const t = this.targets[this.current];
      this.progress = new Map();
      this.notes = [];
      this.abort = new AbortController();
      try {
        const res = await this.nav.session.drain(t.context, t.node, this.opts, {
          signal: this.abort.signal,
          onEvent: (ev) => {
            if (ev.type === 'cordon') this.notes.push(`node/${ev.node} ${ev.result}${this.opts.dryRun ? ' (dry run)' : ''}`);
            else if (ev.type === 'plan') this.notes.push(...ev.warnings);
            else if (ev.type === 'pod') this.progress.set(ev.pod.entry.uid, ev.pod);
            this.nav.redraw();
          },
        });
        this.results.push(res);
      } catch (e) {
        this.results.push({ node: t.node, outcome: 'failed', message: (e as Error).message, evicted: [], remaining: [] });
      }
      this.nav.redraw();
      if (this.abort.signal.aborted) break;
    }
    this.stage = 'done';
    this.ended = Date.now();
    const summary = this.results.map((r) => `${r.node}: ${r.outcome}`).join('; ');
    this.nav.flash(summary, this.results.every((r) => r.outcome === 'drained' || r.outcome === 'dry run') ? 'info' : 'warn');
    this.nav.redraw();
  }

  render(ctx: RenderCtx): React.ReactElement[] {
    const { W, theme, mono } = ctx;
    const body: React.ReactElement[] = [];
    const line = (k: string, text: string, color: string = theme.fg, bold = false) => body.push(<Text key={k} color={color} bold={bold}>{fit(' ' + clean(text), W - 2)}</Text>);
    const where = (i: number) => `${this.targets[i].node}${this.targets.length > 1 || this.nav.session.active.length > 1 ? ` (${this.targets[i].context})` : ''}`;
    if (this.stage === 'options') {
      line('h', `Drain ${this.targets.map((_t, i) => where(i)).join(', ')}: kubectl drain's options`, theme.title, true);
      line('h2', '');
      FIELDS.forEach((f, i) => {
        const v = (this.opts as any)[f.key];
        const val = f.kind === 'bool' ? (v ? '[x]' : '[ ]') : f.kind === 'text' ? `[${v}${i === this.field ? '_' : ''}]` : `[${v}]`;
        const text = fit(' ' + `${i === this.field ? '>' : ' '} ${fit(f.label, 48)} ${val}`, W - 2);
        body.push(i === this.field ? <Text key={`f${i}`} color={theme.cursorFg} backgroundColor={theme.cursorBg} inverse={mono}>{text}</Text> : <Text key={`f${i}`} color={theme.fg}>{text}</Text>);
      });
      line('h3', '');
      line('h4', '↑/↓ choose   <space> toggle   type digits or text to edit   <enter> show the plan   <esc> cancel', theme.menuDesc);
      return frame(ctx, ` ${this.title} `, body, ctx.height);
    }
    if (this.stage === 'planning') {
      line('p', 'Reading the node\'s pods and their DaemonSets... (nothing is changed yet)', theme.flashInfo);
      return frame(ctx, ` ${this.title}: plan `, body, ctx.height);
    }
    if (this.stage === 'plan') return this.renderPlan(ctx, body, line, where);
    return this.renderProgress(ctx, body, line, where);
  }

  private renderPlan(ctx: RenderCtx, body: React.ReactElement[], line: (k: string, t: string, c?: string, b?: boolean) => void, where: (i: number) => string): React.ReactElement[] {
    const { theme } = ctx;
    const v = this.verb;
    this.plans.forEach((p, i) => {
      line(`n${i}`, `Node ${where(i)}${this.opts.dryRun ? '   (dry run: nothing will change)' : ''}`, theme.title, true);
      if (!p || p.error) return line(`e${i}`, `  cannot plan: ${p?.error ?? 'unknown error'}`, theme.rowError);
      const plan = p.plan!;
      const ev = plan.entries.filter((e) => e.kind === 'evict');
      const sk = plan.entries.filter((e) => e.kind === 'skip');
      const rf = plan.entries.filter((e) => e.kind === 'refuse');
      line(`s${i}`, `  ${ev.length} to ${v.doing}, ${sk.length} skipped, ${rf.length} refusing`);
      for (const e of rf) line(`r${i}${e.uid}`, `  REFUSES  ${e.namespace}/${e.name}: cannot delete ${e.reason}`, theme.rowError);
      for (const e of ev) line(`v${i}${e.uid}`, `  ${fit(v.doing, 8)} ${e.namespace}/${e.name}${e.warning ? `  (${e.warning})` : ''}${e.emptyDir && !e.warning ? '  (emptyDir data is lost)' : ''}`, theme.rowNormal);
      for (const e of sk) line(`k${i}${e.uid}`, `  skip     ${e.namespace}/${e.name}  (${e.warning ?? 'mirror pod'})`, theme.rowCompleted);
      if (!plan.ok) line(`x${i}`, `  kubectl would stop here: ${refusalMessage(plan)}`, theme.rowError);
    });
    const shown = body.splice(0);
    const inner = ctx.height - 4;
    this.top = Math.max(0, Math.min(this.top, Math.max(0, shown.length - inner)));
    body.push(...shown.slice(this.top, this.top + inner));
    line('keys', `<enter> ${this.opts.dryRun ? 'run the dry run' : 'cordon and drain'}   o options   <esc> cancel   j/k scroll`, theme.menuDesc);
    return frame(ctx, ` ${this.title}: plan `, body, ctx.height);
  }

  private renderProgress(ctx: RenderCtx, body: React.ReactElement[], line: (k: string, t: string, c?: string, b?: boolean) => void, where: (i: number) => string): React.ReactElement[] {
    const { W, theme } = ctx;
    const v = this.verb;
    const elapsed = this.started ? Math.round(((this.ended ?? Date.now()) - this.started) / 1000) : 0;
    const list = [...this.progress.values()];
    const gone = list.filter((p) => p.phase === 'gone').length;
    const total = list.length;
    const barW = Math.max(10, Math.min(50, W - 60));
    const filled = total ? Math.round((gone / total) * barW) : this.stage === 'done' ? barW : 0;
    const nodeNo = this.targets.length > 1 ? `node ${Math.min(this.current + 1, this.targets.length)}/${this.targets.length} ` : '';
    line('bar', `${nodeNo}${where(Math.min(this.current, this.targets.length - 1))}  [${'#'.repeat(filled)}${'-'.repeat(barW - filled)}] ${gone}/${total} ${v.done}   ${elapsed}s${this.cancelled ? '   cancelled' : ''}`, theme.title, true);
    for (const [i, n] of this.notes.entries()) line(`note${i}`, n, /^Warning/.test(n) ? theme.flashWarn : theme.fg);
    const rows: React.ReactElement[] = [];
    for (const p of list) {
      const id = `${p.entry.namespace}/${p.entry.name}`;
      let text: string;
      let color = theme.fg;
      switch (p.phase) {
        case 'pending': text = 'waiting'; break;
        case 'evicting': text = `${v.doing === 'evict' ? 'evicting' : 'deleting'}${p.attempts > 1 ? ` (attempt ${p.attempts})` : ''}`; color = theme.rowPending; break;
        case 'blocked': {
          const wait = p.nextRetryAt && !this.cancelled ? Math.max(0, Math.ceil((p.nextRetryAt - Date.now()) / 1000)) : 0;
          text = this.cancelled ? `${p.detail}; cancelled` : `${p.detail}, retrying in ${wait}s`;
          color = theme.rowError;
          break;
        }
        case 'terminating': text = 'terminating'; color = theme.rowTerminating; break;
        case 'gone': text = p.replacedBy ? `gone, replaced by ${p.replacedBy.name} on ${p.replacedBy.node}` : 'gone'; color = theme.rowCompleted; break;
        case 'failed': text = `failed: ${p.detail}`; color = theme.rowError; break;
        default: text = 'remains on the node'; color = theme.rowPending;
      }
      rows.push(<Text key={`pp${p.entry.uid}`} color={color}>{fit(` ${fit(id, 56)} ${clean(text)}`, W - 2)}</Text>);
    }
    const resLines = this.results.map((r, i) => <Text key={`res${i}`} color={r.outcome === 'drained' || r.outcome === 'dry run' ? theme.rowNormal : theme.rowError} bold>{fit(` ${r.node}: ${r.outcome}: ${clean(r.message)}`, W - 2)}</Text>);
    const inner = ctx.height - 4 - body.length - resLines.length;
    this.top = Math.max(0, Math.min(this.top, Math.max(0, rows.length - inner)));
    body.push(...rows.slice(this.top, this.top + Math.max(0, inner)), ...resLines);
    line('keys', this.stage === 'running' ? '<esc> cancel (evicted pods stay evicted, the node stays cordoned)   j/k scroll' : '<esc>/<enter> close', theme.menuDesc);
    const state = this.stage === 'done' ? (this.cancelled ? ': cancelled' : ': done') : this.cancelled ? ': cancelling' : '';
    return frame(ctx, ` ${this.title}${state} `, body, ctx.height);
  }
}
