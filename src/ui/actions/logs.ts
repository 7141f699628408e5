/** Logs of a pod (all its containers, or one) or of every pod of a workload or service, followed as they come and go. */
import type { RowSource } from '../../app/session.js';
import type { Row } from '../../store/rows.js';
import { podsOf } from '../../app/queries.js';
import { resolveResource } from '../../kube/discovery.js';
import { podColumns } from '../../resources/pods.js';
import { DEFAULT_LOG_OPTIONS, LogFollower, type LogOptions, type LogTarget } from '../../actions/logs.js';
import type { LoggerConfig } from '../../config/app-config.js';
import type { Nav } from '../nav.js';
import { LogsScreen } from '../screens/logs.js';

/** What logs open with: kmux's defaults, then config.yaml's logger keys (tail, buffer, sinceSeconds, showTime). */
export function logOptions(logger: LoggerConfig, previous: boolean): LogOptions {
  return {
    ...DEFAULT_LOG_OPTIONS,
    previous,
    maxLines: Number(process.env.KMUX_LOG_LINES) || logger.buffer || DEFAULT_LOG_OPTIONS.maxLines,
    tailLines: logger.tail ?? DEFAULT_LOG_OPTIONS.tailLines,
    window: logger.sinceSeconds && logger.sinceSeconds > 0 ? logger.sinceSeconds : DEFAULT_LOG_OPTIONS.window,
    timestamps: logger.showTime ?? DEFAULT_LOG_OPTIONS.timestamps,
  };
}

export async function openLogs(nav: Nav, view: RowSource, row: Row, previous: boolean, container?: string): Promise<void> {
  const session = nav.session;
  const plural = view.resource.plural;
  const self = plural === 'pods';
  try {
    let pods: any[];
    let selector: string | undefined;
    if (self) pods = [await session.fetch(view, row)];
    else {
      ({ pods, selector } = await podsOf(session, view, row));
      if (!pods.length) return nav.flash(`no pods for ${plural}/${row.name}`, 'warn');
    }
    const restartsAt = podColumns.columns.findIndex((c) => c.name === 'RESTARTS');
    // the restart count as the pods view counts it: a stream opened now belongs to this instance
    const restartsOf = (p: any) => Number(podColumns.project(p, Date.now()).cells[restartsAt]) || 0;
    const targets: LogTarget[] = pods.map((p) => ({ namespace: p.metadata.namespace, pod: p.metadata.name, containers: container ? [container] : (p.spec?.containers ?? []).map((c: any) => c.name), restarts: restartsOf(p) }));
    const follower = new LogFollower(session.client(row.context).conn, targets, logOptions(session.config.config.logger, previous));
    const offs = [follower.onChange(() => nav.redraw())];
    const podsRes = resolveResource(session.client(row.context).resources ?? [], 'pods');
    if (podsRes && !previous) {
      // the pods come and go (rollouts, evictions, scaling) and containers restart: follow them
      // through a pods store, shared with any view that shows the same pods
      const store = session.registry.acquire(selector
        ? { context: row.context, resource: podsRes, namespace: row.namespace, labelSelector: selector }
        : { context: row.context, resource: podsRes, namespace: row.namespace, fieldSelector: `metadata.name=${row.name}` });
      const sync = () => {
        if (!store.status.synced) return;
        follower.sync([...store.rows.values()].map((r) => ({
          namespace: r.namespace ?? '', pod: r.name,
          containers: container ? [container] : (((r.extra as any)?.containers ?? []) as { name: string }[]).map((c) => c.name),
          // from the row's facts: with views.yaml's columns the cells are in another order
          restarts: Number((r.extra as { restarts?: number } | undefined)?.restarts) || 0,
        })).filter((t) => t.containers.length));
      };
      offs.push(store.subscribe(sync), () => session.registry.release(store));
    }
    const title = `logs ${self ? '' : `${view.resource.singular}/`}${row.name}${container ? `/${container}` : ''}${previous ? ' (previous)' : ''}`;
    const name = `${row.context}-${row.namespace ?? ''}-${self ? '' : `${view.resource.singular}-`}${row.name}`;
    follower.start();
    nav.push(new LogsScreen(nav, title, follower, name, () => {
      for (const o of offs) o();
    }));
  } catch (e) {
    nav.flash((e as Error).message, 'error');
  }
}
