/**
 * Handing the terminal to kubectl (edit, exec, attach) on a row's own context, and back. The
 * child runs synchronously inside Ink's suspendTerminal (an async child would lose input to
 * Ink's stdin listener); watches stall meanwhile and are refreshed after.
 */
import type { Nav } from '../nav.js';
import type { TableView } from '../../app/session.js';
import type { Row } from '../../store/rows.js';
import { endedByCtrlC, runForegroundSync } from '../../plugins/run.js';

/** kubectl in the foreground: true when it succeeded. `sessionLike`: a shell's exit status is the user's business. */
export async function kubectlForeground(nav: Nav, context: string, args: string[], what: string, extraEnv: Record<string, string> = {}, sessionLike = false): Promise<boolean> {
  return childForeground(nav, context, 'kubectl', ['--context', context, ...args], what, extraEnv, sessionLike);
}

/** A cluster tool (kubectl, helm) in the foreground with kmux's kubeconfig for `context`: true when it succeeded. */
export async function childForeground(nav: Nav, context: string, command: string, args: string[], what: string, extraEnv: Record<string, string> = {}, sessionLike = false): Promise<boolean> {
  const session = nav.session;
  let kube;
  try {
    // read-only mode: the read-only proxy's kubeconfig; no child starts without it
    kube = await session.childEnv(context);
  } catch (e) {
    nav.flash(`${what}: ${(e as Error).message}`, 'error');
    return false;
  }
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...kube, ...extraEnv };
  let out: ReturnType<typeof runForegroundSync> = {};
  await nav.suspend(() => {
    out = runForegroundSync({ command, args, pipes: [], env: {} }, env);
  });
  session.registry.refresh();
  nav.redraw();
  // ctrl-c in the child ends it: that is how the user leaves, not a failure
  if (endedByCtrlC(out)) nav.flash(`${what}: ended (ctrl-c)`);
  else if (sessionLike && out.exitCode !== undefined && out.exitCode !== 0 && !out.signal) nav.flash(`${what}: ended (exit ${out.exitCode})`);
  else if (out.error && !/^exit code /.test(out.error)) nav.flash(`${what}: ${out.error}`, 'error');
  else if (out.signal) nav.flash(`${what}: ${command} ended by ${out.signal}`, 'warn');
  else if ((out.exitCode ?? 0) !== 0) nav.flash(`${what}: ${command} exited ${out.exitCode}`, 'error');
  else return true;
  return false;
}

/** `kubectl edit` with KUBE_EDITOR, K9S_EDITOR or EDITOR, then back to the same view. */
export async function editRow(nav: Nav, v: TableView, row: Row): Promise<void> {
  const res = v.perContext.get(row.context) ?? v.resource;
  const kind = res.group ? `${res.plural}.${res.group}` : res.plural;
  const editor = process.env.KUBE_EDITOR || process.env.K9S_EDITOR || process.env.EDITOR || 'vi';
  const ok = await kubectlForeground(nav, row.context, ['edit', `${kind}/${row.name}`, ...(row.namespace ? ['-n', row.namespace] : [])], `edit ${row.name}`, { KUBE_EDITOR: editor });
  if (ok) nav.flash(`edited ${res.singular}/${row.name}`);
}

/** Shell (bash when the image has it, else sh) or attach into one container of a pod. */
export async function podTerminal(nav: Nav, kind: 'shell' | 'attach', t: { context: string; namespace: string; pod: string; container: string }): Promise<void> {
  const where = ['-n', t.namespace, '-c', t.container];
  const args = kind === 'shell'
    ? ['exec', '-it', t.pod, ...where, '--', 'sh', '-c', 'command -v bash >/dev/null 2>&1 && exec bash || exec sh']
    : ['attach', '-it', t.pod, ...where];
  const label = `${kind} ${t.pod}/${t.container}`;
  if (await kubectlForeground(nav, t.context, args, label, {}, true)) nav.flash(`${label}: ended`);
}
