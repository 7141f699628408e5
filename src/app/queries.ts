/**
 * What the screens ask of the clusters, apart from the UI: describe text with its related
 * objects, YAML, where a drill-down goes, a pod's containers, a workload's pods for logs.
 * Errors reach the caller (or the text): a forbidden list of events is said, not shown as none.
 */
import { resourcePath } from '../kube/discovery.js';
import { capabilitiesFor } from '../resources/capabilities.js';
import { describe as describeObject } from '../resources/describe.js';
import { toYaml } from '../resources/yaml.js';
import type { Row } from '../store/rows.js';
import type { RowSource, Session, TableView, ViewSpec } from './session.js';

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

/** A list of related objects, or why it could not be had. */
async function listOf(session: Session, ctx: string, path: string, query: Record<string, string>): Promise<{ items?: any[]; error?: string }> {
  try {
    const list = await session.client(ctx).conn.json('GET', path, { query, timeoutMs: 15_000 });
    return { items: list?.items ?? [] };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** kubectl describe's text for a row, with its events and the related objects its kind has. */
export async function describeText(session: Session, view: RowSource, row: Row, now = Date.now()): Promise<string> {
  const obj = await session.fetch(view, row);
  const ctx = row.context;
  const caps = capabilitiesFor(view.perContext.get(ctx) ?? view.resource);
  const ns = obj.metadata?.namespace;
  const errors: string[] = [];
  const events = await listOf(session, ctx, ns ? `/api/v1/namespaces/${ns}/events` : '/api/v1/events', {
    // the kubelet records a node's events with the node's name as its uid: ask by name and kind
    fieldSelector: obj.kind === 'Node' ? `involvedObject.kind=Node,involvedObject.name=${obj.metadata.name}` : `involvedObject.uid=${obj.metadata.uid}`,
  });
  let pods: any[] | undefined;
  let replicaSets: any[] | undefined;
  if (caps.related.includes('pods-on-node')) {
    const r = await listOf(session, ctx, '/api/v1/pods', { fieldSelector: `spec.nodeName=${obj.metadata.name}` });
    if (r.error) errors.push(`the node's pods: ${r.error}`);
    pods = r.items;
  }
  if (caps.related.includes('replicasets')) {
    const r = await listOf(session, ctx, `/apis/apps/v1/namespaces/${ns}/replicasets`, {});
    if (r.error) errors.push(`its replica sets: ${r.error}`);
    replicaSets = r.items?.filter((rs) => rs.metadata.ownerReferences?.some((o: any) => o.uid === obj.metadata.uid));
  }
  return describeObject(obj, { events: events.items, eventsError: events.error, pods, replicaSets, errors, now });
}

export async function yamlText(session: Session, view: RowSource, row: Row, reveal: boolean): Promise<string> {
  return toYaml(await session.fetch(view, row), { revealSecrets: reveal, decodeSecrets: reveal });
}

/** Where enter on a row goes: a view, the containers list, a namespace, or describe. */
export type Drill =
  | { to: 'view'; spec: ViewSpec }
  | { to: 'containers' }
  | { to: 'rules'; of: 'role' | 'binding' }
  | { to: 'namespace'; name: string }
  | { to: 'describe' };

export async function drillTarget(session: Session, view: TableView, row: Row): Promise<Drill> {
  const res = view.perContext.get(row.context) ?? view.resource;
  const base = { contexts: [row.context] };
  switch (capabilitiesFor(res).drill) {
    case 'namespace':
      return { to: 'namespace', name: row.name };
    case 'containers':
      return { to: 'containers' };
    case 'role-rules':
      return { to: 'rules', of: 'role' };
    case 'binding':
      return { to: 'rules', of: 'binding' };
    case 'pods-on-node':
      return { to: 'view', spec: { ...base, resource: 'pods', namespace: undefined, fieldSelector: `spec.nodeName=${row.name}`, label: `pods(node/${row.name})` } };
    case 'jobs-of-cronjob':
      return { to: 'view', spec: { ...base, resource: 'jobs', namespace: row.namespace, label: `jobs(cronjob/${row.name})`, filter: row.name } };
    case 'pods-by-selector': {
      const obj = await session.fetch(view, row);
      const sel = selectorString(obj.spec?.selector);
      if (!sel) throw new Error(`${res.plural}/${row.name} has no selector`);
      return { to: 'view', spec: { ...base, resource: 'pods', namespace: row.namespace, labelSelector: sel, label: `pods(${res.singular}/${row.name})` } };
    }
    default:
      return { to: 'describe' };
  }
}

export interface ContainerInfo {
  name: string;
  init: boolean;
  image: string;
  ready: boolean;
  state: string;
  restarts: number;
  ports: string;
  cpu: string;
  mem: string;
}

/** A pod's containers (init ones first) with their state, as the containers view shows them. */
export function containersOf(pod: any): ContainerInfo[] {
  const statuses = new Map<string, any>([...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].map((s: any) => [s.name, s]));
  const info = (c: any, init: boolean): ContainerInfo => {
    const s = statuses.get(c.name) ?? {};
    const state = s.state?.running ? 'Running' : s.state?.waiting ? s.state.waiting.reason : s.state?.terminated ? s.state.terminated.reason : 'Unknown';
    return {
      name: c.name, init, image: c.image, ready: !!s.ready, state, restarts: s.restartCount ?? 0,
      ports: (c.ports ?? []).map((p: any) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(','),
      cpu: c.resources?.requests?.cpu ?? '', mem: c.resources?.requests?.memory ?? '',
    };
  };
  return [...(pod.spec?.initContainers ?? []).map((c: any) => info(c, true)), ...(pod.spec?.containers ?? []).map((c: any) => info(c, false))];
}

/** The pods a workload or service selects, and the selector (for following them). */
export async function podsOf(session: Session, view: RowSource, row: Row): Promise<{ pods: any[]; selector: string; obj: any }> {
  const obj = await session.fetch(view, row);
  const selector = selectorString(obj.spec?.selector);
  if (!selector) throw new Error(`${view.resource.plural}/${row.name} has no selector`);
  const list = await session.client(row.context).conn.json('GET', `/api/v1/namespaces/${row.namespace}/pods`, { query: { labelSelector: selector }, timeoutMs: 15_000 });
  return { pods: list?.items ?? [], selector, obj };
}

export { resourcePath };
