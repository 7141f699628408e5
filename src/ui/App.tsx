/**
 * The navigator screen: header, table (virtualized: only the visible rows are rendered),
 * crumbs, status line, the `:` and `/` prompts, describe/YAML viewers, help and dialogs.
 * Key handling lives here; every action goes through the Session.
 */
import React, { useEffect, useReducer, useRef } from 'react';
import { basename } from 'node:path';
import { Box, Text, useApp, useInput, useWindowSize, type Key } from 'ink';
import type { Session, TableView, ViewSpec } from '../app/session.js';
import { problemLabel } from '../app/session.js';
import type { ViewColumn } from '../store/view.js';
import { resolveResource } from '../kube/discovery.js';
import { bindPlugins, describePlugin, formatProblem as pluginProblem, scopeNames, type Plugin } from '../plugins/load.js';
import { formatKey, matchesKey, type KeySpec } from '../plugins/keys.js';
import { suggestPorts } from '../actions/portforward.js';
import { LogFilter, splitByRanges, type Ranges } from '../actions/log-filter.js';
import { PF_COLUMNS, pfDialogLines, pfKey, pfRowCells, pfRowColor, podPorts, type PfDialog } from './portforward.js';
import { displayText, runCaptured, runForegroundSync, statusText } from '../plugins/run.js';
import { formatCommandLine } from '../plugins/vars.js';
import { parseFilter, FilterError } from '../store/filter.js';
import type { Row } from '../store/rows.js';
import { humanAge } from '../resources/format.js';
import { describe as describeObject } from '../resources/describe.js';
import { toYaml } from '../resources/yaml.js';
import { monoRowStyle, type Theme } from '../theme/theme.js';
import { PREVIEW_ROLES } from '../theme/theme.js';
import { listSkins, loadTheme } from '../theme/select.js';
import { DEFAULT_DRAIN_OPTIONS, refusalMessage, type DrainOptions, type DrainPlan } from '../actions/drain-plan.js';
import type { DrainResult, PodProgress } from '../actions/drain-run.js';
import { DEFAULT_LOG_OPTIONS, LogFollower, logsDir, saveLogLines, type LogLine, type LogTarget, type LogWindow } from '../actions/logs.js';
import { percentOf } from '../store/view.js';
import { clean, fit, width, wrapCuts } from './text.js';

export interface AppProps {
  session: Session;
  initial: ViewSpec;
  version: string;
  theme?: Theme;
  /** called when a key press has been drawn (benchmarks): label, ms from key to frame. */
  onKeyFrame?: (label: string, ms: number) => void;
  /** called once, after the first frame that shows the first table view with every store synced (benchmarks). */
  onReady?: () => void;
  headless?: boolean;
  crumbsless?: boolean;
  logoless?: boolean;
}

interface TextScreen {
  type: 'text';
  title: string;
  lines: string[];
  top: number;
  reveal: boolean;
  reload?: (reveal: boolean) => Promise<string[]>;
}
interface ListRow {
  key: string;
  cells: string[];
  color?: keyof Theme;
  /** colors drawn as small blocks after the cells (the :skins preview) */
  swatches?: string[];
}
interface ListScreen {
  type: 'list';
  title: string;
  columns: string[];
  rows: ListRow[] | (() => ListRow[]);
  cursor: number;
  top: number;
  marks: Set<string>;
  onEnter?: (row: ListRow, marked: string[]) => void;
  /** keys of this list's own (a container's shell, attach, logs...) on the cursor row */
  actions?: { key: string; desc: string; test?: Binding['test']; run: (row: ListRow) => void }[];
  hint?: string;
  /** what an empty list says */
  empty?: string;
}
interface DrainScreen {
  type: 'drain';
  title: string;
  stage: 'options' | 'planning' | 'plan' | 'running' | 'done';
  targets: { context: string; node: string }[];
  opts: DrainOptions;
  field: number;
  plans: ({ plan?: DrainPlan; error?: string } | undefined)[];
  current: number;
  progress: Map<string, PodProgress>;
  notes: string[];
  results: DrainResult[];
  started?: number;
  abort?: AbortController;
  top: number;
}
interface LogsScreen {
  type: 'logs';
  title: string;
  follower: LogFollower;
  top: number;
  autoscroll: boolean;
  wrap: boolean;
  filter?: LogFilter;
  filterRaw: string;
  /** where the logs came from, for the saved file's name */
  name: string;
  off: () => void;
}
type Screen = { type: 'table'; view: TableView } | TextScreen | ListScreen | DrainScreen | LogsScreen | { type: 'help'; top: number };

type Mode = 'normal' | 'command' | 'filter' | 'sortcol' | 'delete' | 'confirm' | 'form' | 'scale' | 'pf';

interface Binding {
  key: string; // shown in help, e.g. '<ctrl-d>'
  desc: string;
  section: 'General' | 'Navigation' | 'Resource' | 'Sort' | 'View' | 'Plugins' | 'Hotkeys';
  test: (input: string, key: Key) => boolean;
  run: () => void;
}

const ch = (c: string) => (input: string, key: Key) => input === c && !key.ctrl && !key.meta;
const ctrl = (c: string) => (input: string, key: Key) => key.ctrl && input === c;

function listRows(s: ListScreen): ListRow[] {
  return typeof s.rows === 'function' ? s.rows() : s.rows;
}

/** Label selector string from a workload's spec.selector (matchLabels + matchExpressions). */
export function selectorString(sel: any): string | undefined {
  if (!sel) return undefined;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? (sel.matchExpressions ? {} : sel))) parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${e.values.join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${e.values.join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : undefined;
}

/** Below this, kmux draws nothing but a note and waits for the terminal to grow. */
const MIN_W = 30;
const MIN_H = 6;

export function App({ session, initial, version, theme: themeProp, onKeyFrame, onReady, headless, crumbsless, logoless }: AppProps): React.ReactElement {
  const { exit, suspendTerminal } = useApp();
  const { columns: W, rows: Hraw } = useWindowSize();
  const H = Hraw || 40;
  const [, bump] = useReducer((x: number) => x + 1, 0);
  const st = useRef({
    stack: [] as Screen[],
    history: [] as ViewSpec[],
    histIdx: -1,
    mode: 'normal' as Mode,
    input: '',
    inputError: '',
    showHeader: !headless,
    showCrumbs: !crumbsless,
    sortCol: 0,
    del: { propagation: 'Background', force: false },
    pendingKey: undefined as undefined | { label: string; t: number },
    confirm: undefined as undefined | { title: string; lines: string[]; onYes: () => void },
    scale: undefined as undefined | { view: TableView; rows: Row[]; value: string },
    pf: undefined as undefined | PfDialog,
    form: undefined as undefined | { plugin: Plugin; values: Record<string, string | number | boolean>; field: number; onSubmit: (v: Record<string, string | number | boolean>) => void },
    /** why the last view could not be opened (shown while there is no view at all) */
    openError: '',
  }).current;

  // redraw on data (stores batch their notices) and once a second for ages and fading colors
  useEffect(() => {
    const off = session.onChange(bump);
    const offPf = session.forwards.onChange(bump);
    const t = setInterval(bump, 1000);
    return () => {
      off();
      offPf();
      clearInterval(t);
    };
  }, [session]);

  // the key-to-frame measure: the frame after a key press is the one that shows it
  useEffect(() => {
    if (st.pendingKey && onKeyFrame) {
      const p = st.pendingKey;
      st.pendingKey = undefined;
      setImmediate(() => onKeyFrame(p.label, performance.now() - p.t));
    }
  });

  // the launch measure: decided at render time, reported once that frame is committed
  const readySent = useRef(false);
  const firstScreen = st.stack[0];
  const readyNow = !!onReady && !readySent.current && firstScreen?.type === 'table' && firstScreen.view.storeStatus().every((x) => x.synced);
  useEffect(() => {
    if (!readyNow || readySent.current) return;
    readySent.current = true;
    setImmediate(() => onReady!());
  });

  const top = (): Screen | undefined => st.stack[st.stack.length - 1];
  // compact mode: under 24 rows or 80 columns the header gives its room to the table
  const headerShown = () => st.showHeader && H >= 24 && W >= 80;
  const tableOf = (): TableView | undefined => {
    const s = top();
    return s?.type === 'table' ? s.view : undefined;
  };

  const pushScreen = (s: Screen) => {
    st.stack.push(s);
    bump();
  };

  const disposeScreen = (s: Screen) => {
    if (s.type === 'table') s.view.dispose();
    if (s.type === 'logs') {
      s.off();
      s.follower.stop();
    }
  };

  const popScreen = () => {
    if (st.stack.length <= 1) return;
    const s = st.stack.pop()!;
    if (s.type === 'table') s.view.dispose();
    if (s.type === 'logs') {
      s.off();
      s.follower.stop();
    }
    bump();
  };

  const openSpec = async (spec: ViewSpec, opts: { replace?: boolean; record?: boolean; reset?: boolean } = {}): Promise<boolean> => {
    try {
      const view = await session.openTable(spec);
      if (opts.reset) {
        for (const old of st.stack.splice(0)) disposeScreen(old);
      } else if (opts.replace) {
        const old = st.stack.pop();
        if (old?.type === 'table') old.view.dispose();
      }
      st.stack.push({ type: 'table', view });
      if (opts.record !== false) {
        st.history = st.history.slice(0, st.histIdx + 1);
        st.history.push(spec);
        st.histIdx = st.history.length - 1;
      }
      session.rememberView(view.spec);
      st.openError = '';
      bump();
      return true;
    } catch (e) {
      st.openError = (e as Error).message;
      session.flash((e as Error).message, 'error');
      return false;
    }
  };

  // first view
  useEffect(() => {
    void openSpec(initial);
    return () => {
      for (const s of st.stack) disposeScreen(s);
    };
  }, []);

  const flash = (t: string, l: 'info' | 'warn' | 'error' = 'info') => session.flash(t, l);

  // ------------------------------------------------------------------ actions
  const runCommand = async (text: string) => {
    let cmd;
    try {
      cmd = session.parse(text);
    } catch (e) {
      flash((e as Error).message, 'error');
      return;
    }
    switch (cmd.kind) {
      case 'quit':
        exit();
        return;
      case 'help':
        pushScreen({ type: 'help', top: 0 });
        return;
      case 'aliases':
        pushScreen({
          type: 'list', title: 'aliases', columns: ['ALIAS', 'COMMAND'], cursor: 0, top: 0, marks: new Set(),
          rows: Object.entries(session.aliases).sort().map(([k, v]) => ({ key: k, cells: [k, v] })),
          onEnter: (row) => void runCommand(row.cells[1]),
        });
        return;
      case 'skins':
        if (cmd.name) {
          session.setSkin(cmd.name);
          return;
        }
        return openSkins();
      case 'plugins':
        return openPlugins();
      case 'pf':
        return openForwards();
      case 'problems':
        return openProblems();
      case 'ctx':
        if (cmd.name) return switchContexts([cmd.name]);
        return openContexts();
      case 'ns':
        return switchNamespace(cmd.name === 'all' || cmd.name === '-A' ? undefined : cmd.name);
      case 'resource': {
        let spec: ViewSpec;
        try {
          spec = session.specFor(cmd);
        } catch (e) {
          flash((e as Error).message, 'error');
          return;
        }
        await openSpec(spec, { reset: true });
      }
    }
  };

  const openSkins = () => {
    const current = session.skinChoice(focusContext())?.choice.name ?? 'stock';
    pushScreen({
      type: 'list', title: 'skins', columns: ['NAME', 'FROM', 'FILE'], cursor: 0, top: 0, marks: new Set(),
      hint: `<enter> use it everywhere   (in use: ${current})`,
      rows: listSkins(session.o.env ?? process.env).map((sk) => {
        const t = loadTheme(sk.file, session.o.env ?? process.env).theme;
        return { key: sk.name, cells: [(sk.name === current ? '* ' : '  ') + sk.name, sk.origin, sk.file], swatches: PREVIEW_ROLES.map((r) => t[r] ?? '') };
      }),
      onEnter: (row) => {
        session.setSkin(row.key);
        popScreen();
      },
    });
  };

  /** `:problems`: everything wrong found in the user's files and contexts, oldest first. */
  const openProblems = () => {
    pushScreen({
      type: 'list', title: 'problems', columns: ['SOURCE', 'PROBLEM'], cursor: 0, top: 0, marks: new Set(),
      hint: session.problems.length ? 'kmux carries on with defaults for what is wrong' : undefined, empty: 'no problems found',
      rows: () => session.problems.map((p, i) => ({ key: String(i), cells: [p.source, p.message], color: 'rowError' as const })),
    });
  };

  const focusContext = () => tableOf()?.spec.contexts[0] ?? session.active[0];

  const openContexts = () => {
    const screen: ListScreen = {
      type: 'list', title: 'contexts', columns: ['NAME', 'CLUSTER', 'USER', 'SERVER', 'STATUS', 'VERSION', 'NODES'], cursor: 0, top: 0, marks: new Set(),
      hint: '<enter> switch  <space> mark (several = merged view)',
      rows: () => [...session.contexts.values()].map((c) => {
        const h = c.health;
        const active = session.active.includes(c.name);
        return {
          key: c.name,
          cells: [
            (active ? '* ' : '  ') + c.name, c.info.cluster, c.info.user, c.info.server ?? '',
            h.state === 'ok' ? 'reachable' : h.state === 'connecting' ? (c.health.checkedAt ? 'checking' : 'not checked')
              : h.state === 'broken' ? `broken: ${h.error ?? ''}` : `${problemLabel(h.errorKind ?? 'unreachable')}: ${h.error ?? ''}`,
            h.version ?? '', h.nodes === undefined ? '' : String(h.nodes),
          ],
          color: h.state === 'error' || h.state === 'broken' ? 'rowError' : h.state === 'ok' ? 'rowNormal' : 'rowPending',
        };
      }),
      onEnter: (row, marked) => switchContexts(marked.length ? marked : [row.key]),
    };
    for (const c of session.contexts.values()) if (c.health.state === 'connecting' && !c.health.checkedAt) c.start();
    pushScreen(screen);
  };

  const currentSpec = (): ViewSpec | undefined => tableOf()?.spec ?? st.history[st.histIdx];

  const switchContexts = (names: string[]) => {
    try {
      for (const n of names) session.client(n);
    } catch (e) {
      flash((e as Error).message, 'error');
      return;
    }
    session.setActive(names);
    const base = currentSpec() ?? initial;
    while (st.stack.length && top()?.type !== 'table') st.stack.pop();
    flash(`context: ${names.join(', ')}`);
    void openSpec({ ...base, contexts: names }, { reset: true });
  };

  const switchNamespace = async (ns: string | undefined) => {
    const base = currentSpec() ?? initial;
    const resource = base.resource === 'namespaces' || base.resource === 'ns' ? 'pods' : base.resource;
    // the view opens first: a namespace that does not exist is refused there, and is neither
    // switched to nor saved as a favorite
    const ok = await openSpec({ ...base, resource, namespace: ns, label: undefined, labelSelector: undefined, fieldSelector: undefined }, { reset: true });
    if (!ok) return;
    session.setNamespace(ns);
    flash(`namespace: ${ns ?? 'all'}`);
  };

  const showText = async (title: string, load: (reveal: boolean) => Promise<string[]>) => {
    try {
      const lines = await load(false);
      pushScreen({ type: 'text', title, lines, top: 0, reveal: false, reload: load });
    } catch (e) {
      flash((e as Error).message, 'error');
    }
  };

  const describeRow = (view: TableView, row: Row) => {
    void showText(`describe ${view.resource.plural}/${row.name}`, async () => {
      const obj = await session.fetch(view, row);
      const ctx = row.context;
      const events = await session.related(ctx, obj.metadata.namespace ? `/api/v1/namespaces/${obj.metadata.namespace}/events` : '/api/v1/events', {
        // the kubelet records a node's events with the node's name as its uid: ask by name and kind
        fieldSelector: obj.kind === 'Node' ? `involvedObject.kind=Node,involvedObject.name=${obj.metadata.name}` : `involvedObject.uid=${obj.metadata.uid}`,
      });
      let pods: any[] | undefined;
      let replicaSets: any[] | undefined;
      if (obj.kind === 'Node') pods = await session.related(ctx, '/api/v1/pods', { fieldSelector: `spec.nodeName=${obj.metadata.name}` });
      if (obj.kind === 'Deployment') {
        replicaSets = (await session.related(ctx, `/apis/apps/v1/namespaces/${obj.metadata.namespace}/replicasets`, {}))
          .filter((rs) => rs.metadata.ownerReferences?.some((o: any) => o.uid === obj.metadata.uid));
      }
      return clean(describeObject(obj, { events, pods, replicaSets, now: Date.now() })).split('\n');
    });
  };

  const yamlRow = (view: TableView, row: Row) => {
    void showText(`yaml ${view.resource.plural}/${row.name}`, async (reveal) => {
      const obj = await session.fetch(view, row);
      return clean(toYaml(obj, { revealSecrets: reveal })).split('\n');
    });
  };

  const drill = async (view: TableView, row: Row) => {
    const plural = view.resource.plural;
    const g = view.resource.group;
    const base = { contexts: [row.context] };
    if (plural === 'namespaces' && g === '') return switchNamespace(row.name);
    if (plural === 'nodes' && g === '') {
      return openSpec({ ...base, resource: 'pods', namespace: undefined, fieldSelector: `spec.nodeName=${row.name}`, label: `pods(node/${row.name})` });
    }
    if (plural === 'pods' && g === '') return showContainers(view, row);
    if (['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs'].includes(plural) || (plural === 'services' && g === '')) {
      try {
        const obj = await session.fetch(view, row);
        const sel = selectorString(obj.spec?.selector);
        if (!sel) {
          flash(`${plural}/${row.name} has no selector`, 'warn');
          return;
        }
        return openSpec({ ...base, resource: 'pods', namespace: row.namespace, labelSelector: sel, label: `pods(${view.resource.singular}/${row.name})` });
      } catch (e) {
        flash((e as Error).message, 'error');
        return;
      }
    }
    if (plural === 'cronjobs') return openSpec({ ...base, resource: 'jobs', namespace: row.namespace, label: `jobs(cronjob/${row.name})`, filter: row.name });
    describeRow(view, row);
  };

  const showContainers = async (view: TableView, row: Row) => {
    try {
      const pod = await session.fetch(view, row);
      const statuses = new Map<string, any>([...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].map((s: any) => [s.name, s]));
      const mk = (c: any, init: boolean): ListRow => {
        const s = statuses.get(c.name) ?? {};
        const state = s.state?.running ? 'Running' : s.state?.waiting ? s.state.waiting.reason : s.state?.terminated ? s.state.terminated.reason : 'Unknown';
        return {
          key: c.name,
          cells: [c.name + (init ? ' (init)' : ''), c.image, String(!!s.ready), state, String(s.restartCount ?? 0), (c.ports ?? []).map((p: any) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(','),
            c.resources?.requests?.cpu ?? '', c.resources?.requests?.memory ?? ''],
          color: state === 'Running' && s.ready ? 'rowNormal' : state === 'Completed' ? 'rowCompleted' : /BackOff|Err|Error/.test(state) ? 'rowError' : 'rowPending',
        };
      };
      pushScreen({
        type: 'list', title: `containers(${row.namespace}/${row.name})`, columns: ['NAME', 'IMAGE', 'READY', 'STATE', 'RESTARTS', 'PORTS', 'CPU/R', 'MEM/R'],
        rows: [...(pod.spec.initContainers ?? []).map((c: any) => mk(c, true)), ...pod.spec.containers.map((c: any) => mk(c, false))],
        cursor: 0, top: 0, marks: new Set(),
        actions: [
          { key: 's', desc: session.readonly ? 'shell (read-only)' : 'shell', run: (r) => void podTerminal('shell', { context: row.context, namespace: row.namespace ?? '', pod: row.name, container: r.key }) },
          { key: 'a', desc: session.readonly ? 'attach (read-only)' : 'attach', run: (r) => void podTerminal('attach', { context: row.context, namespace: row.namespace ?? '', pod: row.name, container: r.key }) },
          { key: '<shift-f>', desc: 'port-forward', test: ch('F'), run: (r) => openPortForward(row.context, pod, r.key) },
          { key: 'l', desc: 'logs of the container', run: (r) => void openLogs(view, row, false, r.key) },
          { key: 'p', desc: 'previous logs of the container', run: (r) => void openLogs(view, row, true, r.key) },
        ],
      });
    } catch (e) {
      flash((e as Error).message, 'error');
    }
  };

  const confirmDelete = async () => {
    const view = tableOf();
    if (!view) return;
    const targets = marked(view);
    st.mode = 'normal';
    for (const row of targets) {
      try {
        await session.deleteRow(view, row, st.del.propagation, st.del.force);
      } catch (e) {
        flash(`delete ${row.name}: ${(e as Error).message}`, 'error');
        return;
      }
    }
    view.marks.clear();
    flash(`deleted ${targets.length === 1 ? `${view.resource.plural}/${targets[0].name}` : `${targets.length} ${view.resource.plural}`}${st.del.force ? ' (forced)' : ''}`);
  };

  const marked = (view: TableView): Row[] => {
    if (view.marks.size) return view.rows().filter((r) => view.marks.has(r.key));
    const cur = view.current();
    return cur ? [cur] : [];
  };

  const sortBy = (view: TableView, name: string) => {
    const cur = view.vm.getSort();
    const asc = cur.column === name ? !cur.asc : name !== 'AGE';
    view.vm.setSort({ column: name, asc });
    flash(`sorted by ${name} ${asc ? 'ascending' : 'descending'}`);
  };

  // ------------------------------------------------------------------ edit, shell, attach
  /**
   * kubectl in the foreground on the row's own context (edit, exec, attach): the terminal is
   * kubectl's until it exits; watches stall meanwhile and are refreshed after.
   */
  const kubectlForeground = async (context: string, args: string[], what: string, extraEnv: Record<string, string> = {}, sessionLike = false): Promise<boolean> => {
    let kube;
    try {
      // read-only mode: the read-only proxy's kubeconfig; no child starts without it
      kube = await session.childEnv(context);
    } catch (e) {
      flash(`${what}: ${(e as Error).message}`, 'error');
      return false;
    }
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...kube,
      ...extraEnv,
    };
    const argv = { command: 'kubectl', args: ['--context', context, ...args], pipes: [], env: {} };
    let out: ReturnType<typeof runForegroundSync> = {};
    await suspendTerminal(() => {
      out = runForegroundSync(argv, env);
    });
    session.registry.refresh();
    bump();
    // a shell's exit status is the last command's: the user's business, not a failure of kmux
    if (sessionLike && out.exitCode !== undefined && out.exitCode !== 0 && !out.signal) flash(`${what}: ended (exit ${out.exitCode})`);
    else if (out.error && !/^exit code /.test(out.error)) flash(`${what}: ${out.error}`, 'error');
    else if (out.signal) flash(`${what}: kubectl ended by ${out.signal}`, 'warn');
    else if ((out.exitCode ?? 0) !== 0) flash(`${what}: kubectl exited ${out.exitCode}`, 'error');
    else return true;
    return false;
  };

  /** `kubectl edit` with KUBE_EDITOR, K9S_EDITOR or EDITOR, then back to the same view. */
  const editRow = async (v: TableView, row: Row) => {
    if (session.readOnlyFor([row.context, ...session.active])) return flash(session.readOnlyMessage('edit', [row.context, ...session.active]), 'error');
    const res = v.perContext.get(row.context) ?? v.resource;
    const kind = res.group ? `${res.plural}.${res.group}` : res.plural;
    const editor = process.env.KUBE_EDITOR || process.env.K9S_EDITOR || process.env.EDITOR || 'vi';
    const ok = await kubectlForeground(row.context, ['edit', `${kind}/${row.name}`, ...(row.namespace ? ['-n', row.namespace] : [])], `edit ${row.name}`, { KUBE_EDITOR: editor });
    if (ok) flash(`edited ${res.singular}/${row.name}`);
  };

  /**
   * Shell (`kubectl exec -it`, bash when the image has it, else sh) or attach into one container
   * of a pod. A pod with several containers and no default-container annotation opens its
   * containers view first, where the same key picks the container.
   */
  const podTerminal = async (kind: 'shell' | 'attach', target: { context: string; namespace: string; pod: string; container?: string }, view?: TableView, row?: Row) => {
    if (session.readOnlyFor([target.context, ...session.active])) return flash(session.readOnlyMessage(kind, [target.context, ...session.active]), 'error');
    let container = target.container;
    if (!container && view && row) {
      try {
        const pod = await session.fetch(view, row);
        const names: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
        const dflt = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
        if (pod.status?.phase && pod.status.phase !== 'Running') return flash(`${kind}: pod ${row.name} is ${pod.status.phase}, not Running`, 'warn');
        if (dflt && names.includes(dflt)) container = dflt;
        else if (names.length === 1) container = names[0];
        else {
          await showContainers(view, row);
          return flash(`pod ${row.name} has ${names.length} containers: pick one and press ${kind === 'shell' ? 's' : 'a'}`);
        }
      } catch (e) {
        return flash((e as Error).message, 'error');
      }
    }
    const where = ['-n', target.namespace, ...(container ? ['-c', container] : [])];
    const args = kind === 'shell'
      ? ['exec', '-it', target.pod, ...where, '--', 'sh', '-c', 'command -v bash >/dev/null 2>&1 && exec bash || exec sh']
      : ['attach', '-it', target.pod, ...where];
    const label = `${kind} ${target.pod}${container ? `/${container}` : ''}`;
    if (await kubectlForeground(target.context, args, label, {}, true)) flash(`${label}: ended`);
  };

  // ------------------------------------------------------------------ logs
  /** Logs of a pod (all its containers, or `container`) or of every pod of a workload or service. */
  const openLogs = async (view: TableView, row: Row, previous: boolean, container?: string) => {
    const plural = view.resource.plural;
    try {
      const obj = await session.fetch(view, row);
      let pods: any[];
      if (plural === 'pods') pods = [obj];
      else {
        const sel = selectorString(obj.spec?.selector);
        if (!sel) return flash(`${plural}/${row.name} has no selector`, 'warn');
        pods = await session.related(row.context, `/api/v1/namespaces/${row.namespace}/pods`, { labelSelector: sel });
        if (!pods.length) return flash(`no pods for ${plural}/${row.name}`, 'warn');
      }
      const targets: LogTarget[] = pods.map((p) => ({ namespace: p.metadata.namespace, pod: p.metadata.name, containers: container ? [container] : (p.spec?.containers ?? []).map((c: any) => c.name) }));
      const follower = new LogFollower(session.client(row.context).conn, targets, { ...DEFAULT_LOG_OPTIONS, previous, maxLines: Number(process.env.KMUX_LOG_LINES) || DEFAULT_LOG_OPTIONS.maxLines });
      const offs = [follower.onChange(bump)];
      if (plural !== 'pods') {
        // a workload's pods come and go (rollouts, evictions, scaling): follow them through a
        // pods store on the workload's selector, shared with any view that shows the same pods
        const podsRes = resolveResource(session.client(row.context).resources ?? [], 'pods');
        const sel = selectorString(obj.spec?.selector);
        if (podsRes && sel) {
          const store = session.registry.acquire({ context: row.context, resource: podsRes, namespace: row.namespace, labelSelector: sel });
          const sync = () => {
            if (!store.status.synced) return;
            follower.sync([...store.rows.values()].map((r) => ({
              namespace: r.namespace ?? '', pod: r.name,
              containers: (((r.extra as any)?.containers ?? []) as { name: string }[]).map((c) => c.name),
            })).filter((t) => t.containers.length));
          };
          offs.push(store.subscribe(sync), () => session.registry.release(store));
        }
      }
      const screen: LogsScreen = {
        type: 'logs', title: `logs ${plural === 'pods' ? '' : `${view.resource.singular}/`}${row.name}${container ? `/${container}` : ''}${previous ? ' (previous)' : ''}`,
        follower, top: 0, autoscroll: true, wrap: false, filterRaw: '', name: `${row.context}-${row.namespace ?? ''}-${plural === 'pods' ? '' : `${view.resource.singular}-`}${row.name}`, off: () => { for (const o of offs) o(); },
      };
      follower.start();
      pushScreen(screen);
    } catch (e) {
      flash((e as Error).message, 'error');
    }
  };

  // ------------------------------------------------------------------ node lifecycle
  const cordonRows = async (view: TableView, on: boolean) => {
    const rows = marked(view);
    const said: string[] = [];
    for (const r of rows) {
      try {
        const res = await session.cordon(r.context, r.name, on);
        said.push(`node/${r.name} ${res}${view.spec.contexts.length > 1 ? ` (${r.context})` : ''}`);
      } catch (e) {
        flash(`${on ? 'cordon' : 'uncordon'} ${r.name}: ${(e as Error).message}`, 'error');
        return;
      }
    }
    view.marks.clear();
    flash(said.join('; '));
  };

  const DRAIN_FIELDS: { key: keyof DrainOptions; label: string; kind: 'number' | 'bool' | 'text' }[] = [
    { key: 'gracePeriodSeconds', label: 'Grace period (s, -1 = the pod\'s own)', kind: 'number' },
    { key: 'timeoutSeconds', label: 'Timeout (s, 0 = none)', kind: 'number' },
    { key: 'ignoreDaemonSets', label: 'Ignore DaemonSets', kind: 'bool' },
    { key: 'deleteEmptyDirData', label: 'Delete emptyDir data', kind: 'bool' },
    { key: 'force', label: 'Force (pods with no controller)', kind: 'bool' },
    { key: 'disableEviction', label: 'Disable eviction (plain delete, ignores PDBs)', kind: 'bool' },
    { key: 'podSelector', label: 'Pod selector', kind: 'text' },
    { key: 'dryRun', label: 'Dry run (change nothing)', kind: 'bool' },
  ];

  const openDrain = (view: TableView) => {
    const rows = marked(view);
    if (!rows.length) return;
    pushScreen({
      type: 'drain', title: rows.length === 1 ? `drain ${rows[0].name}` : `drain ${rows.length} nodes`, stage: 'options',
      targets: rows.map((r) => ({ context: r.context, node: r.name })), opts: { ...DEFAULT_DRAIN_OPTIONS }, field: 0,
      plans: [], current: 0, progress: new Map(), notes: [], results: [], top: 0,
    });
  };

  const planDrains = async (d: DrainScreen) => {
    d.stage = 'planning';
    d.plans = [];
    bump();
    for (const t of d.targets) {
      try {
        d.plans.push({ plan: await session.previewDrain(t.context, t.node, d.opts) });
      } catch (e) {
        d.plans.push({ error: (e as Error).message });
      }
    }
    if (d.stage === 'planning') d.stage = 'plan';
    bump();
  };

  const runDrains = async (d: DrainScreen) => {
    d.stage = 'running';
    d.started = Date.now();
    d.results = [];
    for (d.current = 0; d.current < d.targets.length; d.current++) {
      const t = d.targets[d.current];
      d.progress = new Map();
      d.notes = [];
      d.abort = new AbortController();
      try {
        const res = await session.drain(t.context, t.node, d.opts, {
          signal: d.abort.signal,
          onEvent: (ev) => {
            if (ev.type === 'cordon') d.notes.push(`node/${ev.node} ${ev.result}${d.opts.dryRun ? ' (dry run)' : ''}`);
            else if (ev.type === 'plan') d.notes.push(...ev.warnings);
            else if (ev.type === 'pod') d.progress.set(ev.pod.entry.uid, ev.pod);
            bump();
          },
        });
        d.results.push(res);
      } catch (e) {
        d.results.push({ node: t.node, outcome: 'failed', message: (e as Error).message, evicted: [], remaining: [] });
      }
      bump();
      if (d.abort.signal.aborted) break;
    }
    d.stage = 'done';
    const summary = d.results.map((r) => `${r.node}: ${r.outcome}`).join('; ');
    flash(summary, d.results.every((r) => r.outcome === 'drained' || r.outcome === 'dry run') ? 'info' : 'warn');
    bump();
  };

  const handleDrainKey = (d: DrainScreen, input: string, key: Key) => {
    if (d.stage === 'options') {
      const f = DRAIN_FIELDS[d.field];
      if (key.escape) return popScreen();
      if (key.upArrow || (key.tab && key.shift)) d.field = (d.field + DRAIN_FIELDS.length - 1) % DRAIN_FIELDS.length;
      else if (key.downArrow || key.tab) d.field = (d.field + 1) % DRAIN_FIELDS.length;
      else if (key.return) void planDrains(d);
      else if (f.kind === 'bool' && input === ' ') (d.opts as any)[f.key] = !(d.opts as any)[f.key];
      else if (f.kind === 'number') {
        const cur = String((d.opts as any)[f.key]);
        let next = cur;
        if (key.backspace || key.delete) next = cur.slice(0, -1);
        else if (/^[0-9-]$/.test(input)) next = cur === '0' || cur === '-1' ? input : cur + input;
        const n = next === '' || next === '-' ? 0 : Number(next);
        if (Number.isInteger(n) && n >= -1) (d.opts as any)[f.key] = n;
      } else if (f.kind === 'text') {
        const cur = String((d.opts as any)[f.key]);
        if (key.backspace || key.delete) (d.opts as any)[f.key] = cur.slice(0, -1);
        else if (input && !key.ctrl && input >= ' ') (d.opts as any)[f.key] = cur + input;
      }
      return;
    }
    if (d.stage === 'planning') {
      if (key.escape) popScreen();
      return;
    }
    if (d.stage === 'plan') {
      if (key.escape) return popScreen();
      if (input === 'o') {
        d.stage = 'options';
        return;
      }
      if (key.return) {
        if (d.plans.some((p) => p?.plan)) void runDrains(d);
        else flash('nothing to drain: every plan failed', 'error');
      }
      if (key.downArrow || input === 'j') d.top++;
      if (key.upArrow || input === 'k') d.top = Math.max(0, d.top - 1);
      return;
    }
    if (d.stage === 'running') {
      if (key.escape) {
        d.abort?.abort();
        flash('cancelling the drain: evicted pods stay evicted, the node stays cordoned');
      }
      if (key.downArrow || input === 'j') d.top++;
      if (key.upArrow || input === 'k') d.top = Math.max(0, d.top - 1);
      return;
    }
    if (key.escape || key.return) popScreen();
    if (key.downArrow || input === 'j') d.top++;
    if (key.upArrow || input === 'k') d.top = Math.max(0, d.top - 1);
  };

  // ------------------------------------------------------------------ bindings
  const tableRowsVisible = () => Math.max(1, H - (headerShown() ? 7 : 0) - (st.showCrumbs ? 1 : 0) - 1 - 3 - (st.mode === 'command' || st.mode === 'filter' ? 3 : 0));

  const bindings = (): Binding[] => {
    const s = top();
    const b: Binding[] = [
      { key: ':', desc: 'command', section: 'General', test: ch(':'), run: () => { st.mode = 'command'; st.input = ''; st.inputError = ''; } },
      { key: '?', desc: 'help', section: 'General', test: ch('?'), run: () => pushScreen({ type: 'help', top: 0 }) },
      { key: '<esc>', desc: 'back', section: 'General', test: (_i, k) => k.escape, run: () => {
        const v = tableOf();
        if (v && v.vm.getFilter().kind !== 'none') { v.vm.setFilter(parseFilter('')); bump(); return; }
        popScreen();
      } },
      { key: '<ctrl-c>', desc: 'quit', section: 'General', test: ctrl('c'), run: () => exit() },
      { key: '[', desc: 'history back', section: 'General', test: ch('['), run: () => {
        if (st.histIdx <= 0) return flash('no earlier view', 'warn');
        st.histIdx--;
        void openSpec(st.history[st.histIdx], { replace: true, record: false });
      } },
      { key: ']', desc: 'history forward', section: 'General', test: ch(']'), run: () => {
        if (st.histIdx >= st.history.length - 1) return flash('no later view', 'warn');
        st.histIdx++;
        void openSpec(st.history[st.histIdx], { replace: true, record: false });
      } },
      { key: '-', desc: 'previous view', section: 'General', test: ch('-'), run: () => {
        if (st.histIdx <= 0) return flash('no previous view', 'warn');
        const prev = st.history[st.histIdx - 1];
        void openSpec(prev, { replace: true });
      } },
      { key: '<ctrl-e>', desc: 'toggle header', section: 'View', test: ctrl('e'), run: () => { st.showHeader = !st.showHeader; } },
      { key: '<ctrl-g>', desc: 'toggle crumbs', section: 'View', test: ctrl('g'), run: () => { st.showCrumbs = !st.showCrumbs; } },
      { key: '<ctrl-r>', desc: 'refresh', section: 'General', test: ctrl('r'), run: () => {
        session.registry.refresh();
        for (const c of session.active) session.client(c).recheck();
        flash('refreshing');
      } },
      { key: '<ctrl-a>', desc: 'aliases', section: 'General', test: ctrl('a'), run: () => void runCommand('aliases') },
    ];
    if (s?.type === 'table') {
      const v = s.view;
      const page = tableRowsVisible();
      const res = v.resource;
      b.push(
        { key: '/', desc: 'filter', section: 'General', test: ch('/'), run: () => { st.mode = 'filter'; st.input = v.vm.getFilter().raw; st.inputError = ''; } },
        { key: '<ctrl-u>', desc: 'clear filter', section: 'General', test: ctrl('u'), run: () => { v.vm.setFilter(parseFilter('')); } },
        { key: 'j/<down>', desc: 'down', section: 'Navigation', test: (i, k) => k.downArrow || ch('j')(i, k), run: () => v.move(1) },
        { key: 'k/<up>', desc: 'up', section: 'Navigation', test: (i, k) => k.upArrow || ch('k')(i, k), run: () => v.move(-1) },
        { key: '<pgdn>/<ctrl-f>', desc: 'page down', section: 'Navigation', test: (i, k) => k.pageDown || ctrl('f')(i, k), run: () => v.move(page) },
        { key: '<pgup>/<ctrl-b>', desc: 'page up', section: 'Navigation', test: (i, k) => k.pageUp || ctrl('b')(i, k), run: () => v.move(-page) },
        { key: 'g/<home>', desc: 'top', section: 'Navigation', test: (i, k) => k.home || ch('g')(i, k), run: () => v.moveTo(0) },
        { key: 'G/<end>', desc: 'bottom', section: 'Navigation', test: (i, k) => k.end || ch('G')(i, k), run: () => v.moveTo(Number.MAX_SAFE_INTEGER) },
        { key: '<space>', desc: 'mark', section: 'Resource', test: ch(' '), run: () => {
          const cur = v.current();
          if (!cur) return;
          if (v.marks.has(cur.key)) v.marks.delete(cur.key);
          else v.marks.add(cur.key);
          v.move(1);
        } },
        { key: '<ctrl-\\>', desc: 'clear marks', section: 'Resource', test: (i, k) => (k.ctrl && i === '\\') || i === '\x1c', run: () => v.marks.clear() },
        { key: '<enter>', desc: 'drill down', section: 'Resource', test: (_i, k) => k.return, run: () => { const r = v.current(); if (r) void drill(v, r); } },
        { key: 'd', desc: 'describe', section: 'Resource', test: ch('d'), run: () => { const r = v.current(); if (r) describeRow(v, r); } },
        { key: 'y', desc: 'yaml', section: 'Resource', test: ch('y'), run: () => { const r = v.current(); if (r) yamlRow(v, r); } },
        { key: 'e', desc: session.readonly ? 'edit (read-only)' : 'edit (kubectl edit)', section: 'Resource', test: ch('e'), run: () => { const r = v.current(); if (r) void editRow(v, r); } },
        { key: '<ctrl-w>', desc: 'wide columns', section: 'View', test: ctrl('w'), run: () => { v.wide = !v.wide; } },
        { key: '<ctrl-z>', desc: 'faults only', section: 'View', test: ctrl('z'), run: () => { v.vm.setFaultsOnly(!v.vm.getFaultsOnly()); flash(v.vm.getFaultsOnly() ? 'showing faults only' : 'showing all'); } },
        { key: 'N', desc: 'sort by name', section: 'Sort', test: ch('N'), run: () => sortBy(v, 'NAME') },
        { key: 'A', desc: 'sort by age', section: 'Sort', test: ch('A'), run: () => sortBy(v, 'AGE') },
        { key: 'S', desc: 'sort by status', section: 'Sort', test: ch('S'), run: () => {
          const col = v.columns.find((c) => c.name === 'STATUS') ?? v.columns.find((c) => c.name === 'READY');
          if (col) sortBy(v, col.name);
          else flash('this view has no status column', 'warn');
        } },
        { key: 'O', desc: 'sort by column (pick with ←/→, <enter>)', section: 'Sort', test: ch('O'), run: () => { st.mode = 'sortcol'; st.sortCol = 0; } },
      );
      // read-only: the keys stay bound and say why they refuse, rather than doing nothing
      const ro = session.readOnlyFor(v.spec.contexts) ?? session.readOnlyFor();
      const refuse = (what: string) => () => flash(session.readOnlyMessage(what, [...v.spec.contexts, ...session.active]), 'error');
      b.push({ key: '<ctrl-d>', desc: ro ? 'delete (read-only)' : 'delete', section: 'Resource', test: ctrl('d'), run: ro ? refuse('delete') : () => {
        if (marked(v).length === 0) return;
        st.mode = 'delete';
        st.del = { propagation: 'Background', force: false };
      } });
      if ((res.plural === 'pods' && res.group === '') || ['deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs'].includes(res.plural) || (res.plural === 'services' && res.group === '')) {
        b.push({ key: 'l', desc: 'logs', section: 'Resource', test: ch('l'), run: () => { const r = v.current(); if (r) void openLogs(v, r, false); } });
        if (res.plural === 'pods') b.push({ key: 'p', desc: 'previous logs', section: 'Resource', test: ch('p'), run: () => { const r = v.current(); if (r) void openLogs(v, r, true); } });
      }
      if (res.plural === 'pods' && res.group === '') {
        const term = (kind: 'shell' | 'attach') => () => {
          const r = v.current();
          if (r) void podTerminal(kind, { context: r.context, namespace: r.namespace ?? '', pod: r.name }, v, r);
        };
        b.push(
          { key: 's', desc: ro ? 'shell (read-only)' : 'shell', section: 'Resource', test: ch('s'), run: term('shell') },
          { key: 'a', desc: ro ? 'attach (read-only)' : 'attach', section: 'Resource', test: ch('a'), run: term('attach') },
          { key: '<shift-f>', desc: 'port-forward', section: 'Resource', test: ch('F'), run: () => {
            const r = v.current();
            if (r) void session.fetch(v, r).then((pod) => openPortForward(r.context, pod), (e) => flash((e as Error).message, 'error'));
          } },
        );
      }
      if (['deployments', 'statefulsets', 'replicasets'].includes(res.plural) && res.group === 'apps') {
        b.push({ key: 's', desc: ro ? 'scale (read-only)' : 'scale', section: 'Resource', test: ch('s'), run: () => {
          if (ro) return refuse('scale')();
          const rows = marked(v);
          if (!rows.length) return;
          const cur = String(v.rows().find((r) => r.key === rows[0].key)?.extra?.replicas ?? '');
          st.scale = { view: v, rows, value: cur };
          st.mode = 'scale';
        } });
      }
      if (['deployments', 'statefulsets', 'daemonsets'].includes(res.plural) && res.group === 'apps') {
        b.push({ key: 'r', desc: ro ? 'restart (read-only)' : 'restart', section: 'Resource', test: ch('r'), run: () => {
          if (ro) return refuse('restart')();
          const rows = marked(v);
          if (!rows.length) return;
          st.confirm = {
            title: `Restart ${rows.length === 1 ? `${res.singular}/${rows[0].name}` : `${rows.length} ${res.plural}`}?`,
            lines: ['a rollout restart: pods are replaced one set at a time'],
            onYes: () => void actOn(rows, 'restart', (r) => session.restart(v, r), `restarted ${rows.map((r) => `${res.singular}/${r.name}`).join(', ')}`),
          };
          st.mode = 'confirm';
        } });
      }
      if (res.plural === 'pods' && res.group === '') {
        b.push({ key: '<ctrl-k>', desc: ro ? 'kill (read-only)' : 'kill (no grace period)', section: 'Resource', test: ctrl('k'), run: ro ? refuse('kill') : () => {
          const rows = marked(v);
          if (!rows.length) return;
          st.confirm = {
            title: `Kill ${rows.length === 1 ? `pod/${rows[0].name}` : `${rows.length} pods`}?`,
            lines: ['deleted at once, with no grace period'],
            onYes: () => {
              v.marks.clear();
              void actOn(rows, 'kill', (r) => session.kill(v, r), `killed ${rows.map((r) => `pod/${r.name}`).join(', ')}`);
            },
          };
          st.mode = 'confirm';
        } });
      }
      if (res.plural === 'nodes' && res.group === '') {
        b.push(
          { key: 'c', desc: ro ? 'cordon (read-only)' : 'cordon', section: 'Resource', test: ch('c'), run: ro ? refuse('cordon') : () => void cordonRows(v, true) },
          { key: 'u', desc: ro ? 'uncordon (read-only)' : 'uncordon', section: 'Resource', test: ch('u'), run: ro ? refuse('uncordon') : () => void cordonRows(v, false) },
          { key: 'r', desc: ro ? 'drain (read-only)' : 'drain', section: 'Resource', test: ch('r'), run: ro ? refuse('drain') : () => openDrain(v) },
        );
      }
      if (res.namespaced) {
        b.push({ key: '0-9', desc: 'favorite namespace (0 = all)', section: 'View', test: (i, k) => !k.ctrl && /^[0-9]$/.test(i), run: () => {} });
      }
    } else if (s?.type === 'logs') {
      const f = s.follower;
      const page = H - 4;
      const win = (w: LogWindow, label: string) => () => { f.restart({ window: w }); s.autoscroll = true; flash(`logs: ${label}`); };
      b.push(
        { key: 'j/<down>', desc: 'down', section: 'Navigation', test: (i, k) => k.downArrow || ch('j')(i, k), run: () => { s.top++; } },
        { key: 'k/<up>', desc: 'up (stops autoscroll)', section: 'Navigation', test: (i, k) => k.upArrow || ch('k')(i, k), run: () => { s.autoscroll = false; s.top = Math.max(0, s.top - 1); } },
        { key: '<pgdn>', desc: 'page down', section: 'Navigation', test: (i, k) => k.pageDown || ctrl('f')(i, k), run: () => { s.top += page; } },
        { key: '<pgup>', desc: 'page up', section: 'Navigation', test: (i, k) => k.pageUp || ctrl('b')(i, k), run: () => { s.autoscroll = false; s.top = Math.max(0, s.top - page); } },
        { key: 'g', desc: 'top', section: 'Navigation', test: ch('g'), run: () => { s.autoscroll = false; s.top = 0; } },
        { key: 'G', desc: 'bottom (autoscroll)', section: 'Navigation', test: ch('G'), run: () => { s.autoscroll = true; } },
        { key: 's', desc: 'autoscroll on/off', section: 'View', test: ch('s'), run: () => { s.autoscroll = !s.autoscroll; flash(`autoscroll ${s.autoscroll ? 'on' : 'off'}`); } },
        { key: 'w', desc: 'wrap on/off', section: 'View', test: ch('w'), run: () => { s.wrap = !s.wrap; } },
        { key: 't', desc: 'timestamps on/off', section: 'View', test: ch('t'), run: () => { f.restart({ timestamps: !f.opts.timestamps }); } },
        { key: '/', desc: 'filter (regex, !inverse, -f fuzzy)', section: 'General', test: ch('/'), run: () => { st.mode = 'filter'; st.input = s.filterRaw; st.inputError = ''; } },
        { key: 'm', desc: 'mark (a line with the time)', section: 'View', test: ch('m'), run: () => { f.ring.push('', `mark ${new Date().toTimeString().slice(0, 8)}`, true); s.autoscroll = true; } },
        { key: '<ctrl-s>', desc: 'save to a file', section: 'View', test: ctrl('s'), run: () => {
          try {
            const lines = f.ring.toArray().filter((l) => l.mark || !s.filter || s.filter.match(l));
            flash(`saved ${lines.length} lines to ${saveLogLines(lines, logsDir(), s.name)}`);
          } catch (e) {
            flash(`save: ${(e as Error).message}`, 'error');
          }
        } },
        { key: 'C', desc: 'clear', section: 'View', test: ch('C'), run: () => { f.ring.clear(); s.top = 0; } },
        { key: '0', desc: 'tail', section: 'View', test: ch('0'), run: win('tail', `last ${f.opts.tailLines} lines`) },
        { key: '1', desc: 'head (all kept)', section: 'View', test: ch('1'), run: win('head', 'from the start') },
        { key: '2', desc: 'since 1m', section: 'View', test: ch('2'), run: win(60, 'since 1m') },
        { key: '3', desc: 'since 5m', section: 'View', test: ch('3'), run: win(300, 'since 5m') },
        { key: '4', desc: 'since 15m', section: 'View', test: ch('4'), run: win(900, 'since 15m') },
        { key: '5', desc: 'since 30m', section: 'View', test: ch('5'), run: win(1800, 'since 30m') },
        { key: '6', desc: 'since 1h', section: 'View', test: ch('6'), run: win(3600, 'since 1h') },
      );
    } else if (s?.type === 'text') {
      const page = H - 4;
      b.push(
        { key: 'j/<down>', desc: 'down', section: 'Navigation', test: (i, k) => k.downArrow || ch('j')(i, k), run: () => { s.top = Math.min(Math.max(0, s.lines.length - page), s.top + 1); } },
        { key: 'k/<up>', desc: 'up', section: 'Navigation', test: (i, k) => k.upArrow || ch('k')(i, k), run: () => { s.top = Math.max(0, s.top - 1); } },
        { key: '<pgdn>', desc: 'page down', section: 'Navigation', test: (i, k) => k.pageDown || ctrl('f')(i, k) || ch(' ')(i, k), run: () => { s.top = Math.min(Math.max(0, s.lines.length - page), s.top + page); } },
        { key: '<pgup>', desc: 'page up', section: 'Navigation', test: (i, k) => k.pageUp || ctrl('b')(i, k), run: () => { s.top = Math.max(0, s.top - page); } },
        { key: 'g', desc: 'top', section: 'Navigation', test: (i, k) => k.home || ch('g')(i, k), run: () => { s.top = 0; } },
        { key: 'G', desc: 'bottom', section: 'Navigation', test: (i, k) => k.end || ch('G')(i, k), run: () => { s.top = Math.max(0, s.lines.length - page); } },
      );
      if (s.title.startsWith('yaml secrets/')) {
        b.push({ key: 'x', desc: 'reveal/mask secret values', section: 'Resource', test: ch('x'), run: () => {
          s.reveal = !s.reveal;
          void s.reload?.(s.reveal).then((lines) => { s.lines = lines; bump(); }).catch((e) => flash((e as Error).message, 'error'));
        } });
      }
    } else if (s?.type === 'list') {
      const rows = listRows(s);
      b.push(
        { key: 'j/<down>', desc: 'down', section: 'Navigation', test: (i, k) => k.downArrow || ch('j')(i, k), run: () => { s.cursor = Math.min(rows.length - 1, s.cursor + 1); } },
        { key: 'k/<up>', desc: 'up', section: 'Navigation', test: (i, k) => k.upArrow || ch('k')(i, k), run: () => { s.cursor = Math.max(0, s.cursor - 1); } },
        { key: '<space>', desc: 'mark', section: 'Resource', test: ch(' '), run: () => {
          const r = rows[s.cursor];
          if (!r) return;
          if (s.marks.has(r.key)) s.marks.delete(r.key);
          else s.marks.add(r.key);
        } },
      );
      for (const a of s.actions ?? []) b.push({ key: a.key, desc: a.desc, section: 'Resource', test: a.test ?? ch(a.key), run: () => { const r = rows[s.cursor]; if (r) a.run(r); } });
      if (s.onEnter) b.push({ key: '<enter>', desc: s.title === 'contexts' ? 'switch context(s)' : 'select', section: 'Resource', test: (_i, k) => k.return, run: () => { const r = rows[s.cursor]; if (r) s.onEnter!(r, [...s.marks]); } });
    } else if (s?.type === 'help') {
      b.push(
        { key: 'j/<down>', desc: 'down', section: 'Navigation', test: (i, k) => k.downArrow || ch('j')(i, k), run: () => { s.top++; } },
        { key: 'k/<up>', desc: 'up', section: 'Navigation', test: (i, k) => k.upArrow || ch('k')(i, k), run: () => { s.top = Math.max(0, s.top - 1); } },
      );
    }
    // the user's own: hotkeys everywhere, plugins on the views they are scoped to
    const taken = bindingKeys(b);
    for (const h of session.hotkeys.hotkeys) {
      if (!h.bound) continue;
      if (!h.override && taken.some((k) => k.key === h.shortCut.key && k.ctrl === h.shortCut.ctrl && k.shift === h.shortCut.shift)) continue;
      b.push({ key: h.shortCutText || formatKey(h.shortCut), desc: h.description, section: 'Hotkeys', test: (i, k) => matchesKey(h.shortCut, i, k), run: () => void runCommand(h.command) });
    }
    if (s?.type === 'table') {
      const v = s.view;
      const bound = bindPlugins(session.plugins.plugins, { readonly: !!(session.readOnlyFor(v.spec.contexts) ?? session.readOnlyFor()), scope: scopeNames(v.resource, session.aliases), builtinKeys: taken });
      for (const p of bound) {
        b.push({ key: formatKey(p.shortCut), desc: p.description, section: 'Plugins', test: (i, k) => matchesKey(p.shortCut, i, k), run: () => {
          const r = v.current();
          if (r) startPlugin(v, r, p);
        } });
      }
    }
    return b;
  };

  // ------------------------------------------------------------------ plugins
  const startPlugin = (v: TableView, row: Row, p: Plugin) => {
    if (p.inputs.length) {
      const values: Record<string, string | number | boolean> = {};
      for (const i of p.inputs) values[i.name] = i.default ?? (i.type === 'bool' ? false : i.type === 'number' ? 0 : i.type === 'dropdown' ? (i.options?.[0] ?? '') : '');
      st.form = { plugin: p, values, field: 0, onSubmit: (vals) => void preparePlugin(v, row, p, vals) };
      st.mode = 'form';
      return;
    }
    void preparePlugin(v, row, p, undefined);
  };

  const preparePlugin = async (v: TableView, row: Row, p: Plugin, inputs: Record<string, string | number | boolean> | undefined) => {
    const now = Date.now();
    const columns: Record<string, string> = {};
    for (const c of v.columns) columns[c.name] = cellTextOf(v, row, c, now);
    let launch;
    try {
      // variables, argv and env (KUBECONFIG: the read-only proxy's in read-only mode)
      launch = await session.pluginLaunch(v, row, p, { inputs, columns });
    } catch (e) {
      return flash(`plugin ${p.name}: ${(e as Error).message}`, 'error');
    }
    const { argv, env } = launch;
    const run = () => void runPlugin(p, argv, env);
    if (p.confirm || p.dangerous) {
      st.confirm = { title: `Run plugin ${p.name}${p.dangerous ? ' (dangerous)' : ''}?`, lines: [`on ${row.context}: ${row.namespace ? `${row.namespace}/` : ''}${row.name}`, formatCommandLine(argv)], onYes: run };
      st.mode = 'confirm';
      bump(); // after an await: no key handler redraws for us
    } else run();
  };

  const runPlugin = async (p: Plugin, argv: ReturnType<Session['argvFor']>, env: Record<string, string>) => {
    if (p.background) {
      const job = session.jobs.start(p, argv, env);
      flash(`plugin ${p.name} runs in the background as job ${job.id} (:plugins shows its output)`);
      return;
    }
    if (p.overwriteOutput) {
      const res = await runCaptured(argv, env, { timeoutMs: 30_000 });
      if (res.error || (res.exitCode ?? 0) !== 0) flash(`plugin ${p.name} failed (exit ${res.exitCode ?? res.signal ?? '?'}): ${statusText(res.stderr || res.error || '')}`, 'error');
      else flash(statusText(res.stdout) || `plugin ${p.name}: no output`);
      return;
    }
    // the terminal is the plugin's until it exits; watches stall meanwhile and are refreshed after
    let res: ReturnType<typeof runForegroundSync> = {};
    await suspendTerminal(() => {
      res = runForegroundSync(argv, env);
    });
    session.registry.refresh();
    if (res.signal === 'SIGINT') flash(`plugin ${p.name} ended (ctrl-c)`);
    else if (res.error || (res.exitCode ?? 0) !== 0) flash(`plugin ${p.name} failed (exit ${res.exitCode ?? res.signal ?? '?'})${res.error ? `: ${res.error}` : ''}`, 'error');
    else flash(`plugin ${p.name} finished`);
    bump();
  };

  /** Apply an action to rows one by one; the first failure stops and is said, success is said once. */
  const actOn = async (rows: Row[], what: string, act: (r: Row) => Promise<void>, done: string) => {
    for (const r of rows) {
      try {
        await act(r);
      } catch (e) {
        return flash(`${what} ${r.name}: ${(e as Error).message}`, 'error');
      }
    }
    flash(done);
  };

  const handleScale = (input: string, key: Key) => {
    const sc = st.scale;
    if (!sc || key.escape) {
      st.mode = 'normal';
      st.scale = undefined;
      return;
    }
    if (key.backspace || key.delete) sc.value = sc.value.slice(0, -1);
    else if (/^[0-9]$/.test(input) && sc.value.length < 5) sc.value += input;
    else if (key.return) {
      const n = Number(sc.value);
      if (sc.value === '' || !Number.isInteger(n) || n < 0) return flash('replicas: a whole number, 0 or more', 'error');
      st.mode = 'normal';
      st.scale = undefined;
      void actOn(sc.rows, 'scale', (r) => session.scale(sc.view, r, n), `scaled ${sc.rows.map((r) => `${sc.view.resource.singular}/${r.name}`).join(', ')} to ${n}`);
    }
  };

  // ------------------------------------------------------------------ port-forward
  const suggestFor = async (d: PfDialog) => {
    const taken = new Set(session.forwards.list().filter((f) => f.state !== 'stopped').map((f) => f.localPort));
    const port = d.ports[d.sel].port;
    const free = await suggestPorts(port, taken, 3, d.address);
    if (st.pf !== d || d.ports[d.sel].port !== port) return;
    d.suggested = free;
    if (!d.typed && free.length && !free.includes(Number(d.local))) d.local = String(free[0]);
    bump();
  };

  /** shift-f: the dialog for one of the pod's TCP ports (of `container` when given). */
  const openPortForward = (context: string, pod: any, container?: string) => {
    // the pod arrived after the user moved on to another prompt or dialog: leave that alone
    if (st.mode !== 'normal') return;
    const ports = podPorts(pod, container);
    const name = pod?.metadata?.name ?? '?';
    if (pod?.status?.phase !== 'Running') return flash(`port-forward: pod ${name} is ${pod?.status?.phase ?? 'not running'}`, 'warn');
    if (!ports.length) return flash(`port-forward: ${container ? `container ${container} of ` : ''}pod ${name} declares no TCP port`, 'warn');
    const d: PfDialog = { context, namespace: pod.metadata.namespace, pod: name, ports, sel: 0, local: String(ports[0].port), address: '127.0.0.1', field: 1, suggested: [], typed: false };
    st.pf = d;
    st.mode = 'pf';
    void suggestFor(d);
  };

  const handlePf = (input: string, key: Key) => {
    const d = st.pf;
    if (!d) return void (st.mode = 'normal');
    const r = pfKey(d, input, key);
    if (r === 'cancel') {
      st.pf = undefined;
      st.mode = 'normal';
    } else if (r === 'port-changed') void suggestFor(d);
    else if (r === 'submit' && !d.busy) {
      // one forward per Enter, however fast Enter is pressed again
      d.busy = true;
      const p = d.ports[d.sel];
      session.forwards.start({ context: d.context, namespace: d.namespace, pod: d.pod, container: p.container, remotePort: p.port, localPort: Number(d.local), address: d.address.trim() }).then((f) => {
        if (st.pf === d) {
          st.pf = undefined;
          st.mode = 'normal';
        }
        flash(`forwarding ${f.url} -> ${d.namespace}/${d.pod}:${p.port} (:pf lists forwards)`);
      }, (e) => {
        d.busy = false;
        d.error = (e as Error).message;
        bump();
      });
    }
  };

  const openForwards = () => {
    pushScreen({
      type: 'list', title: 'port-forwards', columns: PF_COLUMNS, cursor: 0, top: 0, marks: new Set(),
      hint: '<ctrl-d> stop',
      empty: 'no port-forwards: <shift-f> on a pod (or a container) starts one',
      rows: () => session.forwards.list().map((f) => ({ key: String(f.id), cells: pfRowCells(f), color: pfRowColor(f) })),
      actions: [{ key: '<ctrl-d>', desc: 'stop forward', test: ctrl('d'), run: (r) => {
        const f = session.forwards.get(Number(r.key))?.info;
        if (f && session.forwards.stop(f.id)) flash(`stopped forward ${f.localPort} -> ${f.namespace}/${f.pod}:${f.remotePort}`);
      } }],
    });
  };

  const handleConfirm = (input: string, key: Key) => {
    const c = st.confirm;
    if (key.escape || input === 'n') {
      st.mode = 'normal';
      st.confirm = undefined;
      flash('cancelled');
    } else if (key.return || input === 'y') {
      st.mode = 'normal';
      st.confirm = undefined;
      c?.onYes();
    }
  };

  const handleForm = (input: string, key: Key) => {
    const f = st.form;
    if (!f) {
      st.mode = 'normal';
      return;
    }
    const inputs = f.plugin.inputs;
    const def = inputs[f.field];
    if (key.escape) {
      st.mode = 'normal';
      st.form = undefined;
      return flash('cancelled');
    }
    if (key.upArrow) f.field = (f.field + inputs.length - 1) % inputs.length;
    else if (key.downArrow || key.tab) f.field = (f.field + 1) % inputs.length;
    else if (key.return) {
      const missing = inputs.find((i) => i.required && (f.values[i.name] === '' || f.values[i.name] === undefined));
      if (missing) return flash(`${missing.label || missing.name} is required`, 'error');
      st.mode = 'normal';
      st.form = undefined;
      f.onSubmit(f.values);
    } else if (def.type === 'bool' && input === ' ') f.values[def.name] = !f.values[def.name];
    else if (def.type === 'dropdown' && (key.leftArrow || key.rightArrow || input === ' ')) {
      const opts = def.options ?? [];
      const at = opts.indexOf(String(f.values[def.name]));
      f.values[def.name] = opts[(at + (key.leftArrow ? opts.length - 1 : 1)) % Math.max(1, opts.length)] ?? '';
    } else if (def.type === 'number' || def.type === 'string') {
      const cur = String(f.values[def.name] ?? '');
      let next = cur;
      if (key.backspace || key.delete) next = cur.slice(0, -1);
      else if (input && !key.ctrl && input >= ' ') next = cur + input;
      if (def.type === 'number') {
        if (next === '' || next === '-' || /^-?\d*\.?\d*$/.test(next)) f.values[def.name] = next === '' || next === '-' ? next : Number(next);
      } else f.values[def.name] = next;
    }
  };

  const openPlugins = () => {
    pushScreen({
      type: 'list', title: 'plugins', columns: ['KEY', 'NAME', 'DESCRIPTION', 'SCOPES', 'SOURCE', 'NOTES'], cursor: 0, top: 0, marks: new Set(),
      hint: '<enter> a job: its output',
      rows: () => {
        const rows: ListRow[] = [];
        for (const p of session.plugins.plugins) {
          const d = describePlugin(p);
          rows.push({ key: `p:${p.name}`, cells: [d.key, d.name, d.description, d.scopes, d.source, d.flags], color: p.dangerous ? 'rowPending' : 'rowNormal' });
        }
        for (const h of session.hotkeys.hotkeys) rows.push({ key: `h:${h.id}`, cells: [h.shortCutText, h.id, h.description, 'hotkey', h.command, h.bound ? '' : 'not bound'], color: 'rowNormal' });
        for (const [i, pr] of [...session.plugins.problems, ...session.hotkeys.problems].entries()) {
          rows.push({ key: `x:${i}`, cells: ['', pr.kind.toUpperCase(), pr.message, '', `${basename(pr.file)}${pr.line ? `:${pr.line}` : ''}`, '<enter>'], color: pr.kind === 'override' ? 'rowPending' : 'rowError' });
        }
        for (const sk of session.plugins.skipped) rows.push({ key: `s:${sk.name}`, cells: ['', sk.name, `not loaded: ${sk.reason}`, '', `${sk.file}:${sk.line}`, ''], color: 'rowCompleted' });
        for (const j of session.jobs.list()) {
          rows.push({ key: `j:${j.id}`, cells: [`job ${j.id}`, j.plugin, j.commandLine, j.status, j.exitCode === undefined ? '' : `exit ${j.exitCode}`, new Date(j.startedAt).toISOString().slice(11, 19)], color: j.status === 'running' ? 'rowPending' : j.status === 'failed' || (j.exitCode ?? 0) !== 0 ? 'rowError' : 'rowCompleted' });
        }
        return rows;
      },
      onEnter: (row) => {
        if (row.key.startsWith('x:')) {
          const pr = [...session.plugins.problems, ...session.hotkeys.problems][Number(row.key.slice(2))];
          if (pr) pushScreen({ type: 'text', title: `plugin problem (${pr.kind})`, lines: wrapLines(pluginProblem(pr), W - 4), top: 0, reveal: false });
          return;
        }
        if (!row.key.startsWith('j:')) return;
        const job = session.jobs.get(Number(row.key.slice(2)));
        if (!job) return;
        const text = `$ ${job.commandLine}\nstatus: ${job.status}${job.exitCode !== undefined ? `, exit ${job.exitCode}` : ''}\n\n--- stdout ---\n${displayText(job.stdout)}\n--- stderr ---\n${displayText(job.stderr)}`;
        pushScreen({ type: 'text', title: `job ${job.id} ${job.plugin}`, lines: wrapLines(text, W - 4), top: 0, reveal: false });
      },
    });
  };


  // ------------------------------------------------------------------ input
  const suggestion = (): string => {
    if (st.mode !== 'command' || !st.input) return '';
    const parts = st.input.split(/\s+/);
    const last = parts[parts.length - 1];
    let pool: string[];
    if (parts.length === 1) pool = session.resourceNames();
    else if (last.startsWith('@')) {
      const typed = last.slice(1).split(',');
      const prefix = typed.slice(0, -1).join(',');
      const cands = ['all', ...session.contexts.keys()].filter((c) => c.startsWith(typed[typed.length - 1]) && !typed.slice(0, -1).includes(c));
      return cands.length && typed[typed.length - 1] !== cands[0] ? '@' + (prefix ? `${prefix},` : '') + cands[0] : '';
    } else if (parts[0] === 'ctx' || parts[0] === 'context') pool = [...session.contexts.keys()];
    else pool = namespaceNames();
    if (!last) return '';
    const hit = pool.find((p) => p.startsWith(last) && p !== last);
    return hit ?? '';
  };

  const namespaceNames = (): string[] => {
    const names = new Set<string>();
    for (const s of st.stack) {
      if (s.type !== 'table') continue;
      for (const store of s.view.stores) for (const r of store.rows.values()) if (r.namespace) names.add(r.namespace);
    }
    return [...names].sort();
  };

  const acceptSuggestion = () => {
    const sug = suggestion();
    if (!sug) return false;
    const parts = st.input.split(/\s+/);
    parts[parts.length - 1] = sug;
    st.input = parts.join(' ');
    return true;
  };

  const handlePrompt = (input: string, key: Key) => {
    if (key.escape) {
      st.mode = 'normal';
      st.input = '';
      return;
    }
    if (key.return) {
      const text = st.input;
      const mode = st.mode;
      st.mode = 'normal';
      st.input = '';
      if (mode === 'command') void runCommand(text);
      else if (top()?.type === 'logs') {
        const ls = top() as LogsScreen;
        try {
          const lf = new LogFilter(text);
          ls.filter = lf.active ? lf : undefined;
          ls.filterRaw = lf.raw;
        } catch (e) {
          flash((e as Error).message, 'error');
        }
      } else {
        const v = tableOf();
        if (!v) return;
        try {
          v.vm.setFilter(parseFilter(text));
          v.cursor = 0;
          v.cursorKey = undefined;
        } catch (e) {
          flash(e instanceof FilterError ? e.message : String(e), 'error');
        }
      }
      return;
    }
    if ((key.tab || key.rightArrow) && st.mode === 'command') {
      acceptSuggestion();
      return;
    }
    if (key.ctrl && input === 'u') {
      st.input = '';
    } else if (key.backspace || key.delete) {
      st.input = st.input.slice(0, -1);
    } else if (input && !key.ctrl && !key.meta && !/[\u0000-\u001f]/.test(input)) {
      st.input += input;
    }
    if (st.mode === 'filter') {
      // live filtering: apply as you type when it parses; say why when it does not
      const v = tableOf();
      try {
        const f = parseFilter(st.input);
        st.inputError = '';
        if (v) {
          v.vm.setFilter(f);
          v.cursor = 0;
          v.cursorKey = undefined;
        }
      } catch (e) {
        st.inputError = (e as Error).message;
      }
    }
  };

  const handleSortCol = (_input: string, key: Key) => {
    const v = tableOf();
    if (!v) {
      st.mode = 'normal';
      return;
    }
    const cols = v.columns.filter((c) => v.wide || !c.wide);
    if (key.escape) st.mode = 'normal';
    else if (key.leftArrow) st.sortCol = Math.max(0, st.sortCol - 1);
    else if (key.rightArrow) st.sortCol = Math.min(cols.length - 1, st.sortCol + 1);
    else if (key.return) {
      st.mode = 'normal';
      sortBy(v, cols[st.sortCol].name);
    }
  };

  const handleDelete = (input: string, key: Key) => {
    if (key.escape || input === 'n') {
      st.mode = 'normal';
      flash('delete cancelled');
    } else if (key.tab || input === 'p') {
      const order = ['Background', 'Foreground', 'Orphan'];
      st.del.propagation = order[(order.indexOf(st.del.propagation) + 1) % order.length];
    } else if (input === 'f') {
      st.del.force = !st.del.force;
    } else if (key.return || input === 'y') {
      void confirmDelete();
    }
  };

  useInput((input, key) => {
    // esc followed quickly by a key reaches us as meta+key; kmux binds no meta keys, so it is both
    if (key.meta && !key.escape && input.length === 1 && input >= ' ') {
      const none: Key = { ...key, meta: false };
      onKey('', { ...none, escape: true });
      onKey(input, none);
      return;
    }
    // Keys typed faster than a read (or pasted) arrive together, e.g. "/coredns\r": replay them
    // one by one so each sees the mode the previous one left.
    if (input.length > 1 && !key.meta && !input.startsWith('\x1b')) {
      const none: Key = { ...key, return: false, backspace: false, delete: false, tab: false, escape: false, ctrl: false };
      for (const c of input) {
        const code = c.charCodeAt(0);
        if (c === '\r' || c === '\n') onKey('', { ...none, return: true });
        else if (c === '\t') onKey('', { ...none, tab: true });
        else if (code === 0x7f || code === 0x08) onKey('', { ...none, backspace: true });
        else if (code < 0x20) onKey(String.fromCharCode(code + 96), { ...none, ctrl: true });
        else onKey(c, none);
      }
      return;
    }
    onKey(input, key);
  });

  function onKey(input: string, key: Key) {
    st.pendingKey = { label: st.mode === 'filter' ? 'filter' : key.upArrow || key.downArrow || input === 'j' || input === 'k' ? 'move' : 'other', t: performance.now() };
    const d = top();
    if (d?.type === 'drain' && st.mode === 'normal' && !(key.ctrl && input === 'c')) handleDrainKey(d, input, key);
    else if (st.mode === 'command' || st.mode === 'filter') handlePrompt(input, key);
    else if (st.mode === 'sortcol') handleSortCol(input, key);
    else if (st.mode === 'delete') handleDelete(input, key);
    else if (st.mode === 'confirm') handleConfirm(input, key);
    else if (st.mode === 'scale') handleScale(input, key);
    else if (st.mode === 'pf') handlePf(input, key);
    else if (st.mode === 'form') handleForm(input, key);
    else {
      const v = tableOf();
      if (v && v.resource.namespaced && !key.ctrl && /^[0-9]$/.test(input)) {
        const n = Number(input);
        if (n === 0) switchNamespace(undefined);
        else {
          const fav = session.settings.data.favorites[n - 1];
          if (fav) switchNamespace(fav);
          else flash(`no favorite namespace on ${n}`, 'warn');
        }
      } else {
        const b = bindings().find((x) => x.test(input, key));
        if (b) b.run();
      }
    }
    bump();
  }

  // ------------------------------------------------------------------ render
  // a terminal too small to draw in (a 1x1 pane, a split being dragged): wait for a usable size
  if (W < MIN_W || H < MIN_H) {
    const msg = `kmux: terminal too small (${W}x${H}); needs ${MIN_W}x${MIN_H}`;
    return <Box width={Math.max(1, W)} height={Math.max(1, H)}><Text wrap="truncate">{W >= 10 ? msg.slice(0, W) : ''}</Text></Box>;
  }
  const lines: React.ReactElement[] = [];
  const s = top();
  const view = tableOf();
  // the focused context's skin draws the frame; in a merged view each row takes its own context's
  const focusCtx = view?.spec.contexts[0] ?? session.active[0];
  const theme = themeProp ?? session.themeFor(focusCtx);
  const mono = session.mono;

  if (headerShown()) lines.push(...renderHeader());
  if (st.mode === 'command' || st.mode === 'filter') lines.push(...renderPrompt());
  const bodyHeight = H - lines.length - (st.showCrumbs ? 1 : 0) - 1;
  // no view yet: still opening the first one, or it could not be opened (say why and what to do)
  if (!s) lines.push(...frame(' kmux ', st.openError
    ? [fit(`  ${clean(st.openError)}`, W - 2), '', fit('  :ns NAME or :ns all for another namespace, :ctx for another context, :q to quit', W - 2)]
    : [fit('  connecting...', W - 2)], bodyHeight));
  else if (s.type === 'table') lines.push(...renderTable(s.view, bodyHeight));
  else if (s.type === 'text') lines.push(...renderText(s, bodyHeight));
  else if (s.type === 'list') lines.push(...renderList(s, bodyHeight));
  else if (s.type === 'drain') lines.push(...renderDrain(s, bodyHeight));
  else if (s.type === 'logs') lines.push(...renderLogs(s, bodyHeight));
  else lines.push(...renderHelp(s, bodyHeight));
  if (st.showCrumbs) lines.push(renderCrumbs());
  lines.push(renderStatus());

  if (st.mode === 'confirm' && st.confirm) overlay(lines, st.confirm.title, [...st.confirm.lines, '', '<enter> go ahead    <esc> cancel']);
  if (st.mode === 'scale' && st.scale) {
    const sc = st.scale;
    overlay(lines, `Scale ${sc.rows.length === 1 ? `${sc.view.resource.singular}/${sc.rows[0].name}` : `${sc.rows.length} ${sc.view.resource.plural}`}`, [`Replicas: [${sc.value}_]`, '', 'type a number   <enter> scale   <esc> cancel']);
  }
  if (st.mode === 'pf' && st.pf) overlay(lines, `Port-forward ${st.pf.namespace}/${st.pf.pod}`, pfDialogLines(st.pf));
  if (st.mode === 'form' && st.form) {
    const f = st.form;
    overlay(lines, `Plugin ${f.plugin.name}`, [...f.plugin.inputs.map((i, n) => `${n === f.field ? '>' : ' '} ${fit(i.label || i.name, 24)} ${i.type === 'bool' ? (f.values[i.name] ? '[x]' : '[ ]') : `[${f.values[i.name] ?? ''}]`}${i.type === 'dropdown' ? '  ←/→' : ''}`), '', '↑/↓ field   type to edit   <space> toggle   <enter> run   <esc> cancel']);
  }
  // a skin with a body background paints every line (the cursor and dialogs keep their own)
  const painted = theme.bg ? lines.map((l) => ((l.props as any).backgroundColor || l.type === Box ? l : React.cloneElement(l as React.ReactElement<any>, { backgroundColor: theme.bg }))) : lines;
  return <Box flexDirection="column" width={W} height={H}>{painted}</Box>;

  // ---------------------------------------------------------------- pieces
  function renderHeader(): React.ReactElement[] {
    const ctxs = view?.spec.contexts ?? session.active;
    const c0 = session.contexts.get(ctxs[0]);
    const healthOf = (n: string) => session.contexts.get(n)?.health;
    const ctxText = ctxs.map((n) => {
      const h = healthOf(n);
      if (h?.state === 'broken') return `${n}(broken)`;
      if (h?.state !== 'error') return n;
      return h.errorKind === 'unauthorized' ? `${n}(unauthorized)` : h.errorKind === 'credentials' ? `${n}(no credentials)` : `${n}(down)`;
    }).join(',');
    const usage = c0 ? session.clusterUsage(c0.name) : undefined;
    const info: [string, string][] = [
      ['Context:', ctxText],
      ['Cluster:', ctxs.length > 1 ? `${ctxs.length} clusters` : c0?.info.cluster ?? ''],
      ['User:', ctxs.length > 1 ? '(per context)' : c0?.info.user ?? ''],
      ['K8s Rev:', ctxs.map((n) => healthOf(n)?.version ?? (healthOf(n)?.state === 'error' ? 'n/a' : '…')).join(',')],
      ['kmux Rev:', `v${version}`],
      ['CPU:', usage ? `${usage.cpuPct !== undefined ? `${usage.cpuPct}% ` : ''}(${(usage.cpu / 1000).toFixed(1)} cores)` : 'n/a'],
      ['MEM:', usage ? `${usage.memPct !== undefined ? `${usage.memPct}% ` : ''}(${(usage.mem / 2 ** 30).toFixed(1)} GiB)` : 'n/a'],
    ];
    const hints = bindings().filter((b) => b.section === 'Resource' || b.key === ':' || b.key === '/' || b.key === '?').slice(0, 14);
    const colW = 22;
    const leftW = 34;
    const logo = [' _                        ', '| | ___ __ ___  _   ___ __', '| |/ / \'_ ` _ \\| | | \\ \\/ /', '|   <| | | | | | |_| |>  < ', '|_|\\_\\_| |_| |_|\\__,_/_/\\_\\', '', ''];
    const logoW = W >= 120 && !logoless ? 28 : 0;
    const hintCols = Math.max(1, Math.floor((W - leftW - logoW) / colW));
    const out: React.ReactElement[] = [];
    for (let i = 0; i < 7; i++) {
      const parts: React.ReactElement[] = [];
      parts.push(<Text key="l" color={theme.infoLabel}>{fit(info[i][0], 10)}</Text>);
      parts.push(<Text key="v" color={theme.infoValue} bold>{fit(clean(info[i][1]), leftW - 10)}</Text>);
      for (let c = 0; c < hintCols; c++) {
        const h = hints[c * 7 + i];
        parts.push(h
          ? <Text key={`h${c}`}><Text color={theme.menuKey}>{fit(h.key, 9)}</Text><Text color={theme.menuDesc}>{fit(h.desc, colW - 9)}</Text></Text>
          : <Text key={`h${c}`}>{' '.repeat(colW)}</Text>);
      }
      const used = leftW + hintCols * colW;
      if (logoW) parts.push(<Text key="logo" color={theme.logo}>{fit(logo[i], W - used)}</Text>);
      else parts.push(<Text key="pad">{' '.repeat(Math.max(0, W - used))}</Text>);
      out.push(<Text key={`hdr${i}`} wrap="truncate">{parts}</Text>);
    }
    return out;
  }

  function renderPrompt(): React.ReactElement[] {
    const sug = suggestion();
    const typed = st.input;
    const icon = st.mode === 'command' ? ':' : '/';
    const rest = sug ? sug.slice(typed.split(/\s+/).pop()!.length) : '';
    const err = st.inputError;
    const inner = W - 4;
    const body = `${icon}${typed}`;
    return [
      <Text key="p1" color={theme.promptBorder}>{'┌' + '─'.repeat(W - 2) + '┐'}</Text>,
      <Text key="p2">
        <Text color={theme.promptBorder}>│ </Text>
        <Text color={theme.promptFg}>{fit(body, Math.min(inner, width(body)))}</Text>
        <Text inverse> </Text>
        <Text color={err ? theme.flashError : theme.promptSuggest}>{fit(err ? `  ${err}` : rest, Math.max(0, inner - width(body) - 1))}</Text>
        <Text color={theme.promptBorder}> │</Text>
      </Text>,
      <Text key="p3" color={theme.promptBorder}>{'└' + '─'.repeat(W - 2) + '┘'}</Text>,
    ];
  }

  function frame(title: React.ReactElement | string, body: (React.ReactElement | string)[], height: number): React.ReactElement[] {
    // a title never wraps the border onto a second line: long ones (a status message) are cut
    if (typeof title === 'string' && width(title) > W - 4) title = `${fit(title, W - 5)} `;
    const titleW = typeof title === 'string' ? width(title) : Number((title.props as any)['data-width'] ?? 10);
    const left = Math.max(1, Math.floor((W - 2 - titleW) / 2));
    const right = Math.max(0, W - 2 - titleW - left);
    const out: React.ReactElement[] = [
      <Text key="ft" wrap="truncate"><Text color={theme.border}>{'┌' + '─'.repeat(left)}</Text>{typeof title === 'string' ? <Text color={theme.title} bold>{title}</Text> : title}<Text color={theme.border}>{'─'.repeat(right) + '┐'}</Text></Text>,
    ];
    const inner = Math.max(0, height - 2);
    // a body line is a row of three texts: the borders apart from the content, so the content's
    // text stays ASCII and Ink measures it on string-width's fast path (a line that includes '│'
    // is segmented grapheme by grapheme, every frame)
    const bg = theme.bg || undefined;
    const edge = <Text color={theme.border} backgroundColor={bg}>│</Text>;
    for (let i = 0; i < inner; i++) {
      const l = body[i];
      const content = l === undefined ? <Text backgroundColor={bg}>{' '.repeat(W - 2)}</Text>
        : typeof l === 'string' ? <Text color={theme.fg} backgroundColor={bg}>{fit(l, W - 2)}</Text>
          : bg && !(l.props as any).backgroundColor ? React.cloneElement(l as React.ReactElement<any>, { backgroundColor: bg }) : l;
      out.push(<Box key={`fb${i}`} flexDirection="row" width={W} flexShrink={0}>{edge}{content}{edge}</Box>);
    }
    out.push(<Text key="fbot" color={theme.border}>{'└' + '─'.repeat(W - 2) + '┘'}</Text>);
    return out;
  }

  function renderTable(v: TableView, height: number): React.ReactElement[] {
    const rows = v.rows();
    const cur = v.current();
    const visible = Math.max(1, height - 3);
    if (v.cursor < v.top) v.top = v.cursor;
    if (v.cursor >= v.top + visible) v.top = v.cursor - visible + 1;
    v.top = Math.max(0, Math.min(v.top, Math.max(0, rows.length - visible)));
    const slice = rows.slice(v.top, v.top + visible);
    let cols = v.columns.filter((c) => v.wide || !c.wide);
    const now = Date.now();
    const cellText = (r: Row, c: ViewColumn) => cellTextOf(v, r, c, now);
    let texts = slice.map((r) => cols.map((c) => cellText(r, c)));
    const sort = v.vm.getSort();
    let headers = cols.map((c) => c.name + (sort.column === c.name ? (sort.asc ? '↑' : '↓') : '') + (c.kind === 'cpu' || c.kind === 'mem' ? (c.kind === 'cpu' ? '(m)' : '(Mi)') : ''));
    let widths = cols.map((_c, i) => Math.max(width(headers[i]), ...texts.map((t) => width(t[i]))));
    const avail = W - 2 - 1;
    const gap = 2;
    let total = widths.reduce((a, b) => a + b, 0) + gap * (cols.length - 1);
    // columns shown only when there is room (pods' % of requests/limits): the last goes first
    if (total > avail && !v.wide) {
      const keep = cols.map(() => true);
      for (let i = cols.length - 1; i >= 0 && total > avail; i--) {
        if (!cols[i].optional) continue;
        keep[i] = false;
        total -= widths[i] + gap;
      }
      const pick = <T,>(a: T[]) => a.filter((_x, i) => keep[i]);
      cols = pick(cols);
      headers = pick(headers);
      widths = pick(widths);
      texts = texts.map(pick);
    }
    shrink(widths, total, avail, widths.map((w, i) => Math.min(w, Math.max(width(headers[i]), 12))), cols.findIndex((c) => c.name === 'NAME'));
    const right = (c: (typeof cols)[number]) => c.kind !== undefined && c.kind !== 'text';
    const line = (cells: string[]) => ' ' + cells.map((t, i) => fit(t, widths[i], right(cols[i]) ? 'right' : 'left')).join(' '.repeat(gap));
    const body: React.ReactElement[] = [];
    body.push(<Text key="hdr" color={theme.tableHeader} bold>{fit(line(headers.map((h, i) => (st.mode === 'sortcol' && i === st.sortCol ? `[${h}]` : h))), W - 2)}</Text>);
    slice.forEach((r, i) => {
      const isCur = cur && r.key === cur.key;
      const marked = v.marks.has(r.key);
      let state = r.state;
      if (state === 'normal' && r.addedAt && now - r.addedAt < 3000) state = 'new';
      else if (state === 'normal' && r.modifiedAt && now - r.modifiedAt < 3000) state = 'modified';
      const rt = v.spec.contexts.length > 1 ? (themeProp ?? session.themeFor(r.context)) : theme;
      const color = marked ? rt.mark : rowColor(rt, state);
      const text = fit(line(texts[i]), W - 2);
      const hl = v.vm.highlights.get(r.key);
      const ms = mono ? monoRowStyle(marked ? 'marked' : state) : {};
      if (isCur) body.push(<Text key={r.key} color={rt.cursorFg} backgroundColor={rt.cursorBg} inverse={mono}>{text}</Text>);
      else if (hl && hl.length) body.push(<Text key={r.key} color={color} {...ms}>{highlight(text, r.name, hl)}</Text>);
      else body.push(<Text key={r.key} color={color} {...ms}>{text}</Text>);
    });
    const problems = v.sourceProblems();
    if (rows.length === 0) {
      const st0 = v.storeStatus();
      const msg = problems.length ? problems.map((e) => `${e.context}: ${e.message}`).join('; ') : st0.every((x) => x.synced) ? 'no objects' : 'loading...';
      body.push(<Text key="empty" color={problems.length ? theme.rowError : theme.fg}>{fit('  ' + clean(msg), W - 2)}</Text>);
    }
    const ns = v.resource.namespaced ? (v.spec.namespace ?? 'all') : '';
    const f = v.vm.getFilter();
    // each source that is not the cluster's truth, named with what is wrong: (prod forbidden; dev unreachable)
    const byLabel = new Map<string, string[]>();
    for (const p of problems) byLabel.set(p.label, [...(byLabel.get(p.label) ?? []), p.context]);
    const errText = [...byLabel].map(([label, ctxs]) => `${ctxs.join(',')} ${label}`).join('; ');
    const label = v.spec.label ?? v.resource.plural;
    const ctxPart = v.spec.contexts.length > 1 ? `@${v.spec.contexts.join(',')}` : '';
    const titleStr = ` ${label}${ns ? `(${ns})` : ''}${ctxPart}[${rows.length}${rows.length !== v.vm.total ? `/${v.vm.total}` : ''}]${f.raw ? ` </${f.raw}>` : ''}${v.vm.getFaultsOnly() ? ' <faults>' : ''}${errText ? ` (${errText})` : ''} `;
    const title = (
      <Text data-width={width(titleStr)}>
        <Text color={theme.title} bold>{` ${label}`}</Text>
        {ns ? <Text color={theme.title}>({ns})</Text> : null}
        {ctxPart ? <Text color={theme.title}>{ctxPart}</Text> : null}
        <Text color={theme.titleCounter}>[{rows.length}{rows.length !== v.vm.total ? `/${v.vm.total}` : ''}]</Text>
        {f.raw ? <Text color={theme.titleFilter}>{` </${f.raw}>`}</Text> : null}
        {v.vm.getFaultsOnly() ? <Text color={theme.rowError}> {'<faults>'}</Text> : null}
        {errText ? <Text color={theme.rowError}>{` (${errText})`}</Text> : null}
        <Text> </Text>
      </Text>
    );
    const out = frame(title, body, height);
    if (st.mode === 'delete') overlayDelete(out, v, height);
    return out;
  }

  /** A dialog box drawn over the middle of the screen. */
  function overlay(out: React.ReactElement[], title: string, body: string[]) {
    const dw = Math.min(W - 4, Math.max(50, ...body.map((l) => width(l) + 6), width(title) + 8));
    const pad = (t: string) => '│ ' + fit(clean(t), dw - 4) + ' │';
    const box = ['┌' + fit(`─ ${title} `, dw - 2).replace(/ +$/, (m) => '─'.repeat(m.length)) + '┐', ...body.map(pad), '└' + '─'.repeat(dw - 2) + '┘'];
    const start = Math.max(1, Math.floor((out.length - box.length) / 2));
    const leftPad = Math.max(0, Math.floor((W - dw) / 2));
    box.forEach((l, i) => {
      if (start + i >= out.length) return;
      out[start + i] = <Text key={`ovl${i}`}>{' '.repeat(leftPad)}<Text color={theme.dialogFg} bold={i === 0}>{l}</Text>{' '.repeat(Math.max(0, W - leftPad - dw))}</Text>;
    });
  }

  function overlayDelete(out: React.ReactElement[], v: TableView, height: number) {
    const targets = marked(v);
    const what = targets.length === 1 ? `${v.resource.plural}/${targets[0].name}${targets[0].namespace ? ` in ${targets[0].namespace}` : ''} (${targets[0].context})` : `${targets.length} marked ${v.resource.plural}`;
    const dw = Math.min(W - 4, Math.max(50, width(what) + 8));
    const pad = (t: string) => '│ ' + fit(t, dw - 4) + ' │';
    const box = [
      '┌' + fit('─ Delete ', dw - 2).replace(/ /g, '─') + '┐',
      pad(`Delete ${what}?`),
      pad(''),
      pad(`Propagation: ${st.del.propagation}   (tab/p to change)`),
      pad(`Force:       ${st.del.force ? 'yes (grace period 0)' : 'no'}   (f to toggle)`),
      pad(''),
      pad('<enter> delete    <esc> cancel'),
      '└' + '─'.repeat(dw - 2) + '┘',
    ];
    const start = Math.max(1, Math.floor((height - box.length) / 2));
    const leftPad = Math.max(0, Math.floor((W - dw) / 2));
    box.forEach((l, i) => {
      out[start + i] = <Text key={`dlg${i}`}>{' '.repeat(leftPad)}<Text color={theme.dialogFg} bold={i === 1}>{l}</Text>{' '.repeat(Math.max(0, W - leftPad - dw))}</Text>;
    });
  }

  function renderText(s: TextScreen, height: number): React.ReactElement[] {
    const inner = height - 2;
    s.top = Math.max(0, Math.min(s.top, Math.max(0, s.lines.length - inner)));
    const isYaml = s.title.startsWith('yaml');
    const body = s.lines.slice(s.top, s.top + inner).map((l, i) => {
      const t = fit(l, W - 2);
      if (isYaml) {
        const m = t.match(/^(\s*-?\s*)([^:\s][^:]*?)(:)(\s.*|$)/);
        if (m) return <Text key={`t${i}`}><Text color={theme.yamlKey}>{m[1] + m[2]}</Text><Text color={theme.fg}>{m[3]}</Text><Text color={theme.yamlValue}>{m[4]}</Text></Text>;
      }
      // describe's Events table: warnings stand out
      if (/^\s+Warning\s/.test(t)) return <Text key={`t${i}`} color={theme.flashWarn} bold>{t}</Text>;
      return <Text key={`t${i}`} color={theme.fg}>{t}</Text>;
    });
    const pct = s.lines.length <= inner ? '' : ` ${Math.round(((s.top + inner) / s.lines.length) * 100)}%`;
    return frame(` ${s.title}${s.reveal ? ' (revealed)' : ''}${pct} `, body, height);
  }

  function renderList(s: ListScreen, height: number): React.ReactElement[] {
    const rows = listRows(s);
    const inner = height - 3;
    s.cursor = Math.max(0, Math.min(s.cursor, rows.length - 1));
    if (s.cursor < s.top) s.top = s.cursor;
    if (s.cursor >= s.top + inner) s.top = s.cursor - inner + 1;
    const slice = rows.slice(s.top, s.top + inner);
    const widths = s.columns.map((c, i) => Math.max(width(c), ...slice.map((r) => width(clean(r.cells[i] ?? '')))));
    shrink(widths, widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1), W - 3);
    const line = (cells: string[]) => ' ' + cells.map((t, i) => fit(clean(t ?? ''), widths[i])).join('  ');
    const body: React.ReactElement[] = [<Text key="h" color={theme.tableHeader} bold>{fit(line(s.columns), W - 2)}</Text>];
    slice.forEach((r, i) => {
      const idx = s.top + i;
      const text = fit(line(r.cells), W - 2);
      if (idx === s.cursor) body.push(<Text key={r.key} color={theme.cursorFg} backgroundColor={theme.cursorBg} inverse={mono}>{text}</Text>);
      else if (r.swatches) {
        const sw = r.swatches.length * 2 + 1;
        body.push(<Text key={r.key}><Text color={theme.rowNormal}>{fit(line(r.cells), W - 2 - sw)}</Text><Text> </Text>{r.swatches.map((c, j) => <Text key={j} color={c || undefined}>{mono ? '  ' : '██'}</Text>)}</Text>);
      } else body.push(<Text key={r.key} color={s.marks.has(r.key) ? theme.mark : theme[r.color ?? 'rowNormal']}>{text}</Text>);
    });
    if (rows.length === 0 && s.empty) body.push(<Text key="empty" color={theme.fg}>{fit(`  ${s.empty}`, W - 2)}</Text>);
    return frame(` ${s.title}[${rows.length}]${s.hint ? `  ${s.hint}` : ''} `, body, height);
  }

  function renderDrain(d: DrainScreen, height: number): React.ReactElement[] {
    const body: React.ReactElement[] = [];
    const line = (k: string, text: string, color: string = theme.fg, bold = false) => body.push(<Text key={k} color={color} bold={bold}>{fit(' ' + clean(text), W - 2)}</Text>);
    const where = (i: number) => `${d.targets[i].node}${d.targets.length > 1 || session.active.length > 1 ? ` (${d.targets[i].context})` : ''}`;
    if (d.stage === 'options') {
      line('h', `Drain ${d.targets.map((_t, i) => where(i)).join(', ')}: kubectl drain's options`, theme.title, true);
      line('h2', '');
      DRAIN_FIELDS.forEach((f, i) => {
        const v = (d.opts as any)[f.key];
        const val = f.kind === 'bool' ? (v ? '[x]' : '[ ]') : f.kind === 'text' ? `[${v}${i === d.field ? '_' : ''}]` : `[${v}]`;
        const text = `${i === d.field ? '>' : ' '} ${fit(f.label, 48)} ${val}`;
        body.push(i === d.field
          ? <Text key={`f${i}`} color={theme.cursorFg} backgroundColor={theme.cursorBg} inverse={mono}>{fit(' ' + text, W - 2)}</Text>
          : <Text key={`f${i}`} color={theme.fg}>{fit(' ' + text, W - 2)}</Text>);
      });
      line('h3', '');
      line('h4', '↑/↓ choose   <space> toggle   type digits or text to edit   <enter> show the plan   <esc> cancel', theme.menuDesc);
      return frame(` ${d.title} `, body, height);
    }
    if (d.stage === 'planning') {
      line('p', 'Reading the node\'s pods and their DaemonSets... (nothing is changed yet)', theme.flashInfo);
      return frame(` ${d.title}: plan `, body, height);
    }
    if (d.stage === 'plan') {
      d.plans.forEach((p, i) => {
        line(`n${i}`, `Node ${where(i)}${d.opts.dryRun ? '   (dry run: nothing will change)' : ''}`, theme.title, true);
        if (!p || p.error) {
          line(`e${i}`, `  cannot plan: ${p?.error ?? 'unknown error'}`, theme.rowError);
          return;
        }
        const plan = p.plan!;
        const ev = plan.entries.filter((e) => e.kind === 'evict');
        const sk = plan.entries.filter((e) => e.kind === 'skip');
        const rf = plan.entries.filter((e) => e.kind === 'refuse');
        line(`s${i}`, `  ${ev.length} to ${d.opts.disableEviction ? 'delete' : 'evict'}, ${sk.length} skipped, ${rf.length} refusing`);
        for (const e of rf) line(`r${i}${e.uid}`, `  REFUSES  ${e.namespace}/${e.name}: cannot delete ${e.reason}`, theme.rowError);
        for (const e of ev) line(`v${i}${e.uid}`, `  ${d.opts.disableEviction ? 'delete' : 'evict '}   ${e.namespace}/${e.name}${e.warning ? `  (${e.warning})` : ''}${e.emptyDir && !e.warning ? '  (emptyDir data is lost)' : ''}`, theme.rowNormal);
        for (const e of sk) line(`k${i}${e.uid}`, `  skip     ${e.namespace}/${e.name}  (${e.warning ?? 'mirror pod'})`, theme.rowCompleted);
        if (!plan.ok) line(`x${i}`, `  kubectl would stop here: ${refusalMessage(plan)}`, theme.rowError);
      });
      const shown = body.splice(0);
      const inner = height - 4;
      d.top = Math.max(0, Math.min(d.top, Math.max(0, shown.length - inner)));
      body.push(...shown.slice(d.top, d.top + inner));
      line('keys', `<enter> ${d.opts.dryRun ? 'run the dry run' : 'cordon and drain'}   o options   <esc> cancel   j/k scroll`, theme.menuDesc);
      return frame(` ${d.title}: plan `, body, height);
    }
    // running or done
    const elapsed = d.started ? Math.round((Date.now() - d.started) / 1000) : 0;
    const list = [...d.progress.values()];
    const gone = list.filter((p) => p.phase === 'gone').length;
    const total = list.length;
    const barW = Math.max(10, Math.min(50, W - 60));
    const filled = total ? Math.round((gone / total) * barW) : d.stage === 'done' ? barW : 0;
    const nodeNo = d.targets.length > 1 ? `node ${Math.min(d.current + 1, d.targets.length)}/${d.targets.length} ` : '';
    line('bar', `${nodeNo}${where(Math.min(d.current, d.targets.length - 1))}  [${'#'.repeat(filled)}${'-'.repeat(barW - filled)}] ${gone}/${total} evicted   ${elapsed}s`, theme.title, true);
    for (const [i, n] of d.notes.entries()) line(`note${i}`, n, /^Warning/.test(n) ? theme.flashWarn : theme.fg);
    const rows: React.ReactElement[] = [];
    for (const p of list) {
      const id = `${p.entry.namespace}/${p.entry.name}`;
      let text: string;
      let color = theme.fg;
      switch (p.phase) {
        case 'pending': text = 'waiting'; break;
        case 'evicting': text = p.attempts > 1 ? `evicting (attempt ${p.attempts})` : 'evicting'; color = theme.rowPending; break;
        case 'blocked': {
          const wait = p.nextRetryAt ? Math.max(0, Math.ceil((p.nextRetryAt - Date.now()) / 1000)) : 0;
          text = `${p.detail}, retrying in ${wait}s`;
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
    const resLines = d.results.map((r, i) => <Text key={`res${i}`} color={r.outcome === 'drained' || r.outcome === 'dry run' ? theme.rowNormal : theme.rowError} bold>{fit(` ${r.node}: ${r.outcome}: ${clean(r.message)}`, W - 2)}</Text>);
    const inner = height - 4 - body.length - resLines.length;
    d.top = Math.max(0, Math.min(d.top, Math.max(0, rows.length - inner)));
    body.push(...rows.slice(d.top, d.top + Math.max(0, inner)), ...resLines);
    line('keys', d.stage === 'running' ? '<esc> cancel (evicted pods stay evicted, the node stays cordoned)   j/k scroll' : '<esc>/<enter> close', theme.menuDesc);
    return frame(` ${d.title}${d.stage === 'done' ? ': done' : ''} `, body, height);
  }

  function renderLogs(s: LogsScreen, height: number): React.ReactElement[] {
    const inner = height - 2;
    const lf = s.filter;
    // a prefix color per source, from the skin's palette
    const palette = [theme.rowNew, theme.rowModified, theme.rowPending, theme.menuKey, theme.logo, theme.title, theme.yamlKey, theme.mark];
    const colorOf = (src: string) => palette[[...src].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % palette.length];
    const width = Math.max(1, W - 2);
    // rows: a line, or with wrap one piece of it ([from, to) in the line's string, cut by display
    // width so wide characters and surrogate pairs stay whole); the ring's text is display-clean
    const rows: { l: LogLine; ranges: Ranges; from: number; to: number }[] = [];
    for (const l of s.follower.ring.toArray()) {
      const ranges = l.mark || !lf ? [] : lf.match(l);
      if (!ranges) continue;
      const len = (l.source ? l.source.length + 1 : 0) + l.text.length;
      if (!s.wrap || l.mark) rows.push({ l, ranges, from: 0, to: len });
      else {
        const cuts = wrapCuts(l.source ? `${l.source} ${l.text}` : l.text, width);
        for (let j = 0; j < cuts.length - 1; j++) rows.push({ l, ranges, from: cuts[j], to: cuts[j + 1] });
      }
    }
    if (s.autoscroll) s.top = Math.max(0, rows.length - inner);
    s.top = Math.max(0, Math.min(s.top, Math.max(0, rows.length - inner)));
    const fg = theme.logFg || theme.fg;
    const body = rows.slice(s.top, s.top + inner).map(({ l, ranges, from, to }, i) => {
      if (l.mark) {
        const head = `── ${l.text} `;
        return <Text key={`l${i}`} color={theme.mark} bold>{head.slice(0, width) + '─'.repeat(Math.max(0, width - head.length))}</Text>;
      }
      const pre = l.source ? `${l.source} ` : '';
      const full = pre + l.text;
      const t = fit(full.slice(from, to), width);
      const parts: React.ReactElement[] = [];
      let k = 0;
      // the prefix (in its own color) when this piece starts inside it
      const preEnd = Math.max(0, Math.min(pre.length - from, t.length));
      if (preEnd > 0) parts.push(<Text key={k++} color={colorOf(l.source)}>{t.slice(0, preEnd)}</Text>);
      for (const piece of splitByRanges(t.slice(preEnd), ranges, pre.length - from - preEnd)) {
        parts.push(piece.hit ? <Text key={k++} color={theme.rowHighlight} bold underline>{piece.text}</Text> : <Text key={k++} color={fg}>{piece.text}</Text>);
      }
      return <Text key={`l${i}`}>{parts}</Text>;
    });
    const f = s.follower;
    const win = f.opts.window === 'tail' ? `tail ${f.opts.tailLines}` : f.opts.window === 'head' ? 'head' : `since ${f.opts.window / 60}m`;
    const flags = [win, f.opts.timestamps ? 'timestamps' : '', s.autoscroll ? 'autoscroll' : 'paused', s.wrap ? 'wrap' : '', lf ? `<${lf.describe}>` : '', f.status].filter(Boolean).join(' ');
    return frame(` ${s.title} [${rows.length}] ${flags} `, body, height);
  }

  function renderHelp(s: { top: number }, height: number): React.ReactElement[] {
    const under = st.stack.length >= 2 ? st.stack[st.stack.length - 2] : undefined;
    // help describes the view below it: swap it in to list that view's bindings
    st.stack.pop();
    const list = bindings();
    st.stack.push({ type: 'help', top: s.top });
    const sections = ['General', 'Navigation', 'Resource', 'Sort', 'View', 'Plugins', 'Hotkeys'] as const;
    const all: React.ReactElement[] = [];
    for (const sec of sections) {
      const items = list.filter((b) => b.section === sec);
      if (!items.length) continue;
      all.push(<Text key={`s${sec}`} color={theme.helpSection} bold>{fit(` ${sec.toUpperCase()}`, W - 2)}</Text>);
      for (const b of items) all.push(<Text key={`b${sec}${b.key}`}><Text color={theme.helpKey}>{fit(`   ${b.key}`, 22)}</Text><Text color={theme.fg}>{fit(b.desc, W - 24)}</Text></Text>);
    }
    if (under?.type === 'table' && under.view.resource.namespaced) {
      const favs = session.settings.data.favorites;
      all.push(<Text key="favs" color={theme.fg}>{fit(`   favorites: 0 all${favs.map((f, i) => `  ${i + 1} ${f}`).join('')}`, W - 2)}</Text>);
    }
    all.push(<Text key="cmds" color={theme.helpSection} bold>{fit(' COMMANDS', W - 2)}</Text>);
    for (const c of [':pods, :po, :deploy, :nodes ... (any resource, short name or alias)', ':po kube-system   a namespace; all or -A for every namespace', ':po app=web   label selector; :po /text filter; :po -f text fuzzy', ':pods @all  or  :deploy @dev,prod   several contexts in one view', ':ctx [name]   contexts;  :ns [name]   namespaces;  :aliases;  :q quit']) {
      all.push(<Text key={`c${c}`} color={theme.fg}>{fit(`   ${c}`, W - 2)}</Text>);
    }
    s.top = Math.max(0, Math.min(s.top, Math.max(0, all.length - (height - 2))));
    return frame(' help ', all.slice(s.top), height);
  }

  function renderCrumbs(): React.ReactElement {
    const crumbs = st.stack.map((x) => (x.type === 'table' ? (x.view.spec.label ?? x.view.resource.plural) : x.type === 'help' ? 'help' : x.title.split(' ')[0]));
    const ctx = (view?.spec.contexts ?? session.active).join(',');
    const parts: React.ReactElement[] = [<Text key="ctx" color={theme.crumbFg} backgroundColor={theme.crumbBg}>{` ${ctx} `}</Text>, <Text key="sp0"> </Text>];
    crumbs.forEach((c, i) => {
      parts.push(<Text key={`c${i}`} color={theme.crumbFg} backgroundColor={i === crumbs.length - 1 ? theme.crumbActiveBg : theme.crumbBg}>{` <${c}> `}</Text>);
      parts.push(<Text key={`s${i}`}> </Text>);
    });
    return <Text key="crumbs" wrap="truncate">{parts}</Text>;
  }

  function renderStatus(): React.ReactElement {
    const f = session.flashMsg;
    const fresh = f && Date.now() - f.at < (f.level === 'error' ? 10_000 : 5_000);
    if (st.mode === 'sortcol') return <Text key="status" color={theme.flashInfo}>{fit(' sort by column: ←/→ to choose, <enter> to sort, <esc> to cancel', W)}</Text>;
    if (fresh) return <Text key="status" color={f.level === 'error' ? theme.flashError : f.level === 'warn' ? theme.flashWarn : theme.flashInfo}>{fit(' ' + clean(f.text), W)}</Text>;
    // what keeps the view from the truth, with the server's own words
    const said = new Set<string>();
    const msgs: string[] = [];
    for (const p of view?.sourceProblems() ?? []) {
      if (said.has(p.context)) continue;
      said.add(p.context);
      const retry = p.kind === 'broken' ? '' : p.retryInMs !== undefined ? `; retrying in ${Math.max(1, Math.round(p.retryInMs / 1000))}s` : '; retrying';
      msgs.push(`${p.context}: ${p.message}${retry}`);
    }
    for (const c of session.contexts.values()) {
      if (said.has(c.name) || !(view?.spec.contexts ?? session.active).includes(c.name)) continue;
      if (c.health.state === 'error') msgs.push(`${c.name} ${problemLabel(c.health.errorKind ?? 'unreachable')} (${c.health.error}), retrying`);
      else if (c.health.state === 'broken') msgs.push(`${c.name} broken: ${c.health.error}`);
    }
    if (msgs.length) return <Text key="status" color={theme.flashWarn}>{fit(` ${clean(msgs.join('; '))}`, W)}</Text>;
    return <Text key="status">{' '.repeat(W)}</Text>;
  }
}

/**
 * Fit a row into the width: first take cells one at a time from the widest columns other than
 * the name, never below their header; then from the widest of all, never below 6.
 */
function shrink(widths: number[], total: number, avail: number, floors: number[] = [], keep = -1): void {
  const cut = (eligible: (i: number) => boolean) => {
    while (total > avail) {
      let wi = -1;
      widths.forEach((w, i) => { if (eligible(i) && (wi < 0 || w > widths[wi])) wi = i; });
      if (wi < 0) return;
      widths[wi]--;
      total--;
    }
  };
  cut((i) => i !== keep && widths[i] > Math.max(6, floors[i] ?? 0));
  cut((i) => i === keep && widths[i] > 20);
  cut((i) => widths[i] > 6);
}

/** Text cut into lines of at most `w` cells, on spaces where it can. */
function wrapLines(text: string, w: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let rest = line;
    while (width(rest) > w) {
      let cut = rest.lastIndexOf(' ', w);
      if (cut < w / 2) cut = w;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut).replace(/^ /, '');
    }
    out.push(rest);
  }
  return out;
}

/** What a cell shows: joined values (metrics, pod counts) and ages are made here, at draw time. */
function cellTextOf(v: TableView, r: Row, c: ViewColumn, now: number): string {
  if (c.name === 'CONTEXT') return r.context;
  if (c.name === 'NAMESPACE') return r.namespace ?? '';
  if (c.kind === 'age') {
    const at = r.cells[c.cell];
    return at === '' || at === undefined || !Number.isFinite(Number(at)) ? '<none>' : humanAge(now - Number(at));
  }
  if (c.kind === 'podcount') {
    const n = v.vm.podCount?.(r);
    return n === undefined ? '-' : String(n);
  }
  if (c.kind === 'cpupct' || c.kind === 'mempct') {
    const m = v.metricsOf(r);
    if (!m) return v.metricsAvailable(r.context) === false ? 'n/a' : '-';
    const pct = percentOf(r, c.kind, m, c.basis);
    return pct === undefined ? 'n/a' : String(pct);
  }
  if (c.kind === 'cpu' || c.kind === 'mem') {
    const m = v.metricsOf(r);
    if (!m) return v.metricsAvailable(r.context) === false ? 'n/a' : '-';
    return c.kind === 'cpu' ? String(Math.round(m.cpu)) : String(Math.round(m.mem / 2 ** 20));
  }
  return clean(String(r.cells[c.cell] ?? ''));
}

/** The keys a list of bindings takes, as plugin key specs (so plugins can tell a clash). */
function bindingKeys(bs: { key: string }[]): KeySpec[] {
  const out: KeySpec[] = [];
  for (const b of bs) {
    for (const tok of b.key.split('/')) {
      let m: RegExpMatchArray | null;
      if ((m = tok.match(/^<ctrl-(.)>$/))) out.push({ key: m[1].toLowerCase(), ctrl: true, shift: false });
      else if ((m = tok.match(/^<shift-(.)>$/))) out.push({ key: m[1].toLowerCase(), ctrl: false, shift: true });
      else if (tok === '0-9') for (const d of '0123456789') out.push({ key: d, ctrl: false, shift: false });
      else if (/^[a-z0-9]$/.test(tok)) out.push({ key: tok, ctrl: false, shift: false });
      else if (/^[A-Z]$/.test(tok)) out.push({ key: tok.toLowerCase(), ctrl: false, shift: true });
      else if (tok === '<space>') out.push({ key: ' ', ctrl: false, shift: false });
    }
  }
  return out;
}

function rowColor(t: Theme, state: Row['state']): string {
  switch (state) {
    case 'new': return t.rowNew;
    case 'modified': return t.rowModified;
    case 'error': return t.rowError;
    case 'pending': return t.rowPending;
    case 'completed': return t.rowCompleted;
    case 'terminating': return t.rowTerminating;
    default: return t.rowNormal;
  }
}

/** Bold the fuzzy-matched characters of the name inside a rendered line. */
function highlight(line: string, name: string, idx: number[]): React.ReactElement[] {
  const at = line.indexOf(name);
  if (at < 0) return [<Text key="all">{line}</Text>];
  const set = new Set(idx.map((i) => i + at));
  const out: React.ReactElement[] = [];
  let buf = '';
  let bold = false;
  const flush = (k: number) => {
    if (buf) out.push(<Text key={k} bold={bold} underline={bold}>{buf}</Text>);
    buf = '';
  };
  [...line].forEach((c, i) => {
    const b = set.has(i);
    if (b !== bold) {
      flush(i);
      bold = b;
    }
    buf += c;
  });
  flush(line.length);
  return out;
}

