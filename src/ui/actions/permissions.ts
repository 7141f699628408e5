/**
 * What each key of a table view asks of the server, so a key the user's RBAC does not allow
 * is shown as unavailable, with the reason, before it fails: in help, in the hints, and when
 * pressed. The rows it would act on are checked (the marked ones, else the one under the cursor).
 */
import type { Session, TableView } from '../../app/session.js';
import type { Access } from '../../kube/access.js';
import type { Row } from '../../store/rows.js';

type Need = (r: Row) => Access[];

function needs(view: TableView, r: Row): Record<string, Need> {
  const res = view.perContext.get(r.context) ?? view.resource;
  const own = (verb: string, subresource?: string): Access => ({ verb, group: res.group, resource: res.plural, subresource, namespace: r.namespace, name: r.name });
  const pod = (verb: string, subresource?: string): Access => ({ verb, group: '', resource: 'pods', subresource, namespace: r.namespace, name: res.plural === 'pods' ? r.name : undefined });
  return {
    describe: () => [own('get')],
    yaml: () => [own('get')],
    edit: () => [own('update')],
    delete: () => [own('delete')],
    scale: () => [own('patch', 'scale')],
    restart: () => [own('patch')],
    kill: () => [pod('delete')],
    shell: () => [pod('create', 'exec')],
    attach: () => [pod('create', 'attach')],
    'port-forward': () => [pod('create', 'portforward')],
    logs: () => (res.plural === 'pods' ? [pod('get', 'log')] : [{ verb: 'list', group: '', resource: 'pods', namespace: r.namespace }, pod('get', 'log')]),
    'previous-logs': () => [pod('get', 'log')],
    cordon: () => [own('patch')],
    uncordon: () => [own('patch')],
    // a drain cordons the node and evicts pods in whichever namespaces they are
    drain: () => [own('patch'), { verb: 'create', group: '', resource: 'pods', subresource: 'eviction' }],
  };
}

/** Why an action cannot be done on these rows by the user's RBAC, or undefined (allowed, or not known yet). */
export function denial(session: Session, view: TableView, rows: Row[], id: string): string | undefined {
  for (const r of rows.slice(0, 20)) {
    const need = needs(view, r)[id];
    if (!need) return undefined;
    for (const a of need(r)) {
      const m = session.mayDo(r.context, a);
      if (m.verdict === 'no') return m.message;
    }
  }
  return undefined;
}

/**
 * Run an action once the server has said whether the user may: at once when it is known, else
 * after waiting (briefly) for the answer, so a refusal comes before anything is attempted.
 */
export async function whenAllowed(session: Session, view: TableView, rows: Row[], id: string, run: () => void, refuse: (why: string) => void): Promise<void> {
  const checks: Promise<unknown>[] = [];
  for (const r of rows.slice(0, 20)) {
    const need = needs(view, r)[id];
    if (!need) break;
    for (const a of need(r)) if (session.mayDo(r.context, a).verdict === 'unknown') checks.push(session.client(r.context).access.settle(a));
  }
  if (checks.length) await Promise.all(checks);
  const why = denial(session, view, rows, id);
  if (why) refuse(why);
  else run();
}

export const RBAC_CHECKED = ['describe', 'yaml', 'edit', 'delete', 'scale', 'restart', 'kill', 'shell', 'attach', 'port-forward', 'logs', 'previous-logs', 'cordon', 'uncordon', 'drain'];
