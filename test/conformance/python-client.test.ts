/**
 * A second referee: the official Kubernetes Python client (Debian's python3-kubernetes, run by
 * Debian's own /usr/bin/python3) against the simulated fleet over TLS. It lists, watches and
 * reads logs with the CA and a bearer token, reads a 403 as an ApiException, and loads the
 * fleet's kubeconfig for a client certificate and for the exec plugin.
 *
 * The package is installed when missing and possible (root and apt-get; `.ci/run` installs it
 * too); where it cannot be, the tests are skipped and say why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { POD } from '../../src/sim/cluster.js';
import { request } from '../helpers/http.js';
import { until } from '../helpers/wait.js';

const PYTHON = '/usr/bin/python3';

function hasClient(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import kubernetes'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Whether the client can be used, installing Debian's package when it is missing and apt-get may run; else why not. */
function prepare(): { ok: true } | { ok: false; why: string } {
  if (!existsSync(PYTHON)) return { ok: false, why: `${PYTHON} does not exist (Debian's python3)` };
  if (hasClient()) return { ok: true };
  if (!existsSync('/usr/bin/apt-get')) return { ok: false, why: 'python3-kubernetes is not installed and there is no apt-get to install it' };
  if (process.getuid?.() !== 0) return { ok: false, why: 'python3-kubernetes is not installed and installing it needs root (run .ci/run as root, or apt-get install -y python3-kubernetes)' };
  const apt = (args: string[]) => {
    try {
      execFileSync('/usr/bin/apt-get', args, { stdio: 'ignore', timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      return true;
    } catch {
      return false;
    }
  };
  if (!apt(['install', '-y', 'python3-kubernetes'])) {
    apt(['update']);
    apt(['install', '-y', 'python3-kubernetes']);
  }
  return hasClient() ? { ok: true } : { ok: false, why: 'apt-get install -y python3-kubernetes did not make `import kubernetes` work' };
}

const ready = prepare();
if (!ready.ok) console.warn(`python client tests skipped: ${ready.why}`);

const PRELUDE = `
import json, os, sys
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

def api_client():
    c = client.Configuration()
    c.host = os.environ['HOST']
    c.ssl_ca_cert = os.environ['CA_FILE']
    c.verify_ssl = True
    c.api_key = {'authorization': os.environ['TOKEN']}
    c.api_key_prefix = {'authorization': 'Bearer'}
    return client.ApiClient(c)

def out(v):
    print(json.dumps(v), flush=True)
`;

let fleet: Fleet;
let dir: string;
let base: string;
let caFile: string;

/** Runs a Python script with the fleet's prod server, its CA and `user`'s token in the environment; its stdout, parsed line by line as JSON. */
function python(script: string, user = 'viewer', env: Record<string, string> = {}): Promise<{ code: number; lines: any[]; stderr: string }> {
  const file = join(dir, `s-${Math.random().toString(36).slice(2)}.py`);
  writeFileSync(file, PRELUDE + script);
  return new Promise((resolve) => {
    execFile(PYTHON, [file], {
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '', HOME: dir, HOST: base, CA_FILE: caFile, TOKEN: fleet.credentials(user).token ?? '', ...env },
    }, (err, stdout, stderr) => resolve({
      code: err ? Number((err as { code?: number }).code ?? 1) : 0,
      lines: stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)),
      stderr,
    }));
  });
}

describe.skipIf(!ready.ok)(ready.ok ? 'the Kubernetes Python client against the fleet' : `the Kubernetes Python client (skipped: ${ready.why})`, () => {
  beforeAll(async () => {
    fleet = await startFleet({ clusters: 1, names: ['prod'], nodes: 3, pods: 40, seed: 17 });
    base = fleet.members[0].server.url;
    dir = mkdtempSync(join(tmpdir(), 'kmux-py-'));
    caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, fleet.ca);
  });
  afterAll(async () => {
    await fleet?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists pods over TLS with the CA and a token', async () => {
    const r = await python(`
v1 = client.CoreV1Api(api_client())
pods = v1.list_namespaced_pod('web')
out(sorted(p.metadata.name for p in pods.items))
out(pods.metadata.resource_version)
`);
    expect(r.code, r.stderr).toBe(0);
    const names = [...fleet.members[0].cluster.store.iter(POD, 'web')].map((p) => p.metadata.name).sort();
    expect(r.lines[0]).toEqual(names);
    expect(Number(r.lines[1])).toBeGreaterThan(1000);
  });

  it('a refused delete is an ApiException with the apiserver\'s 403', async () => {
    const pod = [...fleet.members[0].cluster.store.iter(POD, 'web')][0].metadata.name;
    const r = await python(`
v1 = client.CoreV1Api(api_client())
try:
    v1.delete_namespaced_pod(os.environ['POD'], 'web')
    out('deleted')
except ApiException as e:
    out({'status': e.status, 'body': json.loads(e.body)})
`, 'viewer', { POD: pod });
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines[0]).toEqual({
      status: 403,
      body: {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403, details: { name: pod, kind: 'pods' },
        message: `pods "${pod}" is forbidden: User "viewer" cannot delete resource "pods" in API group "" in the namespace "web"`,
      },
    });
  });

  it('a wrong token is a 401', async () => {
    const r = await python(`
v1 = client.CoreV1Api(api_client())
try:
    v1.list_namespaced_pod('web')
except ApiException as e:
    out({'status': e.status, 'reason': json.loads(e.body)['reason']})
`, 'viewer', { TOKEN: 'not-a-token' });
    expect(r.lines[0]).toEqual({ status: 401, reason: 'Unauthorized' });
  });

  it('watches: the initial state, then what changes', async () => {
    const child = spawn(PYTHON, ['-c', `${PRELUDE}
v1 = client.CoreV1Api(api_client())
w = watch.Watch()
for ev in w.stream(v1.list_namespaced_config_map, 'payments', timeout_seconds=60):
    out([ev['type'], ev['object'].metadata.name])
    if ev['object'].metadata.name == 'from-node' and ev['type'] == 'DELETED':
        w.stop()
`], { env: { PATH: process.env.PATH ?? '', HOME: dir, HOST: base, CA_FILE: caFile, TOKEN: fleet.credentials('team-a').token! } });
    const events: [string, string][] = [];
    let err = '';
    let buf = '';
    child.stdout.on('data', (b: Buffer) => {
      buf += b.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
    try {
      const existing = [...fleet.members[0].cluster.store.iter('configmaps', 'payments')].map((c) => c.metadata.name);
      await until(`the initial ADDED events (${err})`, () => events.length >= existing.length, 30_000);
      expect(events.map((e) => e[1]).sort()).toEqual([...existing].sort());
      expect(events.every((e) => e[0] === 'ADDED')).toBe(true);
      const path = `${base}/api/v1/namespaces/payments/configmaps`;
      expect((await request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'from-node' }, data: { a: '1' } }) })).status).toBe(201);
      await until('ADDED from-node', () => events.some((e) => e[0] === 'ADDED' && e[1] === 'from-node'), 30_000);
      expect((await request(`${path}/from-node`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"data":{"a":"2"}}' })).status).toBe(200);
      expect((await request(`${path}/from-node`, { method: 'DELETE' })).status).toBe(200);
      expect(await exited).toBe(0);
      expect(events.slice(existing.length)).toEqual([['ADDED', 'from-node'], ['MODIFIED', 'from-node'], ['DELETED', 'from-node']]);
    } finally {
      child.kill();
    }
  });

  it('reads a container\'s log lines as the sim writes them', async () => {
    const p = [...fleet.members[0].cluster.store.iter(POD, 'web')].find((x) => x.status?.phase === 'Running');
    const c = p.spec.containers[0].name;
    const r = await python(`
v1 = client.CoreV1Api(api_client())
out(v1.read_namespaced_pod_log(os.environ['POD'], 'web', container=os.environ['C'], tail_lines=3))
`, 'viewer', { POD: p.metadata.name, C: c });
    expect(r.code, r.stderr).toBe(0);
    const lines = (r.lines[0] as string).split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    // the same lines are in what the sim serves a moment later (more may have been written since)
    const later = (await request(`${base}/api/v1/namespaces/web/pods/${p.metadata.name}/log?container=${c}&tailLines=200`)).text;
    expect(later).toContain(lines.join('\n'));
  });

  it('loads the fleet\'s kubeconfig: a client certificate for admin, the exec plugin for exec-user', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    fleet.writeKubeconfig(kubeconfig, { userContexts: true });
    const r = await python(`
for ctx in ['prod', 'prod-exec', 'prod-team-a']:
    api = config.new_client_from_config(config_file=os.environ['KUBECONFIG'], context=ctx)
    review = client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
        resource_attributes=client.V1ResourceAttributes(namespace='web', verb='delete', resource='pods')))
    status = client.AuthorizationV1Api(api).create_self_subject_access_review(review).status
    out([ctx, status.allowed, status.reason])
`, 'viewer', { KUBECONFIG: kubeconfig });
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines).toEqual([
      ['prod', true, null],
      ['prod-exec', false, null],
      ['prod-team-a', true, 'RBAC: allowed by RoleBinding "team-a-edit/web" of ClusterRole "edit" to Group "team-a"'],
    ]);
  });
});
