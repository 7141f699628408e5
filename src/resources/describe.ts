/**
 * `kubectl describe`-like text for an object: Pods, Nodes, Deployments and Secrets have their
 * own layout (after kubectl's describers), any other kind the generic one. Pure: the caller
 * fetches the related events, pods and replica sets and passes them in.
 */
import { formatSelector, ownerOf } from './common.js';
import { eventCount, eventFirstSeen, eventLastSeen, eventMessage, eventObject, eventSource } from './events.js';
import { ageSince, fmtQuantityCpu, fmtQuantityMem, humanAge, parseCpu, parseMem, percent, toMs } from './format.js';
import { nodeRoles } from './nodes.js';
import { podQos, podResources } from './pods.js';
import { tabwrite } from './tabwriter.js';

export interface DescribeContext {
  events?: any[];
  /** the events could not be read: why (forbidden, timed out), shown instead of <none> */
  eventsError?: string;
  /** other related objects that could not be read, one line each */
  errors?: string[];
  /** for a Node: the pods bound to it (terminated ones are left out here) */
  pods?: any[];
  /** for a Deployment: its replica sets */
  replicaSets?: any[];
  now: number;
}

/** kubectl's PrefixWriter over one tabwriter, with explicit flushes between aligned sections. */
class Writer {
  private buf = '';
  private readonly done: string[] = [];
  write(level: number, text: string): void {
    this.buf += '  '.repeat(level) + text;
  }
  flush(): void {
    this.done.push(tabwrite(this.buf));
    this.buf = '';
  }
  toString(): string {
    this.flush();
    return this.done.join('');
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000"; '<unknown>' when missing. */
export function rfc1123z(t: unknown): string {
  const ms = toMs(t);
  if (ms === '') return '<unknown>';
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

const since = (t: unknown, now: number): string => ageSince(toMs(t), now);
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, any> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as any) : {});
const sortedKeys = (m: Record<string, unknown>): string[] => Object.keys(m).sort();
const goBool = (b: unknown): string => (b ? 'true' : 'false');
const titleBool = (b: unknown): string => (b ? 'True' : 'False');

// ---------------------------------------------------------------- shared sections

function labelsMultiline(w: Writer, title: string, labels: unknown, level = 0): void {
  const m = obj(labels);
  w.write(level, `${title}:\t`);
  const keys = sortedKeys(m);
  if (!keys.length) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => {
    if (i) w.write(0, '\t');
    w.write(0, `${k}=${m[k]}\n`);
  });
}

const MAX_ANNOTATION = 140;
const SKIP_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
const shorten = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}...` : s);

function annotationsMultiline(w: Writer, title: string, annotations: unknown, level = 0): void {
  const m = obj(annotations);
  w.write(level, `${title}:\t`);
  const keys = sortedKeys(m).filter((k) => !SKIP_ANNOTATIONS.has(k));
  if (!keys.length) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => {
    if (i) w.write(0, '\t');
    const value = String(m[k]).replace(/\n$/, '');
    if (value.length + k.length + 2 > MAX_ANNOTATION || value.includes('\n')) {
      w.write(0, `${k}:\n`);
      for (const s of value.split('\n')) w.write(0, `\t  ${shorten(s, MAX_ANNOTATION - 2)}\n`);
    } else {
      w.write(0, `${k}: ${value}\n`);
    }
  });
}

function tolerationsMultiline(w: Writer, title: string, tolerations: unknown): void {
  const ts = [...arr(tolerations)].sort((a, b) => (String(a?.key ?? '') < String(b?.key ?? '') ? -1 : String(a?.key ?? '') > String(b?.key ?? '') ? 1 : 0));
  w.write(0, `${title}:\t`);
  if (!ts.length) {
    w.write(0, '<none>\n');
    return;
  }
  ts.forEach((t, i) => {
    if (i) w.write(0, '\t');
    let s = String(t?.key ?? '');
    if (t?.value) s += `=${t.value}`;
    if (t?.effect) s += `:${t.effect}`;
    if (t?.operator === 'Exists' && !t?.value) s += t?.key || t?.effect ? ' op=Exists' : 'op=Exists';
    if (t?.tolerationSeconds !== undefined && t?.tolerationSeconds !== null) s += ` for ${t.tolerationSeconds}s`;
    w.write(0, `${s}\n`);
  });
}

export function taintString(t: any): string {
  const key = String(t?.key ?? '');
  const value = String(t?.value ?? '');
  const effect = String(t?.effect ?? '');
  if (!effect) return value ? `${key}=${value}:` : key;
  return value ? `${key}=${value}:${effect}` : `${key}:${effect}`;
}

/** Keeps the events about obj (uid, or kind and name: node events carry the node name as uid). */
function eventsFor(o: any, events: any[] | undefined): any[] {
  const md = obj(o?.metadata);
  return arr(events).filter((ev) => {
    const ref = eventObject(ev);
    if (ref.uid && md.uid && ref.uid === md.uid) return true;
    // another object of the same name (a recreated pod) keeps its own events
    if (ref.uid && md.uid && ref.uid !== md.name) return false;
    if (ref.name !== md.name) return false;
    if (o?.kind && ref.kind && ref.kind !== o.kind) return false;
    if (ref.namespace && md.namespace && ref.namespace !== md.namespace) return false;
    return true;
  });
}

/** The Events table, newest first; "Events:  <none>" when there are none. */
function describeEvents(w: Writer, o: any, ctx: DescribeContext): void {
  const evs = eventsFor(o, ctx.events);
  w.flush();
  if (ctx.eventsError) {
    w.write(0, `Events:\t<not read: ${ctx.eventsError}>\n`);
    w.flush();
    return;
  }
  if (!evs.length) {
    w.write(0, 'Events:\t<none>\n');
    w.flush();
    return;
  }
  const last = (e: any): number => {
    const t = eventLastSeen(e);
    return t === '' ? 0 : t;
  };
  const sorted = [...evs].sort((a, b) => last(b) - last(a));
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    const first = eventFirstSeen(e);
    const firstSince = first === '' ? '<unknown>' : humanAge(ctx.now - first);
    const count = eventCount(e);
    const lastSeen = eventLastSeen(e);
    const interval =
      count > 1 && lastSeen !== '' ? `${humanAge(ctx.now - lastSeen)} (x${count} over ${firstSince})` : firstSince;
    w.write(1, `${e?.type ?? ''}\t${e?.reason ?? ''}\t${interval}\t${eventSource(e)}\t${eventMessage(e)}\n`);
  }
  w.flush();
}

// ---------------------------------------------------------------- containers and volumes

function describeProbe(p: any): string {
  const attrs = `delay=${p?.initialDelaySeconds ?? 0}s timeout=${p?.timeoutSeconds ?? 1}s period=${p?.periodSeconds ?? 10}s #success=${p?.successThreshold ?? 1} #failure=${p?.failureThreshold ?? 3}`;
  if (p?.exec) return `exec [${arr(p.exec.command).join(' ')}] ${attrs}`;
  if (p?.httpGet) {
    const h = p.httpGet;
    const scheme = String(h.scheme ?? 'HTTP').toLowerCase();
    const host = String(h.host ?? '');
    const port = h.port !== undefined ? `:${h.port}` : '';
    return `http-get ${scheme}://${host.includes(':') ? `[${host}]` : host}${port}${h.path ?? ''} ${attrs}`;
  }
  if (p?.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port ?? ''} ${attrs}`;
  if (p?.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''} ${attrs}`;
  return `unknown ${attrs}`;
}

function containerState(w: Writer, title: string, st: any): void {
  if (st?.running) {
    w.write(2, `${title}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123z(st.running.startedAt)}\n`);
  } else if (st?.waiting) {
    w.write(2, `${title}:\tWaiting\n`);
    if (st.waiting.reason) w.write(3, `Reason:\t${st.waiting.reason}\n`);
  } else if (st?.terminated) {
    const t = st.terminated;
    w.write(2, `${title}:\tTerminated\n`);
    if (t.reason) w.write(3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(3, `Message:\t${t.message}\n`);
    w.write(3, `Exit Code:\t${t.exitCode ?? 0}\n`);
    if (t.signal > 0) w.write(3, `Signal:\t${t.signal}\n`);
    w.write(3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    w.write(3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else {
    w.write(2, `${title}:\tWaiting\n`);
  }
}

/** Values of env fieldRefs that can be read off the pod itself. */
function fieldRefValue(pod: any, path: string): string {
  const md = obj(pod?.metadata);
  switch (path) {
    case 'metadata.name':
      return String(md.name ?? '');
    case 'metadata.namespace':
      return String(md.namespace ?? '');
    case 'metadata.uid':
      return String(md.uid ?? '');
    case 'spec.nodeName':
      return String(pod?.spec?.nodeName ?? '');
    case 'spec.serviceAccountName':
      return String(pod?.spec?.serviceAccountName ?? '');
    case 'status.hostIP':
      return String(pod?.status?.hostIP ?? '');
    case 'status.podIP':
      return String(pod?.status?.podIP ?? '');
    case 'status.podIPs':
      return arr(pod?.status?.podIPs).map((p) => p?.ip).join(',');
  }
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return String(obj(md[m[1]!])[m[2]!] ?? '');
  return '';
}

function describeContainers(w: Writer, label: string, containers: any[], statuses: any[] | undefined, pod: any | undefined, space: string): void {
  const byName = new Map(arr(statuses).map((s) => [s?.name, s]));
  w.write(0, `${space}${label}:${containers.length ? '' : ' <none>'}\n`);
  const nameIndent = space ? ' ' : '';
  for (const c of containers) {
    const st = byName.get(c?.name);
    w.write(1, `${nameIndent}${c?.name}:\n`);
    if (st) w.write(2, `Container ID:\t${st.containerID ?? ''}\n`);
    w.write(2, `Image:\t${c?.image ?? ''}\n`);
    if (st) w.write(2, `Image ID:\t${st.imageID ?? ''}\n`);
    const ports = arr(c?.ports);
    const fmtPort = (n: unknown, p: any): string => `${n ?? 0}/${p?.protocol ?? 'TCP'}${p?.name ? ` (${p.name})` : ''}`;
    const portString = ports.map((p) => fmtPort(p?.containerPort, p)).join(', ');
    const hostString = ports.map((p) => fmtPort(p?.hostPort, p)).join(', ');
    w.write(2, ports.length > 1 ? `Ports:\t${portString}\n` : `Port:\t${portString || '<none>'}\n`);
    w.write(2, ports.length > 1 ? `Host Ports:\t${hostString}\n` : `Host Port:\t${hostString || '<none>'}\n`);
    if (c?.restartPolicy) w.write(2, `Restart Policy:\t${c.restartPolicy}\n`);
    for (const [title, list] of [
      ['Command', c?.command],
      ['Args', c?.args],
    ] as const) {
      if (!arr(list).length) continue;
      w.write(2, `${title}:\n`);
      for (const item of arr(list)) for (const s of String(item).split('\n')) w.write(3, `${s}\n`);
    }
    if (st) {
      containerState(w, 'State', st.state);
      if (st.lastState?.terminated) containerState(w, 'Last State', st.lastState);
      w.write(2, `Ready:\t${titleBool(st.ready)}\n`);
      w.write(2, `Restart Count:\t${st.restartCount ?? 0}\n`);
    }
    for (const [title, list] of [
      ['Limits', c?.resources?.limits],
      ['Requests', c?.resources?.requests],
    ] as const) {
      const m = obj(list);
      if (!Object.keys(m).length) continue;
      w.write(2, `${title}:\n`);
      for (const k of sortedKeys(m)) w.write(3, `${k}:\t${m[k]}\n`);
    }
    for (const [title, probe] of [
      ['Liveness', c?.livenessProbe],
      ['Readiness', c?.readinessProbe],
      ['Startup', c?.startupProbe],
    ] as const) {
      if (probe) w.write(2, `${title}:\t${describeProbe(probe)}\n`);
    }
    const envFrom = arr(c?.envFrom);
    if (envFrom.length) {
      w.write(2, 'Environment Variables from:\n');
      for (const e of envFrom) {
        const ref = e?.configMapRef ?? e?.secretRef ?? {};
        const from = e?.configMapRef ? 'ConfigMap' : 'Secret';
        const withPrefix = e?.prefix ? `${from} with prefix '${e.prefix}'` : from;
        w.write(3, `${ref.name ?? ''}\t${withPrefix}\tOptional: ${goBool(ref.optional)}\n`);
      }
    }
    const env = arr(c?.env);
    w.write(2, `Environment:${env.length ? '' : '\t<none>'}\n`);
    for (const e of env) {
      const vf = e?.valueFrom;
      if (!vf) {
        String(e?.value ?? '')
          .split('\n')
          .forEach((s, i) => w.write(3, i === 0 ? `${e?.name}:\t${s}\n` : `\t${s}\n`));
      } else if (vf.fieldRef) {
        const v = pod ? fieldRefValue(pod, String(vf.fieldRef.fieldPath ?? '')) : '';
        w.write(3, `${e.name}:\t${v} (${vf.fieldRef.apiVersion ?? 'v1'}:${vf.fieldRef.fieldPath})\n`);
      } else if (vf.resourceFieldRef) {
        const res = String(vf.resourceFieldRef.resource ?? '');
        const [kind, name] = res.split('.') as [string, string];
        const q = obj(c?.resources?.[kind])[name];
        const v = q === undefined ? (kind === 'limits' ? 'node allocatable' : '0') : String(q);
        w.write(3, `${e.name}:\t${v} (${res})\n`);
      } else if (vf.secretKeyRef) {
        w.write(3, `${e.name}:\t<set to the key '${vf.secretKeyRef.key}' in secret '${vf.secretKeyRef.name}'>\tOptional: ${goBool(vf.secretKeyRef.optional)}\n`);
      } else if (vf.configMapKeyRef) {
        w.write(3, `${e.name}:\t<set to the key '${vf.configMapKeyRef.key}' of config map '${vf.configMapKeyRef.name}'>\tOptional: ${goBool(vf.configMapKeyRef.optional)}\n`);
      }
    }
    const mounts = [...arr(c?.volumeMounts)].sort((a, b) => (String(a?.mountPath) < String(b?.mountPath) ? -1 : 1));
    w.write(2, `Mounts:${mounts.length ? '' : '\t<none>'}\n`);
    for (const m of mounts) {
      const flags = [m?.readOnly ? 'ro' : 'rw'];
      if (m?.subPath) flags.push(`path=${JSON.stringify(m.subPath)}`);
      w.write(3, `${m?.mountPath} from ${m?.name} (${flags.join(',')})\n`);
    }
  }
}

function describeVolumes(w: Writer, volumes: any[], space: string): void {
  if (!volumes.length) {
    w.write(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(0, `${space}Volumes:\n`);
  const nameIndent = space ? ' ' : '';
  for (const v of volumes) {
    w.write(1, `${nameIndent}${v?.name}:\n`);
    if (v?.hostPath) {
      w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${v.hostPath.path}\n`);
      w.write(2, `    HostPathType:\t${v.hostPath.type || '<none>'}\n`);
    } else if (v?.emptyDir) {
      w.write(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${v.emptyDir.medium ?? ''}\n    SizeLimit:\t${v.emptyDir.sizeLimit || '<unset>'}\n`);
    } else if (v?.configMap) {
      w.write(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${v.configMap.name}\n    Optional:\t${goBool(v.configMap.optional)}\n`);
    } else if (v?.secret) {
      w.write(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${v.secret.secretName}\n    Optional:\t${goBool(v.secret.optional)}\n`);
    } else if (v?.persistentVolumeClaim) {
      w.write(2, `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${v.persistentVolumeClaim.claimName}\n    ReadOnly:\t${goBool(v.persistentVolumeClaim.readOnly)}\n`);
    } else if (v?.projected) {
      w.write(2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
      const opt = (o: unknown): string => (o === undefined || o === null ? '<nil>' : goBool(o));
      for (const s of arr(v.projected.sources)) {
        if (s?.serviceAccountToken) w.write(2, `TokenExpirationSeconds:\t${s.serviceAccountToken.expirationSeconds ?? 3600}\n`);
        else if (s?.configMap) w.write(2, `ConfigMapName:\t${s.configMap.name}\n    ConfigMapOptional:\t${opt(s.configMap.optional)}\n`);
        else if (s?.secret) w.write(2, `SecretName:\t${s.secret.name}\n    SecretOptionalName:\t${opt(s.secret.optional)}\n`);
        else if (s?.downwardAPI) w.write(2, 'DownwardAPI:\ttrue\n');
      }
    } else if (v?.downwardAPI) {
      w.write(2, 'Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n');
      for (const it of arr(v.downwardAPI.items)) {
        const src = it?.fieldRef?.fieldPath ?? it?.resourceFieldRef?.resource ?? '';
        w.write(3, `  ${src} -> ${it?.path}\n`);
      }
    } else {
      const kind = Object.keys(obj(v)).find((k) => k !== 'name');
      w.write(2, `Type:\t${kind ? kind.charAt(0).toUpperCase() + kind.slice(1) : '<unknown>'}\n`);
    }
  }
}

// ---------------------------------------------------------------- kinds

function describePod(pod: any, ctx: DescribeContext): string {
  const w = new Writer();
  const md = obj(pod?.metadata);
  const spec = obj(pod?.spec);
  const status = obj(pod?.status);
  w.write(0, `Name:\t${md.name ?? ''}\n`);
  w.write(0, `Namespace:\t${md.namespace ?? ''}\n`);
  if (spec.priority !== undefined) w.write(0, `Priority:\t${spec.priority}\n`);
  if (spec.priorityClassName) w.write(0, `Priority Class Name:\t${spec.priorityClassName}\n`);
  if (spec.runtimeClassName) w.write(0, `Runtime Class Name:\t${spec.runtimeClassName}\n`);
  if (spec.serviceAccountName) w.write(0, `Service Account:\t${spec.serviceAccountName}\n`);
  w.write(0, `Node:\t${spec.nodeName ? `${spec.nodeName}/${status.hostIP ?? ''}` : '<none>'}\n`);
  if (status.startTime) w.write(0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  labelsMultiline(w, 'Labels', md.labels);
  annotationsMultiline(w, 'Annotations', md.annotations);
  if (md.deletionTimestamp && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
    w.write(0, `Status:\tTerminating (lasts ${since(md.deletionTimestamp, ctx.now)})\n`);
    w.write(0, `Termination Grace Period:\t${md.deletionGracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30}s\n`);
  } else {
    w.write(0, `Status:\t${status.phase ?? 'Unknown'}\n`);
  }
  if (status.reason) w.write(0, `Reason:\t${status.reason}\n`);
  if (status.message) w.write(0, `Message:\t${status.message}\n`);
  w.write(0, `IP:\t${status.podIP ?? ''}\n`);
  const ips = arr(status.podIPs);
  if (!ips.length) w.write(0, 'IPs:\t<none>\n');
  else {
    w.write(0, 'IPs:\n');
    for (const ip of ips) w.write(1, `IP:\t${ip?.ip ?? ''}\n`);
  }
  const owner = ownerOf(pod);
  if (owner) w.write(0, `Controlled By:\t${owner.kind}/${owner.name}\n`);
  if (status.nominatedNodeName) w.write(0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);
  if (arr(spec.initContainers).length) describeContainers(w, 'Init Containers', arr(spec.initContainers), status.initContainerStatuses, pod, '');
  describeContainers(w, 'Containers', arr(spec.containers), status.containerStatuses, pod, '');
  const conds = arr(status.conditions);
  if (conds.length) {
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of conds) w.write(1, `${c?.type} \t${c?.status} \n`);
  }
  describeVolumes(w, arr(spec.volumes), '');
  w.write(0, `QoS Class:\t${podQos(pod)}\n`);
  labelsMultiline(w, 'Node-Selectors', spec.nodeSelector);
  tolerationsMultiline(w, 'Tolerations', spec.tolerations);
  describeEvents(w, pod, ctx);
  return w.toString();
}

function resourceList(w: Writer, title: string, list: unknown): void {
  const m = obj(list);
  if (!Object.keys(m).length) return;
  w.write(0, `${title}:\n`);
  for (const k of sortedKeys(m)) w.write(0, `  ${k}:\t${m[k]}\n`);
}

function describeNode(node: any, ctx: DescribeContext): string {
  const w = new Writer();
  const md = obj(node?.metadata);
  const spec = obj(node?.spec);
  const status = obj(node?.status);
  const info = obj(status.nodeInfo);
  w.write(0, `Name:\t${md.name ?? ''}\n`);
  const roles = nodeRoles(node);
  w.write(0, `Roles:\t${roles.length ? roles.join(',') : '<none>'}\n`);
  labelsMultiline(w, 'Labels', md.labels);
  annotationsMultiline(w, 'Annotations', md.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(md.creationTimestamp)}\n`);
  const taints = [...arr(spec.taints)].sort((a, b) => {
    const ka = `${a?.effect ?? ''},${a?.key ?? ''}`;
    const kb = `${b?.effect ?? ''},${b?.key ?? ''}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  w.write(0, 'Taints:\t');
  if (!taints.length) w.write(0, '<none>\n');
  taints.forEach((t, i) => w.write(0, `${i ? '\t' : ''}${taintString(t)}\n`));
  w.write(0, `Unschedulable:\t${goBool(spec.unschedulable)}\n`);
  const conds = arr(status.conditions);
  if (conds.length) {
    w.write(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of conds) {
      w.write(1, `${c?.type} \t${c?.status} \t${rfc1123z(c?.lastHeartbeatTime)} \t${rfc1123z(c?.lastTransitionTime)} \t${c?.reason ?? ''} \t${c?.message ?? ''}\n`);
    }
  }
  w.write(0, 'Addresses:\n');
  for (const a of arr(status.addresses)) w.write(1, `${a?.type}:\t${a?.address}\n`);
  resourceList(w, 'Capacity', status.capacity);
  resourceList(w, 'Allocatable', status.allocatable);
  w.write(0, 'System Info:\n');
  for (const [label, key] of [
    ['Machine ID', 'machineID'],
    ['System UUID', 'systemUUID'],
    ['Boot ID', 'bootID'],
    ['Kernel Version', 'kernelVersion'],
    ['OS Image', 'osImage'],
    ['Operating System', 'operatingSystem'],
    ['Architecture', 'architecture'],
    ['Container Runtime Version', 'containerRuntimeVersion'],
    ['Kubelet Version', 'kubeletVersion'],
    ['Kube-Proxy Version', 'kubeProxyVersion'],
  ]) {
    w.write(0, `  ${label}:\t${info[key!] ?? ''}\n`);
  }
  if (spec.podCIDR) w.write(0, `PodCIDR:\t${spec.podCIDR}\n`);
  if (arr(spec.podCIDRs).length) w.write(0, `PodCIDRs:\t${arr(spec.podCIDRs).join(',')}\n`);
  if (spec.providerID) w.write(0, `ProviderID:\t${spec.providerID}\n`);

  if (ctx.pods) {
    const pods = ctx.pods.filter(
      (p) => (!p?.spec?.nodeName || p.spec.nodeName === md.name) && p?.status?.phase !== 'Succeeded' && p?.status?.phase !== 'Failed',
    );
    const alloc = obj(Object.keys(obj(status.allocatable)).length ? status.allocatable : status.capacity);
    const allocCpu = parseCpu(alloc.cpu);
    const allocMem = parseMem(alloc.memory);
    w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
    w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
    w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
    const total = { rc: 0, lc: 0, rm: 0, lm: 0 };
    for (const p of pods) {
      const { requests, limits } = podResources(p);
      total.rc += requests.cpuMilli;
      total.lc += limits.cpuMilli;
      total.rm += requests.memBytes;
      total.lm += limits.memBytes;
      w.write(
        1,
        `${p?.metadata?.namespace ?? ''}\t${p?.metadata?.name ?? ''}\t\t` +
          `${fmtQuantityCpu(requests.cpuMilli)} (${percent(requests.cpuMilli, allocCpu)})\t` +
          `${fmtQuantityCpu(limits.cpuMilli)} (${percent(limits.cpuMilli, allocCpu)})\t` +
          `${fmtQuantityMem(requests.memBytes)} (${percent(requests.memBytes, allocMem)})\t` +
          `${fmtQuantityMem(limits.memBytes)} (${percent(limits.memBytes, allocMem)})\t` +
          `${since(p?.metadata?.creationTimestamp, ctx.now)}\n`,
      );
    }
    w.write(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
    w.write(1, 'Resource\tRequests\tLimits\n');
    w.write(1, '--------\t--------\t------\n');
    w.write(1, `cpu\t${fmtQuantityCpu(total.rc)} (${percent(total.rc, allocCpu)})\t${fmtQuantityCpu(total.lc)} (${percent(total.lc, allocCpu)})\n`);
    w.write(1, `memory\t${fmtQuantityMem(total.rm)} (${percent(total.rm, allocMem)})\t${fmtQuantityMem(total.lm)} (${percent(total.lm, allocMem)})\n`);
  }
  describeEvents(w, node, ctx);
  return w.toString();
}

function describePodTemplate(w: Writer, template: any): void {
  w.write(0, 'Pod Template:\n');
  if (!template) {
    w.write(1, '<unset>\n');
    return;
  }
  const md = obj(template.metadata);
  const spec = obj(template.spec);
  labelsMultiline(w, '  Labels', md.labels);
  if (Object.keys(obj(md.annotations)).length) annotationsMultiline(w, '  Annotations', md.annotations);
  if (spec.serviceAccountName) w.write(1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (arr(spec.initContainers).length) describeContainers(w, 'Init Containers', arr(spec.initContainers), undefined, undefined, '  ');
  describeContainers(w, 'Containers', arr(spec.containers), undefined, undefined, '  ');
  describeVolumes(w, arr(spec.volumes), '  ');
  if (spec.priorityClassName) w.write(1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  labelsMultiline(w, '  Node-Selectors', spec.nodeSelector);
  tolerationsMultiline(w, '  Tolerations', spec.tolerations);
}

const REVISION = 'deployment.kubernetes.io/revision';

/** A pod template with the pod-template-hash label dropped, for comparing a replica set to its deployment. */
function templateKey(t: any): string {
  const copy = JSON.parse(JSON.stringify(t ?? {}));
  if (copy?.metadata?.labels) delete copy.metadata.labels['pod-template-hash'];
  const canon = (v: any): any =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v;
  return JSON.stringify(canon(copy));
}

function describeDeployment(d: any, ctx: DescribeContext): string {
  const w = new Writer();
  const md = obj(d?.metadata);
  const spec = obj(d?.spec);
  const status = obj(d?.status);
  w.write(0, `Name:\t${md.name ?? ''}\n`);
  w.write(0, `Namespace:\t${md.namespace ?? ''}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(md.creationTimestamp)}\n`);
  labelsMultiline(w, 'Labels', md.labels);
  annotationsMultiline(w, 'Annotations', md.annotations);
  w.write(0, `Selector:\t${formatSelector(spec.selector) || '<none>'}\n`);
  const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
  const desired = spec.replicas ?? 1;
  w.write(
    0,
    `Replicas:\t${desired} desired | ${n(status.updatedReplicas)} updated | ${n(status.replicas)} total | ${n(status.availableReplicas)} available | ${n(status.unavailableReplicas)} unavailable\n`,
  );
  const strategy = obj(spec.strategy);
  w.write(0, `StrategyType:\t${strategy.type ?? 'RollingUpdate'}\n`);
  w.write(0, `MinReadySeconds:\t${spec.minReadySeconds ?? 0}\n`);
  if ((strategy.type ?? 'RollingUpdate') === 'RollingUpdate') {
    const ru = obj(strategy.rollingUpdate);
    w.write(0, `RollingUpdateStrategy:\t${ru.maxUnavailable ?? '25%'} max unavailable, ${ru.maxSurge ?? '25%'} max surge\n`);
  }
  describePodTemplate(w, spec.template);
  const conds = arr(status.conditions);
  if (conds.length) {
    w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(1, '----\t------\t------\n');
    for (const c of conds) w.write(1, `${c?.type} \t${c?.status}\t${c?.reason ?? ''}\n`);
  }
  if (ctx.replicaSets) {
    const owned = ctx.replicaSets.filter((rs) =>
      arr(rs?.metadata?.ownerReferences).some((o) => (md.uid && o?.uid ? o.uid === md.uid : o?.kind === 'Deployment' && o?.name === md.name)),
    );
    const rev = md.annotations?.[REVISION];
    const tkey = templateKey(spec.template);
    const newRS =
      owned.find((rs) => rev !== undefined && rs?.metadata?.annotations?.[REVISION] === rev) ??
      owned.find((rs) => templateKey(rs?.spec?.template) === tkey);
    const old = owned.filter((rs) => rs !== newRS && (n(rs?.spec?.replicas) > 0 || n(rs?.status?.replicas) > 0));
    const fmt = (list: any[]): string =>
      list.map((rs) => `${rs?.metadata?.name} (${n(rs?.status?.replicas)}/${rs?.spec?.replicas ?? 1} replicas created)`).join(', ') || '<none>';
    w.write(0, `OldReplicaSets:\t${fmt(old)}\n`);
    w.write(0, `NewReplicaSet:\t${fmt(newRS ? [newRS] : [])}\n`);
  }
  describeEvents(w, d, ctx);
  return w.toString();
}

/** base64 text -> decoded byte count, without decoding. */
function base64Bytes(s: unknown): number {
  const t = String(s ?? '').replace(/\s/g, '');
  const padding = t.endsWith('==') ? 2 : t.endsWith('=') ? 1 : 0;
  return Math.max(Math.floor((t.length * 3) / 4) - padding, 0);
}

/** Secrets: sizes only, never values. */
function describeSecret(s: any, ctx: DescribeContext): string {
  const w = new Writer();
  const md = obj(s?.metadata);
  w.write(0, `Name:\t${md.name ?? ''}\n`);
  w.write(0, `Namespace:\t${md.namespace ?? ''}\n`);
  labelsMultiline(w, 'Labels', md.labels);
  annotationsMultiline(w, 'Annotations', md.annotations);
  w.write(0, `\nType:\t${s?.type ?? 'Opaque'}\n`);
  w.write(0, '\nData\n====\n');
  const data = obj(s?.data);
  for (const k of sortedKeys(data)) w.write(0, `${k}:\t${base64Bytes(data[k])} bytes\n`);
  describeEvents(w, s, ctx);
  return w.toString();
}

/** kubectl's smartLabelFor: "apiVersion" -> "API Version", "podIP" -> "Pod IP". */
export function smartLabel(field: string): string {
  if (/[^A-Za-z-]/.test(field) || field === '') return field;
  const runs = field.match(/[a-z]+|[A-Z]+|-+/g) ?? [field];
  // an upper-case run followed by a lower-case run gives its last letter to it: "HTTPServer" -> HTTP Server
  const parts: string[] = [];
  for (let i = 0; i < runs.length; i++) {
    let r = runs[i]!;
    const next = runs[i + 1];
    if (/^[A-Z]+$/.test(r) && next && /^[a-z]/.test(next)) {
      if (r.length > 1) parts.push(r.slice(0, -1));
      runs[i + 1] = r.slice(-1) + next;
      continue;
    }
    parts.push(r);
  }
  const acronyms = new Set(['API', 'URL', 'UID', 'OSB', 'GUID']);
  return parts
    .map((p) => (acronyms.has(p.toUpperCase()) ? p.toUpperCase() : p.charAt(0).toUpperCase() + p.slice(1)))
    .join(' ');
}

const GENERIC_SKIP = new Set(['.metadata.managedFields', '.metadata.name', '.metadata.namespace', '.metadata.labels', '.metadata.annotations']);

function unstructured(w: Writer, level: number, content: Record<string, any>, prefix: string): void {
  for (const field of sortedKeys(content)) {
    const path = `${prefix}.${field}`;
    if (GENERIC_SKIP.has(path)) continue;
    const v = content[field];
    if (Array.isArray(v)) {
      w.write(level, `${smartLabel(field)}:\n`);
      for (const child of v) {
        if (child && typeof child === 'object' && !Array.isArray(child)) unstructured(w, level + 1, child, path);
        else w.write(level + 1, `${child === null ? '<nil>' : typeof child === 'object' ? JSON.stringify(child) : child}\n`);
      }
    } else if (v && typeof v === 'object') {
      w.write(level, `${smartLabel(field)}:\n`);
      unstructured(w, level + 1, v, path);
    } else {
      w.write(level, `${smartLabel(field)}:\t${v === null ? '<nil>' : v}\n`);
    }
  }
}

function describeGeneric(o: any, ctx: DescribeContext): string {
  const w = new Writer();
  const md = obj(o?.metadata);
  w.write(0, `Name:\t${md.name ?? ''}\n`);
  w.write(0, `Namespace:\t${md.namespace ?? ''}\n`);
  labelsMultiline(w, 'Labels', md.labels);
  annotationsMultiline(w, 'Annotations', md.annotations);
  unstructured(w, 0, obj(o), '');
  describeEvents(w, o, ctx);
  return w.toString();
}

/** Secret-looking objects without a kind (list items) are described as Secrets all the same. */
export function isSecret(o: any): boolean {
  if (o?.kind) return o.kind === 'Secret';
  return typeof o?.type === 'string' && (o?.data !== undefined || o?.stringData !== undefined) && o?.spec === undefined;
}

export function describe(o: any, ctx: DescribeContext): string {
  const text = describeKind(o, ctx);
  // what could not be read is said, not left out as if there were nothing
  return ctx.errors?.length ? `${text.replace(/\n*$/, '\n')}\n${ctx.errors.map((e) => `Not shown: ${e}`).join('\n')}\n` : text;
}

function describeKind(o: any, ctx: DescribeContext): string {
  if (isSecret(o)) return describeSecret(o, ctx);
  switch (o?.kind) {
    case 'Pod':
      return describePod(o, ctx);
    case 'Node':
      return describeNode(o, ctx);
    case 'Deployment':
      return describeDeployment(o, ctx);
    default:
      return describeGeneric(o, ctx);
  }
}
