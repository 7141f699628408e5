/** kmux's in-process port-forwarding against the sim: HTTP through the tunnel, bytes, moving to a new pod, errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { Connection } from '../../src/kube/connection.js';
import { ForwardRegistry, portFree, suggestPorts } from '../../src/actions/portforward.js';
import { until } from '../helpers/wait.js';

let fleet: Fleet;
let dir: string;
let conn: Connection;
let reg: ForwardRegistry;

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, names: ['dev'], nodes: 3, pods: 30, seed: 3, cluster: { startDelayMs: [50, 150], stopDelayMs: [50, 150] } });
  dir = mkdtempSync(join(tmpdir(), 'kmux-pf-'));
  fleet.writeKubeconfig(join(dir, 'kc.yaml'));
  conn = new Connection(loadKubeconfig([join(dir, 'kc.yaml')]), 'dev');
  reg = new ForwardRegistry(() => conn);
});
afterAll(async () => {
  reg?.dispose();
  conn?.close();
  await fleet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** GET on a fresh connection (no keep-alive pool: each request is its own tunnel). */
function get(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}
const text = async (url: string) => (await get(url)).body.toString('utf8');

const running = (ns: string) => [...fleet.member('dev').cluster.store.iter('pods', ns)].filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);

describe('port-forward', () => {
  it('answers HTTP on the local port from the pod, counts bytes and connections, stops', async () => {
    const pod = running('monitoring').find((p) => p.metadata.name.startsWith('grafana'))!;
    const f = await reg.start({ context: 'dev', namespace: 'monitoring', pod: pod.metadata.name, container: 'grafana', remotePort: 3000, localPort: 0 });
    expect(f.info.state).toBe('active');
    expect(f.info.localPort).toBeGreaterThan(0);
    const a = await text(`${f.url}/`);
    expect(a).toContain(pod.metadata.name);
    expect(a).toContain('3000');
    // several at once, each its own tunnel
    const many = await Promise.all([1, 2, 3].map(() => text(`${f.url}/healthz`)));
    expect(many.map((s) => s.trim())).toEqual(['ok', 'ok', 'ok']);
    expect(f.info.totalConnections).toBe(4);
    await until('connections closed', () => f.info.connections === 0, 5000);
    expect(f.info.bytesIn).toBeGreaterThan(a.length);
    expect(f.info.bytesOut).toBeGreaterThan(20);
    expect(reg.list().map((x) => x.id)).toContain(f.info.id);
    const port = f.info.localPort;
    expect(reg.stop(f.info.id)).toBe(true);
    expect(reg.list().map((x) => x.id)).not.toContain(f.info.id);
    await until('port released', () => portFree(port), 3000);
  });

  it('a client that half-closes after its request still gets the answer (as nc -N or a piped request)', async () => {
    const pod = running('monitoring').find((p) => p.metadata.name.startsWith('grafana'))!;
    const f = await reg.start({ context: 'dev', namespace: 'monitoring', pod: pod.metadata.name, remotePort: 3000, localPort: 0 });
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const c = net.connect(f.info.localPort, '127.0.0.1', () => c.end('GET / HTTP/1.0\r\nHost: x\r\n\r\n'));
        let got = '';
        c.on('data', (d) => (got += d));
        c.on('close', () => resolve(got));
        c.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.[01] 200/);
      expect(answer).toContain(`hello from ${pod.metadata.name}`);
      await until('connection closed', () => f.info.connections === 0, 5000);
    } finally {
      reg.stop(f.info.id);
    }
    // stopped stays stopped, whatever was in flight
    expect(f.info.state).toBe('stopped');
    await new Promise((r) => setTimeout(r, 50));
    expect(f.info.state).toBe('stopped');
  });

  it('a big answer arrives whole', async () => {
    const pod = running('monitoring').find((p) => p.metadata.name.startsWith('grafana'))!;
    const f = await reg.start({ context: 'dev', namespace: 'monitoring', pod: pod.metadata.name, remotePort: 3000, localPort: 0 });
    try {
      const { status, body } = await get(`${f.url}/bytes?n=300000`);
      expect(status).toBe(200);
      expect(body.length).toBe(300000);
    } finally {
      reg.stop(f.info.id);
    }
  });

  it('moves to another pod of the same workload when its pod is deleted', async () => {
    const pods = running('ingress-nginx');
    expect(pods.length).toBeGreaterThanOrEqual(2);
    const first = pods[0].metadata.name;
    const f = await reg.start({ context: 'dev', namespace: 'ingress-nginx', pod: first, remotePort: 80, localPort: 0 });
    try {
      expect(await text(`${f.url}/`)).toContain(first);
      const del = await conn.request('DELETE', `/api/v1/namespaces/ingress-nginx/pods/${first}`, { body: { gracePeriodSeconds: 0 } });
      expect(del.status).toBe(200);
      await until('pod gone', () => !fleet.member('dev').cluster.store.get('pods', 'ingress-nginx', first), 10_000);
      // the next connection finds the pod gone and moves to a sibling
      const answer = await text(`${f.url}/`);
      expect(f.info.pod).not.toBe(first);
      expect(f.info.pod).toMatch(/^ingress-nginx-controller-/);
      expect(answer).toContain(f.info.pod);
      expect(f.info.state).toBe('active');
      expect(f.info.message).toContain(`moved from ${first}`);
    } finally {
      reg.stop(f.info.id);
    }
  });

  it('a port the pod does not serve: the connection closes and the forward says why', async () => {
    const pod = running('monitoring').find((p) => p.metadata.name.startsWith('grafana'))!;
    const f = await reg.start({ context: 'dev', namespace: 'monitoring', pod: pod.metadata.name, remotePort: 9999, localPort: 0 });
    try {
      await expect(get(`${f.url}/`)).rejects.toThrow();
      await until('error state', () => f.info.state === 'error', 5000);
      expect(f.info.message).toMatch(/9999/);
    } finally {
      reg.stop(f.info.id);
    }
  });

  it('refuses a local port in use, a pod that is not running, a missing pod', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as net.AddressInfo).port;
    const pod = running('monitoring')[0].metadata.name;
    try {
      await expect(reg.start({ context: 'dev', namespace: 'monitoring', pod, remotePort: 3000, localPort: port })).rejects.toThrow(`local port ${port} is in use`);
    } finally {
      busy.close();
    }
    await expect(reg.start({ context: 'dev', namespace: 'monitoring', pod: 'nope', remotePort: 3000, localPort: 0 })).rejects.toThrow(/not found/);
    expect(reg.list().filter((f) => f.state !== 'stopped')).toHaveLength(0);
  });

  it('suggests free local ports, the same number first when it is free and unprivileged', async () => {
    const s = await suggestPorts(18080, new Set());
    expect(s[0]).toBe(18080);
    const taken = await suggestPorts(18080, new Set([18080]));
    expect(taken).not.toContain(18080);
    const low = await suggestPorts(80, new Set());
    expect(low.every((p) => p >= 1024)).toBe(true);
    expect(low).toContain(8080);
  });
});
