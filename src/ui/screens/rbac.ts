/**
 * Who may do what: `:rbac` lists the current user's rules in the current namespace as the
 * server reports them (kubectl auth can-i --list); enter on a role shows its rules, on a
 * binding its subjects and the rules of the role it binds.
 */
import type { ResourceRule } from '../../kube/access.js';
import type { TableView } from '../../app/session.js';
import type { Row } from '../../store/rows.js';
import type { Nav } from '../nav.js';
import type { ListRow, ListSource } from './list.js';

/** kubectl's rows: RESOURCES (resource.group), NON-RESOURCE URLS, RESOURCE NAMES, VERBS. */
export function ruleRows(resourceRules: readonly ResourceRule[], nonResource: readonly { verbs: string[]; nonResourceURLs?: string[] }[] = []): ListRow[] {
  const rows: ListRow[] = [];
  const list = (xs?: string[]) => `[${(xs ?? []).join(' ')}]`;
  resourceRules.forEach((r, i) => {
    const groups = r.apiGroups?.length ? r.apiGroups : [''];
    for (const g of groups) {
      for (const res of r.resources ?? []) {
        rows.push({ key: `r${i}:${g}:${res}`, cells: [g && g !== '' ? `${res}.${g}` : res, '[]', list(r.resourceNames), list(r.verbs)], color: r.verbs.some((v) => v !== 'get' && v !== 'list' && v !== 'watch') ? 'rowModified' : 'rowNormal' });
      }
    }
  });
  nonResource.forEach((r, i) => rows.push({ key: `n${i}`, cells: ['', list(r.nonResourceURLs), '[]', list(r.verbs)], color: 'rowCompleted' }));
  return rows;
}

const COLUMNS = ['RESOURCES', 'NON-RESOURCE URLS', 'RESOURCE NAMES', 'VERBS'];

/** `:rbac`: what the user may do in the current namespace of the focused context. */
export function myRulesList(nav: Nav): ListSource {
  const session = nav.session;
  const ctx = nav.view()?.spec.contexts[0] ?? session.active[0];
  const ns = nav.view()?.spec.namespace ?? session.namespace ?? 'default';
  const c = session.client(ctx);
  const who = c.user ? `${c.user.username}${c.user.groups.length ? ` (groups ${c.user.groups.join(', ')})` : ''}` : c.info.user;
  return {
    title: `rbac(${ctx}: ${c.user?.username ?? c.info.user} in ${ns})`, columns: COLUMNS,
    hint: `as the server sees you: ${who}`,
    empty: c.access.rulesError(ns) ? `the server did not say: ${c.access.rulesError(ns)}` : 'asking the server...',
    rows: () => {
      const r = c.access.rulesIn(ns);
      return r ? ruleRows(r.resourceRules, r.nonResourceRules) : [];
    },
  };
}

/** Enter on a Role or ClusterRole: its rules (an aggregated role's, as the server filled them in). */
export async function roleRules(nav: Nav, view: TableView, row: Row): Promise<ListSource> {
  const role = await nav.session.fetch(view, row);
  const rows = ruleRows(role.rules ?? []);
  return { title: `rules(${view.resource.singular}/${row.name})`, columns: COLUMNS, rows: () => rows, empty: 'no rules' };
}

/** Enter on a RoleBinding or ClusterRoleBinding: who it names and what the role lets them do. */
export async function bindingRules(nav: Nav, view: TableView, row: Row): Promise<ListSource> {
  const session = nav.session;
  const b = await session.fetch(view, row);
  const ref = b.roleRef ?? {};
  const subjects: ListRow[] = (b.subjects ?? []).map((s: any, i: number) => ({
    key: `s${i}`, cells: [`${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`, '', '', 'subject'], color: 'rowPending',
  }));
  let rules: ListRow[] = [];
  let note = '';
  try {
    const path = ref.kind === 'ClusterRole'
      ? `/apis/rbac.authorization.k8s.io/v1/clusterroles/${encodeURIComponent(ref.name)}`
      : `/apis/rbac.authorization.k8s.io/v1/namespaces/${encodeURIComponent(row.namespace ?? '')}/roles/${encodeURIComponent(ref.name)}`;
    const role = await session.client(row.context).conn.json('GET', path, { timeoutMs: 10_000 });
    rules = ruleRows(role.rules ?? []);
  } catch (e) {
    note = `${ref.kind}/${ref.name}: ${(e as Error).message}`;
  }
  return {
    title: `binding(${row.name} -> ${ref.kind}/${ref.name})`, columns: COLUMNS, rows: () => [...subjects, ...rules],
    hint: note || undefined, empty: 'no subjects',
  };
}
