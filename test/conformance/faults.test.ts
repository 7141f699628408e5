/**
 * The real kubectl as the judge of the sim's faults: it must read the sim's 401, 403, 429,
 * 500 and 503 answers, and its "too large resource version" and future-revision errors, the
 * way it reads a real apiserver's (same messages, same retries).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hasKubectl, useFleet } from '../helpers/kubectl.js';
import { simAdmin } from '../helpers/stream.js';

describe.skipIf(!hasKubectl)('kubectl against a faulty sim', () => {
  const fx = useFleet({ clusters: 1, names: ['dev'], nodes: 3, pods: 20, cluster: { tooLargeRvWaitMs: 300 } });
  const server = () => fx.member().server;
  afterEach(() => server().faults.clear());

  it('401: "You must be logged in to the server"', async () => {
    server().faults.deny.push({ code: 401, resource: 'pods' });
    const r = await fx.kubectl(['get', 'pods']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe('error: You must be logged in to the server (Unauthorized)');
  });

  it('403 in one namespace: that namespace and the all-namespaces list are forbidden, others are not', async () => {
    await simAdmin(server().url, 'PUT', '/faults', { deny: [{ code: 403, resource: 'pods', namespace: 'kube-system' }] });
    const ns = await fx.kubectl(['get', 'pods', '-n', 'kube-system']);
    expect(ns.exitCode).toBe(1);
    expect(ns.stderr.trim()).toBe('Error from server (Forbidden): pods is forbidden: User "admin" cannot list resource "pods" in API group "" in the namespace "kube-system"');
    const all = await fx.kubectl(['get', 'pods', '-A']);
    expect(all.exitCode).toBe(1);
    expect(all.stderr.trim()).toBe('Error from server (Forbidden): pods is forbidden: User "admin" cannot list resource "pods" in API group "" at the cluster scope');
    const ok = await fx.kubectl(['get', 'pods', '-n', 'default', '--no-headers']);
    expect(ok.exitCode, ok.stderr).toBe(0);
  });

  it('429 with Retry-After: kubectl waits and retries, and gets its answer', async () => {
    server().faults.errors.push({ code: 429, resource: 'namespaces', count: 2 });
    const from = server().requestLog.length;
    const r = await fx.kubectl(['get', 'namespaces', '-o', 'name']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toContain('namespace/default');
    const lists = server().requestLog.slice(from).filter((x) => x.path === '/api/v1/namespaces');
    expect(lists.map((x) => x.status)).toEqual([429, 429, 200]);
    // Retry-After: 1 is honoured
    expect(lists[2].at - lists[0].at).toBeGreaterThanOrEqual(1500);
  });

  it('500 and 503 are reported as the apiserver\'s would be', async () => {
    server().faults.errors.push({ code: 500, resource: 'pods', message: 'etcdserver: request timed out' });
    const e500 = await fx.kubectl(['get', 'pods']);
    expect(e500.exitCode).toBe(1);
    expect(e500.stderr.trim()).toBe('Error from server (InternalError): Internal error occurred: etcdserver: request timed out');
    server().faults.clear();
    server().faults.errors.push({ code: 503, resource: 'pods', body: 'text' });
    const e503 = await fx.kubectl(['get', 'pods']);
    expect(e503.exitCode).toBe(1);
    expect(e503.stderr.trim()).toBe('Error from server (ServiceUnavailable): the server is currently unable to handle the request (get pods)');
  });

  it('a list ahead of the store: Timeout, too large resource version; an exact one: etcd\'s future revision', async () => {
    const rv = fx.member().cluster.store.rv;
    const ahead = rv + 100_000;
    const from = server().requestLog.length;
    const r = await fx.kubectl(['get', '--raw', `/api/v1/pods?resourceVersion=${ahead}`], 60_000);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^Error from server \\(Timeout\\): Timeout: Too large resource version: ${ahead}, current: \\d+$`));
    // client-go retries a 5xx that carries Retry-After (up to 10 times), each after the server's wait
    const tries = server().requestLog.slice(from).filter((x) => x.path === '/api/v1/pods');
    expect(tries.length).toBeGreaterThan(1);
    expect(tries.every((x) => x.status === 504)).toBe(true);
    const exact = await fx.kubectl(['get', '--raw', `/api/v1/pods?resourceVersion=${ahead}&resourceVersionMatch=Exact`]);
    expect(exact.exitCode).toBe(1);
    expect(exact.stderr.trim()).toBe('Error from server: etcdserver: mvcc: required revision is a future revision');
  });
});
