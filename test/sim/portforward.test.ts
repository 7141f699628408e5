/**
 * Port-forward to simulated pods, spoken by hand: the WebSocket channel protocol
 * (@kubernetes/client-node, kmux), SPDY/3.1 on an upgraded connection and SPDY/3.1 tunnelled in
 * a WebSocket (kubectl), and the HTTP responder behind every declared port.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { POD, type Cluster } from '../../src/sim/cluster.js';
import { runningStatus } from '../../src/sim/pods.js';
import { bytesBody, dialPod, openPodConnections } from '../../src/sim/responder.js';
import { SpdyClient, parseResponses } from '../helpers/spdy.js';
import { rawWebSocket } from '../helpers/rawws.js';
import { until } from '../helpers/wait.js';
import { simAuth, simRequestOptions } from '../helpers/http.js';

let fleet: Fleet;
let cluster: Cluster;
let base: string;

/** A running pod of our own: container `app` on 8080, sidecar `proxy` on 15090, and a UDP port. */
function makePod(name: string, extra: { phase?: string; nodeName?: string | null } = {}): any {
  const node = [...cluster.store.iter('nodes')][1].metadata.name;
  const pod: any = {
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      ...(extra.nodeName === null ? {} : { nodeName: extra.nodeName ?? node }),
      containers: [
        { name: 'app', image: 'app:1', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] },
        { name: 'proxy', image: 'proxy:1', ports: [{ containerPort: 15090 }] },
      ],
      ...(extra.nodeName === null ? { nodeSelector: { 'no-such-label': 'x' } } : {}),
    },
  };
  const now = Date.now();
  pod.status = extra.phase ? { phase: extra.phase } : runningStatus(pod, '172.18.0.9', '10.244.9.9', now - 60_000, now);
  return cluster.store.create(POD, pod);
}

const pfPath = (name: string, query = '') => `/api/v1/namespaces/default/pods/${name}/portforward${query}`;

interface Msg { data: Buffer; binary: boolean }
interface Conn {
  ws: WebSocket;
  msgs: Msg[];
  open: Promise<void>;
  closed: Promise<number>;
  isClosed(): boolean;
}

function connect(path: string, protocols: string[] = ['v4.channel.k8s.io']): Conn {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}${path}`, protocols, simRequestOptions(base));
  const msgs: Msg[] = [];
  let closed = false;
  ws.on('message', (data, binary) => msgs.push({ data: Buffer.from(data as Buffer), binary }));
  const closedP = new Promise<number>((r) => ws.on('close', (code) => {
    closed = true;
    r(code);
  }));
  const open = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
    });
  });
  return { ws, msgs, open, closed: closedP, isClosed: () => closed };
}

/** What arrived on a channel (binary protocol), the port prefix message left out. */
function channel(c: Conn, ch: number): Buffer {
  const payloads = c.msgs.filter((m) => m.binary && m.data[0] === ch).map((m) => m.data.subarray(1));
  return Buffer.concat(payloads.slice(1));
}

const send = (c: Conn, ch: number, text: string) => c.ws.send(Buffer.concat([Buffer.from([ch]), Buffer.from(text)]));
const GET = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: pod\r\n${extra}\r\n`;

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, nodes: 3, pods: 20, seed: 5, cluster: { startDelayMs: [20, 60], stopDelayMs: [20, 60] } });
  cluster = fleet.members[0].cluster;
  base = fleet.members[0].server.url;
});

afterAll(async () => {
  await fleet?.stop();
});

describe('the responder inside a pod port', () => {
  /** A connection into a new pod's port, and everything it has answered so far. */
  function dial(name: string, port: number): { c: Duplex; got: () => Buffer } {
    const c = dialPod(makePod(name), port);
    if (c instanceof Error) throw c;
    const chunks: Buffer[] = [];
    c.on('data', (b: Buffer) => chunks.push(b));
    return { c, got: () => Buffer.concat(chunks) };
  }

  it('answers HTTP/1.1 keep-alive, pipelined requests in order', async () => {
    const { c, got } = dial('resp-1', 8080);
    c.write(GET('/') + GET('/healthz'));
    await until('two answers', () => parseResponses(got()).length === 2);
    c.write(GET('/nope'));
    await until('three answers', () => parseResponses(got()).length === 3);
    const [a, b, d] = parseResponses(got());
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toMatch(/^text\/plain/);
    expect(a.headers.connection).toBe('keep-alive');
    expect(a.body.toString()).toBe('hello from resp-1 in default, container app, port 8080\n');
    expect([b.status, b.body.toString()]).toEqual([200, 'ok']);
    expect(d.status).toBe(404);
    c.end();
    await until('closed', () => c.closed);
  });

  it('names the container that declares the port; /bytes serves exactly n bytes', async () => {
    const { c, got } = dial('resp-2', 15090);
    c.write(GET('/') + GET('/bytes?n=100000') + GET('/bytes?n=-1'));
    await until('three answers', () => parseResponses(got()).length === 3);
    const [hello, bytes, bad] = parseResponses(got());
    expect(hello.body.toString()).toBe('hello from resp-2 in default, container proxy, port 15090\n');
    expect(bytes.body.equals(bytesBody(100000))).toBe(true);
    expect(bytes.headers['content-type']).toBe('application/octet-stream');
    expect(bad.status).toBe(400);
    c.destroy();
    await until('closed', () => c.closed);
  });

  it('answers bytes that are not HTTP with a 400 and closes', async () => {
    const { c, got } = dial('resp-3', 8080);
    c.write('\x16\x03\x01 this is no request\r\n\r\n');
    await until('end from the pod', () => c.readableEnded || undefined);
    expect(got().toString()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(got().toString()).toMatch(/Connection: close/);
    c.end();
    await until('closed', () => c.closed);
  });

  it('refuses ports not declared, UDP ports and containers that are not running', async () => {
    const pod = makePod('resp-4');
    expect(dialPod(pod, 9999)).toBeInstanceOf(Error);
    expect(String(dialPod(pod, 53))).toMatch(/127\.0\.0\.1:53: connect: connection refused/);
    const crashed = { ...pod, status: { ...pod.status, containerStatuses: pod.status.containerStatuses.map((s: any) => ({ ...s, state: { waiting: { reason: 'CrashLoopBackOff' } } })) } };
    expect(dialPod(crashed, 8080)).toBeInstanceOf(Error);
    expect(dialPod({ ...pod, status: { phase: 'Succeeded' } }, 8080)).toBeInstanceOf(Error);
    // a pod being deleted still listens until its containers stop
    const before = openPodConnections();
    const terminating = dialPod({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString() } }, 8080);
    expect(terminating).not.toBeInstanceOf(Error);
    (terminating as Duplex).destroy();
    await until('closed', () => openPodConnections() === before);
  });

  it('leaves no connection open once either end is done', async () => {
    const before = openPodConnections();
    const pod = makePod('resp-5');
    const a = dialPod(pod, 8080) as Duplex;
    const b = dialPod(pod, 8080) as Duplex;
    expect(openPodConnections()).toBe(before + 2);
    a.resume();
    a.end(GET('/'));
    b.destroy();
    await until('connections closed', () => openPodConnections() === before);
  });
});

describe('port-forward over the WebSocket channel protocol', () => {
  /** A new pod, a forward to its 8080 and one request answered through it. */
  async function answeredOnce(name: string): Promise<{ c: Conn; before: number }> {
    makePod(name);
    const before = openPodConnections();
    const c = connect(pfPath(name, '?ports=8080'));
    await c.open;
    send(c, 0, GET('/healthz'));
    await until('an answer', () => parseResponses(channel(c, 0)).length === 1);
    return { c, before };
  }

  it('starts each channel with its port, little-endian, and carries HTTP to the pod and back', async () => {
    makePod('ws-1');
    const before = openPodConnections();
    const c = connect(pfPath('ws-1', '?ports=8080&ports=15090'));
    await c.open;
    expect(c.ws.protocol).toBe('v4.channel.k8s.io');
    await until('port prefixes', () => c.msgs.length >= 4);
    expect(c.msgs.slice(0, 4).map((m) => [...m.data])).toEqual([[0, 0x90, 0x1f], [1, 0x90, 0x1f], [2, 0xf2, 0x3a], [3, 0xf2, 0x3a]]);
    send(c, 0, GET('/'));
    send(c, 2, GET('/'));
    await until('both answers', () => parseResponses(channel(c, 0)).length === 1 && parseResponses(channel(c, 2)).length === 1);
    expect(parseResponses(channel(c, 0))[0].body.toString()).toBe('hello from ws-1 in default, container app, port 8080\n');
    expect(parseResponses(channel(c, 2))[0].body.toString()).toBe('hello from ws-1 in default, container proxy, port 15090\n');
    expect(channel(c, 1).length + channel(c, 3).length).toBe(0);
    c.ws.close();
    await c.closed;
    // the server notices the close a moment after the client does
    await until('no pod connection left', () => openPodConnections() === before);
  });

  it('keeps one connection for several requests, and closes the WebSocket when the pod side closes', async () => {
    const { c, before } = await answeredOnce('ws-2');
    expect(openPodConnections()).toBe(before + 1);
    send(c, 0, GET('/') + GET('/', 'Connection: close\r\n'));
    expect(await c.closed).toBe(1000);
    const answers = parseResponses(channel(c, 0));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(answers[0].body.toString()).toBe('ok');
    expect(answers[2].headers.connection).toBe('close');
    await until('no pod connection left', () => openPodConnections() === before);
  });

  it('a port nothing listens on: the kubelet\'s error on the error channel, then close', async () => {
    const pod = makePod('ws-3');
    const c = connect(pfPath('ws-3', '?ports=9999'));
    await c.open;
    await c.closed;
    expect(c.msgs.map((m) => m.data[0])).toEqual([0, 1, 1]);
    expect([...c.msgs[1].data]).toEqual([1, 0x0f, 0x27]);
    expect(c.msgs[2].data.subarray(1).toString()).toMatch(new RegExp(`^error forwarding port 9999 to pod ${pod.metadata.uid}, uid : .*dial tcp4 127\\.0\\.0\\.1:9999: connect: connection refused`));
  });

  it('client-node\'s offer (v5 first) gets v4.channel.k8s.io; the base64 variant speaks text', async () => {
    makePod('ws-4');
    const offer = connect(pfPath('ws-4', '?ports=8080'), ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'channel.k8s.io']);
    await offer.open;
    expect(offer.ws.protocol).toBe('v4.channel.k8s.io');
    offer.ws.close();
    const c = connect(pfPath('ws-4', '?ports=8080'), ['v4.base64.channel.k8s.io']);
    await c.open;
    c.ws.send('0' + Buffer.from(GET('/', 'Connection: close\r\n')).toString('base64'));
    await c.closed;
    expect(c.msgs.every((m) => !m.binary)).toBe(true);
    expect(c.msgs.slice(0, 2).map((m) => m.data.toString())).toEqual(['0kB8=', '1kB8=']);
    const body = Buffer.concat(c.msgs.slice(2).filter((m) => m.data.toString()[0] === '0').map((m) => Buffer.from(m.data.toString().slice(1), 'base64')));
    expect(parseResponses(body)[0].body.toString()).toBe('hello from ws-4 in default, container app, port 8080\n');
  });

  it('answers a Status before any upgrade: unknown pod 404, no ports 400, pod not running 400, unknown subprotocol 400', async () => {
    makePod('ws-5');
    makePod('ws-pending', { phase: 'Pending', nodeName: null });
    const refused = async (path: string, protocols?: string[]) => {
      const err = await connect(path, protocols).open.then(() => undefined, (e) => e);
      expect(err, path).toBeDefined();
      return { status: err.status, status_: JSON.parse(err.body) };
    };
    const nope = await refused(pfPath('nope', '?ports=80'));
    expect(nope.status).toBe(404);
    expect(nope.status_).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'pods "nope" not found' });
    expect(await refused(pfPath('ws-5'))).toMatchObject({ status: 400, status_: { message: 'query parameter "port" is required' } });
    expect(await refused(pfPath('ws-5', '?ports=http'))).toMatchObject({ status: 400, status_: { message: 'unable to parse "http" as a port' } });
    expect(await refused(pfPath('ws-pending', '?ports=8080'))).toMatchObject({ status: 400, status_: { message: 'pod ws-pending does not have a host assigned' } });
    expect(await refused(pfPath('ws-5', '?ports=8080'), ['v5.channel.k8s.io'])).toMatchObject({ status: 400 });
  });

  it('a pod deleted under an open connection cuts it', async () => {
    const { c, before } = await answeredOnce('ws-6');
    cluster.store.remove(POD, 'default', 'ws-6');
    await c.closed;
    expect(channel(c, 1).toString()).toMatch(/error forwarding port 8080 to pod .*connection reset by peer/);
    await until('no pod connection left', () => openPodConnections() === before);
  });
});

describe('port-forward over SPDY/3.1 (kubectl)', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  /** The text on a pair's error stream, once the server has finished both streams. */
  async function errorText(client: SpdyClient, p: { error: number; data: number }): Promise<string> {
    await until('FIN on data and error', () => client.finished(p.data) && client.finished(p.error));
    return client.dataOf(p.error).toString();
  }

  /**
   * POST with Upgrade: SPDY/3.1 on a raw socket; resolves to the response head and a SPDY client
   * on the socket (or, when the answer is no 101, the whole body).
   */
  function rawUpgrade(name: string, version = 'portforward.k8s.io'): Promise<{ head: string; client: SpdyClient; body?: string }> {
    const u = new URL(base);
    return new Promise((resolve, reject) => {
      const { ca, cert, key } = simAuth(base);
      const socket = tls.connect({ host: u.hostname, port: Number(u.port), ca, cert, key }, () => {
        socket.write(`POST ${pfPath(name)} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Length: 0\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${version}\r\n\r\n`);
      });
      const client = new SpdyClient((b) => socket.write(b));
      let buf = Buffer.alloc(0);
      const onData = (b: Buffer) => {
        buf = Buffer.concat([buf, b]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        const head = buf.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101 ')) {
          let body = buf.subarray(end + 4).toString();
          socket.on('data', (more: Buffer) => (body += more));
          socket.on('end', () => resolve({ head, client, body }));
          return;
        }
        socket.on('data', (more: Buffer) => client.feed(more));
        if (buf.length > end + 4) client.feed(buf.subarray(end + 4));
        cleanups.push(() => {
          socket.destroy();
          client.close();
        });
        resolve({ head, client });
      };
      socket.on('data', onData);
      socket.on('error', reject);
    });
  }

  /** kubectl's pair for one local connection: error stream, then data stream. */
  async function openPair(client: SpdyClient, port: number, requestId: number): Promise<{ error: number; data: number }> {
    const error = await client.open({ streamtype: 'error', port: String(port), requestid: String(requestId) });
    client.data(error, '', true);
    const data = await client.open({ streamtype: 'data', port: String(port), requestid: String(requestId) });
    await client.waitFor('replies', (f) => f.type === 'syn_reply' && f.streamId === data);
    expect(client.received.some((f) => f.type === 'syn_reply' && f.streamId === error)).toBe(true);
    return { error, data };
  }

  it('upgrades a POST to SPDY/3.1 with the negotiated version, and forwards a pair of streams', async () => {
    makePod('spdy-1');
    const { head, client } = await rawUpgrade('spdy-1');
    expect(head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(head).toMatch(/\r\nUpgrade: SPDY\/3\.1\r\n/i);
    expect(head).toMatch(/\r\nX-Stream-Protocol-Version: portforward\.k8s\.io\r\n/i);
    const a = await openPair(client, 8080, 0);
    const b = await openPair(client, 15090, 1);
    client.data(a.data, GET('/') + GET('/bytes?n=200000'));
    client.data(b.data, GET('/'));
    await until('answers', () => parseResponses(client.dataOf(a.data)).length === 2 && parseResponses(client.dataOf(b.data)).length === 1);
    const [hello, bytes] = parseResponses(client.dataOf(a.data));
    expect(hello.body.toString()).toBe('hello from spdy-1 in default, container app, port 8080\n');
    expect(bytes.body.equals(bytesBody(200000))).toBe(true);
    expect(parseResponses(client.dataOf(b.data))[0].body.toString()).toMatch(/container proxy, port 15090/);
    // the client's FIN on the data stream: the pod side closes, then both streams finish
    client.data(a.data, '', true);
    expect(await errorText(client, a)).toBe('');
    expect(client.finished(b.data)).toBe(false);
    // the server echoes PING and acknowledges data
    client.frame({ type: 'ping', id: 1 });
    await client.waitFor('PING', (f) => f.type === 'ping');
  });

  it('a refused port: the kubelet\'s error text on the error stream, both streams finished', async () => {
    const pod = makePod('spdy-2');
    const { client } = await rawUpgrade('spdy-2');
    const p = await openPair(client, 9999, 0);
    expect(await errorText(client, p)).toMatch(new RegExp(`^error forwarding port 9999 to pod ${pod.metadata.uid}, uid : .*connect: connection refused`));
  });

  it('a stream without a valid port or type is reset', async () => {
    makePod('spdy-3');
    const { client } = await rawUpgrade('spdy-3');
    const bad = await client.open({ streamtype: 'data', port: 'http', requestid: '0' });
    const odd = await client.open({ streamtype: 'sideways', port: '8080', requestid: '1' });
    await until('two resets', () => client.received.filter((f) => f.type === 'rst_stream').length === 2);
    expect(client.received.filter((f) => f.type === 'rst_stream').map((f) => f.streamId)).toEqual([bad, odd]);
  });

  it('a session outlives its pod only to report it: a pod of the same name made later is not reached', async () => {
    const old = makePod('spdy-6');
    const { client } = await rawUpgrade('spdy-6');
    const first = await openPair(client, 8080, 0);
    cluster.store.remove(POD, 'default', 'spdy-6');
    expect(await errorText(client, first)).toMatch(/connection reset by peer/);
    const again = makePod('spdy-6');
    expect(again.metadata.uid).not.toBe(old.metadata.uid);
    const second = await openPair(client, 8080, 1);
    expect(await errorText(client, second)).toBe(`error forwarding port 8080 to pod ${old.metadata.uid}, uid : failed to find sandbox "${old.metadata.uid}" in store: not found`);
  });

  it('refuses a protocol version it does not speak with 403', async () => {
    makePod('spdy-4');
    const { head, body } = await rawUpgrade('spdy-4', 'portforward.k8s.io.v2');
    expect(head).toMatch(/^HTTP\/1\.1 403 /);
    expect(JSON.parse(body!).message).toMatch(/unable to negotiate protocol: client supports \[portforward\.k8s\.io\.v2\], server accepts \[portforward\.k8s\.io\]/);
  });

  it('the same session tunnelled in a WebSocket under kubectl\'s subprotocol SPDY/3.1+portforward.k8s.io', async () => {
    makePod('spdy-5');
    const before = openPodConnections();
    const ws = await rawWebSocket(`${base}${pfPath('spdy-5')}`, 'SPDY/3.1+portforward.k8s.io');
    expect(ws.protocol).toBe('SPDY/3.1+portforward.k8s.io');
    const client = new SpdyClient((b) => ws.sendBinary(b));
    ws.onData((d) => client.feed(d));
    const p = await openPair(client, 8080, 0);
    client.data(p.data, GET('/'));
    await until('answer', () => parseResponses(client.dataOf(p.data)).length === 1);
    expect(parseResponses(client.dataOf(p.data))[0].body.toString()).toBe('hello from spdy-5 in default, container app, port 8080\n');
    expect(ws.frames.every((f) => f.opcode === 2)).toBe(true);
    expect(openPodConnections()).toBe(before + 1);
    client.frame({ type: 'goaway', lastGoodStreamId: 0, status: 0 });
    expect(await ws.closed).toBe(1000);
    await until('no pod connection left', () => openPodConnections() === before);
    client.close();
  });
});
