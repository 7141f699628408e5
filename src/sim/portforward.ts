/**
 * Port-forward to a simulated pod's ports, over the three ways clients ask for it:
 *
 * - WebSocket, subprotocol `SPDY/3.1+portforward.k8s.io` (kubectl 1.31+ first tries this): a
 *   SPDY/3.1 session tunnelled in binary messages, exactly as below.
 * - `Upgrade: SPDY/3.1` with `X-Stream-Protocol-Version: portforward.k8s.io` (kubectl's fallback,
 *   and its only way before 1.31): a SPDY/3.1 session on the raw connection. Per local
 *   connection the client opens an `error` and a `data` stream, both with headers `streamtype`,
 *   `port` and `requestid`; the data stream is bridged to the port, a failure is written as text
 *   to the error stream.
 * - WebSocket, subprotocol `v4.channel.k8s.io` (also `portforward.k8s.io`, `channel.k8s.io` and
 *   the base64 variants; what @kubernetes/client-node uses): `?ports=P` (repeatable). For the i-th
 *   port, channel 2i carries data and 2i+1 errors; every message starts with its channel byte, and
 *   the first message on each channel is the port as a little-endian uint16. One WebSocket is one
 *   connection per port; it closes when the pod side does.
 *
 * Behind each: responder.ts, the HTTP server in every declared TCP containerPort.
 */
import { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { POD } from './cluster.js';
import { ApiError, badRequest } from './errors.js';
import { dialPod } from './responder.js';
import type { SimServer, UpgradeContext } from './server.js';
import { SpdySession, RST, type SpdyStream } from './spdy.js';

export const PORTFORWARD_PROTOCOL = 'portforward.k8s.io';
export const SPDY_TUNNEL_PROTOCOL = `SPDY/3.1+${PORTFORWARD_PROTOCOL}`;
/** WebSocket subprotocols served, and how each carries its channels. */
const WS_PROTOCOLS: Record<string, 'spdy' | ChannelEncoding> = {
  [SPDY_TUNNEL_PROTOCOL]: 'spdy',
  'v4.channel.k8s.io': 'binary',
  'v4.base64.channel.k8s.io': 'base64',
  [PORTFORWARD_PROTOCOL]: 'binary',
  'channel.k8s.io': 'binary',
  'base64.channel.k8s.io': 'base64',
};
/** How long the kubelet waits for the second stream of a pair. */
const STREAM_PAIR_TIMEOUT_MS = 30_000;

let wss: WebSocketServer | undefined;
/**
 * `ws` accepts only RFC 6455 tokens as subprotocols, and `SPDY/3.1+portforward.k8s.io` has a
 * slash: such a request goes through under a stand-in name, swapped back in the 101's headers.
 */
const WS_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const STAND_IN = 'x-kmux-sim-subprotocol';
const realProtocol = new WeakMap<object, string>();

type ChannelEncoding = 'binary' | 'base64';

/** One message on a channel: a leading channel byte (binary), or a channel digit and base64 (text). */
function writeChannel(ws: WebSocket, enc: ChannelEncoding, channel: number, payload: Buffer): void {
  if (ws.readyState !== ws.OPEN) return;
  if (enc === 'binary') ws.send(Buffer.concat([Buffer.from([channel]), payload]), { binary: true });
  else ws.send(String.fromCharCode(48 + channel) + payload.toString('base64'));
}

function readChannel(msg: RawData, isBinary: boolean): { channel: number; payload: Buffer } | undefined {
  const b = Array.isArray(msg) ? Buffer.concat(msg) : Buffer.from(msg as Buffer);
  if (b.length === 0) return undefined;
  if (isBinary) return { channel: b[0], payload: b.subarray(1) };
  const text = b.toString();
  return { channel: text.charCodeAt(0) - 48, payload: Buffer.from(text.slice(1), 'base64') };
}

/** A data channel as a stream: what is written goes out on the channel, what arrives is pushed. */
class ChannelStream extends Duplex {
  constructor(private readonly out: (chunk: Buffer) => void) {
    super();
    // writes racing a closed WebSocket are dropped, not thrown
    this.on('error', () => {});
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (chunk.length) this.out(chunk);
    cb();
  }
}

export function handlePortForward(ctx: UpgradeContext): void {
  const pod = ctx.pod;
  const name = pod.metadata.name;
  if (!pod.spec?.nodeName) return ctx.fail(badRequest(`pod ${name} does not have a host assigned`));
  if (pod.status?.phase !== 'Running') return ctx.fail(badRequest(`pod ${name} is not running (phase ${pod.status?.phase ?? 'Unknown'})`));
  const upgrade = String(ctx.req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') return webSocket(ctx);
  if (upgrade === 'spdy/3.1') return rawSpdy(ctx);
  ctx.fail(badRequest('unable to upgrade: missing upgrade headers in request'));
}

function headerList(v: string | string[] | undefined): string[] {
  return (Array.isArray(v) ? v : v ? [v] : []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

/** The subprotocol the client offered first among those served ('' when it offered none). */
function pickWsProtocol(offered: string[]): string | undefined {
  if (offered.length === 0) return '';
  return offered.find((p) => p in WS_PROTOCOLS);
}

function webSocket(ctx: UpgradeContext): void {
  const offered = headerList(ctx.req.headers['sec-websocket-protocol']);
  const protocol = pickWsProtocol(offered);
  if (protocol === undefined) {
    return ctx.fail(badRequest(`requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${Object.keys(WS_PROTOCOLS).join(' ')}]`));
  }
  const mode = protocol === '' ? 'binary' : WS_PROTOCOLS[protocol];
  let ports: number[] = [];
  if (mode !== 'spdy') {
    try {
      ports = parsePorts(ctx.url.searchParams.getAll('ports'));
    } catch (e) {
      return ctx.fail(e as ApiError);
    }
  }
  if (protocol) {
    // the only one left to choose: handleProtocols below takes it
    const wire = WS_TOKEN.test(protocol) ? protocol : STAND_IN;
    ctx.req.headers['sec-websocket-protocol'] = wire;
    if (wire !== protocol) realProtocol.set(ctx.req, protocol);
  }
  wss ??= webSocketServer();
  wss.handleUpgrade(ctx.req, ctx.socket, ctx.head, (ws) => {
    const link = new PodLink(ctx.server, ctx.pod);
    ws.on('close', () => link.close());
    ws.on('error', () => ws.terminate());
    if (mode === 'spdy') spdyOverWebSocket(ws, link);
    else channels(ws, link, ports, mode);
  });
}

function webSocketServer(): WebSocketServer {
  const server = new WebSocketServer({ noServer: true, clientTracking: false, handleProtocols: (set) => [...set][0] ?? false });
  server.on('headers', (lines, req) => {
    const real = realProtocol.get(req);
    if (!real) return;
    const i = lines.findIndex((l) => /^sec-websocket-protocol:/i.test(l));
    if (i >= 0) lines[i] = `Sec-WebSocket-Protocol: ${real}`;
  });
  return server;
}

/** `ports=8080&ports=9090` or `ports=8080,9090`, as PodPortForwardOptions takes them. */
function parsePorts(values: string[]): number[] {
  if (values.length === 0) throw badRequest('query parameter "port" is required');
  const out: number[] = [];
  for (const v of values.flatMap((x) => x.split(','))) {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n > 65535) throw badRequest(`unable to parse "${v}" as a port`);
    if (n < 1) throw badRequest(`port "${v}" must be > 0`);
    out.push(n);
  }
  return out;
}

/** The channel protocol: one connection per requested port, the WebSocket ends with them. */
function channels(ws: WebSocket, link: PodLink, ports: number[], enc: ChannelEncoding): void {
  const send = (ch: number, payload: Buffer) => writeChannel(ws, enc, ch, payload);
  const portBytes = (p: number) => Buffer.from([p & 0xff, p >> 8]);
  const data = ports.map((p, i) => {
    send(2 * i, portBytes(p));
    send(2 * i + 1, portBytes(p));
    return new ChannelStream((chunk) => send(2 * i, chunk));
  });
  ws.on('message', (msg: RawData, isBinary: boolean) => {
    const m = readChannel(msg, isBinary);
    // the error channels only go to the client
    if (m && m.channel % 2 === 0 && m.channel / 2 < data.length) data[m.channel / 2].push(m.payload);
  });
  ws.on('close', () => {
    for (const d of data) d.destroy();
  });
  const done = ports.map((p, i) => link.forward(p, data[i], (text) => send(2 * i + 1, Buffer.from(text))));
  void Promise.all(done).then(() => ws.close(1000));
}

function spdyOverWebSocket(ws: WebSocket, link: PodLink): void {
  const session = new SpdySession(
    { write: (b) => ws.send(b, { binary: true }), end: () => ws.close(1000) },
    { onStream: (s) => streamPairs.add(s) },
  );
  const streamPairs = new StreamPairs(link, session);
  ws.on('message', (msg: RawData, isBinary: boolean) => {
    // the tunnel carries binary messages only, as kubectl's tunnelling connection insists too
    if (!isBinary) return void ws.close(1003, 'binary messages only');
    session.feed(Array.isArray(msg) ? Buffer.concat(msg) : Buffer.from(msg as Buffer));
  });
  ws.on('close', () => {
    session.destroy();
    streamPairs.close();
  });
}

function rawSpdy(ctx: UpgradeContext): void {
  const { req, socket } = ctx;
  const offered = headerList(req.headers['x-stream-protocol-version']);
  // no version at all is a legacy client: served as port-forward v1
  if (offered.length && !offered.includes(PORTFORWARD_PROTOCOL)) {
    return ctx.fail(new ApiError(403, 'Forbidden', `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${PORTFORWARD_PROTOCOL}]`));
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORTFORWARD_PROTOCOL}\r\nDate: ${new Date().toUTCString()}\r\n\r\n`);
  const link = new PodLink(ctx.server, ctx.pod);
  const session = new SpdySession(
    { write: (b) => socket.write(b), end: () => socket.end() },
    { onStream: (s) => streamPairs.add(s) },
  );
  const streamPairs = new StreamPairs(link, session);
  socket.on('data', (b: Buffer) => session.feed(b));
  socket.on('end', () => socket.end());
  socket.on('close', () => {
    session.destroy();
    streamPairs.close();
    link.close();
  });
  if (ctx.head.length) session.feed(ctx.head);
}

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer?: NodeJS.Timeout;
}

/** The kubelet's side of a SPDY port-forward session: streams paired by request id, each pair one connection. */
class StreamPairs {
  private readonly pairs = new Map<string, Pair>();

  constructor(private readonly link: PodLink, private readonly session: SpdySession) {}

  add(s: SpdyStream): void {
    const type = s.header('streamtype');
    const portText = s.header('port');
    const port = Number(portText);
    if (!portText || !/^\d+$/.test(portText) || port < 1 || port > 65535 || (type !== 'data' && type !== 'error')) {
      return s.reset(RST.CANCEL);
    }
    // clients before request ids opened the error stream, then the data stream, two ids apart
    const id = s.header('requestid') ?? String(type === 'error' ? s.id : s.id - 2);
    let p = this.pairs.get(id);
    if (!p) {
      p = {};
      this.pairs.set(id, p);
      const pair = p;
      p.timer = setTimeout(() => this.expire(id, pair), STREAM_PAIR_TIMEOUT_MS);
      p.timer.unref();
    }
    if (p[type]) return s.reset(RST.CANCEL);
    p[type] = s;
    s.reply();
    // the client closes its end of the error stream at once; it is written to, never read
    if (type === 'error') s.resume();
    if (p.data && p.error) this.start(id, p as Required<Pair>);
  }

  close(): void {
    for (const p of this.pairs.values()) clearTimeout(p.timer);
    this.pairs.clear();
  }

  private start(id: string, p: Required<Pair>): void {
    clearTimeout(p.timer);
    this.pairs.delete(id);
    const port = Number(p.data.header('port'));
    void this.link.forward(port, p.data, (text) => p.error.write(text)).then(() => {
      p.data.end();
      p.error.end();
    });
  }

  private expire(id: string, p: Pair): void {
    this.pairs.delete(id);
    if (this.session.isClosed) return;
    p.error?.end(`timed out waiting for streams (request ${id})`);
    p.data?.end();
  }
}

/**
 * One client's hold on one pod: dials its ports, and cuts every connection when the pod goes away
 * (deleted, replaced under the same name, or no longer running), as a dead sandbox would.
 */
class PodLink {
  private readonly conns = new Set<Duplex>();
  private readonly unwatch: () => void;
  private dead?: string;

  constructor(private readonly server: SimServer, private readonly pod: any) {
    const { namespace, name, uid } = pod.metadata;
    this.unwatch = server.cluster.store.addWatcher({
      tk: POD, namespace, label: () => true, field: (o) => o.metadata.name === name,
      deliver: (type, obj) => {
        if (type === 'DELETED' || obj.metadata.uid !== uid || obj.status?.phase !== 'Running') this.kill(`failed to find sandbox "${uid}" in store: not found`);
      },
    });
  }

  /**
   * Bridge `data` to `port` until the pod side closes (or `data` is torn down). A refused dial
   * is reported through `fail` in the kubelet's words. Resolves when the connection is over.
   */
  forward(port: number, data: Duplex, fail: (text: string) => void): Promise<void> {
    const { uid } = this.pod.metadata;
    const report = (msg: string) => fail(`error forwarding port ${port} to pod ${uid}, uid : ${msg}`);
    const now = this.server.cluster.store.get(POD, this.pod.metadata.namespace, this.pod.metadata.name);
    const conn = this.dead || !now || now.metadata.uid !== uid ? new Error(this.dead ?? `failed to find sandbox "${uid}" in store: not found`) : dialPod(now, port);
    if (conn instanceof Error) {
      report(conn.message);
      return Promise.resolve();
    }
    this.conns.add(conn);
    return new Promise((resolve) => {
      data.pipe(conn);
      conn.pipe(data);
      conn.on('error', (e) => report(e.message));
      // a reset stream or a closed WebSocket: the pod side goes too
      data.on('close', () => conn.destroy());
      // over when the pod side has said all it will (pipe has ended `data` by then) or is gone
      const over = () => {
        conn.destroy();
        this.conns.delete(conn);
        resolve();
      };
      conn.once('end', over);
      conn.once('close', over);
    });
  }

  close(): void {
    this.unwatch();
    for (const c of this.conns) c.destroy();
    this.conns.clear();
  }

  private kill(why: string): void {
    if (this.dead) return;
    this.dead = why;
    for (const c of this.conns) c.destroy(new Error('read: connection reset by peer'));
  }
}
