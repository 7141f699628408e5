/**
 * The real kubectl's port-forward against the simulated fleet: through its first choice (SPDY/3.1
 * tunnelled in a WebSocket) and its SPDY/3.1 fallback, to the HTTP responder in the pod's ports.
 */
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import net from 'node:net';
import { DEPLOY, POD } from '../../src/sim/cluster.js';
import { bytesBody, openPodConnections } from '../../src/sim/responder.js';
import { collect, hasKubectl, useFleet } from '../helpers/kubectl.js';
import { until } from '../helpers/wait.js';

const APP_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: hello}
  template:
    metadata:
      labels: {app: hello}
    spec:
      containers:
      - name: web
        image: ghcr.io/kmux-sim/hello:1.0
        ports:
        - {name: http, containerPort: 8080}
      - name: metrics
        image: ghcr.io/kmux-sim/exporter:1.0
        ports:
        - {name: metrics, containerPort: 9100}
---
apiVersion: v1
kind: Service
metadata:
  name: hello
  namespace: default
spec:
  selector: {app: hello}
  ports:
  - {name: http, port: 80, targetPort: 8080}
`;

/** A port nothing on this machine listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!hasKubectl)('kubectl port-forward against the simulated fleet', () => {
  const fx = useFleet({ clusters: 1, names: ['pf'], nodes: 3, pods: 20 });
  const running: ResultPromise[] = [];
  let pods: string[] = [];

  beforeAll(async () => {
    const r = await fx.kubectl(['apply', '-f', '-'], 20_000, APP_YAML);
    expect(r.exitCode, r.stderr).toBe(0);
    const c = fx.member().cluster;
    await until('hello pods running', () => {
      const ps = [...c.store.iter(POD, 'default')].filter((p) => p.metadata.labels?.app === 'hello' && p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
      return ps.length === 2 && ps.every((p) => p.status.containerStatuses?.every((s: any) => s.state?.running)) && ps;
    }, 15_000);
    pods = [...c.store.iter(POD, 'default')].filter((p) => p.metadata.labels?.app === 'hello').map((p) => p.metadata.name).sort();
    expect(c.store.get(DEPLOY, 'default', 'hello')).toBeDefined();
  });

  afterEach(async () => {
    for (const p of running.splice(0)) {
      p.kill('SIGTERM');
      await p;
    }
  });

  /**
   * `kubectl port-forward TARGET LOCAL:PORT`, once it says it is forwarding. `extraEnv` reaches
   * kubectl's environment (KUBECTL_PORT_FORWARD_WEBSOCKETS=false for the SPDY path).
   */
  async function portForward(target: string, port: number, extraEnv: Record<string, string> = {}) {
    const local = await freePort();
    const proc = execa('kubectl', ['port-forward', target, `${local}:${port}`], {
      env: { ...process.env, ...fx.env, ...extraEnv }, reject: false, timeout: 60_000,
    });
    running.push(proc);
    const io = collect(proc);
    await until(`kubectl to forward ${local} -> ${port}\n${io.err()}`, () => io.out().includes(`Forwarding from 127.0.0.1:${local} -> ${port}`) || !io.running(), 20_000);
    expect(io.running(), io.err()).toBe(true);
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${local}${path}`);
      return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
    };
    return { proc, io, local, get };
  }

  const hello = (pod: string, container = 'web', port = 8080) => `hello from ${pod} in default, container ${container}, port ${port}\n`;

  it('pod/NAME: kubectl tunnels SPDY/3.1 in a WebSocket and the pod\'s port answers', async () => {
    const log = fx.member().server.requestLog;
    const from = log.length;
    const pf = await portForward(`pod/${pods[0]}`, 8080);
    const r = await pf.get('/');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(hello(pods[0]));
    expect((await pf.get('/healthz')).body.toString()).toBe('ok');
    expect((await pf.get('/missing')).status).toBe(404);
    const upgrades = log.slice(from).filter((x) => x.path.endsWith('/portforward'));
    expect(upgrades.map((x) => `${x.method} ${x.path} ${x.status}`)).toEqual([`GET /api/v1/namespaces/default/pods/${pods[0]}/portforward 101`]);
    expect(pf.io.out()).toMatch(new RegExp(`Handling connection for ${pf.local}`));
  });

  it('answers sequential and concurrent requests, each with the right body', async () => {
    const pf = await portForward(`pod/${pods[1]}`, 9100);
    for (let i = 0; i < 5; i++) expect((await pf.get('/')).body.toString()).toBe(hello(pods[1], 'metrics', 9100));
    const paths = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? '/healthz' : i % 3 === 1 ? '/' : `/bytes?n=${1000 + i}`));
    const answers = await Promise.all(paths.map((p) => pf.get(p)));
    answers.forEach((a, i) => {
      const p = paths[i];
      const want = p === '/healthz' ? Buffer.from('ok') : p === '/' ? Buffer.from(hello(pods[1], 'metrics', 9100)) : bytesBody(1000 + i);
      expect(a.body.equals(want), `${p}: ${a.body.subarray(0, 60)}`).toBe(true);
    });
    // concurrent requests took more than one local connection, each its own stream pair
    expect(pf.io.out().match(/Handling connection for/g)!.length).toBeGreaterThan(1);
  });

  it('a bigger answer arrives whole (flow control never stalls)', async () => {
    const pf = await portForward(`pod/${pods[0]}`, 8080);
    for (const n of [200_000, 3_000_000]) {
      const r = await pf.get(`/bytes?n=${n}`);
      expect(r.body.length).toBe(n);
      expect(r.body.equals(bytesBody(n))).toBe(true);
    }
  });

  it('with WebSockets off, kubectl upgrades a POST to SPDY/3.1 and gets the same answers', async () => {
    const log = fx.member().server.requestLog;
    const from = log.length;
    const pf = await portForward(`pod/${pods[0]}`, 8080, { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    expect((await pf.get('/')).body.toString()).toBe(hello(pods[0]));
    expect((await pf.get('/bytes?n=500000')).body.equals(bytesBody(500_000))).toBe(true);
    const upgrades = log.slice(from).filter((x) => x.path.endsWith('/portforward'));
    expect(upgrades.map((x) => `${x.method} ${x.status}`)).toEqual(['POST 101']);
  });

  it('deploy/NAME and svc/NAME: kubectl picks a pod and maps the service port to its target', async () => {
    const viaDeploy = await portForward('deploy/hello', 8080);
    const a = (await viaDeploy.get('/')).body.toString();
    expect(pods.map((p) => hello(p))).toContain(a);
    const viaSvc = await portForward('svc/hello', 80);
    expect(viaSvc.io.out()).toMatch(new RegExp(`Forwarding from 127\\.0\\.0\\.1:${viaSvc.local} -> 8080`));
    expect(pods.map((p) => hello(p))).toContain((await viaSvc.get('/')).body.toString());
  });

  it('a port the pod does not declare: the kubelet\'s error through kubectl, which then gives up', async () => {
    const uid = fx.member().cluster.store.get(POD, 'default', pods[0]).metadata.uid;
    const pf = await portForward(`pod/${pods[0]}`, 9999);
    await expect(pf.get('/')).rejects.toThrow();
    await until('kubectl to exit', () => !pf.io.running(), 10_000);
    expect(pf.io.err()).toContain(`an error occurred forwarding ${pf.local} -> 9999: error forwarding port 9999 to pod ${uid}, uid : `);
    expect(pf.io.err()).toMatch(/dial tcp4 127\.0\.0\.1:9999: connect: connection refused/);
    expect(pf.io.err()).toMatch(/error: lost connection to pod/);
    expect((await pf.proc).exitCode).toBe(1);
  });

  it('leaves no connection into a pod behind once kubectl is gone', async () => {
    const pf = await portForward(`pod/${pods[1]}`, 8080);
    expect((await pf.get('/')).status).toBe(200);
    expect(openPodConnections()).toBeGreaterThan(0);
    pf.proc.kill('SIGTERM');
    await pf.proc;
    await until('pod connections closed', () => openPodConnections() === 0, 10_000);
  });
});
