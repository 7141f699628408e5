/**
 * The real kubectl as the simulated fleet's users, over TLS: `auth whoami` for each way in,
 * `auth can-i` and `--list`, refused writes, exec and port-forward in the apiserver's words,
 * impersonation, roles and bindings made with kubectl taking effect, the exec plugin run by
 * kubectl, and a wrong token.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POD } from '../../src/sim/cluster.js';
import { hasKubectl, useFleet } from '../helpers/kubectl.js';

/** kubectl's column output as rows of cells (columns are 2+ spaces apart; an empty first cell is kept). */
function rows(out: string): string[][] {
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  return lines.map((l) => l.replace(/\s+$/, '').split(/\s{2,}/));
}

describe.skipIf(!hasKubectl)('kubectl as the fleet\'s users', () => {
  const fx = useFleet({ clusters: 2, names: ['dev', 'prod'], nodes: 3, pods: 40, seed: 31 }, { userContexts: true });
  const k = (args: string[], env?: Record<string, string>) => fx.kubectl(args, 30_000, undefined, env);
  let pod: string;
  let container: string;
  beforeAll(() => {
    const p = [...fx.fleet.member('prod').cluster.store.iter(POD, 'web')].find((x) => x.status?.phase === 'Running');
    pod = p.metadata.name;
    container = p.spec.containers[0].name;
  });

  it('auth whoami: each context is its user, each way in', async () => {
    const expected: Record<string, string> = {
      prod: 'admin\nGroups      [system:masters system:authenticated]',
      'prod-viewer': 'viewer\nGroups      [system:authenticated]',
      'prod-team-a': 'team-a\nGroups      [team-a system:authenticated]',
      'prod-exec': 'exec-user\nGroups      [developers system:authenticated]',
    };
    for (const [ctx, who] of Object.entries(expected)) {
      const r = await k(['--context', ctx, 'auth', 'whoami']);
      expect(r.stderr, ctx).toBe('');
      expect(r.stdout, ctx).toBe(`ATTRIBUTE   VALUE\nUsername    ${who}`);
    }
  });

  it('the exec plugin is what kubectl runs for prod-exec, once per kubectl run', async () => {
    const log = join(fx.dir, 'exec-plugin.log');
    const r = await k(['--context', 'prod-exec', 'get', 'pods', '-n', 'web', '-o', 'name'], { KMUX_SIM_EXEC_LOG: log });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`pod/${pod}`);
    expect(existsSync(log)).toBe(true);
    const runs = readFileSync(log, 'utf8').trim().split('\n');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/ exec-user interactive=false expires=/);
  });

  it('auth can-i --list as viewer: the view role, as kubectl prints it', async () => {
    const r = await k(['--context', 'prod-viewer', 'auth', 'can-i', '--list']);
    expect(r.exitCode, r.stderr).toBe(0);
    const t = rows(r.stdout);
    expect(t[0]).toEqual(['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
    const row = (resource: string) => t.find((x) => x[0] === resource);
    for (const res of ['pods', 'pods/log', 'configmaps', 'namespaces', 'deployments.apps', 'deployments.apps/scale', 'jobs.batch', 'poddisruptionbudgets.policy', 'databases.sim.kmux.dev', 'pods.metrics.k8s.io']) {
      expect(row(res), res).toEqual([res, '[]', '[]', '[get list watch]']);
    }
    for (const res of ['selfsubjectaccessreviews.authorization.k8s.io', 'selfsubjectrulesreviews.authorization.k8s.io', 'selfsubjectreviews.authentication.k8s.io']) {
      expect(row(res), res).toEqual([res, '[]', '[]', '[create]']);
    }
    for (const res of ['secrets', 'nodes', 'pods/exec', 'pods/portforward', 'pods/attach', 'roles.rbac.authorization.k8s.io']) expect(row(res), res).toBeUndefined();
    // non-resource URLs come after, with an empty first column
    expect(t).toContainEqual(['', '[/version]', '[]', '[get]']);
    expect(t).toContainEqual(['', '[/apis/*]', '[]', '[get]']);
  });

  it('auth can-i --list as team-a: edit in web, almost nothing in checkout', async () => {
    const web = rows((await k(['--context', 'prod-team-a', 'auth', 'can-i', '--list'])).stdout);
    expect(web.find((x) => x[0] === 'pods')).toEqual(['pods', '[]', '[]', '[create delete deletecollection patch update get list watch]']);
    expect(web.find((x) => x[0] === 'pods/exec')?.[3]).toContain('create');
    expect(web.find((x) => x[0] === 'secrets')?.[3]).toContain('get');
    const checkout = rows((await k(['--context', 'prod-team-a', 'auth', 'can-i', '--list', '-n', 'checkout'])).stdout);
    expect(checkout.find((x) => x[0] === 'pods')).toBeUndefined();
    expect(checkout.filter((x) => x[0] !== '' && x[0] !== 'Resources').map((x) => x[0]).sort())
      .toEqual(['selfsubjectaccessreviews.authorization.k8s.io', 'selfsubjectreviews.authentication.k8s.io', 'selfsubjectrulesreviews.authorization.k8s.io']);
  });

  it('auth can-i: yes and exit 0, no and exit 1', async () => {
    const can = async (ctx: string, ...args: string[]) => {
      const r = await k(['--context', ctx, 'auth', 'can-i', ...args]);
      return `${r.stdout} ${r.exitCode}`;
    };
    expect(await can('prod-viewer', 'list', 'pods', '-A')).toBe('yes 0');
    expect(await can('prod-viewer', 'delete', 'pods')).toBe('no 1');
    expect(await can('prod-viewer', 'create', 'pods/exec')).toBe('no 1');
    expect(await can('prod-team-a', 'create', 'pods/exec')).toBe('yes 0');
    expect(await can('prod-team-a', 'delete', 'pods', '-n', 'checkout')).toBe('no 1');
    expect(await can('prod-team-a', 'list', 'nodes')).toBe('no 1');
    expect(await can('prod-team-a', 'list', 'namespaces', '-A')).toBe('no 1');
    // kubectl asks about namespaces in the context's namespace, where team-a's RoleBinding applies
    // (and a real apiserver says yes as well), though `get namespaces` is refused
    expect(await can('prod-team-a', 'list', 'namespaces')).toBe('yes 0');
    expect(await can('prod', 'delete', 'nodes')).toBe('yes 0');
  });

  it('viewer: reads work, writes are refused with the apiserver\'s message and change nothing', async () => {
    expect((await k(['--context', 'prod-viewer', 'get', 'pods', '-A', '--no-headers'])).exitCode).toBe(0);
    const logs = await k(['--context', 'prod-viewer', '-n', 'web', 'logs', pod, '-c', container, '--tail', '2']);
    expect(logs.exitCode, logs.stderr).toBe(0);
    expect(logs.stdout.split('\n')).toHaveLength(2);
    const del = await k(['--context', 'prod-viewer', '-n', 'web', 'delete', 'pod', pod]);
    expect(del.exitCode).toBe(1);
    expect(del.stderr.trim()).toBe(`Error from server (Forbidden): pods "${pod}" is forbidden: User "viewer" cannot delete resource "pods" in API group "" in the namespace "web"`);
    expect(fx.fleet.member('prod').cluster.store.get(POD, 'web', pod).metadata.deletionTimestamp).toBeUndefined();
    const scale = await k(['--context', 'prod-viewer', '-n', 'web', 'scale', 'deploy/frontend', '--replicas', '5']);
    expect(scale.stderr.trim()).toBe('Error from server (Forbidden): deployments.apps "frontend" is forbidden: User "viewer" cannot patch resource "deployments/scale" in API group "apps" in the namespace "web"');
    const secrets = await k(['--context', 'prod-viewer', 'get', 'secrets', '-A']);
    expect(secrets.stderr.trim()).toBe('Error from server (Forbidden): secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" at the cluster scope');
  });

  it('viewer: exec and port-forward are refused; team-a may exec in web', async () => {
    const exec = await k(['--context', 'prod-viewer', '-n', 'web', 'exec', pod, '-c', container, '--', 'hostname']);
    expect(exec.exitCode).toBe(1);
    expect(exec.stderr.trim()).toBe(`Error from server (Forbidden): pods "${pod}" is forbidden: User "viewer" cannot create resource "pods/exec" in API group "" in the namespace "web"`);
    const pf = await k(['--context', 'prod-viewer', '-n', 'web', 'port-forward', `pod/${pod}`, '0:8080']);
    expect(pf.exitCode).toBe(1);
    expect(pf.stderr.trim()).toBe(`error: error upgrading connection: pods "${pod}" is forbidden: User "viewer" cannot create resource "pods/portforward" in API group "" in the namespace "web"`);
    const ok = await k(['--context', 'prod-team-a', 'exec', pod, '-c', container, '--', 'hostname']);
    expect([ok.exitCode, ok.stdout]).toEqual([0, pod]);
  });

  it('team-a: no namespaces, no nodes, no other namespace', async () => {
    const ns = await k(['--context', 'prod-team-a', 'get', 'namespaces']);
    expect(ns.stderr.trim()).toBe('Error from server (Forbidden): namespaces is forbidden: User "team-a" cannot list resource "namespaces" in API group "" at the cluster scope');
    const nodes = await k(['--context', 'prod-team-a', 'get', 'nodes']);
    expect(nodes.stderr.trim()).toBe('Error from server (Forbidden): nodes is forbidden: User "team-a" cannot list resource "nodes" in API group "" at the cluster scope');
    const other = await k(['--context', 'prod-team-a', '-n', 'checkout', 'get', 'pods']);
    expect(other.stderr.trim()).toBe('Error from server (Forbidden): pods is forbidden: User "team-a" cannot list resource "pods" in API group "" in the namespace "checkout"');
    const drain = await k(['--context', 'prod-team-a', 'drain', 'prod-worker-1', '--ignore-daemonsets']);
    expect(drain.stderr.trim()).toBe('Error from server (Forbidden): nodes "prod-worker-1" is forbidden: User "team-a" cannot get resource "nodes" in API group "" at the cluster scope');
    // its own namespace works
    expect((await k(['--context', 'prod-team-a', 'get', 'pods', '-o', 'name'])).stdout).toContain(`pod/${pod}`);
  });

  it('--as and --as-group: admin impersonates; viewer may not', async () => {
    expect((await k(['--context', 'prod', '--as', 'viewer', '--as-group', 'team-a', 'auth', 'whoami'])).stdout)
      .toBe('ATTRIBUTE   VALUE\nUsername    viewer\nGroups      [team-a system:authenticated]');
    const del = await k(['--context', 'prod', '--as', 'viewer', '-n', 'web', 'delete', 'pod', pod]);
    expect(del.stderr.trim()).toBe(`Error from server (Forbidden): pods "${pod}" is forbidden: User "viewer" cannot delete resource "pods" in API group "" in the namespace "web"`);
    const imp = await k(['--context', 'prod-viewer', '--as', 'admin', 'get', 'pods']);
    expect(imp.stderr.trim()).toBe('Error from server (Forbidden): users "admin" is forbidden: User "viewer" cannot impersonate resource "users" in API group "" at the cluster scope');
  });

  it('roles and bindings made with kubectl take effect; kubectl lists them as a cluster does', async () => {
    const admin = (...args: string[]) => k(['--context', 'prod', ...args]);
    expect((await admin('create', 'namespace', 'scratch')).exitCode).toBe(0);
    const cm = await k(['--context', 'prod-viewer', '-n', 'scratch', 'create', 'configmap', 'note', '--from-literal=a=1']);
    expect(cm.stderr.trim()).toBe('error: failed to create configmap: configmaps is forbidden: User "viewer" cannot create resource "configmaps" in API group "" in the namespace "scratch"');
    const role = await admin('-n', 'scratch', 'create', 'role', 'cm-writer', '--verb=create,get', '--resource=configmaps');
    expect([role.exitCode, role.stdout, role.stderr]).toEqual([0, 'role.rbac.authorization.k8s.io/cm-writer created', '']);
    const rb = await admin('-n', 'scratch', 'create', 'rolebinding', 'viewer-cm', '--role=cm-writer', '--user=viewer');
    expect([rb.exitCode, rb.stdout]).toEqual([0, 'rolebinding.rbac.authorization.k8s.io/viewer-cm created']);
    expect((await k(['--context', 'prod-viewer', '-n', 'scratch', 'create', 'configmap', 'note', '--from-literal=a=1'])).stdout).toBe('configmap/note created');
    const list = rows((await admin('get', 'rolebindings', '-A')).stdout);
    expect(list[0]).toEqual(['NAMESPACE', 'NAME', 'ROLE', 'AGE']);
    expect(list.map((r) => r.slice(0, 3))).toEqual(expect.arrayContaining([['scratch', 'viewer-cm', 'Role/cm-writer'], ['web', 'team-a-edit', 'ClusterRole/edit'], ['payments', 'team-a-edit', 'ClusterRole/edit']]));
    const wide = rows((await admin('get', 'clusterrolebindings', 'viewer-view', 'cluster-admin', '-o', 'wide')).stdout);
    expect(wide[0]).toEqual(['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS']);
    expect(wide.slice(1).map((r) => [r[0], r[1], r[3]])).toEqual([['viewer-view', 'ClusterRole/view', 'viewer'], ['cluster-admin', 'ClusterRole/cluster-admin', 'system:masters']]);
    // the aggregated view, as kubectl shows it
    const view = JSON.parse((await admin('get', 'clusterrole', 'view', '-o', 'json')).stdout);
    expect(view.rules.some((r: any) => r.resources?.includes('databases') && r.apiGroups?.includes('sim.kmux.dev'))).toBe(true);
    const crb = await admin('create', 'clusterrolebinding', 'bad', '--clusterrole=view', '--user=x', '--dry-run=server', '-o', 'name');
    expect(crb.stdout).toBe('clusterrolebinding.rbac.authorization.k8s.io/bad');
  });

  it('a wrong token: kubectl\'s "You must be logged in"', async () => {
    const r = await k(['--context', 'prod-viewer', '--token', 'not-a-token', 'get', 'pods']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe('error: You must be logged in to the server (Unauthorized)');
  });
});
