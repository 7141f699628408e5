/**
 * The referee: kmux's drainNode against the real `kubectl drain`, option set by option set.
 * Each case starts two fleets from the same seed (the same scenario, pod for pod), drains the
 * same node with kubectl in one and with kmux in the other, and compares what each did: the
 * pods evicted (or deleted), the write requests sent, the refusals and warnings, and the cordon.
 */
import { describe, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet, type FleetMember } from '../../src/sim/fleet.js';
import { POD, type Cluster } from '../../src/sim/cluster.js';
import { controllerOf, runningStatus } from '../../src/sim/pods.js';
import type { RequestRecord } from '../../src/sim/server.js';
import { Connection } from '../../src/kube/connection.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { DEFAULT_DRAIN_OPTIONS, refusalMessage, warningMessages, type DrainOptions } from '../../src/actions/drain-plan.js';
import { drainNode, type DrainEvent, type DrainResult } from '../../src/actions/drain-run.js';
import { onPath } from '../helpers/wait.js';


const hasKubectl = onPath('kubectl');
if (!hasKubectl) console.warn('drain referee skipped: no `kubectl` executable on PATH');

const FLEET = { clusters: 1, names: ['a'], nodes: 4, pods: 60, seed: 7, cluster: { startDelayMs: [50, 150] as [number, number], stopDelayMs: [50, 200] as [number, number] } };

const key = (o: any) => `${o.metadata.namespace}/${o.metadata.name}`;
const podsOn = (c: Cluster, node: string) => [...c.store.iter(POD)].filter((p) => p.spec.nodeName === node);
const isMirror = (p: any) => p.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined;
const isDaemon = (p: any) => controllerOf(p)?.kind === 'DaemonSet';
const hasEmptyDir = (p: any) => (p.spec.volumes ?? []).some((v: any) => v.emptyDir);
const workers = (c: Cluster) => [...c.store.iter('nodes')].filter((n) => !('node-role.kubernetes.io/control-plane' in (n.metadata.labels ?? {})))
  .map((n) => n.metadata.name as string).sort();

/** True when every pod a drain would evict on `node` passes its PDB at once (no retry, so no timing in the comparison). */
function evictsAtOnce(c: Cluster, node: string): boolean {
  const need = new Map<any, number>();
  for (const p of podsOn(c, node)) {
    if (isDaemon(p) || isMirror(p)) continue;
    const pdbs = c.pdbsFor(p);
    if (pdbs.length > 1) return false;
    if (pdbs.length === 1) need.set(pdbs[0], (need.get(pdbs[0]) ?? 0) + 1);
  }
  return [...need].every(([pdb, n]) => (pdb.status?.disruptionsAllowed ?? 0) >= n);
}

/** The first worker (by name) with a DaemonSet pod, an emptyDir pod, no unowned pod, and nothing a PDB would hold up. */
function pickNode(c: Cluster): string {
  for (const n of workers(c)) {
    const pods = podsOn(c, n);
    if (!pods.some(isDaemon)) continue;
    if (!pods.some((p) => !isDaemon(p) && hasEmptyDir(p))) continue;
    if (pods.some((p) => !controllerOf(p) && !isMirror(p))) continue;
    if (!evictsAtOnce(c, n)) continue;
    return n;
  }
  throw new Error('no worker fits the referee scenario');
}

/** A pod with no controller and an emptyDir volume, placed and Running on `node` (kubectl run leaves such pods). */
function createBarePod(c: Cluster, node: string): void {
  const pod: any = {
    metadata: { name: 'bare', namespace: 'default', uid: '0b0e0000-0000-4000-8000-000000000001', labels: { run: 'bare' } },
    spec: {
      nodeName: node, terminationGracePeriodSeconds: 30, restartPolicy: 'Always',
      containers: [{ name: 'shell', image: 'busybox:1.37', command: ['sleep', 'infinity'], volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] }],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  };
  const now = Date.now();
  pod.status = runningStatus(pod, '172.18.0.99', '10.244.99.9', now - 60_000, now);
  c.store.create(POD, pod);
}

/** A pod whose controller is a DaemonSet that no longer exists (kubectl: refused, or evicted with --force). */
function createOrphanDaemonPod(c: Cluster, node: string): void {
  const pod: any = {
    metadata: {
      name: 'log-shipper-q7x2k', namespace: 'kube-system', uid: '0b0e0000-0000-4000-8000-000000000002', labels: { app: 'log-shipper' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'log-shipper', uid: '0b0e0000-0000-4000-8000-0000000000ff', controller: true, blockOwnerDeletion: true }],
    },
    spec: { nodeName: node, terminationGracePeriodSeconds: 30, containers: [{ name: 'shipper', image: 'fluent/fluent-bit:3.2' }], tolerations: [{ operator: 'Exists' }] },
  };
  const now = Date.now();
  pod.status = runningStatus(pod, '172.18.0.99', '10.244.99.10', now - 60_000, now);
  c.store.create(POD, pod);
}

interface Side {
  fleet: Fleet;
  m: FleetMember;
  dir: string;
  kubeconfig: string;
}

async function startSide(): Promise<Side> {
  const dir = mkdtempSync(join(tmpdir(), 'kmux-drain-ref-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const fleet = await startFleet(FLEET);
  fleet.writeKubeconfig(kubeconfig);
  return { fleet, m: fleet.members[0], dir, kubeconfig };
}

async function stopSide(s: Side | undefined): Promise<void> {
  if (!s) return;
  await s.fleet.stop();
  rmSync(s.dir, { recursive: true, force: true });
}

async function kubectl(s: Side, args: string[], timeout = 45_000) {
  // kubectl's discovery cache lives with the fleet: another run reusing a port must not see stale types
  const env = { ...process.env, KUBECONFIG: s.kubeconfig, KUBECACHEDIR: join(s.dir, 'cache') };
  const r = await execa('kubectl', args, { env, reject: false, timeout });
  if (r.timedOut) throw new Error(`kubectl ${args.join(' ')} timed out after ${timeout} ms\n${r.stderr}`);
  return { stdout: r.stdout as string, stderr: r.stderr as string, exitCode: r.exitCode };
}

const EVICTION = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/eviction$/;
const POD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/;
/** ns/pod of every eviction the server granted (201). */
const evictedBy = (log: RequestRecord[]) => log.filter((x) => x.method === 'POST' && x.status === 201 && EVICTION.test(x.path))
  .map((x) => x.path.replace(EVICTION, '$1/$2')).sort();
/** ns/pod of every plain DELETE of a pod the server answered 200. */
const deletedBy = (log: RequestRecord[]) => log.filter((x) => x.method === 'DELETE' && x.status === 200 && POD_PATH.test(x.path))
  .map((x) => x.path.replace(POD_PATH, '$1/$2')).sort();
const writesOf = (log: RequestRecord[]) => log.filter((x) => x.method !== 'GET').map((x) => `${x.method} ${x.path} ${x.status}`).sort();

/**
 * kubectl's refusals, from the per-reason lines it prints after "There are pending nodes to be
 * drained": reason -> pods. kubectl 1.32's no-controller constant already starts with "cannot
 * delete", and its aggregation adds another ("cannot delete cannot delete Pods that declare no
 * controller ..."); kmux says it once. `doubled` lists the reasons kubectl doubled.
 */
function kubectlRefusals(stderr: string): { refusals: Record<string, string[]>; doubled: string[] } {
  const refusals: Record<string, string[]> = {};
  const doubled: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = line.match(/^cannot delete (cannot delete )?(.+?): ([^\s,]+\/[^\s,]+(?:, [^\s,]+\/[^\s,]+)*)$/);
    if (!m) continue;
    if (m[1]) doubled.push(m[2]);
    refusals[m[2]] = m[3].split(', ');
  }
  return { refusals, doubled };
}

/** The parts of "unable to drain node ... due to error: X" or "[X, Y]", order-free (kubectl's come from a Go map). */
function messageParts(msg: string): { head: string; parts: string[] } {
  const m = msg.replaceAll('cannot delete cannot delete ', 'cannot delete ').match(/^(unable to drain node "[^"]+" due to error: )(.*)$/);
  if (!m) throw new Error(`not a drain refusal: ${msg}`);
  let body = m[2];
  if (body.startsWith('[') && body.endsWith(']')) body = body.slice(1, -1);
  return { head: m[1], parts: body.split(/, (?=cannot delete )/).sort() };
}

/** "Warning: a: x, y; b: z" (kubectl, one line) or ["Warning: a: x, y", "Warning: b: z"] (kmux) as sorted "a: x, y" items. */
function warningItems(lines: string[]): string[] {
  return lines.filter((l) => l.startsWith('Warning: ')).flatMap((l) => l.slice('Warning: '.length).split('; ')).sort();
}

interface Case {
  name: string;
  flags: string[];
  options: Partial<DrainOptions>;
  bare?: boolean;
  orphan?: boolean;
  outcome: 'refused' | 'drained';
}

const CASES: Case[] = [
  { name: 'defaults: refused (DaemonSet pods, local storage)', flags: [], options: {}, outcome: 'refused' },
  {
    name: '--ignore-daemonsets --delete-emptydir-data: drained',
    flags: ['--ignore-daemonsets', '--delete-emptydir-data'], options: { ignoreDaemonSets: true, deleteEmptyDirData: true }, outcome: 'drained',
  },
  {
    name: '--ignore-daemonsets --delete-emptydir-data with an unowned pod and an orphaned DaemonSet pod: refused',
    flags: ['--ignore-daemonsets', '--delete-emptydir-data'], options: { ignoreDaemonSets: true, deleteEmptyDirData: true }, bare: true, orphan: true, outcome: 'refused',
  },
  {
    name: '--ignore-daemonsets --delete-emptydir-data --force with an unowned pod and an orphaned DaemonSet pod: drained, both gone',
    flags: ['--ignore-daemonsets', '--delete-emptydir-data', '--force'], options: { ignoreDaemonSets: true, deleteEmptyDirData: true, force: true }, bare: true, orphan: true, outcome: 'drained',
  },
  {
    name: '--disable-eviction --ignore-daemonsets --delete-emptydir-data --force with an unowned pod: plain DELETEs',
    flags: ['--disable-eviction', '--ignore-daemonsets', '--delete-emptydir-data', '--force'],
    options: { disableEviction: true, ignoreDaemonSets: true, deleteEmptyDirData: true, force: true }, bare: true, outcome: 'drained',
  },
];

describe.skipIf(!hasKubectl)('kmux drainNode and kubectl drain do the same thing', () => {
  it.concurrent.for(CASES)('$name', async (tc, { expect }) => {
    let A: Side | undefined, B: Side | undefined;
    let conn: Connection | undefined;
    try {
      [A, B] = await Promise.all([startSide(), startSide()]);
      const ca = A.m.cluster, cb = B.m.cluster;
      const node = pickNode(ca);
      expect(pickNode(cb)).toBe(node);
      // the same scenario: the same pods on the node, uid for uid
      const ids = (c: Cluster) => podsOn(c, node).map((p) => `${key(p)} ${p.metadata.uid}`).sort();
      expect(ids(cb)).toEqual(ids(ca));
      for (const c of [ca, cb]) {
        if (tc.bare) createBarePod(c, node);
        if (tc.orphan) createOrphanDaemonPod(c, node);
      }
      expect(ids(cb)).toEqual(ids(ca));
      const before = podsOn(ca, node);
      // what a drain with these options must evict (all of it, or nothing when refused)
      const victims = before.filter((p) => !isMirror(p) && !(isDaemon(p) && p.metadata.name !== 'log-shipper-q7x2k')).map(key).sort();
      expect(victims.length).toBeGreaterThan(5);

      const options: DrainOptions = { ...DEFAULT_DRAIN_OPTIONS, timeoutSeconds: 30, ...tc.options };
      const events: DrainEvent[] = [];
      conn = new Connection(loadKubeconfig([B.kubeconfig]), 'a');
      const idxA = A.m.server.requestLog.length, idxB = B.m.server.requestLog.length;
      const [k, res] = await Promise.all([
        kubectl(A, ['drain', node, ...tc.flags, '--timeout=30s']),
        drainNode(conn, node, options, { pollMs: 200, retryMs: 300, onEvent: (e) => events.push(e) }),
      ]) as [Awaited<ReturnType<typeof kubectl>>, DrainResult];
      const logA = A.m.server.requestLog.slice(idxA), logB = B.m.server.requestLog.slice(idxB);
      const plan = res.plan!;
      expect(plan).toBeDefined();

      // both cordon first, and the node stays cordoned whatever happens next
      expect(k.stdout.split('\n')[0]).toBe(`node/${node} cordoned`);
      expect(events[0]).toEqual({ type: 'cordon', node, result: 'cordoned' });
      expect(ca.store.get('nodes', undefined, node).spec.unschedulable).toBe(true);
      expect(cb.store.get('nodes', undefined, node).spec.unschedulable).toBe(true);
      // both read the node's pods the same way
      for (const log of [logA, logB]) {
        expect(log.some((x) => x.method === 'GET' && x.path === '/api/v1/pods' && new URLSearchParams(x.query).get('fieldSelector') === `spec.nodeName=${node}`)).toBe(true);
      }
      // the same writes: the cordon PATCH and the same evictions (or DELETEs), with the same answers
      expect(writesOf(logB)).toEqual(writesOf(logA));

      if (tc.outcome === 'refused') {
        expect(k.exitCode, k.stderr).not.toBe(0);
        expect(res.outcome).toBe('refused');
        // nothing evicted or deleted on either side
        expect(evictedBy(logA)).toEqual([]);
        expect(evictedBy(logB)).toEqual([]);
        expect(logA.filter((x) => x.method === 'DELETE' || EVICTION.test(x.path))).toEqual([]);
        expect(logB.filter((x) => x.method === 'DELETE' || EVICTION.test(x.path))).toEqual([]);
        expect(res.evicted).toEqual([]);
        // the same reasons, the same pods, in the same order within a reason
        const kr = kubectlRefusals(k.stderr);
        expect(Object.keys(kr.refusals).length, k.stderr).toBeGreaterThan(0);
        expect(Object.fromEntries(plan.refusals)).toEqual(kr.refusals);
        expect(kr.doubled.every((r) => r === 'Pods that declare no controller (use --force to override)'), k.stderr).toBe(true);
        // and the same summary line, but for the order of the reasons (kubectl's is a Go map's)
        const errLine = k.stderr.split('\n').find((l) => l.startsWith('error: unable to drain node'))!;
        expect(errLine, k.stderr).toBeDefined();
        const kubectlMsg = messageParts(errLine.replace(/^error: /, '').replace(/, continuing command\.\.\.$/, ''));
        expect(messageParts(res.message)).toEqual(kubectlMsg);
        expect(res.message).toBe(refusalMessage(plan));
        // every pod still there, untouched
        for (const c of [ca, cb]) {
          for (const p of before) expect(c.store.get(POD, p.metadata.namespace, p.metadata.name)?.metadata.deletionTimestamp, key(p)).toBeUndefined();
        }
        return;
      }

      expect(k.exitCode, k.stderr).toBe(0);
      expect(k.stdout.trim().split('\n').at(-1)).toBe(`node/${node} drained`);
      expect(res.outcome, res.message).toBe('drained');
      expect(res.message).toBe(`node/${node} drained`);
      // the same warnings
      expect(warningItems(warningMessages(plan))).toEqual(warningItems(k.stderr.split('\n')));
      expect(events.find((e) => e.type === 'plan')).toMatchObject({ warnings: warningMessages(plan) });

      // the same pods, through the same door
      const byKubectl = tc.options.disableEviction ? deletedBy(logA) : evictedBy(logA);
      const byKmux = tc.options.disableEviction ? deletedBy(logB) : evictedBy(logB);
      expect(byKubectl).toEqual(victims);
      expect(byKmux).toEqual(byKubectl);
      expect([...res.evicted].sort()).toEqual(byKubectl);
      expect(res.remaining).toEqual([]);
      expect(plan.entries.filter((e) => e.kind === 'evict').map((e) => `${e.namespace}/${e.name}`).sort()).toEqual(byKubectl);
      const verb = tc.options.disableEviction ? 'deleted' : 'evicted';
      expect(k.stdout.split('\n').filter((l) => l.endsWith(` ${verb}`)).map((l) => l.slice(4, -verb.length - 1)).sort())
        .toEqual(byKubectl.map((x) => x.split('/')[1]).sort());
      if (tc.options.disableEviction) {
        for (const log of [logA, logB]) expect(log.filter((x) => EVICTION.test(x.path))).toEqual([]);
      } else {
        for (const log of [logA, logB]) expect(log.filter((x) => x.method === 'DELETE')).toEqual([]);
      }

      // both waited for the pods to go: none of them is left (by uid), only DaemonSet pods remain
      for (const c of [ca, cb]) {
        const uids = new Set([...c.store.iter(POD)].map((p) => p.metadata.uid));
        for (const p of before) if (victims.includes(key(p))) expect(uids.has(p.metadata.uid), `${key(p)} still stored`).toBe(false);
        for (const p of podsOn(c, node)) expect(isDaemon(p) || isMirror(p), `${key(p)} left on ${node}`).toBe(true);
        if (tc.bare) expect(c.store.get(POD, 'default', 'bare')).toBeUndefined();
        if (tc.orphan) expect(c.store.get(POD, 'kube-system', 'log-shipper-q7x2k')).toBeUndefined();
      }
    } finally {
      conn?.close();
      await Promise.all([stopSide(A), stopSide(B)]);
    }
  });
});
