/**
 * Pods: kubectl's STATUS reason logic (printPod), QoS, and summed requests/limits.
 */
import { AGE, NAME, created, nameOf, ownerOf } from './common.js';
import { parseCpu, parseMem } from './format.js';
import type { ResourceColumns, RowState } from './types.js';

export interface PodStatusSummary {
  /** the STATUS column: Running, CrashLoopBackOff, Init:0/1, Terminating, Completed... */
  reason: string;
  ready: number;
  total: number;
  restarts: number;
  /** latest container restart (last termination's finishedAt) in ms, or 0 */
  lastRestart: number;
}

const isSidecar = (c: any): boolean => c?.restartPolicy === 'Always';

/** kubectl's printPod reason, READY counts and RESTARTS, with "Succeeded" read as "Completed" like K9s. */
export function podStatus(pod: any): PodStatusSummary {
  const spec = pod?.spec ?? {};
  const status = pod?.status ?? {};
  const initSpecs: any[] = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  const initStatuses: any[] = Array.isArray(status.initContainerStatuses) ? status.initContainerStatuses : [];
  const statuses: any[] = Array.isArray(status.containerStatuses) ? status.containerStatuses : [];
  const initByName = new Map(initSpecs.map((c) => [c?.name, c]));

  const total = (Array.isArray(spec.containers) ? spec.containers.length : 0) + initSpecs.filter(isSidecar).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;
  const finished = (cs: any): number => {
    const t = Date.parse(cs?.lastState?.terminated?.finishedAt ?? '');
    return Number.isFinite(t) ? t : 0;
  };

  const phase: string = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of Array.isArray(status.conditions) ? status.conditions : []) {
    if (c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const rc = Number(cs?.restartCount ?? 0);
    restarts += rc;
    lastRestart = Math.max(lastRestart, finished(cs));
    const sidecar = isSidecar(initByName.get(cs?.name));
    if (sidecar) {
      sidecarRestarts += rc;
      lastSidecarRestart = Math.max(lastSidecarRestart, finished(cs));
    }
    const term = cs?.state?.terminated;
    const wait = cs?.state?.waiting;
    if (term && Number(term.exitCode ?? 0) === 0) continue;
    if (sidecar && cs?.started === true) {
      if (cs?.ready) ready++;
      continue;
    }
    if (term) {
      if (!term.reason) {
        reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode ?? 0}`;
      } else {
        reason = `Init:${term.reason}`;
      }
    } else if (wait?.reason && wait.reason !== 'PodInitializing') {
      reason = `Init:${wait.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  const initializedTrue = (Array.isArray(status.conditions) ? status.conditions : []).some(
    (c: any) => c?.type === 'Initialized' && c?.status === 'True',
  );
  if (!initializing || initializedTrue) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += Number(cs?.restartCount ?? 0);
      lastRestart = Math.max(lastRestart, finished(cs));
      const term = cs?.state?.terminated;
      const wait = cs?.state?.waiting;
      if (wait?.reason) reason = wait.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
      else if (cs?.ready && cs?.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const readyCond = (Array.isArray(status.conditions) ? status.conditions : []).some(
        (c: any) => c?.type === 'Ready' && c?.status === 'True',
      );
      reason = readyCond ? 'Running' : 'NotReady';
    }
  }

  if (pod?.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod?.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  if (reason === 'Succeeded') reason = 'Completed';
  if (reason === '') reason = 'Pending';
  return { reason, ready, total, restarts, lastRestart };
}

/**
 * The row state for a pod with the given summary, by K9s's rule: a pod is in error when it is
 * not valid (not every container ready, or its Ready condition not True), except where its
 * STATUS says more: Pending and ContainerCreating are pending, PodInitializing added,
 * Initialized highlighted, Completed completed, Terminating terminating. A valid Running pod
 * is steady: K9s draws it in newColor even right after it appeared or changed.
 */
export function podState(pod: any, s: PodStatusSummary): RowState {
  if (pod?.metadata?.deletionTimestamp) return 'terminating';
  switch (s.reason) {
    case 'Pending':
    case 'ContainerCreating': return 'pending';
    case 'PodInitializing': return 'added';
    case 'Initialized': return 'highlight';
    case 'Completed': return 'completed';
  }
  const conditions: any[] = Array.isArray(pod?.status?.conditions) ? pod.status.conditions : [];
  const readyCondition = conditions.some((c) => c?.type === 'Ready' && c?.status === 'True');
  if (s.total === 0 || s.ready !== s.total || !readyCondition) return 'error';
  return s.reason === 'Running' ? 'steady' : 'normal';
}

export interface PodResources {
  cpuMilli: number;
  memBytes: number;
}

/**
 * A pod's effective requests and limits as the scheduler and `kubectl describe node` count them:
 * the sum over app containers and sidecars, at least the largest plain init container, plus overhead.
 * A missing limit counts as 0.
 */
export function podResources(pod: any): { requests: PodResources; limits: PodResources } {
  const spec = pod?.spec ?? {};
  const sum = (which: 'requests' | 'limits'): PodResources => {
    const get = (c: any): PodResources => {
      const r = c?.resources?.[which] ?? {};
      // an unset request defaults to the limit (API defaulting); objects from a server already have it
      const l = which === 'requests' ? (c?.resources?.limits ?? {}) : {};
      return { cpuMilli: parseCpu(r.cpu ?? l.cpu), memBytes: parseMem(r.memory ?? l.memory) };
    };
    const acc: PodResources = { cpuMilli: 0, memBytes: 0 };
    const inits: any[] = Array.isArray(spec.initContainers) ? spec.initContainers : [];
    for (const c of [...(Array.isArray(spec.containers) ? spec.containers : []), ...inits.filter(isSidecar)]) {
      const v = get(c);
      acc.cpuMilli += v.cpuMilli;
      acc.memBytes += v.memBytes;
    }
    for (const c of inits.filter((c) => !isSidecar(c))) {
      const v = get(c);
      acc.cpuMilli = Math.max(acc.cpuMilli, v.cpuMilli);
      acc.memBytes = Math.max(acc.memBytes, v.memBytes);
    }
    const o = spec.overhead ?? {};
    acc.cpuMilli += parseCpu(o.cpu);
    acc.memBytes += parseMem(o.memory);
    return acc;
  };
  return { requests: sum('requests'), limits: sum('limits') };
}

/** status.qosClass, or computed from the containers when the server did not set it. */
export function podQos(pod: any): string {
  if (pod?.status?.qosClass) return String(pod.status.qosClass);
  const spec = pod?.spec ?? {};
  const all: any[] = [
    ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
    ...(Array.isArray(spec.containers) ? spec.containers : []),
  ];
  let any = false;
  let guaranteed = all.length > 0;
  for (const c of all) {
    const req = c?.resources?.requests ?? {};
    const lim = c?.resources?.limits ?? {};
    for (const k of ['cpu', 'memory']) {
      if (req[k] !== undefined || lim[k] !== undefined) any = true;
      if (lim[k] === undefined) guaranteed = false;
      else if (req[k] !== undefined) {
        const eq = k === 'cpu' ? parseCpu(req[k]) === parseCpu(lim[k]) : parseMem(req[k]) === parseMem(lim[k]);
        if (!eq) guaranteed = false;
      }
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** An object a pod or a container refers to (xray draws them, marked when missing). */
export interface PodRef {
  kind: 'configmap' | 'secret' | 'pvc';
  name: string;
  optional?: boolean;
}

const ref = (kind: PodRef['kind'], name: unknown, optional: unknown): PodRef | undefined =>
  typeof name === 'string' && name ? { kind, name, ...(optional === true ? { optional: true } : {}) } : undefined;

/** The config maps and secrets a container's environment reads, once each. */
function envRefs(c: any): PodRef[] {
  const out: (PodRef | undefined)[] = [];
  for (const e of Array.isArray(c?.env) ? c.env : []) {
    const v = e?.valueFrom;
    if (v?.configMapKeyRef) out.push(ref('configmap', v.configMapKeyRef.name, v.configMapKeyRef.optional));
    if (v?.secretKeyRef) out.push(ref('secret', v.secretKeyRef.name, v.secretKeyRef.optional));
  }
  for (const e of Array.isArray(c?.envFrom) ? c.envFrom : []) {
    if (e?.configMapRef) out.push(ref('configmap', e.configMapRef.name, e.configMapRef.optional));
    if (e?.secretRef) out.push(ref('secret', e.secretRef.name, e.secretRef.optional));
  }
  return unique(out);
}

function unique(rs: (PodRef | undefined)[]): PodRef[] {
  const seen = new Set<string>();
  return rs.filter((r): r is PodRef => !!r && !seen.has(`${r.kind}/${r.name}`) && !!seen.add(`${r.kind}/${r.name}`));
}

const withRefs = (refs: PodRef[]) => (refs.length ? { refs } : {});

/** The volumes' config maps, secrets and claims, and the service account: what a pod needs to exist. */
function podRefs(spec: any): { refs?: { sa?: string; volumes?: PodRef[] } } {
  const volumes = unique((Array.isArray(spec?.volumes) ? spec.volumes : []).map((v: any) =>
    v?.secret ? ref('secret', v.secret.secretName, v.secret.optional)
      : v?.configMap ? ref('configmap', v.configMap.name, v.configMap.optional)
        : v?.persistentVolumeClaim ? ref('pvc', v.persistentVolumeClaim.claimName, false) : undefined));
  const sa = typeof spec?.serviceAccountName === 'string' && spec.serviceAccountName ? spec.serviceAccountName : undefined;
  if (!sa && !volumes.length) return {};
  return { refs: { ...(sa ? { sa } : {}), ...(volumes.length ? { volumes } : {}) } };
}

export const podColumns: ResourceColumns = {
  columns: [
    NAME,
    { name: 'READY' },
    { name: 'STATUS' },
    { name: 'RESTARTS', kind: 'number' },
    { name: 'CPU', kind: 'cpu' },
    { name: 'MEM', kind: 'mem' },
    { name: '%CPU/R', kind: 'cpupct', basis: 'requests', optional: true },
    { name: '%CPU/L', kind: 'cpupct', basis: 'limits', optional: true },
    { name: '%MEM/R', kind: 'mempct', basis: 'requests', optional: true },
    { name: '%MEM/L', kind: 'mempct', basis: 'limits', optional: true },
    { name: 'CPU/RL', kind: 'number', wide: true },
    { name: 'MEM/RL', kind: 'number', wide: true },
    { name: 'IP' },
    { name: 'NODE' },
    { name: 'QOS', wide: true },
    { name: 'CONTAINERS', wide: true },
    AGE,
  ],
  project(pod: any) {
    const s = podStatus(pod);
    const spec = pod?.spec ?? {};
    const containers: any[] = Array.isArray(spec.containers) ? spec.containers : [];
    const inits: any[] = Array.isArray(spec.initContainers) ? spec.initContainers : [];
    const podIP = String(pod?.status?.podIP ?? '');
    const nodeName = String(spec.nodeName ?? '');
    const { requests, limits } = podResources(pod);
    const owner = ownerOf(pod);
    return {
      cells: [
        nameOf(pod),
        `${s.ready}/${s.total}`,
        s.reason,
        s.restarts,
        '',
        '',
        '',
        '',
        '',
        '',
        // K9s's request:limit, millicores and MiB
        `${requests.cpuMilli}:${limits.cpuMilli}`,
        `${Math.floor(requests.memBytes / 1048576)}:${Math.floor(limits.memBytes / 1048576)}`,
        podIP || '<none>',
        nodeName || '<none>',
        podQos(pod),
        containers.map((c) => String(c?.name ?? '')).join(','),
        created(pod),
      ],
      state: podState(pod, s),
      extra: {
        nodeName,
        podIP,
        phase: String(pod?.status?.phase ?? ''),
        containers: containers.map((c) => ({
          name: String(c?.name ?? ''),
          image: String(c?.image ?? ''),
          ports: (Array.isArray(c?.ports) ? c.ports : [])
            .map((p: any) => Number(p?.containerPort))
            .filter((n: number) => Number.isFinite(n)),
          ...withRefs(envRefs(c)),
        })),
        initContainers: inits.map((c) => String(c?.name ?? '')),
        ...(owner ? { owner } : {}),
        ...podRefs(spec),
        ready: s.total > 0 && s.ready >= s.total,
        // for the logs, whatever columns views.yaml gives the pods view
        restarts: s.restarts,
        requests,
        limits,
      },
    };
  },
};
