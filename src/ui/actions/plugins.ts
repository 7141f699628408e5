/** Running a plugin on a row: its inputs, a confirmation, then in the background, captured, or in the terminal. */
import type { Nav } from '../nav.js';
import type { TableView } from '../../app/session.js';
import type { Row } from '../../store/rows.js';
import type { Plugin } from '../../plugins/load.js';
import { endedByCtrlC, runCaptured, runForegroundSync, statusText } from '../../plugins/run.js';
import { formatCommandLine, type Argv } from '../../plugins/vars.js';
import { ConfirmDialog } from '../dialogs/confirm.js';
import { PluginFormDialog, type FormValues } from '../dialogs/form.js';
import { cellTextOf } from '../screens/cells.js';

/** What a plugin runs on: a line for the confirm dialog, and its argv and env for the inputs given. */
export interface PluginTarget {
  /** "context: namespace/name" */
  what: string;
  launch(p: Plugin, inputs: FormValues | undefined): Promise<{ argv: Argv; env: Record<string, string> }>;
}

/** The cells of a table view's row by column header: what $COL-* holds. */
export function rowColumns(v: TableView, row: Row): Record<string, string> {
  const now = Date.now();
  const columns: Record<string, string> = {};
  for (const c of v.columns) columns[c.name] = cellTextOf(v, row, c, now);
  return columns;
}

/** A row of a table view: the view's columns as $COL-*. */
export function rowTarget(nav: Nav, v: TableView, row: Row): PluginTarget {
  return {
    what: `${row.context}: ${row.namespace ? `${row.namespace}/` : ''}${row.name}`,
    // variables, argv and env (KUBECONFIG: the read-only proxy's in read-only mode)
    launch: (p, inputs) => nav.session.pluginLaunch(v, row, p, { inputs, columns: rowColumns(v, row) }),
  };
}

export function startPlugin(nav: Nav, target: PluginTarget, p: Plugin): void {
  if (!p.inputs.length) return void preparePlugin(nav, target, p, undefined);
  const d: PluginFormDialog = new PluginFormDialog({
    plugin: p, onSubmit: (vals) => void preparePlugin(nav, target, p, vals),
    close: () => nav.closeDialog(d), error: (m) => nav.flash(m, 'error'), onCancel: () => nav.flash('cancelled'),
  });
  nav.openDialog(d);
}

async function preparePlugin(nav: Nav, target: PluginTarget, p: Plugin, inputs: FormValues | undefined): Promise<void> {
  let launch;
  try {
    launch = await target.launch(p, inputs);
  } catch (e) {
    return nav.flash(`plugin ${p.name}: ${(e as Error).message}`, 'error');
  }
  const { argv, env } = launch;
  const run = () => void runPlugin(nav, p, argv, env);
  if (!p.confirm && !p.dangerous) return run();
  const d: ConfirmDialog = new ConfirmDialog({
    title: `Run plugin ${p.name}${p.dangerous ? ' (dangerous)' : ''}?`,
    lines: [`on ${target.what}`, formatCommandLine(argv)],
    onYes: run, onCancel: () => nav.flash('cancelled'), close: () => nav.closeDialog(d),
  });
  nav.openDialog(d);
}

async function runPlugin(nav: Nav, p: Plugin, argv: Argv, env: Record<string, string>): Promise<void> {
  const session = nav.session;
  if (p.background) {
    const job = session.jobs.start(p, argv, env);
    return nav.flash(`plugin ${p.name} runs in the background as job ${job.id} (:plugins shows its output)`);
  }
  if (p.overwriteOutput) {
    const res = await runCaptured(argv, env, { timeoutMs: 30_000 });
    if (res.error || (res.exitCode ?? 0) !== 0) nav.flash(`plugin ${p.name} failed (exit ${res.exitCode ?? res.signal ?? '?'}): ${statusText(res.stderr || res.error || '')}`, 'error');
    else nav.flash(statusText(res.stdout) || `plugin ${p.name}: no output`);
    return;
  }
  // the terminal is the plugin's until it exits; watches stall meanwhile and are refreshed after
  let res: ReturnType<typeof runForegroundSync> = {};
  await nav.suspend(() => {
    res = runForegroundSync(argv, env);
  });
  session.registry.refresh();
  if (endedByCtrlC(res)) nav.flash(`plugin ${p.name} ended (ctrl-c)`);
  else if (res.error || (res.exitCode ?? 0) !== 0) nav.flash(`plugin ${p.name} failed (exit ${res.exitCode ?? res.signal ?? '?'})${res.error ? `: ${res.error}` : ''}`, 'error');
  else nav.flash(`plugin ${p.name} finished`);
  nav.redraw();
}
