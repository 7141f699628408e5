/**
 * What the keys of a table view do to its rows: describe, YAML, drill down, containers,
 * delete, scale, restart, kill, cordon, shell, attach, port-forward. Requests go through the
 * session and the queries; each failure is said in the status line.
 */
import type { RowSource, TableView } from '../../app/session.js';
import type { Row } from '../../store/rows.js';
import { containersOf, describeText, drillTarget, yamlText } from '../../app/queries.js';
import { capabilitiesFor } from '../../resources/capabilities.js';
import { suggestPorts } from '../../actions/portforward.js';
import type { Nav } from '../nav.js';
import { clean } from '../text.js';
import { TextScreen } from '../screens/text.js';
import { ListScreen, type ListRow } from '../screens/list.js';
import { containerColor } from '../screens/cells.js';
import { ConfirmDialog } from '../dialogs/confirm.js';
import { DeleteDialog } from '../dialogs/delete.js';
import { ScaleDialog } from '../dialogs/scale.js';
import { PortForwardDialog } from '../dialogs/portforward.js';
import { podPorts, type PfDialog } from '../portforward.js';
import { podTerminal } from './terminal.js';
import { openLogs } from './logs.js';
import { bindingRules, roleRules } from '../screens/rbac.js';
import { CONTAINER_DEFS } from '../keys/defs.js';
import { startPlugin } from './plugins.js';
import { scopeNames } from '../../plugins/load.js';

/** The marked rows, else the one under the cursor. */
export function targets(view: TableView): Row[] {
  if (view.marks.size) return view.rows().filter((r) => view.marks.has(r.key));
  const cur = view.current();
  return cur ? [cur] : [];
}

/** kind/name in namespace (context): the whole of it, for dialogs and messages. */
export function fullName(view: TableView, r: Row, kind: 'plural' | 'singular' = 'plural'): string {
  const res = view.perContext.get(r.context) ?? view.resource;
  return `${res[kind]}/${r.name}${r.namespace ? ` in ${r.namespace}` : ''} (${r.context})`;
}

async function showText(nav: Nav, title: string, load: (reveal: boolean) => Promise<string>, o: { yaml?: boolean; reveal?: boolean } = {}): Promise<void> {
  try {
    const lines = clean(await load(false)).split('\n');
    const reveal = o.reveal ? async (r: boolean) => clean(await load(r)).split('\n') : undefined;
    nav.push(new TextScreen(nav, { title, lines, yaml: o.yaml, reveal }));
  } catch (e) {
    nav.flash((e as Error).message, 'error');
  }
}

export function describeRow(nav: Nav, view: RowSource, row: Row): void {
  void showText(nav, `describe ${view.resource.plural}/${row.name}`, () => describeText(nav.session, view, row));
}

export function yamlRow(nav: Nav, view: RowSource, row: Row): void {
  const caps = capabilitiesFor(view.perContext.get(row.context) ?? view.resource);
  void showText(nav, `yaml ${view.resource.plural}/${row.name}`, (reveal) => yamlText(nav.session, view, row, reveal), { yaml: true, reveal: !!caps.secretReveal });
}

export async function drill(nav: Nav, view: TableView, row: Row): Promise<void> {
  try {
    const d = await drillTarget(nav.session, view, row);
    if (d.to === 'view') await nav.openSpec(d.spec);
    else if (d.to === 'namespace') await nav.switchNamespace(d.name);
    else if (d.to === 'containers') await showContainers(nav, view, row);
    else if (d.to === 'rules') nav.push(new ListScreen(nav, d.of === 'role' ? await roleRules(nav, view, row) : await bindingRules(nav, view, row)));
    else describeRow(nav, view, row);
  } catch (e) {
    nav.flash((e as Error).message, 'warn');
  }
}

/** A pod's containers, where s, a, l, p and shift-f act on one container. */
export async function showContainers(nav: Nav, view: TableView, row: Row): Promise<void> {
  let pod: any;
  try {
    pod = await nav.session.fetch(view, row);
  } catch (e) {
    return nav.flash((e as Error).message, 'error');
  }
  const rows: ListRow[] = containersOf(pod).map((c) => ({
    key: c.name,
    cells: [c.name + (c.init ? ' (init)' : ''), c.image, String(c.ready), c.state, String(c.restarts), c.ports, c.cpu, c.mem],
    color: containerColor(c.state, c.ready),
  }));
  const target = (r: ListRow) => ({ context: row.context, namespace: row.namespace ?? '', pod: row.name, container: r.key });
  const ro = nav.session.readOnlyFor([row.context, ...nav.session.active]) ? nav.session.readOnlyMessage('shell and attach', [row.context, ...nav.session.active]) : undefined;
  const columns = ['NAME', 'IMAGE', 'READY', 'STATE', 'RESTARTS', 'PORTS', 'CPU/R', 'MEM/R'];
  const handlers: Record<string, (r: ListRow) => void> = {
    shell: (r) => void podTerminal(nav, 'shell', target(r)),
    attach: (r) => void podTerminal(nav, 'attach', target(r)),
    'port-forward': (r) => openPortForward(nav, row.context, pod, r.key),
    logs: (r) => void openLogs(nav, view, row, false, r.key),
    'previous-logs': (r) => void openLogs(nav, view, row, true, r.key),
  };
  const pod1 = { context: row.context, namespace: row.namespace ?? '', name: row.name };
  const colsOf = (r: ListRow) => Object.fromEntries(columns.map((c, i) => [c, c === 'NAME' ? r.key : r.cells[i] ?? '']));
  nav.push(new ListScreen(nav, {
    title: `containers(${row.namespace}/${row.name})`, columns,
    rows: () => rows,
    actions: CONTAINER_DEFS.map((d) => ({ ...d, unavailable: d.dangerous ? ro : undefined, run: handlers[d.id] })),
    // plugins scoped containers (or all): $POD, $CONTAINER, $NAME (the container), $COL-* of these columns
    plugins: {
      names: scopeNames({ plural: 'containers', singular: 'container', kind: 'Container', shortNames: ['co'] }, nav.session.aliases), contexts: [row.context],
      run: (p, r) => startPlugin(nav, {
        what: `${row.context}: ${pod1.namespace ? `${pod1.namespace}/` : ''}${row.name}, container ${r.key}`,
        launch: (pl, inputs) => nav.session.containerPluginLaunch(pod1, r.key, pl, { inputs, columns: colsOf(r) }),
      }, p),
      vars: (r) => nav.session.containerVars(pod1, r.key, { columns: colsOf(r) }),
    },
  }));
}

/** s or a on a pod: straight in when it has one container (or a default one), else its containers. */
export async function podTerminalOf(nav: Nav, kind: 'shell' | 'attach', view: TableView, row: Row): Promise<void> {
  let pod: any;
  try {
    pod = await nav.session.fetch(view, row);
  } catch (e) {
    return nav.flash((e as Error).message, 'error');
  }
  if (pod.status?.phase && pod.status.phase !== 'Running') return nav.flash(`${kind}: pod ${row.name} is ${pod.status.phase}, not Running`, 'warn');
  const names: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  const dflt = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  const container = dflt && names.includes(dflt) ? dflt : names.length === 1 ? names[0] : undefined;
  if (container) return podTerminal(nav, kind, { context: row.context, namespace: row.namespace ?? '', pod: row.name, container });
  await showContainers(nav, view, row);
  nav.flash(`pod ${row.name} has ${names.length} containers: pick one and press ${kind === 'shell' ? 's' : 'a'}`);
}

/** Apply an action to rows one by one; the first failure stops and is said, success is said once. */
async function actOn(nav: Nav, rows: Row[], what: string, act: (r: Row) => Promise<unknown>, done: string): Promise<void> {
  for (const r of rows) {
    try {
      await act(r);
    } catch (e) {
      // a refusal means what kmux knew of the user's rights was stale
      nav.session.refused(r.context, e);
      return nav.flash(`${what} ${r.name}: ${(e as Error).message}`, 'error');
    }
  }
  nav.flash(done);
}

export function confirmDelete(nav: Nav, view: TableView): void {
  const rows = targets(view);
  if (!rows.length) return;
  const what = rows.length === 1 ? [fullName(view, rows[0])] : [`${rows.length} marked ${view.resource.plural}:`, ...rows.slice(0, 8).map((r) => `  ${fullName(view, r)}`), ...(rows.length > 8 ? [`  and ${rows.length - 8} more`] : [])];
  const d: DeleteDialog = new DeleteDialog({
    what,
    close: () => nav.closeDialog(d),
    onCancel: () => nav.flash('delete cancelled'),
    onDelete: (propagation, force) => {
      view.marks.clear();
      const done = `deleted ${rows.length === 1 ? `${view.resource.plural}/${rows[0].name}` : `${rows.length} ${view.resource.plural}`}${force ? ' (forced)' : ''}`;
      void actOn(nav, rows, 'delete', (r) => nav.session.deleteRow(view, r, propagation, force), done);
    },
  });
  nav.openDialog(d);
}

export function scaleRows(nav: Nav, view: TableView): void {
  const rows = targets(view);
  if (!rows.length) return;
  const res = view.resource;
  const d: ScaleDialog = new ScaleDialog({
    title: `Scale ${rows.length === 1 ? fullName(view, rows[0], 'singular') : `${rows.length} ${res.plural}`}`,
    value: String(rows[0].extra?.replicas ?? ''),
    close: () => nav.closeDialog(d),
    error: (m) => nav.flash(m, 'error'),
    onScale: (n) => void actOn(nav, rows, 'scale', (r) => nav.session.scale(view, r, n), `scaled ${rows.map((r) => `${res.singular}/${r.name}`).join(', ')} to ${n}`),
  });
  nav.openDialog(d);
}

/** A confirmation, then the same write on every target row. */
export function confirmRows(nav: Nav, view: TableView, o: { verb: string; note: string; act: (r: Row) => Promise<unknown> }): void {
  const rows = targets(view);
  if (!rows.length) return;
  const res = view.resource;
  const d: ConfirmDialog = new ConfirmDialog({
    title: `${o.verb[0].toUpperCase()}${o.verb.slice(1)} ${rows.length === 1 ? `${res.singular}/${rows[0].name}` : `${rows.length} ${res.plural}`}?`,
    lines: [...rows.slice(0, 8).map((r) => fullName(view, r)), ...(rows.length > 8 ? [`and ${rows.length - 8} more`] : []), '', o.note],
    close: () => nav.closeDialog(d),
    onCancel: () => nav.flash('cancelled'),
    onYes: () => {
      view.marks.clear();
      void actOn(nav, rows, o.verb, o.act, `${o.verb === 'kill' ? 'killed' : `${o.verb}ed`} ${rows.map((r) => `${res.singular}/${r.name}`).join(', ')}`);
    },
  });
  nav.openDialog(d);
}

export async function cordonRows(nav: Nav, view: TableView, on: boolean): Promise<void> {
  const rows = targets(view);
  const said: string[] = [];
  for (const r of rows) {
    try {
      const res = await nav.session.cordon(r.context, r.name, on);
      said.push(`node/${r.name} ${res}${view.spec.contexts.length > 1 ? ` (${r.context})` : ''}`);
    } catch (e) {
      return nav.flash(`${on ? 'cordon' : 'uncordon'} ${r.name}: ${(e as Error).message}`, 'error');
    }
  }
  view.marks.clear();
  nav.flash(said.join('; '));
}

/** shift-f: the dialog for one of the pod's TCP ports (of `container` when given). */
export function openPortForward(nav: Nav, context: string, pod: any, container?: string): void {
  // the pod arrived after the user moved on to another dialog: leave that alone
  if (nav.dialog()) return;
  const ports = podPorts(pod, container);
  const name = pod?.metadata?.name ?? '?';
  if (pod?.status?.phase !== 'Running') return nav.flash(`port-forward: pod ${name} is ${pod?.status?.phase ?? 'not running'}`, 'warn');
  if (!ports.length) return nav.flash(`port-forward: ${container ? `container ${container} of ` : ''}pod ${name} declares no TCP port`, 'warn');
  const pf: PfDialog = { context, namespace: pod.metadata.namespace, pod: name, ports, sel: 0, local: String(ports[0].port), address: '127.0.0.1', field: 1, suggested: [], typed: false };
  const forwards = nav.session.forwards;
  const suggest = async () => {
    const taken = new Set(forwards.list().filter((f) => f.state !== 'stopped').map((f) => f.localPort));
    const port = pf.ports[pf.sel].port;
    const free = await suggestPorts(port, taken, 3, pf.address);
    if (nav.dialog() !== d || pf.ports[pf.sel].port !== port) return;
    pf.suggested = free;
    if (!pf.typed && free.length && !free.includes(Number(pf.local))) pf.local = String(free[0]);
    nav.redraw();
  };
  const d: PortForwardDialog = new PortForwardDialog(pf, {
    close: () => nav.closeDialog(d),
    onPortChanged: () => void suggest(),
    onSubmit: () => {
      // one forward per Enter, however fast Enter is pressed again
      pf.busy = true;
      const p = pf.ports[pf.sel];
      forwards.start({ context: pf.context, namespace: pf.namespace, pod: pf.pod, container: p.container, remotePort: p.port, localPort: Number(pf.local), address: pf.address.trim() }).then((f) => {
        nav.closeDialog(d);
        nav.flash(`forwarding ${f.url} -> ${pf.namespace}/${pf.pod}:${p.port} (:pf lists forwards)`);
      }, (e) => {
        pf.busy = false;
        pf.error = (e as Error).message;
        nav.redraw();
      });
    },
  });
  nav.openDialog(d);
  void suggest();
}
