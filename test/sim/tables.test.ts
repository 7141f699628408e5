import { describe, it, expect } from 'vitest';
import { age, evalJsonPath, humanDuration, printerFor } from '../../src/sim/tables.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString().replace('.000Z', 'Z');
const S = 1, M = 60, H = 3600, D = 86400, Y = 365 * D;
const meta = (name: string, createdAgo = 5 * M, extra: Record<string, unknown> = {}) =>
  ({ name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: ago(createdAgo), ...extra });

/** cells keyed by column name, to keep assertions readable. */
function row(kind: string, group: string, obj: any, crd?: any, version?: string): Record<string, unknown> {
  const p = printerFor(kind, group, crd, version);
  const cells = p.cells(obj, NOW);
  expect(cells).toHaveLength(p.columns.length);
  return Object.fromEntries(p.columns.map((c, i) => [c.name, cells[i]]));
}
const columns = (kind: string, group: string, crd?: any, version?: string) =>
  printerFor(kind, group, crd, version).columns.map((c) => [c.name, c.type, c.format, c.priority]);

describe('humanDuration', () => {
  it.each([
    [-3 * S, '<invalid>'], [-2 * S, '<invalid>'], [-1.5 * S, '0s'], [-1 * S, '0s'], [0, '0s'],
    [59 * S, '59s'], [119 * S, '119s'], [120 * S, '2m'], [150 * S, '2m30s'], [9 * M + 59, '9m59s'],
    [10 * M, '10m'], [10 * M + 30, '10m'], [179 * M, '179m'], [3 * H, '3h'], [3 * H + 59, '3h'],
    [5 * H + 20 * M, '5h20m'], [7 * H + 59 * M, '7h59m'], [8 * H + 30 * M, '8h'], [47 * H, '47h'], [48 * H, '2d'],
    [2 * D + 3 * H, '2d3h'], [7 * D + 23 * H, '7d23h'], [8 * D, '8d'], [10 * D + 5 * H, '10d'], [729 * D, '729d'],
    [2 * Y, '2y'], [3 * Y + 20 * D, '3y20d'], [7 * Y + 364 * D, '7y364d'], [8 * Y + 100 * D, '8y'], [9 * Y, '9y'],
  ])('%d s -> %s', (secs, want) => {
    expect(humanDuration(secs * 1000)).toBe(want);
  });

  it('age() handles missing and zero timestamps', () => {
    expect(age(undefined, NOW)).toBe('<unknown>');
    expect(age('0001-01-01T00:00:00Z', NOW)).toBe('<unknown>');
    expect(age(ago(90 * M), NOW)).toBe('90m');
  });
});

describe('Pod', () => {
  const pod = (name: string, spec: any, status: any, extra: any = {}) =>
    ({ apiVersion: 'v1', kind: 'Pod', metadata: { ...meta(name), ...extra }, spec, status });
  const running = (name: string, restartCount = 0) =>
    ({ name, ready: true, started: true, restartCount, image: 'nginx', state: { running: { startedAt: ago(4 * M) } } });

  it('columns match a 1.32 server', () => {
    expect(columns('Pod', '')).toEqual([
      ['Name', 'string', 'name', 0], ['Ready', 'string', '', 0], ['Status', 'string', '', 0], ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0], ['IP', 'string', '', 1], ['Node', 'string', '', 1], ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ]);
  });

  it('running 2/2', () => {
    const p = pod('web-1', { nodeName: 'node-1', containers: [{ name: 'app' }, { name: 'proxy' }] }, {
      phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }],
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [running('app'), running('proxy')],
    });
    expect(printerFor('Pod', '').cells(p, NOW)).toEqual(['web-1', '2/2', 'Running', '0', '5m', '10.244.1.5', 'node-1', '<none>', '<none>']);
  });

  it('CrashLoopBackOff with the time since the last restart', () => {
    const p = pod('api-0', { nodeName: 'node-2', containers: [{ name: 'api' }] }, {
      phase: 'Running', podIP: '10.244.2.9',
      containerStatuses: [{
        name: 'api', ready: false, restartCount: 5,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(3 * M) } },
      }],
    });
    expect(row('Pod', '', p)).toMatchObject({ Ready: '0/1', Status: 'CrashLoopBackOff', Restarts: '5 (3m ago)', IP: '10.244.2.9' });
  });

  it('the latest finishedAt across containers wins', () => {
    const p = pod('two', { containers: [{ name: 'a' }, { name: 'b' }] }, {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { ...running('a', 2), lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * H) } } },
        { ...running('b', 1), lastState: { terminated: { exitCode: 1, finishedAt: ago(40 * S) } } },
      ],
    });
    expect(row('Pod', '', p)).toMatchObject({ Ready: '2/2', Status: 'Running', Restarts: '3 (40s ago)' });
  });

  it('ContainerCreating, pending without an IP or node', () => {
    const p = pod('new', { containers: [{ name: 'c' }] }, {
      phase: 'Pending',
      containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
    });
    expect(printerFor('Pod', '').cells(p, NOW)).toEqual(['new', '0/1', 'ContainerCreating', '0', '5m', '<none>', '<none>', '<none>', '<none>']);
  });

  it('ErrImagePull and terminated reasons', () => {
    const waiting = pod('img', { containers: [{ name: 'c' }] }, {
      phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull' } } }],
    });
    expect(row('Pod', '', waiting).Status).toBe('ErrImagePull');
    const signal = pod('sig', { containers: [{ name: 'c' }] }, {
      phase: 'Failed', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }],
    });
    expect(row('Pod', '', signal).Status).toBe('Signal:9');
    const exit = pod('ex', { containers: [{ name: 'c' }] }, {
      phase: 'Failed', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } }],
    });
    expect(row('Pod', '', exit).Status).toBe('ExitCode:2');
  });

  it('Completed', () => {
    const p = pod('job-abc', { nodeName: 'node-1', containers: [{ name: 'main' }] }, {
      phase: 'Succeeded', podIP: '10.244.1.7',
      containerStatuses: [{
        name: 'main', ready: false, restartCount: 0,
        state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: ago(M) } },
      }],
    });
    expect(row('Pod', '', p)).toMatchObject({ Ready: '0/1', Status: 'Completed', Restarts: '0' });
  });

  it('Completed with a container still running reads Running / NotReady', () => {
    const status = (ready: string) => ({
      phase: 'Running', conditions: [{ type: 'Ready', status: ready }],
      containerStatuses: [running('a'), { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    });
    const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
    expect(row('Pod', '', pod('x', spec, status('True'))).Status).toBe('Running');
    expect(row('Pod', '', pod('x', spec, status('False'))).Status).toBe('NotReady');
  });

  it('Terminating, and Unknown for NodeLost', () => {
    const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running('c')] };
    const p = pod('bye', { containers: [{ name: 'c' }] }, status, { deletionTimestamp: ago(10 * S) });
    expect(row('Pod', '', p)).toMatchObject({ Ready: '1/1', Status: 'Terminating' });
    const lost = pod('lost', { containers: [{ name: 'c' }] }, { ...status, reason: 'NodeLost' }, { deletionTimestamp: ago(10 * S) });
    expect(row('Pod', '', lost).Status).toBe('Unknown');
    const done = pod('done', { containers: [{ name: 'c' }] }, { phase: 'Succeeded' }, { deletionTimestamp: ago(10 * S) });
    expect(row('Pod', '', done).Status).toBe('Succeeded');
  });

  it('Init:0/1, Init:CrashLoopBackOff, Init:Error and PodInitializing', () => {
    const spec = { initContainers: [{ name: 'migrate' }], containers: [{ name: 'app' }] };
    const appWaiting = [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }];
    const init = (state: any, restartCount = 0, lastState: any = {}) => pod('db', spec, {
      phase: 'Pending',
      conditions: [{ type: 'Initialized', status: 'False' }],
      initContainerStatuses: [{ name: 'migrate', ready: false, restartCount, state, lastState }],
      containerStatuses: appWaiting,
    });
    expect(row('Pod', '', init({ running: { startedAt: ago(M) } }))).toMatchObject({ Ready: '0/1', Status: 'Init:0/1', Restarts: '0' });
    expect(row('Pod', '', init({ waiting: { reason: 'CrashLoopBackOff' } }, 4, { terminated: { exitCode: 1, finishedAt: ago(30 * S) } })))
      .toMatchObject({ Status: 'Init:CrashLoopBackOff', Restarts: '4 (30s ago)' });
    expect(row('Pod', '', init({ terminated: { exitCode: 1, reason: 'Error' } })).Status).toBe('Init:Error');
    expect(row('Pod', '', init({ terminated: { exitCode: 3 } })).Status).toBe('Init:ExitCode:3');
    // init done: the app container's PodInitializing shows through
    const done = pod('db', spec, {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'migrate', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      containerStatuses: appWaiting,
    });
    expect(row('Pod', '', done).Status).toBe('PodInitializing');
  });

  it('sidecar (restartable init) containers count toward Ready', () => {
    const p = pod('mesh', { initContainers: [{ name: 'istio', restartPolicy: 'Always' }], containers: [{ name: 'app' }] }, {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
      initContainerStatuses: [{ name: 'istio', ready: true, started: true, restartCount: 1, state: { running: {} } }],
      containerStatuses: [running('app')],
    });
    expect(row('Pod', '', p)).toMatchObject({ Ready: '2/2', Status: 'Running', Restarts: '1' });
  });

  it('readiness gates', () => {
    const p = pod('g', { containers: [{ name: 'c' }], readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] }, {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }, { type: 'example.com/lb', status: 'True' }],
      containerStatuses: [running('c')],
    });
    expect(row('Pod', '', p)['Readiness Gates']).toBe('1/2');
  });
});

describe('Node', () => {
  const node = (name: string, ready: string | null, labels: Record<string, string> = {}, unschedulable = false) => ({
    apiVersion: 'v1', kind: 'Node',
    metadata: { ...meta(name, 30 * D), labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: unschedulable ? { unschedulable: true } : {},
    status: {
      conditions: ready === null ? [] : [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: ready }],
      addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: name }],
      nodeInfo: { kubeletVersion: 'v1.32.2', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.8.0-45-generic', containerRuntimeVersion: 'containerd://1.7.24' },
    },
  });

  it('columns', () => {
    expect(columns('Node', '')).toEqual([
      ['Name', 'string', 'name', 0], ['Status', 'string', '', 0], ['Roles', 'string', '', 0], ['Age', 'string', '', 0],
      ['Version', 'string', '', 0], ['Internal-IP', 'string', '', 1], ['External-IP', 'string', '', 1],
      ['OS-Image', 'string', '', 1], ['Kernel-Version', 'string', '', 1], ['Container-Runtime', 'string', '', 1],
    ]);
  });

  it('Ready worker without roles', () => {
    expect(printerFor('Node', '').cells(node('worker-1', 'True'), NOW)).toEqual([
      'worker-1', 'Ready', '<none>', '30d', 'v1.32.2', '172.18.0.2', '<none>',
      'Debian GNU/Linux 12 (bookworm)', '6.8.0-45-generic', 'containerd://1.7.24',
    ]);
  });

  it('NotReady / Unknown', () => {
    expect(row('Node', '', node('w2', 'False')).Status).toBe('NotReady');
    expect(row('Node', '', node('w3', 'Unknown')).Status).toBe('NotReady');
    expect(row('Node', '', node('w4', null)).Status).toBe('Unknown');
  });

  it('cordoned control plane', () => {
    const n = node('cp-1', 'True', { 'node-role.kubernetes.io/control-plane': '' }, true);
    expect(row('Node', '', n)).toMatchObject({ Status: 'Ready,SchedulingDisabled', Roles: 'control-plane' });
  });

  it('roles are sorted and merged from both label styles', () => {
    const n = node('w5', 'True', { 'node-role.kubernetes.io/worker': '', 'kubernetes.io/role': 'infra', 'node-role.kubernetes.io/': 'x' });
    expect(row('Node', '', n).Roles).toBe('infra,worker');
  });
});

describe('workloads', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } };

  it('Deployment 3/3', () => {
    expect(columns('Deployment', 'apps')).toEqual([
      ['Name', 'string', 'name', 0], ['Ready', 'string', '', 0], ['Up-to-date', 'string', '', 0], ['Available', 'string', '', 0],
      ['Age', 'string', '', 0], ['Containers', 'string', '', 1], ['Images', 'string', '', 1], ['Selector', 'string', '', 1],
    ]);
    const d = {
      metadata: meta('web', 2 * D + 5 * H),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }] }, template },
      status: { replicas: 3, readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3 },
    };
    expect(printerFor('Deployment', 'apps').cells(d, NOW)).toEqual(['web', '3/3', 3, 3, '2d5h', 'nginx,log', 'nginx:1.27,busybox', 'app=web,tier in (edge,front)']);
  });

  it('Deployment scaling up, defaulted status', () => {
    const d = { metadata: meta('api'), spec: { replicas: 5, selector: { matchLabels: { app: 'api' } }, template }, status: { readyReplicas: 2, updatedReplicas: 5 } };
    expect(row('Deployment', 'apps', d)).toMatchObject({ Ready: '2/5', 'Up-to-date': 5, Available: 0 });
  });

  it('ReplicaSet, StatefulSet, DaemonSet', () => {
    const sel = { matchLabels: { app: 'web', 'pod-template-hash': '5d8f' } };
    expect(printerFor('ReplicaSet', 'apps').cells({ metadata: meta('web-5d8f'), spec: { replicas: 3, selector: sel, template }, status: { replicas: 3, readyReplicas: 2 } }, NOW))
      .toEqual(['web-5d8f', 3, 3, 2, '5m', 'nginx,log', 'nginx:1.27,busybox', 'app=web,pod-template-hash=5d8f']);
    expect(printerFor('StatefulSet', 'apps').cells({ metadata: meta('db'), spec: { replicas: 3, template }, status: { readyReplicas: 1 } }, NOW))
      .toEqual(['db', '1/3', '5m', 'nginx,log', 'nginx:1.27,busybox']);
    const ds = {
      metadata: meta('agent', 3 * H),
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'agent:1' }] } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    };
    expect(printerFor('DaemonSet', 'apps').cells(ds, NOW)).toEqual(['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '3h', 'a', 'agent:1', 'app=agent']);
    expect(columns('DaemonSet', 'apps').map((c) => c[0])).toEqual(
      ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers', 'Images', 'Selector']);
  });

  it('Job status, completions and duration', () => {
    const job = (status: any, spec: any = { completions: 1, parallelism: 1 }) => ({
      metadata: meta('backup', 10 * M), spec: { ...spec, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template }, status,
    });
    expect(printerFor('Job', 'batch').cells(job({ succeeded: 1, startTime: ago(10 * M), completionTime: ago(10 * M - 42), conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] }), NOW))
      .toEqual(['backup', 'Complete', '1/1', '42s', '10m', 'nginx,log', 'nginx:1.27,busybox', 'batch.kubernetes.io/controller-uid=u1']);
    expect(row('Job', 'batch', job({ active: 1, startTime: ago(150) }))).toMatchObject({ Status: 'Running', Completions: '0/1', Duration: '2m30s' });
    expect(row('Job', 'batch', job({ failed: 1, conditions: [{ type: 'Failed', status: 'True' }] }))).toMatchObject({ Status: 'Failed', Duration: '' });
    expect(row('Job', 'batch', job({ conditions: [{ type: 'Suspended', status: 'True' }] })).Status).toBe('Suspended');
    expect(row('Job', 'batch', job({ succeeded: 2 }, { parallelism: 3 })).Completions).toBe('2/1 of 3');
  });

  it('CronJob', () => {
    const cj = {
      metadata: meta('nightly', 40 * D),
      spec: { schedule: '0 3 * * *', suspend: false, jobTemplate: { spec: { template } } },
      status: { active: [{ name: 'nightly-1' }], lastScheduleTime: ago(9 * H) },
    };
    expect(columns('CronJob', 'batch').map((c) => [c[0], c[1], c[3]])).toEqual([
      ['Name', 'string', 0], ['Schedule', 'string', 0], ['Timezone', 'string', 0], ['Suspend', 'boolean', 0], ['Active', 'integer', 0],
      ['Last Schedule', 'string', 0], ['Age', 'string', 0], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1],
    ]);
    expect(printerFor('CronJob', 'batch').cells(cj, NOW)).toEqual(['nightly', '0 3 * * *', '<none>', 'False', 1, '9h', '40d', 'nginx,log', 'nginx:1.27,busybox', '<none>']);
    const never = { ...cj, spec: { ...cj.spec, suspend: true, timeZone: 'Etc/UTC' }, status: {} };
    expect(row('CronJob', 'batch', never)).toMatchObject({ Timezone: 'Etc/UTC', Suspend: 'True', Active: 0, 'Last Schedule': '<none>' });
  });
});

describe('Service and Endpoints', () => {
  const svc = (spec: any, status: any = {}) => ({ metadata: meta('web', 3 * D), spec, status });

  it('ClusterIP and NodePort ports', () => {
    expect(printerFor('Service', '').cells(svc({
      type: 'ClusterIP', clusterIP: '10.96.12.4', clusterIPs: ['10.96.12.4'], selector: { app: 'web', tier: 'front' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }],
    }), NOW)).toEqual(['web', 'ClusterIP', '10.96.12.4', '<none>', '80/TCP,53/UDP', '3d', 'app=web,tier=front']);
    expect(row('Service', '', svc({
      type: 'NodePort', clusterIP: '10.96.0.20',
      ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 443, nodePort: 30443, protocol: 'TCP' }],
    }))).toMatchObject({ 'Port(s)': '80:30080/TCP,443:30443/TCP', Selector: '<none>' });
  });

  it('LoadBalancer pending / assigned, headless, ExternalName', () => {
    const lb = { type: 'LoadBalancer', clusterIP: '10.96.0.30', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] };
    expect(row('Service', '', svc(lb))['External-IP']).toBe('<pending>');
    expect(row('Service', '', svc(lb, { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }] } }))['External-IP'])
      .toBe('203.0.113.9,lb.example.com');
    expect(row('Service', '', svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [] }))).toMatchObject({ 'Cluster-IP': 'None', 'Port(s)': '<none>' });
    expect(row('Service', '', svc({ type: 'ExternalName', externalName: 'db.example.com' }))).toMatchObject({ 'Cluster-IP': '<none>', 'External-IP': 'db.example.com' });
  });

  it('Endpoints shows the first three', () => {
    const ep = {
      metadata: meta('web'),
      subsets: [{ addresses: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'].map((ip) => ({ ip })), ports: [{ port: 80, protocol: 'TCP' }] }],
    };
    expect(printerFor('Endpoints', '').cells(ep, NOW)).toEqual(['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...', '5m']);
    expect(row('Endpoints', '', { metadata: meta('none') }).Endpoints).toBe('<none>');
    expect(row('Endpoints', '', { metadata: meta('two'), subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }, { port: 443 }] }] }).Endpoints)
      .toBe('10.0.0.1:80,10.0.0.1:443');
  });
});

describe('config, events, storage, misc', () => {
  it('ConfigMap, Secret, ServiceAccount, Namespace, Lease, PDB', () => {
    expect(printerFor('ConfigMap', '').cells({ metadata: meta('cfg'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, NOW)).toEqual(['cfg', 3, '5m']);
    expect(printerFor('Secret', '').cells({ metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }, NOW))
      .toEqual(['tls', 'kubernetes.io/tls', 2, '5m']);
    expect(printerFor('ServiceAccount', '').cells({ metadata: meta('default') }, NOW)).toEqual(['default', 0, '5m']);
    expect(printerFor('Namespace', '').cells({ metadata: meta('kube-system', 90 * D), status: { phase: 'Active' } }, NOW)).toEqual(['kube-system', 'Active', '90d']);
    expect(printerFor('Lease', 'coordination.k8s.io').cells({ metadata: meta('node-1'), spec: { holderIdentity: 'node-1' } }, NOW)).toEqual(['node-1', 'node-1', '5m']);
    expect(printerFor('PodDisruptionBudget', 'policy').cells({ metadata: meta('web'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }, NOW))
      .toEqual(['web', '50%', 'N/A', 1, '5m']);
    expect(row('PodDisruptionBudget', 'policy', { metadata: meta('db'), spec: { maxUnavailable: 1 }, status: {} })).toMatchObject({ 'Min Available': 'N/A', 'Max Unavailable': '1', 'Allowed Disruptions': 0 });
  });

  it('Event', () => {
    expect(columns('Event', '').map((c) => `${c[0]}:${c[3]}`)).toEqual([
      'Last Seen:0', 'Type:0', 'Reason:0', 'Object:0', 'Subobject:1', 'Source:1', 'Message:0', 'First Seen:1', 'Count:1', 'Name:1',
    ]);
    const ev = {
      metadata: meta('web-1.17a2b3c4d5e6f', 10 * M),
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{app}' },
      reason: 'BackOff', message: 'Back-off restarting failed container app\n', type: 'Warning',
      source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: ago(10 * M), lastTimestamp: ago(20 * S), count: 7,
    };
    expect(printerFor('Event', '').cells(ev, NOW)).toEqual([
      '20s', 'Warning', 'BackOff', 'pod/web-1', 'spec.containers{app}', 'kubelet, node-1',
      'Back-off restarting failed container app', '10m', 7, 'web-1.17a2b3c4d5e6f',
    ]);
    const modern = {
      metadata: meta('x.1'), involvedObject: { kind: 'Node', name: 'node-1' }, reason: 'Starting', message: '', type: 'Normal',
      eventTime: ago(90 * S), reportingController: 'kube-proxy', reportingInstance: 'kube-proxy-node-1', source: {},
    };
    expect(row('Event', '', modern)).toMatchObject({ 'Last Seen': '90s', 'First Seen': '90s', Object: 'node/node-1', Source: 'kube-proxy, kube-proxy-node-1', Count: 1 });
  });

  it('PersistentVolumeClaim', () => {
    const pvc = {
      metadata: meta('data-db-0', 6 * D),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, storageClassName: 'standard', volumeName: 'pvc-1234', volumeMode: 'Filesystem' },
      status: { phase: 'Bound', accessModes: ['ReadWriteMany', 'ReadWriteOnce'], capacity: { storage: '10Gi' } },
    };
    expect(printerFor('PersistentVolumeClaim', '').cells(pvc, NOW)).toEqual(['data-db-0', 'Bound', 'pvc-1234', '10Gi', 'RWO,RWX', 'standard', '<unset>', '6d', 'Filesystem']);
    const pending = { metadata: meta('p'), spec: { resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } };
    expect(printerFor('PersistentVolumeClaim', '').cells(pending, NOW)).toEqual(['p', 'Pending', '', '', '', '', '<unset>', '5m', '<unset>']);
  });

  it('CRDs and unknown kinds use the default Name / Created At table', () => {
    expect(columns('CustomResourceDefinition', 'apiextensions.k8s.io')).toEqual([['Name', 'string', 'name', 0], ['Created At', 'date', '', 0]]);
    const crd = { metadata: { name: 'widgets.example.com', creationTimestamp: '2024-06-01T08:30:00Z' } };
    expect(printerFor('CustomResourceDefinition', 'apiextensions.k8s.io').cells(crd, NOW)).toEqual(['widgets.example.com', '2024-06-01T08:30:00Z']);
    expect(printerFor('Gizmo', 'example.com').cells({ metadata: { name: 'g' } }, NOW)).toEqual(['g', '0001-01-01T00:00:00Z']);
  });

  it('metrics-server tables', () => {
    expect(columns('NodeMetrics', 'metrics.k8s.io')).toEqual([
      ['Name', 'string', 'name', 0], ['cpu', 'string', 'quantity', 0], ['memory', 'string', 'quantity', 0], ['Window', 'string', 'duration', 0],
    ]);
    expect(printerFor('NodeMetrics', 'metrics.k8s.io').cells({ metadata: { name: 'n1' }, usage: { cpu: '250000000n', memory: '2097152Ki' }, window: '20.05s' }, NOW))
      .toEqual(['n1', '250m', '2Gi', '20.05s']);
    const pm = { metadata: { name: 'p' }, window: '15s', containers: [{ usage: { cpu: '1500000n', memory: '1024Ki' } }, { usage: { cpu: '2m', memory: '3Mi' } }] };
    expect(printerFor('PodMetrics', 'metrics.k8s.io').cells(pm, NOW)).toEqual(['p', '3500u', '4Mi', '15s']);
  });
});

describe('custom resources', () => {
  const crd = {
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced',
      versions: [
        { name: 'v1alpha1', served: true, storage: false },
        {
          name: 'v1', served: true, storage: true,
          additionalPrinterColumns: [
            { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Readiness' },
            { name: 'Ports', type: 'string', jsonPath: '.spec.ports' },
            { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
            { name: 'Image', type: 'string', jsonPath: '.spec.image', priority: 1 },
          ],
        },
      ],
    },
  };
  const widget = {
    apiVersion: 'example.com/v1', kind: 'Widget',
    metadata: meta('w1', 26 * H),
    spec: { replicas: 2, image: 'widget:2', ports: [80, 443] },
    status: { conditions: [{ type: 'Synced', status: 'True' }, { type: 'Ready', status: 'False' }] },
  };

  it('Name then the served version\'s additionalPrinterColumns', () => {
    const p = printerFor('Widget', 'example.com', crd, 'v1');
    expect(p.columns).toEqual([
      { name: 'Name', type: 'string', format: 'name', description: expect.any(String), priority: 0 },
      { name: 'Replicas', type: 'integer', format: '', description: 'Custom resource definition column (in JSONPath format): .spec.replicas', priority: 0 },
      { name: 'Ready', type: 'string', format: '', description: 'Readiness', priority: 0 },
      { name: 'Ports', type: 'string', format: '', description: expect.any(String), priority: 0 },
      { name: 'Paused', type: 'boolean', format: '', description: expect.any(String), priority: 0 },
      { name: 'Age', type: 'date', format: '', description: expect.any(String), priority: 0 },
      { name: 'Image', type: 'string', format: '', description: expect.any(String), priority: 1 },
    ]);
    // date columns come back as ages (the server converts them), absent values as null
    expect(p.cells(widget, NOW)).toEqual(['w1', 2, 'False', '[80,443]', null, '26h', 'widget:2']);
  });

  it('a version without printer columns gets Name and Age', () => {
    const p = printerFor('Widget', 'example.com', crd, 'v1alpha1');
    expect(p.columns.map((c) => [c.name, c.type, c.priority])).toEqual([['Name', 'string', 0], ['Age', 'date', 0]]);
    expect(p.cells(widget, NOW)).toEqual(['w1', '26h']);
  });
});

describe('evalJsonPath', () => {
  const obj = {
    metadata: { labels: { app: 'web', 'app.kubernetes.io/name': 'shop' } },
    spec: { replicas: 3, containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] },
    status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Progressing', status: 'False' }] },
  };
  it.each([
    ['.spec.replicas', 3],
    ['{.spec.replicas}', 3],
    ['.metadata.labels.app', 'web'],
    [".metadata.labels['app.kubernetes.io/name']", 'shop'],
    ['.metadata.labels.app\\.kubernetes\\.io/name', 'shop'],
    ['.status.conditions[?(@.type=="Ready")].status', 'True'],
    [".status.conditions[?(@.type!='Ready')].type", 'Progressing'],
    ['.spec.containers[0].image', 'x'],
    ['.spec.containers[-1].name', 'b'],
    ['.spec.containers[*].name', ['a', 'b']],
    ['.spec.missing', undefined],
    ['.status.conditions[?(@.type=="Nope")].status', undefined],
    ['.spec.containers[5]', undefined],
  ])('%s', (path, want) => {
    expect(evalJsonPath(obj, path)).toEqual(want);
  });
});
