/**
 * The drain executor against one simulated cluster: cordon, PodDisruptionBudget retries,
 * timeout, cancel, dry run, a failing eviction, waiting for evicted pods and telling where
 * their replacements went. Each test leaves the cluster as it found it: nodes uncordoned, its
 * budgets removed, every pod settled.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet, type FleetMember } from '../../src/sim/fleet.js';
import { DEPLOY, NODE, PDB, POD, type Cluster } from '../../src/sim/cluster.js';
import { behaviourOf, controllerOf, isReady } from '../../src/sim/pods.js';
import { Connection } from '../../src/kube/connection.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { DEFAULT_DRAIN_OPTIONS, refusalMessage, type DrainOptions } from '../../src/actions/drain-plan.js';
import { drainNode, previewDrain, setCordon, type DrainEvent, type PodProgress } from '../../src/actions/drain-run.js';
import { sleep, until } from '../helpers/wait.js';

const FLEET = { clusters: 1, names: ['a'], nodes: 4, pods: 60, seed: 7, cluster: { startDelayMs: [50, 150] as [number, number], stopDelayMs: [50, 200] as [number, number] } };
const RUN = { pollMs: 200, retryMs: 300 };
const TWO_PDBS = 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';

let fleet: Fleet;
let m: FleetMember;
let c: Cluster;
let conn: Connection;
let dir: string;
const createdPdbs: [string, string][] = [];



const key = (o: any) => `${o.metadata.namespace}/${o.metadata.name}`;
const podsOn = (node: string) => [...c.store.iter(POD)].filter((p) => p.spec.nodeName === node);
const isMirror = (p: any) => p.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined;
const isDaemon = (p: any) => controllerOf(p)?.kind === 'DaemonSet';
const victimsOn = (node: string) => podsOn(node).filter((p) => !isDaemon(p) && !isMirror(p));
const workers = () => [...c.store.iter(NODE)].filter((n) => !('node-role.kubernetes.io/control-plane' in (n.metadata.labels ?? {})))
  .map((n) => n.metadata.name as string).sort();
const cordoned = (node: string) => !!c.store.get(NODE, undefined, node).spec.unschedulable;
const evictPath = (p: any) => `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/eviction`;
/** ignore/delete/force: the node's every pod but DaemonSet and mirror pods is evicted (a-worker-2 holds an unowned debug pod). */
const opts = (o: Partial<DrainOptions> = {}): DrainOptions => ({ ...DEFAULT_DRAIN_OPTIONS, ignoreDaemonSets: true, deleteEmptyDirData: true, force: true, ...o });

/** Every pod placed, started (or stuck pulling, as it is meant to) and not being deleted; every budget current. */
function settled(): boolean {
  for (const p of c.store.iter(POD)) {
    if (p.metadata.deletionTimestamp || !p.spec.nodeName) return false;
    if (p.status?.phase === 'Pending' && behaviourOf(p) !== 'imagepull') return false;
  }
  for (const pdb of c.store.iter(PDB)) if (pdb.status?.observedGeneration !== pdb.metadata.generation) return false;
  return true;
}

/**
 * True when no other budget can hold up a drain of `node` for long: each pod a drain would evict
 * (`skip`: pods left out) has at most one budget, and that budget allows a disruption once its
 * pods are healthy. Evictions may still be refused for a moment (two pods of one budget on the
 * node: the second waits for the first one's replacement), and are retried.
 */
function drainsFreely(node: string, skip: (p: any) => boolean = () => false): boolean {
  for (const p of victimsOn(node)) {
    if (skip(p)) continue;
    const pdbs = c.pdbsFor(p);
    if (pdbs.length > 1) return false;
    if (pdbs.length === 1 && !(pdbs[0].status?.desiredHealthy < pdbs[0].status?.expectedPods)) return false;
  }
  return true;
}

interface Target {
  ns: string;
  app: string;
  replicas: number;
  pod: any;
  node: string;
}

/**
 * A healthy deployment no budget covers, with exactly one pod on a worker whose other pods (at
 * least two) drain freely: a budget on the deployment then holds up only that pod.
 */
function protectable(exclude: string[] = []): Target {
  for (const d of [...c.store.iter(DEPLOY)].sort((a, b) => key(a).localeCompare(key(b)))) {
    const ns = d.metadata.namespace, app = d.metadata.name;
    const replicas = d.spec.replicas ?? 1;
    if (replicas < 2 || exclude.includes(app) || d.spec.template.metadata?.annotations?.['sim.kmux.dev/behaviour']) continue;
    const pods = [...c.store.iter(POD, ns)].filter((p) => p.metadata.labels?.app === app);
    if (pods.length !== replicas || !pods.every(isReady) || pods.some((p) => c.pdbsFor(p).length)) continue;
    for (const node of workers()) {
      const mine = pods.filter((p) => p.spec.nodeName === node);
      if (mine.length !== 1) continue;
      if (victimsOn(node).length < 3 || !drainsFreely(node, (p) => p.metadata.labels?.app === app)) continue;
      return { ns, app, replicas, pod: mine[0], node };
    }
  }
  throw new Error('no deployment to protect with a budget');
}

function createPdb(ns: string, name: string, app: string, spec: Record<string, unknown>): void {
  c.store.create(PDB, { metadata: { name, namespace: ns }, spec: { ...spec, selector: { matchLabels: { app } } } });
  createdPdbs.push([ns, name]);
}

/** Run a drain in the background, keeping every event; `latest(name)` is the last progress of that pod. */
function startDrain(node: string, o: DrainOptions, signal?: AbortSignal) {
  const events: DrainEvent[] = [];
  const done = drainNode(conn, node, o, { ...RUN, signal, onEvent: (e) => events.push(e) });
  done.catch(() => {});
  const progress = () => events.flatMap((e) => (e.type === 'pod' ? [e.pod] : []));
  const latest = (name: string): PodProgress | undefined => progress().filter((p) => p.entry.name === name).at(-1);
  return { events, done, progress, latest };
}

/** The phases one pod went through, each once in a row (a later event may only add replacedBy). */
function phasesOf(progress: PodProgress[], uid: string): string[] {
  return progress.filter((x) => x.entry.uid === uid).map((x) => x.phase).filter((ph, i, all) => i === 0 || all[i - 1] !== ph);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kmux-drain-run-'));
  fleet = await startFleet(FLEET);
  m = fleet.members[0];
  c = m.cluster;
  const file = join(dir, 'kubeconfig');
  fleet.writeKubeconfig(file);
  conn = new Connection(loadKubeconfig([file]), 'a');
  await until('a settled cluster', settled);
});

afterEach(async () => {
  for (const [ns, name] of createdPdbs.splice(0)) if (c.store.get(PDB, ns, name)) c.store.remove(PDB, ns, name);
  for (const n of workers()) c.store.mutate(NODE, undefined, n, (x) => (x.spec.unschedulable ? { ...x, spec: { ...x.spec, unschedulable: undefined } } : x));
  await until('a settled cluster', settled);
  // a replacement search left running by a drain ends within 10 polls
  await sleep(50);
});

afterAll(async () => {
  conn?.close();
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('setCordon', () => {
  it('cordons, knows when it already is, uncordons; PATCHes only on a change', async () => {
    const node = workers()[2];
    const log = m.server.requestLog;
    let idx = log.length;
    expect(await setCordon(conn, node, true)).toBe('cordoned');
    expect(m.server.writes(idx).map((x) => `${x.method} ${x.path} ${x.contentType} ${x.status}`))
      .toEqual([`PATCH /api/v1/nodes/${node} application/strategic-merge-patch+json 200`]);
    expect(cordoned(node)).toBe(true);

    idx = log.length;
    expect(await setCordon(conn, node, true)).toBe('already cordoned');
    expect(m.server.writes(idx)).toEqual([]);
    expect(log.slice(idx).map((x) => `${x.method} ${x.path}`)).toEqual([`GET /api/v1/nodes/${node}`]);

    idx = log.length;
    expect(await setCordon(conn, node, false)).toBe('uncordoned');
    expect(m.server.writes(idx).map((x) => `${x.method} ${x.path}`)).toEqual([`PATCH /api/v1/nodes/${node}`]);
    expect(cordoned(node)).toBe(false);

    idx = log.length;
    expect(await setCordon(conn, node, false)).toBe('already uncordoned');
    expect(m.server.writes(idx)).toEqual([]);

    // dry run: says what it would do, changes nothing
    idx = log.length;
    expect(await setCordon(conn, node, true, true)).toBe('cordoned');
    expect(m.server.writes(idx)).toEqual([]);
    expect(cordoned(node)).toBe(false);
  });
});

describe('drainNode', () => {
  it('dry run: no write request at all, the node stays schedulable, and the plan is the one previewDrain reports', async () => {
    const node = workers()[0];
    const victims = victimsOn(node).map(key);
    expect(victims.length).toBeGreaterThan(3);
    const idx = m.server.requestLog.length;
    const d = startDrain(node, opts({ dryRun: true }));
    const res = await d.done;
    expect(res.outcome).toBe('dry run');
    expect(m.server.writes(idx)).toEqual([]);
    expect(cordoned(node)).toBe(false);
    expect(podsOn(node).every((p) => !p.metadata.deletionTimestamp)).toBe(true);
    expect(res.evicted).toEqual([]);
    expect([...res.remaining].sort()).toEqual([...victims].sort());
    expect(res.message).toBe(`node/${node} drained (dry run): would evict ${victims.length} pod(s)`);
    const { plan } = await previewDrain(conn, node, opts());
    expect(res.plan).toEqual(plan);
    expect(d.events.map((e) => e.type)).toEqual(['cordon', 'plan', 'done']);

    // a dry run that would be refused says so, still without writing
    const idx2 = m.server.requestLog.length;
    const refused = await drainNode(conn, node, { ...DEFAULT_DRAIN_OPTIONS, dryRun: true }, RUN);
    expect(refused.outcome).toBe('refused');
    expect(refused.message).toBe(refusalMessage(refused.plan!));
    expect(m.server.writes(idx2)).toEqual([]);
    expect(cordoned(node)).toBe(false);
  });

  it('waits until every evicted pod is gone, then reports where the controllers put their replacements', async () => {
    const node = await until('a worker that drains freely', () => workers().find((n) => victimsOn(n).length > 3 && drainsFreely(n)));
    const before = victimsOn(node);
    const uidsBefore = new Set([...c.store.iter(POD)].map((p) => p.metadata.uid));
    const d = startDrain(node, opts());
    const res = await d.done;
    expect(res.outcome, res.message).toBe('drained');
    expect(res.message).toBe(`node/${node} drained`);
    expect([...res.evicted].sort()).toEqual(before.map(key).sort());
    expect(res.remaining).toEqual([]);
    // when it returns, none of the evicted pods exists any more with its old uid
    const uidsNow = new Set([...c.store.iter(POD)].map((p) => p.metadata.uid));
    for (const p of before) expect(uidsNow.has(p.metadata.uid), `${key(p)} still stored`).toBe(false);
    expect(cordoned(node)).toBe(true);
    // each pod went evicting -> terminating -> gone
    for (const p of before) {
      const phases = phasesOf(d.progress(), p.metadata.uid);
      expect(phases[0], key(p)).toBe('evicting');
      expect(phases.slice(-3), key(p)).toEqual(['evicting', 'terminating', 'gone']);
    }

    // replacements: pods that did not exist before the drain, of the same controller, on another node
    const replaced = await until('replacements reported', () => {
      const r = d.progress().filter((x) => x.replacedBy);
      return r.length >= 3 ? r : undefined;
    }, 5_000);
    for (const p of replaced) {
      expect(p.replacedBy!.node, p.entry.name).toBeDefined();
      expect(p.replacedBy!.node).not.toBe(node);
      const repl = c.store.get(POD, p.entry.namespace, p.replacedBy!.name);
      if (!repl) continue; // gone again since (churn): nothing more to check
      expect(uidsBefore.has(repl.metadata.uid), `${p.entry.name} "replaced" by ${p.replacedBy!.name}, which existed before the drain`).toBe(false);
      const orig = before.find((x) => x.metadata.uid === p.entry.uid)!;
      expect(controllerOf(repl)?.uid).toBe(controllerOf(orig)?.uid);
    }
    // no replacement claimed twice
    const names = replaced.map((p) => `${p.entry.namespace}/${p.replacedBy!.name}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it('a PodDisruptionBudget holds a pod: reported blocked with the budget\'s numbers, retried, and evicted once the budget allows it', async () => {
    const t = protectable();
    const pdbName = `${t.app}-strict`;
    createPdb(t.ns, pdbName, t.app, { minAvailable: t.replicas });
    await until('the budget to allow no disruption', () => {
      const p = c.store.get(PDB, t.ns, pdbName);
      return p.status?.observedGeneration === p.metadata.generation && p.status.currentHealthy === t.replicas && p.status.disruptionsAllowed === 0;
    });
    const others = victimsOn(t.node).filter((p) => p.metadata.uid !== t.pod.metadata.uid);
    const idx = m.server.requestLog.length;
    const d = startDrain(t.node, opts());
    const posts = () => m.server.requestLog.slice(idx).filter((x) => x.method === 'POST' && x.path === evictPath(t.pod) && x.status !== undefined);

    const blocked = await until('three blocked attempts', () => {
      const p = d.latest(t.pod.metadata.name);
      return p?.phase === 'blocked' && p.attempts >= 3 ? p : undefined;
    }, 5_000);
    expect(blocked.pdb).toEqual({ name: pdbName, needs: t.replicas, has: t.replicas });
    expect(blocked.detail).toBe(`blocked by PodDisruptionBudget ${pdbName} (needs ${t.replicas} healthy, has ${t.replicas})`);
    expect(blocked.nextRetryAt).toBeGreaterThan(Date.now() - 400);
    // retried, about retryMs apart, every one refused with a 429
    const tries = posts();
    expect(tries.length).toBeGreaterThanOrEqual(3);
    expect(tries.every((x) => x.status === 429)).toBe(true);
    for (let i = 1; i < tries.length; i++) expect(tries[i].at - tries[i - 1].at).toBeGreaterThanOrEqual(250);
    // meanwhile the others went, and the held pod is untouched
    await until('the other pods gone', () => others.every((p) => d.latest(p.metadata.name)?.phase === 'gone'), 5_000);
    expect(c.store.get(POD, t.ns, t.pod.metadata.name)?.metadata.deletionTimestamp).toBeUndefined();
    expect(d.events.some((e) => e.type === 'done')).toBe(false);

    // lower the budget through the API: the next retry goes through
    const patched = await conn.json('PATCH', `/apis/policy/v1/namespaces/${t.ns}/poddisruptionbudgets/${pdbName}`, {
      body: { spec: { minAvailable: t.replicas - 1 } }, contentType: 'application/merge-patch+json',
    });
    expect(patched.spec.minAvailable).toBe(t.replicas - 1);
    const res = await d.done;
    expect(res.outcome, res.message).toBe('drained');
    expect(res.evicted).toContain(key(t.pod));
    const all = posts();
    expect(all.at(-1)!.status).toBe(201);
    expect(all.slice(0, -1).every((x) => x.status === 429)).toBe(true);
    expect(phasesOf(d.progress(), t.pod.metadata.uid).slice(-3)).toEqual(['evicting', 'terminating', 'gone']);
    expect(c.store.get(POD, t.ns, t.pod.metadata.name)).toBeUndefined();
  });

  it('timeout: the drain stops at the deadline, names the pod still held, and the node stays cordoned', async () => {
    const t = protectable();
    createPdb(t.ns, `${t.app}-strict`, t.app, { minAvailable: t.replicas });
    await until('the budget to allow no disruption', () => c.store.get(PDB, t.ns, `${t.app}-strict`).status?.disruptionsAllowed === 0 && c.store.get(PDB, t.ns, `${t.app}-strict`).status?.currentHealthy === t.replicas);
    const started = Date.now();
    const d = startDrain(t.node, opts({ timeoutSeconds: 1 }));
    const res = await d.done;
    const took = Date.now() - started;
    expect(res.outcome).toBe('timed out');
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(3_000);
    expect(res.remaining).toContain(key(t.pod));
    expect(res.message).toMatch(new RegExp(`^unable to drain node "${t.node}": global timeout reached: 1s; \\d+ pod\\(s\\) remain: .*${key(t.pod)}`));
    expect(d.latest(t.pod.metadata.name)?.phase).toBe('remaining');
    expect(cordoned(t.node)).toBe(true);
    const still = c.store.get(POD, t.ns, t.pod.metadata.name);
    expect(still?.metadata.uid).toBe(t.pod.metadata.uid);
    expect(still?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('cancel while blocked: stops retrying, evicted pods stay evicted, the node stays cordoned, the held pod is named', async () => {
    const t = protectable();
    createPdb(t.ns, `${t.app}-strict`, t.app, { minAvailable: t.replicas });
    await until('the budget to allow no disruption', () => c.store.get(PDB, t.ns, `${t.app}-strict`).status?.disruptionsAllowed === 0 && c.store.get(PDB, t.ns, `${t.app}-strict`).status?.currentHealthy === t.replicas);
    const others = victimsOn(t.node).filter((p) => p.metadata.uid !== t.pod.metadata.uid);
    expect(others.length).toBeGreaterThanOrEqual(2);
    const ac = new AbortController();
    const d = startDrain(t.node, opts(), ac.signal);
    await until('the held pod blocked and the others gone', () => d.latest(t.pod.metadata.name)?.phase === 'blocked'
      && others.every((p) => d.latest(p.metadata.name)?.phase === 'gone'), 5_000);
    ac.abort();
    const abortedAt = m.server.requestLog.length;
    const res = await d.done;
    expect(res.outcome).toBe('cancelled');
    expect(res.remaining).toEqual([key(t.pod)]);
    expect([...res.evicted].sort()).toEqual(others.map(key).sort());
    expect(res.message).toBe(`drain of ${t.node} cancelled; node stays cordoned; 1 pod(s) remain: ${key(t.pod)}`);
    expect(d.latest(t.pod.metadata.name)?.phase).toBe('remaining');
    expect(cordoned(t.node)).toBe(true);
    // no more eviction attempts once cancelled, even after a retry period
    await sleep(3 * RUN.retryMs);
    expect(m.server.requestLog.slice(abortedAt).filter((x) => /\/eviction$/.test(x.path) || x.method === 'DELETE')).toEqual([]);
    // what was evicted stays evicted (not brought back on this node), the held pod stays as it was
    const uids = new Set([...c.store.iter(POD)].map((p) => p.metadata.uid));
    for (const p of others) expect(uids.has(p.metadata.uid), key(p)).toBe(false);
    expect(victimsOn(t.node).map(key)).toEqual([key(t.pod)]);
    expect(c.store.get(POD, t.ns, t.pod.metadata.name)?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('a pod with two budgets: the server\'s 500 fails that pod with its message, the others are evicted, the drain fails', async () => {
    const t = protectable();
    createPdb(t.ns, `${t.app}-a`, t.app, { minAvailable: 1 });
    createPdb(t.ns, `${t.app}-b`, t.app, { maxUnavailable: 1 });
    await until('both budgets current', () => createdPdbs.every(([ns, n]) => c.store.get(PDB, ns, n).status?.observedGeneration === 1));
    const others = victimsOn(t.node).filter((p) => p.metadata.uid !== t.pod.metadata.uid);
    const idx = m.server.requestLog.length;
    const d = startDrain(t.node, opts());
    const res = await d.done;
    expect(res.outcome).toBe('failed');
    expect(res.message).toBe(`unable to drain node "${t.node}" due to error: error when evicting pods/"${t.pod.metadata.name}" -n "${t.ns}": ${TWO_PDBS}`);
    const p = d.latest(t.pod.metadata.name)!;
    expect(p.phase).toBe('failed');
    expect(p.detail).toBe(TWO_PDBS);
    expect(res.remaining).toEqual([key(t.pod)]);
    expect([...res.evicted].sort()).toEqual(others.map(key).sort());
    // one attempt: a 500 is not retried
    expect(m.server.requestLog.slice(idx).filter((x) => x.method === 'POST' && x.path === evictPath(t.pod)).map((x) => x.status)).toEqual([500]);
    expect(cordoned(t.node)).toBe(true);
    expect(c.store.get(POD, t.ns, t.pod.metadata.name)?.metadata.uid).toBe(t.pod.metadata.uid);
  });
});

describe('previewDrain', () => {
  it('follows the list\'s continue tokens: a node with more pods than one page holds is planned whole', async () => {
    const node = 'a-bulk-node';
    const n = 520;
    for (let i = 0; i < n; i++) {
      c.store.create(POD, {
        metadata: { name: `done-${String(i).padStart(3, '0')}`, namespace: 'default', labels: { app: 'bulk' } },
        spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] },
        status: { phase: 'Succeeded' },
      });
    }
    try {
      const idx = m.server.requestLog.length;
      const { plan, pods } = await previewDrain(conn, node, opts());
      expect(pods).toHaveLength(n);
      expect(plan.entries).toHaveLength(n);
      expect(plan.entries.every((e) => e.kind === 'evict')).toBe(true);
      const lists = m.server.requestLog.slice(idx).filter((x) => x.path === '/api/v1/pods');
      expect(lists.length).toBeGreaterThanOrEqual(2);
      expect(lists.slice(1).every((x) => new URLSearchParams(x.query).get('continue'))).toBe(true);
    } finally {
      for (let i = 0; i < n; i++) c.store.remove(POD, 'default', `done-${String(i).padStart(3, '0')}`);
    }
  });
});

