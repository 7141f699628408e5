import { describe, expect, it } from 'vitest';
import { columnsFor } from '../../src/resources/registry.js';
import { podColumns } from '../../src/resources/pods.js';
import { deploymentColumns } from '../../src/resources/deployments.js';
import { nodeColumns } from '../../src/resources/nodes.js';
import { formatSelector } from '../../src/resources/common.js';
import type { ResourceColumns } from '../../src/resources/types.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString().replace('.000Z', 'Z');
const meta = (name: string, extra: any = {}) => ({ name, namespace: 'shop', uid: `uid-${name}`, creationTimestamp: ago(86400), ...extra });

function row(rc: ResourceColumns, obj: any, now = NOW) {
  const p = rc.project(obj, now);
  expect(p.cells).toHaveLength(rc.columns.length);
  return { cells: Object.fromEntries(rc.columns.map((c, i) => [c.name, p.cells[i]])), state: p.state, extra: p.extra };
}
const names = (rc: ResourceColumns, wide = true) => rc.columns.filter((c) => wide || !c.wide).map((c) => c.name);

describe('every built-in kind', () => {
  const kinds: [string, string][] = [
    ['', 'pods'], ['apps', 'deployments'], ['apps', 'replicasets'], ['apps', 'statefulsets'], ['apps', 'daemonsets'],
    ['', 'services'], ['', 'configmaps'], ['', 'secrets'], ['', 'nodes'], ['', 'namespaces'], ['', 'events'],
    ['batch', 'jobs'], ['batch', 'cronjobs'], ['', 'persistentvolumeclaims'], ['policy', 'poddisruptionbudgets'],
  ];
  it.each(kinds)('%s/%s starts with NAME, ends with AGE and projects an empty object', (group, plural) => {
    const rc = columnsFor({ group, plural });
    expect(rc.columns[0]!.name).toBe('NAME');
    expect(rc.columns.at(-1)).toMatchObject({ name: 'AGE', kind: 'age' });
    expect(rc.columns.at(-1)!.wide).toBeFalsy();
    const p = rc.project({ metadata: { name: 'x', creationTimestamp: ago(60) } }, NOW);
    expect(p.cells).toHaveLength(rc.columns.length);
    expect(p.cells[0]).toBe('x');
    if (plural !== 'events') expect(p.cells.at(-1)).toBe(NOW - 60_000);
    // nothing throws on a bare object either
    expect(() => rc.project({}, NOW)).not.toThrow();
  });

  it('the registry maps core aliases and falls back to generic columns', () => {
    expect(columnsFor({ group: '', plural: 'pods' })).toBe(podColumns);
    expect(columnsFor({ group: 'core', plural: 'pods' })).toBe(podColumns);
    expect(columnsFor({ group: 'apps', plural: 'deployments' })).toBe(deploymentColumns);
    expect(columnsFor({ group: 'events.k8s.io', plural: 'events' }).columns.map((c) => c.name)).toContain('REASON');
    expect(names(columnsFor({ group: 'cert-manager.io', plural: 'certificates' }))).toEqual(['NAME', 'AGE']);
    expect(
      names(columnsFor({ group: 'cert-manager.io', plural: 'certificates' }, [{ name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' }])),
    ).toEqual(['NAME', 'READY', 'AGE']);
  });
});

describe('deployments', () => {
  const dep = (spec: any, status: any) => ({
    kind: 'Deployment',
    metadata: meta('web'),
    spec: {
      selector: { matchLabels: { tier: 'front', app: 'web' } },
      template: { spec: { containers: [{ name: 'app', image: 'acme/web:2' }, { name: 'envoy', image: 'envoy:1' }] } },
      ...spec,
    },
    status,
  });

  it('ready and available', () => {
    const r = row(deploymentColumns, dep({ replicas: 3 }, { replicas: 3, readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3 }));
    expect(names(deploymentColumns, false)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(r.cells).toEqual({
      NAME: 'web', READY: '3/3', 'UP-TO-DATE': 3, AVAILABLE: 3, CONTAINERS: 'app,envoy', IMAGES: 'acme/web:2,envoy:1',
      SELECTOR: 'app=web,tier=front', AGE: NOW - 86400_000,
    });
    expect(r.state).toBe('normal');
    expect(r.extra).toEqual({ selector: 'app=web,tier=front', replicas: 3 });
  });

  it('as K9s colors them: in error while replicas are not all available; scaled to zero is pending', () => {
    expect(row(deploymentColumns, dep({ replicas: 3 }, { replicas: 4, readyReplicas: 2, updatedReplicas: 1, availableReplicas: 2 })).state).toBe('error');
    // a surge replica not yet available: K9s compares the replicas there are with the available ones
    expect(row(deploymentColumns, dep({ replicas: 3 }, { replicas: 4, readyReplicas: 3, availableReplicas: 3 })).state).toBe('error');
    const zero = row(deploymentColumns, dep({ replicas: 0 }, {}));
    expect(zero.cells.READY).toBe('0/0');
    expect(zero.state).toBe('pending');
    // replicas defaults to 1
    expect(row(deploymentColumns, dep({}, {})).cells.READY).toBe('0/1');
  });

  it('matchExpressions render as selector text', () => {
    expect(
      formatSelector({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'canary'] },
          { key: 'zone', operator: 'NotIn', values: ['b'] },
          { key: 'gpu', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,env in (canary,prod),gpu,!legacy,zone notin (b)');
  });
});

describe('replicasets, statefulsets, daemonsets', () => {
  it('replicaset counts and owner', () => {
    const r = row(columnsFor({ group: 'apps', plural: 'replicasets' }), {
      metadata: meta('web-7d4b9c', { ownerReferences: [{ kind: 'Deployment', name: 'web', controller: true }] }),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9c' } }, template: { spec: { containers: [{ name: 'app', image: 'acme/web:2' }] } } },
      status: { replicas: 3, readyReplicas: 2 },
    });
    expect(r.cells).toMatchObject({ DESIRED: 3, CURRENT: 3, READY: 2, SELECTOR: 'app=web,pod-template-hash=7d4b9c' });
    expect(r.state).toBe('error');
    expect(r.extra).toMatchObject({ owner: { kind: 'Deployment', name: 'web' } });
  });

  it('statefulset', () => {
    const rc = columnsFor({ group: 'apps', plural: 'statefulsets' });
    expect(names(rc, false)).toEqual(['NAME', 'READY', 'AGE']);
    const r = row(rc, {
      metadata: meta('pg'),
      spec: { replicas: 3, serviceName: 'pg-headless', selector: { matchLabels: { app: 'pg' } }, template: { spec: { containers: [{ name: 'postgres', image: 'postgres:16' }] } } },
      status: { replicas: 3, readyReplicas: 3 },
    });
    expect(r.cells).toMatchObject({ READY: '3/3', SERVICE: 'pg-headless', CONTAINERS: 'postgres', IMAGES: 'postgres:16' });
    expect(r.state).toBe('normal');
    // scaled down, the old replica not gone yet: K9s finds it not valid
    expect(row(rc, { metadata: meta('pg'), spec: { replicas: 2 }, status: { replicas: 3, readyReplicas: 3 } }).state).toBe('error');
  });

  it('daemonset', () => {
    const rc = columnsFor({ group: 'apps', plural: 'daemonsets' });
    expect(names(rc, false)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE-SELECTOR', 'AGE']);
    const r = row(rc, {
      metadata: meta('node-exporter'),
      spec: { selector: { matchLabels: { app: 'node-exporter' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'ne', image: 'prom/node-exporter' }] } } },
      status: { desiredNumberScheduled: 5, currentNumberScheduled: 5, numberReady: 4, updatedNumberScheduled: 5, numberAvailable: 4 },
    });
    expect(r.cells).toMatchObject({ DESIRED: 5, CURRENT: 5, READY: 4, 'UP-TO-DATE': 5, AVAILABLE: 4, 'NODE-SELECTOR': 'kubernetes.io/os=linux' });
    expect(r.state).toBe('error');
  });
});

describe('services', () => {
  const rc = columnsFor({ group: '', plural: 'services' });
  it('ClusterIP, NodePort, LoadBalancer, ExternalName, headless', () => {
    const svc = (spec: any, status: any = {}) => row(rc, { metadata: meta('s'), spec, status });
    expect(svc({ type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], selector: { 'k8s-app': 'kube-dns' } }).cells).toMatchObject({
      TYPE: 'ClusterIP', 'CLUSTER-IP': '10.96.0.10', 'EXTERNAL-IP': '<none>', PORTS: '53/UDP,53/TCP', SELECTOR: 'k8s-app=kube-dns',
    });
    expect(svc({ type: 'NodePort', clusterIP: '10.96.3.3', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }).cells).toMatchObject({ PORTS: '80:30080/TCP', SELECTOR: '<none>' });
    const pendingLb = svc({ type: 'LoadBalancer', clusterIP: '10.96.4.4', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] });
    expect(pendingLb.cells['EXTERNAL-IP']).toBe('<pending>');
    expect(pendingLb.state).toBe('pending');
    const lb = svc({ type: 'LoadBalancer', clusterIP: '10.96.4.4', externalIPs: ['1.2.3.4'], ports: [{ port: 443 }] }, { loadBalancer: { ingress: [{ ip: '34.1.2.3' }, { hostname: 'a.elb.amazonaws.com' }] } });
    expect(lb.cells['EXTERNAL-IP']).toBe('34.1.2.3,a.elb.amazonaws.com,1.2.3.4');
    expect(lb.state).toBe('normal');
    expect(svc({ type: 'ExternalName', externalName: 'db.example.com' }).cells).toMatchObject({ 'CLUSTER-IP': '<none>', 'EXTERNAL-IP': 'db.example.com', PORTS: '<none>' });
    expect(svc({ clusterIP: 'None', ports: [{ port: 5432, name: 'pg', targetPort: 'pg' }] }).cells).toMatchObject({ TYPE: 'ClusterIP', 'CLUSTER-IP': 'None', PORTS: '5432/TCP' });
  });
});

describe('configmaps, secrets, namespaces', () => {
  it('counts keys', () => {
    expect(row(columnsFor({ group: '', plural: 'configmaps' }), { metadata: meta('cfg'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }).cells.DATA).toBe(3);
    const s = row(columnsFor({ group: '', plural: 'secrets' }), { metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'Zm9v', 'tls.key': 'YmFy' } });
    expect(s.cells).toMatchObject({ TYPE: 'kubernetes.io/tls', DATA: 2 });
    expect(JSON.stringify(s)).not.toContain('Zm9v');
  });
  it('namespace status', () => {
    const rc = columnsFor({ group: '', plural: 'namespaces' });
    expect(row(rc, { metadata: meta('shop'), status: { phase: 'Active' } })).toMatchObject({ cells: { STATUS: 'Active' }, state: 'normal' });
    expect(row(rc, { metadata: meta('old', { deletionTimestamp: ago(5) }), status: { phase: 'Terminating' } }).state).toBe('terminating');
  });
});

describe('nodes', () => {
  const node = (extra: { spec?: any; ready?: string | null; labels?: any } = {}) => ({
    kind: 'Node',
    metadata: meta('node-a', {
      namespace: undefined,
      labels: extra.labels ?? { 'kubernetes.io/hostname': 'node-a', 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': '' },
    }),
    spec: { podCIDR: '10.244.0.0/24', ...extra.spec },
    status: {
      conditions:
        extra.ready === null
          ? [{ type: 'MemoryPressure', status: 'False' }]
          : [
              { type: 'MemoryPressure', status: 'False' },
              { type: 'Ready', status: extra.ready ?? 'True', reason: 'KubeletReady' },
            ],
      addresses: [{ type: 'InternalIP', address: '192.168.49.2' }, { type: 'Hostname', address: 'node-a' }],
      capacity: { cpu: '4', memory: '16331524Ki', pods: '110' },
      allocatable: { cpu: '3800m', memory: '15000Mi', pods: '110' },
      nodeInfo: { kubeletVersion: 'v1.31.2', osImage: 'Ubuntu 22.04.4 LTS', kernelVersion: '6.5.0-1020-aws', containerRuntimeVersion: 'containerd://1.7.12' },
    },
  });

  it('ready control plane', () => {
    const r = row(nodeColumns, node());
    // PODS, CPU, MEM and the percentages are joined in by the view (pod counts, metrics)
    expect(names(nodeColumns, false)).toEqual(['NAME', 'STATUS', 'ROLES', 'TAINTS', 'VERSION', 'PODS', 'CPU', 'MEM', '%CPU', '%MEM', 'AGE']);
    expect(r.cells).toEqual({
      NAME: 'node-a', STATUS: 'Ready', ROLES: 'control-plane,master', TAINTS: 0, VERSION: 'v1.31.2', PODS: '', CPU: '', MEM: '', '%CPU': '', '%MEM': '',
      'INTERNAL-IP': '192.168.49.2', 'OS-IMAGE': 'Ubuntu 22.04.4 LTS', KERNEL: '6.5.0-1020-aws', RUNTIME: 'containerd://1.7.12',
      AGE: NOW - 86400_000,
    });
    expect(r.state).toBe('normal');
    expect(r.extra).toMatchObject({ unschedulable: false, allocatable: { cpuMilli: 3800, memBytes: 15000 * 2 ** 20, pods: 110 } });
  });

  it('cordoned, not ready, unknown, roles from kubernetes.io/role, taints', () => {
    const cordoned = row(nodeColumns, node({ spec: { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } }));
    expect(cordoned.cells).toMatchObject({ STATUS: 'Ready,SchedulingDisabled', TAINTS: 1 });
    expect(cordoned.state).toBe('pending');
    expect(cordoned.extra).toMatchObject({ unschedulable: true });

    const down = row(nodeColumns, node({ ready: 'Unknown', spec: { unschedulable: true } }));
    expect(down.cells.STATUS).toBe('NotReady,SchedulingDisabled');
    expect(down.state).toBe('error');
    expect(row(nodeColumns, node({ ready: 'False' })).cells.STATUS).toBe('NotReady');
    expect(row(nodeColumns, node({ ready: null })).cells.STATUS).toBe('Unknown');
    expect(row(nodeColumns, node({ ready: null })).state).toBe('error');

    expect(row(nodeColumns, node({ labels: { 'kubernetes.io/role': 'worker' } })).cells.ROLES).toBe('worker');
    expect(row(nodeColumns, node({ labels: {} })).cells.ROLES).toBe('<none>');
  });
});

describe('events', () => {
  const rc = columnsFor({ group: '', plural: 'events' });
  it('AGE is the last time seen; warnings are errors', () => {
    expect(names(rc)).toEqual(['NAME', 'TYPE', 'REASON', 'OBJECT', 'COUNT', 'MESSAGE', 'AGE']);
    const r = row(rc, {
      metadata: meta('web-1.17f3a'),
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'shop', uid: 'u1' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container app in pod web-1\n',
      type: 'Warning',
      count: 12,
      firstTimestamp: ago(3600),
      lastTimestamp: ago(30),
      source: { component: 'kubelet', host: 'node-a' },
    });
    expect(r.cells).toEqual({
      NAME: 'web-1.17f3a', TYPE: 'Warning', REASON: 'BackOff', OBJECT: 'pod/web-1', COUNT: 12,
      MESSAGE: 'Back-off restarting failed container app in pod web-1', AGE: NOW - 30_000,
    });
    expect(r.state).toBe('error');
    expect(r.extra).toMatchObject({ involvedObject: { kind: 'Pod', name: 'web-1' }, source: 'kubelet', firstSeen: NOW - 3600_000 });
  });

  it('events.k8s.io/v1 shape with a series', () => {
    const r = row(columnsFor({ group: 'events.k8s.io', plural: 'events' }), {
      metadata: meta('e2'),
      regarding: { kind: 'Node', name: 'node-a' },
      reason: 'NodeNotReady',
      note: 'Node node-a status is now: NodeNotReady',
      type: 'Normal',
      eventTime: ago(600),
      series: { count: 4, lastObservedTime: ago(5) },
      reportingController: 'node-controller',
    });
    expect(r.cells).toMatchObject({ OBJECT: 'node/node-a', COUNT: 4, MESSAGE: 'Node node-a status is now: NodeNotReady', AGE: NOW - 5000 });
    expect(r.state).toBe('normal');
  });
});

describe('jobs and cronjobs', () => {
  const jobs = columnsFor({ group: 'batch', plural: 'jobs' });
  it('completions and duration', () => {
    const done = row(jobs, {
      metadata: meta('backup-1'),
      spec: { completions: 1, parallelism: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } }, template: { spec: { containers: [{ name: 'b', image: 'acme/backup' }] } } },
      status: { succeeded: 1, startTime: ago(400), completionTime: ago(200), conditions: [{ type: 'Complete', status: 'True' }] },
    });
    expect(done.cells).toMatchObject({ COMPLETIONS: '1/1', DURATION: '3m20s', SELECTOR: 'batch.kubernetes.io/controller-uid=abc' });
    // K9s draws a finished job as any other (no completedColor)
    expect(done.state).toBe('normal');

    const running = row(jobs, { metadata: meta('etl'), spec: { completions: 5, parallelism: 2 }, status: { succeeded: 2, active: 2, startTime: ago(3 * 3600 + 300) } });
    expect(running.cells).toMatchObject({ COMPLETIONS: '2/5', DURATION: '3h5m' });
    expect(running.state).toBe('normal');
    // K9s: failed pods while completions are missing is an error, before the job gives up
    expect(row(jobs, { metadata: meta('etl'), spec: { completions: 5 }, status: { succeeded: 2, failed: 1 } }).state).toBe('error');
    expect(row(jobs, { metadata: meta('etl'), spec: { completions: 1 }, status: { succeeded: 1, failed: 2 } }).state).toBe('normal');

    const failed = row(jobs, { metadata: meta('bad'), spec: { parallelism: 3 }, status: { failed: 6, startTime: ago(60), conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] } });
    expect(failed.cells).toMatchObject({ COMPLETIONS: '0/1 of 3' });
    expect(failed.state).toBe('error');
    expect(row(jobs, { metadata: meta('new'), spec: {}, status: {} }).cells.DURATION).toBe('');
  });

  it('cronjob', () => {
    const rc = columnsFor({ group: 'batch', plural: 'cronjobs' });
    expect(names(rc)).toEqual(['NAME', 'SCHEDULE', 'SUSPEND', 'ACTIVE', 'LAST-SCHEDULE', 'AGE']);
    expect(rc.columns.find((c) => c.name === 'LAST-SCHEDULE')?.kind).toBe('age');
    const r = row(rc, { metadata: meta('backup'), spec: { schedule: '*/15 * * * *', suspend: false }, status: { active: [{ name: 'backup-1' }], lastScheduleTime: ago(120) } });
    expect(r.cells).toMatchObject({ SCHEDULE: '*/15 * * * *', SUSPEND: 'False', ACTIVE: 1, 'LAST-SCHEDULE': NOW - 120_000 });
    expect(row(rc, { metadata: meta('never'), spec: { schedule: '@daily', suspend: true } }).cells).toMatchObject({ SUSPEND: 'True', ACTIVE: 0, 'LAST-SCHEDULE': '' });
  });
});

describe('pvcs and pdbs', () => {
  it('pvc', () => {
    const rc = columnsFor({ group: '', plural: 'persistentvolumeclaims' });
    const bound = row(rc, {
      metadata: meta('data-pg-0'),
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', volumeName: 'pvc-1234', resources: { requests: { storage: '10Gi' } } },
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce', 'ReadWriteOncePod'], capacity: { storage: '10Gi' } },
    });
    expect(bound.cells).toMatchObject({ STATUS: 'Bound', VOLUME: 'pvc-1234', CAPACITY: '10Gi', 'ACCESS-MODES': 'RWO,RWOP', STORAGECLASS: 'gp3' });
    expect(bound.state).toBe('normal');
    const pending = row(rc, { metadata: meta('data-pg-1'), spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3' }, status: { phase: 'Pending' } });
    expect(pending.cells).toMatchObject({ STATUS: 'Pending', VOLUME: '', CAPACITY: '', 'ACCESS-MODES': '' });
    // K9s: a claim neither Bound nor Available is in error
    expect(pending.state).toBe('error');
    expect(row(rc, { metadata: meta('x'), spec: {}, status: { phase: 'Lost' } }).state).toBe('error');
  });

  it('pdb that allows no disruption is an error', () => {
    const rc = columnsFor({ group: 'policy', plural: 'poddisruptionbudgets' });
    const r = row(rc, {
      metadata: meta('pg-pdb'),
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'pg' } } },
      status: { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 2 },
    });
    expect(r.cells).toMatchObject({ 'MIN-AVAILABLE': '2', 'MAX-UNAVAILABLE': 'N/A', 'ALLOWED-DISRUPTIONS': 0, CURRENT: 2, DESIRED: 2, EXPECTED: 2 });
    expect(r.state).toBe('error');
    expect(r.extra).toMatchObject({ selector: 'app=pg', disruptionsAllowed: 0 });
    const ok = row(rc, { metadata: meta('web-pdb'), spec: { maxUnavailable: '25%' }, status: { disruptionsAllowed: 1, currentHealthy: 4, desiredHealthy: 3, expectedPods: 4 } });
    expect(ok.cells).toMatchObject({ 'MIN-AVAILABLE': 'N/A', 'MAX-UNAVAILABLE': '25%' });
    expect(ok.state).toBe('normal');
  });
});
