/**
 * One context's HTTP(S) transport: node:http / node:https with a keep-alive Agent, auth taken
 * from @kubernetes/client-node (tokens, client certificates, exec plugins) once and cached,
 * re-applied after a 401 (expiring exec tokens). Plain requests, JSON requests, long
 * line-oriented streams (watches, followed logs), and raw pass-through requests (the read-only
 * proxy) whose bodies stream both ways untouched.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { WebSocket } from 'ws';
import { loadClientNode, type Kubeconfig } from './kubeconfig.js';

/** A non-2xx answer. message = the Status message when there is one, else "HTTP <code>". */
export class ApiError extends Error {
  /** the Retry-After header, in seconds, when the server sent one */
  retryAfter?: number;
  constructor(public status: number, public reason: string, message: string, public body?: any) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The server could not be reached or the exchange broke: refused, reset, DNS, timeout, abort. */
export class NetworkError extends Error {
  /** the Node error code when there is one (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ABORT_ERR...) */
  code?: string;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'NetworkError';
    if (code) this.code = code;
  }
}

/** Credentials could not be obtained (exec plugin failed, unreadable certificate...). */
export class AuthError extends NetworkError {
  constructor(message: string) {
    super(message, 'EAUTH');
    this.name = 'AuthError';
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface StreamHandle {
  /** resolves on a clean end (or after abort()), rejects with ApiError/NetworkError */
  done: Promise<void>;
  abort(): void;
}

export interface StreamOptions extends RequestOptions {
  /** each complete line, without the newline (and without a trailing \r) */
  onLine(line: string): void;
  /** called for every chunk received (watchdogs) */
  onData?(): void;
  /** called once the server answered 2xx and the body starts */
  onOpen?(): void;
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface RawRequestOptions {
  method: string;
  /** path and query relative to the server URL, sent as they are (e.g. /api/v1/pods?watch=true) */
  path: string;
  /**
   * the caller's headers. Hop-by-hop headers, Host and Authorization are dropped, and so is any
   * header the context's credentials set (they win); the rest reach the server unchanged.
   */
  headers?: http.IncomingHttpHeaders | Record<string, string | string[] | undefined>;
  /** a Buffer can be sent again after a 401 (credentials fetched once more); a stream cannot */
  body?: Buffer | NodeJS.ReadableStream;
  /** aborts the request, or the response body once it flows */
  signal?: AbortSignal;
  /** bounds the wait for the response headers only (default 30 s; 0 = none) */
  timeoutMs?: number;
}

/** Headers that belong to one hop, never forwarded (RFC 9110 7.6.1, and the proxy ones). */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** The headers to forward: hop-by-hop ones (and those the Connection header names) and `drop` removed. */
export function forwardableHeaders(headers: RawRequestOptions['headers'], drop: Iterable<string> = []): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!headers) return out;
  const skip = new Set([...HOP_BY_HOP, ...[...drop].map((h) => h.toLowerCase())]);
  const conn = headers.connection ?? headers.Connection;
  for (const v of [conn].flat()) if (typeof v === 'string') for (const h of v.split(',')) if (h.trim()) skip.add(h.trim().toLowerCase());
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || skip.has(k.toLowerCase())) continue;
    out[k] = v;
  }
  return out;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** idle keep-alive sockets are dropped after this; servers close idle ones too (Go: 90 s, the sim: 30 s) */
const FREE_SOCKET_TIMEOUT_MS = 15_000;

interface Transport {
  agent: http.Agent;
  headers: Record<string, string>;
  /** TLS material and proxy agent for connections outside the keep-alive pool (WebSockets) */
  direct?: https.RequestOptions;
}

function abortError(): NetworkError {
  return new NetworkError('request aborted', 'ABORT_ERR');
}

/** Turn a Node socket/HTTP error into a NetworkError whose message says what happened. */
export function toNetworkError(e: unknown, what?: string): Error {
  if (e instanceof ApiError || e instanceof NetworkError) return e;
  const err = e as NodeJS.ErrnoException & { errors?: Error[] };
  let msg = err?.message ?? String(e);
  // happy-eyeballs (autoSelectFamily) gives an AggregateError with an empty message
  if (!msg && Array.isArray(err?.errors) && err.errors.length) msg = err.errors.map((x) => x.message).join('; ');
  if (msg === 'aborted') msg = 'connection closed by the server in the middle of a response (ECONNRESET)';
  if (!msg) msg = err?.code ?? 'network error';
  return new NetworkError(what ? `${msg} (${what})` : msg, err?.code ?? (err?.errors?.[0] as NodeJS.ErrnoException | undefined)?.code);
}

/**
 * What kind of failure an error is, for what the user is shown and how kmux retries:
 * - unreachable: no answer (refused, reset, DNS, timeout, TLS);
 * - unauthorized: 401, the credentials were refused;
 * - forbidden: 403, the user may not do this (RBAC);
 * - notfound: 404;
 * - throttled: 429;
 * - server: 5xx and broken answers (the server is there but failing);
 * - credentials: kmux could not obtain credentials (exec plugin, certificate files);
 * - other: any other answer (400, 422...).
 */
export type ErrorKind = 'unreachable' | 'unauthorized' | 'forbidden' | 'notfound' | 'throttled' | 'server' | 'credentials' | 'other';

export function errorKind(e: unknown): ErrorKind {
  if (e instanceof ApiError) {
    if (e.status === 401) return 'unauthorized';
    if (e.status === 403) return 'forbidden';
    if (e.status === 404) return 'notfound';
    if (e.status === 429) return 'throttled';
    if (e.status >= 500 || e.status === 0) return 'server';
    return 'other';
  }
  if (e instanceof AuthError) return 'credentials';
  if (e instanceof NetworkError) return e.code === 'EBADMSG' ? 'server' : 'unreachable';
  return 'other';
}

/** When the server asked to be tried again (Retry-After, or a Status's details.retryAfterSeconds), in ms. */
export function retryAfterMs(e: unknown): number | undefined {
  if (!(e instanceof ApiError)) return undefined;
  const s = e.retryAfter ?? Number(e.body?.details?.retryAfterSeconds);
  return Number.isFinite(s) && s > 0 ? s * 1000 : undefined;
}

/** An ApiError built from a non-2xx answer's body (a Status object when the server sends one). */
export function toApiError(status: number, text: string, headers?: http.IncomingHttpHeaders): ApiError {
  let body: any = text;
  let message = `HTTP ${status}`;
  let reason = http.STATUS_CODES[status] ?? '';
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
  }
  if (body && typeof body === 'object') {
    if (typeof body.message === 'string' && body.message) message = body.message;
    if (typeof body.reason === 'string' && body.reason) reason = body.reason;
  } else if (typeof body === 'string' && body.trim() && body.length < 300 && !body.trimStart().startsWith('<')) {
    message = `HTTP ${status}: ${body.trim()}`;
  }
  const err = new ApiError(status, reason, message, body);
  const ra = headers?.['retry-after'];
  if (typeof ra === 'string' && /^\d+$/.test(ra.trim())) err.retryAfter = Number(ra.trim());
  return err;
}

function buildQuery(q?: RequestOptions['query']): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function encodeBody(o: RequestOptions): { data?: Buffer | string; contentType?: string } {
  if (o.body === undefined) return {};
  if (typeof o.body === 'string' || Buffer.isBuffer(o.body)) return { data: o.body, contentType: o.contentType ?? 'application/json' };
  if (o.body instanceof Uint8Array) return { data: Buffer.from(o.body.buffer, o.body.byteOffset, o.body.byteLength), contentType: o.contentType ?? 'application/octet-stream' };
  return { data: JSON.stringify(o.body), contentType: o.contentType ?? 'application/json' };
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Splits a byte stream into lines; decodes only complete lines, so UTF-8 sequences split across chunks survive. */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLen = 0;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      let end = nl;
      let line: string;
      if (this.pendingLen === 0) {
        if (end > start && chunk[end - 1] === 13) end--;
        line = chunk.toString('utf8', start, end);
      } else {
        this.pending.push(chunk.subarray(start, end));
        let buf = Buffer.concat(this.pending, this.pendingLen + (end - start));
        this.pending = [];
        this.pendingLen = 0;
        if (buf.length && buf[buf.length - 1] === 13) buf = buf.subarray(0, buf.length - 1);
        line = buf.toString('utf8');
      }
      start = nl + 1;
      this.onLine(line);
    }
    if (start < chunk.length) {
      const rest = start === 0 ? chunk : chunk.subarray(start);
      this.pending.push(rest);
      this.pendingLen += rest.length;
    }
  }

  /** the stream ended: a last line without a newline is still a line */
  end(): void {
    if (this.pendingLen === 0) return;
    let buf = Buffer.concat(this.pending, this.pendingLen);
    this.pending = [];
    this.pendingLen = 0;
    if (buf[buf.length - 1] === 13) buf = buf.subarray(0, buf.length - 1);
    this.onLine(buf.toString('utf8'));
  }
}

export class Connection {
  readonly context: string;
  readonly server: string;
  private kc?: KubeConfig;
  private readonly plain: boolean;
  private readonly url: URL;
  private readonly isHttps: boolean;
  private readonly basePath: string;
  private transportP?: Promise<Transport>;
  private readonly agents = new Set<http.Agent>();
  private closed = false;

  private readonly maxSockets?: number;

  /** opts.maxSockets: concurrent connections per agent (default: 16 for plain http, else no limit) */
  constructor(private readonly kubeconfig: Kubeconfig, context: string, opts: { maxSockets?: number } = {}) {
    this.context = context;
    this.maxSockets = opts.maxSockets;
    const ep = kubeconfig.endpoint(context);
    if (!ep.server) throw new Error(`context "${context}" has no cluster server`);
    this.plain = ep.plain;
    this.server = ep.server.replace(/\/+$/, '');
    this.url = new URL(this.server);
    this.isHttps = this.url.protocol === 'https:';
    if (!this.isHttps && this.url.protocol !== 'http:') throw new Error(`context "${context}": unsupported server URL ${this.server}`);
    this.basePath = this.url.pathname.replace(/\/+$/, '');
  }

  /** auth headers, TLS material and the keep-alive agent; computed once, re-computed after a 401 */
  private transport(): Promise<Transport> {
    if (this.closed) return Promise.reject(new NetworkError(`connection to ${this.context} is closed`, 'ECLOSED'));
    if (!this.transportP) {
      const p = this.buildTransport();
      this.transportP = p;
      p.catch(() => {
        if (this.transportP === p) this.transportP = undefined;
      });
    }
    return this.transportP;
  }

  private invalidateTransport(used: Promise<Transport> | undefined): void {
    if (used && this.transportP === used) this.transportP = undefined;
  }

  private async buildTransport(): Promise<Transport> {
    const opts: https.RequestOptions = { headers: {} };
    try {
      if (!this.kc) {
        if (this.plain) {
          // plain http and no credentials: nothing for client-node to add, and no need to load it
          const agent = new http.Agent({ keepAlive: true, maxSockets: this.maxSockets ?? 16 });
          this.agents.add(agent);
          return { headers: {}, agent };
        }
        await loadClientNode();
        this.kc = this.kubeconfig.clientConfig(this.context);
      }
      await this.kc.applyToHTTPSOptions(opts);
    } catch (e) {
      throw new AuthError(`cannot get credentials for context ${this.context}: ${(e as Error).message}`);
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((opts.headers ?? {}) as Record<string, unknown>)) if (v !== undefined && v !== null) headers[k] = String(v);
    if (opts.auth && !Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) {
      headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    }
    const cluster = this.kc.getCurrentCluster();
    let agent: http.Agent;
    if (cluster?.proxyUrl && opts.agent) {
      // proxies: client-node builds the proxy agent; use it as is
      agent = opts.agent as http.Agent;
      return { agent, headers, direct: { agent } };
    }
    const direct: https.RequestOptions = {};
    const base: http.AgentOptions = { keepAlive: true, keepAliveMsecs: 10_000, timeout: FREE_SOCKET_TIMEOUT_MS, scheduling: 'lifo', ...(this.maxSockets ? { maxSockets: this.maxSockets } : {}) };
    if (this.isHttps) {
      const tls: https.AgentOptions = { ...base };
      if (opts.ca) tls.ca = opts.ca;
      if (opts.cert) tls.cert = opts.cert;
      if (opts.key) tls.key = opts.key;
      if (opts.pfx) tls.pfx = opts.pfx;
      if (opts.passphrase) tls.passphrase = opts.passphrase;
      if (opts.servername) tls.servername = opts.servername;
      if (opts.rejectUnauthorized === false || cluster?.skipTLSVerify) tls.rejectUnauthorized = false;
      agent = new https.Agent(tls);
      for (const k of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'servername', 'rejectUnauthorized'] as const) if (k in tls) (direct as any)[k] = tls[k];
    } else {
      agent = new http.Agent(base);
    }
    // an agent made for earlier credentials keeps serving the streams that use it; close() ends all
    this.agents.add(agent);
    return { agent, headers, direct };
  }

  private reqOptions(t: Transport, method: string, path: string, o: RequestOptions, extra: Record<string, string | number>): http.RequestOptions {
    const headers: Record<string, string | number> = { ...t.headers, Accept: o.accept ?? 'application/json', 'User-Agent': 'kmux', ...extra };
    return {
      protocol: this.url.protocol,
      hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
      port: this.url.port || (this.isHttps ? 443 : 80),
      method,
      path: this.basePath + path + buildQuery(o.query),
      headers,
      agent: t.agent,
    };
  }

  private mod(): typeof http | typeof https {
    return this.isHttps ? https : http;
  }

  async request(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    let tp = this.transport();
    try {
      return await this.send(await tp, method, path, o, 0);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401 || this.closed) throw e;
      // expired credentials (exec plugins): fetch them again once and retry
      this.invalidateTransport(tp);
      tp = this.transport();
      return await this.send(await tp, method, path, o, 0);
    }
  }

  private send(t: Transport, method: string, path: string, o: RequestOptions, attempt: number): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      const signal = o.signal;
      if (signal?.aborted) return reject(abortError());
      const { data, contentType } = encodeBody(o);
      const extra: Record<string, string | number> = {};
      if (data !== undefined) {
        extra['Content-Type'] = contentType!;
        extra['Content-Length'] = Buffer.byteLength(data);
      }
      const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      let settled = false;
      let gotResponse = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (err: Error | undefined, res?: Response) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(res!);
      };
      const onAbort = () => {
        finish(abortError());
        req.destroy();
      };
      const req = this.mod().request(this.reqOptions(t, method, path, o, extra), (res) => {
        gotResponse = true;
        const chunks: Buffer[] = [];
        let len = 0;
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          len += c.length;
        });
        res.on('end', () => {
          const text = chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, len).toString('utf8');
          chunks.length = 0;
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) finish(undefined, { status, headers: res.headers, text });
          else finish(toApiError(status, text, res.headers));
        });
        res.on('error', (e) => finish(toNetworkError(e)));
        res.on('close', () => {
          if (!res.complete) finish(toNetworkError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (settled) return;
        // a keep-alive socket the server closed just as we reused it: retry once (idempotent only)
        if (!gotResponse && req.reusedSocket && attempt === 0 && IDEMPOTENT.has(method) && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
          settled = true;
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.send(t, method, path, o, attempt + 1).then(resolve, reject);
          return;
        }
        finish(toNetworkError(e));
      });
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          finish(new NetworkError(`timeout: no complete answer in ${timeoutMs} ms (${method} ${path})`, 'ETIMEDOUT'));
          req.destroy();
        }, timeoutMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      if (data !== undefined) req.end(data);
      else req.end();
    });
  }

  /** JSON body in and out; an empty 2xx body gives undefined. */
  async json<T = any>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, { ...o, accept: o.accept ?? 'application/json' });
    if (!res.text) return undefined as T;
    try {
      return JSON.parse(res.text) as T;
    } catch (e) {
      throw new ApiError(res.status, 'InvalidResponse', `invalid JSON from ${method} ${path}: ${(e as Error).message}`, res.text.slice(0, 500));
    }
  }

  /**
   * A long response read line by line. timeoutMs (default 30 s) bounds the wait for the
   * response headers only; once the body flows there is no timeout (watchdogs are the caller's).
   */
  stream(path: string, o: StreamOptions): StreamHandle {
    let aborted = false;
    let req: http.ClientRequest | undefined;
    let succeed: (() => void) | undefined;
    let tp: Promise<Transport> | undefined;
    const done = new Promise<void>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        o.signal?.removeEventListener('abort', abort);
        if (err && !aborted) reject(err);
        else resolve();
      };
      succeed = () => finish();
      const start = (t: Transport) => {
        if (settled || aborted) return finish();
        const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        const r = this.mod().request(this.reqOptions(t, 'GET', path, o, {}), (res) => {
          if (timer) clearTimeout(timer);
          timer = undefined;
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              if (status === 401) this.invalidateTransport(tp);
              finish(toApiError(status, Buffer.concat(chunks).toString('utf8'), res.headers));
            });
            res.on('error', (e) => finish(toNetworkError(e)));
            res.on('close', () => finish(new ApiError(status, http.STATUS_CODES[status] ?? '', `HTTP ${status}`)));
            return;
          }
          const splitter = new LineSplitter((line) => {
            if (!settled) o.onLine(line);
          });
          try {
            o.onOpen?.();
          } catch (e) {
            finish(e as Error);
            r.destroy();
            return;
          }
          res.on('data', (c: Buffer) => {
            if (settled) return;
            try {
              o.onData?.();
              splitter.push(c);
            } catch (e) {
              finish(e as Error);
              r.destroy();
            }
          });
          res.on('end', () => {
            if (settled) return;
            try {
              splitter.end();
            } catch (e) {
              return finish(e as Error);
            }
            finish();
          });
          res.on('error', (e) => finish(toNetworkError(e)));
          res.on('close', () => {
            if (!res.complete) finish(toNetworkError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
            else finish();
          });
        });
        req = r;
        r.on('error', (e) => finish(toNetworkError(e)));
        if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
          timer = setTimeout(() => {
            finish(new NetworkError(`timeout: no answer in ${timeoutMs} ms (GET ${path})`, 'ETIMEDOUT'));
            r.destroy();
          }, timeoutMs);
        }
        r.end();
      };
      if (o.signal?.aborted) {
        aborted = true;
        return finish();
      }
      o.signal?.addEventListener('abort', abort, { once: true });
      tp = this.transport();
      tp.then(start, (e) => finish(toNetworkError(e)));
    });
    function abort(): void {
      if (aborted) return;
      aborted = true;
      succeed?.();
      req?.destroy();
    }
    // callers that ignore `done` must not cause unhandled rejections
    done.catch(() => {});
    return { done, abort };
  }

  /**
   * One request passed through as it is, with this context's transport (credentials, CA,
   * client certificate, proxy): resolves with the server's response once its headers arrived,
   * whatever the status, the body unread, for the caller to stream on. Nothing is buffered.
   * Destroying the response, or aborting `signal`, ends the exchange with the server. After a
   * 401 the credentials are fetched again and the request sent once more, when its body (none,
   * or a Buffer) can be sent again. Rejects (NetworkError, AuthError) when no answer came.
   */
  async raw(o: RawRequestOptions): Promise<http.IncomingMessage> {
    let tp = this.transport();
    const replayable = o.body === undefined || Buffer.isBuffer(o.body);
    let res = await this.sendRaw(await tp, o, 0);
    if (res.statusCode === 401 && replayable && !this.closed) {
      res.resume();
      this.invalidateTransport(tp);
      tp = this.transport();
      res = await this.sendRaw(await tp, o, 0);
    }
    return res;
  }

  private sendRaw(t: Transport, o: RawRequestOptions, attempt: number): Promise<http.IncomingMessage> {
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const signal = o.signal;
      if (signal?.aborted) return reject(abortError());
      const headers: Record<string, string | string[] | number> = forwardableHeaders(o.headers, ['host', 'authorization', ...Object.keys(t.headers)]);
      Object.assign(headers, t.headers);
      if (Buffer.isBuffer(o.body)) {
        for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-length') delete headers[k];
        headers['Content-Length'] = o.body.length;
      }
      const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        settled = true;
        if (timer) clearTimeout(timer);
        timer = undefined;
      };
      const onAbort = () => {
        if (!settled) {
          done();
          reject(abortError());
        }
        req.destroy();
      };
      const req = this.mod().request({
        protocol: this.url.protocol,
        hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
        port: this.url.port || (this.isHttps ? 443 : 80),
        method: o.method,
        path: this.basePath + o.path,
        headers,
        agent: t.agent,
      }, (res) => {
        if (settled) {
          res.destroy();
          return;
        }
        done();
        // the abort listener stays while the body flows; it goes with the exchange
        res.once('close', () => signal?.removeEventListener('abort', onAbort));
        resolve(res);
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (settled) return;
        done();
        signal?.removeEventListener('abort', onAbort);
        // a keep-alive socket the server closed just as we reused it: retry once when nothing was lost
        if (req.reusedSocket && attempt === 0 && IDEMPOTENT.has(o.method) && (o.body === undefined || Buffer.isBuffer(o.body)) && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
          this.sendRaw(t, o, attempt + 1).then(resolve, reject);
          return;
        }
        reject(toNetworkError(e));
      });
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          if (settled) return;
          done();
          signal?.removeEventListener('abort', onAbort);
          reject(new NetworkError(`timeout: no answer in ${timeoutMs} ms (${o.method} ${o.path})`, 'ETIMEDOUT'));
          req.destroy();
        }, timeoutMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      if (o.body === undefined) req.end();
      else if (Buffer.isBuffer(o.body)) req.end(o.body);
      else {
        const body = o.body;
        body.on('error', (e) => req.destroy(e));
        body.pipe(req);
      }
    });
  }

  /**
   * A WebSocket to a streaming subresource (portforward, exec), with the context's credentials
   * and TLS settings. Resolves once the server accepted the upgrade with one of `protocols`;
   * rejects with the server's Status message (ApiError) or a NetworkError. `onMessage` is attached
   * before the upgrade completes: servers speak first (port prefixes), often in the same packet.
   */
  async websocket(path: string, query: string, protocols: string[], onMessage: (data: Buffer) => void, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<WebSocket> {
    const tp = this.transport();
    try {
      return await this.openWebSocket(await tp, path, query, protocols, onMessage, timeoutMs);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401 || this.closed) throw e;
      // expired credentials (exec plugins): fetch them again once, as request() does
      this.invalidateTransport(tp);
      return await this.openWebSocket(await this.transport(), path, query, protocols, onMessage, timeoutMs);
    }
  }

  private async openWebSocket(t: Transport, path: string, query: string, protocols: string[], onMessage: (data: Buffer) => void, timeoutMs: number): Promise<WebSocket> {
    const { WebSocket } = await import('ws');
    const wsUrl = `${this.isHttps ? 'wss' : 'ws'}://${this.url.host}${this.basePath}${path}${query ? `?${query}` : ''}`;
    return new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, protocols, { ...t.direct, headers: { ...t.headers, 'User-Agent': 'kmux' }, handshakeTimeout: timeoutMs, perMessageDeflate: false });
      ws.binaryType = 'nodebuffer';
      ws.on('message', (raw) => onMessage(Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw as ArrayBuffer)));
      let settled = false;
      ws.once('open', () => {
        settled = true;
        resolve(ws);
      });
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          settled = true;
          reject(toApiError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        });
        res.on('error', (e) => reject(toNetworkError(e, path)));
      });
      ws.once('error', (e) => {
        if (!settled) reject(toNetworkError(e, path));
      });
    });
  }

  /** Destroy keep-alive sockets (and any open stream). Later requests fail with NetworkError. */
  close(): void {
    this.closed = true;
    this.transportP = undefined;
    for (const a of this.agents) a.destroy();
    this.agents.clear();
  }
}
