/**
 * kubectl's imperative creates against the sim. `kubectl create <kind>` sends the object as
 * protobuf (`application/vnd.kubernetes.protobuf`), unlike `create -f`; the sim decodes it and
 * the objects must then list, and a deployment must run its pods.
 */
import { describe, expect, it } from 'vitest';
import { POD, DEPLOY } from '../../src/sim/cluster.js';
import { isReady } from '../../src/sim/pods.js';
import { until } from '../helpers/wait.js';
import { hasKubectl, useFleet } from '../helpers/kubectl.js';

describe.skipIf(!hasKubectl)('kubectl create <kind> against the sim', () => {
  const fx = useFleet({ clusters: 1, names: ['dev'], nodes: 3, pods: 20 });
  const store = () => fx.member().cluster.store;

  it('creates a namespace, a configmap, a service account and a deployment, sent as protobuf; all of them list', async () => {
    const from = fx.member().server.requestLog.length;
    const runs = [
      ['create', 'namespace', 'team-a'],
      ['create', 'configmap', 'settings', '-n', 'team-a', '--from-literal=a=b', '--from-literal=mode=fast'],
      ['create', 'serviceaccount', 'builder', '-n', 'team-a'],
      ['create', 'deployment', 'web', '-n', 'team-a', '--image=nginx', '--replicas=2', '--port=8080'],
    ];
    const expected = ['namespace/team-a created', 'configmap/settings created', 'serviceaccount/builder created', 'deployment.apps/web created'];
    for (let i = 0; i < runs.length; i++) {
      const r = await fx.kubectl(runs[i]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(expected[i]);
    }
    const posts = fx.member().server.writes(from).filter((x) => x.method === 'POST');
    expect(posts.map((x) => [x.path, x.contentType, x.status])).toEqual([
      ['/api/v1/namespaces', 'application/vnd.kubernetes.protobuf', 201],
      ['/api/v1/namespaces/team-a/configmaps', 'application/vnd.kubernetes.protobuf', 201],
      ['/api/v1/namespaces/team-a/serviceaccounts', 'application/vnd.kubernetes.protobuf', 201],
      ['/apis/apps/v1/namespaces/team-a/deployments', 'application/vnd.kubernetes.protobuf', 201],
    ]);

    const ns = await fx.kubectl(['get', 'namespace', 'team-a', '-o', 'jsonpath={.metadata.name} {.status.phase} {.spec.finalizers}']);
    expect(ns.stdout).toBe('team-a Active ["kubernetes"]');
    const cm = await fx.kubectl(['get', 'configmap', 'settings', '-n', 'team-a', '-o', 'jsonpath={.data}']);
    expect(JSON.parse(cm.stdout)).toEqual({ a: 'b', mode: 'fast' });
    const sa = await fx.kubectl(['get', 'serviceaccounts', '-n', 'team-a', '-o', 'name']);
    expect(sa.stdout.split('\n')).toContain('serviceaccount/builder');

    const d = store().get(DEPLOY, 'team-a', 'web');
    expect(d.spec).toMatchObject({
      replicas: 2, selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
    expect(d.spec.template.spec.containers).toEqual([{
      name: 'nginx', image: 'nginx', ports: [{ containerPort: 8080, protocol: 'TCP' }], resources: {},
      imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    }]);
    // the deployment produces running pods
    await until('two ready web pods', () => [...store().iter(POD, 'team-a')].filter((p) => p.metadata.labels?.app === 'web' && isReady(p)).length === 2, 30_000);
    const pods = await fx.kubectl(['get', 'pods', '-n', 'team-a', '-l', 'app=web', '--no-headers']);
    const lines = pods.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^web-\S+\s+1\/1\s+Running\s+0\s+/);
    await until('the deployment to report 2 available', () => store().get(DEPLOY, 'team-a', 'web').status?.availableReplicas === 2, 30_000);
    const deploy = await fx.kubectl(['get', 'deployment', 'web', '-n', 'team-a', '--no-headers']);
    expect(deploy.stdout).toMatch(/^web\s+2\/2\s+2\s+2\s+/);
  });

  it('creates a secret, a service, a job, a cronjob and a pod disruption budget', async () => {
    const runs: [string[], string][] = [
      [['create', 'secret', 'generic', 'db-pass', '--from-literal=password=s3cret'], 'secret/db-pass created'],
      [['create', 'service', 'clusterip', 'web', '--tcp=80:8080'], 'service/web created'],
      [['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi'], 'job.batch/once created'],
      [['create', 'cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *'], 'cronjob.batch/nightly created'],
      [['create', 'poddisruptionbudget', 'web', '--selector=app=web', '--max-unavailable=50%'], 'poddisruptionbudget.policy/web created'],
    ];
    for (const [args, out] of runs) {
      const r = await fx.kubectl(args);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(out);
    }
    const get = async (args: string[]) => (await fx.kubectl(['get', ...args])).stdout;
    expect(await get(['secret', 'db-pass', '-o', 'jsonpath={.type} {.data.password}'])).toBe(`Opaque ${Buffer.from('s3cret').toString('base64')}`);
    expect(JSON.parse(await get(['service', 'web', '-o', 'jsonpath={.spec.ports}']))).toEqual([{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);
    expect(JSON.parse(await get(['job', 'once', '-o', 'jsonpath={.spec.template.spec.containers[0].command}']))).toEqual(['echo', 'hi']);
    expect(await get(['job', 'once', '-o', 'jsonpath={.spec.template.spec.restartPolicy}'])).toBe('Never');
    expect(await get(['cronjob', 'nightly', '-o', 'jsonpath={.spec.schedule}'])).toBe('0 3 * * *');
    expect(JSON.parse(await get(['pdb', 'web', '-o', 'jsonpath={.spec}']))).toEqual({ maxUnavailable: '50%', selector: { matchLabels: { app: 'web' } } });
    // the job runs its pod to completion
    await until('the job to succeed', () => store().get('jobs.batch', 'default', 'once')?.status?.succeeded === 1, 30_000);
  });

  it('a create of an existing name is refused with AlreadyExists, and --dry-run=server writes nothing', async () => {
    const dup = await fx.kubectl(['create', 'namespace', 'team-a']);
    expect(dup.exitCode).toBe(1);
    expect(dup.stderr.trim()).toBe('Error from server (AlreadyExists): namespaces "team-a" already exists');
    const dry = await fx.kubectl(['create', 'configmap', 'dry', '--from-literal=x=y', '--dry-run=server', '-o', 'jsonpath={.data.x}']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toBe('y');
    expect(store().get('configmaps', 'default', 'dry')).toBeUndefined();
  });
});
