/**
 * Cordon, uncordon and drain against the API, with kubectl drain's semantics, reporting what
 * happens to every pod as it happens. No Ink here: the UI subscribes to the events.
 */
import { ApiError, type Connection } from '../kube/connection.js';
import { planDrain, refusalMessage, warningMessages, type DrainOptions, type DrainPlan, type PlanEntry } from './drain-plan.js';

export type CordonResult = 'cordoned' | 'uncordoned' | 'already cordoned' | 'already uncordoned';

/** `kubectl cordon/uncordon`: GET the node, PATCH only when it is not already so. */
export async function setCordon(conn: Connection, node: string, cordon: boolean, dryRun = false): Promise<CordonResult> {
  const n = await conn.json('GET', `/api/v1/nodes/${encodeURIComponent(node)}`, { timeoutMs: 15_000 });
  if (!!n.spec?.unschedulable === cordon) return cordon ? 'already cordoned' : 'already uncordoned';
  if (!dryRun) {
    await conn.json('PATCH', `/api/v1/nodes/${encodeURIComponent(node)}`, {
      body: { spec: { unschedulable: cordon ? true : null } },
      contentType: 'application/strategic-merge-patch+json',
      timeoutMs: 15_000,
    });
  }
  return cordon ? 'cordoned' : 'uncordoned';
}

export type PodPhase = 'pending' | 'evicting' | 'blocked' | 'terminating' | 'gone' | 'failed' | 'remaining';

export interface PodProgress {
  entry: PlanEntry;
  phase: PodPhase;
  /** blocked: the PodDisruptionBudget and its numbers; failed: the server's message */
  detail?: string;
  pdb?: { name: string; needs?: number; has?: number };
  attempts: number;
  nextRetryAt?: number;
  replacedBy?: { name: string; node?: string };
  evictedAt?: number;
}

export type DrainEvent =
  | { type: 'cordon'; node: string; result: CordonResult }
  | { type: 'plan'; plan: DrainPlan; warnings: string[] }
  | { type: 'pod'; pod: PodProgress }
  | { type: 'done'; result: DrainResult };

export interface DrainResult {
  node: string;
  outcome: 'drained' | 'refused' | 'failed' | 'cancelled' | 'timed out' | 'dry run';
  message: string;
  evicted: string[];
  remaining: string[];
  plan?: DrainPlan;
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  if (signal.aborted) return resolve();
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => {
    clearTimeout(t);
    resolve();
  }, { once: true });
});

/** The PDB named in a 429's cause: "The disruption budget NAME needs D healthy pods and has C currently". */
export function blockingPdb(e: ApiError): { name: string; needs?: number; has?: number } | undefined {
  const causes: any[] = e.body?.details?.causes ?? [];
  for (const c of causes) {
    const m = String(c.message ?? '').match(/disruption budget (\S+) needs (\d+) healthy pods and has (\d+) currently/);
    if (m) return { name: m[1], needs: Number(m[2]), has: Number(m[3]) };
    const m2 = String(c.message ?? '').match(/disruption budget (\S+) is still being processed/);
    if (m2) return { name: m2[1] };
  }
  return undefined;
}

export interface DrainRunOptions {
  /** poll interval while waiting for evicted pods to go (kubectl: 1 s) */
  pollMs?: number;
  /** pause between eviction retries on 429 (kubectl: 5 s) */
  retryMs?: number;
  signal?: AbortSignal;
  onEvent?: (ev: DrainEvent) => void;
}

/**
 * The plan for draining a node, read from the API without changing anything: the node's pods
 * (with the pod selector) and whether their DaemonSets still exist, one GET each as kubectl does.
 */
export async function previewDrain(conn: Connection, node: string, o: DrainOptions): Promise<{ plan: DrainPlan; pods: any[] }> {
  // every page, as kubectl does (a node may hold more pods than one page of 500)
  const pods: any[] = [];
  let cont: string | undefined;
  do {
    const list = await conn.json('GET', '/api/v1/pods', {
      query: { fieldSelector: `spec.nodeName=${node}`, labelSelector: o.podSelector || undefined, limit: 500, continue: cont },
      timeoutMs: 30_000,
    });
    pods.push(...(list.items ?? []));
    cont = list.metadata?.continue || undefined;
  } while (cont);
  const dsExists = new Map<string, boolean>();
  for (const p of pods) {
    const ctl = p.metadata.ownerReferences?.find((x: any) => x.controller);
    if (ctl?.kind !== 'DaemonSet') continue;
    const key = `${p.metadata.namespace}/${ctl.name}`;
    if (dsExists.has(key)) continue;
    try {
      await conn.json('GET', `/apis/apps/v1/namespaces/${p.metadata.namespace}/daemonsets/${ctl.name}`, { timeoutMs: 15_000 });
      dsExists.set(key, true);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) dsExists.set(key, false);
      else throw e;
    }
  }
  return { plan: planDrain(node, pods, (ns, name) => dsExists.get(`${ns}/${name}`) ?? true, o), pods };
}

/** `kubectl drain NODE`, option for option. */
export async function drainNode(conn: Connection, node: string, o: DrainOptions, r: DrainRunOptions = {}): Promise<DrainResult> {
  const emit = r.onEvent ?? (() => {});
  const signal = r.signal ?? new AbortController().signal;
  const pollMs = r.pollMs ?? 1000;
  const retryMs = r.retryMs ?? 5000;
  const started = Date.now();
  const deadline = o.timeoutSeconds > 0 ? started + o.timeoutSeconds * 1000 : Infinity;
  const finish = (res: DrainResult): DrainResult => {
    emit({ type: 'done', result: res });
    return res;
  };

  const cordon = await setCordon(conn, node, true, o.dryRun);
  emit({ type: 'cordon', node, result: cordon });

  const { plan, pods } = await previewDrain(conn, node, o);
  emit({ type: 'plan', plan, warnings: warningMessages(plan) });
  const toEvict = plan.entries.filter((e) => e.kind === 'evict');
  if (!plan.ok) {
    return finish({ node, outcome: 'refused', message: refusalMessage(plan), evicted: [], remaining: toEvict.map(id), plan });
  }
  if (o.dryRun) {
    return finish({ node, outcome: 'dry run', message: `node/${node} drained (dry run): would evict ${toEvict.length} pod(s)`, evicted: [], remaining: toEvict.map(id), plan });
  }

  const progress = toEvict.map((entry): PodProgress => ({ entry, phase: 'pending', attempts: 0 }));
  const byPod = new Map(pods.map((p) => [p.metadata.uid, p]));
  const update = (p: PodProgress) => emit({ type: 'pod', pod: { ...p } });
  let failure: string | undefined;

  const evictOne = async (p: PodProgress): Promise<void> => {
    const { namespace: ns, name } = p.entry;
    const podPath = `/api/v1/namespaces/${ns}/pods/${name}`;
    const deleteOptions = o.gracePeriodSeconds >= 0 ? { gracePeriodSeconds: o.gracePeriodSeconds } : {};
    // evict (or delete), retrying while a disruption budget says no
    for (;;) {
      if (signal.aborted || Date.now() > deadline) return;
      p.phase = 'evicting';
      p.attempts++;
      update(p);
      try {
        if (o.disableEviction) {
          await conn.json('DELETE', podPath, { body: { kind: 'DeleteOptions', apiVersion: 'v1', ...deleteOptions }, timeoutMs: 30_000 });
        } else {
          await conn.json('POST', `${podPath}/eviction`, {
            body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns }, deleteOptions },
            timeoutMs: 30_000,
          });
        }
        p.evictedAt = Date.now();
        break;
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) break; // already gone: done
        if (e instanceof ApiError && e.status === 429) {
          p.phase = 'blocked';
          p.pdb = blockingPdb(e);
          p.detail = p.pdb?.needs !== undefined
            ? `blocked by PodDisruptionBudget ${p.pdb.name} (needs ${p.pdb.needs} healthy, has ${p.pdb.has})`
            : p.pdb ? `blocked by PodDisruptionBudget ${p.pdb.name}` : `blocked: ${e.message}`;
          p.nextRetryAt = Date.now() + retryMs;
          update(p);
          await sleep(Math.min(retryMs, Math.max(0, deadline - Date.now())), signal);
          continue;
        }
        p.phase = 'failed';
        p.detail = e instanceof Error ? e.message : String(e);
        update(p);
        failure ??= `error when evicting pods/"${name}" -n "${ns}": ${p.detail}`;
        return;
      }
    }
    if (signal.aborted || Date.now() > deadline) return;
    p.phase = 'terminating';
    p.detail = undefined;
    p.pdb = undefined;
    update(p);
    // wait until it is gone or replaced by a pod of the same name with a new UID
    for (;;) {
      if (signal.aborted || Date.now() > deadline) return;
      try {
        const cur = await conn.json('GET', podPath, { timeoutMs: 15_000 });
        if (cur.metadata?.uid !== p.entry.uid) break;
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) break;
        // a passing error while polling: keep waiting, the deadline bounds it
      }
      await sleep(pollMs, signal);
    }
    p.phase = 'gone';
    update(p);
    void findReplacement(p);
  };

  // where the controller put the pod's successor, when it is quick to tell (not waited for)
  const findReplacement = async (p: PodProgress) => {
    const orig = byPod.get(p.entry.uid);
    const owner = orig?.metadata.ownerReferences?.find((x: any) => x.controller);
    if (!owner) return;
    // a successor is a pod of the same controller created since the eviction (timestamps have
    // one-second resolution), scheduled elsewhere; a StatefulSet's keeps the name
    const since = Math.floor((p.evictedAt ?? Date.now()) / 1000) * 1000 - 1000;
    for (let i = 0; i < 10 && !signal.aborted; i++) {
      try {
        const l = await conn.json('GET', `/api/v1/namespaces/${p.entry.namespace}/pods`, { timeoutMs: 10_000 });
        const fresh = (l.items ?? []).filter((x: any) => x.metadata.uid !== p.entry.uid && !claimed.has(x.metadata.uid)
          && Date.parse(x.metadata.creationTimestamp) >= since
          && x.metadata.ownerReferences?.some((r: any) => r.uid === owner.uid) && x.spec?.nodeName && x.spec.nodeName !== node);
        const repl = fresh.find((x: any) => x.metadata.name === p.entry.name) ?? fresh[0];
        if (repl) {
          claimed.add(repl.metadata.uid);
          p.replacedBy = { name: repl.metadata.name, node: repl.spec.nodeName };
          update(p);
          return;
        }
      } catch {
        return;
      }
      await sleep(pollMs, signal);
    }
  };
  const claimed = new Set<string>();

  await Promise.all(progress.map((p) => evictOne(p)));

  const evicted = progress.filter((p) => p.phase === 'gone').map((p) => id(p.entry));
  const remaining = progress.filter((p) => p.phase !== 'gone').map((p) => id(p.entry));
  for (const p of progress) {
    if (p.phase !== 'gone' && p.phase !== 'failed') {
      p.phase = 'remaining';
      update(p);
    }
  }
  if (failure) return finish({ node, outcome: 'failed', message: `unable to drain node "${node}" due to error: ${failure}`, evicted, remaining, plan });
  if (signal.aborted) {
    return finish({ node, outcome: 'cancelled', message: `drain of ${node} cancelled; node stays cordoned; ${remaining.length} pod(s) remain: ${remaining.join(', ') || 'none'}`, evicted, remaining, plan });
  }
  if (remaining.length) {
    return finish({ node, outcome: 'timed out', message: `unable to drain node "${node}": global timeout reached: ${o.timeoutSeconds}s; ${remaining.length} pod(s) remain: ${remaining.join(', ')}`, evicted, remaining, plan });
  }
  return finish({ node, outcome: 'drained', message: `node/${node} drained`, evicted, remaining, plan });
}

function id(e: PlanEntry): string {
  return `${e.namespace}/${e.name}`;
}
