/**
 * The real kubectl through the read-only proxy's kubeconfig, against the simulated fleet:
 * reads work as before; label, delete, create and exec fail with kmux's read-only message,
 * and the clusters receive no write at all.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/kube/connection.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { proxyKubeconfigText, startReadOnlyProxy, type ReadOnlyProxy } from '../../src/kube/readonly-proxy.js';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { hasKubectl } from '../helpers/kubectl.js';

const TOKEN = 'kubectl-test-token';
let fleet: Fleet;
let dir: string;
let proxy: ReadOnlyProxy;
let env: Record<string, string>;

beforeAll(async () => {
  fleet = await startFleet({ clusters: 2, names: ['dev', 'prod'], nodes: 3, pods: 20, seed: 11 });
  dir = mkdtempSync(join(tmpdir(), 'kmux-ro-kubectl-'));
  fleet.writeKubeconfig(join(dir, 'real.yaml'));
  const kc = loadKubeconfig([join(dir, 'real.yaml')]);
  const conns = new Map<string, Connection>();
  proxy = await startReadOnlyProxy({
    token: TOKEN,
    contexts: kc.contexts.map((c) => c.name),
    connectionFor: (ctx) => conns.get(ctx) ?? conns.set(ctx, new Connection(kc, ctx, { maxSockets: Infinity })).get(ctx)!,
  });
  writeFileSync(join(dir, 'ro.yaml'), proxyKubeconfigText({ token: TOKEN, ca: proxy.ca, serverFor: (c) => proxy.serverFor(c), contexts: kc.contexts, currentContext: 'dev' }), { mode: 0o600 });
  env = { ...(process.env as Record<string, string>), KUBECONFIG: join(dir, 'ro.yaml'), KUBECACHEDIR: join(dir, 'cache') };
});
afterAll(async () => {
  await proxy?.stop();
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** kubectl, always asynchronous: the fleet and the proxy answer on this thread. */
async function kubectl(args: string[], timeout = 30_000) {
  const r = await execa('kubectl', args, { env, extendEnv: false, reject: false, timeout });
  if (r.timedOut) throw new Error(`kubectl ${args.join(' ')} timed out\n${r.stderr}`);
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode };
}

const runningPod = (ctx: string) => [...fleet.member(ctx).cluster.store.iter('pods')].find((p) => p.status?.phase === 'Running' && p.metadata.namespace !== 'kube-system')!;

describe.skipIf(!hasKubectl)('kubectl through the read-only proxy', () => {
  it('reads: get pods in the kubeconfig\'s namespace, -A, one pod as JSON, on the context asked for', async () => {
    const pod = runningPod('prod');
    const one = await kubectl(['--context', 'prod', 'get', 'pod', pod.metadata.name, '-n', pod.metadata.namespace, '-o', 'json']);
    expect(one.stderr).toBe('');
    expect(JSON.parse(one.stdout).metadata.uid).toBe(pod.metadata.uid);
    const all = await kubectl(['get', 'pods', '-A', '--no-headers']);
    expect(all.exitCode).toBe(0);
    expect(all.stdout.trim().split('\n')).toHaveLength(fleet.member('dev').cluster.store.count('pods'));
    // the context's namespace came along: default
    const here = await kubectl(['get', 'configmaps', '-o', 'name']);
    expect(here.exitCode).toBe(0);
    const api = await kubectl(['api-resources', '--no-headers']);
    expect(api.stdout).toMatch(/^pods\s/m);
  });

  it('label, annotate, delete, create, scale, cordon and exec fail with the read-only message, and no write reaches a cluster', async () => {
    const pod = runningPod('dev');
    const prodPod = runningPod('prod');
    const ns = pod.metadata.namespace;
    const from = { dev: fleet.member('dev').server.requestLog.length, prod: fleet.member('prod').server.requestLog.length };
    const attempts: string[][] = [
      ['label', 'pod', pod.metadata.name, '-n', ns, 'a=b'],
      ['annotate', 'pod', pod.metadata.name, '-n', ns, 'a=b'],
      ['delete', 'pod', pod.metadata.name, '-n', ns, '--wait=false'],
      ['create', 'configmap', 'ro-nope', '-n', 'default', '--from-literal=a=b'],
      ['scale', 'deployment', '--all', '-n', ns, '--replicas=0'],
      ['cordon', [...fleet.member('dev').cluster.store.iter('nodes')].find((n) => !n.spec?.unschedulable)!.metadata.name],
      ['exec', pod.metadata.name, '-n', ns, '--', 'true'],
      ['--context', 'prod', 'delete', 'pod', prodPod.metadata.name, '-n', prodPod.metadata.namespace, '--wait=false'],
    ];
    for (const args of attempts) {
      const r = await kubectl(args);
      // kubectl cordon says "error: unable to cordon node" and still exits 0
      if (args[0] !== 'cordon') expect(r.exitCode, `${args.join(' ')}: ${r.stdout} ${r.stderr}`).not.toBe(0);
      // "Error from server (Forbidden): ..." from most; create says "error: failed to create configmap: ..."
      expect(r.stderr, args.join(' ')).toMatch(/is forbidden: kmux is in read-only mode and refused to/);
    }
    expect(fleet.member('dev').server.writes(from.dev)).toEqual([]);
    expect(fleet.member('prod').server.writes(from.prod)).toEqual([]);
    // exec is a GET upgrade for the WebSocket protocol: it must not have reached the cluster either
    expect(fleet.member('dev').server.requestLog.slice(from.dev).filter((r) => /\/(exec|attach|portforward)$/.test(r.path))).toEqual([]);
    expect(fleet.member('dev').cluster.store.get('pods', ns, pod.metadata.name)?.metadata.labels?.a).toBeUndefined();
    expect(fleet.member('dev').cluster.store.get('configmaps', 'default', 'ro-nope')).toBeUndefined();
  });

  it('names the object in the message as kubectl prints it', async () => {
    const pod = runningPod('dev');
    const r = await kubectl(['label', 'pod', pod.metadata.name, '-n', pod.metadata.namespace, 'a=b']);
    expect(r.stderr).toContain(`Error from server (Forbidden): pods "${pod.metadata.name}" is forbidden: kmux is in read-only mode and refused to patch`);
    // exec: kubectl tries the WebSocket protocol, then SPDY; both are refused
    const e = await kubectl(['exec', pod.metadata.name, '-n', pod.metadata.namespace, '--', 'true']);
    expect(e.stderr).toContain(`pods "${pod.metadata.name}" is forbidden: kmux is in read-only mode and refused to create pods/exec`);
  });
});
