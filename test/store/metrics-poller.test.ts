/**
 * A metrics poller stopped while its request is out polls no more: it used to schedule its next
 * poll when the answer came, so every view left during a poll kept a poller polling for as long
 * as kmux ran (issue 21's switching scenario found 44 of them after 20 rounds). Over HTTP against
 * the simulator, whose delay rule holds the request at the moment stop() is called.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { Connection } from '../../src/kube/connection.js';
import { MetricsPoller } from '../../src/store/metrics.js';
import { until } from '../helpers/wait.js';

let fleet: Fleet;
let dir: string;
let conn: Connection;

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, names: ['dev'], nodes: 3, pods: 20, seed: 5 });
  dir = mkdtempSync(join(tmpdir(), 'kmux-metrics-'));
  fleet.writeKubeconfig(join(dir, 'kc.yaml'));
  conn = new Connection(loadKubeconfig([join(dir, 'kc.yaml')]), 'dev');
});
afterAll(async () => {
  conn?.close();
  await fleet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const server = () => fleet.members[0].server;
const podPolls = () => server().requestLog.filter((r) => r.path === '/apis/metrics.k8s.io/v1beta1/pods').length;
const nodePolls = () => server().requestLog.filter((r) => r.path === '/apis/metrics.k8s.io/v1beta1/nodes').length;

test('stopped while its request is out, a poller asks no more; started again, it polls once per interval', async () => {
  const pods = new MetricsPoller(conn, 'pods', undefined, 100);
  // a control poller on the same interval: "no more polls" is judged over five of its polls
  const nodes = new MetricsPoller(conn, 'nodes', undefined, 100);
  try {
    server().faults.merge({ delays: [{ resource: 'pods', verbs: ['list'], ms: 60_000, count: 1 }] });
    pods.start();
    await until('the poll held by the server', () => server().faults.toJSON().heldRequests === 1, 20_000);
    pods.stop();
    server().faults.clear(); // the held request is answered now
    const before = podPolls();
    nodes.start();
    await until('six node polls', () => nodePolls() >= 6, 20_000);
    expect(podPolls()).toBe(before);
    expect(pods.version).toBe(0); // the answer that came after stop() was dropped

    // stop and start while a request is out: still one poll per interval, not two loops
    server().faults.merge({ delays: [{ resource: 'pods', verbs: ['list'], ms: 60_000, count: 1 }] });
    pods.start();
    await until('the poll held by the server', () => server().faults.toJSON().heldRequests === 1, 20_000);
    pods.stop();
    pods.start();
    server().faults.clear();
    await until('the held poll answered', () => pods.version >= 1, 20_000);
    const from = podPolls();
    const nodesFrom = nodePolls();
    await until('six more node polls', () => nodePolls() >= nodesFrom + 6, 20_000);
    // one loop polls about as often as the control; two would poll twice as often
    expect(podPolls() - from).toBeLessThanOrEqual(nodePolls() - nodesFrom + 3);
    expect(podPolls() - from).toBeGreaterThanOrEqual(2);
  } finally {
    pods.stop();
    nodes.stop();
  }
});
