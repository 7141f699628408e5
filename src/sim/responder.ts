/**
 * What listens inside a simulated pod: every TCP containerPort of a running container answers
 * HTTP/1.1 (keep-alive and pipelining included). There is no real listener: a port-forward
 * "connection" is one end of an in-memory duplex pair whose other end is handed to an HTTP
 * server that never listens.
 *
 *   GET /              200 "hello from POD in NS, container C, port N"
 *   GET /healthz       200 "ok"
 *   GET /bytes?n=N     200, N bytes of a repeating printable pattern (for bigger transfers)
 *   anything else      404; bytes that are not HTTP get a 400 and the connection closes
 */
import http from 'node:http';
import { duplexPair, type Duplex } from 'node:stream';

/** The largest body /bytes serves. */
export const MAX_BYTES = 64 * 1024 * 1024;

interface Target {
  pod: string;
  namespace: string;
  container: string;
  port: number;
}

const targets = new WeakMap<object, Target>();
/** the pod ends of connections not yet closed. */
const open = new Set<Duplex>();
let server: http.Server | undefined;

/** The container of a running pod that declares `port` as a TCP containerPort. */
export function declaredPort(pod: any, port: number): { container: string } | undefined {
  for (const c of pod?.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.containerPort === port && (p.protocol ?? 'TCP') === 'TCP') return { container: c.name };
    }
  }
  return undefined;
}

/** Whether the named container of the pod is up (a crash-looping one has nothing listening). */
function containerRunning(pod: any, container: string): boolean {
  if (pod?.status?.phase !== 'Running') return false;
  const st = (pod.status.containerStatuses ?? []).find((s: any) => s.name === container);
  return !!st?.state?.running;
}

/**
 * A connection to `port` inside the pod, or the reason there is none, worded as the node's
 * runtime words a failed dial.
 */
export function dialPod(pod: any, port: number): Duplex | Error {
  const decl = declaredPort(pod, port);
  if (!decl || !containerRunning(pod, decl.container)) {
    return new Error(`failed to connect to localhost:${port} inside namespace "${pod?.metadata?.uid ?? ''}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `);
  }
  const [client, inPod] = duplexPair();
  // the two ends of a pair do not take each other down: a reset on one side is a reset on both
  const cut = () => {
    client.destroy();
    inPod.destroy();
  };
  client.once('close', cut);
  inPod.once('close', () => {
    open.delete(inPod);
    cut();
  });
  open.add(inPod);
  targets.set(inPod, { pod: pod.metadata.name, namespace: pod.metadata.namespace, container: decl.container, port });
  responder().emit('connection', inPod);
  return client;
}

/** Connections into pods still open (tests check that forwards leave none behind). */
export function openPodConnections(): number {
  return open.size;
}

/** The body of GET /bytes?n=N: lines of the alphabet, cut at N bytes. */
export function bytesBody(n: number): Buffer {
  const line = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_\n');
  const out = Buffer.alloc(n);
  for (let at = 0; at < n; at += line.length) line.copy(out, at, 0, Math.min(line.length, n - at));
  return out;
}

function responder(): http.Server {
  if (server) return server;
  const s = http.createServer({ keepAlive: true }, handle);
  // http.Server answers garbage with a 400 and drops the socket; do it with a body and a clean end
  s.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
    const body = 'bad request\n';
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  });
  server = s;
  return s;
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const t = targets.get(req.socket);
  const url = new URL(req.url ?? '/', 'http://pod');
  const send = (code: number, body: string | Buffer, type = 'text/plain; charset=utf-8') => {
    res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), Server: 'kmux-sim' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (!t) return send(500, 'no pod behind this connection\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(405, 'method not allowed\n');
  }
  switch (url.pathname) {
    case '/':
      return send(200, `hello from ${t.pod} in ${t.namespace}, container ${t.container}, port ${t.port}\n`);
    case '/healthz':
      return send(200, 'ok');
    case '/bytes': {
      const n = Number(url.searchParams.get('n') ?? '1024');
      if (!Number.isInteger(n) || n < 0 || n > MAX_BYTES) return send(400, `n must be a whole number from 0 to ${MAX_BYTES}\n`);
      return send(200, bytesBody(n), 'application/octet-stream');
    }
    default:
      return send(404, 'not found\n');
  }
}
