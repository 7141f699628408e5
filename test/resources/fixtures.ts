/** Realistic objects shared by the describe and yaml tests (plain literals, as a server returns them). */
export const NOW = Date.parse('2025-03-01T12:00:00Z');
export const ago = (s: number): string => new Date(NOW - s * 1000).toISOString().replace('.000Z', 'Z');

export const webPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-7d4b9c-x2x9k',
    namespace: 'shop',
    uid: 'pod-uid-1',
    creationTimestamp: ago(3600),
    labels: { app: 'web', 'pod-template-hash': '7d4b9c' },
    annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-02-28T10:00:00Z', 'prometheus.io/scrape': 'true' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c', uid: 'rs-uid-2', controller: true }],
    managedFields: [{ manager: 'kube-controller-manager', operation: 'Update' }],
  },
  spec: {
    priority: 0,
    serviceAccountName: 'web',
    nodeName: 'node-a',
    containers: [
      {
        name: 'app',
        image: 'ghcr.io/acme/web:1.4.2',
        command: ['/bin/web'],
        args: ['--port=8080', '--log-level=info'],
        ports: [{ containerPort: 8080, protocol: 'TCP', name: 'http' }],
        resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        livenessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 5, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
        env: [
          { name: 'LOG_FORMAT', value: 'json' },
          { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
          { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        ],
        volumeMounts: [
          { name: 'config', mountPath: '/etc/web', readOnly: true },
          { name: 'kube-api-access-abcde', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
        ],
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: 'web-config', defaultMode: 420 } },
      {
        name: 'kube-api-access-abcde',
        projected: {
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ],
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
  },
  status: {
    phase: 'Running',
    hostIP: '192.168.49.2',
    podIP: '10.244.1.17',
    podIPs: [{ ip: '10.244.1.17' }],
    startTime: '2025-03-01T11:00:05Z',
    qosClass: 'Burstable',
    conditions: [
      { type: 'Initialized', status: 'True' },
      { type: 'Ready', status: 'True' },
      { type: 'ContainersReady', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ],
    containerStatuses: [
      {
        name: 'app',
        ready: true,
        restartCount: 3,
        image: 'ghcr.io/acme/web:1.4.2',
        imageID: 'ghcr.io/acme/web@sha256:abc',
        containerID: 'containerd://1234',
        state: { running: { startedAt: '2025-03-01T11:40:00Z' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2025-03-01T11:20:00Z', finishedAt: '2025-03-01T11:39:58Z' } },
      },
    ],
  },
};

export const webEvents = [
  {
    metadata: { name: 'web-7d4b9c-x2x9k.1', namespace: 'shop' },
    involvedObject: { kind: 'Pod', name: 'web-7d4b9c-x2x9k', namespace: 'shop', uid: 'pod-uid-1' },
    type: 'Normal',
    reason: 'Scheduled',
    message: 'Successfully assigned shop/web-7d4b9c-x2x9k to node-a',
    source: {},
    reportingController: 'default-scheduler',
    eventTime: '2025-03-01T11:00:00.000000Z',
    count: 1,
  },
  {
    metadata: { name: 'web-7d4b9c-x2x9k.2', namespace: 'shop' },
    involvedObject: { kind: 'Pod', name: 'web-7d4b9c-x2x9k', namespace: 'shop', uid: 'pod-uid-1' },
    type: 'Warning',
    reason: 'BackOff',
    message: 'Back-off restarting failed container app in pod web-7d4b9c-x2x9k_shop(pod-uid-1)',
    source: { component: 'kubelet', host: 'node-a' },
    firstTimestamp: ago(2400),
    lastTimestamp: ago(1230),
    count: 5,
  },
  {
    // an event about another pod must not show
    metadata: { name: 'other.1', namespace: 'shop' },
    involvedObject: { kind: 'Pod', name: 'other', namespace: 'shop', uid: 'pod-uid-9' },
    type: 'Warning',
    reason: 'Failed',
    message: 'not mine',
    source: { component: 'kubelet' },
    lastTimestamp: ago(1),
    count: 1,
  },
];

export const nodeA = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'node-a',
    uid: 'node-uid-a',
    creationTimestamp: ago(30 * 86400),
    labels: { 'kubernetes.io/hostname': 'node-a', 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/worker': '' },
    annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
  },
  spec: {
    podCIDR: '10.244.1.0/24',
    podCIDRs: ['10.244.1.0/24'],
    unschedulable: true,
    taints: [
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: ago(300) },
      { key: 'dedicated', value: 'web', effect: 'NoExecute' },
    ],
  },
  status: {
    capacity: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' },
    allocatable: { cpu: '2', memory: '4Gi', pods: '110', 'ephemeral-storage': '90Gi' },
    conditions: [
      { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: ago(20), lastTransitionTime: ago(86400), reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
      { type: 'Ready', status: 'True', lastHeartbeatTime: ago(20), lastTransitionTime: ago(86400), reason: 'KubeletReady', message: 'kubelet is posting ready status' },
    ],
    addresses: [{ type: 'InternalIP', address: '192.168.49.2' }, { type: 'Hostname', address: 'node-a' }],
    nodeInfo: {
      machineID: 'm1', systemUUID: 's1', bootID: 'b1', kernelVersion: '6.5.0-1020-aws', osImage: 'Ubuntu 22.04.4 LTS',
      operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'containerd://1.7.12', kubeletVersion: 'v1.31.2', kubeProxyVersion: 'v1.31.2',
    },
  },
};

const podOn = (name: string, ns: string, phase: string, req: any, lim: any) => ({
  metadata: { name, namespace: ns, creationTimestamp: ago(7200) },
  spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'x', resources: { requests: req, limits: lim } }] },
  status: { phase },
});

export const nodePods = [
  podOn('web-1', 'shop', 'Running', { cpu: '500m', memory: '512Mi' }, { cpu: '1', memory: '1Gi' }),
  podOn('kube-proxy-x', 'kube-system', 'Running', { cpu: '100m', memory: '64Mi' }, {}),
  podOn('done-job', 'shop', 'Succeeded', { cpu: '1', memory: '1Gi' }, {}),
];

export const webDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: 'dep-uid-1',
    creationTimestamp: ago(10 * 86400),
    labels: { app: 'web' },
    annotations: { 'deployment.kubernetes.io/revision': '4' },
  },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ containerPort: 8080, protocol: 'TCP' }], env: [{ name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } }] }],
      },
    },
  },
  status: {
    replicas: 4,
    updatedReplicas: 2,
    readyReplicas: 3,
    availableReplicas: 3,
    unavailableReplicas: 1,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' },
    ],
  },
};

/** the deployment's pod template with another image, as the replica set of that revision holds it */
function templateWith(image: string, hash: string): any {
  const t = JSON.parse(JSON.stringify(webDeployment.spec.template));
  t.metadata.labels['pod-template-hash'] = hash;
  t.spec.containers[0].image = image;
  return t;
}

const rs = (name: string, revision: string, image: string, replicas: number) => ({
  metadata: {
    name,
    namespace: 'shop',
    annotations: { 'deployment.kubernetes.io/revision': revision },
    ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'dep-uid-1', controller: true }],
  },
  spec: { replicas, template: templateWith(image, name.split('-')[1]!) },
  status: { replicas },
});

export const webReplicaSets = [
  rs('web-5f6d7c', '3', 'ghcr.io/acme/web:1.4.1', 2),
  rs('web-7d4b9c', '4', 'ghcr.io/acme/web:1.4.2', 2),
  rs('web-11aa22', '2', 'ghcr.io/acme/web:1.3.0', 0),
];
