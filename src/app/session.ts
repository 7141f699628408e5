/**
 * The navigator's state apart from Ink: contexts and their health, shared stores, the open
 * table views, settings and the status line. The UI reads it and calls its methods; it never
 * builds a request itself.
 */
import { shipped } from '../util/paths.js';
import { statSync } from 'node:fs';
import type { Kubeconfig } from '../kube/kubeconfig.js';
import type { ApiResource } from '../kube/discovery.js';
import { resolveResource, resourcePath } from '../kube/discovery.js';
import { columnsFor } from '../resources/registry.js';
import { helmStorageColumns } from '../resources/helm.js';
import type { ResourceColumns } from '../resources/types.js';
import { ContextClient } from '../store/contexts.js';
import { ApiError } from '../kube/connection.js';
import type { Access, Verdict } from '../kube/access.js';
import { MetricsPoller } from '../store/metrics.js';
import { RowStore, StoreRegistry, type Row, type StoreKey } from '../store/rows.js';
import { ViewModel, viewColumns, type ViewColumn } from '../store/view.js';
import { Settings } from '../config/settings.js';
import { loadReadOnlyConfig, type ReadOnlyConfig, type ReadOnlyDecision } from '../config/readonly.js';
import { formatAliasProblem, loadAliases } from '../config/aliases.js';
import { formatConfigProblem, isIgnoredKey, loadAppConfig, type ConfigLoad, type ContextConfig } from '../config/app-config.js';
import { k9sConfigDir, kmuxConfigDir } from '../config/paths.js';
import { join } from 'node:path';
import { parseCommand, CommandError, type Command } from './command.js';
import { parseFilter, FilterError, NO_FILTER } from '../store/filter.js';
import { drainNode, previewDrain, setCordon, type CordonResult, type DrainResult, type DrainRunOptions } from '../actions/drain-run.js';
import type { DrainOptions, DrainPlan } from '../actions/drain-plan.js';
import { monochrome, wantsNoColor, type Theme } from '../theme/theme.js';
import { selectTheme, watchSkin, type SelectedTheme } from '../theme/select.js';
import { formatProblem } from '../theme/skin.js';
import { customColumns, loadViews, viewFor, formatViewProblem, type ViewsLoad } from '../config/views.js';
import { formatProblem as formatPluginProblem, loadPlugins, pluginFiles, type BuiltinKey, type LoadResult, type Plugin } from '../plugins/load.js';
import { hotkeyFiles, loadHotkeys, type HotkeyLoadResult } from '../plugins/hotkeys.js';
import { JobRegistry, pluginEnv } from '../plugins/run.js';
import { pluginVars, buildArgv, type Argv, type PluginVars } from '../plugins/vars.js';
import { ReadOnlyKubeconfig } from '../kube/readonly-proxy.js';
import { delimiter } from 'node:path';
import { ForwardRegistry } from '../actions/portforward.js';

export const SHIPPED_PLUGINS_DIR = shipped('plugins');

const MONO_THEME = monochrome();

export type FlashLevel = 'info' | 'warn' | 'error';

/** The source of `:problems` entries that are K9s settings kmux does not use (listed, not warned about). */
export const IGNORED_SOURCE = 'config (ignored)';

/** Something wrong with the user's files or contexts, kept for `:problems` (the flash line only shows the latest). */
export interface Problem {
  /** kubeconfig, context, settings, read-only, aliases, views, skin, plugins, hotkeys */
  source: string;
  message: string;
  at: number;
}
export interface Flash {
  text: string;
  level: FlashLevel;
  at: number;
  /** when a frame first showed it: it stays for its seconds from then, however late that frame was */
  shownAt?: number;
}

export interface SessionOptions {
  kubeconfig: Kubeconfig;
  /** --skin: one skin for every context */
  skin?: string;
  env?: NodeJS.ProcessEnv;
  contexts: string[];
  namespace?: string; // undefined = all namespaces
  /** --readonly (true) or --write (false); unset: the config files decide, per context */
  readonly?: boolean;
  batchMs?: number;
  settings?: Settings;
  /** config.yaml (K9s's and kmux's), when the caller read it already */
  config?: ConfigLoad;
  /**
   * The keys kmux takes in a plugin scope, and in every view (for hotkeys): the UI's key
   * registry gives them, so plugin and hotkey clashes are checked against the real keys.
   */
  builtinKeys?: { forScope(scope: string): BuiltinKey[]; scopes: string[]; everywhere(): BuiltinKey[] };
}

/** What a plugin run on a list row adds to its variables: the form's inputs, the row's columns, $KUBECONFIG. */
export interface PluginExtra {
  inputs?: Record<string, string | number | boolean>;
  columns: Record<string, string>;
  kubeconfig?: string;
}

/** What a table view shows; kept in history so `[` `]` and esc can rebuild it. */
export interface ViewSpec {
  resource: string;
  contexts: string[];
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  filter?: string;
  /** shown in the crumbs and title, e.g. 'pods' or 'pods(deploy/web)'. */
  label?: string;
}

export interface SourceProblem {
  context: string;
  kind: string;
  /** a word or two for the title: unreachable, forbidden, unauthorized, broken... */
  label: string;
  /** the server's own message (or kmux's reason for a broken context) */
  message: string;
  retryInMs?: number;
}

/** How the title names a source's problem. */
export function problemLabel(kind: string): string {
  switch (kind) {
    case 'unreachable': return 'unreachable';
    case 'tls': return 'TLS error';
    case 'unauthorized': return 'unauthorized';
    case 'forbidden': return 'forbidden';
    case 'notfound': return 'not found';
    case 'throttled': return 'throttled';
    case 'server': return 'server error';
    case 'credentials': return 'no credentials';
    case 'broken': return 'broken';
    default: return 'error';
  }
}

/** What reading one row's object needs: the resource its view shows, per context (xray's nodes give the same). */
export type RowSource = Pick<TableView, 'resource' | 'perContext'>;

export class TableView {
  readonly stores: RowStore[] = [];
  /** contexts of the spec that are broken in the kubeconfig: shown as such, never contacted */
  readonly broken = new Map<string, string>();
  readonly vm: ViewModel;
  readonly columns: ViewColumn[];
  cursorKey?: string;
  cursor = 0;
  top = 0;
  readonly marks = new Set<string>();
  wide = false;
  private readonly pollers: MetricsPoller[] = [];
  private readonly pollerOf: Map<string, MetricsPoller>;
  private readonly podStores: RowStore[] = [];
  private readonly unsubs: (() => void)[] = [];

  constructor(
    readonly session: Session,
    readonly spec: ViewSpec,
    readonly resource: ApiResource,
    readonly perContext: Map<string, ApiResource>,
    cols: ResourceColumns,
  ) {
    const showContext = spec.contexts.length > 1;
    const showNamespace = resource.namespaced && !spec.namespace;
    this.columns = viewColumns(cols.columns, showContext, showNamespace, cols.placed);
    for (const [ctx, r] of perContext) {
      const key: StoreKey = { context: ctx, resource: r, namespace: r.namespaced ? spec.namespace : undefined, labelSelector: spec.labelSelector, fieldSelector: spec.fieldSelector };
      const store = session.registry.acquire(key);
      this.stores.push(store);
      this.unsubs.push(store.subscribe(() => session.changed()));
    }
    const wantsMetrics = cols.columns.some((c) => c.kind === 'cpu' || c.kind === 'mem' || c.kind === 'cpupct' || c.kind === 'mempct');
    if (wantsMetrics && (r(resource) === 'pods' || r(resource) === 'nodes')) {
      for (const [i, ctx] of [...perContext.keys()].entries()) {
        const p = session.metricsFor(ctx, r(resource) as 'pods' | 'nodes', resource.namespaced ? spec.namespace : undefined, this.stores[i]);
        this.pollers.push(p);
        this.unsubs.push(p.onChange(() => session.changed()));
      }
    }
    const ctxs = [...perContext.keys()];
    this.pollerOf = new Map(this.pollers.map((p, i) => [ctxs[i], p]));
    this.vm = new ViewModel(this.stores, this.columns, (row) => this.metricsOf(row));
    const viewSort = viewFor(session.views.views, resource, spec.namespace)?.sort ?? cols.defaultSort;
    if (viewSort) this.vm.setSort(viewSort);
    if (cols.columns.some((c) => c.kind === 'podcount')) this.countPodsPerNode();
    this.vm.joinedVersion = () => `|${this.pollers.map((p) => p.version).join(',')}|${this.podStores.map((s) => s.version).join(',')}`;
    if (spec.filter) {
      try {
        this.vm.setFilter(parseFilter(spec.filter));
      } catch (e) {
        session.flash((e as Error).message, 'error');
      }
    }
  }

  /** The nodes view's PODS column: a pods store per context (shared with any pods view), counted by node. */
  private countPodsPerNode(): void {
    const counts = new Map<string, { version: number; byNode: Map<string, number> }>();
    const podStores = new Map<string, RowStore>();
    for (const ctx of this.perContext.keys()) {
      const pods = resolveResource(this.session.client(ctx).resources ?? [], 'pods');
      if (!pods) continue;
      const store = this.session.registry.acquire({ context: ctx, resource: pods });
      this.podStores.push(store);
      podStores.set(ctx, store);
      this.unsubs.push(store.subscribe(() => this.session.changed()));
    }
    this.vm.podCount = (row) => {
      const store = podStores.get(row.context);
      if (!store || !store.status.synced) return undefined;
      let c = counts.get(row.context);
      if (!c || c.version !== store.version) {
        const byNode = new Map<string, number>();
        for (const p of store.rows.values()) {
          const node = (p.extra as any)?.nodeName;
          if (node && p.state !== 'completed') byNode.set(node, (byNode.get(node) ?? 0) + 1);
        }
        c = { version: store.version, byNode };
        counts.set(row.context, c);
      }
      return c.byNode.get(row.name) ?? 0;
    };
  }

  metricsAvailable(ctx: string): boolean | undefined {
    return this.pollerOf.get(ctx)?.available;
  }

  metricsOf(row: Row) {
    return this.pollerOf.get(row.context)?.values.get(row.namespace ? `${row.namespace}/${row.name}` : row.name);
  }

  rows(): Row[] {
    return this.vm.rows();
  }

  /**
   * Keep the cursor on the same object while rows come and go. Until the user moves it the
   * cursor stays on the first row: a merged view whose contexts answer one after another opens
   * at the top, not on whichever row came first.
   */
  current(): Row | undefined {
    const rows = this.rows();
    if (rows.length === 0) return undefined;
    if (!this.moved) {
      this.cursor = 0;
      this.cursorKey = undefined;
      return rows[0];
    }
    if (this.cursorKey) {
      const at = rows[this.cursor]?.key === this.cursorKey ? this.cursor : rows.findIndex((r) => r.key === this.cursorKey);
      if (at >= 0) this.cursor = at;
    }
    this.cursor = Math.max(0, Math.min(this.cursor, rows.length - 1));
    this.cursorKey = rows[this.cursor].key;
    return rows[this.cursor];
  }

  /** the user has moved the cursor (or filtered): from then on it follows its object */
  moved = false;

  move(delta: number): void {
    const rows = this.rows();
    this.current();
    this.moved = true;
    this.cursor = Math.max(0, Math.min(rows.length - 1, this.cursor + delta));
    this.cursorKey = rows[this.cursor]?.key;
  }

  moveTo(index: number): void {
    const rows = this.rows();
    this.moved = true;
    this.cursor = Math.max(0, Math.min(rows.length - 1, index));
    this.cursorKey = rows[this.cursor]?.key;
  }

  /** A store of the view is loading its first list: the rows are those that have arrived so far. */
  loading(): boolean {
    return this.stores.some((s) => s.loadingFirst);
  }

  storeStatus(): { context: string; error?: string; errorKind?: string; synced: boolean }[] {
    return this.stores.map((s) => ({ context: s.key.context, error: s.status.error, errorKind: s.status.errorKind, synced: s.status.synced }));
  }

  /**
   * What keeps a source of this view from being the cluster's truth, one entry per context:
   * broken in the kubeconfig, unreachable, unauthorized, forbidden, throttled, failing. The
   * title names each context with its label; the status line gives the server's message.
   */
  sourceProblems(): SourceProblem[] {
    const out: SourceProblem[] = [];
    for (const s of this.stores) {
      if (!s.status.error) continue;
      const kind = s.status.errorKind ?? 'other';
      out.push({ context: s.key.context, kind, label: problemLabel(kind), message: s.status.error, retryInMs: s.status.retryInMs });
    }
    // broken contexts last: they do not change while kmux runs, the others may need the user now
    for (const [context, reason] of this.broken) out.push({ context, kind: 'broken', label: problemLabel('broken'), message: reason });
    return out;
  }

  private disposed = false;

  /** Let go of the stores and pollers (once: a second call would release another view's share). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const u of this.unsubs) u();
    for (const s of [...this.stores, ...this.podStores]) this.session.registry.release(s);
    for (const p of this.pollers) this.session.releaseMetrics(p);
  }
}

function r(res: ApiResource): string {
  return res.group === '' || res.group === 'metrics.k8s.io' ? res.plural : `${res.plural}.${res.group}`;
}

export class Session {
  readonly contexts = new Map<string, ContextClient>();
  readonly registry: StoreRegistry;
  readonly settings: Settings;
  aliases: Record<string, string>;
  aliasProblems: string[] = [];
  /** per context: read-only by the flags, kmux's or K9s's config (K9s's rules) */
  readonly readOnlyConfig: ReadOnlyConfig;
  /** the contexts new views open on */
  active: string[];
  namespace?: string;
  flashMsg?: Flash;
  /** every problem found (at start and since), oldest first; `:problems` lists them */
  readonly problems: Problem[] = [];
  private started = false;
  private readonly listeners = new Set<() => void>();
  private readonly pollers = new Map<string, MetricsPoller>();
  private readonly columnCache = new Map<string, ResourceColumns>();
  views: ViewsLoad;
  private readonly printerColumns = new Map<string, any[] | undefined>();

  // ---------------------------------------------------------------- plugins
  plugins: LoadResult = { plugins: [], problems: [], sources: [], skipped: [] };
  hotkeys: HotkeyLoadResult = { hotkeys: [], problems: [], sources: [] };
  readonly jobs = new JobRegistry();
  /** port-forwards: kept across views until stopped or kmux exits */
  readonly forwards = new ForwardRegistry((ctx) => this.client(ctx).conn);

  /** Plugins and hotkeys from every place K9s and kmux keep them; a broken file never stops kmux. */
  loadExtensions(o: { reload?: boolean } = {}): void {
    const env = this.o.env ?? process.env;
    const ctx = this.active[0];
    const cluster = ctx ? this.contexts.get(ctx)?.info.cluster : undefined;
    try {
      const keys = this.o.builtinKeys;
      this.plugins = loadPlugins({
        env, context: ctx, cluster, shippedDir: SHIPPED_PLUGINS_DIR,
        builtinKeys: keys ? (scope) => keys.forScope(scope) : undefined,
        builtinScopes: keys?.scopes,
      });
    } catch (e) {
      this.plugins = { plugins: [], problems: [{ file: 'plugins', message: (e as Error).message, kind: 'parse' }], sources: [], skipped: [] };
    }
    try {
      this.hotkeys = loadHotkeys({ env, context: ctx, cluster, builtinKeys: this.o.builtinKeys?.everywhere() });
    } catch (e) {
      this.hotkeys = { hotkeys: [], problems: [{ file: 'hotkeys', message: (e as Error).message, kind: 'parse' }], sources: [] };
    }
    this.pluginSignature = this.pluginFilesSignature();
    const n = this.plugins.problems.length + this.hotkeys.problems.length;
    for (const p of this.plugins.problems) this.problem('plugins', `${p.file}${(p as { line?: number }).line ? `:${(p as { line?: number }).line}` : ''}: ${p.message}`, false);
    for (const p of this.hotkeys.problems) this.problem('hotkeys', `${p.file}${(p as { line?: number }).line ? `:${(p as { line?: number }).line}` : ''}: ${p.message}`, false);
    if (n && this.started && !o.reload) queueMicrotask(() => this.flash(`${n} plugin/hotkey problem(s): see :plugins`, 'warn'));
    // K9s reads hotkeys.yaml again whenever a view's keys are set up; kmux as soon as it changes
    for (const file of hotkeyFiles({ env, context: ctx, cluster, all: true })) {
      if (this.extensionWatchers.has(file)) continue;
      this.extensionWatchers.set(file, watchSkin(file, () => {
        this.loadExtensions({ reload: true });
        const bad = this.hotkeys.problems.filter((p) => p.file === file && p.kind !== 'override');
        if (bad.length) this.flash(`hotkeys reloaded: ${formatPluginProblem(bad[0])}${bad.length > 1 ? ` (and ${bad.length - 1} more: see :plugins)` : ''}`, 'warn');
        else this.flash(`hotkeys reloaded from ${file}`);
        this.changed();
      }));
    }
  }

  private readonly extensionWatchers = new Map<string, () => void>();
  /** the plugin files as last read: names, sizes and change times */
  private pluginSignature = '';

  private pluginFilesSignature(): string {
    const env = this.o.env ?? process.env;
    const ctx = this.active[0];
    const cluster = ctx ? this.contexts.get(ctx)?.info.cluster : undefined;
    const parts: string[] = [];
    for (const f of pluginFiles({ env, context: ctx, cluster, shippedDir: SHIPPED_PLUGINS_DIR })) {
      try {
        const st = statSync(f.file);
        parts.push(`${f.file}:${st.size}:${st.mtimeMs}`);
      } catch {
        parts.push(`${f.file}:-`);
      }
    }
    return parts.join('\n');
  }

  /**
   * K9s reads the plugin files again whenever a view starts; kmux does when one of them has
   * changed since it last read them (a stat of each file, not a parse), and says so.
   */
  reloadPluginsIfChanged(): void {
    const sig = this.pluginFilesSignature();
    if (sig === this.pluginSignature) return;
    const before = this.plugins.plugins.length;
    this.loadExtensions({ reload: true });
    const after = this.plugins.plugins.length;
    this.flash(`plugins reloaded: ${after} plugin${after === 1 ? '' : 's'}${after !== before ? ` (was ${before})` : ''}${this.plugins.problems.length ? `, ${this.plugins.problems.length} problem(s): see :plugins` : ''}`, this.plugins.problems.length ? 'warn' : 'info');
  }

  /**
   * The variables a hotkey's command may use (K9s substitutes them in the text): the row's when
   * a row is given, else the context's alone (NAME and NAMESPACE empty, as K9s has them then).
   */
  hotkeyVars(view?: TableView, row?: Row, columns: Record<string, string> = {}): PluginVars {
    const kubeconfig = this.o.kubeconfig.files.join(delimiter);
    if (view && row) return this.pluginVarsFor(view, row, { columns, kubeconfig });
    const ctx = this.active[0] ?? '';
    const c = ctx ? this.client(ctx) : undefined;
    return pluginVars({ name: '', namespace: this.namespace ?? '', context: ctx, cluster: c?.info.cluster ?? '', user: c?.info.user ?? '', kubeconfig, columns: {} });
  }

  /**
   * The variables a plugin sees for a row: always from the row's own context. `kubeconfig` is
   * what childKubeconfig() gave (the proxy's in read-only mode).
   */
  pluginVarsFor(view: TableView, row: Row, extra: { inputs?: Record<string, string | number | boolean>; columns: Record<string, string>; kubeconfig: string }): PluginVars {
    const c = this.client(row.context);
    const res = view.perContext.get(row.context) ?? view.resource;
    return pluginVars({
      name: row.name, namespace: row.namespace ?? '', context: row.context, cluster: c.info.cluster, user: c.info.user,
      // K9s: $FILTER is the view's filter, else the selected row's name
      kubeconfig: extra.kubeconfig, filter: view.vm.getFilter().raw || row.name,
      resourceGroup: res.group, resourceVersion: res.version, resourceName: res.plural,
      columns: extra.columns, inputs: extra.inputs,
    });
  }

  /**
   * Everything a plugin run on a row needs: its variables ($KUBECONFIG is childKubeconfig()),
   * its argument vector and its environment (childEnv() included). Rejects when read-only mode
   * cannot give the child its proxy: then the child must not start.
   */
  async pluginLaunch(view: TableView, row: Row, p: Plugin, extra: { inputs?: Record<string, string | number | boolean>; columns: Record<string, string> }): Promise<{ vars: PluginVars; argv: Argv; env: Record<string, string> }> {
    return this.launchIn(row.context, p, (kubeconfig) => this.pluginVarsFor(view, row, { ...extra, kubeconfig }));
  }

  /**
   * A plugin run from a pod's containers view, with K9s's variables there: NAME is the
   * container, POD the pod, NAMESPACE the pod's, COL-* the view's columns; CONTAINER too (K9s
   * documents it); no FILTER nor RESOURCE_* (K9s has none there either).
   */
  async containerPluginLaunch(pod: { context: string; namespace: string; name: string }, container: string, p: Plugin, extra: { inputs?: Record<string, string | number | boolean>; columns: Record<string, string> }): Promise<{ vars: PluginVars; argv: Argv; env: Record<string, string> }> {
    return this.launchIn(pod.context, p, (kubeconfig) => this.containerVars(pod, container, { ...extra, kubeconfig }));
  }

  containerVars(pod: { context: string; namespace: string; name: string }, container: string, extra: PluginExtra): PluginVars {
    return this.varsIn(pod.context, { name: container, namespace: pod.namespace, pod: pod.name, container }, extra);
  }

  /** A plugin run from `:helm` (K9s's helm scope): NAME is the release, NAMESPACE and CONTEXT its own, COL-* the view's columns. */
  async releasePluginLaunch(rel: { context: string; namespace: string; name: string }, p: Plugin, extra: PluginExtra): Promise<{ vars: PluginVars; argv: Argv; env: Record<string, string> }> {
    return this.launchIn(rel.context, p, (kubeconfig) => this.releaseVars(rel, { ...extra, kubeconfig }));
  }

  releaseVars(rel: { context: string; namespace: string; name: string }, extra: PluginExtra): PluginVars {
    return this.varsIn(rel.context, { name: rel.name, namespace: rel.namespace }, extra);
  }

  private varsIn(context: string, what: { name: string; namespace: string; pod?: string; container?: string }, extra: PluginExtra): PluginVars {
    const c = this.client(context);
    return pluginVars({
      ...what, context, cluster: c.info.cluster, user: c.info.user,
      kubeconfig: extra.kubeconfig ?? this.o.kubeconfig.files.join(delimiter), columns: extra.columns, inputs: extra.inputs,
    });
  }

  /** Variables, argv and env for a run in one context ($KUBECONFIG is childKubeconfig()). */
  private async launchIn(context: string, p: Plugin, varsFor: (kubeconfig: string) => PluginVars): Promise<{ vars: PluginVars; argv: Argv; env: Record<string, string> }> {
    const kube = await this.childEnv(context);
    const vars = varsFor(kube.KUBECONFIG);
    const argv = buildArgv(p, vars);
    const env = { ...pluginEnv(vars, this.o.env ?? process.env, argv), ...(kube.KUBECACHEDIR ? { KUBECACHEDIR: kube.KUBECACHEDIR } : {}) };
    return { vars, argv, env };
  }

  // ---------------------------------------------------------------- what children get
  private readonlyKube?: ReadOnlyKubeconfig;

  /**
   * KUBECONFIG for a child kmux starts (plugins, kubectl edit/exec/attach): the user's files
   * as kmux read them; in read-only mode the kubeconfig of kmux's read-only API proxy (same
   * context names and namespaces, current-context kmux's current one), started on first use.
   */
  async childKubeconfig(context?: string): Promise<string> {
    // read-only when any context in play (the active ones and the row's) is: the child may use any
    if (!this.readOnlyFor(context ? [...this.active, context] : this.active)) return this.o.kubeconfig.files.join(delimiter);
    this.readonlyKube ??= new ReadOnlyKubeconfig(this.o.kubeconfig);
    return this.readonlyKube.path(context ?? this.active[0]);
  }

  /** The environment variables that point a child at clusters: KUBECONFIG, and in read-only mode kubectl's cache dir for the proxy. */
  async childEnv(context?: string): Promise<{ KUBECONFIG: string; KUBECACHEDIR?: string }> {
    const KUBECONFIG = await this.childKubeconfig(context);
    if (!this.readonlyKube || KUBECONFIG === this.o.kubeconfig.files.join(delimiter)) return { KUBECONFIG };
    return { KUBECONFIG, KUBECACHEDIR: this.readonlyKube.cacheDir() };
  }

  argvFor(p: Plugin, vars: PluginVars) {
    return buildArgv(p, vars);
  }

  constructor(readonly o: SessionOptions) {
    this.views = loadViews(o.env ?? process.env);
    this.config = o.config ?? loadAppConfig(o.env ?? process.env);
    this.readOnlyConfig = loadReadOnlyConfig({ env: o.env ?? process.env, flag: o.readonly });
    this.mono = wantsNoColor(o.env ?? process.env);
    this.settings = o.settings ?? new Settings();
    for (const c of o.kubeconfig.contexts) this.contexts.set(c.name, new ContextClient(c, o.kubeconfig));
    this.active = o.contexts;
    this.aliases = {};
    this.loadAliasesHere();
    this.namespace = o.namespace;
    this.registry = new StoreRegistry(
      (ctx) => this.client(ctx).conn,
      (k) => (k.projection === 'helm' ? helmStorageColumns : this.columnsOf(k.resource, k.namespace)),
      o.batchMs ?? 100,
      (store) => {
        // a store that lost its server: have the context checked now, so the header says so and
        // every store of it wakes the moment it answers again
        if (store.status.errorKind === 'unreachable' || store.status.errorKind === 'server') this.contexts.get(store.key.context)?.recheckIfOlder(2000);
      },
    );
    for (const c of this.contexts.values()) {
      c.onChange(() => this.changed());
      // an answer about the user's rights came in: keys may have become (un)available
      c.access.onChange(() => this.changed());
      c.onRecovered(() => {
        for (const s of this.registry.ofContext(c.name)) s.wake();
      });
      c.onIdentityChanged(() => {
        for (const s of this.registry.ofContext(c.name)) s.relist();
        this.flash(`${c.name}: the server is not the one it was (restored or recreated); listing everything again`, 'warn');
      });
    }
  }

  private headerMetrics = new Map<string, MetricsPoller>();

  // ---------------------------------------------------------------- config.yaml, aliases, views.yaml
  /** config.yaml, K9s's and kmux's (reloaded on change when ui.reactive is set) */
  config: ConfigLoad;
  /** bumps when config.yaml is read again: the UI applies its ui keys anew */
  configVersion = 0;
  private configProblemsSeen = 0;
  private readonly fileWatchers: (() => void)[] = [];
  private readonly viewsListeners = new Set<() => void>();

  /** Aliases for the first active context: K9s's and kmux's files, and K9s's file for that context. */
  private loadAliasesHere(): void {
    const ctx = this.active[0];
    const al = loadAliases(this.o.env ?? process.env, ctx ? { context: ctx, cluster: this.contexts.get(ctx)?.info.cluster } : undefined);
    this.aliases = al.aliases;
    this.aliasProblems = al.problems.map(formatAliasProblem);
  }

  /** A context's own settings (K9s's per-context config.yaml, kmux's contexts.NAME); new problems go to :problems. */
  contextConfig(ctx: string): ContextConfig {
    const c = this.config.context(ctx, this.contexts.get(ctx)?.info.cluster);
    this.reportConfigProblems();
    return c;
  }

  private reportConfigProblems(): void {
    const all = this.config.problems;
    if (all.length === this.configProblemsSeen) return;
    const fresh = all.slice(this.configProblemsSeen);
    this.configProblemsSeen = all.length;
    for (const p of fresh) this.problem(isIgnoredKey(p) ? IGNORED_SOURCE : 'config', formatConfigProblem(p), false);
    const warn = fresh.filter((p) => !isIgnoredKey(p));
    if (this.started && warn.length) queueMicrotask(() => this.flash(`config.yaml: ${formatConfigProblem(warn[0])}${warn.length > 1 ? ` (and ${warn.length - 1} more: see :problems)` : ''}`, 'warn'));
  }

  /**
   * Favorite namespaces (keys 1-9): the ones the context's config names (kmux's, else K9s's
   * per-context namespace.favorites), then the ones kmux remembers, nine at most.
   */
  favorites(): string[] {
    const ctx = this.active[0];
    const own = ctx ? (this.contextConfig(ctx).favorites ?? []) : [];
    return [...new Set([...own, ...this.settings.data.favorites])].slice(0, 9);
  }

  /** Told when views.yaml changed: open tables are to be built again. */
  onViewsChanged(l: () => void): () => void {
    this.viewsListeners.add(l);
    return () => this.viewsListeners.delete(l);
  }

  /** views.yaml (K9s's or kmux's) changed on disk: read it again, re-project every store, tell the UI. */
  reloadViews(): void {
    this.views = loadViews(this.o.env ?? process.env);
    this.columnCache.clear();
    this.registry.reproject();
    for (const p of this.views.problems) this.problem('views', formatViewProblem(p), false);
    const n = this.views.problems.length;
    this.flash(n ? `views.yaml reloaded with ${n} problem(s): ${formatViewProblem(this.views.problems[0])}` : `views.yaml reloaded (${this.views.views.size} view${this.views.views.size === 1 ? '' : 's'})`, n ? 'warn' : 'info');
    for (const l of this.viewsListeners) l();
    this.changed();
  }

  /** config.yaml changed (ui.reactive): read it again; skins may have changed with it. */
  reloadConfig(): void {
    this.config = loadAppConfig(this.o.env ?? process.env);
    this.configProblemsSeen = 0;
    for (const c of this.active) this.config.context(c, this.contexts.get(c)?.info.cluster);
    this.reportConfigProblems();
    this.configVersion++;
    this.themes.clear();
    this.flash('config.yaml reloaded');
    this.changed();
  }

  private watchFiles(): void {
    const env = this.o.env ?? process.env;
    for (const f of [join(k9sConfigDir(env), 'views.yaml'), join(kmuxConfigDir(env), 'views.yaml')]) {
      this.fileWatchers.push(watchSkin(f, () => this.reloadViews()));
    }
    if (this.config.config.ui.reactive) {
      for (const f of this.config.files) this.fileWatchers.push(watchSkin(f, () => this.reloadConfig()));
    }
  }

  // ---------------------------------------------------------------- skins
  /** NO_COLOR: no color codes at all; the UI shows state with inverse, bold, underline, dim. */
  readonly mono: boolean;
  private skinOverride?: string;
  private readonly themes = new Map<string, SelectedTheme>();
  private readonly skinWatchers = new Map<string, () => void>();

  /** The theme of one context (its own skin, else the global one, else stock). */
  themeFor(ctx: string | undefined): Theme {
    if (this.mono) return MONO_THEME;
    const key = ctx ?? '';
    let t = this.themes.get(key);
    if (!t) {
      t = this.selectFor(ctx);
      this.themes.set(key, t);
      // said after the render that asked: a flash redraws
      const problems = t.problems;
      if (problems.length) {
        for (const p of problems) this.problem('skin', formatProblem(p), false);
        queueMicrotask(() => this.flash(`skin: ${problems.map(formatProblem).join('; ')}; using the stock colors for what is wrong`, 'warn'));
      }
      this.watch(t.file);
    }
    return t.theme;
  }

  skinChoice(ctx: string | undefined): SelectedTheme | undefined {
    return this.themes.get(ctx ?? '');
  }

  private selectFor(ctx: string | undefined): SelectedTheme {
    const env = this.o.env ?? process.env;
    const flag = this.skinOverride ?? this.o.skin;
    const cluster = ctx ? this.contexts.get(ctx)?.info.cluster : undefined;
    return selectTheme({ flag, env, context: ctx, cluster });
  }

  private watch(file: string | undefined): void {
    if (!file || this.skinWatchers.has(file)) return;
    this.skinWatchers.set(file, watchSkin(file, () => {
      // the skin file changed on disk: reload every context that uses it and redraw
      for (const [key, t] of this.themes) {
        if (t.file !== file) continue;
        const next = this.selectFor(key || undefined);
        this.themes.set(key, next);
        for (const p of next.problems) this.problem('skin', formatProblem(p), false);
        if (next.problems.length) this.flash(`skin: ${formatProblem(next.problems[0])}`, 'warn');
        else this.flash(`skin ${next.choice.name ?? 'stock'} reloaded`);
      }
      this.changed();
    }));
  }

  /** `:skins NAME`: one skin for every context from now on. */
  setSkin(name: string): void {
    this.skinOverride = name;
    this.themes.clear();
    const t = this.themeFor(this.active[0]);
    const load = this.themes.get(this.active[0] ?? '');
    if (!load?.problems.length) this.flash(`skin: ${name}`);
    void t;
    this.changed();
  }

  start(): void {
    // only the contexts in use are checked at start: a long kubeconfig must not fan out to every cluster
    for (const name of this.active) this.client(name).start();
    this.watchHeaderMetrics();
    this.loadExtensions();
    // everything wrong found while starting goes into one list (`:problems`); the flash line says
    // how many and shows the first, instead of each overwriting the last
    for (const p of this.o.kubeconfig.problems ?? []) this.problem('kubeconfig', p, false);
    for (const c of this.contexts.values()) {
      if (c.broken) this.problem('context', `context ${c.name} is broken: ${c.health.error}`, false);
      this.readOnlyOf(c.name);
    }
    for (const p of this.readOnlyConfig.problems) this.problem('read-only', p, false);
    for (const p of this.aliasProblems) this.problem('aliases', p, false);
    for (const p of this.views.problems) this.problem('views', formatViewProblem(p), false);
    for (const c of this.active) this.contextConfig(c);
    for (const p of this.settings.problems) this.problem('settings', p, false);
    this.watchFiles();
    this.started = true;
    // K9s keys kmux does not use are listed, but a K9s user's whole config.yaml is not a warning at every start
    const real = this.problems.filter((p) => p.source !== IGNORED_SOURCE);
    const n = real.length;
    if (n) this.flash(`${n === 1 ? '1 problem' : `${n} problems`} at start (see :problems): ${real[0].message}`, 'warn');
  }

  stop(): void {
    for (const stop of this.skinWatchers.values()) stop();
    for (const stop of this.extensionWatchers.values()) stop();
    for (const stop of this.fileWatchers) stop();
    this.jobs.dispose();
    this.forwards.dispose();
    void this.readonlyKube?.stop();
    this.registry.stopAll();
    for (const p of this.pollers.values()) p.stop();
    for (const c of this.contexts.values()) c.stop();
  }

  client(name: string): ContextClient {
    const c = this.contexts.get(name);
    if (!c) throw new CommandError(`no context named "${name}" in the kubeconfig`);
    return c;
  }

  onChange(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  changed(): void {
    for (const l of this.listeners) l();
  }

  /** Keep a problem for `:problems` (once per source and message); flash it too when asked. */
  problem(source: string, message: string, flash = true): void {
    if (!this.problems.some((p) => p.source === source && p.message === message)) {
      this.problems.push({ source, message, at: Date.now() });
      if (this.problems.length > 500) this.problems.splice(0, this.problems.length - 500);
    }
    if (flash) this.flash(message, 'warn');
  }

  /** A note about how kmux started (kept with the problems, shown once). */
  note(message: string): void {
    this.problem('start', message, false);
  }

  flash(text: string, level: FlashLevel = 'info'): void {
    this.flashMsg = { text, level, at: Date.now() };
    this.changed();
  }

  /**
   * A metrics poller, shared by the views that show the same usage. `after`: the store of the
   * rows it decorates; a new poller waits for that store's first list (a pod metrics list of a
   * big cluster is megabytes, and asked at the same moment it delays the rows the user is
   * waiting for; the columns say n/a until then).
   */
  metricsFor(ctx: string, kind: 'pods' | 'nodes', ns?: string, after?: RowStore): MetricsPoller {
    const id = `${ctx}|${kind}|${ns ?? ''}`;
    let p = this.pollers.get(id);
    if (!p) {
      // config.yaml's refreshRate paces metrics (kmux's lists and watches need no refresh)
      const every = this.config.config.refreshRate;
      const poller = new MetricsPoller(this.client(ctx).conn, kind, ns, every ? every * 1000 : undefined);
      p = poller;
      this.pollers.set(id, p);
      const listed = () => !after || after.status.synced || !!after.status.error;
      if (listed()) p.start();
      else {
        const off = after!.subscribe(() => {
          if (!listed()) return;
          off();
          // released meanwhile (the view closed before its list came): nothing to start
          if (poller.refs > 0) poller.start();
        });
      }
    }
    p.refs++;
    return p;
  }

  releaseMetrics(p: MetricsPoller): void {
    p.refs--;
    if (p.refs > 0) return;
    p.stop();
    for (const [id, q] of this.pollers) if (q === p) this.pollers.delete(id);
  }

  /** Cluster CPU and MEM use for the header: sum of node usage over allocatable. */
  clusterUsage(ctx: string): { cpu: number; mem: number; cpuPct?: number; memPct?: number } | undefined {
    const p = this.pollers.get(`${ctx}|nodes|`);
    if (!p?.available) return undefined;
    let cpu = 0, mem = 0;
    for (const v of p.values.values()) {
      cpu += v.cpu;
      mem += v.mem;
    }
    const alloc = this.contexts.get(ctx)?.health.allocatable;
    return {
      cpu, mem,
      cpuPct: alloc?.cpu ? Math.round((cpu / alloc.cpu) * 100) : undefined,
      memPct: alloc?.mem ? Math.round((mem / alloc.mem) * 100) : undefined,
    };
  }

  private columnsOf(res: ApiResource, namespace?: string): ResourceColumns {
    const id = `${res.group}/${res.plural}`;
    // custom columns from views.yaml (K9s's, then kmux's) reshape the kind's own; an entry may be for some namespaces
    const view = viewFor(this.views.views, res, res.namespaced ? namespace : undefined);
    const cacheId = `${id}|${view ? `${view.key}@${view.namespace?.source ?? ''}|${view.source}` : ''}`;
    let c = this.columnCache.get(cacheId);
    if (!c) {
      const before = this.views.problems.length;
      c = columnsFor(res, this.printerColumns.get(id));
      this.columnCache.set(cacheId, (c = view ? customColumns(c, view, this.views.problems) : c));
      const fresh = this.views.problems.slice(before);
      for (const p of fresh) this.problem('views', formatViewProblem(p), false);
      if (fresh.length) queueMicrotask(() => this.flash(`views.yaml: ${fresh.map(formatViewProblem).join('; ')}`, 'warn'));
    }
    return c;
  }

  /** Printer columns of a custom resource, from its CRD (once per kind). */
  private async loadPrinterColumns(ctx: string, res: ApiResource): Promise<void> {
    const id = `${res.group}/${res.plural}`;
    if (this.printerColumns.has(id) || res.group === '' || !res.group.includes('.') || res.group.endsWith('.k8s.io')) return;
    try {
      const crd = await this.client(ctx).conn.json('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${res.plural}.${res.group}`, { timeoutMs: 5000 });
      const v = crd.spec?.versions?.find((x: any) => x.name === res.version) ?? crd.spec?.versions?.[0];
      this.printerColumns.set(id, v?.additionalPrinterColumns);
    } catch {
      this.printerColumns.set(id, undefined);
    }
  }

  /** All resource names `:` can open in the active contexts (for completion). */
  resourceNames(): string[] {
    const names = new Set<string>();
    for (const ctx of this.active) {
      for (const res of this.contexts.get(ctx)?.resources ?? []) {
        if (!res.verbs.includes('list')) continue;
        names.add(res.plural);
        for (const s of res.shortNames) names.add(s);
        names.add(res.singular);
      }
    }
    for (const a of Object.keys(this.aliases)) names.add(a);
    for (const extra of ['ctx', 'ns', 'aliases', 'help', 'quit', 'problems']) names.add(extra);
    return [...names].sort();
  }

  resolveContexts(sel: string[] | 'all' | undefined): string[] {
    if (sel === 'all') return [...this.contexts.keys()];
    if (!sel) return this.active;
    for (const n of sel) this.client(n);
    return sel;
  }

  /** Open a table for a spec: resolves the resource in each context (waiting for discovery). */
  async openTable(spec: ViewSpec): Promise<TableView> {
    this.reloadPluginsIfChanged();
    const broken = new Map<string, string>();
    const live: string[] = [];
    for (const ctx of spec.contexts) {
      const c = this.client(ctx);
      if (c.broken) broken.set(ctx, c.health.error ?? 'broken');
      else live.push(ctx);
    }
    if (live.length === 0) {
      throw new CommandError([...broken].map(([ctx, why]) => `context ${ctx} is broken: ${why}`).join('; '));
    }
    for (const ctx of live) {
      const c = this.client(ctx);
      if (c.health.state === 'connecting' || !c.resources) c.start();
    }
    const found = new Map<string, ApiResource>();
    const missing: string[] = [];
    const unreachable: string[] = [];
    const [, nsMissing] = await Promise.all([
      Promise.all(live.map(async (ctx) => {
        const all = await this.client(ctx).ensureResources();
        if (!all) {
          unreachable.push(ctx);
          return;
        }
        const res = resolveResource(all, spec.resource);
        if (res) found.set(ctx, res);
        else missing.push(ctx);
      })),
      spec.namespace ? this.missingNamespace(live, spec.namespace) : Promise.resolve([] as string[]),
    ]);
    if (spec.namespace && nsMissing.length) {
      // a namespace that does not exist is not an empty one: say so (kubectl: NotFound)
      if (nsMissing.length === live.length) throw new CommandError(`namespaces "${spec.namespace}" not found${live.length > 1 ? ` in ${nsMissing.join(', ')}` : ''}`);
      this.flash(`namespaces "${spec.namespace}" not found in ${nsMissing.join(', ')}`, 'warn');
    }
    if (found.size > 0 && unreachable.length > 0) {
      // an unreachable context stays in the view on the others' resource: it shows as down and
      // fills in by itself when it answers again
      const known = found.values().next().value!;
      for (const ctx of unreachable) found.set(ctx, known);
    }
    if (found.size === 0 && unreachable.length > 0 && missing.length === 0) {
      // nothing known yet: open on a guess so the view shows up and fills when the cluster answers
      const guess = BUILTIN_GUESSES[spec.resource];
      if (guess) for (const ctx of live) found.set(ctx, guess);
    }
    if (found.size === 0) {
      if (unreachable.length) {
        const c = this.client(unreachable[0]);
        const what = c.health.errorKind === 'unauthorized' ? 'not authorized by' : 'cannot reach';
        throw new CommandError(`${what} ${unreachable.join(', ')} to look up "${spec.resource}": ${c.health.error ?? 'no answer yet'}`);
      }
      throw new CommandError(`unknown resource "${spec.resource}" (try :pods, :deploy, :nodes, or Tab to complete)`);
    }
    if (missing.length) this.flash(`"${spec.resource}" is not served by ${missing.join(', ')}`, 'warn');
    const ordered = new Map([...spec.contexts].filter((c) => found.has(c)).map((c) => [c, found.get(c)!]));
    const first = ordered.values().next().value!;
    await this.loadPrinterColumns(ordered.keys().next().value!, first);
    const keep = spec.contexts.filter((c) => ordered.has(c) || broken.has(c));
    const view = new TableView(this, { ...spec, contexts: keep }, first, ordered, this.columnsOf(first, spec.namespace));
    for (const [ctx, why] of broken) view.broken.set(ctx, why);
    return view;
  }

  /**
   * The contexts (of those given) where a namespace does not exist: a GET answered 404. A
   * context that cannot say (unreachable, forbidden to read namespaces) is not counted as missing.
   */
  async missingNamespace(contexts: string[], ns: string): Promise<string[]> {
    const out: string[] = [];
    await Promise.all(contexts.map(async (ctx) => {
      const c = this.contexts.get(ctx);
      if (!c || c.broken) return;
      try {
        await c.conn.json('GET', `/api/v1/namespaces/${encodeURIComponent(ns)}`, { timeoutMs: 5000 });
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) out.push(ctx);
      }
    }));
    return contexts.filter((c) => out.includes(c));
  }

  specFor(cmd: Extract<Command, { kind: 'resource' }>): ViewSpec {
    const contexts = this.resolveContexts(cmd.contexts);
    const namespace = cmd.namespace === 'all' ? undefined : cmd.namespace ?? this.namespace;
    return { resource: cmd.resource, contexts, namespace, labelSelector: cmd.labelSelector, filter: cmd.filter };
  }

  parse(text: string): Command {
    return parseCommand(text, this.aliases);
  }

  setNamespace(ns: string | undefined): void {
    this.namespace = ns;
    if (ns) this.settings.useNamespace(ns);
    for (const ctx of this.active) this.settings.remember(ctx, { namespace: ns ?? null });
  }

  /** Remember, per context of a view, its resource and namespace for the next run there. */
  rememberView(spec: ViewSpec): void {
    for (const ctx of spec.contexts) {
      if (this.contexts.get(ctx)?.broken) continue;
      this.settings.remember(ctx, { view: spec.resource, namespace: spec.namespace ?? null });
    }
  }

  /** Node metrics for the header's CPU and MEM of the active contexts. */
  private watchHeaderMetrics(): void {
    for (const [ctx, p] of this.headerMetrics) {
      if (this.active.includes(ctx)) continue;
      this.releaseMetrics(p);
      this.headerMetrics.delete(ctx);
    }
    for (const ctx of this.active) {
      if (this.headerMetrics.has(ctx) || this.contexts.get(ctx)?.broken) continue;
      const p = this.metricsFor(ctx, 'nodes', undefined);
      p.onChange(() => this.changed());
      this.headerMetrics.set(ctx, p);
    }
  }

  setActive(contexts: string[]): void {
    this.active = contexts;
    this.loadAliasesHere();
    for (const p of this.aliasProblems) this.problem('aliases', p, false);
    for (const c of contexts) {
      this.client(c).start();
      this.contextConfig(c);
    }
    this.watchHeaderMetrics();
  }

  /** GET the full object behind a row (describe, YAML). */
  async fetch(view: RowSource, row: Row): Promise<any> {
    const res = view.perContext.get(row.context) ?? view.resource;
    return this.client(row.context).conn.json('GET', resourcePath(res, row.namespace, row.name), { timeoutMs: 15_000 });
  }

  async related(ctx: string, path: string, query: Record<string, string>): Promise<any[]> {
    try {
      const list = await this.client(ctx).conn.json('GET', path, { query, timeoutMs: 15_000 });
      return list.items ?? [];
    } catch {
      return [];
    }
  }

  /**
   * Whether the server lets the user do this in a context: 'no' with the reason when its RBAC
   * says so, 'yes', or 'unknown' while kmux asks (the server decides then).
   */
  mayDo(ctx: string, a: Access): { verdict: Verdict; message?: string } {
    const c = this.contexts.get(ctx);
    if (!c || c.broken) return { verdict: 'unknown' };
    const verdict = c.access.check(a);
    if (verdict !== 'no') return { verdict };
    const who = c.user?.username ?? c.info.user ?? 'you';
    const what = `${a.verb} ${a.subresource ? `${a.resource}/${a.subresource}` : a.resource}${a.group ? ` in API group ${a.group}` : ''}`;
    const where = a.namespace ? ` in namespace ${a.namespace}` : a.resource === 'nodes' || !a.namespace ? ' at the cluster scope' : '';
    return { verdict, message: `not allowed: ${who} may not ${what}${a.name ? ` (${a.name})` : ''}${where} on ${ctx} (RBAC)` };
  }

  /** The server refused something: what kmux knew of the user's rights there is stale. */
  refused(ctx: string, e: unknown): void {
    if (e instanceof ApiError && (e.status === 403 || e.status === 401)) this.contexts.get(ctx)?.access.invalidate();
  }

  /** Whether a context is read-only, and why (the flag, which file). */
  readOnlyOf(ctx: string): ReadOnlyDecision {
    return this.readOnlyConfig.decide(ctx, this.contexts.get(ctx)?.info.cluster);
  }

  /**
   * Read-only for what the user sees now: any context in play (the active ones, or those given)
   * being read-only makes the keys that change things refuse, so a merged view never half-acts.
   */
  readOnlyFor(contexts: string[] = this.active): ReadOnlyDecision | undefined {
    const distinct = [...new Set(contexts)];
    for (const c of distinct) {
      const d = this.readOnlyOf(c);
      // a flag is everybody's; a file is one context's, and says which
      if (d.readOnly) return { readOnly: true, why: distinct.length > 1 && !d.why.startsWith('--') ? `${d.why} for ${c}` : d.why };
    }
    return undefined;
  }

  /** true when any active context is read-only (see readOnlyFor). */
  get readonly(): boolean {
    return !!this.readOnlyFor();
  }

  /** The message a refused write shows: what is disabled, and which setting made kmux read-only. */
  readOnlyMessage(what: string, contexts?: string[]): string {
    const d = this.readOnlyFor(contexts);
    const how = !d ? '' : d.why === '--readonly' ? 'start kmux without --readonly to change things' : `set by ${d.why}; --write overrides it`;
    return `read-only mode: ${what} is disabled (${how})`;
  }

  async deleteRow(view: TableView, row: Row, propagation: string, force: boolean): Promise<void> {
    this.guard('delete', row.context);
    const res = view.perContext.get(row.context) ?? view.resource;
    await this.client(row.context).conn.json('DELETE', resourcePath(res, row.namespace, row.name), {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: propagation, ...(force ? { gracePeriodSeconds: 0 } : {}) },
      timeoutMs: 15_000,
    });
  }

  private guard(what: string, ctx?: string): void {
    const ctxs = ctx && !this.active.includes(ctx) ? [...this.active, ctx] : this.active;
    if (this.readOnlyFor(ctxs)) throw new CommandError(this.readOnlyMessage(what, ctxs));
  }

  async cordon(ctx: string, node: string, on: boolean): Promise<CordonResult> {
    this.guard(on ? 'cordon' : 'uncordon', ctx);
    return setCordon(this.client(ctx).conn, node, on);
  }

  async previewDrain(ctx: string, node: string, o: DrainOptions): Promise<DrainPlan> {
    return (await previewDrain(this.client(ctx).conn, node, o)).plan;
  }

  async drain(ctx: string, node: string, o: DrainOptions, r: DrainRunOptions): Promise<DrainResult> {
    this.guard('drain', ctx);
    return drainNode(this.client(ctx).conn, node, o, r);
  }

  /** `kubectl scale`: a merge patch on the scale subresource. */
  async scale(view: TableView, row: Row, replicas: number): Promise<void> {
    this.guard('scale', row.context);
    const res = view.perContext.get(row.context) ?? view.resource;
    await this.client(row.context).conn.json('PATCH', `${resourcePath(res, row.namespace, row.name)}/scale`, {
      body: { spec: { replicas } }, contentType: 'application/merge-patch+json', timeoutMs: 15_000,
    });
  }

  /** `kubectl rollout restart`: a new restartedAt annotation on the pod template. */
  async restart(view: TableView, row: Row): Promise<void> {
    this.guard('restart', row.context);
    const res = view.perContext.get(row.context) ?? view.resource;
    await this.client(row.context).conn.json('PATCH', resourcePath(res, row.namespace, row.name), {
      query: { fieldManager: 'kubectl-rollout' },
      body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } },
      contentType: 'application/strategic-merge-patch+json', timeoutMs: 15_000,
    });
  }

  /** Kill a pod: delete it with no grace period. */
  async kill(view: TableView, row: Row): Promise<void> {
    this.guard('kill', row.context);
    await this.deleteRow(view, row, 'Background', true);
  }

  validateFilter(text: string): string | undefined {
    try {
      parseFilter(text);
      return undefined;
    } catch (e) {
      return e instanceof FilterError ? e.message : String(e);
    }
  }
}

export { NO_FILTER, parseFilter, FilterError, CommandError };

const core = (plural: string, kind: string, namespaced = true, shortNames: string[] = []): ApiResource => ({
  group: '', version: 'v1', plural, singular: kind.toLowerCase(), kind, namespaced, shortNames, verbs: ['get', 'list', 'watch', 'delete'], categories: [],
});
const apps = (plural: string, kind: string, shortNames: string[] = []): ApiResource => ({
  group: 'apps', version: 'v1', plural, singular: kind.toLowerCase(), kind, namespaced: true, shortNames, verbs: ['get', 'list', 'watch', 'delete'], categories: [],
});
/** What the common names mean before discovery has answered (a cluster that is still down). */
const BUILTIN_GUESSES: Record<string, ApiResource> = {
  pods: core('pods', 'Pod', true, ['po']), po: core('pods', 'Pod', true, ['po']), pod: core('pods', 'Pod', true, ['po']),
  nodes: core('nodes', 'Node', false, ['no']), no: core('nodes', 'Node', false, ['no']), node: core('nodes', 'Node', false, ['no']),
  namespaces: core('namespaces', 'Namespace', false, ['ns']), ns: core('namespaces', 'Namespace', false, ['ns']),
  services: core('services', 'Service', true, ['svc']), svc: core('services', 'Service', true, ['svc']),
  deployments: apps('deployments', 'Deployment', ['deploy']), deploy: apps('deployments', 'Deployment', ['deploy']), dp: apps('deployments', 'Deployment', ['deploy']),
};
