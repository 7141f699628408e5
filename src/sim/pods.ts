/** Pod construction and the status a simulated kubelet reports at each stage of a pod's life. */
import { hash32 } from './rand.js';
import { nowIso } from './store.js';
import { flat, shared } from './strings.js';

/** How a pod's containers behave, chosen by the pod template's `sim.kmux.dev/behaviour` annotation. */
export type Behaviour = 'normal' | 'crashloop' | 'imagepull' | 'complete' | 'slowstart';

export const BEHAVIOUR_ANNOTATION = 'sim.kmux.dev/behaviour';
export const LOG_RATE_ANNOTATION = 'sim.kmux.dev/log-rate';

export function behaviourOf(pod: any): Behaviour {
  const b = pod.metadata.annotations?.[BEHAVIOUR_ANNOTATION];
  if (b === 'crashloop' || b === 'imagepull' || b === 'complete' || b === 'slowstart') return b;
  if (pod.metadata.ownerReferences?.some((o: any) => o.kind === 'Job')) return 'complete';
  return 'normal';
}

export function isTerminating(pod: any): boolean {
  return !!pod.metadata.deletionTimestamp;
}

export function isFinished(pod: any): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function isReady(pod: any): boolean {
  return !!pod.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/** Active as a ReplicaSet counts it: not finished and not being deleted. */
export function isActive(pod: any): boolean {
  return !isTerminating(pod) && !isFinished(pod);
}

export function controllerOf(obj: any): any | undefined {
  return obj.metadata.ownerReferences?.find((o: any) => o.controller);
}

export function ownerRef(owner: any): any {
  return {
    apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid,
    controller: true, blockOwnerDeletion: true,
  };
}

function cond(type: string, status: boolean, at: string, reason?: string, message?: string) {
  const c: Record<string, unknown> = { type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: at };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

function containerId(pod: any, name: string, restart: number): string {
  const h = (hash32(`${pod.metadata.uid}/${name}/${restart}`).toString(16) + hash32(`${name}/${pod.metadata.uid}/${restart}`).toString(16)).padEnd(16, '0');
  return flat('containerd://', h, h, h, h);
}

function imageId(image: string): string {
  const h = hash32(image).toString(16).padStart(8, '0');
  return shared(image.split(':')[0], '@sha256:', h, h, h, h, h, h, h, h);
}

export function pendingStatus(pod: any, now: number, unschedulable?: string): any {
  const at = nowIso(now);
  const conditions = unschedulable
    ? [cond('PodScheduled', false, at, 'Unschedulable', unschedulable)]
    : [];
  return { phase: 'Pending', conditions, qosClass: qosClass(pod) };
}

/** Scheduled, containers being created. */
export function creatingStatus(pod: any, hostIP: string, now: number): any {
  const at = nowIso(now);
  return {
    phase: 'Pending',
    conditions: [
      cond('PodReadyToStartContainers', false, at),
      cond('Initialized', true, at),
      cond('Ready', false, at, 'ContainersNotReady', shared('containers with unready status: [', pod.spec.containers.map((c: any) => c.name).join(' '), ']')),
      cond('ContainersReady', false, at, 'ContainersNotReady', shared('containers with unready status: [', pod.spec.containers.map((c: any) => c.name).join(' '), ']')),
      cond('PodScheduled', true, at),
    ],
    hostIP, hostIPs: [{ ip: hostIP }],
    startTime: at,
    containerStatuses: pod.spec.containers.map((c: any) => ({
      name: c.name, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false,
      restartCount: 0, image: c.image, imageID: '', started: false,
    })),
    qosClass: qosClass(pod),
  };
}

/**
 * Containers running. `restarts` and `lastFinished` describe earlier crashes; `waitingReason`
 * makes the first container wait (CrashLoopBackOff, ErrImagePull) instead of running.
 */
export function runningStatus(
  pod: any, hostIP: string, podIP: string, startedMs: number, now: number,
  opts: { restarts?: number; lastFinishedMs?: number; waitingReason?: string; waitingMessage?: string } = {},
): any {
  const started = nowIso(startedMs);
  const at = nowIso(now);
  const restarts = opts.restarts ?? 0;
  const waiting = opts.waitingReason;
  const statuses = pod.spec.containers.map((c: any, i: number) => {
    const broken = waiting !== undefined && i === 0;
    const s: any = {
      name: c.name,
      state: broken ? { waiting: { reason: waiting, message: opts.waitingMessage } } : { running: { startedAt: started } },
      lastState: {},
      ready: !broken,
      restartCount: i === 0 ? restarts : 0,
      image: c.image,
      imageID: broken && waiting !== 'CrashLoopBackOff' ? '' : imageId(c.image),
      containerID: broken && waiting !== 'CrashLoopBackOff' ? undefined : containerId(pod, c.name, i === 0 ? restarts : 0),
      started: !broken,
    };
    if (i === 0 && restarts > 0 && opts.lastFinishedMs !== undefined) {
      s.lastState = {
        terminated: {
          exitCode: 1, reason: 'Error',
          startedAt: nowIso(opts.lastFinishedMs - 20_000), finishedAt: nowIso(opts.lastFinishedMs),
          containerID: containerId(pod, c.name, restarts - 1),
        },
      };
    }
    if (s.containerID === undefined) delete s.containerID;
    return s;
  });
  const ready = statuses.every((s: any) => s.ready);
  const notReady = statuses.filter((s: any) => !s.ready).map((s: any) => s.name).join(' ');
  return {
    phase: 'Running',
    conditions: [
      cond('PodReadyToStartContainers', true, started),
      cond('Initialized', true, started),
      ready ? cond('Ready', true, at) : cond('Ready', false, at, 'ContainersNotReady', shared('containers with unready status: [', notReady, ']')),
      ready ? cond('ContainersReady', true, at) : cond('ContainersReady', false, at, 'ContainersNotReady', shared('containers with unready status: [', notReady, ']')),
      cond('PodScheduled', true, started),
    ],
    hostIP, hostIPs: [{ ip: hostIP }],
    podIP, podIPs: [{ ip: podIP }],
    startTime: started,
    containerStatuses: statuses,
    qosClass: qosClass(pod),
  };
}

export function completedStatus(pod: any, hostIP: string, podIP: string, startedMs: number, finishedMs: number): any {
  const started = nowIso(startedMs);
  const finished = nowIso(finishedMs);
  return {
    phase: 'Succeeded',
    conditions: [
      cond('PodReadyToStartContainers', false, finished),
      cond('Initialized', true, started, 'PodCompleted'),
      cond('Ready', false, finished, 'PodCompleted'),
      cond('ContainersReady', false, finished, 'PodCompleted'),
      cond('PodScheduled', true, started),
    ],
    hostIP, hostIPs: [{ ip: hostIP }],
    podIP, podIPs: [{ ip: podIP }],
    startTime: started,
    containerStatuses: pod.spec.containers.map((c: any) => ({
      name: c.name,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: started, finishedAt: finished, containerID: containerId(pod, c.name, 0) } },
      lastState: {}, ready: false, restartCount: 0, image: c.image, imageID: imageId(c.image),
      containerID: containerId(pod, c.name, 0), started: false,
    })),
    qosClass: qosClass(pod),
  };
}

export function qosClass(pod: any): string {
  const cs = pod.spec.containers ?? [];
  const hasAny = cs.some((c: any) => c.resources?.requests || c.resources?.limits);
  if (!hasAny) return 'BestEffort';
  const guaranteed = cs.every((c: any) => {
    const r = c.resources ?? {};
    return r.limits?.cpu && r.limits?.memory && (!r.requests || (r.requests.cpu === r.limits.cpu && r.requests.memory === r.limits.memory));
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Millicores and bytes from Kubernetes quantities ("250m", "1", "128Mi", "1G"). */
export function cpuMilli(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const s = String(q);
  if (s.endsWith('m')) return parseFloat(s);
  if (s.endsWith('n')) return parseFloat(s) / 1e6;
  if (s.endsWith('u')) return parseFloat(s) / 1e3;
  return parseFloat(s) * 1000;
}

const MEM_UNITS: Record<string, number> = {
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12,
};
export function memBytes(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const m = String(q).match(/^([0-9.]+)([A-Za-z]*)$/);
  if (!m) return 0;
  return parseFloat(m[1]) * (MEM_UNITS[m[2]] ?? 1);
}
