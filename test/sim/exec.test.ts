/** exec and attach over the WebSocket channel protocol, with a plain `ws` client. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { POD } from '../../src/sim/cluster.js';
import { request, simRequestOptions } from '../helpers/http.js';
import { until } from '../helpers/wait.js';

let fleet: Fleet;
let base: string;
const store = () => fleet.members[0].cluster.store;

interface Frame {
  ch: number;
  data: Buffer;
}

interface Conn {
  ws: WebSocket;
  frames: Frame[];
  /** text so far on a stream. */
  text(ch: number): string;
  send(ch: number, data: string | Buffer): void;
  /** the Status on stream 3, parsed. */
  status(): Promise<any>;
  closed: Promise<number>;
  waitFor(ch: number, re: RegExp, ms?: number): Promise<string>;
}

interface Refused {
  httpStatus: number;
  body: any;
}

function open(pod: string, query: string, protocols: string[] = ['v5.channel.k8s.io'], sub = 'exec', headers: Record<string, string> = {}): Promise<Conn & Refused> {
  const url = `${base.replace(/^http/, 'ws')}/api/v1/namespaces/default/pods/${pod}/${sub}?${query}`;
  return new Promise((resolve, reject) => {
    // over TLS, as the fleet's admin
    const ws = new WebSocket(url, protocols, simRequestOptions(base, undefined, headers));
    const frames: Frame[] = [];
    const base64 = () => ws.protocol.includes('base64');
    ws.on('message', (raw: Buffer, binary) => {
      if (binary) frames.push({ ch: raw[0], data: raw.subarray(1) });
      else frames.push({ ch: raw[0] - 48, data: Buffer.from(raw.subarray(1).toString(), 'base64') });
    });
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    const text = (ch: number) => Buffer.concat(frames.filter((f) => f.ch === ch).map((f) => f.data)).toString();
    const conn = {
      ws, frames, closed, text,
      send: (ch: number, data: string | Buffer) => {
        const bytes = Buffer.from(data);
        if (base64()) ws.send(String(ch) + bytes.toString('base64'));
        else ws.send(Buffer.concat([Buffer.from([ch]), bytes]));
      },
      status: async () => {
        await closed;
        const s = text(3);
        return s.startsWith('{') ? JSON.parse(s) : s;
      },
      waitFor: (ch: number, re: RegExp, ms = 3000) => until(`${re} on stream ${ch}; got ${JSON.stringify(text(ch))}`, () => re.test(text(ch)) && text(ch), ms),
      httpStatus: 101, body: undefined,
    };
    ws.on('open', () => resolve(conn));
    ws.on('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => {
        req.destroy();
        resolve({ ...conn, httpStatus: res.statusCode ?? 0, body: JSON.parse(body) });
      });
    });
    ws.on('error', reject);
  });
}

const q = (command: string[], flags: Record<string, string> = { stdout: 'true', stderr: 'true' }) =>
  new URLSearchParams([...command.map((c): [string, string] => ['command', c]), ...Object.entries(flags)]).toString();

async function createPod(name: string, spec: any, annotations: Record<string, string> = {}): Promise<void> {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, annotations }, spec });
  const r = await request(`${base}/api/v1/namespaces/default/pods`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  expect(r.status, r.text).toBe(201);
}

const running = (name: string) => store().get(POD, 'default', name)?.status?.containerStatuses?.every((s: any) => s.state?.running);

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, nodes: 2, pods: 20, cluster: { startDelayMs: [20, 60], stopDelayMs: [20, 60] } });
  base = fleet.members[0].server.url;
  await createPod('chatty', { containers: [{ name: 'app', image: 'ghcr.io/kmux-sim/chatty:1.0' }] }, { 'sim.kmux.dev/log-rate': '50' });
  await createPod('interactive', { containers: [{ name: 'box', image: 'busybox:1.37', command: ['sh'], stdin: true, tty: true }] });
  await createPod('two', { containers: [{ name: 'app', image: 'nginx:1.27.3' }, { name: 'sidecar', image: 'envoyproxy/envoy:v1.32.2' }] });
  await createPod('broken', { containers: [{ name: 'app', image: 'ghcr.io/kmux-sim/nope:0' }] }, { 'sim.kmux.dev/behaviour': 'imagepull' });
  await createPod('nowhere', { nodeSelector: { 'no-such-label': 'x' }, containers: [{ name: 'app', image: 'nginx:1.27.3' }] });
  await until('the test pods running', () => ['chatty', 'interactive', 'two'].every(running) && store().get(POD, 'default', 'broken')?.spec.nodeName);
});

afterAll(async () => {
  await fleet?.stop();
});

describe('exec', () => {
  it('v5: negotiated first, stdout on stream 1, Success on stream 3, a clean close', async () => {
    const c = await open('debug-shell', q(['hostname']), ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    expect(c.ws.protocol).toBe('v5.channel.k8s.io');
    const status = await c.status();
    expect(status).toEqual({ metadata: {}, status: 'Success' });
    expect(c.text(1)).toBe('debug-shell\n');
    expect(c.text(2)).toBe('');
    expect(await c.closed).toBe(1000);
    // the first frame is the empty "streams are up" message on stdout
    expect(c.frames[0]).toEqual({ ch: 1, data: Buffer.alloc(0) });
  });

  it('v4: stdout and stderr apart, a non-zero exit as NonZeroExitCode with the code in its causes', async () => {
    const c = await open('debug-shell', q(['sh', '-c', 'echo out; echo err >&2; exit 3']), ['v4.channel.k8s.io']);
    expect(c.ws.protocol).toBe('v4.channel.k8s.io');
    expect(await c.status()).toEqual({
      metadata: {}, status: 'Failure', reason: 'NonZeroExitCode',
      message: 'command terminated with non-zero exit code: error executing command [sh -c echo out; echo err >&2; exit 3], exit code 3',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    expect(c.text(1)).toBe('out\n');
    expect(c.text(2)).toBe('err\n');
  });

  it('base64 and plain channel.k8s.io: text frames, and a failure as plain text', async () => {
    const b = await open('debug-shell', q(['hostname']), ['v4.base64.channel.k8s.io']);
    await b.status();
    expect(b.frames.every((f) => f.ch >= 0 && f.ch <= 3)).toBe(true);
    expect(b.text(1)).toBe('debug-shell\n');
    const v1 = await open('debug-shell', q(['false']), ['channel.k8s.io']);
    expect(v1.ws.protocol).toBe('channel.k8s.io');
    expect(await v1.status()).toBe('command terminated with non-zero exit code: error executing command [false], exit code 1');
  });

  it('stdin: lines in, output back; v5 closing stdin ends the command', async () => {
    const c = await open('debug-shell', q(['cat'], { stdin: 'true', stdout: 'true', stderr: 'true' }));
    c.send(0, 'hello\nwor');
    c.send(0, 'ld\n');
    await c.waitFor(1, /^hello\nworld\n$/);
    expect(c.text(3)).toBe('');
    c.ws.send(Buffer.from([255, 0]));
    expect(await c.status()).toEqual({ metadata: {}, status: 'Success' });
  });

  it('sh over stdin without a tty: no prompt, no echo; EOF ends it with the last status', async () => {
    const c = await open('debug-shell', q(['sh'], { stdin: 'true', stdout: 'true', stderr: 'true' }));
    c.send(0, 'echo hi\nnope\nfalse\n');
    await c.waitFor(2, /nope: not found/);
    c.ws.send(Buffer.from([255, 0]));
    expect((await c.status()).details.causes).toEqual([{ reason: 'ExitCode', message: '1' }]);
    expect(c.text(1)).toBe('hi\n');
    expect(c.text(2)).toBe('sh: nope: not found\n');
  });

  it('tty: prompt, echo of typed keys, resize accepted, \\r\\n line ends, exit', async () => {
    const c = await open('debug-shell', q(['sh', '-c', 'command -v bash >/dev/null 2>&1 && exec bash || exec sh'], { stdin: 'true', stdout: 'true', tty: 'true' }));
    await c.waitFor(1, /^root@debug-shell:\/# $/);
    c.send(4, JSON.stringify({ Width: 100, Height: 30 }));
    c.send(0, 'stty sizx');
    c.send(0, '\x7fe');
    await c.waitFor(1, /# stty sizx\x08 \x08e$/);
    c.send(0, '\r');
    await c.waitFor(1, /stty sizx\x08 \x08e\r\n30 100\r\nroot@debug-shell:\/# $/);
    c.send(0, 'sleepy\x03');
    await c.waitFor(1, /sleepy\^C\r\nroot@debug-shell:\/# $/);
    c.send(0, 'exit 4\r');
    expect((await c.status()).reason).toBe('NonZeroExitCode');
    expect(c.frames.some((f) => f.ch === 2)).toBe(false);
  });

  it('the default container of a pod with one; a missing executable fails after the upgrade', async () => {
    const c = await open('debug-shell', q(['bash2']));
    const s = await c.status();
    expect(s).toMatchObject({ status: 'Failure', reason: 'InternalError', code: 500 });
    expect(s.message).toMatch(/^Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "bash2": executable file not found in \$PATH: unknown$/);
    const two = await open('two', q(['hostname']) + '&container=sidecar');
    await two.status();
    expect(two.text(1)).toBe('two\n');
  });

  it('a container that is not running: container not found, after the upgrade', async () => {
    const c = await open('broken', q(['ls']) + '&container=app');
    expect(await c.status()).toEqual({
      metadata: {}, status: 'Failure', reason: 'InternalError', code: 500,
      message: 'Internal error occurred: unable to upgrade connection: container not found ("app")',
      details: { causes: [{ message: 'unable to upgrade connection: container not found ("app")' }] },
    });
  });

  it('errors before the upgrade, as Status objects', async () => {
    const cases: [string, string, number, string][] = [
      ['debug-shell', q(['ls']) + '&container=nope', 400, 'container nope is not valid for pod debug-shell'],
      ['no-such-pod', q(['ls']), 404, 'pods "no-such-pod" not found'],
      ['debug-shell', 'stdout=true', 400, 'you must specify at least one command for the container'],
      ['debug-shell', q(['ls'], {}), 400, 'you must specify at least 1 of stdin, stdout, stderr'],
      ['two', q(['ls']), 400, 'a container name must be specified for pod two, choose one of: [app sidecar]'],
      ['nowhere', q(['ls']), 400, 'pod nowhere does not have a host assigned'],
    ];
    for (const [pod, query, code, message] of cases) {
      const r = await open(pod, query);
      expect(r.httpStatus, message).toBe(code);
      expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', code, message });
    }
    const bad = await open('debug-shell', q(['ls']), ['v9.channel.k8s.io']);
    expect(bad.httpStatus).toBe(400);
    expect(bad.body.message).toMatch(/^requested protocol\(s\) are not supported: \[v9\.channel\.k8s\.io\]/);
  });

  it('a SPDY upgrade (the fallback of older clients) is refused with a Status', async () => {
    const r = await request(`${base}/api/v1/namespaces/default/pods/debug-shell/exec?${q(['ls'])}`, {
      method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' },
    });
    expect(r.status).toBe(400);
    expect(r.json().message).toMatch(/over WebSocket only/);
  });
});

describe('attach', () => {
  it('streams the log lines written from now on; stdin is ignored; the client ends it', async () => {
    const c = await open('chatty', 'stdout=true&stderr=true&stdin=true', ['v5.channel.k8s.io'], 'attach');
    c.send(0, 'hostname\n');
    const text = await c.waitFor(1, /(.*\n){5}/, 5000);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.every((l) => l.logger === 'app')).toBe(true);
    for (let i = 1; i < lines.length; i++) expect(lines[i].seq).toBe(lines[i - 1].seq + 1);
    expect(text).not.toContain('chatty\n');
    c.ws.close();
    expect(await c.closed).toBe(1005);
  });

  it('the container ending ends the attach with Success', async () => {
    const c = await open('chatty', 'stdout=true&stderr=true', ['v5.channel.k8s.io'], 'attach');
    await c.waitFor(1, /\n/, 5000);
    const r = await request(`${base}/api/v1/namespaces/default/pods/chatty`, { method: 'DELETE' });
    expect(r.status).toBe(200);
    expect(await c.status()).toEqual({ metadata: {}, status: 'Success' });
  });

  it('a container with stdin and tty: attach talks to its shell', async () => {
    const c = await open('interactive', 'stdout=true&stdin=true&tty=true', ['v5.channel.k8s.io'], 'attach');
    await c.waitFor(1, /^\/ # $/);
    c.send(0, 'hostname\r');
    await c.waitFor(1, /hostname\r\ninteractive\r\n\/ # $/);
    c.send(0, 'exit\r');
    expect(await c.status()).toEqual({ metadata: {}, status: 'Success' });
  });
});
