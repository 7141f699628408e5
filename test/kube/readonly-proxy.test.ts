/**
 * The read-only API proxy against the simulated fleet over HTTP, and against a small local
 * server where the simulator cannot tell (credentials, aborts, broken streams): what passes,
 * what is refused and how, and that refused requests never reach the cluster.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/kube/connection.js';
import { loadKubeconfig, type Kubeconfig } from '../../src/kube/kubeconfig.js';
import { pathSegments, readOnlyVerdict, startReadOnlyProxy, type ReadOnlyProxy } from '../../src/kube/readonly-proxy.js';
import { selfSignedCert } from '../../src/kube/selfsigned.js';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { request, type Resp } from '../helpers/http.js';
import { until } from '../helpers/wait.js';

const TOKEN = 'proxy-token-for-tests';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
// one certificate for every proxy here, so the helpers below can trust it
const TLS = selfSignedCert('kmux test proxy');

function proxyFor(kc: Kubeconfig): Promise<ReadOnlyProxy> {
  const conns = new Map<string, Connection>();
  return startReadOnlyProxy({
    token: TOKEN,
    tls: TLS,
    contexts: kc.contexts.map((c) => c.name),
    connectionFor: (ctx) => {
      let c = conns.get(ctx);
      if (!c) conns.set(ctx, (c = new Connection(kc, ctx, { maxSockets: Infinity })));
      return c;
    },
  });
}

/** One exchange with a proxy (HTTPS, its certificate trusted), the whole answer read. */
function call(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Resp> {
  return request(url, { ...opts, ca: TLS.cert });
}

/** A long GET through a proxy: the response as it comes (the caller destroys the request). */
function open(url: string, headers: Record<string, string>, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
  const req = https.get(url, { headers, ca: TLS.cert }, onResponse);
  req.on('error', () => {});
  return req;
}

/** A watch through a proxy: its events as they arrive. */
function watchEvents(url: string, headers: Record<string, string>) {
  const events: any[] = [];
  let status = 0;
  let ended = false;
  const req = open(url, headers, (res) => {
    status = res.statusCode ?? 0;
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      buf += c;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) events.push(JSON.parse(line));
      }
    });
    res.on('close', () => (ended = true));
  });
  return {
    events,
    status: () => until('the watch to answer', () => status, 10_000),
    until: (pred: (e: any) => boolean, ms: number) => until('a matching event', () => events.find(pred), ms, 5),
    isEnded: () => ended,
    close: () => req.destroy(),
  };
}

function expectRefused(r: Resp, pattern: RegExp = /read-only/) {
  expect(r.status).toBe(403);
  expect(r.headers['content-type']).toBe('application/json');
  const s = r.json();
  expect(s).toMatchObject({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403 });
  expect(s.message).toMatch(/kmux is in read-only mode/);
  expect(s.message).toMatch(pattern);
}

/** A request with an Upgrade header; resolves with the answer when it is not a 101. */
function upgradeRequest(url: string, method: string, headers: Record<string, string>): Promise<{ status: number; body: string; upgraded: boolean }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers: { Connection: 'Upgrade', ...headers }, ca: TLS.cert });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '', upgraded: true });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), upgraded: false }));
    });
    req.on('error', reject);
    req.end();
  });
}

const WS = { Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' };
const SPDY = { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' };

describe('readOnlyVerdict', () => {
  it.each([
    ['GET', '/api/v1/namespaces/default/pods'],
    ['GET', '/api/v1/pods?watch=true&resourceVersion=1'],
    ['GET', '/api/v1/watch/namespaces/default/pods'],
    ['HEAD', '/api/v1/namespaces/default/pods/web-1'],
    ['GET', '/api/v1/namespaces/default/pods/web-1/log?follow=true&container=app'],
    ['GET', '/api/v1/namespaces/default/pods/exec'], // a pod named "exec"
    ['GET', '/api/v1/namespaces/exec'], // a namespace named "exec"
    ['GET', '/api'], ['GET', '/apis'], ['GET', '/api/v1'], ['GET', '/apis/apps/v1'], ['GET', '/version?timeout=5s'],
    ['GET', '/openapi/v2'], ['GET', '/openapi/v3/apis/apps/v1'], ['GET', '/'],
    ['GET', '/apis/apps/v1/namespaces/web/deployments/api/scale'],
    ['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'],
    ['POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews'],
    ['POST', '/apis/authorization.k8s.io/v1/namespaces/web/localsubjectaccessreviews'],
    ['POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews'],
    ['POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews'],
    ['POST', '/apis/authentication.k8s.io/v1/tokenreviews'],
  ])('passes %s %s', (method, path) => {
    expect(readOnlyVerdict(method, path)).toMatchObject({ allowed: true });
  });

  it.each([
    ['POST', '/api/v1/namespaces/default/configmaps', 'create'],
    ['PUT', '/api/v1/namespaces/default/configmaps/c', 'update'],
    ['PATCH', '/api/v1/namespaces/default/pods/web-1', 'patch'],
    ['DELETE', '/api/v1/namespaces/default/pods/web-1', 'delete'],
    ['DELETE', '/api/v1/namespaces/default/pods', 'deletecollection'],
    ['POST', '/api/v1/namespaces/default/pods/web-1/eviction', 'create'],
    ['POST', '/api/v1/namespaces/default/serviceaccounts/default/token', 'create'],
    ['PUT', '/api/v1/namespaces/default/finalize', 'update'],
    ['GET', '/api/v1/namespaces/default/pods/web-1/exec?command=sh', 'create'],
    ['POST', '/api/v1/namespaces/default/pods/web-1/exec?command=sh', 'create'],
    ['GET', '/api/v1/namespaces/default/pods/web-1/attach', 'create'],
    ['GET', '/api/v1/namespaces/default/pods/web-1/portforward?ports=80', 'create'],
    ['GET', '/api/v1/namespaces/default/pods/web-1/proxy/admin', 'create'],
    ['GET', '/api/v1/namespaces/default/services/web:80/proxy/', 'create'],
    ['GET', '/api/v1/nodes/node-1/proxy/run/default/web-1/app', 'create'],
    ['GET', '/api/v1/proxy/namespaces/default/services/web/', 'create'],
    ['CONNECT', '/api/v1/namespaces/default/pods/web-1/exec', 'create'],
    ['OPTIONS', '/api/v1/pods', 'options'],
    // reviews only where they are: not named, not elsewhere
    ['POST', '/apis/authorization.k8s.io/v1/namespaces/web/selfsubjectaccessreviews', 'create'],
    ['POST', '/apis/authorization.k8s.io/v1/localsubjectaccessreviews', 'create'],
    ['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews/x', 'create'],
    ['POST', '/apis/evil.example.com/v1/selfsubjectaccessreviews', 'create'],
    ['PUT', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', 'update'],
  ])('refuses %s %s (%s)', (method, path, verb) => {
    const v = readOnlyVerdict(method, path);
    expect(v.allowed).toBe(false);
    if (!v.allowed) {
      expect(v.verb).toBe(verb);
      expect(v.message).toMatch(/kmux is in read-only mode/);
    }
  });

  it('refuses every upgrade, even on a path a GET may read', () => {
    expect(readOnlyVerdict('GET', '/api/v1/namespaces/default/pods/web-1/exec', true)).toMatchObject({ allowed: false, verb: 'create' });
    expect(readOnlyVerdict('GET', '/api/v1/pods?watch=true', true)).toMatchObject({ allowed: false });
  });

  it('names the object, the group and the subresource the way the API server words a refusal', () => {
    const exec = readOnlyVerdict('GET', '/api/v1/namespaces/default/pods/web-1/exec');
    expect(!exec.allowed && exec.message).toMatch(/^pods "web-1" is forbidden: kmux is in read-only mode and refused to create pods\/exec/);
    const scale = readOnlyVerdict('PATCH', '/apis/apps/v1/namespaces/web/deployments/api/scale');
    expect(!scale.allowed && scale.message).toMatch(/^deployments\.apps "api" is forbidden: .*refused to patch deployments\/scale/);
    const create = readOnlyVerdict('POST', '/api/v1/namespaces/default/configmaps');
    expect(!create.allowed && create.message).toMatch(/^configmaps is forbidden: kmux is in read-only mode and refused to create \(start kmux without --readonly/);
  });

  it('refuses paths written so that they could read differently upstream', () => {
    // an escaped subresource is still the subresource; dot segments and empty ones are refused outright
    for (const p of [
      '/api/v1/namespaces/default/pods/web-1/%65xec',
      '/api/v1/namespaces/default/pods/web-1%2Fexec',
      '/api/v1/namespaces/default/pods/web-1/exec/',
      '/api/v1/namespaces/default/pods//web-1/exec',
      '/api/v1/namespaces/default/pods/x/../web-1/exec',
      '/api/v1/namespaces/default/pods/web-1/./exec',
      '/api/v1/namespaces/default/pods/%2e%2e/web-1',
      '/api/v1/pods/%zz',
      '/api/v1/pods%00',
      'api/v1/pods',
    ]) expect(readOnlyVerdict('GET', p), p).toMatchObject({ allowed: false });
    expect(pathSegments('/api/v1/pods/')).toEqual(['api', 'v1', 'pods']);
    expect(pathSegments('/a//b')).toBeUndefined();
  });
});

describe('the proxy in front of a simulated cluster', () => {
  let fleet: Fleet;
  let dir: string;
  let kc: Kubeconfig;
  let proxy: ReadOnlyProxy;
  let base: string;

  beforeAll(async () => {
    fleet = await startFleet({ clusters: 2, names: ['dev', 'prod'], nodes: 3, pods: 20, seed: 5 });
    dir = mkdtempSync(join(tmpdir(), 'kmux-roproxy-'));
    fleet.writeKubeconfig(join(dir, 'kc.yaml'));
    kc = loadKubeconfig([join(dir, 'kc.yaml')]);
    proxy = await proxyFor(kc);
    base = proxy.serverFor('dev');
  });
  afterAll(async () => {
    await proxy?.stop();
    await fleet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const dev = () => fleet.member('dev');
  const aPod = (ctx = 'dev') => [...fleet.member(ctx).cluster.store.iter('pods')].find((p) => p.status?.phase === 'Running' && p.metadata.namespace !== 'kube-system')!;

  it('refuses requests without the token, or with another one, with a 401 Status, before anything reaches the cluster', async () => {
    const before = dev().server.requestLog.length;
    for (const headers of [{} as Record<string, string>, { Authorization: 'Bearer nope' }, { Authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }, { Authorization: TOKEN }]) {
      const r = await call(`${base}/api/v1/pods`, { headers });
      expect(r.status).toBe(401);
      expect(r.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    }
    const up = await upgradeRequest(`${base}/api/v1/namespaces/default/pods/x/exec?command=sh`, 'GET', WS);
    expect(up.status).toBe(401);
    expect(JSON.parse(up.body)).toMatchObject({ reason: 'Unauthorized', code: 401 });
    expect(dev().server.requestLog.length).toBe(before);
  });

  it('passes reads: lists, gets, HEAD, discovery, openapi and version, each context to its own cluster', async () => {
    const list = await call(`${base}/api/v1/namespaces/kube-system/pods`, { headers: AUTH });
    expect(list.status).toBe(200);
    const names = list.json().items.map((p: any) => p.metadata.name).sort();
    expect(names).toEqual([...dev().cluster.store.iter('pods')].filter((p) => p.metadata.namespace === 'kube-system').map((p) => p.metadata.name).sort());
    const prodList = await call(`${proxy.serverFor('prod')}/api/v1/namespaces/kube-system/pods`, { headers: AUTH });
    expect(prodList.json().items.map((p: any) => p.metadata.name).sort()).toEqual([...fleet.member('prod').cluster.store.iter('pods')].filter((p) => p.metadata.namespace === 'kube-system').map((p) => p.metadata.name).sort());
    const pod = aPod();
    const one = await call(`${base}/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, { headers: AUTH });
    expect(one.json().metadata.uid).toBe(pod.metadata.uid);
    const missing = await call(`${base}/api/v1/namespaces/default/pods/no-such-pod`, { headers: AUTH });
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    // HEAD reaches the cluster, which answers it as it would without the proxy
    const from = dev().server.requestLog.length;
    const head = await call(`${base}/api/v1/namespaces/kube-system/pods`, { method: 'HEAD', headers: AUTH });
    expect(dev().server.requestLog.slice(from).map((r) => `${r.method} ${r.path}`)).toEqual(['HEAD /api/v1/namespaces/kube-system/pods']);
    expect(head.status).toBe((await request(`${dev().server.url}/api/v1/namespaces/kube-system/pods`, { method: 'HEAD' })).status);
    expect((await call(`${base}/version`, { headers: AUTH })).json().major).toBe('1');
    expect((await call(`${base}/api`, { headers: AUTH })).status).toBe(200);
    expect((await call(`${base}/apis`, { headers: AUTH })).status).toBe(200);
    expect((await call(`${base}/api/v1`, { headers: AUTH })).json().resources.some((r: any) => r.name === 'pods')).toBe(true);
    expect((await call(`${base}/openapi/v3`, { headers: AUTH })).status).toBe(200);
    // the server's headers come through (content type, a Table answer)
    const table = await call(`${base}/api/v1/namespaces/kube-system/pods`, { headers: { ...AUTH, Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    expect(table.json().kind).toBe('Table');
  });

  it('streams a watch through as it happens', async () => {
    const w = watchEvents(`${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${dev().cluster.store.rv}`, AUTH);
    try {
      expect(await w.status()).toBe(200);
      for (let i = 0; i < 3; i++) {
        const name = `ro-watch-${i}`;
        const at = Date.now();
        dev().cluster.store.create('configmaps', { metadata: { name, namespace: 'default' }, data: { i: String(i) } });
        const ev = await w.until((e) => e.object?.metadata?.name === name, 10_000);
        expect(ev.type).toBe('ADDED');
        // each event as it happens, not when the stream ends or a buffer fills
        expect(Date.now() - at).toBeLessThan(5_000);
      }
      expect(w.isEnded()).toBe(false);
    } finally {
      w.close();
    }
  });

  it('follows logs: lines keep coming through an open response', async () => {
    const pod = aPod();
    const container = pod.spec.containers[0].name;
    const lines: string[] = [];
    let ended = false;
    const req = open(`${base}/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/log?container=${container}&follow=true&tailLines=1`, AUTH, (res) => {
      expect(res.statusCode).toBe(200);
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (c: string) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
      res.on('end', () => (ended = true));
    });
    try {
      await until('a first log line', () => lines.length >= 1, 15_000);
      const first = lines.length;
      await until('more log lines after the first ones', () => lines.length > first, 20_000);
      expect(ended).toBe(false);
    } finally {
      req.destroy();
    }
  });

  it('refuses every write method with a 403 Status naming read-only mode, and the cluster sees none', async () => {
    const pod = aPod();
    const ns = pod.metadata.namespace;
    const from = dev().server.requestLog.length;
    const json = { ...AUTH, 'Content-Type': 'application/json' };
    const cases: [string, string, string?, Record<string, string>?][] = [
      ['POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nope' } })],
      ['PUT', `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`, JSON.stringify(pod)],
      ['PATCH', `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`, '{"metadata":{"labels":{"a":"b"}}}', { ...AUTH, 'Content-Type': 'application/merge-patch+json' }],
      ['DELETE', `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`],
      ['DELETE', `/api/v1/namespaces/${ns}/pods`],
      ['POST', `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/eviction`, JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod.metadata.name, namespace: ns } })],
      ['PATCH', `/api/v1/nodes/${pod.spec.nodeName}`, '{"spec":{"unschedulable":true}}', { ...AUTH, 'Content-Type': 'application/strategic-merge-patch+json' }],
      ['POST', '/api/v1/namespaces/default/configmaps?dryRun=All', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } })],
      ['OPTIONS', '/api/v1/pods'],
      ['GET', `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/exec?command=true&stdout=true`],
      ['GET', `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/proxy/`],
      ['GET', `/api/v1/nodes/${pod.spec.nodeName}/proxy/pods`],
    ];
    const refusedBefore = proxy.refused;
    for (const [method, path, body, headers] of cases) {
      const r = await call(`${base}${path}`, { method, headers: headers ?? json, body });
      expectRefused(r);
    }
    expect(proxy.refused - refusedBefore).toBe(cases.length);
    expect(dev().server.requestLog.slice(from)).toEqual([]);
    expect(dev().cluster.store.get('configmaps', 'default', 'nope')).toBeUndefined();
  });

  it('refuses exec, attach and port-forward upgrades (WebSocket and SPDY) before they reach the cluster', async () => {
    const pod = aPod();
    const at = `${base}/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
    const from = dev().server.requestLog.length;
    for (const [method, path, headers] of [
      ['GET', `${at}/exec?command=sh&stdin=true&stdout=true&tty=true`, WS],
      ['POST', `${at}/exec?command=sh&stdin=true&stdout=true&tty=true`, SPDY],
      ['GET', `${at}/attach?stdin=true&stdout=true`, WS],
      ['POST', `${at}/attach?stdin=true&stdout=true`, SPDY],
      ['GET', `${at}/portforward?ports=80`, { ...WS, 'Sec-WebSocket-Protocol': 'v4.channel.k8s.io' }],
      ['POST', `${at}/portforward`, { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' }],
      // an upgrade on a read path is refused too
      ['GET', `${base}/api/v1/pods?watch=true`, WS],
    ] as const) {
      const r = await upgradeRequest(path, method, { ...AUTH, ...headers });
      expect(r.upgraded, path).toBe(false);
      expect(r.status, path).toBe(403);
      const s = JSON.parse(r.body);
      expect(s).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403 });
      expect(s.message).toMatch(/kmux is in read-only mode/);
    }
    expect(dev().server.requestLog.slice(from)).toEqual([]);
  });

  it('answers a path outside the context prefixes with a 404 Status', async () => {
    const r = await call(`${proxy.url}/api/v1/pods`, { headers: AUTH });
    expect(r.status).toBe(404);
    expect(r.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    expect((await call(`${proxy.url}/ctx/99/api/v1/pods`, { headers: AUTH })).status).toBe(404);
  });
});

describe('the proxy and the upstream connection', () => {
  let upstream: http.Server;
  let dir: string;
  let proxy: ReadOnlyProxy;
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const closed: string[] = [];
  const expiredTokens = new Set(['Bearer tok-1']);

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
        const url = new URL(req.url!, 'http://x');
        if (url.pathname.startsWith('/exec-base/') && expiredTokens.has(req.headers.authorization ?? '')) {
          // a token of the exec plugin that has expired
          res.writeHead(401, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
        } else if (url.pathname.endsWith('/selfsubjectaccessreviews')) {
          res.writeHead(201, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', status: { allowed: true }, echo: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
        } else if (url.pathname === '/base/api/v1/stream') {
          // a watch that stays open: one event now, the rest never
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.write('{"type":"ADDED","object":{}}\n');
          res.on('close', () => closed.push(url.searchParams.get('id') ?? ''));
        } else if (url.pathname === '/base/api/v1/broken') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.write('{"type":"ADDED","object":{}}\n');
          setTimeout(() => res.socket?.destroy(), 50);
        } else {
          res.writeHead(200, { 'Content-Type': 'application/json', 'X-Upstream': 'yes' });
          res.end(JSON.stringify({ kind: 'PodList', items: [] }));
        }
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    const port = (upstream.address() as AddressInfo).port;
    dir = mkdtempSync(join(tmpdir(), 'kmux-roproxy-up-'));
    const file = join(dir, 'kc.yaml');
    // an exec credential plugin: tok-1, tok-2... one more each run, each valid by its expirationTimestamp
    // (so kept) until the server refuses it (expiredTokens)
    const plugin = join(dir, 'creds.cjs');
    writeFileSync(plugin, `const fs = require('fs'); const f = process.argv[2];
const n = (fs.existsSync(f) ? Number(fs.readFileSync(f, 'utf8')) : 0) + 1; fs.writeFileSync(f, String(n));
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'tok-' + n, expirationTimestamp: new Date(Date.now() + 3600e3).toISOString() } }));
`);
    writeFileSync(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: real',
      'clusters:', '- name: real', '  cluster:', `    server: http://127.0.0.1:${port}/base`,
      '- name: exec', '  cluster:', `    server: http://127.0.0.1:${port}/exec-base`,
      'users:', '- name: me', '  user: { token: the-users-real-token }',
      '- name: exec-user', '  user:', '    exec:', '      apiVersion: client.authentication.k8s.io/v1', `      command: ${JSON.stringify(process.execPath)}`,
      `      args: [${JSON.stringify(plugin)}, ${JSON.stringify(join(dir, 'count'))}]`, '      interactiveMode: Never',
      'contexts:', '- name: real', '  context: { cluster: real, user: me, namespace: web }',
      '- name: exec', '  context: { cluster: exec, user: exec-user }',
    ].join('\n'));
    proxy = await proxyFor(loadKubeconfig([file]));
  });
  afterAll(async () => {
    await proxy?.stop();
    await new Promise<void>((r) => upstream.close(() => r()));
    upstream.closeAllConnections();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends the context\'s own credentials, never the proxy token, under the server\'s own path', async () => {
    seen.length = 0;
    const r = await call(`${proxy.serverFor('real')}/api/v1/pods?limit=5`, { headers: { ...AUTH, 'User-Agent': 'kubectl/test', 'Impersonate-User': 'viewer' } });
    expect(r.status).toBe(200);
    expect(r.headers['x-upstream']).toBe('yes');
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe('/base/api/v1/pods?limit=5');
    expect(seen[0].headers.authorization).toBe('Bearer the-users-real-token');
    expect(JSON.stringify(seen[0].headers)).not.toContain(TOKEN);
    // the client's own headers travel on
    expect(seen[0].headers['user-agent']).toBe('kubectl/test');
    expect(seen[0].headers['impersonate-user']).toBe('viewer');
  });

  it('passes a review POST with its body', async () => {
    seen.length = 0;
    const body = JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'delete', resource: 'pods' } } });
    const r = await call(`${proxy.serverFor('real')}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, { method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/json' }, body });
    expect(r.status).toBe(201);
    expect(r.json().echo.spec.resourceAttributes.verb).toBe('delete');
    expect(seen[0]).toMatchObject({ method: 'POST', body });
    expect(seen[0].headers.authorization).toBe('Bearer the-users-real-token');
  });

  it('fetches exec credentials again after a 401 and sends the request once more, body and all', async () => {
    seen.length = 0;
    const r = await call(`${proxy.serverFor('exec')}/api/v1/namespaces/web/pods`, { headers: AUTH });
    expect(r.status).toBe(200);
    expect(seen.map((x) => [x.url, x.headers.authorization])).toEqual([
      ['/exec-base/api/v1/namespaces/web/pods', 'Bearer tok-1'],
      ['/exec-base/api/v1/namespaces/web/pods', 'Bearer tok-2'],
    ]);
    seen.length = 0;
    expiredTokens.add('Bearer tok-2');
    const body = JSON.stringify({ kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } });
    const review = await call(`${proxy.serverFor('exec')}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, { method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/json' }, body });
    expect(review.status).toBe(201);
    expect(seen.map((x) => [x.headers.authorization, x.body])).toEqual([['Bearer tok-2', body], ['Bearer tok-3', body]]);
  });

  it('ends the request upstream when the client goes away in the middle of a stream', async () => {
    const id = `a${Date.now()}`;
    const got: string[] = [];
    const req = open(`${proxy.serverFor('real')}/api/v1/stream?id=${id}`, AUTH, (res) => {
      res.on('data', (c) => got.push(String(c)));
    });
    await until('the first event through the proxy', () => got.join('').includes('ADDED'), 10_000);
    expect(closed).not.toContain(id);
    req.destroy();
    await until('the upstream request to be closed', () => closed.includes(id), 10_000);
  });

  it('breaks the client\'s stream when the server breaks off, rather than ending it cleanly', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = https.get(`${proxy.serverFor('real')}/api/v1/broken`, { headers: AUTH, ca: TLS.cert }, (res) => {
        res.resume();
        res.on('end', () => resolve('end'));
        res.on('error', () => resolve('error'));
        res.on('close', () => resolve(res.complete ? 'end' : 'broken'));
      });
      req.on('error', () => resolve('error'));
    });
    expect(outcome).not.toBe('end');
  });

  it('stops: open streams end and the port is closed', async () => {
    const kc2 = loadKubeconfig([join(dir, 'kc.yaml')]);
    const p2 = await proxyFor(kc2);
    let ended = false;
    const got: string[] = [];
    const req = https.get(`${p2.serverFor('real')}/api/v1/stream?id=stop`, { headers: AUTH, ca: TLS.cert }, (res) => {
      res.on('data', (c) => got.push(String(c)));
      res.on('close', () => (ended = true));
    });
    req.on('error', () => (ended = true));
    await until('the stream to flow', () => got.length > 0, 10_000);
    await p2.stop();
    await until('the client stream to end', () => ended, 10_000);
    await until('the upstream request to be closed', () => closed.includes('stop'), 10_000);
    await expect(call(`${p2.url}/version`, { headers: AUTH })).rejects.toThrow(/ECONNREFUSED/);
  });
});
