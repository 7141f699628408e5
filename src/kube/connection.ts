/**
 * One context's HTTP(S) transport: node:http / node:https with a keep-alive Agent, and the
 * context's credentials worked out by kmux itself (credentials.ts: CA, client certificates,
 * tokens and token files, basic auth, impersonation, exec plugins), fetched once, fetched again
 * when they go stale (an exec credential's expiry, a changed token file) or after a 401. HTTP(S)
 * proxies are tunnelled by kmux too (proxy.ts); @kubernetes/client-node is loaded only for what
 * kmux leaves to it: auth-provider entries and SOCKS proxies. Plain requests, JSON requests,
 * long line-oriented streams (watches, followed logs), and raw pass-through requests (the
 * read-only proxy) whose bodies stream both ways untouched.
 */
import http from 'node:http';
import https from 'node:https';
import type { WebSocket } from 'ws';
import { CredentialError, CredentialSource, impersonationHeaders, type Credentials } from './credentials.js';
import { loadClientNode, proxyAgent, type ContextEntries, type Kubeconfig } from './kubeconfig.js';
import { HttpTunnelAgent, HttpsTunnelAgent, isHttpProxy } from './proxy.js';
import { printable } from '../util/printable.js';

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

/**
 * The TLS handshake failed: the server's certificate is not trusted, has expired or is for
 * another name, or the server does not speak TLS. The message names the context and what to
 * check; code is Node's (SELF_SIGNED_CERT_IN_CHAIN, ERR_TLS_CERT_ALTNAME_INVALID...).
 */
export class TlsError extends NetworkError {
  constructor(message: string, code?: string) {
    super(message, code);
    this.name = 'TlsError';
  }
}

/** Node's codes for a server certificate that does not chain to a trusted CA. */
const UNTRUSTED = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'CERT_CHAIN_TOO_LONG']);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD']);

/** Is this Node error a TLS failure (verification, handshake, protocol), rather than a network one? */
function isTlsFailure(code: string | undefined, message: string): boolean {
  if (!code) return false;
  return UNTRUSTED.has(code) || EXPIRED.has(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || (code === 'EPROTO' && /SSL|TLS|wrong version|alert/i.test(message));
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
  headers: Record<string, string | string[]>;
  /** TLS material and proxy agent for connections outside the keep-alive pool (WebSockets) */
  direct?: https.RequestOptions;
  /** fetch the credentials again from this time on (ms since the epoch) */
  staleAt?: number;
  /** kmux's own credentials these came from (none: plain http, or client-node's auth-provider) */
  creds?: Credentials;
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
 * - unreachable: no answer (refused, reset, DNS, timeout);
 * - tls: the server answered but the TLS handshake failed (its certificate is not trusted, has
 *   expired or names another host; it does not speak TLS): waiting will not fix it, the
 *   kubeconfig's certificate-authority, server or tls-server-name (or the server's certificate)
 *   must change, so it is not shown as the network being down;
 * - unauthorized: 401, the credentials were refused;
 * - forbidden: 403, the user may not do this (RBAC);
 * - notfound: 404;
 * - throttled: 429;
 * - server: 5xx and broken answers (the server is there but failing);
 * - credentials: kmux could not obtain credentials (exec plugin, certificate files);
 * - other: any other answer (400, 422...).
 */
export type ErrorKind = 'unreachable' | 'tls' | 'unauthorized' | 'forbidden' | 'notfound' | 'throttled' | 'server' | 'credentials' | 'other';

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
  if (e instanceof TlsError) return 'tls';
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
  private readonly plain: boolean;
  private readonly url: URL;
  private readonly isHttps: boolean;
  private readonly basePath: string;
  private transportP?: Promise<Transport>;
  /** the transport transportP resolved to, once it has */
  private resolved?: { p: Promise<Transport>; t: Transport };
  private readonly agents = new Set<http.Agent>();
  /** the keep-alive agent for the current TLS material (kept while only headers change) */
  private agent?: { key: string; agent: http.Agent; direct: https.RequestOptions };
  private creds?: CredentialSource;
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

  /** auth headers, TLS material and the keep-alive agent; computed once, re-computed when stale or after a 401 */
  private transport(): Promise<Transport> {
    if (this.closed) return Promise.reject(new NetworkError(`connection to ${this.context} is closed`, 'ECLOSED'));
    const r = this.resolved;
    if (r && r.p === this.transportP && r.t.staleAt !== undefined && Date.now() >= r.t.staleAt) this.transportP = undefined;
    if (!this.transportP) {
      const p = this.buildTransport();
      this.transportP = p;
      p.then(
        (t) => {
          if (this.transportP === p) this.resolved = { p, t };
        },
        () => {
          if (this.transportP === p) this.transportP = undefined;
        },
      );
    }
    return this.transportP;
  }

  /** A 401 answered requests made with `used`: its credentials are fetched again for the next request. */
  private invalidateTransport(used: Promise<Transport> | undefined): void {
    if (!used || this.transportP !== used) return;
    this.transportP = undefined;
    const r = this.resolved;
    if (r?.p === used && r.t.creds) this.creds?.refused(r.t.creds);
  }

  private agentOptions(): http.AgentOptions {
    return { keepAlive: true, keepAliveMsecs: 10_000, timeout: FREE_SOCKET_TIMEOUT_MS, scheduling: 'lifo', ...(this.maxSockets ? { maxSockets: this.maxSockets } : {}) };
  }

  private async buildTransport(): Promise<Transport> {
    if (this.plain) {
      // plain http and no credentials: nothing to work out
      if (!this.agent) {
        const agent = new http.Agent({ keepAlive: true, maxSockets: this.maxSockets ?? 16 });
        this.agents.add(agent);
        this.agent = { key: 'plain', agent, direct: {} };
      }
      return { headers: {}, agent: this.agent.agent };
    }
    let entries: ContextEntries;
    try {
      entries = this.kubeconfig.entries(this.context);
    } catch (e) {
      throw new AuthError(`cannot get credentials for context ${this.context}: ${(e as Error).message}`);
    }
    if (entries.user?.authProvider) return this.clientNodeTransport(entries);
    this.creds ??= new CredentialSource(entries);
    let creds: Credentials;
    try {
      creds = await this.creds.get();
    } catch (e) {
      if (e instanceof CredentialError) throw new AuthError(`cannot get credentials for context ${this.context}: ${e.message}`);
      throw e;
    }
    const tlsOptions: https.AgentOptions = {};
    if (this.isHttps) {
      const m = creds.tls;
      if (m.ca) tlsOptions.ca = m.ca;
      if (m.cert) tlsOptions.cert = m.cert;
      if (m.key) tlsOptions.key = m.key;
      if (m.servername) tlsOptions.servername = m.servername;
      if (m.rejectUnauthorized === false) tlsOptions.rejectUnauthorized = false;
    }
    if (this.agent?.key !== creds.tlsKey) {
      const proxyUrl = entries.cluster.proxyUrl;
      let agent: http.Agent;
      let direct: https.RequestOptions;
      if (proxyUrl && isHttpProxy(proxyUrl)) {
        // an HTTP(S) proxy: kmux's own CONNECT tunnel
        let proxy: URL;
        try {
          proxy = new URL(proxyUrl);
        } catch {
          throw new AuthError(`context ${this.context}: proxy-url ${printable(proxyUrl, 120)} is not a URL`);
        }
        agent = this.isHttps ? new HttpsTunnelAgent(proxy, { ...this.agentOptions(), ...tlsOptions }) : new HttpTunnelAgent(proxy, this.agentOptions());
        direct = { agent };
      } else if (proxyUrl) {
        // SOCKS: client-node's proxy agent with kmux's TLS material
        try {
          await loadClientNode();
          agent = await proxyAgent(entries.cluster, tlsOptions);
        } catch (e) {
          throw new AuthError(`cannot set up proxy-url for context ${this.context}: ${(e as Error).message}`);
        }
        direct = { agent };
      } else {
        agent = this.isHttps ? new https.Agent({ ...this.agentOptions(), ...tlsOptions }) : new http.Agent(this.agentOptions());
        direct = { ...tlsOptions };
      }
      // an agent made for earlier credentials keeps serving the streams that use it; close() ends all
      this.agents.add(agent);
      this.agent = { key: creds.tlsKey, agent, direct };
    }
    return { agent: this.agent.agent, headers: creds.headers, direct: this.agent.direct, creds, ...(creds.staleAt !== undefined ? { staleAt: creds.staleAt } : {}) };
  }

  /** auth-provider entries: client-node works out headers and TLS, as kmux did for every context before */
  private async clientNodeTransport(entries: ContextEntries): Promise<Transport> {
    const opts: https.RequestOptions = { headers: {} };
    let kc;
    try {
      await loadClientNode();
      kc = this.kubeconfig.clientConfig(this.context);
      await kc.applyToHTTPSOptions(opts);
    } catch (e) {
      throw new AuthError(`cannot get credentials for context ${this.context}: ${(e as Error).message}`);
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries((opts.headers ?? {}) as Record<string, unknown>)) if (v !== undefined && v !== null) headers[k] = String(v);
    if (opts.auth && !Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) {
      headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    }
    Object.assign(headers, impersonationHeaders(entries.user));
    if (entries.cluster.proxyUrl && opts.agent) {
      const agent = opts.agent as http.Agent;
      return { agent, headers, direct: { agent } };
    }
    const direct: https.RequestOptions = {};
    let agent: http.Agent;
    if (this.isHttps) {
      const tlsOpts: https.AgentOptions = { ...this.agentOptions() };
      if (opts.ca) tlsOpts.ca = opts.ca;
      if (opts.cert) tlsOpts.cert = opts.cert;
      if (opts.key) tlsOpts.key = opts.key;
      if (opts.servername) tlsOpts.servername = opts.servername;
      if (opts.rejectUnauthorized === false || entries.cluster.insecureSkipTlsVerify) tlsOpts.rejectUnauthorized = false;
      agent = new https.Agent(tlsOpts);
      for (const k of ['ca', 'cert', 'key', 'servername', 'rejectUnauthorized'] as const) if (k in tlsOpts) (direct as any)[k] = tlsOpts[k];
    } else {
      agent = new http.Agent(this.agentOptions());
    }
    this.agents.add(agent);
    return { agent, headers, direct };
  }

  /** A socket or TLS error as kmux reports it: TLS failures name the context and what to check. */
  private netError(e: unknown, what?: string): Error {
    const err = e as NodeJS.ErrnoException;
    const code = err?.code;
    const msg = String(err?.message ?? '');
    if (e instanceof Error && !(e instanceof NetworkError) && !(e instanceof ApiError) && isTlsFailure(code, msg)) {
      const c = this.safeEntries()?.cluster;
      const cluster = c ? ` of cluster "${printable(c.name, 80)}"` : '';
      const caField = c?.certificateAuthorityData ? 'certificate-authority-data' : 'certificate-authority';
      const ctx = `context ${this.context}`;
      // OpenSSL's errors come as 'write EPROTO <id>:error:<code>:SSL routines:<function>:<reason>:<file>:<line>:'
      const ssl = /error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(msg);
      const why = printable(ssl ? ssl[1] : msg, 200);
      let text: string;
      if (UNTRUSTED.has(code!)) text = `${ctx}: the server's certificate is not trusted (${why}); check ${caField}${cluster} in the kubeconfig`;
      else if (EXPIRED.has(code!)) text = `${ctx}: the server's certificate is not valid now (${why}); the server needs a new certificate`;
      else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') text = `${ctx}: the server's certificate is not for this address (${why}); check the server URL or tls-server-name${cluster} in the kubeconfig`;
      else if (/wrong version number|packet length too long|http request/i.test(msg)) text = `${ctx}: TLS handshake failed (${why}); the server does not speak TLS: is it an http:// server?`;
      else text = `${ctx}: TLS handshake failed (${why})`;
      return new TlsError(what ? `${text} (${what})` : text, code);
    }
    return toNetworkError(e, what);
  }

  private safeEntries(): ContextEntries | undefined {
    try {
      return this.creds?.entries ?? this.kubeconfig.entries(this.context);
    } catch {
      return undefined;
    }
  }

  /** A 401 says why when kmux can tell: the client certificate it presented has expired (or is not valid yet). */
  private explain401(e: unknown, t: Transport | undefined): unknown {
    if (!(e instanceof ApiError) || e.status !== 401 || !t?.creds?.clientCert) return e;
    const c = t.creds.clientCert;
    const now = Date.now();
    const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const user = this.creds?.entries.user?.name;
    const whose = user ? ` of user "${printable(user, 80)}"` : '';
    let why: string | undefined;
    if (c.notAfter < now) why = `the client certificate${whose} (${printable(c.subject, 120)}, from ${c.from}) expired at ${when(c.notAfter)}`;
    else if (c.notBefore > now) why = `the client certificate${whose} (${printable(c.subject, 120)}, from ${c.from}) is not valid before ${when(c.notBefore)}`;
    if (!why) return e;
    const out = new ApiError(e.status, e.reason, `${e.message}: ${why}`, e.body);
    if (e.retryAfter !== undefined) out.retryAfter = e.retryAfter;
    return out;
  }

  private reqOptions(t: Transport, method: string, path: string, o: RequestOptions, extra: Record<string, string | number>): http.RequestOptions {
    const headers: Record<string, string | string[] | number> = { ...t.headers, Accept: o.accept ?? 'application/json', 'User-Agent': 'kmux', ...extra };
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
    let t = await tp;
    try {
      return await this.send(t, method, path, o, 0);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401 || this.closed) throw e;
      // expired credentials (exec plugins, a rotated token file): fetch them again once and retry
      this.invalidateTransport(tp);
      tp = this.transport();
      t = await tp;
      try {
        return await this.send(t, method, path, o, 0);
      } catch (e2) {
        if (e2 instanceof ApiError && e2.status === 401) this.invalidateTransport(tp);
        throw this.explain401(e2, t);
      }
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
        res.on('error', (e) => finish(this.netError(e)));
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
        finish(this.netError(e));
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
    let used: Transport | undefined;
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
        used = t;
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
              finish(this.explain401(toApiError(status, Buffer.concat(chunks).toString('utf8'), res.headers), used) as Error);
            });
            res.on('error', (e) => finish(this.netError(e)));
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
          res.on('error', (e) => finish(this.netError(e)));
          res.on('close', () => {
            if (!res.complete) finish(toNetworkError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
            else finish();
          });
        });
        req = r;
        r.on('error', (e) => finish(this.netError(e)));
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
      tp.then(start, (e) => finish(this.netError(e)));
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
      // the caller's impersonation headers never mix with the context's own (the context's `as` wins)
      const own = Object.keys(t.headers);
      const drop = own.some((k) => k.toLowerCase().startsWith('impersonate-')) ? Object.keys(o.headers ?? {}).filter((k) => k.toLowerCase().startsWith('impersonate-')) : [];
      const headers: Record<string, string | string[] | number> = forwardableHeaders(o.headers, ['host', 'authorization', ...own, ...drop]);
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
        reject(this.netError(e));
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
    let tp = this.transport();
    try {
      return await this.openWebSocket(await tp, path, query, protocols, onMessage, timeoutMs);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401 || this.closed) throw e;
      // expired credentials (exec plugins): fetch them again once, as request() does
      this.invalidateTransport(tp);
      tp = this.transport();
      const t = await tp;
      try {
        return await this.openWebSocket(t, path, query, protocols, onMessage, timeoutMs);
      } catch (e2) {
        if (e2 instanceof ApiError && e2.status === 401) this.invalidateTransport(tp);
        throw this.explain401(e2, t);
      }
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
        res.on('error', (e) => reject(this.netError(e, path)));
      });
      ws.once('error', (e) => {
        if (!settled) reject(this.netError(e, path));
      });
    });
  }

  /** Destroy keep-alive sockets (and any open stream). Later requests fail with NetworkError. */
  /**
   * What this connection holds open now: sockets in use and idle, the listeners attached to
   * them, and agents (one per TLS material still serving a stream). For kmux's health report
   * and the endurance tests: none of these may grow with time, only with what is open.
   */
  stats(): { agents: number; sockets: number; freeSockets: number; socketListeners: number } {
    let sockets = 0;
    let freeSockets = 0;
    let socketListeners = 0;
    const count = (groups: NodeJS.ReadOnlyDict<readonly any[]>, free: boolean) => {
      for (const list of Object.values(groups)) {
        for (const sock of list ?? []) {
          if (free) freeSockets++;
          else sockets++;
          for (const ev of sock.eventNames()) socketListeners += sock.listenerCount(ev);
        }
      }
    };
    for (const a of this.agents) {
      count(a.sockets, false);
      count(a.freeSockets, true);
    }
    return { agents: this.agents.size, sockets, freeSockets, socketListeners };
  }

  close(): void {
    this.closed = true;
    this.transportP = undefined;
    this.resolved = undefined;
    this.agent = undefined;
    for (const a of this.agents) a.destroy();
    this.agents.clear();
  }
}
