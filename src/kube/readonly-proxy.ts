/**
 * The read-only API proxy: what kmux gives every child it starts in read-only mode (plugins,
 * kubectl edit/exec/attach) instead of the user's kubeconfig. One local HTTP server per kmux
 * process on 127.0.0.1, one path prefix per context (`/ctx/<index>/`), forwarding to that
 * context's real server with its real credentials and TLS (Connection.raw). Reads pass, and
 * the review APIs that change nothing; every other request is answered here with a 403 Status
 * naming kmux's read-only mode, and never reaches the cluster.
 *
 * The proxy serves on a worker thread (startReadOnlyProxyWorker): kmux runs foreground children
 * synchronously, which blocks its own event loop; the proxy must keep answering them.
 *
 * Other local users must not borrow the user's access through it: the kubeconfig it comes with
 * carries a random per-process bearer token, requests without it get a 401, and the token is
 * replaced by the context's own credentials before anything is forwarded. It serves TLS with a
 * per-process self-signed certificate (selfsigned.ts), pinned in that kubeconfig as the CA:
 * client-go sends no credentials at all to a plain-http server, the token included.
 */
import { workerEntry } from '../util/paths.js';
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import YAML from 'yaml';
import { AuthError, forwardableHeaders, type Connection } from './connection.js';
import type { Kubeconfig } from './kubeconfig.js';
import { selfSignedCert, type SelfSigned } from './selfsigned.js';

// ---------------------------------------------------------------------------------------
// What passes

/** The request as the API server's RequestInfo sees it (k8s.io/apiserver/pkg/endpoints/request). */
export interface RequestTarget {
  /** false for /version, /openapi/..., /healthz, /api, /apis (discovery) */
  resourceRequest: boolean;
  group?: string;
  version?: string;
  namespace?: string;
  resource?: string;
  name?: string;
  subresource?: string;
  /** a /watch/ path (the old form of ?watch=true) */
  watchPath?: boolean;
  /** the old /api/v1/proxy/... form */
  legacyProxy?: boolean;
}

export type Verdict = { allowed: true; target: RequestTarget } | { allowed: false; target?: RequestTarget; verb: string; message: string };

/** Subresources that are "create" in RBAC terms even over GET: they reach into pods, nodes, services. */
const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

/** POSTs that create nothing: the review APIs answer a question and store nothing. */
const REVIEWS: Record<string, Set<string>> = {
  'authorization.k8s.io': new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews', 'localsubjectaccessreviews']),
  'authentication.k8s.io': new Set(['selfsubjectreviews', 'tokenreviews']),
};

/** Subresources of a namespace itself (RequestInfo's namespaceSubresources), not resources in it. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * The path's parts as the API server decodes them, or undefined when it is not a clean path
 * (empty, '.' or '..' segments, bad escapes, NUL): those are refused, whatever the method, so
 * that no spelling of a path can mean one thing here and another to the server.
 */
export function pathSegments(rawPath: string): string[] | undefined {
  const q = rawPath.indexOf('?');
  let path = q >= 0 ? rawPath.slice(0, q) : rawPath;
  try {
    path = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (!path.startsWith('/') || path.includes('\0')) return undefined;
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return [];
  const parts = trimmed.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  return parts;
}

/** Split an API path the way the API server does (prefixes /api and /apis). */
export function requestTarget(parts: string[]): RequestTarget {
  let rest: string[];
  const t: RequestTarget = { resourceRequest: false };
  if (parts[0] === 'api' && parts.length >= 3) {
    t.group = '';
    t.version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    t.group = parts[1];
    t.version = parts[2];
    rest = parts.slice(3);
  } else {
    return t; // discovery and non-resource paths
  }
  t.resourceRequest = true;
  if (rest[0] === 'watch') {
    t.watchPath = true;
    rest = rest.slice(1);
  } else if (rest[0] === 'proxy') {
    t.legacyProxy = true;
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces' && rest.length > 1) {
    t.namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
    else {
      // the namespace object itself: /namespaces/NS[/status|/finalize]
      t.resource = 'namespaces';
      t.name = rest[1];
      t.namespace = undefined;
      if (rest[2]) t.subresource = rest[2];
      return t;
    }
  }
  t.resource = rest[0];
  if (rest[1] !== undefined) t.name = rest[1];
  if (rest[2] !== undefined) t.subresource = rest[2];
  return t;
}

const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete', CONNECT: 'connect' };

function refusal(method: string, target: RequestTarget | undefined, rawPath: string, upgrade: boolean): Verdict & { allowed: false } {
  let verb = VERBS[method] ?? method.toLowerCase();
  if (target?.resourceRequest && target.resource) {
    const connect = target.legacyProxy || (target.subresource !== undefined && CONNECT_SUBRESOURCES.has(target.subresource));
    if (connect || upgrade) verb = 'create';
    else if (method === 'DELETE' && !target.name) verb = 'deletecollection';
    const res = target.legacyProxy ? `${target.resource}/proxy` : target.subresource ? `${target.resource}/${target.subresource}` : target.resource;
    const gr = target.group ? `${target.resource}.${target.group}` : target.resource;
    const subject = target.name ? `${gr} "${target.name}"` : gr;
    const what = res === target.resource ? verb : `${verb} ${res}`;
    return { allowed: false, target, verb, message: `${subject} is forbidden: kmux is in read-only mode and refused to ${what} (start kmux without --readonly to change things)` };
  }
  const path = rawPath.split('?')[0];
  return { allowed: false, target, verb, message: `forbidden: kmux is in read-only mode and refused ${upgrade ? 'an upgrade to' : method} ${path} (start kmux without --readonly to change things)` };
}

/**
 * Whether a request may pass the read-only proxy. Passes: GET and HEAD (get, list, watch, logs,
 * discovery, openapi, version) but not on exec, attach, portforward or proxy subresources; POST
 * to the review APIs. Refused: every other method, every upgrade (WebSocket, SPDY), and any
 * path that is not written plainly.
 */
export function readOnlyVerdict(method: string, rawPath: string, upgrade = false): Verdict {
  const parts = pathSegments(rawPath);
  if (!parts) return { allowed: false, verb: method.toLowerCase(), message: `forbidden: kmux is in read-only mode and refused an unusual path (${rawPath.split('?')[0].slice(0, 200)})` };
  const target = requestTarget(parts);
  if (upgrade) return refusal(method, target, rawPath, true);
  if (method === 'GET' || method === 'HEAD') {
    if (target.legacyProxy) return refusal(method, target, rawPath, false);
    if (target.subresource !== undefined && CONNECT_SUBRESOURCES.has(target.subresource)) return refusal(method, target, rawPath, false);
    return { allowed: true, target };
  }
  if (method === 'POST' && target.resourceRequest && !target.watchPath && !target.legacyProxy && target.name === undefined) {
    const reviews = REVIEWS[target.group ?? ''];
    if (reviews?.has(target.resource ?? '')) {
      // localsubjectaccessreviews live in a namespace; the other reviews at the cluster scope
      const namespaced = target.resource === 'localsubjectaccessreviews';
      if (namespaced === (target.namespace !== undefined)) return { allowed: true, target };
    }
  }
  return refusal(method, target, rawPath, false);
}

// ---------------------------------------------------------------------------------------
// Status answers

export function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

function detailsOf(t: RequestTarget | undefined): Record<string, unknown> | undefined {
  if (!t?.resourceRequest || !t.resource) return undefined;
  return { ...(t.name ? { name: t.name } : {}), group: t.group ?? '', kind: t.subresource ? `${t.resource}/${t.subresource}` : t.resource };
}

function sendStatus(res: http.ServerResponse, code: number, reason: string, message: string, details?: Record<string, unknown>): void {
  const body = statusBody(code, reason, message, details);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache, private' });
  res.end(body);
}

/** An answer written on a raw socket (upgrade and CONNECT requests), then the socket closed. */
function socketStatus(socket: Duplex, code: number, reason: string, message: string, details?: Record<string, unknown>): void {
  const body = statusBody(code, reason, message, details);
  const head = [`HTTP/1.1 ${code} ${http.STATUS_CODES[code] ?? ''}`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, 'Cache-Control: no-cache, private', 'Connection: close', '', ''].join('\r\n');
  socket.on('error', () => {});
  socket.end(head + body);
}

// ---------------------------------------------------------------------------------------
// The server

export interface ReadOnlyProxyOptions {
  /** the bearer token every request must carry */
  token: string;
  /** context names, by index: /ctx/<index>/ reaches contexts[index] */
  contexts: readonly string[];
  /** the connection of a context, made on first use (throw when it cannot be made) */
  connectionFor(context: string): Connection;
  /** largest request body forwarded (review requests), default 1 MiB */
  maxBodyBytes?: number;
  /** the server's certificate and key (default: a new self-signed one) */
  tls?: SelfSigned;
}

export interface ReadOnlyProxy {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** the PEM certificate it serves: clients trust it as the CA */
  readonly ca: string;
  /** the server URL for one context: url + /ctx/<index> */
  serverFor(context: string): string;
  /** how many requests were refused (403) so far */
  readonly refused: number;
  /** close the port and every connection through it (streams included) */
  stop(): Promise<void>;
}

function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function authorized(header: string | undefined, want: Buffer): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  return timingSafeEqual(tokenDigest(m[1]), want);
}

const UNAUTHORIZED = 'Unauthorized';
const ROUTE = /^\/ctx\/(\d+)(\/[^?]*)?(\?.*)?$/;

/** Start the proxy on this thread, on 127.0.0.1 and a free port. */
export async function startReadOnlyProxy(o: ReadOnlyProxyOptions): Promise<ReadOnlyProxy> {
  const want = tokenDigest(o.token);
  const maxBody = o.maxBodyBytes ?? 1024 * 1024;
  const sockets = new Set<Duplex>();
  let refused = 0;
  const tls = o.tls ?? selfSignedCert('kmux read-only proxy');
  const server = https.createServer({ key: tls.key, cert: tls.cert, noDelay: true, keepAliveTimeout: 30_000 });

  const route = (url: string | undefined): { context: string; path: string } | undefined => {
    const m = ROUTE.exec(url ?? '');
    if (!m) return undefined;
    const context = o.contexts[Number(m[1])];
    if (context === undefined) return undefined;
    return { context, path: (m[2] || '/') + (m[3] ?? '') };
  };

  server.on('request', (req, res) => {
    res.on('error', () => {});
    req.on('error', () => {});
    if (!authorized(req.headers.authorization, want)) return sendStatus(res, 401, 'Unauthorized', UNAUTHORIZED);
    const r = route(req.url);
    if (!r) return sendStatus(res, 404, 'NotFound', `kmux read-only proxy: no context at ${String(req.url).split('?')[0].slice(0, 200)}`);
    const verdict = readOnlyVerdict(req.method ?? '', r.path, false);
    if (!verdict.allowed) {
      refused++;
      return sendStatus(res, 403, 'Forbidden', verdict.message, detailsOf(verdict.target));
    }
    // allowed requests have small bodies (none, or a review): read it, so a 401 can be retried
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      if (tooBig) return;
      size += c.length;
      if (size > maxBody) {
        tooBig = true;
        sendStatus(res, 413, 'RequestEntityTooLarge', `kmux read-only proxy: request body over ${maxBody} bytes`);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (tooBig) return;
      void forward(req, res, r.context, r.path, chunks.length ? Buffer.concat(chunks, size) : undefined);
    });
  });

  const forward = async (req: http.IncomingMessage, res: http.ServerResponse, context: string, path: string, body: Buffer | undefined) => {
    const ac = new AbortController();
    // the client went away before the answer was complete: so does the request upstream
    res.on('close', () => {
      if (!res.writableFinished) ac.abort();
    });
    let up: http.IncomingMessage;
    try {
      const conn = o.connectionFor(context);
      // no timeout of ours: a big list may take long to start, and the client gives up when it wants
      up = await conn.raw({ method: req.method!, path, headers: withoutExpect(req.headers), body, signal: ac.signal, timeoutMs: 0 });
    } catch (e) {
      if (ac.signal.aborted || res.destroyed) return;
      const err = e as Error;
      const what = err instanceof AuthError ? err.message : `context ${context}: ${err.message}`;
      return sendStatus(res, 503, 'ServiceUnavailable', `kmux read-only proxy: ${what}`);
    }
    if (res.destroyed) {
      up.destroy();
      return;
    }
    res.writeHead(up.statusCode ?? 502, up.statusMessage, forwardableHeaders(up.headers));
    // headers now: a watch with nothing to say yet must still look open to its client
    res.flushHeaders();
    up.on('data', (c: Buffer) => {
      if (!res.write(c)) up.pause();
    });
    res.on('drain', () => up.resume());
    up.on('end', () => res.end());
    up.on('error', () => res.destroy());
    up.on('close', () => {
      // the server broke off mid-answer: the client must see a broken stream, not a clean end
      if (!up.complete) res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
  };

  const refuseSocket = (req: http.IncomingMessage, socket: Duplex) => {
    if (!authorized(req.headers.authorization, want)) return socketStatus(socket, 401, 'Unauthorized', UNAUTHORIZED);
    const r = route(req.url);
    if (!r) return socketStatus(socket, 404, 'NotFound', `kmux read-only proxy: no context at ${String(req.url).split('?')[0].slice(0, 200)}`);
    const verdict = readOnlyVerdict(req.method ?? '', r.path, true);
    refused++;
    // no upgrade passes today: exec, attach and port-forward all create something in the pod
    const v = verdict.allowed ? refusal(req.method ?? '', verdict.target, r.path, true) : verdict;
    socketStatus(socket, 403, 'Forbidden', v.message, detailsOf(v.target));
  };
  server.on('upgrade', (req, socket) => refuseSocket(req, socket));
  server.on('connect', (req, socket) => refuseSocket(req, socket));
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  const url = `https://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    ca: tls.cert,
    get refused() {
      return refused;
    },
    serverFor(context: string) {
      const i = o.contexts.indexOf(context);
      if (i < 0) throw new Error(`no context "${context}" behind the read-only proxy`);
      return `${url}/ctx/${i}`;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return stopping;
    },
  };
}

function withoutExpect(h: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  // the body was read here already: the server must not be asked to say "100 Continue"
  if (!('expect' in h)) return h;
  const { expect: _e, ...rest } = h;
  return rest;
}

// ---------------------------------------------------------------------------------------
// The kubeconfig children get

export interface ProxyKubeconfigOptions {
  /** a context's server URL (the proxy's prefix for it) */
  serverFor(context: string): string;
  /** the proxy's certificate (PEM) */
  ca: string;
  token: string;
  contexts: readonly { name: string; namespace?: string }[];
  currentContext?: string;
}

/**
 * A kubeconfig with the user's context names (so --context NAME and $CONTEXT keep working)
 * and namespaces, every context on its own proxy prefix with the proxy's token.
 */
export function proxyKubeconfigText(o: ProxyKubeconfigOptions): string {
  const user = 'kmux-readonly';
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    ...(o.currentContext ? { 'current-context': o.currentContext } : {}),
    clusters: o.contexts.map((c) => ({ name: c.name, cluster: { server: o.serverFor(c.name), 'certificate-authority-data': Buffer.from(o.ca).toString('base64') } })),
    users: [{ name: user, user: { token: o.token } }],
    contexts: o.contexts.map((c) => ({ name: c.name, context: { cluster: c.name, user, ...(c.namespace ? { namespace: c.namespace } : {}) } })),
  };
  return `# kmux --readonly: every context goes through kmux's read-only API proxy\n${YAML.stringify(doc)}`;
}

// ---------------------------------------------------------------------------------------
// On a worker thread

export interface ProxyWorkerOptions {
  /** the kubeconfig files kmux read (the worker merges them the same way) */
  files: string[];
  contexts: string[];
  token: string;
}

export interface ProxyWorker {
  url: string;
  port: number;
  /** the PEM certificate it serves */
  ca: string;
  /** the worker has ended (stopped, or died) */
  readonly exited: boolean;
  stop(): Promise<void>;
}

/** The proxy on a worker thread of its own, so it answers while kmux waits for a foreground child. */
export async function startReadOnlyProxyWorker(o: ProxyWorkerOptions): Promise<ProxyWorker> {
  const worker = new Worker(workerEntry('readonly-proxy-worker'), { workerData: o });
  // a forgotten proxy must never keep a process alive
  worker.unref();
  const { port, ca } = await new Promise<{ port: number; ca: string }>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the read-only proxy stopped while starting (exit ${code})`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (m: { port?: number; ca?: string; error?: string }) => {
      worker.off('exit', onExit);
      worker.off('error', reject);
      if (m.port && m.ca) resolve({ port: m.port, ca: m.ca });
      else reject(new Error(`the read-only proxy did not start: ${m.error ?? 'unknown error'}`));
    });
  });
  let exited = false;
  worker.once('exit', () => (exited = true));
  // an error after start ends the worker (exited says so); it must not become kmux's uncaught exception
  worker.on('error', () => {});
  let stopping: Promise<void> | undefined;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    ca,
    get exited() {
      return exited;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        if (exited) return resolve();
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
        setTimeout(() => void worker.terminate(), 3000).unref();
      });
      return stopping;
    },
  };
}

/**
 * What read-only mode hands to children: the proxy (started on first use, on a worker thread)
 * and its kubeconfig in a private directory (mkdtemp, 0700; the file 0600), both gone when
 * stop() is called or the process exits. The directory also holds a kubectl discovery cache
 * (KUBECACHEDIR): the proxy's port changes from run to run, and kubectl keys its cache by it.
 */
export class ReadOnlyKubeconfig {
  private readonly token = randomBytes(32).toString('base64url');
  private current?: ProxyWorker;
  private starting?: Promise<ProxyWorker>;
  private written?: string;
  private stopped = false;
  private dir?: string;
  private readonly onExit = () => this.removeDir();

  constructor(private readonly kubeconfig: Kubeconfig) {}

  /** The proxy: started on first use, and again if it died (a new port; the same token and files). */
  private proxy(): Promise<ProxyWorker> {
    if (this.stopped) return Promise.reject(new Error('kmux is stopping'));
    if (this.current && !this.current.exited) return Promise.resolve(this.current);
    this.starting ??= (async () => {
      const names = this.kubeconfig.contexts.map((c) => c.name);
      const proxy = await startReadOnlyProxyWorker({ files: this.kubeconfig.files, contexts: names, token: this.token });
      if (this.stopped) {
        await proxy.stop();
        throw new Error('kmux is stopping');
      }
      this.current = proxy;
      this.written = undefined;
      return proxy;
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** The private directory (mkdtemp: 0700), removed by stop() or when the process exits. */
  private privateDir(): string {
    if (this.stopped) throw new Error('kmux is stopping');
    if (!this.dir) {
      this.dir = mkdtempSync(join(tmpdir(), 'kmux-readonly-'));
      process.once('exit', this.onExit);
    }
    return this.dir;
  }

  /** The kubeconfig file, its current-context set to `current`; starts the proxy the first time. */
  async path(current?: string): Promise<string> {
    const proxy = await this.proxy();
    const dir = this.privateDir();
    const file = join(dir, 'kubeconfig.yaml');
    const names = this.kubeconfig.contexts.map((c) => c.name);
    const text = proxyKubeconfigText({
      token: this.token,
      ca: proxy.ca,
      serverFor: (ctx) => `${proxy.url}/ctx/${names.indexOf(ctx)}`,
      contexts: this.kubeconfig.contexts,
      currentContext: current && names.includes(current) ? current : this.kubeconfig.currentContext,
    });
    if (text !== this.written) {
      // a child may be reading the old one: replace it whole
      const tmp = join(dir, `.kubeconfig-${randomBytes(4).toString('hex')}`);
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, file);
      this.written = text;
    }
    return file;
  }

  /** kubectl's cache directory for children (inside the private directory). */
  cacheDir(): string {
    return join(this.privateDir(), 'cache');
  }

  private removeDir(): void {
    if (!this.dir) return;
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
    this.dir = undefined;
  }

  /** Stop the proxy and remove the files. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.removeDir();
    process.off('exit', this.onExit);
    // one still starting stops itself when it sees `stopped`
    await this.starting?.catch(() => undefined);
    await this.current?.stop();
    this.current = undefined;
  }
}
