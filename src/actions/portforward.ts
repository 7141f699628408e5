/**
 * Port-forwarding in kmux's own process: a local TCP listener per forward; every accepted
 * connection opens one WebSocket to the pod's `portforward` subresource (the channel protocol:
 * channel 0 data, 1 errors, each channel's first frame carries the port). A forward outlives
 * the views, counts the bytes it moves, and when its pod goes away it moves to a running pod
 * of the same workload (same template labels) on the next connection or health check.
 */
import net from 'node:net';
import type { WebSocket } from 'ws';
import { ApiError, type Connection } from '../kube/connection.js';

export const PORTFORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'portforward.k8s.io'];

/** Labels that name one pod or one revision, not the workload: left out when looking for a sibling. */
const REVISION_LABELS = new Set([
  'pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index', 'pod-template-generation', 'batch.kubernetes.io/controller-uid',
  'controller-uid', 'batch.kubernetes.io/job-name', 'job-name',
]);

export interface ForwardSpec {
  context: string;
  namespace: string;
  pod: string;
  container?: string;
  /** the pod's port */
  remotePort: number;
  /** the local port (0 = any free one) */
  localPort: number;
  /** the local address to listen on */
  address?: string;
}

export type ForwardState = 'starting' | 'active' | 'reconnecting' | 'error' | 'stopped';

export interface ForwardInfo extends Required<Omit<ForwardSpec, 'container'>> {
  id: number;
  container?: string;
  state: ForwardState;
  message: string;
  /** bytes from the pod to local clients */
  bytesIn: number;
  /** bytes from local clients to the pod */
  bytesOut: number;
  connections: number;
  totalConnections: number;
  startedAt: number;
}

/** A running pod of the same workload as `pod`, or undefined. */
export async function findSibling(conn: Connection, namespace: string, labels: Record<string, string>, exclude?: string): Promise<string | undefined> {
  const sel = Object.entries(labels).filter(([k]) => !REVISION_LABELS.has(k)).map(([k, v]) => `${k}=${v}`).join(',');
  if (!sel) return undefined;
  const res = await conn.json<any>('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { query: { labelSelector: sel } });
  const usable = (res.items ?? []).filter((p: any) => p.metadata.name !== exclude && p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
  const ready = usable.filter((p: any) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
  return (ready[0] ?? usable[0])?.metadata.name;
}

/** The portforward frames of one TCP connection: strips the port prefix of each channel's first frame. */
export class ChannelDecoder {
  private readonly seen = new Set<number>();
  /** (channel, payload) of a frame; payload empty for the port prefix */
  decode(frame: Buffer): { channel: number; data: Buffer } {
    const channel = frame[0];
    let data = frame.subarray(1);
    if (!this.seen.has(channel)) {
      this.seen.add(channel);
      data = data.subarray(2);
    }
    return { channel, data };
  }
}

export class PortForward {
  readonly info: ForwardInfo;
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private labels?: Record<string, string>;
  private health?: NodeJS.Timeout;
  private resolving?: Promise<boolean>;
  private stopped = false;

  constructor(
    private readonly conn: Connection,
    spec: ForwardSpec,
    id: number,
    private readonly changed: () => void = () => {},
    private readonly healthEveryMs = 5_000,
  ) {
    this.info = {
      id, context: spec.context, namespace: spec.namespace, pod: spec.pod, container: spec.container, remotePort: spec.remotePort,
      localPort: spec.localPort, address: spec.address ?? '127.0.0.1', state: 'starting', message: '',
      bytesIn: 0, bytesOut: 0, connections: 0, totalConnections: 0, startedAt: Date.now(),
    };
  }

  get url(): string {
    return `http://${this.info.address.includes(':') ? `[${this.info.address}]` : this.info.address}:${this.info.localPort}`;
  }

  /** Check the pod, then listen. Rejects (and the forward is stopped) when either fails. */
  async start(): Promise<void> {
    try {
      const pod = await this.conn.json<any>('GET', this.podPath(this.info.pod));
      if (pod.status?.phase !== 'Running') throw new Error(`pod ${this.info.pod} is ${pod.status?.phase ?? 'not running'}`);
      this.labels = pod.metadata.labels ?? {};
      // half-open: a client that has sent its whole request (and shut its side) still gets the answer
      const server = net.createServer({ allowHalfOpen: true }, (s) => void this.accept(s));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.info.localPort, this.info.address, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (e) => this.set('error', e.message));
      this.server = server;
      this.info.localPort = (server.address() as net.AddressInfo).port;
      this.set('active', '');
      this.health = setInterval(() => void this.check(), this.healthEveryMs);
      this.health.unref();
    } catch (e) {
      this.set('stopped', describe(e));
      throw e instanceof Error && (e as any).code === 'EADDRINUSE'
        ? new Error(`local port ${this.info.localPort} is in use`)
        : e instanceof Error && (e as any).code === 'EACCES' ? new Error(`local port ${this.info.localPort} needs privileges`) : e;
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.health);
    this.server?.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.set('stopped', 'stopped');
  }

  private set(state: ForwardState, message: string): void {
    // nothing that was still in flight brings a stopped forward back
    if (this.stopped && state !== 'stopped') return;
    this.info.state = state;
    this.info.message = message;
    this.changed();
  }

  private podPath(pod: string): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.info.namespace)}/pods/${encodeURIComponent(pod)}`;
  }

  /** The pod still there and running? If not, move to a sibling. true when a pod is usable. */
  private async check(): Promise<boolean> {
    if (this.stopped) return false;
    try {
      const pod = await this.conn.json<any>('GET', this.podPath(this.info.pod));
      if (this.stopped) return false;
      if (pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp) {
        if (this.info.state !== 'active') this.set('active', '');
        return true;
      }
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) {
        this.set('reconnecting', describe(e));
        return false;
      }
    }
    return this.reconnect();
  }

  private reconnect(): Promise<boolean> {
    this.resolving ??= (async () => {
      const old = this.info.pod;
      this.set('reconnecting', `pod ${old} is gone; looking for another pod of the same workload`);
      try {
        const next = this.labels ? await findSibling(this.conn, this.info.namespace, this.labels, old) : undefined;
        if (this.stopped) return false;
        if (!next) {
          this.set('reconnecting', `pod ${old} is gone and no running pod of the same workload was found yet`);
          return false;
        }
        this.info.pod = next;
        this.set('active', `moved from ${old}`);
        return true;
      } catch (e) {
        this.set('reconnecting', describe(e));
        return false;
      } finally {
        this.resolving = undefined;
      }
    })();
    return this.resolving;
  }

  private open(pod: string, onMessage: (frame: Buffer) => void): Promise<WebSocket> {
    return this.conn.websocket(`${this.podPath(pod)}/portforward`, `ports=${this.info.remotePort}`, PORTFORWARD_PROTOCOLS, onMessage);
  }

  private async accept(sock: net.Socket): Promise<void> {
    this.sockets.add(sock);
    this.info.connections++;
    this.info.totalConnections++;
    this.changed();
    // what the local client sends before the tunnel is open waits here
    const pending: Buffer[] = [];
    const hold = (c: Buffer) => pending.push(c);
    sock.on('data', hold);
    sock.on('error', () => sock.destroy());
    let ws: WebSocket | undefined;
    // frames that arrive before the tunnel is wired up (the server speaks first) wait here
    let early: Buffer[] | undefined = [];
    let onFrame = (frame: Buffer): void => void early?.push(frame);
    const deliver = (frame: Buffer) => onFrame(frame);
    sock.once('close', () => {
      this.sockets.delete(sock);
      this.info.connections--;
      this.changed();
      ws?.close();
    });
    try {
      try {
        ws = await this.open(this.info.pod, deliver);
      } catch (e) {
        // the pod went away (404; not a 403 or a 500): move to another pod of the workload and try once more
        if (!(e instanceof ApiError && e.status === 404) || !(await this.reconnect())) throw e;
        early = [];
        ws = await this.open(this.info.pod, deliver);
      }
    } catch (e) {
      this.set(this.info.state === 'stopped' ? 'stopped' : 'error', describe(e));
      sock.destroy();
      return;
    }
    if (sock.destroyed || this.stopped) {
      ws.close();
      sock.destroy();
      return;
    }
    if (this.info.state !== 'active') this.set('active', '');
    const socket = ws;
    const decoder = new ChannelDecoder();
    let pausedPod = false;
    onFrame = (frame: Buffer) => {
      const { channel, data } = decoder.decode(frame);
      if (!data.length) return;
      if (channel === 0) {
        this.info.bytesIn += data.length;
        if (!sock.write(data) && !pausedPod) {
          // a slow local reader: stop reading the tunnel until it catches up (one listener)
          pausedPod = true;
          socket.pause();
          sock.once('drain', () => {
            pausedPod = false;
            socket.resume();
          });
        }
      } else if (channel === 1) {
        this.set('error', data.toString('utf8').trim());
        sock.destroy();
      }
    };
    for (const f of early ?? []) onFrame(f);
    early = undefined;
    const isOpen = () => socket.readyState === socket.OPEN;
    // the pod side is done: the client gets what came, nothing more is read from it, and a client
    // that keeps its side open is not waited for long
    socket.on('close', () => {
      sock.off('data', send);
      sock.end();
      setTimeout(() => sock.destroy(), 5000).unref();
    });
    socket.on('error', () => sock.destroy());
    const send = (c: Buffer) => {
      if (!isOpen()) return;
      this.info.bytesOut += c.length;
      socket.send(Buffer.concat([Buffer.from([0]), c]));
      if (socket.bufferedAmount > 1 << 20 && !sock.isPaused()) {
        // the tunnel is behind: stop reading the client until it has sent most of it
        sock.pause();
        const wait = () => {
          if (sock.destroyed || !isOpen()) return;
          if (socket.bufferedAmount > 1 << 18) setTimeout(wait, 5);
          else sock.resume();
        };
        setTimeout(wait, 5);
      }
    };
    sock.off('data', hold);
    for (const c of pending) send(c);
    sock.on('data', send);
    // the client's end (half-close) keeps the tunnel: the pod's answer still comes back
  }
}

function describe(e: unknown): string {
  return (e as Error)?.message ?? String(e);
}

/** Every forward of the session, across views. */
export class ForwardRegistry {
  private readonly forwards: PortForward[] = [];
  private nextId = 1;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly connFor: (context: string) => Connection) {}

  list(): ForwardInfo[] {
    return this.forwards.map((f) => f.info);
  }

  get(id: number): PortForward | undefined {
    return this.forwards.find((f) => f.info.id === id);
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }

  /** Start a forward; rejects with a clear message when the port is taken or the pod is not running. */
  async start(spec: ForwardSpec): Promise<PortForward> {
    const dup = this.forwards.find((f) => f.info.state !== 'stopped' && f.info.localPort === spec.localPort && spec.localPort !== 0 && f.info.address === (spec.address ?? '127.0.0.1'));
    if (dup) throw new Error(`local port ${spec.localPort} already forwards to ${dup.info.namespace}/${dup.info.pod}:${dup.info.remotePort}`);
    const f = new PortForward(this.connFor(spec.context), spec, this.nextId++, () => this.emit());
    await f.start();
    this.forwards.push(f);
    this.emit();
    return f;
  }

  stop(id: number): boolean {
    const i = this.forwards.findIndex((f) => f.info.id === id);
    if (i < 0) return false;
    this.forwards[i].stop();
    this.forwards.splice(i, 1);
    this.emit();
    return true;
  }

  dispose(): void {
    for (const f of this.forwards) f.stop();
    this.forwards.length = 0;
  }
}

/** Is `port` free on `address`? */
export function portFree(port: number, address = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, address, () => s.close(() => resolve(true)));
  });
}

/**
 * Local ports to offer for a pod port: the same number when it is free and unprivileged,
 * then nearby free ones (port+8000, port+10000, ...), `count` at most.
 */
export async function suggestPorts(remote: number, taken: Set<number>, count = 3, address = '127.0.0.1'): Promise<number[]> {
  const cands = [remote, remote + 8000, remote + 10000, remote + 20000, 8080, 8000, 9000, 18080, 28080]
    .filter((p) => p >= 1024 && p <= 65535);
  const out: number[] = [];
  for (const p of [...new Set(cands)]) {
    if (out.length >= count) break;
    if (!taken.has(p) && await portFree(p, address)) out.push(p);
  }
  return out;
}
