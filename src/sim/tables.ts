/**
 * Server-side printing: the meta.k8s.io/v1 Table columns and cells a 1.32 API server answers for
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. The server always prints "wide" (priority-1
 * cells included); kubectl hides priority-1 columns unless `-o wide`.
 */

export interface ColumnDefinition { name: string; type: string; format: string; description: string; priority: number }
export interface Printer { columns: ColumnDefinition[]; cells(obj: any, now: number /* ms epoch */): unknown[] }

// ---------------------------------------------------------------------------------------------
// Durations and ages

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration, for a duration in milliseconds. */
export function humanDuration(ms: number): string {
  const s = Math.trunc(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(ms / 60_000);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(ms / 3_600_000);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  if (h < 24 * 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (h < 24 * 365 * 8) return d % 365 ? `${y}y${d % 365}d` : `${y}y`;
  return `${y}y`;
}

const ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');
/** Milliseconds of a timestamp, or undefined for a missing, zero or unparsable one. */
function ms(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || !ts) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) || t <= ZERO_TIME ? undefined : t;
}

/** translateTimestampSince: "<unknown>" for a missing timestamp, else the age of it. */
export function age(ts: string | undefined, now: number): string {
  const t = ms(ts);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

// ---------------------------------------------------------------------------------------------
// JSONPath (the subset CRD additionalPrinterColumns use)

type Step =
  | { k: 'field'; names: string[] }
  | { k: 'wild' }
  | { k: 'deep' }
  | { k: 'index'; idx: number[] }
  | { k: 'slice'; from?: number; to?: number; step?: number }
  | { k: 'filter'; left: Step[]; op?: string; right?: { path?: Step[]; lit?: unknown } };

const pathCache = new Map<string, Step[]>();

function parsePath(src: string): Step[] {
  let p = src.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('$') || p.startsWith('@')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  const name = (): string => {
    let n = '';
    while (i < p.length && p[i] !== '.' && p[i] !== '[') {
      if (p[i] === '\\' && i + 1 < p.length) i++;
      n += p[i++];
    }
    return n;
  };
  while (i < p.length) {
    if (p.startsWith('..', i)) {
      i += 2;
      steps.push({ k: 'deep' });
      if (p[i] === '*') { i++; steps.push({ k: 'wild' }); } else if (p[i] !== '[') steps.push({ k: 'field', names: [name()] });
    } else if (p[i] === '.') {
      i++;
      if (p[i] === '*') { i++; steps.push({ k: 'wild' }); } else { const n = name(); if (n) steps.push({ k: 'field', names: [n] }); }
    } else if (p[i] === '[') {
      let j = i + 1, depth = 0, quote = '';
      for (; j < p.length; j++) {
        const ch = p[j];
        if (quote) { if (ch === '\\') j++; else if (ch === quote) quote = ''; } else if (ch === '"' || ch === "'") quote = ch;
        else if (ch === '(') depth++;
        else if (ch === ')') depth--;
        else if (ch === ']' && depth === 0) break;
      }
      steps.push(bracket(p.slice(i + 1, j).trim()));
      i = j + 1;
    } else {
      steps.push({ k: 'field', names: [name()] });
    }
  }
  return steps;
}

function literal(s: string): unknown {
  s = s.trim();
  if (/^(['"]).*\1$/s.test(s)) return s.slice(1, -1).replace(/\\(.)/g, '$1');
  if (s === 'true' || s === 'false') return s === 'true';
  if (s === 'null') return null;
  const n = Number(s);
  return s !== '' && !Number.isNaN(n) ? n : s;
}

function bracket(inner: string): Step {
  if (inner === '*') return { k: 'wild' };
  const f = /^\?\((.*)\)$/s.exec(inner);
  if (f) {
    const m = /^(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/s.exec(f[1].trim());
    if (!m) return { k: 'filter', left: parsePath(f[1]) };
    const r = m[3].trim();
    return { k: 'filter', left: parsePath(m[1]), op: m[2], right: r.startsWith('@') ? { path: parsePath(r) } : { lit: literal(r) } };
  }
  if (/^['"]/.test(inner)) return { k: 'field', names: inner.split(/\s*,\s*/).map((x) => String(literal(x))) };
  if (inner.includes(':')) {
    const [a, b, c] = inner.split(':').map((x) => (x.trim() === '' ? undefined : Number(x)));
    return { k: 'slice', from: a, to: b, step: c };
  }
  return { k: 'index', idx: inner.split(',').map((x) => Number(x.trim())) };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function descendants(v: unknown, out: unknown[]): unknown[] {
  out.push(v);
  if (Array.isArray(v)) v.forEach((x) => descendants(x, out));
  else if (isObj(v)) Object.keys(v).sort().forEach((k) => descendants(v[k], out));
  return out;
}

function compare(a: unknown, op: string | undefined, b: unknown): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return typeof a === 'number' && typeof b === 'number' && a < b;
    case '>': return typeof a === 'number' && typeof b === 'number' && a > b;
    case '<=': return typeof a === 'number' && typeof b === 'number' && a <= b;
    case '>=': return typeof a === 'number' && typeof b === 'number' && a >= b;
  }
  return false;
}

function walk(nodes: unknown[], steps: Step[]): unknown[] {
  for (const st of steps) {
    const next: unknown[] = [];
    for (const v of nodes) {
      if (v === null || v === undefined) continue;
      switch (st.k) {
        case 'field':
          if (isObj(v)) for (const n of st.names) if (Object.hasOwn(v, n)) next.push(v[n]);
          break;
        case 'wild':
          if (Array.isArray(v)) next.push(...v);
          else if (isObj(v)) for (const k of Object.keys(v).sort()) next.push(v[k]);
          break;
        case 'deep':
          descendants(v, next);
          break;
        case 'index':
          if (Array.isArray(v)) for (const i of st.idx) { const j = i < 0 ? v.length + i : i; if (j >= 0 && j < v.length) next.push(v[j]); }
          break;
        case 'slice':
          if (Array.isArray(v)) {
            const n = v.length, step = st.step || 1;
            const clamp = (x: number | undefined, d: number) => (x === undefined ? d : Math.min(Math.max(x < 0 ? n + x : x, 0), n));
            for (let i = clamp(st.from, 0); i < clamp(st.to, n); i += Math.max(step, 1)) next.push(v[i]);
          }
          break;
        case 'filter':
          if (Array.isArray(v)) {
            for (const el of v) {
              const left = walk([el], st.left);
              if (!st.op) { if (left.length) next.push(el); continue; }
              if (!left.length) continue;
              const right = st.right?.path ? walk([el], st.right.path)[0] : st.right?.lit;
              if (compare(left[0], st.op, right)) next.push(el);
            }
          }
          break;
      }
    }
    nodes = next;
  }
  return nodes;
}

function jsonPathAll(obj: unknown, path: string): unknown[] {
  let steps = pathCache.get(path);
  if (!steps) { steps = parsePath(path); pathCache.set(path, steps); }
  return walk([obj], steps);
}

/** A simple JSONPath: undefined when nothing matches, the value for one match, an array for several. */
export function evalJsonPath(obj: any, path: string): unknown {
  const r = jsonPathAll(obj, path);
  return r.length === 0 ? undefined : r.length === 1 ? r[0] : r;
}

// ---------------------------------------------------------------------------------------------
// Go-style text of JSON values (what client-go's jsonpath prints for string columns)

function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const [mant, e] = n.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 21 || (!Number.isInteger(n) && exp >= 6)) {
    return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${goJson(k)}:${goJson(v[k])}`).join(',')}}`;
  if (typeof v === 'string') {
    return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  return v === undefined ? 'null' : JSON.stringify(v);
}

function goText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '<no value>';
  return goJson(v);
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the printers

const C = (name: string, type = 'string', priority = 0, description = '', format = ''): ColumnDefinition =>
  ({ name, type, format, description, priority });
const NAME = C('Name', 'string', 0, 'Name must be unique within a namespace.', 'name');
const AGE_DESC = 'CreationTimestamp is a timestamp representing the server time when this object was created.';
const AGE = C('Age', 'string', 0, AGE_DESC);
const CONTAINERS = C('Containers', 'string', 1, 'Names of each container in the template.');
const IMAGES = C('Images', 'string', 1, 'Images referenced by each container in the template.');
const SELECTOR = C('Selector', 'string', 1, 'A label query over the objects this one manages.');

const nameOf = (o: any): string => o?.metadata?.name ?? '';
const ageOf = (o: any, now: number): string => age(o?.metadata?.creationTimestamp, now);
const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const condTrue = (conds: unknown, type: string): boolean => list(conds).some((c) => c?.type === type && c?.status === 'True');

/** labels.FormatLabels: sorted k=v pairs, "<none>" when empty. */
function formatLabels(m: unknown): string {
  const s = isObj(m) ? Object.keys(m).sort().map((k) => `${k}=${m[k]}`).join(',') : '';
  return s || '<none>';
}

/** metav1.LabelSelectorAsSelector(...).String(); null when the selector is invalid. */
function selectorString(sel: any): string | null {
  if (!isObj(sel)) return '';
  const reqs: [string, string][] = [];
  for (const [k, v] of Object.entries(isObj(sel.matchLabels) ? sel.matchLabels : {})) reqs.push([k, `${k}=${v}`]);
  for (const e of list(sel.matchExpressions)) {
    const vals = [...new Set(list(e?.values).map(String))].sort().join(',');
    const op = e?.operator;
    if (op === 'In') reqs.push([e.key, `${e.key} in (${vals})`]);
    else if (op === 'NotIn') reqs.push([e.key, `${e.key} notin (${vals})`]);
    else if (op === 'Exists') reqs.push([e.key, `${e.key}`]);
    else if (op === 'DoesNotExist') reqs.push([e.key, `!${e.key}`]);
    else return null;
  }
  return reqs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((r) => r[1]).join(',');
}
/** metav1.FormatLabelSelector */
const formatSelector = (sel: any): string => { const s = selectorString(sel); return s === null ? '<error>' : s || '<none>'; };

function containerCells(podSpec: any): [string, string] {
  const cs = list(podSpec?.containers);
  return [cs.map((c) => c?.name ?? '').join(','), cs.map((c) => c?.image ?? '').join(',')];
}

// ---------------------------------------------------------------------------------------------
// Pods

const finishedAt = (c: any): number => ms(c?.lastState?.terminated?.finishedAt) ?? -Infinity;

function podCells(o: any, now: number): unknown[] {
  const spec = o.spec ?? {}, st = o.status ?? {};
  const inits = list(spec.initContainers);
  const sidecars = new Set(inits.filter((c) => c?.restartPolicy === 'Always').map((c) => c.name));
  const total = list(spec.containers).length + sidecars.size;
  let ready = 0, restarts = 0, sideRestarts = 0, last = -Infinity, sideLast = -Infinity;
  let reason: string = st.reason || st.phase || '';
  if (list(st.conditions).some((c) => c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  const ics = list(st.initContainerStatuses);
  for (let i = 0; i < ics.length; i++) {
    const c = ics[i] ?? {}, s = c.state ?? {}, side = sidecars.has(c.name);
    restarts += int(c.restartCount);
    last = Math.max(last, finishedAt(c));
    if (side) { sideRestarts += int(c.restartCount); sideLast = Math.max(sideLast, finishedAt(c)); }
    if (s.terminated && int(s.terminated.exitCode) === 0) continue;
    if (side && c.started) { if (c.ready) ready++; continue; }
    if (s.terminated) {
      const t = s.terminated;
      reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${int(t.signal)}` : `Init:ExitCode:${int(t.exitCode)}`;
    } else if (s.waiting?.reason && s.waiting.reason !== 'PodInitializing') {
      reason = `Init:${s.waiting.reason}`;
    } else {
      reason = `Init:${i}/${inits.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || condTrue(st.conditions, 'Initialized')) {
    restarts = sideRestarts;
    last = sideLast;
    let hasRunning = false;
    const cs = list(st.containerStatuses);
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i] ?? {}, s = c.state ?? {};
      restarts += int(c.restartCount);
      last = Math.max(last, finishedAt(c));
      if (s.waiting?.reason) reason = s.waiting.reason;
      else if (s.terminated?.reason) reason = s.terminated.reason;
      else if (s.terminated) reason = s.terminated.signal ? `Signal:${int(s.terminated.signal)}` : `ExitCode:${int(s.terminated.exitCode)}`;
      else if (c.ready && s.running) { hasRunning = true; ready++; }
    }
    if (reason === 'Completed' && hasRunning) reason = condTrue(st.conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  if (o.metadata?.deletionTimestamp) {
    if (st.reason === 'NodeLost') reason = 'Unknown';
    else if (st.phase !== 'Succeeded' && st.phase !== 'Failed') reason = 'Terminating';
  }

  const restartsCell = restarts !== 0 && last > -Infinity ? `${restarts} (${humanDuration(now - last)} ago)` : String(restarts);
  const gates = list(spec.readinessGates);
  let gatesCell = '<none>';
  if (gates.length) {
    const conds = list(st.conditions);
    const ok = gates.filter((g) => conds.find((c) => c?.type === g?.conditionType)?.status === 'True').length;
    gatesCell = `${ok}/${gates.length}`;
  }
  return [
    nameOf(o), `${ready}/${total}`, reason, restartsCell, ageOf(o, now),
    list(st.podIPs)[0]?.ip || st.podIP || '<none>', spec.nodeName || '<none>', st.nominatedNodeName || '<none>', gatesCell,
  ];
}

// ---------------------------------------------------------------------------------------------
// Other built-in kinds

function nodeCells(o: any, now: number): unknown[] {
  const st = o.status ?? {}, ni = st.nodeInfo ?? {};
  const rc = list(st.conditions).findLast((c) => c?.type === 'Ready');
  const status = [rc ? (rc.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (o.spec?.unschedulable) status.push('SchedulingDisabled');
  const roles = new Set<string>();
  const prefix = 'node-role.kubernetes.io/';
  for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) {
    if (k.startsWith(prefix)) { if (k.length > prefix.length) roles.add(k.slice(prefix.length)); }
    else if (k === 'kubernetes.io/role' && v) roles.add(String(v));
  }
  const addr = (t: string): string => list(st.addresses).find((a) => a?.type === t)?.address || '<none>';
  return [
    nameOf(o), status.join(','), [...roles].sort().join(',') || '<none>', ageOf(o, now), ni.kubeletVersion ?? '',
    addr('InternalIP'), addr('ExternalIP'), ni.osImage || '<unknown>', ni.kernelVersion || '<unknown>', ni.containerRuntimeVersion || '<unknown>',
  ];
}

function serviceExternalIP(o: any): string {
  const spec = o.spec ?? {}, ext = list(spec.externalIPs).map(String);
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set(list(o.status?.loadBalancer?.ingress).map((i) => i?.ip || i?.hostname).filter(Boolean))].sort();
      if (ext.length) return [...lb, ...ext].join(',');
      return lb.length ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
  }
  return '<unknown>';
}

function serviceCells(o: any, now: number): unknown[] {
  const spec = o.spec ?? {};
  const ports = list(spec.ports).map((p) => `${int(p?.port)}${int(p?.nodePort) > 0 ? `:${int(p.nodePort)}` : ''}/${p?.protocol || 'TCP'}`).join(',');
  const clusterIP = (Array.isArray(spec.clusterIPs) ? spec.clusterIPs[0] : spec.clusterIP) || '<none>';
  return [nameOf(o), spec.type ?? 'ClusterIP', clusterIP, serviceExternalIP(o), ports || '<none>', ageOf(o, now), formatLabels(spec.selector)];
}

function formatEndpoints(o: any): string {
  const subsets = list(o.subsets);
  if (!subsets.length) return '<none>';
  const max = 3, out: string[] = [];
  let count = 0, more = false;
  const add = (s: string) => { if (out.length === max) more = true; else out.push(s); };
  for (const ss of subsets) {
    const addrs = list(ss?.addresses), ports = list(ss?.ports);
    if (!ports.length) { count += addrs.length; addrs.forEach((a) => add(a?.ip ?? '')); continue; }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) { const ip = String(a?.ip ?? ''); add(`${ip.includes(':') ? `[${ip}]` : ip}:${int(p?.port)}`); }
    }
  }
  return more ? `${out.join(',')} + ${count - max} more...` : out.join(',');
}

function eventCells(o: any, now: number): unknown[] {
  const first = ms(o.firstTimestamp) !== undefined ? age(o.firstTimestamp, now) : age(o.eventTime, now);
  let last = ms(o.lastTimestamp) !== undefined ? age(o.lastTimestamp, now) : first;
  let count = int(o.count);
  if (o.series) { last = age(o.series.lastObservedTime, now); count = int(o.series.count); } else if (count === 0) count = 1;
  const io = o.involvedObject ?? {}, kind = String(io.kind ?? '').toLowerCase();
  const component = o.source?.component || o.reportingController || '';
  const instance = o.source?.host || o.reportingInstance || '';
  return [
    last, o.type ?? '', o.reason ?? '', io.name ? `${kind}/${io.name}` : kind, io.fieldPath ?? '',
    instance ? `${component}, ${instance}` : component, String(o.message ?? '').trim(), first, count, nameOf(o),
  ];
}

const ACCESS_MODES: [string, string][] = [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']];

function pvcCells(o: any, now: number): unknown[] {
  const spec = o.spec ?? {}, st = o.status ?? {};
  const bound = !!spec.volumeName;
  const modes = ACCESS_MODES.filter(([m]) => list(st.accessModes).includes(m)).map(([, s]) => s).join(',');
  const annotated = o.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'];
  return [
    nameOf(o), o.metadata?.deletionTimestamp ? 'Terminating' : st.phase ?? '', spec.volumeName ?? '',
    bound ? formatQuantity(st.capacity?.storage) : '', bound ? modes : '',
    annotated ?? spec.storageClassName ?? '', spec.volumeAttributesClassName ?? '<unset>', ageOf(o, now), spec.volumeMode ?? '<unset>',
  ];
}

function jobCells(o: any, now: number): unknown[] {
  const spec = o.spec ?? {}, st = o.status ?? {}, conds = st.conditions;
  const succeeded = int(st.succeeded);
  const parallelism = int(spec.parallelism);
  const completions = typeof spec.completions === 'number' ? `${succeeded}/${int(spec.completions)}`
    : parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
  const start = ms(st.startTime), end = ms(st.completionTime);
  const duration = start === undefined ? '' : humanDuration((end ?? now) - start);
  const status = condTrue(conds, 'Complete') ? 'Complete'
    : condTrue(conds, 'Failed') ? 'Failed'
    : o.metadata?.deletionTimestamp ? 'Terminating'
    : condTrue(conds, 'Suspended') ? 'Suspended'
    : condTrue(conds, 'FailureTarget') ? 'FailureTarget'
    : condTrue(conds, 'SuccessCriteriaMet') ? 'SuccessCriteriaMet'
    : 'Running';
  return [nameOf(o), status, completions, duration, ageOf(o, now), ...containerCells(spec.template?.spec), formatSelector(spec.selector)];
}

function cronJobCells(o: any, now: number): unknown[] {
  const spec = o.spec ?? {}, jt = spec.jobTemplate?.spec ?? {};
  const lastSchedule = o.status?.lastScheduleTime ? age(o.status.lastScheduleTime, now) : '<none>';
  return [
    nameOf(o), spec.schedule ?? '', spec.timeZone ?? '<none>', spec.suspend ? 'True' : 'False', list(o.status?.active).length,
    lastSchedule, ageOf(o, now), ...containerCells(jt.template?.spec), formatSelector(jt.selector),
  ];
}

const intOrString = (v: unknown): string => (v === undefined || v === null ? 'N/A' : String(v));
const replicas = (spec: any): number => (typeof spec?.replicas === 'number' ? int(spec.replicas) : 1);
const count = (m: unknown): number => (isObj(m) ? Object.keys(m).length : 0);

// ---------------------------------------------------------------------------------------------
// metrics.k8s.io (metrics-server's own table convertor: Name, one column per resource, Window)

const DEC_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const NANO = 10n ** 9n;
interface Qty { nano: bigint; fmt: 'bin' | 'dec' | 'exp' }

function parseQuantity(v: unknown): Qty | undefined {
  if (typeof v === 'number') v = String(v);
  const m = typeof v === 'string' ? /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/.exec(v.trim()) : null;
  if (!m || (!m[2] && !m[3])) return undefined;
  const frac = m[3] ?? '';
  let num = BigInt((m[2] || '0') + frac) * NANO;
  let den = 10n ** BigInt(frac.length);
  let fmt: Qty['fmt'] = 'dec';
  if (m[4] !== undefined) {
    fmt = 'exp';
    const e = Number(m[4]);
    if (e >= 0) num *= 10n ** BigInt(e); else den *= 10n ** BigInt(-e);
  } else if (m[5]?.endsWith('i')) {
    fmt = 'bin';
    num *= 1024n ** BigInt(BIN_SUFFIX.indexOf(m[5]));
  } else {
    const e = DEC_SUFFIX[m[5] ?? ''];
    if (e >= 0) num *= 10n ** BigInt(e); else den *= 10n ** BigInt(-e);
  }
  const nano = (num + den - 1n) / den;
  return { nano: m[1] === '-' ? -nano : nano, fmt };
}

/** resource.Quantity.String(): the canonical form. */
function canonical(q: Qty | undefined): string {
  if (!q || q.nano === 0n) return '0';
  const neg = q.nano < 0n, abs = neg ? -q.nano : q.nano, sign = neg ? '-' : '';
  if (q.fmt === 'bin' && abs >= 1024n * NANO && abs % NANO === 0n) {
    let n = abs / NANO, k = 0;
    while (k < 6 && n % 1024n === 0n) { n /= 1024n; k++; }
    return `${sign}${n}${BIN_SUFFIX[k]}`;
  }
  let n = abs, e = -9;
  while (e < 18 && n % 1000n === 0n) { n /= 1000n; e += 3; }
  const suffix = q.fmt === 'exp' ? (e ? `e${e}` : '') : Object.keys(DEC_SUFFIX).find((k) => DEC_SUFFIX[k] === e)!;
  return `${sign}${n}${suffix}`;
}

const formatQuantity = (v: unknown): string => canonical(parseQuantity(v));

function sumQuantities(vals: unknown[]): string {
  let acc: Qty | undefined;
  for (const v of vals) {
    const q = parseQuantity(v);
    if (!q) continue;
    acc = !acc || acc.nano === 0n ? { nano: (acc?.nano ?? 0n) + q.nano, fmt: q.fmt } : { nano: acc.nano + q.nano, fmt: acc.fmt };
  }
  return canonical(acc);
}

const METRIC_COLUMNS = [
  C('Name', 'string', 0, 'Name of the resource', 'name'),
  C('cpu', 'string', 0, '', 'quantity'),
  C('memory', 'string', 0, '', 'quantity'),
  C('Window', 'string', 0, '', 'duration'),
];


/** RoleBinding and ClusterRoleBinding: Name, Role (Kind/name), Age; wide: Users, Groups, ServiceAccounts (rbac.SubjectsStrings). */
function bindingPrinter(what: string): Printer {
  return P([
    NAME,
    C('Role', 'string', 0, 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.'),
    AGE,
    C('Users', 'string', 1, `Users in the ${what}`),
    C('Groups', 'string', 1, `Groups in the ${what}`),
    C('ServiceAccounts', 'string', 1, `ServiceAccounts in the ${what}`),
  ], (o, now) => {
    const subjects = list(o.subjects);
    const of = (kind: string) => subjects.filter((x) => x?.kind === kind);
    return [
      nameOf(o), `${o.roleRef?.kind ?? ''}/${o.roleRef?.name ?? ''}`, ageOf(o, now),
      of('User').map((x) => x.name).join(', '), of('Group').map((x) => x.name).join(', '),
      of('ServiceAccount').map((x) => `${x.namespace ?? ''}/${x.name}`).join(', '),
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// The printer table

type Cells = (o: any, now: number) => unknown[];
const P = (columns: ColumnDefinition[], cells: Cells): Printer => ({ columns, cells });

const BUILTIN: Record<string, Printer> = {
  '/Pod': P([
    NAME,
    C('Ready', 'string', 0, 'The aggregate readiness state of this pod for accepting traffic.'),
    C('Status', 'string', 0, 'The aggregate status of the containers in this pod.'),
    C('Restarts', 'string', 0, 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE,
    C('IP', 'string', 1, 'IP address allocated to the pod.'),
    C('Node', 'string', 1, 'The node this pod is scheduled to.'),
    C('Nominated Node', 'string', 1, 'The node the scheduler nominated for this pod when preempting.'),
    C('Readiness Gates', 'string', 1, 'Pod readiness gates that are satisfied, out of all of them.'),
  ], podCells),
  '/Node': P([
    NAME,
    C('Status', 'string', 0, 'The status of the node'),
    C('Roles', 'string', 0, 'The roles of the node'),
    AGE,
    C('Version', 'string', 0, 'Kubelet version reported by the node.'),
    C('Internal-IP', 'string', 1, 'Addresses reachable to the node.'),
    C('External-IP', 'string', 1, 'Addresses reachable to the node.'),
    C('OS-Image', 'string', 1, 'OS image reported by the node.'),
    C('Kernel-Version', 'string', 1, 'Kernel version reported by the node.'),
    C('Container-Runtime', 'string', 1, 'Container runtime version reported by the node.'),
  ], nodeCells),
  '/Namespace': P([NAME, C('Status', 'string', 0, 'The status of the namespace'), AGE],
    (o, now) => [nameOf(o), o.status?.phase ?? '', ageOf(o, now)]),
  '/Service': P([
    NAME,
    C('Type', 'string', 0, 'How the service is exposed.'),
    C('Cluster-IP', 'string', 0, 'The IP address of the service inside the cluster.'),
    C('External-IP', 'string', 0, 'IP addresses the service is reachable at from outside the cluster.'),
    C('Port(s)', 'string', 0, 'The ports the service exposes.'),
    AGE,
    C('Selector', 'string', 1, 'Labels of the pods the service routes traffic to.'),
  ], serviceCells),
  '/Endpoints': P([NAME, C('Endpoints', 'string', 0, 'The addresses and ports of the endpoints.'), AGE],
    (o, now) => [nameOf(o), formatEndpoints(o), ageOf(o, now)]),
  '/ConfigMap': P([NAME, C('Data', 'string', 0, 'Number of configuration data entries.'), AGE],
    (o, now) => [nameOf(o), count(o.data) + count(o.binaryData), ageOf(o, now)]),
  '/Secret': P([NAME, C('Type', 'string', 0, 'Used to facilitate programmatic handling of secret data.'), C('Data', 'string', 0, 'Number of secret data entries.'), AGE],
    (o, now) => [nameOf(o), o.type ?? 'Opaque', count(o.data), ageOf(o, now)]),
  '/ServiceAccount': P([NAME, C('Secrets', 'string', 0, 'Number of secrets referenced by the service account.'), AGE],
    (o, now) => [nameOf(o), list(o.secrets).length, ageOf(o, now)]),
  '/Event': P([
    C('Last Seen', 'string', 0, 'The time at which the most recent occurrence of this event was recorded.'),
    C('Type', 'string', 0, 'Type of this event (Normal, Warning).'),
    C('Reason', 'string', 0, 'Short, machine understandable reason for the event.'),
    C('Object', 'string', 0, 'The object this event is about.'),
    C('Subobject', 'string', 1, 'The part of the object this event is about.'),
    C('Source', 'string', 1, 'The component reporting this event.'),
    C('Message', 'string', 0, 'A human-readable description of the event.'),
    C('First Seen', 'string', 1, 'The time at which the event was first recorded.'),
    C('Count', 'string', 1, 'The number of times this event has occurred.'),
    C('Name', 'string', 1, 'Name must be unique within a namespace.', 'name'),
  ], eventCells),
  '/PersistentVolumeClaim': P([
    NAME,
    C('Status', 'string', 0, 'The current phase of the claim.'),
    C('Volume', 'string', 0, 'The binding reference to the volume backing this claim.'),
    C('Capacity', 'string', 0, 'The actual resources of the underlying volume.'),
    C('Access Modes', 'string', 0, 'The access modes the volume backing the claim has.'),
    C('StorageClass', 'string', 0, 'StorageClass of the pvc'),
    C('VolumeAttributesClass', 'string', 0, 'VolumeAttributesClass of the pvc'),
    AGE,
    C('VolumeMode', 'string', 1, 'What type of volume is required by the claim.'),
  ], pvcCells),
  'coordination.k8s.io/Lease': P([NAME, C('Holder', 'string', 0, 'The identity of the holder of the lease.'), AGE],
    (o, now) => [nameOf(o), o.spec?.holderIdentity ?? '', ageOf(o, now)]),
  'apps/Deployment': P([
    NAME,
    C('Ready', 'string', 0, 'Number of the pod with ready state'),
    C('Up-to-date', 'string', 0, 'Total number of pods targeted by this deployment that have the desired template.'),
    C('Available', 'string', 0, 'Total number of available pods targeted by this deployment.'),
    AGE, CONTAINERS, IMAGES, SELECTOR,
  ], (o, now) => {
    const st = o.status ?? {}, sel = selectorString(o.spec?.selector);
    return [nameOf(o), `${int(st.readyReplicas)}/${replicas(o.spec)}`, int(st.updatedReplicas), int(st.availableReplicas), ageOf(o, now),
      ...containerCells(o.spec?.template?.spec), sel === null ? '<invalid>' : sel];
  }),
  'apps/ReplicaSet': P([
    NAME,
    C('Desired', 'integer', 0, 'The number of desired replicas.'),
    C('Current', 'integer', 0, 'The most recently observed number of replicas.'),
    C('Ready', 'integer', 0, 'The number of ready replicas.'),
    AGE, CONTAINERS, IMAGES, SELECTOR,
  ], (o, now) => [nameOf(o), replicas(o.spec), int(o.status?.replicas), int(o.status?.readyReplicas), ageOf(o, now),
    ...containerCells(o.spec?.template?.spec), formatSelector(o.spec?.selector)]),
  'apps/StatefulSet': P([NAME, C('Ready', 'string', 0, 'Number of the pod with ready state'), AGE, CONTAINERS, IMAGES],
    (o, now) => [nameOf(o), `${int(o.status?.readyReplicas)}/${replicas(o.spec)}`, ageOf(o, now), ...containerCells(o.spec?.template?.spec)]),
  'apps/DaemonSet': P([
    NAME,
    C('Desired', 'integer', 0, 'The number of nodes that should be running the daemon pod.'),
    C('Current', 'integer', 0, 'The number of nodes running at least one daemon pod that are supposed to.'),
    C('Ready', 'integer', 0, 'The number of nodes with a ready daemon pod.'),
    C('Up-to-date', 'integer', 0, 'The number of nodes running the updated daemon pod.'),
    C('Available', 'integer', 0, 'The number of nodes with an available daemon pod.'),
    C('Node Selector', 'string', 0, 'Labels a node must have for the pod to fit on it.'),
    AGE, CONTAINERS, IMAGES, SELECTOR,
  ], (o, now) => {
    const st = o.status ?? {};
    return [nameOf(o), int(st.desiredNumberScheduled), int(st.currentNumberScheduled), int(st.numberReady), int(st.updatedNumberScheduled),
      int(st.numberAvailable), formatLabels(o.spec?.template?.spec?.nodeSelector), ageOf(o, now),
      ...containerCells(o.spec?.template?.spec), formatSelector(o.spec?.selector)];
  }),
  'batch/Job': P([
    NAME,
    C('Status', 'string', 0, 'Status of the job.'),
    C('Completions', 'string', 0, 'The number of pods which reached phase Succeeded.'),
    C('Duration', 'string', 0, 'Time required to complete the job.'),
    AGE, CONTAINERS, IMAGES, SELECTOR,
  ], jobCells),
  'batch/CronJob': P([
    NAME,
    C('Schedule', 'string', 0, 'The schedule in Cron format.'),
    C('Timezone', 'string', 0, 'The time zone name for the schedule.'),
    C('Suspend', 'boolean', 0, 'Whether subsequent executions are suspended.'),
    C('Active', 'integer', 0, 'The number of currently running jobs.'),
    C('Last Schedule', 'string', 0, 'When the job was last successfully scheduled.'),
    AGE, CONTAINERS, IMAGES, SELECTOR,
  ], cronJobCells),
  'policy/PodDisruptionBudget': P([
    NAME,
    C('Min Available', 'string', 0, 'The minimum number of pods that must be available.'),
    C('Max Unavailable', 'string', 0, 'The maximum number of pods that may be unavailable.'),
    C('Allowed Disruptions', 'integer', 0, 'Calculated number of pods that may be disrupted at this time.'),
    AGE,
  ], (o, now) => [nameOf(o), intOrString(o.spec?.minAvailable), intOrString(o.spec?.maxUnavailable), int(o.status?.disruptionsAllowed), ageOf(o, now)]),
  'rbac.authorization.k8s.io/RoleBinding': bindingPrinter('roleBinding'),
  'rbac.authorization.k8s.io/ClusterRoleBinding': bindingPrinter('clusterRoleBinding'),
  'metrics.k8s.io/NodeMetrics': P(METRIC_COLUMNS,
    (o) => [nameOf(o), formatQuantity(o.usage?.cpu), formatQuantity(o.usage?.memory), o.window ?? '0s']),
  'metrics.k8s.io/PodMetrics': P(METRIC_COLUMNS, (o) => {
    const cs = list(o.containers);
    return [nameOf(o), sumQuantities(cs.map((c) => c?.usage?.cpu)), sumQuantities(cs.map((c) => c?.usage?.memory)), o.window ?? '0s'];
  }),
};

/** rest.NewDefaultTableConvertor: Name and Created At (RFC3339, UTC, whole seconds). */
const DEFAULT_PRINTER = P(
  [NAME, C('Created At', 'date', 0, AGE_DESC)],
  (o) => {
    const t = ms(o?.metadata?.creationTimestamp);
    return [nameOf(o), t === undefined ? '0001-01-01T00:00:00Z' : new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z')];
  },
);

// ---------------------------------------------------------------------------------------------
// Custom resources (apiextensions-apiserver's table convertor)

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function crdCell(type: string, found: unknown[], now: number): unknown {
  if (!found.length) return null;
  const v = found[0];
  if (type === 'string') return goText(v);
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'integer': return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number': return typeof v === 'number' ? v : null;
    case 'boolean': return typeof v === 'boolean' ? v : null;
    case 'date': {
      if (typeof v !== 'string') return null;
      if (v === '' || v === 'null') return '<unknown>';
      if (!RFC3339.test(v)) return '<invalid>';
      return age(v, now);
    }
  }
  return null;
}

function crdPrinter(crd: any, version?: string): Printer {
  const versions = list(crd?.spec?.versions);
  const v = versions.find((x) => x?.name === version) ?? versions.find((x) => x?.storage) ?? versions[0] ?? {};
  const defs = list(v.additionalPrinterColumns).length
    ? list(v.additionalPrinterColumns)
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: AGE_DESC }];
  const columns = [NAME, ...defs.map((d) => C(
    d.name, d.type, int(d.priority),
    d.description || `Custom resource definition column (in JSONPath format): ${d.jsonPath}`, d.format ?? '',
  ))];
  return P(columns, (o, now) => [nameOf(o), ...defs.map((d) => crdCell(d.type, jsonPathAll(o, d.jsonPath ?? ''), now))]);
}

/**
 * The printer for objects of a kind (group '' for core). For custom resources pass the
 * CustomResourceDefinition and the version being served: Name, then the version's
 * additionalPrinterColumns (an Age column when it has none). Kinds without a printer of their own
 * (CustomResourceDefinition itself, anything unknown) get the server's default Name / Created At table.
 */
export function printerFor(kind: string, group: string, crd?: any, version?: string): Printer {
  if (crd) return crdPrinter(crd, version);
  return BUILTIN[`${group}/${kind}`] ?? DEFAULT_PRINTER;
}
