/**
 * kmux's own example plugins, run for real against stand-in kubectl and stern binaries that
 * record their arguments: what each example hands kubectl, also for awkward names.
 */
import { chmodSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugins, type Plugin } from '../../src/plugins/load.js';
import { disposeContextPins, JobRegistry, pluginEnv } from '../../src/plugins/run.js';
import { buildArgv, pluginVars, type VarContext } from '../../src/plugins/vars.js';
import { tree, type Tree } from './helpers.js';

let t: Tree;
let plugins: Map<string, Plugin>;
const jobs = new JobRegistry();
const shipped = join(import.meta.dirname, '../../plugins');

beforeAll(() => {
  t = tree();
  // every example, copied where a user enables them (the dangerous ones are not on by default)
  for (const f of readdirSync(shipped)) t.write(`config/kmux/plugins/${f}`, readFileSync(join(shipped, f), 'utf8'));
  // stand-ins: print each argument on its own NUL-terminated record, to $RECORD/<tool>
  for (const tool of ['kubectl', 'stern']) {
    const f = t.write(`bin/${tool}`, `#!/bin/sh\nprintf '%s\\0' "$@" > "$RECORD/${tool}"\nprintf 'apiVersion: v1\\n'\n`);
    chmodSync(f, 0o755);
  }
  t.write('nostern/kubectl', readFileSync(join(t.root, 'bin/kubectl'), 'utf8'));
  chmodSync(join(t.root, 'nostern/kubectl'), 0o755);
  const r = loadPlugins({ env: t.env, shippedDir: join(t.root, 'none') });
  expect(r.problems).toEqual([]);
  plugins = new Map(r.plugins.map((p) => [p.name, p]));
});
afterAll(() => {
  jobs.dispose();
  disposeContextPins();
  t.cleanup();
});

const row = (over: Partial<VarContext> = {}): VarContext => ({
  name: 'web-1',
  namespace: 'shop',
  context: 'prod',
  cluster: 'prod',
  user: 'admin',
  kubeconfig: '',
  filter: '',
  resourceGroup: '',
  resourceVersion: 'v1',
  resourceName: 'pods',
  columns: {},
  ...over,
});

let n = 0;
async function run(name: string, r: VarContext, bin = 'bin') {
  const record = join(t.root, `rec-${++n}`);
  t.write(`rec-${n}/.keep`, '');
  const p = plugins.get(name)!;
  const vars = pluginVars(r);
  const argv = buildArgv(p, vars);
  const env = pluginEnv(vars, { ...t.env, PATH: `${join(t.root, bin)}:/usr/bin:/bin`, RECORD: record, XDG_STATE_HOME: join(t.root, 'state') }, argv);
  const job = await jobs.wait(jobs.start(p, argv, env).id);
  const args = (tool: string) => (existsSync(join(record, tool)) ? readFileSync(join(record, tool), 'utf8').split('\0').slice(0, -1) : undefined);
  return { job, kubectl: args('kubectl'), stern: args('stern') };
}

describe('shipped examples', () => {
  it('drain and uncordon pass the node and context as single arguments', async () => {
    const d = await run('kubectl-drain', row({ name: 'node-a', namespace: '', resourceName: 'nodes' }));
    expect(d.kubectl).toEqual(['drain', 'node-a', '--context', 'prod', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=5m']);
    const u = await run('kubectl-uncordon', row({ name: 'node-a', context: 'a context; with $(stuff)' }));
    expect(u.kubectl).toEqual(['uncordon', 'node-a', '--context', 'a context; with $(stuff)']);
  });

  it('node shell builds its pod for the node, and refuses a name that is not a DNS name', async () => {
    const ok = await run('node-shell', row({ name: 'ip-10-0-1-2.ec2.internal', namespace: '' }));
    expect(ok.job.status).toBe('exited');
    const args = ok.kubectl!;
    expect(args.slice(0, 5)).toEqual(['--context', 'prod', '--namespace', 'kube-system', 'run']);
    const overrides = JSON.parse(args.find((a) => a.startsWith('--overrides='))!.slice('--overrides='.length));
    expect(overrides.spec).toMatchObject({ nodeName: 'ip-10-0-1-2.ec2.internal', hostPID: true, containers: [{ securityContext: { privileged: true } }] });
    const bad = await run('node-shell', row({ name: 'x","hostIPC":true,"y":"' }));
    expect(bad.job).toMatchObject({ status: 'failed', exitCode: 2 });
    expect(bad.job.stderr).toMatch(/unexpected node name/);
    expect(bad.kubectl).toBeUndefined();
  });

  it('debug targets the pod, or the container in the containers view', async () => {
    const pod = await run('debug-pod', row());
    expect(pod.kubectl).toEqual(['debug', '--context', 'prod', '--namespace', 'shop', '-it', 'pod/web-1', '--image=docker.io/library/busybox:1.36', '--profile=general', '--', 'sh']);
    const co = await run('debug-container', row({ name: 'nginx', pod: 'web-1', container: 'nginx' }));
    expect(co.kubectl).toContain('pod/web-1');
    expect(co.kubectl).toContain('--target=nginx');
  });

  it('stern when installed, else kubectl logs', async () => {
    const s = await run('stern', row({ name: 'web-1' }));
    expect(s.stern).toEqual(['--context', 'prod', '--namespace', 'shop', '--tail', '200', '^web-1$']);
    const k = await run('stern', row({ name: 'web-1' }), 'nostern');
    expect(k.kubectl).toEqual(['logs', '--context', 'prod', '--namespace', 'shop', 'web-1', '--all-containers', '--prefix', '--follow', '--tail', '200']);
    expect(k.job.stderr).toMatch(/stern is not installed/);
  });

  it('watch events: the namespace when there is one, else every namespace', async () => {
    const ns = await run('watch-events', row());
    expect(ns.kubectl).toEqual(['get', 'events', '--context', 'prod', '--namespace=shop', '--field-selector', 'involvedObject.name=web-1', '--watch']);
    const cluster = await run('watch-events', row({ name: 'node-a', namespace: '' }));
    expect(cluster.kubectl).toEqual(['get', 'events', '--context', 'prod', '--all-namespaces', '--field-selector', 'involvedObject.name=node-a', '--watch']);
  });

  it('save-yaml writes the YAML to a file in the background and says where', async () => {
    const name = 'we"b 1;$(x)';
    const r = await run('save-yaml', row({ name, resourceName: 'deployments', resourceGroup: 'apps' }));
    expect(r.job.status).toBe('exited');
    expect(r.kubectl).toEqual(['get', 'deployments.apps', name, '--context', 'prod', '--namespace', 'shop', '-o', 'yaml']);
    const file = join(t.root, 'state/kmux/yaml/prod_shop_deployments_we_b_1___x_.yaml');
    expect(r.job.stdout).toBe(`saved ${file}\n`);
    expect(readFileSync(file, 'utf8')).toBe('apiVersion: v1\n');
  });
});
