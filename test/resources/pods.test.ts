import { describe, expect, it } from 'vitest';
import { podColumns, podQos, podResources, podStatus } from '../../src/resources/pods.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString().replace('.000Z', 'Z');

function pod(over: { spec?: any; status?: any; metadata?: any } = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-7d4b9c-x2x9k',
      namespace: 'shop',
      uid: '0b1c',
      creationTimestamp: ago(3600),
      labels: { app: 'web', 'pod-template-hash': '7d4b9c' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c', uid: 'rs1', controller: true }],
      ...over.metadata,
    },
    spec: {
      nodeName: 'node-a',
      containers: [
        {
          name: 'app',
          image: 'ghcr.io/acme/web:1.4.2',
          ports: [{ containerPort: 8080, protocol: 'TCP', name: 'http' }],
          resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        },
        {
          name: 'envoy',
          image: 'envoyproxy/envoy:v1.29',
          ports: [{ containerPort: 9901 }],
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
        },
      ],
      ...over.spec,
    },
    status: {
      phase: 'Running',
      podIP: '10.244.1.17',
      hostIP: '192.168.49.2',
      qosClass: 'Burstable',
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'True' },
        { type: 'ContainersReady', status: 'True' },
        { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: [
        { name: 'app', ready: true, restartCount: 0, started: true, state: { running: { startedAt: ago(3500) } } },
        { name: 'envoy', ready: true, restartCount: 0, started: true, state: { running: { startedAt: ago(3500) } } },
      ],
      ...over.status,
    },
  };
}

const cells = (p: any): Record<string, unknown> => {
  const r = podColumns.project(p, NOW);
  expect(r.cells).toHaveLength(podColumns.columns.length);
  return Object.fromEntries(podColumns.columns.map((c, i) => [c.name, r.cells[i]]));
};
const state = (p: any) => podColumns.project(p, NOW).state;

describe('pod columns', () => {
  it('has K9s columns, NAME first and AGE last', () => {
    expect(podColumns.columns.map((c) => c.name)).toEqual([
      'NAME', 'READY', 'STATUS', 'RESTARTS', 'CPU', 'MEM', '%CPU/R', '%CPU/L', '%MEM/R', '%MEM/L', 'CPU/RL', 'MEM/RL', 'IP', 'NODE', 'QOS', 'CONTAINERS', 'AGE',
    ]);
    // the % columns give way first on a narrow terminal, and say what they divide by
    expect(podColumns.columns.filter((c) => c.optional).map((c) => `${c.name}:${c.kind}:${c.basis}`)).toEqual([
      '%CPU/R:cpupct:requests', '%CPU/L:cpupct:limits', '%MEM/R:mempct:requests', '%MEM/L:mempct:limits',
    ]);
    expect(podColumns.columns.filter((c) => c.wide).map((c) => c.name)).toEqual(['CPU/RL', 'MEM/RL', 'QOS', 'CONTAINERS']);
    expect(podColumns.columns.find((c) => c.name === 'CPU')?.kind).toBe('cpu');
    expect(podColumns.columns.find((c) => c.name === 'MEM')?.kind).toBe('mem');
    expect(podColumns.columns.at(-1)?.kind).toBe('age');
  });

  it('running 2/2', () => {
    const p = pod();
    expect(cells(p)).toEqual({
      NAME: 'web-7d4b9c-x2x9k',
      READY: '2/2',
      STATUS: 'Running',
      RESTARTS: 0,
      CPU: '',
      MEM: '',
      '%CPU/R': '',
      '%CPU/L': '',
      '%MEM/R': '',
      '%MEM/L': '',
      // K9s's request:limit in millicores and MiB (envoy sets no limit)
      'CPU/RL': '350:500',
      'MEM/RL': '192:256',
      IP: '10.244.1.17',
      NODE: 'node-a',
      QOS: 'Burstable',
      CONTAINERS: 'app,envoy',
      AGE: NOW - 3600_000,
    });
    expect(state(p)).toBe('steady'); // K9s: a ready running pod keeps newColor, even just after it changed
  });

  it('extra carries what actions need', () => {
    const extra = podColumns.project(pod(), NOW).extra!;
    expect(extra).toMatchObject({
      nodeName: 'node-a',
      podIP: '10.244.1.17',
      phase: 'Running',
      containers: [
        { name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [8080] },
        { name: 'envoy', image: 'envoyproxy/envoy:v1.29', ports: [9901] },
      ],
      initContainers: [],
      owner: { kind: 'ReplicaSet', name: 'web-7d4b9c' },
      ready: true,
      requests: { cpuMilli: 350, memBytes: 192 * 2 ** 20 },
      limits: { cpuMilli: 500, memBytes: 256 * 2 ** 20 },
    });
  });

  it('running but one container not ready is 1/2 and in error (K9s: not every container ready)', () => {
    const p = pod({
      status: {
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          { name: 'app', ready: false, restartCount: 0, state: { running: { startedAt: ago(10) } } },
          { name: 'envoy', ready: true, restartCount: 0, state: { running: { startedAt: ago(10) } } },
        ],
      },
    });
    expect(cells(p)).toMatchObject({ READY: '1/2', STATUS: 'Running' });
    expect(state(p)).toBe('error');
    expect(podColumns.project(p, NOW).extra!.ready).toBe(false);
  });

  it('CrashLoopBackOff with restarts', () => {
    const p = pod({
      status: {
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 7,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(400), finishedAt: ago(390) } },
          },
          { name: 'envoy', ready: true, restartCount: 1, state: { running: { startedAt: ago(3000) } } },
        ],
      },
    });
    expect(cells(p)).toMatchObject({ READY: '1/2', STATUS: 'CrashLoopBackOff', RESTARTS: 8 });
    expect(state(p)).toBe('error');
    expect(podStatus(p).lastRestart).toBe(NOW - 390_000);
  });

  it('PodInitializing takes addColor\'s state, as K9s colors it', () => {
    const p = pod({
      status: {
        phase: 'Pending',
        conditions: [{ type: 'Initialized', status: 'True' }],
        containerStatuses: [
          { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
          { name: 'envoy', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ],
      },
    });
    expect(cells(p).STATUS).toBe('PodInitializing');
    expect(state(p)).toBe('added');
  });

  it('ContainerCreating', () => {
    const p = pod({
      status: {
        phase: 'Pending',
        podIP: undefined,
        conditions: [{ type: 'PodScheduled', status: 'True' }],
        containerStatuses: [
          { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
          { name: 'envoy', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
        ],
      },
    });
    expect(cells(p)).toMatchObject({ READY: '0/2', STATUS: 'ContainerCreating', IP: '<none>' });
    expect(state(p)).toBe('pending');
  });

  it('unscheduled Pending', () => {
    const p = pod({
      spec: { nodeName: undefined },
      status: { phase: 'Pending', podIP: undefined, containerStatuses: undefined, conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
    });
    expect(cells(p)).toMatchObject({ READY: '0/2', STATUS: 'Pending', NODE: '<none>' });
    expect(state(p)).toBe('pending');
  });

  it('SchedulingGated', () => {
    const p = pod({
      spec: { nodeName: undefined },
      status: { phase: 'Pending', containerStatuses: undefined, conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
    });
    expect(cells(p).STATUS).toBe('SchedulingGated');
    expect(state(p)).toBe('error'); // K9s: not valid, and no STATUS color of its own
  });

  it('Completed job pod', () => {
    const p = pod({
      metadata: { ownerReferences: [{ kind: 'Job', name: 'backup-28999', controller: true }] },
      spec: { containers: [{ name: 'backup', image: 'acme/backup:2' }] },
      status: {
        phase: 'Succeeded',
        conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted' }],
        containerStatuses: [
          { name: 'backup', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: ago(100), finishedAt: ago(50) } } },
        ],
      },
    });
    expect(cells(p)).toMatchObject({ READY: '0/1', STATUS: 'Completed' });
    expect(state(p)).toBe('completed');
  });

  it('Succeeded without container statuses reads Completed', () => {
    const p = pod({ status: { phase: 'Succeeded', containerStatuses: [] } });
    expect(cells(p).STATUS).toBe('Completed');
    expect(state(p)).toBe('completed');
  });

  it('Error exit', () => {
    const p = pod({
      spec: { containers: [{ name: 'task', image: 'busybox' }] },
      status: {
        phase: 'Failed',
        containerStatuses: [{ name: 'task', ready: false, restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } }],
      },
    });
    expect(cells(p).STATUS).toBe('Error');
    expect(state(p)).toBe('error');
  });

  it('terminated without a reason shows the exit code or signal', () => {
    const mk = (terminated: any) =>
      pod({
        spec: { containers: [{ name: 'task', image: 'busybox' }] },
        status: { phase: 'Running', containerStatuses: [{ name: 'task', ready: false, restartCount: 0, state: { terminated } }] },
      });
    expect(cells(mk({ exitCode: 3 })).STATUS).toBe('ExitCode:3');
    expect(cells(mk({ exitCode: 137, signal: 9 })).STATUS).toBe('Signal:9');
    expect(state(mk({ exitCode: 3 }))).toBe('error');
  });

  it('OOMKilled', () => {
    const p = pod({
      spec: { containers: [{ name: 'java', image: 'acme/api' }] },
      status: { containerStatuses: [{ name: 'java', ready: false, restartCount: 2, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] },
    });
    expect(cells(p)).toMatchObject({ STATUS: 'OOMKilled', RESTARTS: 2 });
    expect(state(p)).toBe('error');
  });

  it('Terminating wins while deleting', () => {
    const p = pod({ metadata: { deletionTimestamp: ago(-20), deletionGracePeriodSeconds: 30 } });
    expect(cells(p).STATUS).toBe('Terminating');
    expect(state(p)).toBe('terminating');
  });

  it('a deleted pod on a lost node is Unknown', () => {
    const p = pod({ metadata: { deletionTimestamp: ago(600) }, status: { phase: 'Running', reason: 'NodeLost' } });
    expect(cells(p).STATUS).toBe('Unknown');
    expect(state(p)).toBe('terminating');
  });

  it('Init:0/1 while the init container runs', () => {
    const p = pod({
      spec: { initContainers: [{ name: 'migrate', image: 'acme/migrate:3' }] },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'Initialized', status: 'False' }],
        initContainerStatuses: [{ name: 'migrate', ready: false, restartCount: 0, state: { running: { startedAt: ago(5) } } }],
        containerStatuses: [
          { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
          { name: 'envoy', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ],
      },
    });
    expect(cells(p)).toMatchObject({ READY: '0/2', STATUS: 'Init:0/1' });
    expect(state(p)).toBe('error'); // K9s colors an initializing pod as an error
    expect(podColumns.project(p, NOW).extra!.initContainers).toEqual(['migrate']);
  });

  it('Init:1/2 after the first init container succeeded', () => {
    const p = pod({
      spec: { initContainers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'b', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ],
        containerStatuses: [],
      },
    });
    expect(cells(p).STATUS).toBe('Init:1/2');
  });

  it('Init:CrashLoopBackOff and Init:Error are errors', () => {
    const mk = (state: any) =>
      pod({
        spec: { initContainers: [{ name: 'migrate', image: 'acme/migrate:3' }] },
        status: {
          phase: 'Pending',
          conditions: [{ type: 'Initialized', status: 'False' }],
          initContainerStatuses: [{ name: 'migrate', ready: false, restartCount: 4, state }],
          containerStatuses: [],
        },
      });
    expect(cells(mk({ waiting: { reason: 'CrashLoopBackOff' } }))).toMatchObject({ STATUS: 'Init:CrashLoopBackOff', RESTARTS: 4 });
    expect(podColumns.project(mk({ waiting: { reason: 'CrashLoopBackOff' } }), NOW).state).toBe('error');
    expect(cells(mk({ terminated: { exitCode: 1, reason: 'Error' } })).STATUS).toBe('Init:Error');
    expect(cells(mk({ terminated: { exitCode: 1 } })).STATUS).toBe('Init:ExitCode:1');
    expect(podColumns.project(mk({ terminated: { exitCode: 1 } }), NOW).state).toBe('error');
  });

  it('native sidecars count in READY and do not block initialization', () => {
    const p = pod({
      spec: {
        initContainers: [{ name: 'istio-proxy', image: 'istio/proxyv2', restartPolicy: 'Always' }],
        containers: [{ name: 'app', image: 'acme/app' }],
      },
      status: {
        initContainerStatuses: [{ name: 'istio-proxy', ready: true, started: true, restartCount: 1, state: { running: {} } }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 2, state: { running: {} } }],
      },
    });
    expect(cells(p)).toMatchObject({ READY: '2/2', STATUS: 'Running', RESTARTS: 3 });
    expect(state(p)).toBe('steady');
  });

  it.each(['ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'InvalidImageName'])('%s is an error', (reason) => {
    const p = pod({
      status: {
        phase: 'Pending',
        containerStatuses: [
          { name: 'app', ready: false, restartCount: 0, image: 'ghcr.io/acme/web:nope', state: { waiting: { reason, message: 'x' } } },
          { name: 'envoy', ready: true, restartCount: 0, state: { running: {} } },
        ],
      },
    });
    expect(cells(p)).toMatchObject({ READY: '1/2', STATUS: reason });
    expect(state(p)).toBe('error');
  });

  it('Evicted (Failed)', () => {
    const p = pod({
      status: {
        phase: 'Failed',
        reason: 'Evicted',
        message: 'The node was low on resource: memory.',
        podIP: undefined,
        containerStatuses: undefined,
      },
    });
    expect(cells(p)).toMatchObject({ READY: '0/2', STATUS: 'Evicted' });
    expect(state(p)).toBe('error');
  });

  it('any Failed pod is an error, whatever the reason', () => {
    const p = pod({ status: { phase: 'Failed', reason: 'Shutdown', containerStatuses: [] } });
    expect(cells(p).STATUS).toBe('Shutdown');
    expect(state(p)).toBe('error');
  });

  it('a completed container beside a running one reads Running / NotReady', () => {
    const mk = (ready: string) =>
      pod({
        status: {
          conditions: [{ type: 'Ready', status: ready }],
          containerStatuses: [
            { name: 'app', ready: true, restartCount: 0, state: { running: {} } },
            { name: 'envoy', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          ],
        },
      });
    expect(cells(mk('True')).STATUS).toBe('Running');
    expect(cells(mk('False')).STATUS).toBe('NotReady');
    expect(state(mk('False'))).toBe('error');
  });
});

describe('pod resources and QoS', () => {
  it('sums containers, takes the max with init containers, adds overhead', () => {
    const p = {
      spec: {
        initContainers: [{ name: 'init', resources: { requests: { cpu: '2', memory: '1Gi' } } }],
        containers: [
          { name: 'a', resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1' } } },
          { name: 'b', resources: { limits: { cpu: '700m', memory: '512Mi' } } },
        ],
        overhead: { cpu: '10m', memory: '1Mi' },
      },
    };
    const r = podResources(p);
    // requests of b default to its limits: 500m + 700m = 1200m < 2 cores of the init container
    expect(r.requests).toEqual({ cpuMilli: 2010, memBytes: 2 ** 30 + 2 ** 20 });
    expect(r.limits).toEqual({ cpuMilli: 1710, memBytes: 512 * 2 ** 20 + 2 ** 20 });
  });

  it('computes QoS when the server did not', () => {
    const c = (resources: any) => ({ spec: { containers: [{ name: 'c', resources }] } });
    expect(podQos(c({}))).toBe('BestEffort');
    expect(podQos(c({ limits: { cpu: '1', memory: '1Gi' } }))).toBe('Guaranteed');
    expect(podQos(c({ requests: { cpu: '1000m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }))).toBe('Guaranteed');
    expect(podQos(c({ requests: { cpu: '500m' }, limits: { cpu: '1', memory: '1Gi' } }))).toBe('Burstable');
    expect(podQos(c({ requests: { memory: '1Gi' } }))).toBe('Burstable');
    expect(podQos({ status: { qosClass: 'Guaranteed' } })).toBe('Guaranteed');
  });
});
