import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, Connection, LineSplitter, NetworkError } from '../../src/kube/connection.js';
import type { Kubeconfig } from '../../src/kube/kubeconfig.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-conn-'));
let server: http.Server;
let port: number;
let kc: Kubeconfig;
const seen: http.IncomingHttpHeaders[] = [];

function kubeconfigFor(ports: Record<string, number>): Kubeconfig {
  const names = Object.keys(ports);
  const text = [
    'apiVersion: v1', 'kind: Config', `current-context: ${names[0]}`, 'clusters:',
    ...names.flatMap((n) => [`- name: ${n}`, '  cluster:', `    server: http://127.0.0.1:${ports[n]}`]),
    'users:', '- name: me', '  user: { token: secret-token }',
    'contexts:', ...names.flatMap((n) => [`- name: ${n}`, '  context:', `    cluster: ${n}`, '    user: me']),
  ].join('\n');
  const f = path.join(dir, `kc-${names.join('-')}.yaml`);
  writeFileSync(f, text);
  return loadKubeconfig([f]);
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/ok') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ q: Object.fromEntries(url.searchParams), auth: req.headers.authorization }));
    } else if (url.pathname === '/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ ct: req.headers['content-type'], body: Buffer.concat(chunks).toString() }));
      });
    } else if (url.pathname === '/forbidden') {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'pods is forbidden: nope', reason: 'Forbidden', code: 403 }));
    } else if (url.pathname === '/plain500') {
      res.writeHead(500);
      res.end();
    } else if (url.pathname === '/hang') {
      // never answers
    } else if (url.pathname === '/stream') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      // split a multi-byte character and a line across writes
      const text = Buffer.from('{"a":"héllo ☃"}\n{"b":2}\r\n\nlast', 'utf8');
      const cuts = [3, 9, 10, 11, 18, 19, 26];
      let prev = 0;
      let i = 0;
      const next = () => {
        if (i >= cuts.length) {
          res.end(text.subarray(prev));
          return;
        }
        res.write(text.subarray(prev, cuts[i]));
        prev = cuts[i++];
        setTimeout(next, 5);
      };
      next();
    } else {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"kind":"Status","message":"the server could not find the requested resource","reason":"NotFound","code":404}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  kc = kubeconfigFor({ local: port });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('LineSplitter', () => {
  it('copes with chunk boundaries anywhere, including inside UTF-8 sequences', () => {
    const text = 'α-line one ☃\n{"x":"日本語"}\r\nthird\n\nend-without-newline';
    const bytes = Buffer.from(text, 'utf8');
    const expected = ['α-line one ☃', '{"x":"日本語"}', 'third', '', 'end-without-newline'];
    for (let size = 1; size <= 7; size++) {
      const lines: string[] = [];
      const s = new LineSplitter((l) => lines.push(l));
      for (let i = 0; i < bytes.length; i += size) s.push(bytes.subarray(i, i + size));
      s.end();
      expect(lines).toEqual(expected);
    }
  });
});

describe('Connection', () => {
  it('sends auth and query, parses JSON, keeps the socket alive', async () => {
    const c = new Connection(kc, 'local');
    expect(c.server).toBe(`http://127.0.0.1:${port}`);
    const r1 = await c.json('GET', '/ok', { query: { limit: 5, continue: 'a b&c', skip: undefined, watch: true } });
    expect(r1).toEqual({ q: { limit: '5', continue: 'a b&c', watch: 'true' }, auth: 'Bearer secret-token' });
    const before = seen.length;
    await c.json('GET', '/ok');
    expect(seen.length).toBe(before + 1);
    expect(seen.at(-1)!.connection).toBe('keep-alive');
    const r2 = await c.json('POST', '/echo', { body: { a: 1 } });
    expect(r2).toEqual({ ct: 'application/json', body: '{"a":1}' });
    const r3 = await c.json('PATCH', '/echo', { body: '{"b":2}', contentType: 'application/merge-patch+json' });
    expect(r3.ct).toBe('application/merge-patch+json');
    c.close();
  });

  it('turns non-2xx answers into ApiError with the Status message', async () => {
    const c = new Connection(kc, 'local');
    const e = await c.json('GET', '/forbidden').catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 403, reason: 'Forbidden', message: 'pods is forbidden: nope' });
    const e2 = await c.request('GET', '/plain500').catch((x) => x);
    expect(e2).toBeInstanceOf(ApiError);
    expect(e2.message).toBe('HTTP 500');
    c.close();
  });

  it('times out a hung server, honours abort signals', async () => {
    const c = new Connection(kc, 'local');
    const t0 = Date.now();
    const e = await c.request('GET', '/hang', { timeoutMs: 200 }).catch((x) => x);
    expect(e).toBeInstanceOf(NetworkError);
    expect(e.message).toMatch(/timeout/);
    expect(Date.now() - t0).toBeLessThan(2000);
    const ac = new AbortController();
    const p = c.request('GET', '/hang', { signal: ac.signal }).catch((x) => x);
    setTimeout(() => ac.abort(), 50);
    expect(await p).toBeInstanceOf(NetworkError);
    const h = c.stream('/hang', { onLine: () => {}, timeoutMs: 150 });
    await expect(h.done).rejects.toThrow(/timeout/);
    c.close();
  });

  it('reports connection refused as a NetworkError naming the address', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const c = new Connection(kubeconfigFor({ dead: deadPort }), 'dead');
    const e = await c.request('GET', '/x').catch((x) => x);
    expect(e).toBeInstanceOf(NetworkError);
    expect(e.message).toBe(`connect ECONNREFUSED 127.0.0.1:${deadPort}`);
    const h = c.stream('/x', { onLine: () => {} });
    await expect(h.done).rejects.toThrow(/ECONNREFUSED/);
    c.close();
  });

  it('streams lines split anywhere', async () => {
    const c = new Connection(kc, 'local');
    const lines: string[] = [];
    let data = 0;
    let opened = 0;
    const h = c.stream('/stream', { onLine: (l) => lines.push(l), onData: () => data++, onOpen: () => opened++ });
    await h.done;
    expect(lines).toEqual(['{"a":"héllo ☃"}', '{"b":2}', '', 'last']);
    expect(opened).toBe(1);
    expect(data).toBeGreaterThan(3);
    const h2 = c.stream('/forbidden', { onLine: () => {} });
    await expect(h2.done).rejects.toMatchObject({ status: 403, message: 'pods is forbidden: nope' });
    const h3 = c.stream('/hang', { onLine: () => {} });
    setTimeout(() => h3.abort(), 30);
    await h3.done; // abort resolves
    c.close();
  });
});
