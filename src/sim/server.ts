/**
 * The Kubernetes HTTP API of one simulated cluster: routing, list/watch/get/create/update/
 * patch/delete, the subresources kubectl uses, server-side Tables and discovery.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Cluster, POD, NODE, CRD, NS, type DeleteOptions } from './cluster.js';
import { ApiError, badRequest, forbidden, futureRevision, invalid, notFound, qualified, tooLargeResourceVersion } from './errors.js';
import { Faults, unauthorized, type FaultSpec, type RequestInfo, type TextAnswer, type TruncateRule } from './faults.js';
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS, FleetAuth, type UserInfo } from './auth.js';
import { Authorizer, RBAC_GROUP, validateRbacObject } from './rbac.js';
import { connectVerb, requestInfo, watchParam } from './requestinfo.js';
import { answerReview } from './reviews.js';
import { gvKey, typeKey, type ResourceType } from './resources.js';
import { dispatch, nowIso, type EventType, type StoredEvent, type Watcher } from './store.js';
import { checkFieldSelector, parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js';
import {
  aggregatedList, AGGREGATED_CT, apiGroup, apiGroupList, apiResourceList, apiVersions, openApiV3Document, openApiV3Index, wantsAggregated,
} from './discovery.js';
import { printerFor, type Printer } from './tables.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from './patch.js';
import { decodeBodyAsJsonLike, isK8sProtobuf, UnsupportedProtobufKind } from './protobuf.js';
import { instanceOf, lineRange, logRate, renderLines } from './logs.js';
import { nodeMetrics, podMetrics } from './metrics.js';
import { pendingStatus } from './pods.js';
import { handleExec } from './exec.js';
import { handlePortForward } from './portforward.js';
import { flat } from './strings.js';

/** What an upgrade handler (exec, attach, portforward) gets. */
export interface UpgradeContext {
  server: SimServer;
  req: http.IncomingMessage;
  socket: Socket;
  head: Buffer;
  url: URL;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  pod: any;
  /** answer with a Status error instead of upgrading (only before the 101). */
  fail(err: ApiError): void;
}

export const KUBE_VERSION = {
  major: '1', minor: '32', emulationMajor: '1', emulationMinor: '32', minCompatibilityMajor: '1', minCompatibilityMinor: '31',
  gitVersion: 'v1.32.4-kmux-sim', gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23.8', compiler: 'gc', platform: 'linux/amd64',
};

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  contentType?: string;
  status?: number;
  at: number;
  /** who the request acted as (after impersonation); unset when it was refused before that (401) */
  user?: string;
}

export { Faults, type FaultSpec } from './faults.js';

/** What a restart of one cluster (Fleet.restart, POST /_sim/restart) may change. */
export interface RestartOptions {
  /** another fleet seed (as `kmux sim --seed`): a different fleet, other pods and uids. Default: the same seed, the same objects. */
  seed?: number;
  /**
   * The resourceVersion counter the rebuilt store starts from (default 1000, as every new
   * cluster; the scenario's writes come on top). A restore from an old backup: lower than the
   * RV clients hold.
   */
  resourceVersion?: number;
  /** ms the port stays closed between stop and start (clients see connection refused). */
  downMs?: number;
}

/** The reserved path prefix of the admin endpoint on every cluster's port. */
export const ADMIN_PREFIX = '/_sim';

/** One open watch: what it watches, its response, and how to end it cleanly. */
interface OpenWatch {
  info: RequestInfo;
  res: http.ServerResponse;
  close: () => void;
}

const TABLE_CT = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface Route {
  type: ResourceType;
  tk: string;
  ns?: string;
  name?: string;
  sub?: string;
}

export class SimServer {
  server?: http.Server;
  readonly requestLog: RequestRecord[] = [];
  readonly faults = new Faults();
  /** set by the fleet: rebuilds this cluster on the same port (POST /_sim/restart). */
  restartHandler?: (o: RestartOptions) => Promise<unknown>;
  /** set by the fleet: this cluster's background change (GET/POST /_sim/churn). */
  churn?: { rate: number; setRate(rate: number): void };
  private readonly sockets = new Set<Socket>();
  private readonly closers = new Set<() => void>();
  private readonly watches = new Set<OpenWatch>();

  /** RBAC over this cluster's roles and bindings */
  readonly authorizer: Authorizer;

  /**
   * @param auth the fleet's authentication (CA, tokens); its `secure` decides TLS or plain HTTP.
   *   Default: plain HTTP, where a request without credentials is system:unsecured (a master).
   */
  constructor(public readonly cluster: Cluster, public port = 0, public readonly host = '127.0.0.1', readonly auth: FleetAuth = new FleetAuth(false)) {
    this.authorizer = new Authorizer(cluster.store);
  }

  get url(): string {
    return `${this.auth.secure ? 'https' : 'http'}://${this.host}:${this.port}`;
  }

  /** Write requests seen since `fromIndex` (dry-run and read-only checks in tests). */
  writes(fromIndex = 0): RequestRecord[] {
    // the review APIs are POSTs that store nothing (who am I, may I): not writes
    return this.requestLog.slice(fromIndex).filter((r) => WRITE_METHODS.has(r.method) && !/\/(self)?subject\w*reviews$|\/(local)?subjectaccessreviews$|\/tokenreviews$/.test(r.path));
  }

  /** Open watches (optionally of one resource), e.g. to wait for a client to watch. */
  watchCount(resource?: string): number {
    let n = 0;
    for (const w of this.watches) if (!resource || w.info.tk === resource || w.info.plural === resource) n++;
    return n;
  }

  /**
   * End every open watch now (optionally only of one resource): by default the connection is
   * destroyed mid-stream, as a crashed apiserver or a cut network does; `clean` ends each with
   * the terminating chunk, as a watch timeout does. Returns how many.
   */
  dropWatches(o: { clean?: boolean; resource?: string } = {}): number {
    let n = 0;
    for (const w of [...this.watches]) {
      if (o.resource && w.info.tk !== o.resource && w.info.plural !== o.resource) continue;
      n++;
      if (o.clean) w.close();
      else {
        this.watches.delete(w);
        w.res.destroy();
      }
    }
    return n;
  }

  /** Answer nothing for `ms` (0 ends a stall): new requests wait, open watches and log follows go silent. */
  stall(ms: number): void {
    this.faults.stall(ms);
  }

  async start(): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    const pki = this.auth.pki;
    // a client certificate is asked for, never required: the authenticator decides (401 for one the CA did not sign)
    const server: http.Server = this.auth.secure
      ? https.createServer({ key: pki.serving.key, cert: pki.serving.cert, ca: [pki.ca], requestCert: true, rejectUnauthorized: false }, handler)
      : http.createServer(handler);
    // a client that hangs up mid-handshake (or distrusts the CA) is no news
    server.on('tlsClientError', (_e, socket) => socket.destroy());
    server.keepAliveTimeout = 30_000;
    server.on('upgrade', (req, socket, head) => {
      this.upgrade(req, socket as Socket, head).catch((e) => {
        console.error('[sim] upgrade:', e);
        socket.destroy();
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Close the port and every open connection, watches included. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // requests held by a stall or a delay go on, find their connection gone, and end
    this.faults.stall(0);
    this.faults.release();
    for (const close of this.closers) close();
    this.closers.clear();
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(ADMIN_PREFIX + '/')) return this.admin(req, res, url);
    const rec: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), contentType: req.headers['content-type'], at: Date.now() };
    this.requestLog.push(rec);
    if (this.requestLog.length > 20_000) this.requestLog.splice(0, 10_000);
    res.on('finish', () => (rec.status = res.statusCode));
    try {
      if (this.faults.stalled()) {
        await this.faults.whenUnstalled();
        if (res.destroyed) return;
      }
      if (this.faults.latencyMs > 0) {
        await new Promise((r) => setTimeout(r, this.faults.latencyMs));
        // the client may have given up while we were slow
        if (res.destroyed || req.destroyed) return;
      }
      // a delay rule (a slow list page, say): after latency, before the filters that may refuse
      if (this.faults.delays.length) {
        const ms = this.faults.delay(this.requestInfo(req, url), url.searchParams.has('continue'));
        if (ms) {
          await this.faults.hold(ms);
          if (res.destroyed || req.destroyed) return;
        }
      }
      const gate = this.gate(req, url, rec);
      if ('answer' in gate) return this.sendAnswer(res, gate.answer);
      const body = WRITE_METHODS.has(rec.method) ? await readBody(req) : undefined;
      await this.route(req, res, url, body, gate.user);
    } catch (e) {
      const err = e instanceof ApiError ? e
        : e instanceof SelectorError ? badRequest(e.message)
          : e instanceof PatchError ? new ApiError(422, 'Invalid', e.message)
            : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
      if (err.code === 500 && !(e instanceof ApiError)) console.error('[sim]', e);
      if (!res.headersSent) sendError(res, err);
      else res.end();
    }
  }

  private requestInfo(req: http.IncomingMessage, url: URL): RequestInfo {
    return connectVerb(requestInfo(req.method ?? 'GET', url, this.cluster.store.types.values()));
  }

  /**
   * What stands between a request and the handlers, in the apiserver's filter order:
   * authentication (401), impersonation (its own 403s), max-in-flight (injected 429/500/503),
   * authorization (injected 403s, then RBAC's). Injected 401s come right after authentication.
   * Returns the user the handlers act for, or the answer that ends the request.
   */
  private gate(req: http.IncomingMessage, url: URL, rec?: RequestRecord): { user: UserInfo; info: RequestInfo } | { answer: ApiError | TextAnswer } {
    const info = this.requestInfo(req, url);
    const authenticated = this.auth.authenticate(req);
    if (!authenticated) return { answer: unauthorized() };
    const f = this.faults;
    const faulty = f.deny.length > 0 || f.errors.length > 0 || f.forbidden.size > 0;
    if (faulty) {
      const denied = f.denial(info, authenticated.username);
      if (denied?.code === 401) return { answer: denied };
    }
    const user = this.impersonate(req, authenticated);
    if (!('username' in user)) return { answer: user };
    if (rec) rec.user = user.username;
    if (faulty) {
      const failed = f.failure(info) ?? f.denial(info, user.username);
      if (failed) return { answer: failed };
    }
    const decision = this.authorizer.authorize(user, info);
    if (!decision.allowed) return { answer: forbidden(info, user.username, decision.reason) };
    return { user, info };
  }

  /**
   * Impersonate-User, Impersonate-Group (repeatable), Impersonate-Uid, Impersonate-Extra-KEY:
   * each must be allowed to the requester as `impersonate` on users, groups (core; a service
   * account user: serviceaccounts in its namespace), uids and userextras/KEY
   * (authentication.k8s.io), else a 403 naming the first one refused. The user acted as is in
   * system:authenticated (system:unauthenticated for system:anonymous) unless a group given
   * says otherwise.
   */
  private impersonate(req: http.IncomingMessage, requester: UserInfo): UserInfo | ApiError | TextAnswer {
    const hd = req.headersDistinct;
    const userName = hd['impersonate-user']?.[0] ?? '';
    const groups = hd['impersonate-group'] ?? [];
    const uid = hd['impersonate-uid']?.[0] ?? '';
    const extras: [string, string][] = [];
    for (const [k, vs] of Object.entries(hd)) {
      if (!k.startsWith('impersonate-extra-') || !vs) continue;
      let key = k.slice('impersonate-extra-'.length);
      try {
        key = decodeURIComponent(key);
      } catch {
        // kept as sent
      }
      for (const v of vs) extras.push([key, v]);
    }
    if (!userName && !groups.length && !uid && !extras.length) return requester;
    // the ObjectReferences the apiserver builds, printed as Go's %v prints them in its error
    const refs: string[] = [];
    const ref = (kind: string, ns: string, name: string, apiVersion = '', fieldPath = '') => refs.push(`{${[kind, ns, name, '', apiVersion, '', fieldPath].join(' ')}}`);
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(userName);
    if (userName) ref(sa ? 'ServiceAccount' : 'User', sa ? sa[1] : '', sa ? sa[2] : userName);
    for (const g of groups) ref('Group', '', g);
    for (const [k, v] of extras) ref('UserExtra', '', v, 'authentication.k8s.io/v1', k);
    if (uid) ref('UID', '', uid, 'authentication.k8s.io/v1');
    if (!userName) {
      return { code: 500, text: `Internal Server Error: ${JSON.stringify(req.url ?? '')}: requested [${refs.join(' ')}] without impersonating a user\n`, headers: {} };
    }
    const checks: RequestInfo[] = [];
    const check = (group: string, plural: string, name: string, ns?: string, sub?: string) =>
      checks.push({ resource: true, verb: 'impersonate', path: req.url ?? '', group, plural, name, ...(ns ? { ns } : {}), ...(sub ? { sub } : {}) });
    if (sa) check('', 'serviceaccounts', sa[2], sa[1]);
    else check('', 'users', userName);
    for (const g of groups) check('', 'groups', g);
    for (const [k, v] of extras) check('authentication.k8s.io', 'userextras', v, undefined, k);
    if (uid) check('authentication.k8s.io', 'uids', uid);
    for (const c of checks) {
      const d = this.authorizer.authorize(requester, c);
      if (!d.allowed) return forbidden(c, requester.username, d.reason);
    }
    let outGroups = [...groups];
    if (sa && !groups.length) outGroups = ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`];
    if (userName !== ANONYMOUS.username) {
      if (!outGroups.includes(ALL_AUTHENTICATED) && !outGroups.includes(ALL_UNAUTHENTICATED)) outGroups.push(ALL_AUTHENTICATED);
    } else if (!outGroups.includes(ALL_UNAUTHENTICATED)) outGroups.push(ALL_UNAUTHENTICATED);
    const extra: Record<string, string[]> = {};
    for (const [k, v] of extras) (extra[k] ??= []).push(v);
    return { username: userName, groups: outGroups, ...(uid ? { uid } : {}), ...(extras.length ? { extra } : {}) };
  }

  /**
   * The admin endpoint (never subject to faults, not in the request log):
   * GET/PUT/POST/DELETE /_sim/faults, POST /_sim/delays/release, POST /_sim/watches/drop, /_sim/watches/close,
   * POST /_sim/restart, GET/POST /_sim/churn.
   */
  private async admin(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '');
    let body: any = {};
    try {
      const raw = await readBody(req);
      if (raw.length) body = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      return sendJson(res, 400, { error: `the body is not JSON: ${(e as Error).message}` });
    }
    try {
      if (path === ADMIN_PREFIX && method === 'GET') {
        return sendJson(res, 200, {
          cluster: this.cluster.name, resourceVersion: String(this.cluster.store.rv), watches: this.watches.size, faults: this.faults,
          endpoints: [
            'GET /_sim/health', 'GET /_sim/faults', 'PUT /_sim/faults (replace)', 'POST /_sim/faults (add)', 'DELETE /_sim/faults (clear)',
            'POST /_sim/delays/release', 'POST /_sim/watches/drop', 'POST /_sim/watches/close', 'POST /_sim/restart {"seed":N,"resourceVersion":N,"downMs":N}',
            'GET /_sim/churn', 'POST /_sim/churn {"rate":N} (0 pauses it)',
          ],
        });
      }
      if (path === `${ADMIN_PREFIX}/health` && method === 'GET') {
        // the process's memory is the whole fleet's (its clusters share one process)
        const mem = process.memoryUsage();
        const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
        const store = this.cluster.store;
        return sendJson(res, 200, {
          cluster: this.cluster.name, resourceVersion: String(store.rv),
          process: { rssMB: mb(mem.rss), heapUsedMB: mb(mem.heapUsed), heapTotalMB: mb(mem.heapTotal), externalMB: mb(mem.external), arrayBuffersMB: mb(mem.arrayBuffers) },
          watches: this.watches.size, sockets: this.sockets.size, history: { events: store.historyLength(), oldestKeptRv: String(store.compactedRv), seconds: store.historySeconds, size: store.historySize },
          objects: store.countAll(), pods: store.count(POD),
        });
      }
      if (path === `${ADMIN_PREFIX}/faults`) {
        if (method === 'GET') return sendJson(res, 200, this.faults);
        if (method === 'PUT') this.faults.set(body as FaultSpec);
        else if (method === 'POST') this.faults.merge(body as FaultSpec);
        else if (method === 'DELETE') this.faults.clear();
        else return sendJson(res, 405, { error: 'GET, PUT, POST or DELETE' });
        return sendJson(res, 200, this.faults);
      }
      if (path === `${ADMIN_PREFIX}/delays/release` && method === 'POST') {
        // the requests a delay rule holds go on now; the rules stay (the next match waits again)
        const held = this.faults.toJSON().heldRequests;
        this.faults.release();
        return sendJson(res, 200, { released: held });
      }
      if ((path === `${ADMIN_PREFIX}/watches/drop` || path === `${ADMIN_PREFIX}/watches/close`) && method === 'POST') {
        const clean = path.endsWith('/close');
        const n = this.dropWatches({ clean, resource: typeof body.resource === 'string' ? body.resource : undefined });
        return sendJson(res, 200, clean ? { closed: n } : { dropped: n });
      }
      if (path === `${ADMIN_PREFIX}/churn`) {
        const churn = this.churn;
        if (!churn) return sendJson(res, 501, { error: 'this server is not part of a fleet' });
        if (method === 'POST') {
          const rate = body.rate;
          if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) return sendJson(res, 400, { error: 'rate must be a number >= 0 (changes a second; 0 pauses the churn)' });
          churn.setRate(rate);
        } else if (method !== 'GET') return sendJson(res, 405, { error: 'GET or POST' });
        return sendJson(res, 200, { cluster: this.cluster.name, rate: churn.rate });
      }
      if (path === `${ADMIN_PREFIX}/restart` && method === 'POST') {
        const restart = this.restartHandler;
        if (!restart) return sendJson(res, 501, { error: 'this server is not part of a fleet' });
        const o: RestartOptions = {};
        for (const k of ['seed', 'resourceVersion', 'downMs'] as const) {
          if (body[k] === undefined) continue;
          if (typeof body[k] !== 'number' || !Number.isFinite(body[k]) || body[k] < 0) return sendJson(res, 400, { error: `${k} must be a number >= 0` });
          o[k] = body[k];
        }
        res.setHeader('Connection', 'close');
        res.on('finish', () => void restart(o).catch((e) => console.error('[sim] restart failed:', e)));
        return sendJson(res, 202, { restarting: this.cluster.name, ...o });
      }
      sendJson(res, 404, { error: `no such admin endpoint: ${method} ${path}` });
    } catch (e) {
      sendJson(res, 400, { error: (e as Error).message });
    }
  }

  /**
   * Streaming subresources of pods (exec, attach, portforward) arrive as HTTP upgrades
   * (WebSocket, or SPDY/3.1 for older clients). The pod must exist; the protocol work is in
   * exec.ts and portforward.ts.
   */
  private async upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), at: Date.now() };
    this.requestLog.push(rec);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)\/?$/.exec(url.pathname);
    const raw = (code: number, contentType: string, body: string, headers: Record<string, string> = {}) => {
      rec.status = code;
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code] ?? ''}\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`);
    };
    const fail = (err: ApiError) => raw(err.code, 'application/json', JSON.stringify(err.status()), err.headers);
    if (this.faults.stalled()) {
      await this.faults.whenUnstalled();
      if (socket.destroyed) return;
    }
    const gate = this.gate(req, url, rec);
    if ('answer' in gate) {
      const a = gate.answer;
      if (a instanceof ApiError) return a.code === 403 ? raw(a.code, 'application/json', JSON.stringify(a.status()), { 'X-Content-Type-Options': 'nosniff', ...a.headers }) : fail(a);
      return raw(a.code, 'text/plain; charset=utf-8', a.text, { 'X-Content-Type-Options': 'nosniff', ...a.headers });
    }
    if (!m) return fail(notFound('', '', url.pathname));
    const [, ns, name, sub] = m;
    const pod = this.cluster.store.get(POD, decodeURIComponent(ns), decodeURIComponent(name));
    if (!pod) return fail(notFound('pods', '', decodeURIComponent(name)));
    rec.status = 101;
    const ctx: UpgradeContext = { server: this, req, socket, head, url, pod, fail };
    try {
      if (sub === 'portforward') handlePortForward(ctx);
      else handleExec(ctx, sub as 'exec' | 'attach');
    } catch (e) {
      fail(e instanceof ApiError ? e : new ApiError(500, 'InternalError', (e as Error).message));
    }
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Buffer | undefined, user: UserInfo): Promise<void> {
    const p = url.pathname.replace(/\/+$/, '') || '/';
    const c = this.cluster;
    const types = c.store.types.values();
    const accept = req.headers.accept;
    if (p === '/version') return sendJson(res, 200, KUBE_VERSION);
    if (p === '/healthz' || p === '/livez' || p === '/readyz') return sendText(res, 200, 'ok');
    if (p === '/api') {
      if (wantsAggregated(accept)) return sendJson(res, 200, aggregatedList(types, true), AGGREGATED_CT);
      return sendJson(res, 200, apiVersions(`${this.host}:${this.port}`));
    }
    if (p === '/apis') {
      if (wantsAggregated(accept)) return sendJson(res, 200, aggregatedList(types, false), AGGREGATED_CT);
      return sendJson(res, 200, apiGroupList(types));
    }
    if (p === '/openapi/v3' || p.startsWith('/openapi/v3/')) return this.openApiV3(res, p.slice('/openapi/v3'.length));
    const seg = p.split('/').slice(1).map(decodeURIComponent);
    let group: string, version: string, rest: string[];
    if (seg[0] === 'api' && seg.length >= 2) [group, version, rest] = ['', seg[1], seg.slice(2)];
    else if (seg[0] === 'apis' && seg.length >= 2) {
      if (seg.length === 2) {
        const g = apiGroup(types, seg[1]);
        if (!g) throw pathNotFound();
        return sendJson(res, 200, g);
      }
      [group, version, rest] = [seg[1], seg[2], seg.slice(3)];
    } else throw pathNotFound();
    if (rest.length === 0) {
      const list = apiResourceList(types, group, version);
      if (!list) throw pathNotFound();
      return sendJson(res, 200, list);
    }
    let watchPrefix = false;
    if (rest[0] === 'watch') {
      watchPrefix = true;
      rest = rest.slice(1);
    }
    const route = this.parseRoute(group, version, rest);
    if (!route) throw pathNotFound();
    const q = url.searchParams;
    const verb = this.verbOf(req.method ?? 'GET', route, q, watchPrefix);
    const t = route.type;
    const info: RequestInfo = {
      resource: true, verb, path: p, tk: route.tk, plural: t.plural, group: t.group, sub: route.sub, ns: route.ns, name: route.name, namespaced: t.namespaced,
    };
    if (route.type.review) {
      if (verb !== 'create' || route.name) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return this.review(res, route, user, body!);
    }
    if (route.type.virtual) return this.metrics(res, route, q);
    switch (verb) {
      case 'watch': return this.watch(req, res, route, q, accept, info);
      case 'list': return this.list(res, route, q, accept, info);
      case 'get': return this.get(req, res, route, q, accept, info);
      case 'create': return this.create(res, route, q, body!);
      case 'update': return this.update(res, route, q, body!);
      case 'patch': return this.patch(req, res, route, q, body!);
      case 'delete': return this.delete(res, route, q, body!);
      case 'deletecollection': return this.deleteCollection(res, route, q, body!);
      default: throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }
  }

  /** An answer from the gate: a Status, or plain text as http.Error writes it (the max-in-flight filter's 429). */
  private sendAnswer(res: http.ServerResponse, a: ApiError | TextAnswer): void {
    if (a instanceof ApiError) {
      if (a.code === 403) res.setHeader('X-Content-Type-Options', 'nosniff');
      sendError(res, a);
    } else {
      res.writeHead(a.code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...a.headers });
      res.end(a.text);
    }
  }

  /**
   * A body cut short: part of it, then the connection destroyed (no end of the chunked
   * stream), as a crash or a cut network leaves it. `text` is the whole body.
   */
  private sendTruncated(res: http.ServerResponse, contentType: string, text: string, cut: TruncateRule): void {
    const bytes = Buffer.from(text, 'utf8');
    const at = Math.max(1, Math.min(bytes.length - 1, cut.afterBytes ?? Math.floor(bytes.length / 2)));
    res.writeHead(200, { 'Content-Type': contentType });
    res.write(bytes.subarray(0, at), () => res.destroy());
  }

  /** `/openapi/v3` and `/openapi/v3/api/v1`, `/openapi/v3/apis/G/V` (see discovery.ts for how little they hold). */
  private openApiV3(res: http.ServerResponse, rest: string): void {
    const types = () => this.cluster.store.types.values();
    const doc = (group: string, version: string) => openApiV3Document(types(), group, version);
    if (rest === '') {
      const hashOf = (g: string, v: string) => createHash('sha256').update(JSON.stringify(doc(g, v))).digest('hex').toUpperCase();
      return sendJson(res, 200, openApiV3Index(types(), hashOf));
    }
    const seg = rest.split('/').slice(1);
    const gv = seg[0] === 'api' && seg.length === 2 ? ['', seg[1]] : seg[0] === 'apis' && seg.length === 3 ? [seg[1], seg[2]] : undefined;
    const body = gv && doc(gv[0], gv[1]);
    if (!body) throw pathNotFound();
    sendJson(res, 200, body);
  }

  private parseRoute(group: string, version: string, rest: string[]): Route | undefined {
    const find = (plural: string) => {
      for (const t of this.cluster.store.types.values()) if (t.group === group && t.version === version && t.plural === plural) return t;
      return undefined;
    };
    let ns: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const t = find(rest[2]);
      if (t && t.namespaced) {
        ns = rest[1];
        rest = rest.slice(2);
      }
    }
    const type = find(rest[0]);
    if (!type || rest.length > 3) return undefined;
    if (!type.namespaced && ns) return undefined;
    const sub = rest[2];
    if (sub && !type.subresources.some((s) => s.name === sub)) return undefined;
    return { type, tk: typeKey(type), ns, name: rest[1], sub };
  }

  private verbOf(method: string, r: Route, q: URLSearchParams, watchPrefix: boolean): string {
    const watch = watchPrefix || watchParam(q);
    switch (method) {
      case 'GET': return watch ? 'watch' : r.name ? 'get' : 'list';
      case 'POST': return r.name && !r.sub ? 'none' : 'create';
      case 'PUT': return r.name ? 'update' : 'none';
      case 'PATCH': return r.name ? 'patch' : 'none';
      case 'DELETE': return r.name ? 'delete' : 'deletecollection';
      default: return 'none';
    }
  }

  private printer(t: ResourceType): Printer {
    const crd = t.group && !['apps', 'batch', 'policy', 'coordination.k8s.io', 'apiextensions.k8s.io', 'metrics.k8s.io'].includes(t.group)
      ? this.cluster.store.get(CRD, undefined, `${t.plural}.${t.group}`) : undefined;
    return printerFor(t.kind, t.group, crd, t.version);
  }

  private tableRows(t: ResourceType, objs: any[], includeObject: string, now: number): any[] {
    const pr = this.printer(t);
    return objs.map((o) => {
      const row: any = { cells: pr.cells(o, now) };
      if (includeObject === 'Object') row.object = o;
      else if (includeObject !== 'None') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      return row;
    });
  }

  private matchers(t: ResourceType, q: URLSearchParams) {
    const fs = q.get('fieldSelector');
    checkFieldSelector(t.kind, fs, t.group === 'apps' || t.group === 'batch' ? [] : []);
    return { label: parseLabelSelector(q.get('labelSelector')), field: parseFieldSelector(fs) };
  }

  /**
   * A list, with the apiserver's resourceVersion semantics (1.32, watch cache on):
   * - unset: the current state; `0`: any state (the current one here), and `limit` is ignored;
   * - N (NotOlderThan, the default): at least N; ahead of the store it waits up to
   *   `tooLargeRvWaitMs` for the store to get there, then answers 504 Too large resource version;
   * - Exact (`resourceVersionMatch=Exact`, or N with a `limit` and no match, which etcd serves
   *   exactly): the state at N rebuilt from the kept history; older than the history 410,
   *   newer than the store 500 (etcd's future-revision error).
   */
  private async list(res: http.ServerResponse, r: Route, q: URLSearchParams, accept: string | undefined, info: RequestInfo): Promise<void> {
    const { type: t, tk } = r;
    const store = this.cluster.store;
    const { label, field } = this.matchers(t, q);
    const filtered = !!(q.get('labelSelector') || q.get('fieldSelector'));
    const ok = (o: any) => (!r.ns || o.metadata.namespace === r.ns) && label(o.metadata.labels) && field(o);
    const rvParam = q.get('resourceVersion') ?? '';
    const match = q.get('resourceVersionMatch') ?? '';
    const cont = q.get('continue');
    validateListOptions(rvParam, match, cont, q.has('sendInitialEvents'));
    const wanted = parseRv(rvParam);
    const limit = rvParam === '0' ? 0 : Number(q.get('limit') ?? 0);
    if (cont && rvParam !== '' && rvParam !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    const exact = wanted > 0 && (match === 'Exact' || (match === '' && limit > 0));
    if (wanted > 0 && !exact) await this.freshEnough(wanted);
    let at: { rv: number; items: any[] } | undefined;
    if (exact) {
      if (wanted > store.rv) throw futureRevision();
      at = { rv: wanted, items: store.stateAt(tk, wanted) };
    }
    let items: any[] = [];
    let next: string | undefined;
    let remaining: number | undefined;
    let listRv = at?.rv ?? store.rv;
    if (limit > 0 || cont) {
      let snap, offset = 0;
      if (cont) {
        let tok: { s: string; o: number };
        try {
          tok = JSON.parse(Buffer.from(cont, 'base64url').toString());
        } catch {
          throw badRequest('continue key is not valid: illegal base64 data at input byte 0');
        }
        snap = store.snapshot(tok.s);
        if (!snap) throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
        offset = tok.o;
      } else snap = store.makeSnapshot(tk, at);
      listRv = snap.rv;
      const want = limit > 0 ? limit : Infinity;
      let i = offset;
      for (; i < snap.items.length && items.length < want; i++) if (ok(snap.items[i])) items.push(snap.items[i]);
      // look ahead so the last page carries no continue token
      let j = i;
      while (j < snap.items.length && !ok(snap.items[j])) j++;
      if (j < snap.items.length) {
        next = Buffer.from(JSON.stringify({ s: snap.id, o: j })).toString('base64url');
        if (!filtered && !r.ns) remaining = snap.items.length - j;
      } else store.dropSnapshot(snap.id);
    } else {
      for (const o of at?.items ?? store.sorted(tk)) if (ok(o)) items.push(o);
    }
    const metadata: any = { resourceVersion: String(listRv) };
    if (next) metadata.continue = next;
    if (remaining !== undefined) metadata.remainingItemCount = remaining;
    const cut = this.faults.truncate.length ? this.faults.truncation(info) : undefined;
    if (wantsTable(accept)) {
      const pr = this.printer(t);
      const table = {
        kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: pr.columns,
        rows: this.tableRows(t, items, q.get('includeObject') ?? 'Metadata', Date.now()),
      };
      if (cut) return this.sendTruncated(res, TABLE_CT, JSON.stringify(table), cut);
      return sendJson(res, 200, table, TABLE_CT);
    }
    const kind = `${t.kind}List`, apiVersion = gvKey(t.group, t.version);
    if (cut) return this.sendTruncated(res, 'application/json', JSON.stringify({ kind, apiVersion, metadata, items }), cut);
    sendList(res, kind, apiVersion, metadata, items);
  }

  /**
   * A read that wants at least `rv`: wait for the store to get there (the watch cache's
   * waitUntilFreshAndBlock), else 504 Too large resource version.
   */
  private async freshEnough(rv: number): Promise<void> {
    const store = this.cluster.store;
    if (rv <= store.rv) return;
    if (await store.waitForRv(rv, this.cluster.tooLargeRvWaitMs)) return;
    throw tooLargeResourceVersion(rv, store.rv);
  }

  private async get(req: http.IncomingMessage, res: http.ServerResponse, r: Route, q: URLSearchParams, accept: string | undefined, info: RequestInfo): Promise<void> {
    const c = this.cluster;
    const { type: t, tk } = r;
    // a get with a resourceVersion reads the watch cache, which must be at least that fresh
    if (!r.sub && q.has('resourceVersion')) await this.freshEnough(parseRv(q.get('resourceVersion')!));
    const obj = c.store.mustGet(tk, r.ns, r.name!);
    if (r.sub === 'log') return this.logs(req, res, obj, q);
    if (r.sub === 'scale') return sendJson(res, 200, scaleOf(obj));
    if (r.sub === 'exec' || r.sub === 'attach' || r.sub === 'portforward') {
      throw badRequest(`Upgrade request required`);
    }
    const cut = this.faults.truncate.length ? this.faults.truncation(info) : undefined;
    if (wantsTable(accept) && !r.sub) {
      const pr = this.printer(t);
      const table = {
        kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: obj.metadata.resourceVersion },
        columnDefinitions: pr.columns, rows: this.tableRows(t, [obj], q.get('includeObject') ?? 'Metadata', Date.now()),
      };
      if (cut) return this.sendTruncated(res, TABLE_CT, JSON.stringify(table), cut);
      return sendJson(res, 200, table, TABLE_CT);
    }
    if (cut) return this.sendTruncated(res, 'application/json', JSON.stringify(obj), cut);
    sendJson(res, 200, obj);
  }

  /**
   * A watch, with the apiserver's resourceVersion semantics (1.32, watch cache on):
   * - unset or `0`: ADDED for the current state, then changes;
   * - N: the kept events after N, then changes; older than the history: one ERROR event
   *   (410 Expired). N ahead of the store is accepted as it is by the watch cache: nothing
   *   is sent until the store passes N, and only events after N then (a client that resumes
   *   blindly after a restore misses what happened in between);
   * - watch-list (`sendInitialEvents=true`): the state at least as new as N; ahead of the
   *   store it waits up to `tooLargeRvWaitMs`, then sends one ERROR event (504 Too large
   *   resource version) and ends.
   */
  private async watch(req: http.IncomingMessage, res: http.ServerResponse, r: Route, q: URLSearchParams, accept: string | undefined, info: RequestInfo): Promise<void> {
    const c = this.cluster;
    const store = c.store;
    const { type: t, tk } = r;
    if (r.name) q.set('fieldSelector', [q.get('fieldSelector'), `metadata.name=${r.name}`].filter(Boolean).join(','));
    const { label, field } = this.matchers(t, q);
    const table = wantsTable(accept);
    const printer = table ? this.printer(t) : undefined;
    const includeObject = q.get('includeObject') ?? 'Metadata';
    const rvParam = q.get('resourceVersion') ?? '';
    const initial = q.get('sendInitialEvents') === 'true';
    const bookmarks = q.get('allowWatchBookmarks') === 'true';
    validateWatchOptions(q.get('resourceVersionMatch') ?? '', q.has('sendInitialEvents'), q.get('continue'));
    if (initial && !bookmarks) throw new ApiError(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks=true');
    const wanted = parseRv(rvParam);
    const since = rvParam === '' || rvParam === '0' || initial ? undefined : wanted;
    const errorEvent = (e: ApiError) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.end(JSON.stringify({ type: 'ERROR', object: e.status() }) + '\n');
    };
    if (initial && wanted > store.rv && !(await store.waitForRv(wanted, c.tooLargeRvWaitMs))) {
      if (!res.destroyed) errorEvent(tooLargeResourceVersion(wanted, store.rv));
      return;
    }
    if (res.destroyed) return;
    let history: StoredEvent[] = [];
    if (since !== undefined) {
      try {
        history = store.eventsSince(since);
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== 410) throw e;
        return errorEvent(e);
      }
    }
    const cut = this.faults.truncate.length ? this.faults.truncation(info) : undefined;
    res.writeHead(200, { 'Content-Type': table ? TABLE_CT : 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    let first = true;
    let buf: string[] = [];
    let sent = 0;
    let closed = false;
    let heldByStall = false;
    const encode = (type: string, obj: any, ev?: StoredEvent): string => {
      if (printer) {
        const row: any = { cells: printer.cells(obj, Date.now()) };
        if (includeObject === 'Object') row.object = obj;
        else if (includeObject !== 'None') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
        const tbl = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: obj.metadata.resourceVersion }, columnDefinitions: first ? printer.columns : [], rows: [row] };
        first = false;
        return `{"type":"${type}","object":${JSON.stringify(tbl)}}`;
      }
      let json: string;
      if (ev && ev.obj === obj) json = ev.line ??= JSON.stringify(obj);
      else json = JSON.stringify(obj);
      return `{"type":"${type}","object":${json}}`;
    };
    const flush = () => {
      if (buf.length === 0 || closed) return;
      // a stalled server says nothing; what piles up goes out when the stall ends
      if (this.faults.stalled()) {
        if (!heldByStall) {
          heldByStall = true;
          this.faults.afterStall(() => {
            heldByStall = false;
            flush();
          });
        }
        return;
      }
      if (cut && sent + buf.length > (cut.afterEvents ?? 0)) {
        // whole events up to the limit, then half of the next one, then the connection is gone
        const whole = buf.slice(0, (cut.afterEvents ?? 0) - sent);
        const next = buf[whole.length];
        const text = whole.map((l) => l + '\n').join('') + next.slice(0, Math.max(1, Math.floor(next.length / 2)));
        buf = [];
        drop();
        res.write(text, () => res.destroy());
        return;
      }
      sent += buf.length;
      res.write(buf.join('\n') + '\n');
      buf = [];
    };
    const watcher: Watcher = {
      tk, namespace: r.ns, label, field,
      deliver: (type: EventType, obj: any, ev: StoredEvent) => {
        // a watch from an RV the store has not reached yet hears nothing until it passes it
        if (since !== undefined && ev.rv <= since) return;
        buf.push(encode(type, obj, ev));
        if (buf.length >= 256) flush();
        else scheduleFlush();
      },
    };
    let flushPending = false;
    const scheduleFlush = () => {
      if (flushPending) return;
      flushPending = true;
      setImmediate(() => {
        flushPending = false;
        flush();
        // a client that stops reading must not grow the server without bound
        if (res.writableLength > 256 * 1024 * 1024) close();
      });
    };
    if (since === undefined) {
      const ok = (o: any) => (!r.ns || o.metadata.namespace === r.ns) && label(o.metadata.labels) && field(o);
      for (const o of store.sorted(tk)) {
        if (!ok(o)) continue;
        buf.push(encode('ADDED', o));
        if (buf.length >= 512) flush();
      }
      if (initial) buf.push(this.bookmark(t, store.rv, true));
    } else {
      for (const ev of history) {
        if (ev.tk !== tk) continue;
        const had = ev.line !== undefined;
        dispatch(watcher, ev);
        // the kept history holds objects only; their text was for this replay
        if (!had) ev.line = undefined;
      }
    }
    flush();
    const unsubscribe = store.addWatcher(watcher);
    const timers: NodeJS.Timeout[] = [];
    if (bookmarks) {
      timers.push(setInterval(() => {
        // no bookmark for an RV before the one the watch started from
        if (since !== undefined && store.rv < since) return;
        buf.push(this.bookmark(t, store.rv, false));
        flush();
      }, c.bookmarkIntervalMs));
    }
    // the apiserver: the client's timeoutSeconds, else its min-request-timeout (1800 s) times
    // 1 to 2. `watchTimeoutSeconds` (kmux sim --watch-timeout) is that base, and it also cuts
    // a longer timeout a client asked for, so a test sees many expiries in minutes.
    const base = c.watchTimeoutSeconds;
    const serverSide = ((base ?? 1800) + Math.random() * (base ?? 1800)) * 1000;
    const asked = Number(q.get('timeoutSeconds')) * 1000;
    const timeout = asked > 0 ? (base ? Math.min(asked, serverSide) : asked) : serverSide;
    timers.push(setTimeout(() => close(), timeout));
    const open: OpenWatch = { info, res, close: () => close() };
    /** stop producing (the connection is being cut or has ended). */
    const drop = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      for (const x of timers) clearTimeout(x);
      this.closers.delete(close);
      this.watches.delete(open);
    };
    const close = () => {
      if (closed) return;
      // not even the end of the stream gets out of a stalled server
      if (this.faults.stalled()) return this.faults.afterStall(close);
      flush();
      if (closed) return;
      drop();
      res.end();
    };
    this.closers.add(close);
    this.watches.add(open);
    // res 'close', not req 'close': the request side closes as soon as its body is read.
    res.on('close', drop);
  }

  private bookmark(t: ResourceType, rv: number, initialEnd: boolean): string {
    const metadata: any = { resourceVersion: String(rv) };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    return JSON.stringify({ type: 'BOOKMARK', object: { kind: t.kind, apiVersion: gvKey(t.group, t.version), metadata } });
  }

  private logs(req: http.IncomingMessage, res: http.ServerResponse, pod: any, q: URLSearchParams): void {
    const names = pod.spec.containers.map((c: any) => c.name);
    let container = q.get('container') ?? '';
    if (!container) {
      if (names.length !== 1) {
        const def = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
        if (def) container = def;
        else throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`);
      } else container = names[0];
    }
    if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
    const inst = instanceOf(pod, container, q.get('previous') === 'true');
    if ('error' in inst) throw badRequest(inst.error);
    const opts = {
      timestamps: q.get('timestamps') === 'true',
      tailLines: q.has('tailLines') ? Number(q.get('tailLines')) : undefined,
      limitBytes: q.has('limitBytes') ? Number(q.get('limitBytes')) : undefined,
      sinceMs: q.has('sinceSeconds') ? Date.now() - Number(q.get('sinceSeconds')) * 1000 : q.has('sinceTime') ? Date.parse(q.get('sinceTime')!) : undefined,
    };
    const [from, to] = lineRange(inst, logRate(pod, container), Date.now(), opts);
    const follow = q.get('follow') === 'true' && inst.endMs === undefined;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.write(renderLines(pod, container, inst, from, to, opts));
    if (!follow) return void res.end();
    res.flushHeaders();
    const store = this.cluster.store;
    let sent = to;
    const timer = setInterval(() => {
      // a stalled server writes nothing; the lines come when it ends
      if (this.faults.stalled()) return;
      const cur = store.get(POD, pod.metadata.namespace, pod.metadata.name);
      const st = cur?.status?.containerStatuses?.find((s: any) => s.name === container);
      // the stream ends with the container instance, as the kubelet's does
      if (!cur || cur.metadata.uid !== pod.metadata.uid || !st?.state?.running || (st.restartCount ?? 0) !== inst.instance) return close();
      const [, total] = lineRange(inst, logRate(cur, container), Date.now(), {});
      if (total > sent) {
        res.write(renderLines(cur, container, inst, sent, total, { timestamps: opts.timestamps }));
        sent = total;
      }
    }, 100);
    const close = () => {
      clearInterval(timer);
      this.closers.delete(close);
      res.end();
    };
    this.closers.add(close);
    res.on('close', close);
  }

  private metrics(res: http.ServerResponse, r: Route, q: URLSearchParams): void {
    const c = this.cluster;
    const now = Date.now();
    const label = parseLabelSelector(q.get('labelSelector'));
    if (r.type.kind === 'NodeMetrics') {
      const podsOn = (n: string) => [...(c.podsByNode.get(n) ?? [])].map((k) => {
        const [ns, name] = k.split('/');
        return c.store.get(POD, ns, name);
      }).filter(Boolean);
      if (r.name) return sendJson(res, 200, nodeMetrics(c.store.mustGet(NODE, undefined, r.name), podsOn(r.name), now));
      const items = c.store.sorted(NODE).filter((n) => label(n.metadata.labels)).map((n) => nodeMetrics(n, podsOn(n.metadata.name), now));
      return sendJson(res, 200, { kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
    }
    if (r.name) {
      const m = podMetrics(c.store.mustGet(POD, r.ns, r.name), now);
      if (!m) throw notFound('pods', 'metrics.k8s.io', r.name);
      return sendJson(res, 200, m);
    }
    const items = [];
    for (const p of c.store.sorted(POD)) {
      if (r.ns && p.metadata.namespace !== r.ns) continue;
      if (!label(p.metadata.labels)) continue;
      const m = podMetrics(p, now);
      if (m) items.push(m);
    }
    sendList(res, 'PodMetricsList', 'metrics.k8s.io/v1beta1', {}, items);
  }

  private parseBody(body: Buffer): any {
    if (body.length === 0) return {};
    if (isK8sProtobuf(body)) {
      try {
        return decodeBodyAsJsonLike(body);
      } catch (e) {
        if (e instanceof UnsupportedProtobufKind) throw new ApiError(415, 'UnsupportedMediaType', e.message);
        throw badRequest(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (${(e as Error).message})`);
      }
    }
    try {
      return JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw badRequest(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (${(e as Error).message})`);
    }
  }

  /** A review API (reviews.ts): 201 with the answer, nothing stored. */
  private review(res: http.ServerResponse, r: Route, user: UserInfo, raw: Buffer): void {
    sendJson(res, 201, answerReview(r.type.kind, this.parseBody(raw), user, this.authorizer, r.ns));
  }

  private create(res: http.ServerResponse, r: Route, q: URLSearchParams, raw: Buffer): void {
    const c = this.cluster;
    const body = this.parseBody(raw);
    const dryRun = q.get('dryRun') === 'All';
    if (r.sub === 'eviction') {
      if (body.metadata?.name && body.metadata.name !== r.name) throw badRequest(`name in URL does not match name in Eviction object`);
      const opts = deleteOptions(body.deleteOptions ?? {}, q);
      return sendJson(res, 201, c.evict(r.ns!, r.name!, { ...opts, dryRun: opts.dryRun || dryRun }));
    }
    if (r.sub === 'binding') {
      const pod = c.store.mustGet(POD, r.ns, r.name!);
      if (pod.spec.nodeName) throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${r.name}": pod ${r.name} is already assigned to node "${pod.spec.nodeName}"`);
      if (!dryRun) c.store.update(POD, { ...pod, spec: { ...pod.spec, nodeName: body.target?.name } });
      return sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    }
    if (r.sub) throw badRequest(`Upgrade request required`);
    const t = r.type;
    const md = { ...(body.metadata ?? {}) };
    if (t.namespaced) {
      if (md.namespace && r.ns && md.namespace !== r.ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      md.namespace = r.ns ?? md.namespace;
      if (!md.namespace) throw badRequest('the namespace of the object must be set');
      if (!c.store.get(NS, undefined, md.namespace)) throw notFound('namespaces', '', md.namespace);
      const nsObj = c.store.get(NS, undefined, md.namespace);
      if (nsObj.status?.phase === 'Terminating') throw new ApiError(403, 'Forbidden', `${t.plural} "${md.name ?? md.generateName}" is forbidden: unable to create new content in namespace ${md.namespace} because it is being terminated`);
    }
    if (!md.name && md.generateName) {
      do md.name = flat(md.generateName, c.rand.suffix(5));
      while (c.store.get(r.tk, md.namespace, md.name));
    }
    if (!md.name) throw invalid(t.kind, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' }]);
    if (body.kind && body.kind !== t.kind) throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${gvKey(t.group, t.version)})`);
    delete md.resourceVersion;
    delete md.uid;
    delete md.creationTimestamp;
    const obj = withDefaults(t.kind, { ...body, metadata: md }, c.now());
    if (t.group === RBAC_GROUP) validateRbacObject(t.kind, obj);
    if (dryRun) {
      return sendJson(res, 201, { ...obj, apiVersion: gvKey(t.group, t.version), kind: t.kind, metadata: { ...obj.metadata, uid: c.store.newUid(), creationTimestamp: nowIso() } });
    }
    sendJson(res, 201, c.store.create(r.tk, obj));
  }

  private keepStatus(r: Route, cur: any, next: any): any {
    const hasStatusSub = r.type.subresources.some((s) => s.name === 'status');
    if (r.sub === 'status') return { ...cur, status: next.status, metadata: { ...cur.metadata, ...pickMeta(next.metadata) } };
    if (hasStatusSub) return { ...next, status: cur.status };
    return next;
  }

  private update(res: http.ServerResponse, r: Route, q: URLSearchParams, raw: Buffer): void {
    const c = this.cluster;
    const body = this.parseBody(raw);
    const cur = c.store.mustGet(r.tk, r.ns, r.name!);
    if (r.sub === 'scale') return this.writeScale(res, r, cur, body, q);
    if (body.metadata?.name !== r.name) throw badRequest(`the name of the object (${body.metadata?.name}) does not match the name on the URL (${r.name})`);
    const next = this.keepStatus(r, cur, { ...body, metadata: { ...body.metadata, namespace: cur.metadata.namespace } });
    if (r.type.group === RBAC_GROUP) validateRbacObject(r.type.kind, next, cur);
    if (q.get('dryRun') === 'All') return sendJson(res, 200, next);
    sendJson(res, 200, c.store.update(r.tk, next, body.metadata?.resourceVersion));
  }

  private patch(req: http.IncomingMessage, res: http.ServerResponse, r: Route, q: URLSearchParams, raw: Buffer): void {
    const c = this.cluster;
    const ct = (req.headers['content-type'] ?? '').split(';')[0].trim();
    let patch: any;
    try {
      patch = JSON.parse(raw.toString('utf8') || 'null');
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const cur = c.store.mustGet(r.tk, r.ns, r.name!);
    const base = r.sub === 'scale' ? scaleOf(cur) : cur;
    let next: any;
    switch (ct) {
      case 'application/merge-patch+json': next = applyMergePatch(base, patch); break;
      case 'application/strategic-merge-patch+json': next = applyStrategicMergePatch(base, patch); break;
      case 'application/json-patch+json': next = applyJsonPatch(base, patch); break;
      default:
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
    }
    if (r.sub === 'scale') return this.writeScale(res, r, cur, next, q);
    if (next?.metadata?.name !== cur.metadata.name) throw badRequest('metadata.name: Invalid value: the name of the object cannot be changed by a patch');
    const expect = patch?.metadata?.resourceVersion;
    next = this.keepStatus(r, cur, next);
    if (r.type.group === RBAC_GROUP) validateRbacObject(r.type.kind, next, cur);
    if (q.get('dryRun') === 'All') return sendJson(res, 200, next);
    sendJson(res, 200, c.store.update(r.tk, next, expect));
  }

  private writeScale(res: http.ServerResponse, r: Route, cur: any, scale: any, q: URLSearchParams): void {
    const replicas = scale?.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw invalid('Scale', cur.metadata.name, [{ field: 'spec.replicas', message: `Invalid value: ${replicas}: must be greater than or equal to 0` }]);
    }
    if (scale.metadata?.resourceVersion && scale.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r.type.plural, r.type.group)} "${cur.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    if (q.get('dryRun') === 'All') return sendJson(res, 200, scaleOf({ ...cur, spec: { ...cur.spec, replicas } }));
    const updated = this.cluster.store.update(r.tk, { ...cur, spec: { ...cur.spec, replicas } });
    sendJson(res, 200, scaleOf(updated));
  }

  private delete(res: http.ServerResponse, r: Route, q: URLSearchParams, raw: Buffer): void {
    if (r.sub) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const opts = deleteOptions(this.parseBody(raw), q);
    const out = this.cluster.deleteObject(r.tk, r.ns, r.name!, opts);
    sendJson(res, 200, out);
  }

  private deleteCollection(res: http.ServerResponse, r: Route, q: URLSearchParams, raw: Buffer): void {
    const c = this.cluster;
    const opts = deleteOptions(this.parseBody(raw), q);
    const { label, field } = this.matchers(r.type, q);
    const victims = c.store.sorted(r.tk).filter((o) => (!r.ns || o.metadata.namespace === r.ns) && label(o.metadata.labels) && field(o));
    const items = victims.map((o) => c.deleteObject(r.tk, o.metadata.namespace, o.metadata.name, opts));
    sendList(res, `${r.type.kind}List`, gvKey(r.type.group, r.type.version), { resourceVersion: String(c.store.rv) }, items);
  }
}

/** A resourceVersion query parameter as a number ('' and '0' are 0). */
function parseRv(v: string): number {
  if (v === '' || v === '0') return 0;
  if (!/^\d+$/.test(v)) throw badRequest(`resourceVersion: Invalid value: "${v}": strconv.ParseUint: parsing "${v}": invalid syntax`);
  return Number(v);
}

/** ListOptions validation of a list (apimachinery's ValidateListOptions), as the 422 it becomes. */
function validateListOptions(rv: string, match: string, cont: string | null, sendInitialEvents: boolean): void {
  const errs: { field: string; message: string; reason: string }[] = [];
  const forbid = (field: string, detail: string) => errs.push({ field, message: `Forbidden: ${detail}`, reason: 'FieldValueForbidden' });
  if (match) {
    if (!rv) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (cont) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      errs.push({ field: 'resourceVersionMatch', message: `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan", ""`, reason: 'FieldValueNotSupported' });
    }
    if (match === 'Exact' && rv === '0') forbid('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  }
  if (sendInitialEvents) forbid('sendInitialEvents', 'sendInitialEvents is forbidden for list');
  if (errs.length) throw listOptionsInvalid(errs);
}

/** ListOptions validation of a watch (validateWatchOptions). */
function validateWatchOptions(match: string, sendInitialEvents: boolean, cont: string | null): void {
  const errs: { field: string; message: string; reason: string }[] = [];
  const forbid = (field: string, detail: string) => errs.push({ field, message: `Forbidden: ${detail}`, reason: 'FieldValueForbidden' });
  if (sendInitialEvents && match !== 'NotOlderThan') forbid('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
  if (match) {
    if (!sendInitialEvents) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
    if (match !== 'NotOlderThan') errs.push({ field: 'resourceVersionMatch', message: `Unsupported value: "${match}": supported values: "NotOlderThan"`, reason: 'FieldValueNotSupported' });
    if (cont) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
  }
  if (errs.length) throw listOptionsInvalid(errs);
}

/** errors.NewInvalid for ListOptions: one error inline, several in brackets. */
function listOptionsInvalid(errs: { field: string; message: string; reason: string }[]): ApiError {
  const text = errs.map((e) => `${e.field}: ${e.message}`);
  return new ApiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${text.length === 1 ? text[0] : `[${text.join(', ')}]`}`, {
    group: 'meta.k8s.io', kind: 'ListOptions', causes: errs.map((e) => ({ reason: e.reason, message: e.message, field: e.field })),
  });
}

function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

function pickMeta(md: any): any {
  const out: any = {};
  if (md?.labels) out.labels = md.labels;
  if (md?.annotations) out.annotations = md.annotations;
  return out;
}

function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

function scaleOf(obj: any): any {
  const sel = obj.spec.selector?.matchLabels ? Object.entries(obj.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(',') : '';
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: obj.spec.replicas ?? 1 },
    status: { replicas: obj.status?.replicas ?? 0, selector: sel },
  };
}

function deleteOptions(body: any, q: URLSearchParams): DeleteOptions {
  const grace = q.has('gracePeriodSeconds') ? Number(q.get('gracePeriodSeconds')) : body.gracePeriodSeconds;
  let propagation = q.get('propagationPolicy') ?? body.propagationPolicy;
  if (!propagation && (q.get('orphanDependents') === 'true' || body.orphanDependents === true)) propagation = 'Orphan';
  const dry = q.get('dryRun') === 'All' || (Array.isArray(body.dryRun) && body.dryRun.includes('All'));
  return { gracePeriodSeconds: grace === undefined || grace === null ? undefined : Number(grace), propagationPolicy: propagation, preconditions: body.preconditions, dryRun: dry };
}

/** An image without a tag, or tagged latest, is pulled Always; others IfNotPresent (SetDefaults_Container). */
function pullPolicyOf(image: string | undefined): string {
  const ref = (image ?? '').split('@')[0];
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

const containerDefaults = (c: any) => ({
  imagePullPolicy: pullPolicyOf(c.image), terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {}, ...c,
  ...(c.ports ? { ports: c.ports.map((p: any) => ({ protocol: 'TCP', ...p })) } : {}),
});

/** SetDefaults_PodSpec (and its containers'), as for every pod template. */
function podSpecDefaults(spec: any): any {
  return {
    restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', securityContext: {},
    ...spec,
    containers: (spec?.containers ?? []).map(containerDefaults),
    ...(spec?.initContainers ? { initContainers: spec.initContainers.map(containerDefaults) } : {}),
  };
}

/** A workload's pod template with its spec defaulted (what the apiserver stores). */
function templateDefaults(tpl: any): any {
  return tpl ? { ...tpl, spec: podSpecDefaults(tpl.spec) } : tpl;
}

/** The defaults the apiserver fills on create, for the kinds whose shape clients rely on. */
function withDefaults(kind: string, obj: any, now: number): any {
  switch (kind) {
    case 'Namespace':
      return { ...obj, spec: { finalizers: ['kubernetes'], ...obj.spec }, status: { phase: 'Active' } };
    case 'Pod': {
      // serviceAccountName, priority and preemptionPolicy come from admission plugins, the rest from defaulting
      const spec = {
        serviceAccountName: 'default', serviceAccount: 'default', enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0,
        ...podSpecDefaults(obj.spec),
      };
      if (spec.containers.length === 0) throw invalid('Pod', obj.metadata.name, [{ field: 'spec.containers', message: 'Required value', reason: 'FieldValueRequired' }]);
      const pod = { ...obj, spec };
      return { ...pod, status: pendingStatus(pod, now) };
    }
    case 'Deployment': {
      const strategy = obj.spec?.strategy?.type ? { ...obj.spec.strategy } : { type: 'RollingUpdate', ...obj.spec?.strategy };
      if (strategy.type === 'RollingUpdate') strategy.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...strategy.rollingUpdate };
      return {
        ...obj,
        spec: { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, ...obj.spec, strategy, template: templateDefaults(obj.spec?.template) },
        status: {},
      };
    }
    case 'ReplicaSet':
    case 'StatefulSet':
      return { ...obj, spec: { replicas: 1, ...obj.spec, template: templateDefaults(obj.spec?.template) }, status: {} };
    case 'DaemonSet':
      return { ...obj, spec: { ...obj.spec, template: templateDefaults(obj.spec?.template) }, status: {} };
    case 'Job':
      return { ...obj, spec: jobSpecDefaults(obj.spec), status: {} };
    case 'CronJob': {
      const jt = obj.spec?.jobTemplate;
      return {
        ...obj,
        spec: {
          concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, ...obj.spec,
          ...(jt ? { jobTemplate: { ...jt, spec: { ...jt.spec, template: templateDefaults(jt.spec?.template) } } } : {}),
        },
        status: {},
      };
    }
    case 'Secret':
      return { ...obj, type: obj.type || 'Opaque' };
    case 'PodDisruptionBudget':
      return { ...obj, status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, observedGeneration: 0 } };
    case 'Node':
      return { ...obj, spec: { ...obj.spec }, status: obj.status ?? {} };
    default:
      return obj;
  }
}

function jobSpecDefaults(spec: any): any {
  return { completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, ...spec, template: templateDefaults(spec?.template) };
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const ch of req) chunks.push(ch as Buffer);
  return Buffer.concat(chunks);
}

/** An error as ErrorNegotiated writes it: the Status, and Retry-After when the error asks a client to wait. */
function sendError(res: http.ServerResponse, err: ApiError): void {
  for (const [k, v] of Object.entries(err.headers ?? {})) res.setHeader(k, v);
  sendJson(res, err.code, err.status());
}

function sendJson(res: http.ServerResponse, code: number, obj: unknown, contentType = 'application/json'): void {
  const body = JSON.stringify(obj);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendText(res: http.ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/** A list written item by item, so 50,000 pods never become one giant string. */
function sendList(res: http.ServerResponse, kind: string, apiVersion: string, metadata: any, items: any[]): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.write(`{"kind":"${kind}","apiVersion":"${apiVersion}","metadata":${JSON.stringify(metadata)},"items":[`);
  const BATCH = 500;
  for (let i = 0; i < items.length; i += BATCH) {
    const part = items.slice(i, i + BATCH).map((o) => JSON.stringify(o)).join(',');
    res.write(i === 0 ? part : ',' + part);
  }
  res.end(']}');
}
