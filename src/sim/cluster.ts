/**
 * One simulated cluster: its store, the indices its controllers need, a clock of pending
 * transitions, and the API operations that are more than a store write (graceful delete,
 * eviction, scale).
 */
import { ApiError, notFound } from './errors.js';
import { BUILTIN_TYPES, typeFromCrd, typeKey } from './resources.js';
import { ClusterStore, nowIso, objKey, type StoredEvent } from './store.js';
import { Rand } from './rand.js';
import { matchesLabelSelectorObject, isEmptySelectorObject } from './selectors.js';
import { controllerOf, isTerminating, isFinished } from './pods.js';
import { flat, shared } from './strings.js';

export const POD = 'pods';
export const NODE = 'nodes';
export const NS = 'namespaces';
export const EVENT = 'events';
export const DEPLOY = 'deployments.apps';
export const RS = 'replicasets.apps';
export const DS = 'daemonsets.apps';
export const STS = 'statefulsets.apps';
export const JOB = 'jobs.batch';
export const CRONJOB = 'cronjobs.batch';
export const PDB = 'poddisruptionbudgets.policy';
export const SVC = 'services';
export const EP = 'endpoints';
export const CRD = 'customresourcedefinitions.apiextensions.k8s.io';

export interface ClusterOptions {
  name: string;
  seed: number;
  /** ms a pod takes from scheduled to running (a range). */
  startDelayMs?: [number, number];
  /** ms the kubelet takes to stop a deleted pod's containers, capped by its grace period. */
  stopDelayMs?: [number, number];
  /** ms between BOOKMARK events on watches that ask for them. */
  bookmarkIntervalMs?: number;
  /** watch history kept, in events (default 20,000: about 3.5 KB of heap each) */
  historySize?: number;
  /** watch history kept, in seconds of age (default 120): a resume from before it gets 410 */
  historySeconds?: number;
  /**
   * Each watch ends after 1x to 2x this many seconds (default: the apiserver's 1800), or
   * the client's timeoutSeconds when that is shorter.
   */
  watchTimeoutSeconds?: number;
  maxEvents?: number;
  /** the resourceVersion counter of a new store (default 1000). */
  startResourceVersion?: number;
  /**
   * How long a list, get or watch-list for a resourceVersion ahead of the store waits for it
   * before answering 504 "Too large resource version" (the apiserver's watch cache: 3 s).
   * Default 1000 ms.
   */
  tooLargeRvWaitMs?: number;
}

interface Timer {
  at: number;
  fn: () => void;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

type Reconciler = (c: Cluster) => void;

export class Cluster {
  readonly store: ClusterStore;
  readonly rand: Rand;
  readonly startDelay: [number, number];
  readonly stopDelay: [number, number];
  readonly bookmarkIntervalMs: number;
  readonly maxEvents: number;
  /** see ClusterOptions.watchTimeoutSeconds; a test may change it on a running cluster. */
  watchTimeoutSeconds?: number;
  /** see ClusterOptions.tooLargeRvWaitMs; a test may change it on a running cluster. */
  tooLargeRvWaitMs: number;
  readonly startedAt = Date.now();
  /** dependents of an owner uid: "tk|key" strings. */
  readonly dependents = new Map<string, Set<string>>();
  /** pod keys per node name. */
  readonly podsByNode = new Map<string, Set<string>>();
  /** work queues the controllers drain on each tick. */
  readonly dirty = {
    pendingPods: new Set<string>(),
    replicasets: new Set<string>(),
    deployments: new Set<string>(),
    statefulsets: new Set<string>(),
    daemonsets: new Set<string>(),
    jobs: new Set<string>(),
    pdbNamespaces: new Set<string>(),
    endpointNamespaces: new Set<string>(),
    allDaemonsets: false,
  };
  private timers: Timer[] = [];
  private tickHandle?: NodeJS.Timeout;
  private reconcilers: Reconciler[] = [];
  private eventSeq = 0;
  private ipSeq = 0;
  readonly eventKeys: string[] = [];

  constructor(public readonly opts: ClusterOptions) {
    this.store = new ClusterStore(opts.historySize ?? 20_000, opts.startResourceVersion ?? 1000);
    this.tooLargeRvWaitMs = opts.tooLargeRvWaitMs ?? 1000;
    this.store.historySeconds = opts.historySeconds ?? 120;
    this.watchTimeoutSeconds = opts.watchTimeoutSeconds;
    this.rand = new Rand(opts.seed);
    this.store.newUid = () => this.rand.uid();
    this.startDelay = opts.startDelayMs ?? [800, 3000];
    this.stopDelay = opts.stopDelayMs ?? [300, 1500];
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 60_000;
    this.maxEvents = opts.maxEvents ?? 5000;
    for (const t of BUILTIN_TYPES) this.store.addType(t);
    this.store.onChange((ev) => this.index(ev));
  }

  get name(): string {
    return this.opts.name;
  }

  now(): number {
    return Date.now();
  }

  addReconciler(r: Reconciler): void {
    this.reconcilers.push(r);
  }

  start(tickMs = 50): void {
    if (this.tickHandle) return;
    this.tickHandle = setInterval(() => this.tick(), tickMs);
    this.tickHandle.unref();
  }

  stop(): void {
    if (this.tickHandle) clearInterval(this.tickHandle);
    this.tickHandle = undefined;
  }

  /** Run due transitions, then let every controller drain its queue. */
  tick(): void {
    const now = this.now();
    if (this.timers.length && this.timers[0].at <= now) {
      const due: Timer[] = [];
      while (this.timers.length && this.timers[0].at <= now) due.push(this.heapPop());
      for (const t of due) t.fn();
    }
    for (const r of this.reconcilers) r(this);
    this.store.compact();
  }

  /** Drain all work until nothing is due now (tests and scenario set-up). */
  settle(maxRounds = 50): void {
    for (let i = 0; i < maxRounds; i++) {
      const before = this.store.rv;
      this.tick();
      if (this.store.rv === before) return;
    }
  }

  after(ms: number, fn: () => void): void {
    this.heapPush({ at: this.now() + ms, fn });
  }

  between([lo, hi]: [number, number]): number {
    return lo + Math.floor(Math.random() * (hi - lo + 1));
  }

  private heapPush(t: Timer): void {
    const h = this.timers;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= h[i].at) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  private heapPop(): Timer {
    const h = this.timers;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && h[l].at < h[m].at) m = l;
        if (r < h.length && h[r].at < h[m].at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }

  /** Keep the indices and the controllers' queues current with every write. */
  private index(ev: StoredEvent): void {
    const { tk, obj, old, type } = ev;
    const key = objKey(obj.metadata.namespace, obj.metadata.name);
    const ref = `${tk}|${key}`;
    const owners = (o: any) => (o?.metadata.ownerReferences ?? []).map((r: any) => r.uid as string);
    if (type !== 'ADDED') for (const u of owners(old)) this.dependents.get(u)?.delete(ref);
    if (type !== 'DELETED') {
      for (const u of owners(obj)) {
        let s = this.dependents.get(u);
        if (!s) this.dependents.set(u, (s = new Set()));
        s.add(ref);
      }
    } else if (obj.metadata.uid) {
      this.ownerGone(obj);
    }
    const ns = obj.metadata.namespace;
    switch (tk) {
      case POD: {
        const oldNode = old?.spec.nodeName;
        const newNode = type === 'DELETED' ? undefined : obj.spec.nodeName;
        if (oldNode && oldNode !== newNode) this.podsByNode.get(oldNode)?.delete(key);
        if (newNode) {
          let s = this.podsByNode.get(newNode);
          if (!s) this.podsByNode.set(newNode, (s = new Set()));
          s.add(key);
        }
        if (type !== 'DELETED' && !newNode && !isTerminating(obj)) this.dirty.pendingPods.add(key);
        const ctl = controllerOf(obj);
        if (ctl) {
          const q = ctl.kind === 'ReplicaSet' ? this.dirty.replicasets : ctl.kind === 'StatefulSet' ? this.dirty.statefulsets
            : ctl.kind === 'DaemonSet' ? this.dirty.daemonsets : ctl.kind === 'Job' ? this.dirty.jobs : undefined;
          q?.add(objKey(ns, ctl.name));
        }
        this.dirty.pdbNamespaces.add(ns);
        this.dirty.endpointNamespaces.add(ns);
        break;
      }
      case RS: {
        this.dirty.replicasets.add(key);
        const ctl = controllerOf(obj);
        if (ctl?.kind === 'Deployment') this.dirty.deployments.add(objKey(ns, ctl.name));
        break;
      }
      case DEPLOY: this.dirty.deployments.add(key); break;
      case STS: this.dirty.statefulsets.add(key); break;
      case DS: this.dirty.daemonsets.add(key); break;
      case JOB: this.dirty.jobs.add(key); break;
      case PDB: this.dirty.pdbNamespaces.add(ns); break;
      case SVC: this.dirty.endpointNamespaces.add(ns); break;
      case NODE:
        this.dirty.allDaemonsets = true;
        if (type === 'DELETED') this.podsByNode.delete(obj.metadata.name);
        // a node that became schedulable may take the pods that waited for one
        if (type === 'MODIFIED' && old?.spec.unschedulable && !obj.spec.unschedulable) this.requeuePending();
        break;
      case CRD:
        if (type === 'DELETED') this.store.removeType(typeKey(typeFromCrd(obj)));
        else this.store.addType(typeFromCrd(obj));
        break;
    }
  }

  requeuePending(): void {
    for (const p of this.store.iter(POD)) if (!p.spec.nodeName && !isTerminating(p)) this.dirty.pendingPods.add(objKey(p.metadata.namespace, p.metadata.name));
  }

  /** Garbage collection: an owner is gone, so are its dependents (background propagation). */
  private ownerGone(owner: any): void {
    const deps = this.dependents.get(owner.metadata.uid);
    if (!deps) return;
    this.dependents.delete(owner.metadata.uid);
    const refs = [...deps];
    this.after(0, () => {
      for (const ref of refs) {
        const [tk, key] = ref.split('|');
        const [ns, name] = key.includes('/') ? key.split('/') : [undefined, key];
        const dep = this.store.get(tk, ns, name!);
        if (!dep || !dep.metadata.ownerReferences?.some((r: any) => r.uid === owner.metadata.uid)) continue;
        this.deleteObject(tk, ns, name!, {});
      }
    });
  }

  nextPodIP(): string {
    const n = (244 << 16) + this.ipSeq++;
    return flat('10.', String((n >> 16) & 255), '.', String((n >> 8) & 255), '.', String(n & 255));
  }

  nodeIP(node: any): string {
    return node?.status?.addresses?.find((a: any) => a.type === 'InternalIP')?.address ?? '';
  }

  /** Record a core/v1 Event about an object, capped so a long churn does not grow memory. */
  recordEvent(obj: any, type: 'Normal' | 'Warning', reason: string, message: string, component = 'kubelet'): void {
    const ns = obj.metadata.namespace ?? 'default';
    const now = nowIso(this.now());
    const name = flat(obj.metadata.name, '.', (this.startedAt * 1000 + ++this.eventSeq).toString(16));
    this.store.create(EVENT, {
      metadata: { name, namespace: ns },
      involvedObject: {
        kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid,
        apiVersion: obj.apiVersion, resourceVersion: obj.metadata.resourceVersion,
      },
      reason, message: shared(message), type, count: 1,
      source: { component, ...(component === 'kubelet' && obj.spec?.nodeName ? { host: obj.spec.nodeName } : {}) },
      firstTimestamp: now, lastTimestamp: now, eventTime: null,
      reportingComponent: component, reportingInstance: component === 'kubelet' ? (obj.spec?.nodeName ?? '') : '',
    });
    this.eventKeys.push(objKey(ns, name));
    while (this.eventKeys.length > this.maxEvents) {
      const k = this.eventKeys.shift()!;
      const [ens, en] = k.split('/');
      if (this.store.get(EVENT, ens, en)) this.store.remove(EVENT, ens, en);
    }
  }

  /**
   * DELETE of one object. Pods on a node terminate gracefully: deletionTimestamp first, gone
   * after the kubelet stops them. Namespaces empty themselves first. Other kinds go at once
   * and their dependents follow (or are orphaned).
   */
  deleteObject(tk: string, ns: string | undefined, name: string, opts: DeleteOptions): any {
    const t = this.store.type(tk);
    const obj = this.store.mustGet(tk, t.namespaced ? ns : undefined, name);
    if (opts.preconditions?.uid && opts.preconditions.uid !== obj.metadata.uid) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${t.group ? `${t.plural}.${t.group}` : t.plural} "${name}": Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${obj.metadata.uid}`);
    }
    if (opts.preconditions?.resourceVersion && opts.preconditions.resourceVersion !== obj.metadata.resourceVersion) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${t.plural} "${name}": Precondition failed: ResourceVersion in precondition: ${opts.preconditions.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
    }
    if (opts.dryRun) return obj;
    if (tk === POD) return this.deletePod(obj, opts.gracePeriodSeconds);
    if (tk === NS) return this.deleteNamespace(obj);
    if (opts.propagationPolicy === 'Orphan') {
      const deps = [...(this.dependents.get(obj.metadata.uid) ?? [])];
      this.dependents.delete(obj.metadata.uid);
      for (const ref of deps) {
        const [dtk, key] = ref.split('|');
        const [dns, dname] = key.includes('/') ? key.split('/') : [undefined, key];
        this.store.mutate(dtk, dns, dname!, (d) => ({
          ...d, metadata: { ...d.metadata, ownerReferences: d.metadata.ownerReferences.filter((r: any) => r.uid !== obj.metadata.uid) },
        }));
      }
    }
    return this.store.remove(tk, t.namespaced ? ns : undefined, name);
  }

  deletePod(pod: any, gracePeriodSeconds?: number): any {
    const ns = pod.metadata.namespace, name = pod.metadata.name;
    const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    // An unscheduled or finished pod has nothing to stop; grace 0 is a forced delete.
    if (!pod.spec.nodeName || grace <= 0 || isFinished(pod)) return this.store.remove(POD, ns, name);
    if (isTerminating(pod)) {
      // a shorter grace period on a second delete shortens the wait, as the kubelet does
      const left = Date.parse(pod.metadata.deletionTimestamp) - this.now();
      if (left <= grace * 1000) return pod;
    }
    const now = this.now();
    const updated = this.store.update(POD, {
      ...pod,
      metadata: { ...pod.metadata, deletionTimestamp: nowIso(now + grace * 1000), deletionGracePeriodSeconds: grace },
    });
    this.recordEvent(updated, 'Normal', 'Killing', `Stopping container ${pod.spec.containers[0]?.name}`);
    const uid = pod.metadata.uid;
    this.after(Math.min(grace * 1000, this.between(this.stopDelay)), () => {
      const cur = this.store.get(POD, ns, name);
      if (cur && cur.metadata.uid === uid) this.store.remove(POD, ns, name);
    });
    return updated;
  }

  private deleteNamespace(nsObj: any): any {
    const name = nsObj.metadata.name;
    if (nsObj.status?.phase === 'Terminating') return nsObj;
    const updated = this.store.update(NS, {
      ...nsObj,
      metadata: { ...nsObj.metadata, deletionTimestamp: nowIso(this.now()) },
      status: { ...nsObj.status, phase: 'Terminating' },
    });
    this.after(200, () => {
      for (const [tk, t] of this.store.types) {
        if (!t.namespaced || t.virtual) continue;
        for (const o of [...this.store.iter(tk, name)]) {
          if (tk === POD) this.deletePod(o, 0);
          else if (this.store.get(tk, name, o.metadata.name)) this.store.remove(tk, name, o.metadata.name);
        }
      }
      if (this.store.get(NS, undefined, name)) this.store.remove(NS, undefined, name);
    });
    return updated;
  }

  /** PDBs in the pod's namespace whose non-empty selector matches the pod. */
  pdbsFor(pod: any): any[] {
    const out = [];
    for (const pdb of this.store.iter(PDB, pod.metadata.namespace)) {
      if (isEmptySelectorObject(pdb.spec.selector)) continue;
      if (matchesLabelSelectorObject(pdb.spec.selector, pod.metadata.labels)) out.push(pdb);
    }
    return out;
  }

  /** POST pods/eviction with the PodDisruptionBudget rules. */
  evict(ns: string, name: string, deleteOptions: DeleteOptions): Record<string, unknown> {
    const pod = this.store.get(POD, ns, name);
    if (!pod) throw notFound('pods', '', name);
    const success = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || isTerminating(pod)) {
      if (!deleteOptions.dryRun) this.deleteObject(POD, ns, name, deleteOptions);
      return success;
    }
    const pdbs = this.pdbsFor(pod);
    if (pdbs.length > 1) {
      throw new ApiError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    }
    if (pdbs.length === 1) {
      const pdb = pdbs[0];
      const blocked = (cause: string) => new ApiError(429, 'TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.', {
        causes: [{ reason: 'DisruptionBudget', message: cause }], retryAfterSeconds: 10,
      });
      if ((pdb.status?.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1)) {
        throw blocked(`The disruption budget ${pdb.metadata.name} is still being processed by the server.`);
      }
      const allowed = pdb.status?.disruptionsAllowed ?? 0;
      // An unready pod costs the budget nothing: it goes when the budget's healthy count is met
      // (unhealthyPodEvictionPolicy IfHealthyBudget, the default), or always with AlwaysAllow.
      const ready = pod.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');
      const policy = pdb.spec?.unhealthyPodEvictionPolicy ?? 'IfHealthyBudget';
      if (!ready && (policy === 'AlwaysAllow' || (pdb.status?.currentHealthy ?? 0) >= (pdb.status?.desiredHealthy ?? 0))) {
        if (!deleteOptions.dryRun) this.deleteObject(POD, ns, name, deleteOptions);
        return success;
      }
      if (allowed <= 0) {
        throw blocked(`The disruption budget ${pdb.metadata.name} needs ${pdb.status?.desiredHealthy ?? 0} healthy pods and has ${pdb.status?.currentHealthy ?? 0} currently`);
      }
      if (!deleteOptions.dryRun) {
        this.store.update(PDB, {
          ...pdb,
          status: {
            ...pdb.status, disruptionsAllowed: allowed - 1,
            disruptedPods: { ...(pdb.status?.disruptedPods ?? {}), [name]: nowIso(this.now()) },
          },
        });
      }
    }
    if (!deleteOptions.dryRun) {
      this.deleteObject(POD, ns, name, deleteOptions);
      this.recordEvent(pod, 'Normal', 'Evicted', 'Evicted by the eviction API', 'disruption-controller');
    }
    return success;
  }
}
