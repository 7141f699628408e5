/**
 * Container logs computed, not stored: line i of a container instance is a pure function of
 * the pod, the container, its restart count and i, stamped at start + i / rate. Memory stays
 * flat however long a fleet runs; `follow` just computes the lines as their time comes.
 */
import { hash32 } from './rand.js';
import { LOG_RATE_ANNOTATION, behaviourOf } from './pods.js';

/** Lines kept per container instance, as if the kubelet rotated older ones away. */
export const KEPT_LINES = 10_000;

export function logRate(pod: any, container: string): number {
  const a = Number(pod.metadata.annotations?.[LOG_RATE_ANNOTATION]);
  if (Number.isFinite(a) && a > 0) return a;
  return 0.2 + (hash32(`${pod.metadata.uid}/${container}`) % 180) / 100;
}

const PATHS = ['/', '/healthz', '/api/v1/orders', '/api/v1/users/42', '/static/app.js', '/api/v1/cart', '/login', '/metrics'];
const AGENTS = ['curl/8.5.0', 'kube-probe/1.32', 'Mozilla/5.0', 'Go-http-client/1.1', 'python-requests/2.32'];
const MSGS = ['request handled', 'cache hit', 'cache miss', 'connected to database', 'processed batch', 'flushed buffer', 'lease renewed', 'reconcile finished'];

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function clf(ms: number): string {
  const d = new Date(ms);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  return `${two(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

export function lineText(pod: any, container: string, instance: number, i: number, ms: number): string {
  const h = hash32(`${pod.metadata.uid}/${container}/${instance}/${i}`);
  const image = pod.spec.containers.find((c: any) => c.name === container)?.image ?? '';
  if (/nginx|envoy|haproxy|ingress/.test(image)) {
    const status = h % 50 === 0 ? 500 : h % 13 === 0 ? 404 : 200;
    return `10.244.${h % 32}.${(h >>> 8) % 250} - - [${clf(ms)}] "GET ${PATHS[h % PATHS.length]} HTTP/1.1" ${status} ${(h >>> 4) % 9000} "-" "${AGENTS[(h >>> 3) % AGENTS.length]}"`;
  }
  const level = h % 40 === 0 ? 'error' : h % 9 === 0 ? 'warn' : 'info';
  return `{"level":"${level}","ts":"${new Date(ms).toISOString()}","logger":"${container}","msg":"${MSGS[h % MSGS.length]}","seq":${i},"duration_ms":${h % 250}}`;
}

export interface Instance {
  instance: number;
  startMs: number;
  endMs?: number;
  crashed?: boolean;
}

/** The container instance whose logs `kubectl logs` shows (or the previous one). */
export function instanceOf(pod: any, container: string, previous: boolean): Instance | { error: string } {
  const st = pod.status?.containerStatuses?.find((s: any) => s.name === container);
  if (!st) return { error: `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating` };
  const restarts = st.restartCount ?? 0;
  const last = st.lastState?.terminated;
  if (previous) {
    if (!last) return { error: `previous terminated container "${container}" in pod "${pod.metadata.name}" not found` };
    return { instance: restarts - 1, startMs: Date.parse(last.startedAt), endMs: Date.parse(last.finishedAt), crashed: last.exitCode !== 0 };
  }
  if (st.state?.running) return { instance: restarts, startMs: Date.parse(st.state.running.startedAt) };
  if (st.state?.terminated) return { instance: restarts, startMs: Date.parse(st.state.terminated.startedAt), endMs: Date.parse(st.state.terminated.finishedAt) };
  if (last) return { instance: restarts - 1, startMs: Date.parse(last.startedAt), endMs: Date.parse(last.finishedAt), crashed: last.exitCode !== 0 };
  const reason = st.state?.waiting?.reason ?? 'ContainerCreating';
  return { error: `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${reason}` };
}

export interface LogOptions {
  sinceMs?: number;
  tailLines?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

export function format(pod: any, container: string, inst: Instance, i: number, rate: number, timestamps: boolean, crashLine: boolean): string {
  const ms = inst.startMs + (i * 1000) / rate;
  const text = crashLine
    ? `panic: runtime error: invalid memory address or nil pointer dereference [signal SIGSEGV: segmentation violation] in ${container}`
    : lineText(pod, container, inst.instance, i, ms);
  return timestamps ? `${new Date(ms).toISOString().replace('Z', '000000Z')} ${text}` : text;
}

/** Index range [from, to) of lines that exist at `now` and pass since/tail. */
export function lineRange(inst: Instance, rate: number, now: number, o: LogOptions): [number, number] {
  const end = Math.min(now, inst.endMs ?? now);
  const total = Math.max(0, Math.floor(((end - inst.startMs) * rate) / 1000) + 1);
  let from = Math.max(0, total - KEPT_LINES);
  if (o.sinceMs !== undefined) from = Math.max(from, Math.ceil(((o.sinceMs - inst.startMs) * rate) / 1000));
  if (o.tailLines !== undefined && o.tailLines >= 0) from = Math.max(from, total - o.tailLines);
  return [Math.min(from, total), total];
}

export function renderLines(pod: any, container: string, inst: Instance, from: number, to: number, o: LogOptions): string {
  const rate = logRate(pod, container);
  const crashy = inst.crashed || (behaviourOf(pod) === 'crashloop' && inst.endMs !== undefined);
  let out = '';
  for (let i = from; i < to; i++) {
    out += format(pod, container, inst, i, rate, !!o.timestamps, crashy && i === to - 1 && inst.endMs !== undefined) + '\n';
    if (o.limitBytes !== undefined && out.length >= o.limitBytes) return out.slice(0, o.limitBytes);
  }
  return out;
}
