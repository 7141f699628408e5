/**
 * exec and attach on a simulated pod, over the WebSocket channel protocol kubectl 1.30+ speaks
 * (v5.channel.k8s.io; v4 and the older channel.k8s.io and base64 variants too).
 *
 * Each binary message starts with its stream: 0 stdin, 1 stdout, 2 stderr, 3 the final Status,
 * 4 terminal resize (JSON Width/Height), and in v5 255 closes a stream (`[255, 0]` is stdin's
 * EOF). The base64 protocols send text messages: the stream as an ASCII digit, then base64.
 *
 * Errors the apiserver finds before it proxies (unknown container, no node, no command) are a
 * Status instead of the upgrade. What the kubelet finds (a container that is not running, a
 * command the image does not have) comes after the upgrade, as a Status on stream 3, the way
 * an apiserver that translates WebSocket to the kubelet reports it. exec runs its command in
 * the built-in shell (shell.ts). attach joins the container's main process: a shell when the
 * container has `stdin: true`, otherwise its log output as it is written (stdin is ignored).
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { POD } from './cluster.js';
import { ApiError, badRequest } from './errors.js';
import { instanceOf, lineRange, logRate, renderLines } from './logs.js';
import type { UpgradeContext } from './server.js';
import { execError, machineFor, Session } from './shell.js';

/** Subprotocols served, in the order the server prefers them when a client offers several. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'];

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

/** What the exec/attach query asks for. */
interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

const chosen = new WeakMap<http.IncomingMessage, string>();
const wss = new WebSocketServer({
  noServer: true,
  clientTracking: false,
  handleProtocols: (_offered, req) => chosen.get(req) || false,
});

/** The protocol to answer with: '' when the client named none (plain channel.k8s.io). */
function negotiate(header: string | undefined): string {
  if (!header) return '';
  const offered = header.split(',').map((p) => p.trim()).filter(Boolean);
  const pick = offered.find((p) => EXEC_PROTOCOLS.includes(p));
  if (!pick) throw badRequest(`requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${EXEC_PROTOCOLS.join(' ')}]`);
  return pick;
}

/** The container a request means, with the apiserver's errors for a wrong or missing name. */
function containerOf(pod: any, requested: string | null): string {
  const names = (list: any[] | undefined) => (list ?? []).map((c: any) => c.name as string);
  const main = names(pod.spec.containers);
  const init = names(pod.spec.initContainers);
  const name = pod.metadata.name;
  if (requested) {
    if (![...main, ...init, ...names(pod.spec.ephemeralContainers)].includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  if (main.length === 1) return main[0];
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (main.includes(annotated)) return annotated;
  const inits = init.length ? ` or one of the init containers: [${init.join(' ')}]` : '';
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${main.join(' ')}]${inits}`);
}

const internalError = (message: string) => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });

export function handleExec(ctx: UpgradeContext, sub: 'exec' | 'attach'): void {
  const { pod, req, url } = ctx;
  const q = url.searchParams;
  const flag = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
  const opts: StreamOptions = { stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') };
  const container = containerOf(pod, q.get('container'));
  if (!pod.spec.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const command = q.getAll('command');
  if (sub === 'exec' && command.length === 0) throw badRequest('you must specify at least one command for the container');
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
    throw badRequest(`the simulated cluster serves ${sub} over WebSocket only (${EXEC_PROTOCOLS.join(', ')}); ${req.headers.upgrade ?? 'a plain request'} is not supported`);
  }
  const protocol = negotiate(req.headers['sec-websocket-protocol']);
  chosen.set(req, protocol);
  wss.handleUpgrade(req, ctx.socket, ctx.head, (ws) => {
    const ch = new Channels(ws, protocol, opts);
    ch.ready();
    const run = sub === 'exec' ? execIn : attachTo;
    run(ctx, ch, container, command, opts);
  });
}

/** One upgraded connection: framing of the streams, the final Status, the close. */
class Channels {
  private readonly binary: boolean;
  private readonly statusAsJson: boolean;
  readonly v5: boolean;
  done = false;
  private onEnd: (() => void)[] = [];

  constructor(readonly ws: WebSocket, protocol: string, readonly opts: StreamOptions) {
    this.binary = !protocol.includes('base64');
    this.v5 = protocol.startsWith('v5.');
    this.statusAsJson = this.v5 || protocol.startsWith('v4.');
    ws.on('error', () => ws.terminate());
    ws.on('close', () => this.end());
  }

  send(stream: number, data: string | Buffer): void {
    if (this.done || this.ws.readyState !== this.ws.OPEN) return;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (this.binary) this.ws.send(Buffer.concat([Buffer.from([stream]), bytes]));
    else this.ws.send(String.fromCharCode(48 + stream) + bytes.toString('base64'));
  }

  /** The first message tells the client the streams are up: empty, on the lowest one written. */
  ready(): void {
    this.send(this.opts.stdout ? STDOUT : this.opts.stderr ? STDERR : ERROR, '');
  }

  /** Messages from the client, decoded to their stream and bytes. */
  onMessage(fn: (stream: number, data: Buffer) => void): void {
    this.ws.on('message', (raw: RawData, isBinary: boolean) => {
      const buf = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
      if (buf.length === 0) return;
      if (isBinary || this.binary) fn(buf[0], buf.subarray(1));
      else fn(buf[0] - 48, Buffer.from(buf.subarray(1).toString(), 'base64'));
    });
  }

  onClose(fn: () => void): void {
    if (this.done) fn();
    else this.onEnd.push(fn);
  }

  /** Ends the session: the Status on stream 3 (v4/v5 as JSON, older ones only failures, as text), then a clean close. */
  finish(status: Record<string, unknown>): void {
    if (this.done) return;
    if (this.statusAsJson) this.send(ERROR, JSON.stringify(status));
    else if (status.status !== 'Success') this.send(ERROR, String(status.message));
    this.end();
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
  }

  fail(err: ApiError): void {
    const { kind: _k, apiVersion: _a, ...status } = err.status();
    this.finish(status);
  }

  exited(code: number, argv: string[]): void {
    if (code === 0) return this.finish({ metadata: {}, status: 'Success' });
    this.finish({
      metadata: {}, status: 'Failure',
      message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
    });
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    for (const fn of this.onEnd.splice(0)) fn();
  }
}

/** The container's current instance when it is running; otherwise the kubelet's refusal is sent. */
function runningPod(ctx: UpgradeContext, ch: Channels, container: string): any | undefined {
  const cur = ctx.server.cluster.store.get(POD, ctx.pod.metadata.namespace, ctx.pod.metadata.name);
  const st = cur?.status?.containerStatuses?.find((s: any) => s.name === container);
  if (cur?.metadata.uid === ctx.pod.metadata.uid && st?.state?.running) return cur;
  ch.fail(internalError(`unable to upgrade connection: container not found ("${container}")`));
  return undefined;
}

/** A shell session wired to the streams: stdin in, stdout/stderr out, resize, stdin close. */
function startSession(ctx: UpgradeContext, ch: Channels, pod: any, container: string, argv: string[], exited: (code: number) => void): Session {
  const { opts } = ch;
  const store = ctx.server.cluster.store;
  const machine = machineFor(pod, container, { tty: opts.tty, configMap: (name) => store.get('configmaps', pod.metadata.namespace, name)?.data });
  const err = execError(machine, argv);
  const session = new Session(machine, {
    stdout: (s) => opts.stdout && ch.send(STDOUT, s),
    stderr: (s) => opts.stderr && ch.send(STDERR, s),
    exit: exited,
  }, { tty: opts.tty });
  if (err) {
    const id = randomBytes(32).toString('hex');
    ch.fail(internalError(`error executing command in container: failed to exec in container: failed to start exec "${id}": OCI runtime exec failed: exec failed: unable to start container process: ${err}: unknown`));
    return session;
  }
  ch.onMessage((stream, data) => {
    if (stream === STDIN && opts.stdin) session.input(data);
    else if (stream === RESIZE) {
      try {
        const size = JSON.parse(data.toString());
        session.resize(Number(size.Width) || 0, Number(size.Height) || 0);
      } catch {
        // a malformed resize is ignored, as the kubelet ignores it
      }
    } else if (stream === CLOSE && ch.v5 && data[0] === STDIN) session.closeStdin();
  });
  session.exec(argv);
  return session;
}

function execIn(ctx: UpgradeContext, ch: Channels, container: string, command: string[], opts: StreamOptions): void {
  const pod = runningPod(ctx, ch, container);
  if (!pod) return;
  const session = startSession(ctx, ch, pod, container, command, (code) => ch.exited(code, command));
  if (!opts.stdin) session.closeStdin();
}

/**
 * attach: a container with `stdin: true` runs a shell as its main process (`bash` when its
 * command names bash and the image has it); attaching talks to that shell. Any other
 * container's main process is its log: attach streams the lines written from now on until
 * the client leaves or the container instance ends.
 */
function attachTo(ctx: UpgradeContext, ch: Channels, container: string, _command: string[], opts: StreamOptions): void {
  const pod = runningPod(ctx, ch, container);
  if (!pod) return;
  const spec = pod.spec.containers.find((c: any) => c.name === container) ?? {};
  if (spec.stdin) {
    const main = [...(spec.command ?? []), ...(spec.args ?? [])];
    const shell = /(^|\/)bash$/.test(main[0] ?? '') ? 'bash' : 'sh';
    startSession(ctx, ch, pod, container, [shell], (code) => ch.exited(code, [shell]));
    return;
  }
  const store = ctx.server.cluster.store;
  const term = (s: string) => (opts.tty ? s.replace(/\n/g, '\r\n') : s);
  let sent: number | undefined;
  let instance: number | undefined;
  const tick = () => {
    const cur = store.get(POD, pod.metadata.namespace, pod.metadata.name);
    const inst = cur?.metadata.uid === pod.metadata.uid ? instanceOf(cur, container, false) : undefined;
    if (!inst || 'error' in inst || inst.endMs !== undefined || (instance ?? inst.instance) !== inst.instance) {
      return ch.finish({ metadata: {}, status: 'Success' });
    }
    instance = inst.instance;
    const [, total] = lineRange(inst, logRate(cur, container), Date.now(), {});
    if (sent !== undefined && total > sent) ch.send(opts.stdout ? STDOUT : STDERR, term(renderLines(cur, container, inst, sent, total, {})));
    sent = total;
  };
  tick();
  const timer = setInterval(tick, 100);
  ch.onClose(() => clearInterval(timer));
}
