/** Reflector edge cases against a scripted HTTP server: expired continue tokens, watch ERROR 410, split bytes, garbage. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/kube/connection.js';
import type { ApiResource } from '../../src/kube/discovery.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { Reflector, type ReflectorEvent } from '../../src/kube/reflector.js';

const CM: ApiResource = { group: '', version: 'v1', plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: [], verbs: [], categories: [] };
const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-edge-'));

type Handler = (url: URL, res: http.ServerResponse) => void;
let handler: Handler = (_u, res) => res.end();
const log: string[] = [];
let server: http.Server;
let conn: Connection;

const obj = (name: string, rv: number) => ({ metadata: { name, namespace: 'ns', resourceVersion: String(rv) } });
const status410 = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (5)', reason: 'Expired', code: 410 };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    log.push(url.search);
    handler(url, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const f = path.join(dir, 'config');
  writeFileSync(f, [
    'apiVersion: v1', 'kind: Config', 'clusters:', '- name: s', '  cluster:', `    server: http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    'contexts:', '- name: s', '  context:', '    cluster: s',
  ].join('\n'));
  conn = new Connection(loadKubeconfig([f]), 's');
});

afterAll(async () => {
  conn.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function run(o: { pageSize?: number } = {}) {
  const events: ReflectorEvent<string>[] = [];
  const r = new Reflector<string>({
    conn, resource: CM, transform: (x) => x.metadata.name, backoffInitialMs: 20, backoffMaxMs: 100, ...o,
    onEvent: (e) => events.push(e),
  });
  r.start();
  return { r, events };
}

async function until(pred: () => boolean, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Reflector edge cases', () => {
  it('restarts a list whose continue token expired, and relists on a watch ERROR 410', async () => {
    let listCalls = 0;
    let watchCalls = 0;
    handler = (u, res) => {
      const json = (code: number, body: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (u.searchParams.get('watch') === 'true') {
        watchCalls++;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        if (watchCalls === 1) {
          // an event, then history gone
          res.write(JSON.stringify({ type: 'ADDED', object: obj('c', 11) }) + '\n');
          res.end(JSON.stringify({ type: 'ERROR', object: status410 }) + '\n');
        }
        res.flushHeaders();
        return; // later watches stay open
      }
      listCalls++;
      if (!u.searchParams.get('continue')) return json(200, { kind: 'ConfigMapList', metadata: { resourceVersion: '10', continue: 'tok' }, items: [obj('a', 3)] });
      if (listCalls === 2) return json(410, { ...status410, message: 'The provided continue parameter is too old' });
      return json(200, { kind: 'ConfigMapList', metadata: { resourceVersion: '10' }, items: [obj('b', 4)] });
    };
    log.length = 0;
    const { r, events } = run({ pageSize: 1 });
    await until(() => r.status.relists === 1 && r.status.phase === 'watching');
    r.stop();
    const replaces = events.filter((e) => e.type === 'replace').map((e) => (e as any).items);
    expect(replaces).toEqual([['a', 'b'], ['a', 'b']]);
    // every page but a list's last went out as it came, the one of the list that started over too
    const pages = events.filter((e) => e.type === 'page' || e.type === 'replace').map((e) => (e.type === 'page' ? ['page', e.items, e.listed] : ['replace']));
    expect(pages).toEqual([['page', ['a'], 1], ['page', ['a'], 1], ['replace'], ['page', ['a'], 1], ['replace']]);
    expect(events.some((e) => e.type === 'upsert' && e.item === 'c')).toBe(true);
    // list, continue (410), list, continue, watch (410 event), list, continue, watch
    expect(log.filter((q) => q.includes('limit=1')).length).toBe(6);
    expect(log.filter((q) => q.includes('watch=true')).length).toBe(2);
    expect(log.at(-1)).toContain('resourceVersion=10');
  });

  it('parses watch events split at every byte, including inside UTF-8 sequences', async () => {
    const names = ['ünïcödé-☃', '日本語', 'plain'];
    handler = (u, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (u.searchParams.get('watch') !== 'true') return res.end(JSON.stringify({ metadata: { resourceVersion: '1' }, items: [] }));
      const bytes = Buffer.from(names.map((n, i) => JSON.stringify({ type: 'ADDED', object: obj(n, i + 2) })).join('\n') + '\n'
        + JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '99' } } }) + '\n', 'utf8');
      let i = 0;
      const tick = () => {
        if (res.destroyed) return;
        if (i >= bytes.length) return; // stays open
        res.write(bytes.subarray(i, i + 1));
        i++;
        setImmediate(tick);
      };
      tick();
    };
    const { r, events } = run();
    await until(() => r.status.resourceVersion === '99');
    r.stop();
    expect(events.filter((e) => e.type === 'upsert').map((e) => (e as any).item)).toEqual(names);
  });

  it('treats a malformed watch line and an HTTP 500 as errors with backoff, then recovers', async () => {
    let watchCalls = 0;
    let lists = 0;
    handler = (u, res) => {
      if (u.searchParams.get('watch') !== 'true') {
        lists++;
        if (lists === 1) {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          return res.end(JSON.stringify({ kind: 'Status', message: 'etcd is sad', reason: 'InternalError', code: 500 }));
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ metadata: { resourceVersion: '5' }, items: [obj('x', 5)] }));
      }
      watchCalls++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (watchCalls === 1) res.end('{"type":"ADDED","object":{trunc\n');
      else res.write(JSON.stringify({ type: 'MODIFIED', object: obj('x', 6) }) + '\n');
    };
    const { r, events } = run();
    await until(() => events.some((e) => e.type === 'upsert'));
    r.stop();
    const st = events.filter((e) => e.type === 'status').map((e) => (e as any).status);
    const backoffs = st.filter((s) => s.phase === 'backoff');
    expect(backoffs[0].error).toBe('etcd is sad');
    expect(backoffs[0].errorKind).toBe('server');
    expect(backoffs[1].error).toMatch(/malformed watch event/);
    // a broken watch stream is followed by a fresh list (1 failed, 1 first, 1 after the bad watch)
    expect(lists).toBe(3);
    expect(r.status.relists).toBe(1);
    expect(r.status.phase).toBe('stopped');
  });

  /** A server whose lists and watches a test scripts; returns the list and watch queries seen. */
  function script(o: { list: (n: number) => { rv: number; items: ReturnType<typeof obj>[] }; watch: (n: number, res: http.ServerResponse, u: URL) => void }) {
    const seen = { lists: 0, watches: [] as string[] };
    handler = (u, res) => {
      if (u.searchParams.get('watch') === 'true') {
        seen.watches.push(u.searchParams.get('resourceVersion') ?? '');
        return o.watch(seen.watches.length, res, u);
      }
      const { rv, items } = o.list(++seen.lists);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'ConfigMapList', metadata: { resourceVersion: String(rv) }, items }));
    };
    return seen;
  }

  const open = (res: http.ServerResponse, ...events: unknown[]) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    for (const e of events) res.write(JSON.stringify(e) + '\n');
    res.flushHeaders();
  };

  it('a watch cut in the middle (connection reset) is followed by a list that replaces the rows', async () => {
    const seen = script({
      list: (n) => (n === 1 ? { rv: 10, items: [obj('a', 3), obj('b', 4)] } : { rv: 20, items: [obj('b', 4), obj('c', 15)] }),
      watch: (n, res) => {
        if (n === 1) {
          open(res, { type: 'MODIFIED', object: obj('a', 11) });
          // half an object, then the connection dies
          res.write('{"type":"MODIFIED","object":{"metadata":');
          setTimeout(() => res.destroy(), 20);
          return;
        }
        open(res);
      },
    });
    const { r, events } = run();
    await until(() => r.status.relists === 1 && r.status.phase === 'watching');
    r.stop();
    const replaces = events.filter((e) => e.type === 'replace').map((e) => (e as any).items);
    // the second list is authoritative: a is gone, c arrived, and the watch resumes from it
    expect(replaces).toEqual([['a', 'b'], ['b', 'c']]);
    expect(seen.watches).toEqual(['10', '20']);
  });

  it('a resourceVersion that goes backwards in a watch (a restored server) makes it list again', async () => {
    const seen = script({
      list: (n) => (n === 1 ? { rv: 500, items: [obj('old', 400)] } : { rv: 60, items: [obj('new', 50)] }),
      watch: (n, res) => {
        if (n === 1) {
          // a server that took the resumed watch but counts from a lower revision now
          open(res, { type: 'ADDED', object: obj('x', 501) }, { type: 'MODIFIED', object: obj('x', 70) });
          return;
        }
        open(res);
      },
    });
    const { r, events } = run();
    await until(() => r.status.relists === 1 && r.status.phase === 'watching');
    r.stop();
    const st = events.filter((e) => e.type === 'status').map((e) => (e as any).status);
    expect(st.some((s) => /went backwards/.test(s.error ?? ''))).toBe(true);
    // the event with the lower RV was not applied; the new list was
    expect(events.filter((e) => e.type === 'upsert').map((e) => (e as any).item)).toEqual(['x']);
    expect(events.filter((e) => e.type === 'replace').map((e) => (e as any).items)).toEqual([['old'], ['new']]);
    expect(seen.watches).toEqual(['500', '60']);
  });

  it('a watch refused with "Too large resource version" lists again instead of retrying the same version', async () => {
    const tooLarge = {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Too large resource version: 900, current: 40', reason: 'Timeout',
      details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 }, code: 504,
    };
    const seen = script({
      list: (n) => (n === 1 ? { rv: 900, items: [obj('a', 1)] } : { rv: 40, items: [obj('b', 2)] }),
      watch: (n, res) => {
        if (n === 1) return res.end(); // a clean close: resume from 900
        if (n === 2) {
          res.writeHead(504, { 'Content-Type': 'application/json' });
          return res.end(JSON.stringify(tooLarge));
        }
        open(res);
      },
    });
    const { r, events } = run();
    await until(() => r.status.relists === 1 && r.status.phase === 'watching', 5000);
    r.stop();
    expect(seen.watches).toEqual(['900', '900', '40']);
    expect(events.filter((e) => e.type === 'replace').map((e) => (e as any).items)).toEqual([['a'], ['b']]);
    const st = events.filter((e) => e.type === 'status').map((e) => (e as any).status);
    const b = st.find((s) => s.phase === 'backoff');
    expect(b.error).toMatch(/Too large resource version/);
    // retryAfterSeconds: 1 is honoured (jitter keeps it within 0.5x-1x)
    expect(b.retryInMs).toBeGreaterThanOrEqual(500);
  });

  it('a 429 on opening a watch right after a clean close resumes the watch, honouring Retry-After', async () => {
    const seen = script({
      list: () => ({ rv: 10, items: [obj('a', 3)] }),
      watch: (n, res) => {
        if (n === 1) {
          open(res, { type: 'ADDED', object: obj('b', 11) });
          setTimeout(() => res.end(), 20);
          return;
        }
        if (n === 2) {
          res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '1' });
          return res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Too many requests, please try again later.', reason: 'TooManyRequests', details: { retryAfterSeconds: 1 }, code: 429 }));
        }
        open(res);
      },
    });
    const { r, events } = run();
    await until(() => seen.watches.length === 3 && r.status.phase === 'watching', 5000);
    r.stop();
    expect(seen.lists).toBe(1);
    expect(r.status.relists).toBe(0);
    expect(seen.watches).toEqual(['10', '11', '11']);
    const b = events.filter((e) => e.type === 'status').map((e) => (e as any).status).find((s) => s.phase === 'backoff');
    expect(b.errorKind).toBe('throttled');
    expect(b.retryInMs).toBeGreaterThanOrEqual(500);
  });

  it('relist() lists afresh while watching, and wake() cuts a backoff short', async () => {
    let down = true;
    const seen = script({
      list: (n) => ({ rv: 10 * n, items: [obj(`gen${n}`, n)] }),
      watch: (_n, res) => open(res),
    });
    const base = handler;
    handler = (u, res) => {
      if (down) {
        res.writeHead(503, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'service unavailable', reason: 'ServiceUnavailable', code: 503 }));
      }
      base(u, res);
    };
    const { r, events } = run();
    // a long backoff: wake() must not wait for it
    (r as any).backoffInitialMs = 60_000;
    (r as any).backoffMaxMs = 60_000;
    await until(() => r.status.phase === 'backoff');
    expect(r.status.errorKind).toBe('server');
    down = false;
    const t0 = Date.now();
    r.wake();
    await until(() => r.status.phase === 'watching');
    expect(Date.now() - t0).toBeLessThan(2000);
    r.relist();
    await until(() => seen.lists === 2 && r.status.phase === 'watching');
    r.stop();
    expect(events.filter((e) => e.type === 'replace').map((e) => (e as any).items)).toEqual([['gen1'], ['gen2']]);
    expect(seen.watches).toEqual(['10', '20']);
  });
});
