/**
 * The simulated control plane: scheduler, kubelet, and the workload controllers. Each one
 * drains a queue the cluster's indexer fills, so a tick costs what changed, not the fleet.
 */
import { Cluster, POD, NODE, RS, DEPLOY, STS, DS, JOB, CRONJOB, PDB, SVC, EP } from './cluster.js';
import { hash32 } from './rand.js';
import { nowIso, objKey, type StoredEvent } from './store.js';
import { isEmptySelectorObject, LabelIndex } from './selectors.js';
import {
  behaviourOf, completedStatus, controllerOf, creatingStatus, isActive, isFinished, isReady, isTerminating,
  ownerRef, pendingStatus, runningStatus,
} from './pods.js';
import { flat, shared } from './strings.js';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A pod-template-hash in Kubernetes' style (deterministic for the same template). */
export function templateHash(template: any): string {
  let h = hash32(JSON.stringify(template));
  let s = '';
  for (let i = 0; i < 10; i++) {
    s += ALPHABET[h % ALPHABET.length];
    h = (Math.floor(h / ALPHABET.length) ^ hash32(s)) >>> 0;
  }
  return s;
}

export function splitKey(key: string): [string | undefined, string] {
  const i = key.indexOf('/');
  return i < 0 ? [undefined, key] : [key.slice(0, i), key.slice(i + 1)];
}

function podsOf(c: Cluster, owner: any): any[] {
  const deps = c.dependents.get(owner.metadata.uid);
  if (!deps) return [];
  const out = [];
  for (const ref of deps) {
    if (!ref.startsWith('pods|')) continue;
    const [ns, name] = splitKey(ref.slice(5));
    const p = c.store.get(POD, ns, name);
    if (p) out.push(p);
  }
  return out;
}

function dependentsOfKind(c: Cluster, owner: any, tk: string): any[] {
  const deps = c.dependents.get(owner.metadata.uid);
  if (!deps) return [];
  const out = [];
  for (const ref of deps) {
    if (!ref.startsWith(tk + '|')) continue;
    const [ns, name] = splitKey(ref.slice(tk.length + 1));
    const o = c.store.get(tk, ns, name);
    if (o) out.push(o);
  }
  return out;
}

/** Store `status` only when it differs, so idle controllers write nothing. */
function setStatus(c: Cluster, tk: string, obj: any, status: any): void {
  if (JSON.stringify(obj.status ?? {}) === JSON.stringify(status)) return;
  c.store.update(tk, { ...obj, status });
}

export function newPod(c: Cluster, owner: any, template: any, name: string, extra: { nodeName?: string; labels?: Record<string, string> } = {}): any {
  const spec = extra.nodeName ? { ...template.spec, nodeName: extra.nodeName } : template.spec;
  const pod = {
    metadata: {
      name,
      ...(owner.kind !== 'StatefulSet' ? { generateName: shared(owner.metadata.name, '-') } : {}),
      namespace: owner.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), ...(extra.labels ?? {}) },
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec,
  };
  const created = c.store.create(POD, { ...pod, status: pendingStatus(pod, c.now()) });
  c.recordEvent(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, `${owner.kind.toLowerCase()}-controller`);
  return created;
}

// ---------------------------------------------------------------- scheduler

function tolerates(pod: any, taint: any): boolean {
  return (pod.spec.tolerations ?? []).some((t: any) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

export function nodeFits(pod: any, node: any, ignoreUnschedulable = false): boolean {
  if (!ignoreUnschedulable && node.spec.unschedulable) return false;
  if (!node.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')) return false;
  for (const taint of node.spec.taints ?? []) {
    if ((taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerates(pod, taint)) return false;
  }
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (node.metadata.labels?.[k] !== v) return false;
  return true;
}

function schedule(c: Cluster): void {
  const q = c.dirty.pendingPods;
  if (q.size === 0) return;
  const keys = [...q];
  q.clear();
  const nodes = [...c.store.iter(NODE)];
  for (const key of keys) {
    const [ns, name] = splitKey(key);
    const pod = c.store.get(POD, ns, name);
    if (!pod || pod.spec.nodeName || isTerminating(pod)) continue;
    let best: any, bestLoad = Infinity;
    for (const n of nodes) {
      if (!nodeFits(pod, n)) continue;
      const load = c.podsByNode.get(n.metadata.name)?.size ?? 0;
      if (load >= Number(n.status?.allocatable?.pods ?? 110)) continue;
      if (load < bestLoad) { best = n; bestLoad = load; }
    }
    if (!best) {
      const msg = `0/${nodes.length} nodes are available: ${nodes.filter((n) => n.spec.unschedulable).length} node(s) were unschedulable, ${nodes.length} Insufficient capacity. preemption: 0/${nodes.length} nodes are available.`;
      if (pod.status?.conditions?.[0]?.reason !== 'Unschedulable') {
        c.store.update(POD, { ...pod, status: pendingStatus(pod, c.now(), msg) });
        c.recordEvent(pod, 'Warning', 'FailedScheduling', msg, 'default-scheduler');
      }
      continue;
    }
    const bound = c.store.update(POD, {
      ...pod,
      spec: { ...pod.spec, nodeName: best.metadata.name },
      status: creatingStatus(pod, c.nodeIP(best), c.now()),
    });
    c.recordEvent(bound, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${best.metadata.name}`, 'default-scheduler');
  }
}

// ---------------------------------------------------------------- kubelet

/** Pods the kubelet has taken on (by uid), so each gets its lifecycle timers once. */
const managed = new WeakMap<Cluster, Set<string>>();

function kubeletWatch(c: Cluster, ev: StoredEvent): void {
  if (ev.tk !== POD) return;
  const set = managed.get(c)!;
  const pod = ev.obj;
  if (ev.type === 'DELETED') { set.delete(pod.metadata.uid); return; }
  if (!pod.spec.nodeName || isTerminating(pod) || isFinished(pod) || set.has(pod.metadata.uid)) return;
  set.add(pod.metadata.uid);
  const uid = pod.metadata.uid, ns = pod.metadata.namespace, name = pod.metadata.name;
  const cs = pod.status?.containerStatuses;
  const notStarted = !cs || cs.every((s: any) => s.state?.waiting?.reason === 'ContainerCreating');
  if (notStarted) {
    c.after(0, () => withPod(c, ns, name, uid, (p) => {
      const node = c.store.get(NODE, undefined, p.spec.nodeName);
      return { ...p, status: creatingStatus(p, c.nodeIP(node), c.now()) };
    }));
    c.after(c.between(c.startDelay), () => startContainers(c, ns, name, uid));
  } else {
    continueLifecycle(c, pod);
  }
}

function withPod(c: Cluster, ns: string, name: string, uid: string, fn: (p: any) => any | undefined): any {
  const p = c.store.get(POD, ns, name);
  if (!p || p.metadata.uid !== uid || isTerminating(p)) return undefined;
  const next = fn(p);
  return next ? c.store.update(POD, next) : undefined;
}

function startContainers(c: Cluster, ns: string, name: string, uid: string): void {
  const pod = withPod(c, ns, name, uid, (p) => {
    const node = c.store.get(NODE, undefined, p.spec.nodeName);
    const b = behaviourOf(p);
    const hostIP = c.nodeIP(node);
    const podIP = p.spec.hostNetwork ? hostIP : c.nextPodIP();
    const now = c.now();
    if (b === 'imagepull') {
      const img = p.spec.containers[0].image;
      const st = runningStatus(p, hostIP, podIP, now, now, { waitingReason: 'ErrImagePull', waitingMessage: `failed to pull and unpack image "${img}": not found` });
      return { ...p, status: { ...st, phase: 'Pending' } };
    }
    const st = runningStatus(p, hostIP, podIP, now, now, b === 'slowstart' ? { waitingReason: undefined } : {});
    if (b === 'slowstart') {
      st.conditions = st.conditions.map((x: any) => (x.type === 'Ready' || x.type === 'ContainersReady' ? { ...x, status: 'False', reason: 'ContainersNotReady' } : x));
      st.containerStatuses = st.containerStatuses.map((s: any) => ({ ...s, ready: false }));
    }
    return { ...p, status: st };
  });
  if (!pod) return;
  for (const ctr of pod.spec.containers) {
    c.recordEvent(pod, 'Normal', 'Pulled', `Container image "${ctr.image}" already present on machine`);
    c.recordEvent(pod, 'Normal', 'Started', `Started container ${ctr.name}`);
  }
  continueLifecycle(c, pod);
}

/** What happens next to a running pod, by its behaviour. */
function continueLifecycle(c: Cluster, pod: any): void {
  const { uid, namespace: ns, name } = pod.metadata;
  const b = behaviourOf(pod);
  const hostIP = pod.status?.hostIP ?? '';
  const podIP = pod.status?.podIP ?? '';
  switch (b) {
    case 'crashloop': {
      const restarts = pod.status?.containerStatuses?.[0]?.restartCount ?? 0;
      const waiting = !!pod.status?.containerStatuses?.[0]?.state?.waiting;
      const backoff = Math.min(40_000, 10_000 * 2 ** Math.min(restarts, 3));
      if (waiting) {
        c.after(backoff, () => {
          const p = withPod(c, ns, name, uid, (p) => ({
            ...p, status: runningStatus(p, hostIP, podIP, c.now(), c.now(), { restarts, lastFinishedMs: c.now() - 1000 }),
          }));
          if (p) continueLifecycle(c, p);
        });
      } else {
        c.after(c.between([5_000, 15_000]), () => {
          const p = withPod(c, ns, name, uid, (p) => ({
            ...p,
            status: runningStatus(p, hostIP, podIP, Date.parse(p.status.startTime), c.now(), {
              restarts: restarts + 1, lastFinishedMs: c.now(), waitingReason: 'CrashLoopBackOff',
              waitingMessage: `back-off ${backoff / 1000}s restarting failed container=${p.spec.containers[0].name} pod=${name}_${ns}(${uid})`,
            }),
          }));
          if (p) {
            c.recordEvent(p, 'Warning', 'BackOff', `Back-off restarting failed container ${p.spec.containers[0].name} in pod ${name}_${ns}(${uid})`);
            continueLifecycle(c, p);
          }
        });
      }
      break;
    }
    case 'imagepull':
      c.after(c.between([10_000, 20_000]), () => {
        const p = withPod(c, ns, name, uid, (p) => {
          const cs = p.status.containerStatuses.map((s: any, i: number) => {
            if (i !== 0 || !s.state.waiting) return s;
            const next = s.state.waiting.reason === 'ErrImagePull' ? 'ImagePullBackOff' : 'ErrImagePull';
            return { ...s, state: { waiting: { reason: next, message: next === 'ImagePullBackOff' ? `Back-off pulling image "${s.image}"` : s.state.waiting.message } } };
          });
          return { ...p, status: { ...p.status, containerStatuses: cs } };
        });
        if (p) continueLifecycle(c, p);
      });
      break;
    case 'slowstart':
      if (!isReady(pod)) {
        c.after(c.between([15_000, 45_000]), () => withPod(c, ns, name, uid, (p) => ({
          ...p, status: runningStatus(p, hostIP, podIP, Date.parse(p.status.startTime), c.now()),
        })));
      }
      break;
    case 'complete':
      c.after(c.between([4_000, 20_000]), () => withPod(c, ns, name, uid, (p) => ({
        ...p, status: completedStatus(p, hostIP, podIP, Date.parse(p.status.startTime ?? nowIso(c.now())), c.now()),
      })));
      break;
    default:
  }
}

// ---------------------------------------------------------------- workloads

function drain(set: Set<string>): string[] {
  const keys = [...set];
  set.clear();
  return keys;
}

function podSuffixName(c: Cluster, prefix: string, ns: string): string {
  for (;;) {
    const name = flat(prefix, '-', c.rand.suffix(5));
    if (!c.store.get(POD, ns, name)) return name;
  }
}

/** Delete the surplus: not-ready and pending first, then the youngest, as the RS controller ranks them. */
function pickVictims(pods: any[], n: number): any[] {
  return [...pods].sort((a, b) => {
    const ra = isReady(a) ? 1 : 0, rb = isReady(b) ? 1 : 0;
    if (ra !== rb) return ra - rb;
    return Date.parse(b.metadata.creationTimestamp) - Date.parse(a.metadata.creationTimestamp);
  }).slice(0, n);
}

function reconcileReplicaSets(c: Cluster): void {
  for (const key of drain(c.dirty.replicasets)) {
    const [ns, name] = splitKey(key);
    const rs = c.store.get(RS, ns, name);
    if (!rs) continue;
    const pods = podsOf(c, rs).filter(isActive);
    const want = rs.spec.replicas ?? 1;
    if (pods.length < want) {
      for (let i = pods.length; i < want; i++) newPod(c, rs, rs.spec.template, podSuffixName(c, name, ns!));
    } else if (pods.length > want) {
      for (const p of pickVictims(pods, pods.length - want)) {
        c.deletePod(p);
        c.recordEvent(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'replicaset-controller');
      }
    }
    const cur = c.store.get(RS, ns, name);
    const active = podsOf(c, cur).filter(isActive);
    const ready = active.filter(isReady).length;
    setStatus(c, RS, cur, {
      replicas: active.length, fullyLabeledReplicas: active.length, readyReplicas: ready, availableReplicas: ready,
      observedGeneration: cur.metadata.generation,
    });
  }
}

function reconcileDeployments(c: Cluster): void {
  for (const key of drain(c.dirty.deployments)) {
    const [ns, name] = splitKey(key);
    const d = c.store.get(DEPLOY, ns, name);
    if (!d) continue;
    const hash = templateHash(d.spec.template);
    const owned = dependentsOfKind(c, d, RS);
    let current = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    const want = d.spec.replicas ?? 1;
    const revisions = owned.map((rs) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0));
    const revision = String(Math.max(0, ...revisions) + (current ? 0 : 1));
    if (!current) {
      const template = {
        ...d.spec.template,
        metadata: { ...d.spec.template.metadata, labels: { ...d.spec.template.metadata?.labels, 'pod-template-hash': hash } },
      };
      current = c.store.create(RS, {
        metadata: {
          name: `${name}-${hash}`, namespace: ns, labels: template.metadata.labels,
          annotations: { 'deployment.kubernetes.io/desired-replicas': String(want), 'deployment.kubernetes.io/max-replicas': String(want + 1), 'deployment.kubernetes.io/revision': revision },
          ownerReferences: [ownerRef(d)],
        },
        spec: {
          replicas: want,
          selector: { matchLabels: { ...d.spec.selector.matchLabels, 'pod-template-hash': hash } },
          template,
        },
      });
      c.recordEvent(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${current.metadata.name} from 0 to ${want}`, 'deployment-controller');
      const old = owned.filter((rs) => rs !== current);
      old.sort((a, b) => Number(a.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) - Number(b.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0));
      const limit = d.spec.revisionHistoryLimit ?? 10;
      old.forEach((rs, i) => {
        if (i < old.length - limit) c.deleteObject(RS, ns, rs.metadata.name, {});
        else if (rs.spec.replicas !== 0) {
          c.store.update(RS, { ...rs, spec: { ...rs.spec, replicas: 0 } });
          c.recordEvent(d, 'Normal', 'ScalingReplicaSet', `Scaled down replica set ${rs.metadata.name} from ${rs.spec.replicas} to 0`, 'deployment-controller');
        }
      });
    } else if (current.spec.replicas !== want) {
      c.recordEvent(d, 'Normal', 'ScalingReplicaSet', `Scaled ${want > current.spec.replicas ? 'up' : 'down'} replica set ${current.metadata.name} from ${current.spec.replicas} to ${want}`, 'deployment-controller');
      current = c.store.update(RS, {
        ...current,
        metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, 'deployment.kubernetes.io/desired-replicas': String(want) } },
        spec: { ...current.spec, replicas: want },
      });
    }
    const all = dependentsOfKind(c, d, RS);
    const sum = (f: (rs: any) => number) => all.reduce((a, rs) => a + f(rs), 0);
    const replicas = sum((rs) => rs.status?.replicas ?? 0);
    const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
    const updated = current.status?.replicas ?? 0;
    const cur = c.store.get(DEPLOY, ns, name);
    const prev = cur.status?.conditions ?? [];
    const at = (type: string, status: string) => {
      const p = prev.find((x: any) => x.type === type);
      return p && p.status === status ? p.lastTransitionTime : nowIso(c.now());
    };
    const availableOk = ready >= want - Math.floor(want * 0.25) ? 'True' : 'False';
    const revisionNow = current.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? revision;
    if (cur.metadata.annotations?.['deployment.kubernetes.io/revision'] !== revisionNow) {
      c.store.update(DEPLOY, { ...cur, metadata: { ...cur.metadata, annotations: { ...cur.metadata.annotations, 'deployment.kubernetes.io/revision': revisionNow } } });
    }
    const cur2 = c.store.get(DEPLOY, ns, name);
    setStatus(c, DEPLOY, cur2, {
      observedGeneration: cur2.metadata.generation,
      replicas, updatedReplicas: updated, readyReplicas: ready, availableReplicas: ready,
      ...(want - ready > 0 ? { unavailableReplicas: want - ready } : {}),
      conditions: [
        {
          type: 'Available', status: availableOk, lastUpdateTime: at('Available', availableOk), lastTransitionTime: at('Available', availableOk),
          reason: availableOk === 'True' ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          message: availableOk === 'True' ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
        },
        {
          type: 'Progressing', status: 'True', lastUpdateTime: at('Progressing', 'True'), lastTransitionTime: at('Progressing', 'True'),
          reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${current.metadata.name}" has successfully progressed.`,
        },
      ],
    });
  }
}

function reconcileStatefulSets(c: Cluster): void {
  for (const key of drain(c.dirty.statefulsets)) {
    const [ns, name] = splitKey(key);
    const sts = c.store.get(STS, ns, name);
    if (!sts) continue;
    const want = sts.spec.replicas ?? 1;
    const rev = `${name}-${templateHash(sts.spec.template).slice(0, 10)}`;
    for (let i = 0; i < want; i++) {
      const podName = `${name}-${i}`;
      if (c.store.get(POD, ns, podName)) continue;
      newPod(c, sts, sts.spec.template, podName, {
        labels: { 'statefulset.kubernetes.io/pod-name': podName, 'controller-revision-hash': rev, 'apps.kubernetes.io/pod-index': String(i) },
      });
    }
    for (const p of podsOf(c, sts)) {
      const idx = Number(p.metadata.name.slice(name.length + 1));
      if (idx >= want && isActive(p)) c.deletePod(p);
    }
    const active = podsOf(c, sts).filter(isActive);
    const ready = active.filter(isReady).length;
    setStatus(c, STS, sts, {
      observedGeneration: sts.metadata.generation, replicas: active.length, readyReplicas: ready, currentReplicas: active.length,
      updatedReplicas: active.length, availableReplicas: ready, currentRevision: rev, updateRevision: rev, collisionCount: 0,
    });
  }
}

function reconcileDaemonSets(c: Cluster): void {
  if (c.dirty.allDaemonsets) {
    c.dirty.allDaemonsets = false;
    for (const ds of c.store.iter(DS)) c.dirty.daemonsets.add(objKey(ds.metadata.namespace, ds.metadata.name));
  }
  if (c.dirty.daemonsets.size === 0) return;
  const nodes = [...c.store.iter(NODE)];
  for (const key of drain(c.dirty.daemonsets)) {
    const [ns, name] = splitKey(key);
    const ds = c.store.get(DS, ns, name);
    if (!ds) continue;
    const pods = podsOf(c, ds);
    const byNode = new Map<string, any[]>();
    for (const p of pods) {
      const list = byNode.get(p.spec.nodeName) ?? [];
      list.push(p);
      byNode.set(p.spec.nodeName, list);
    }
    const probe = { spec: ds.spec.template.spec };
    const eligible = nodes.filter((n) => nodeFits(probe, n, true));
    for (const n of eligible) {
      const here = (byNode.get(n.metadata.name) ?? []).filter(isActive);
      if (here.length === 0) newPod(c, ds, ds.spec.template, podSuffixName(c, name, ns!), { nodeName: n.metadata.name });
    }
    const eligibleNames = new Set(eligible.map((n) => n.metadata.name));
    for (const p of pods) if (isActive(p) && !eligibleNames.has(p.spec.nodeName)) c.deletePod(p);
    const active = podsOf(c, ds).filter(isActive);
    const ready = active.filter(isReady).length;
    setStatus(c, DS, ds, {
      currentNumberScheduled: active.length, numberMisscheduled: 0, desiredNumberScheduled: eligible.length,
      numberReady: ready, observedGeneration: ds.metadata.generation, updatedNumberScheduled: active.length,
      numberAvailable: ready, ...(eligible.length - ready > 0 ? { numberUnavailable: eligible.length - ready } : {}),
    });
  }
}

function reconcileJobs(c: Cluster): void {
  for (const key of drain(c.dirty.jobs)) {
    const [ns, name] = splitKey(key);
    const job = c.store.get(JOB, ns, name);
    if (!job) continue;
    const pods = podsOf(c, job);
    const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
    const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
    const active = pods.filter(isActive).length;
    const completions = job.spec.completions ?? 1;
    const parallelism = job.spec.parallelism ?? 1;
    const done = succeeded >= completions;
    if (!done && !job.spec.suspend) {
      const room = Math.min(parallelism - active, completions - succeeded - active);
      for (let i = 0; i < room; i++) newPod(c, job, job.spec.template, podSuffixName(c, name, ns!), { labels: { 'batch.kubernetes.io/job-name': name, 'job-name': name } });
    }
    const now = nowIso(c.now());
    const status: any = {
      ...(job.status?.startTime ? { startTime: job.status.startTime } : { startTime: now }),
      active: done ? 0 : pods.filter(isActive).length || undefined, succeeded: succeeded || undefined, failed: failed || undefined,
      ready: pods.filter((p) => isActive(p) && isReady(p)).length,
      terminating: pods.filter(isTerminating).length,
    };
    if (status.active === undefined || status.active === 0) delete status.active;
    if (status.succeeded === undefined) delete status.succeeded;
    if (status.failed === undefined) delete status.failed;
    if (done) {
      status.completionTime = job.status?.completionTime ?? now;
      status.conditions = job.status?.conditions ?? [
        { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: now, lastTransitionTime: now, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
        { type: 'Complete', status: 'True', lastProbeTime: now, lastTransitionTime: now, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
      ];
      if (!job.status?.completionTime) c.recordEvent(job, 'Normal', 'Completed', 'Job completed', 'job-controller');
    }
    setStatus(c, JOB, job, status);
  }
}

/** Minutes between runs of a cron schedule, for the simple forms fleets use. */
export function cronInterval(schedule: string): number {
  const m = schedule.match(/^\*\/(\d+) \* \* \* \*$/);
  if (m) return Number(m[1]);
  if (/^\d+ \* \* \* \*$/.test(schedule)) return 60;
  if (/^\d+ \d+ \* \* \*$/.test(schedule)) return 1440;
  return 60;
}

const lastCronCheck = new WeakMap<Cluster, number>();
function reconcileCronJobs(c: Cluster): void {
  const now = c.now();
  if (now - (lastCronCheck.get(c) ?? 0) < 5000) return;
  lastCronCheck.set(c, now);
  for (const cj of [...c.store.iter(CRONJOB)]) {
    if (cj.spec.suspend) continue;
    const every = cronInterval(cj.spec.schedule) * 60_000;
    const last = cj.status?.lastScheduleTime ? Date.parse(cj.status.lastScheduleTime) : Date.parse(cj.metadata.creationTimestamp);
    const jobs = dependentsOfKind(c, cj, JOB).sort((a, b) => Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp));
    const keep = cj.spec.successfulJobsHistoryLimit ?? 3;
    const finished = jobs.filter((j) => j.status?.completionTime);
    for (const j of finished.slice(0, Math.max(0, finished.length - keep))) c.deleteObject(JOB, j.metadata.namespace, j.metadata.name, {});
    if (now - last < every) continue;
    const slot = Math.floor(now / every) * every;
    const jobName = `${cj.metadata.name}-${Math.floor(slot / 60_000)}`;
    if (!c.store.get(JOB, cj.metadata.namespace, jobName)) {
      const tpl = cj.spec.jobTemplate;
      const job = c.store.create(JOB, {
        metadata: { name: jobName, namespace: cj.metadata.namespace, labels: tpl.metadata?.labels ?? {}, ownerReferences: [ownerRef(cj)] },
        spec: { completions: 1, parallelism: 1, backoffLimit: 6, ...tpl.spec },
      });
      c.recordEvent(cj, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`, 'cronjob-controller');
    }
    const cur = c.store.get(CRONJOB, cj.metadata.namespace, cj.metadata.name);
    c.store.update(CRONJOB, { ...cur, status: { ...cur.status, lastScheduleTime: nowIso(slot) } });
  }
}

/** How many pods the PDB's pods' controllers want: the base of percentages and maxUnavailable. */
function expectedPods(c: Cluster, pods: any[]): number {
  let n = 0;
  const seen = new Set<string>();
  for (const p of pods) {
    const ctl = controllerOf(p);
    if (!ctl) { if (isActive(p)) n++; continue; }
    if (seen.has(ctl.uid)) continue;
    seen.add(ctl.uid);
    const ns = p.metadata.namespace;
    const owner = ctl.kind === 'ReplicaSet' ? c.store.get(RS, ns, ctl.name) : ctl.kind === 'StatefulSet' ? c.store.get(STS, ns, ctl.name) : undefined;
    n += owner ? owner.spec.replicas ?? 1 : pods.filter((x) => controllerOf(x)?.uid === ctl.uid && isActive(x)).length;
  }
  return n;
}

function intOrPercent(v: any, total: number, roundUp: boolean): number {
  if (typeof v === 'string' && v.endsWith('%')) {
    const x = (parseFloat(v) / 100) * total;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return Number(v);
}

/** `index`: the pods of the PDB's namespace, indexed (a reconcile of many PDBs builds it once). */
export function pdbStatus(c: Cluster, pdb: any, index?: LabelIndex<any>): any {
  const pods = isEmptySelectorObject(pdb.spec.selector) ? []
    : (index ?? new LabelIndex([...c.store.iter(POD, pdb.metadata.namespace)])).matching(pdb.spec.selector);
  const expected = expectedPods(c, pods);
  const healthy = pods.filter((p) => isActive(p) && isReady(p)).length;
  let desired: number;
  if (pdb.spec.minAvailable !== undefined) desired = intOrPercent(pdb.spec.minAvailable, expected, true);
  else if (pdb.spec.maxUnavailable !== undefined) desired = Math.max(0, expected - intOrPercent(pdb.spec.maxUnavailable, expected, true));
  else desired = expected;
  const allowed = Math.max(0, healthy - desired);
  const prev = pdb.status?.conditions?.[0];
  const ok = allowed > 0 ? 'True' : 'False';
  const disrupted: Record<string, string> = {};
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const p = c.store.get(POD, pdb.metadata.namespace, name);
    if (p && !isTerminating(p) && c.now() - Date.parse(at as string) < 120_000) disrupted[name] = at as string;
  }
  return {
    observedGeneration: pdb.metadata.generation, disruptionsAllowed: allowed, currentHealthy: healthy,
    desiredHealthy: desired, expectedPods: expected,
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    conditions: [{
      type: 'DisruptionAllowed', status: ok, observedGeneration: pdb.metadata.generation,
      lastTransitionTime: prev && prev.status === ok ? prev.lastTransitionTime : nowIso(c.now()),
      reason: ok === 'True' ? 'SufficientPods' : 'InsufficientPods', message: '',
    }],
  };
}

function reconcilePdbs(c: Cluster): void {
  for (const ns of drain(c.dirty.pdbNamespaces)) {
    const pdbs = [...c.store.iter(PDB, ns)];
    if (pdbs.length === 0) continue;
    const index = new LabelIndex([...c.store.iter(POD, ns)]);
    for (const pdb of pdbs) setStatus(c, PDB, pdb, pdbStatus(c, pdb, index));
  }
}

const lastEndpoints = new WeakMap<Cluster, number>();
function reconcileEndpoints(c: Cluster): void {
  const now = c.now();
  if (now - (lastEndpoints.get(c) ?? 0) < 1000 || c.dirty.endpointNamespaces.size === 0) return;
  lastEndpoints.set(c, now);
  for (const ns of drain(c.dirty.endpointNamespaces)) {
    const svcs = [...c.store.iter(SVC, ns)].filter((s) => s.spec.selector && Object.keys(s.spec.selector).length);
    if (svcs.length === 0) continue;
    const pods = new LabelIndex([...c.store.iter(POD, ns)].filter((p) => isActive(p) && p.status?.podIP));
    for (const svc of svcs) {
      const matched = pods.matching({ matchLabels: svc.spec.selector });
      const addr = (p: any) => ({ ip: p.status.podIP, nodeName: p.spec.nodeName, targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid } });
      const ready = matched.filter(isReady).map(addr);
      const notReady = matched.filter((p) => !isReady(p)).map(addr);
      const ports = (svc.spec.ports ?? []).map((p: any) => ({ name: p.name, port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol ?? 'TCP' }));
      const subsets = ready.length || notReady.length
        ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports }]
        : undefined;
      const ep = c.store.get(EP, ns, svc.metadata.name);
      const body = { metadata: { name: svc.metadata.name, namespace: ns, labels: svc.metadata.labels ?? {} }, ...(subsets ? { subsets } : {}) };
      if (!ep) c.store.create(EP, body);
      else if (JSON.stringify(ep.subsets) !== JSON.stringify(body.subsets)) {
        c.store.update(EP, { ...ep, subsets: body.subsets });
      }
    }
  }
}

export function installControllers(c: Cluster): void {
  managed.set(c, new Set());
  c.store.onChange((ev) => kubeletWatch(c, ev));
  c.addReconciler(schedule);
  c.addReconciler(reconcileDeployments);
  c.addReconciler(reconcileReplicaSets);
  c.addReconciler(reconcileStatefulSets);
  c.addReconciler(reconcileDaemonSets);
  c.addReconciler(reconcileJobs);
  c.addReconciler(reconcileCronJobs);
  c.addReconciler(reconcilePdbs);
  c.addReconciler(reconcileEndpoints);
}
