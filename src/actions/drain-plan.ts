/**
 * What a drain will do, as a pure function of the node's pods, their DaemonSets and the
 * options: kubectl drain's filters, in kubectl's order, with kubectl's messages.
 */

export interface DrainOptions {
  /** -1: each pod's own terminationGracePeriodSeconds */
  gracePeriodSeconds: number;
  /** 0: no limit on the whole drain */
  timeoutSeconds: number;
  ignoreDaemonSets: boolean;
  deleteEmptyDirData: boolean;
  force: boolean;
  /** plain DELETE instead of the eviction API (PodDisruptionBudgets are not consulted) */
  disableEviction: boolean;
  /** only pods matching this label selector are drained */
  podSelector: string;
  dryRun: boolean;
  /** pods deleted longer ago than this are skipped (0: never) */
  skipWaitForDeleteTimeoutSeconds: number;
}

export const DEFAULT_DRAIN_OPTIONS: DrainOptions = {
  gracePeriodSeconds: -1, timeoutSeconds: 0, ignoreDaemonSets: false, deleteEmptyDirData: false, force: false,
  disableEviction: false, podSelector: '', dryRun: false, skipWaitForDeleteTimeoutSeconds: 0,
};

export type EntryKind = 'evict' | 'skip' | 'refuse';

export interface PlanEntry {
  namespace: string;
  name: string;
  uid: string;
  kind: EntryKind;
  /** kubectl's reason: the refusal or the warning that goes with an eviction or a skip. */
  reason?: string;
  warning?: string;
  /** the pod has emptyDir volumes whose data goes with it (shown even where kubectl's warning is not) */
  emptyDir?: boolean;
}

export interface DrainPlan {
  node: string;
  entries: PlanEntry[];
  /** refusal reason -> pods (ns/name), in the order kubectl reports them */
  refusals: Map<string, string[]>;
  warnings: Map<string, string[]>;
  /** true when nothing refuses: the drain may evict */
  ok: boolean;
}

export const REASON_DAEMONSET = 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)';
export const WARN_DAEMONSET = 'ignoring DaemonSet-managed Pods';
export const REASON_LOCAL_STORAGE = 'Pods with local storage (use --delete-emptydir-data to override)';
export const WARN_LOCAL_STORAGE = 'deleting Pods with local storage';
export const REASON_UNREPLICATED = 'Pods that declare no controller (use --force to override)';
export const WARN_UNREPLICATED = 'deleting Pods that declare no controller';

type Status = { delete: boolean; kind: 'okay' | 'skip' | 'warning' | 'error'; message?: string };
const okay: Status = { delete: true, kind: 'okay' };
const skip: Status = { delete: false, kind: 'skip' };
const warn = (message: string): Status => ({ delete: true, kind: 'warning', message });
const err = (message: string): Status => ({ delete: false, kind: 'error', message });

function finished(pod: any): boolean {
  const p = pod.status?.phase;
  return p === 'Succeeded' || p === 'Failed';
}

function controllerOf(pod: any): any | undefined {
  return pod.metadata?.ownerReferences?.find((o: any) => o.controller);
}

/**
 * @param daemonSetExists answers whether the DaemonSet `ns/name` that controls a pod still exists
 *        (kubectl GETs it; a gone DaemonSet's pods are evicted with --force).
 */
export function planDrain(nodeName: string, pods: any[], daemonSetExists: (ns: string, name: string) => boolean, o: DrainOptions, now = Date.now()): DrainPlan {
  const filters: ((pod: any) => Status)[] = [
    // 1. pods deleted long ago (only with --skip-wait-for-delete-timeout)
    (pod) => {
      const ts = pod.metadata?.deletionTimestamp;
      // whole seconds, as kubectl counts them: int(time.Since(deletionTimestamp).Seconds()) > timeout
      if (o.skipWaitForDeleteTimeoutSeconds > 0 && ts && Math.trunc((now - Date.parse(ts)) / 1000) > o.skipWaitForDeleteTimeoutSeconds) return skip;
      return okay;
    },
    // 2. DaemonSet pods
    (pod) => {
      const ctl = controllerOf(pod);
      if (!ctl || ctl.kind !== 'DaemonSet') return okay;
      if (finished(pod)) return okay;
      if (!daemonSetExists(pod.metadata.namespace, ctl.name)) {
        const msg = `daemonsets.apps "${ctl.name}" not found`;
        return o.force ? warn(msg) : err(msg);
      }
      return o.ignoreDaemonSets ? { delete: false, kind: 'warning', message: WARN_DAEMONSET } : err(REASON_DAEMONSET);
    },
    // 3. static pods: their mirror cannot be deleted through the API
    (pod) => (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined ? skip : okay),
    // 4. local storage
    (pod) => {
      if (finished(pod)) return okay;
      if (!(pod.spec?.volumes ?? []).some((v: any) => v.emptyDir)) return okay;
      return o.deleteEmptyDirData ? warn(WARN_LOCAL_STORAGE) : err(REASON_LOCAL_STORAGE);
    },
    // 5. pods nothing would recreate
    (pod) => {
      if (finished(pod)) return okay;
      if (controllerOf(pod)) return okay;
      return o.force ? warn(WARN_UNREPLICATED) : err(REASON_UNREPLICATED);
    },
  ];
  const entries: PlanEntry[] = [];
  const refusals = new Map<string, string[]>();
  const warnings = new Map<string, string[]>();
  const add = (m: Map<string, string[]>, k: string, v: string) => {
    const list = m.get(k) ?? [];
    list.push(v);
    m.set(k, list);
  };
  for (const pod of pods) {
    let status: Status = okay;
    for (const f of filters) {
      status = f(pod);
      if (!status.delete) break;
    }
    const id = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const base = {
      namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid,
      ...((pod.spec?.volumes ?? []).some((v: any) => v.emptyDir) ? { emptyDir: true } : {}),
    };
    if (status.kind === 'error') {
      entries.push({ ...base, kind: 'refuse', reason: status.message });
      add(refusals, status.message!, id);
    } else if (!status.delete) {
      entries.push({ ...base, kind: 'skip', warning: status.message });
      if (status.message) add(warnings, status.message, id);
    } else {
      entries.push({ ...base, kind: 'evict', warning: status.message });
      if (status.message) add(warnings, status.message, id);
    }
  }
  return { node: nodeName, entries, refusals, warnings, ok: refusals.size === 0 };
}

/** kubectl's words for a refused drain. */
export function refusalMessage(plan: DrainPlan): string {
  const parts = [...plan.refusals].map(([reason, pods]) => `cannot delete ${reason}: ${pods.join(', ')}`);
  return `unable to drain node "${plan.node}" due to error: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`;
}

export function warningMessages(plan: DrainPlan): string[] {
  return [...plan.warnings].map(([w, pods]) => `Warning: ${w}: ${pods.join(', ')}`);
}
