/**
 * The navigator: the screen stack, the modal stack, the history of views, and where a key
 * goes. It holds no drawing (App.tsx and the screens draw) and makes no request (the session
 * does): screens and dialogs call it to push, pop, open views, prompt and flash.
 */
import type { Session, TableView, ViewSpec } from '../app/session.js';
import { bindPlugins, scopeNames, type Plugin } from '../plugins/load.js';
import { bind, dispatch, keyNameOf, matches, takenKeys, withExtensions, type KeyAction, type Press } from './keys/keys.js';
import { FILTER_DEFS, GLOBAL_DEFS } from './keys/defs.js';
import type { Dialog } from './dialogs/dialog.js';
import { PromptDialog } from './dialogs/prompt.js';
import type { PluginScope, Screen } from './screens/screen.js';
import { TableScreen } from './screens/table.js';
import { HelpScreen } from './screens/help.js';
import { runCommand, suggest } from './commands.js';
import { rowColumns, rowTarget, startPlugin } from './actions/plugins.js';
import { substitute, type PluginVars } from '../plugins/vars.js';

export type FlashLevel = 'info' | 'warn' | 'error';

export class Nav {
  readonly stack: Screen[] = [];
  readonly dialogs: Dialog[] = [];
  history: ViewSpec[] = [];
  histIdx = -1;
  showHeader: boolean;
  showCrumbs: boolean;
  /** why the last view could not be opened (drawn while there is no view at all) */
  openError = '';
  /** the terminal's size, as last drawn */
  W = 100;
  H = 40;
  /** views asked for so far (the latest one wins) */
  private opening = 0;
  /** the key being handled, for the key-to-frame measure */
  pendingKey?: { label: string; t: number };
  /** set by App: redraw, leave, hand the terminal to a child */
  redraw: () => void = () => {};
  exit: () => void = () => {};
  suspend: (fn: () => void | Promise<void>) => Promise<void> = async (fn) => {
    await fn();
  };

  /** the configVersion whose ui keys were last applied */
  private configSeen: number;

  constructor(readonly session: Session, readonly initial: ViewSpec, private readonly flags: { headless?: boolean; crumbsless?: boolean; logoless?: boolean } = {}) {
    const ui = session.config.config.ui;
    this.showHeader = !(flags.headless || ui.headless);
    this.showCrumbs = !(flags.crumbsless || ui.crumbsless);
    this.configSeen = session.configVersion;
    session.onViewsChanged(() => void this.rebuildTables());
  }

  /** The logo's place is left empty (--logoless, ui.logoless). */
  get logoless(): boolean {
    return !!this.flags.logoless || this.session.config.config.ui.logoless;
  }

  /** config.yaml was read again (ui.reactive): its header and crumbs settings apply now; the flags still win. */
  applyConfig(): void {
    if (this.configSeen === this.session.configVersion) return;
    this.configSeen = this.session.configVersion;
    const ui = this.session.config.config.ui;
    this.showHeader = !(this.flags.headless || ui.headless);
    this.showCrumbs = !(this.flags.crumbsless || ui.crumbsless);
  }

  /**
   * views.yaml changed: every table on the stack is built again with its columns (same spec,
   * filter, cursor row and wide mode), the screens above it left as they are.
   */
  private async rebuildTables(): Promise<void> {
    for (let i = 0; i < this.stack.length; i++) {
      const old = this.stack[i];
      if (!(old instanceof TableScreen)) continue;
      const v = old.view;
      let fresh: TableView;
      try {
        fresh = await this.session.openTable({ ...v.spec, filter: v.vm.getFilter().raw || undefined });
      } catch (e) {
        this.flash(`views.yaml: ${(e as Error).message}`, 'error');
        continue;
      }
      // the stack may have moved while the table opened
      const at = this.stack.indexOf(old);
      if (at < 0) {
        fresh.dispose();
        continue;
      }
      fresh.wide = v.wide;
      fresh.moved = v.moved;
      fresh.cursorKey = v.cursorKey;
      fresh.cursor = v.cursor;
      for (const m of v.marks) fresh.marks.add(m);
      this.stack[at] = new TableScreen(this, fresh);
      v.dispose();
    }
    this.redraw();
  }

  // ------------------------------------------------------------------ stacks
  top(): Screen | undefined {
    return this.stack[this.stack.length - 1];
  }

  /** The table view on top, if the top is one. */
  view(): TableView | undefined {
    return this.top()?.view;
  }

  push(s: Screen): void {
    this.stack.push(s);
    this.redraw();
  }

  pop(): void {
    if (this.stack.length <= 1) return;
    this.stack.pop()?.dispose?.();
    this.redraw();
  }

  /** Close everything (kmux is leaving). */
  dispose(): void {
    for (const s of this.stack.splice(0)) s.dispose?.();
  }

  dialog(): Dialog | undefined {
    return this.dialogs[this.dialogs.length - 1];
  }

  openDialog(d: Dialog): void {
    this.dialogs.push(d);
    this.redraw();
  }

  closeDialog(d: Dialog): void {
    const i = this.dialogs.lastIndexOf(d);
    if (i >= 0) this.dialogs.splice(i, 1);
    this.redraw();
  }

  flash(text: string, level: FlashLevel = 'info'): void {
    this.session.flash(text, level);
  }

  // ------------------------------------------------------------------ views
  /** Open a table view; false (and the reason flashed) when it cannot be opened. */
  async openSpec(spec: ViewSpec, opts: { replace?: boolean; record?: boolean; reset?: boolean } = {}): Promise<boolean> {
    // the last view asked for wins: one that was asked for earlier and arrives later is dropped
    const seq = ++this.opening;
    let view: TableView;
    try {
      view = await this.session.openTable(spec);
    } catch (e) {
      if (seq !== this.opening) return false;
      this.openError = (e as Error).message;
      this.flash((e as Error).message, 'error');
      return false;
    }
    if (seq !== this.opening) {
      view.dispose();
      return false;
    }
    if (opts.reset) for (const old of this.stack.splice(0)) old.dispose?.();
    else if (opts.replace) this.stack.pop()?.dispose?.();
    this.stack.push(new TableScreen(this, view));
    if (opts.record !== false) {
      this.history = this.history.slice(0, this.histIdx + 1);
      this.history.push(spec);
      this.histIdx = this.history.length - 1;
    }
    this.session.rememberView(view.spec);
    this.openError = '';
    this.redraw();
    return true;
  }

  /** The spec of the view on top, or the last one recorded. */
  currentSpec(): ViewSpec {
    return this.view()?.spec ?? this.history[this.histIdx] ?? this.initial;
  }

  switchContexts(names: string[]): void {
    try {
      for (const n of names) this.session.client(n);
    } catch (e) {
      return this.flash((e as Error).message, 'error');
    }
    this.session.setActive(names);
    this.flash(`context: ${names.join(', ')}`);
    void this.openSpec({ ...this.currentSpec(), contexts: names }, { reset: true });
  }

  /**
   * The view opens first: a namespace that does not exist is refused there, and is neither
   * switched to nor saved as a favorite.
   */
  async switchNamespace(ns: string | undefined): Promise<void> {
    const base = this.currentSpec();
    const resource = base.resource === 'namespaces' || base.resource === 'ns' ? 'pods' : base.resource;
    const ok = await this.openSpec({ ...base, resource, namespace: ns, label: undefined, labelSelector: undefined, fieldSelector: undefined }, { reset: true });
    if (!ok) return;
    this.session.setNamespace(ns);
    this.flash(`namespace: ${ns ?? 'all'}`);
  }

  history1(delta: -1 | 1): void {
    const to = this.histIdx + delta;
    if (to < 0 || to >= this.history.length) return this.flash(delta < 0 ? 'no earlier view' : 'no later view', 'warn');
    this.histIdx = to;
    void this.openSpec(this.history[to], { replace: true, record: false });
  }

  // ------------------------------------------------------------------ prompts
  openCommand(text = ''): void {
    const d: PromptDialog = new PromptDialog({
      icon: ':', text, suggest: (t) => suggest(this, t),
      onSubmit: (t) => void runCommand(this, t),
      close: () => this.closeDialog(d),
    });
    this.openDialog(d);
  }

  /** `/` on a screen with a filter: applied as typed; esc puts back what was there. */
  openFilter(): void {
    const s = this.top();
    const f = s?.filter;
    if (!f) return;
    const before = f.get();
    const d: PromptDialog = new PromptDialog({
      icon: '/', text: before,
      onChange: (t) => f.set(t, false),
      onSubmit: (t) => {
        const err = f.set(t, true);
        if (err) this.flash(err, 'error');
      },
      onCancel: () => void f.set(before, true),
      close: () => this.closeDialog(d),
    });
    this.openDialog(d);
  }

  // ------------------------------------------------------------------ keys
  /** Keys of every screen: prompts, help, history, chrome toggles, refresh, quit. */
  globalKeys(s: Screen | undefined): KeyAction[] {
    const filter = s?.filter;
    const keys = bind(GLOBAL_DEFS, {
      command: () => this.openCommand(),
      help: () => this.push(new HelpScreen(this, s)),
      back: () => {
        if (filter && filter.get()) return void filter.set('', true);
        this.pop();
      },
      quit: () => {
        // K9s's noExitOnCtrlC: ctrl-c stays bound (plugins cannot take it) and says how to leave
        if (this.session.config.config.noExitOnCtrlC) this.flash('ctrl-c does not quit here (noExitOnCtrlC in config.yaml): :q quits', 'warn');
        else this.exit();
      },
      'history-back': () => this.history1(-1),
      'history-forward': () => this.history1(1),
      previous: () => {
        if (this.histIdx <= 0) return this.flash('no previous view', 'warn');
        void this.openSpec(this.history[this.histIdx - 1], { replace: true });
      },
      header: () => { this.showHeader = !this.showHeader; },
      crumbs: () => { this.showCrumbs = !this.showCrumbs; },
      refresh: () => {
        this.session.registry.refresh();
        for (const c of this.session.active) this.session.client(c).recheck();
        this.flash('refreshing');
      },
      aliases: () => void runCommand(this, 'aliases'),
    }, filter ? { back: { desc: 'clear the filter, then back' } } : {});
    if (filter) keys.push(...bind(FILTER_DEFS, { filter: () => this.openFilter(), 'clear-filter': () => void filter.set('', true) }));
    return keys;
  }

  /** Plugins of a table view and hotkeys everywhere, as key actions. */
  private extensionKeys(s: Screen | undefined, own: KeyAction[]): (KeyAction & { override?: boolean })[] {
    const out: (KeyAction & { override?: boolean })[] = [];
    // the keys a plugin needs `override` for (K9s gives the moving keys away: see KeyDef.soft)
    const taken = takenKeys(own.filter((a) => !a.soft));
    const v = s?.extensible ? s.view : undefined;
    const scope: PluginScope | undefined = v
      ? { names: scopeNames(v.resource, this.session.aliases), contexts: v.spec.contexts, run: (p) => this.runPlugin(v, p) }
      : s?.pluginScope?.();
    if (scope) {
      const readonly = !!(this.session.readOnlyFor(scope.contexts) ?? this.session.readOnlyFor());
      for (const p of bindPlugins(this.session.plugins.plugins, { readonly, scope: scope.names, builtinKeys: taken })) {
        out.push({ id: `plugin:${p.name}`, keys: [keyNameOf(p.shortCut)], desc: p.description, section: 'Plugins', source: 'plugin', override: p.override, run: () => scope.run(p) });
      }
    }
    for (const h of this.session.hotkeys.hotkeys) {
      if (!h.bound) continue;
      const run = () => void runCommand(this, substitute(h.command, this.hotkeyVars(s, scope)), { keepStack: h.keepHistory });
      out.push({ id: `hotkey:${h.id}`, keys: [keyNameOf(h.shortCut)], label: h.shortCutText || undefined, desc: h.description, section: 'Hotkeys', source: 'hotkey', override: h.override, run });
    }
    return out;
  }

  /** A hotkey's variables, taken when it is pressed: the cursor row's, else the context's. */
  private hotkeyVars(s: Screen | undefined, scope: PluginScope | undefined): PluginVars {
    const v = s?.extensible ? s.view : undefined;
    const row = v?.current();
    if (v && row) return this.session.hotkeyVars(v, row, rowColumns(v, row));
    return scope?.vars?.() ?? this.session.hotkeyVars();
  }

  private runPlugin(v: TableView, p: Plugin): void {
    const r = v.current();
    if (r) startPlugin(this, rowTarget(this, v, r), p);
  }

  /** Every key a screen offers now: its own, the global ones, then the user's (which may take one). */
  actionsOf(s: Screen | undefined): KeyAction[] {
    const own = [...(s?.keys() ?? []), ...this.globalKeys(s)];
    return withExtensions(own, this.extensionKeys(s, own));
  }

  /** A key press: the top dialog takes it, else a screen's field, else the registry. */
  key(input: string, k: Press): void {
    const move = k.upArrow || k.downArrow || ((input === 'j' || input === 'k') && !this.dialog());
    this.pendingKey = { label: this.dialog() instanceof PromptDialog && (this.dialog() as PromptDialog).icon === '/' ? 'filter' : move ? 'move' : 'other', t: performance.now() };
    const d = this.dialog();
    if (d) d.key(input, k);
    else {
      const s = this.top();
      // ctrl-c always quits, even from a screen with fields
      if (!(s?.input && !matches('<ctrl-c>', input, k) && s.input(input, k))) {
        const a = dispatch(this.actionsOf(s), input, k);
        if (a?.unavailable) this.flash(a.unavailable, 'error');
        else a?.run();
      }
    }
    this.redraw();
  }
}
