/**
 * What a simulated cluster holds at start: nodes, system and application workloads with
 * realistic ages and states, a CRD with instances. Same name, seed and sizes: same cluster.
 */
import { Cluster, POD, NODE, NS, RS, DEPLOY, STS, DS, CRONJOB, PDB, SVC, CRD } from './cluster.js';
import { templateHash } from './controllers.js';
import { nowIso } from './store.js';
import { BEHAVIOUR_ANNOTATION, completedStatus, ownerRef, runningStatus, type Behaviour } from './pods.js';
import { flat, shared } from './strings.js';

export interface ScenarioOptions {
  nodes: number;
  pods: number;
  /** index of the cluster in the fleet: spreads node IPs apart. */
  index: number;
}

const DAY = 86_400_000;
const APP_NAMESPACES = ['web', 'payments', 'checkout', 'search', 'data', 'auth', 'inventory', 'notifications', 'analytics', 'ml', 'batch', 'cms'];
const APPS = ['frontend', 'api', 'worker', 'cache', 'gateway', 'orders', 'cart', 'recommender', 'mailer', 'scheduler', 'indexer', 'billing', 'ledger', 'profile', 'session', 'uploader', 'thumbnailer', 'reporter'];
const IMAGES: Record<string, string> = {
  frontend: 'nginx:1.27.3', gateway: 'envoyproxy/envoy:v1.32.2', cache: 'redis:7.4.1',
};

export function buildScenario(c: Cluster, o: ScenarioOptions): void {
  const r = c.rand;
  const now = c.now();
  const clusterName = c.name;
  const isProd = /prod/.test(clusterName);
  const ago = (ms: number) => nowIso(now - ms);
  const create = (tk: string, obj: any) => c.store.create(tk, obj);

  // -- namespaces
  const nsCreated = now - 120 * DAY;
  const system = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'monitoring', 'ingress-nginx'];
  const systemPods = 4 + 2 + 2 + 3 + 2 * o.nodes + 2;
  const appPods = Math.max(0, o.pods - systemPods);
  const nApp = Math.min(200, Math.max(3, Math.ceil(appPods / 400)));
  const appNs: string[] = [];
  for (let i = 0; i < nApp; i++) appNs.push(i < APP_NAMESPACES.length ? APP_NAMESPACES[i] : `team-${String(i - APP_NAMESPACES.length + 1).padStart(3, '0')}`);
  for (const name of [...system, ...appNs]) {
    create(NS, {
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name }, creationTimestamp: nowIso(nsCreated + r.int(0, 3) * DAY) },
      spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
    });
    create('configmaps', { metadata: { name: 'kube-root-ca.crt', namespace: name, creationTimestamp: nowIso(nsCreated) }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIBsimulated\n-----END CERTIFICATE-----\n' } });
    create('serviceaccounts', { metadata: { name: 'default', namespace: name, creationTimestamp: nowIso(nsCreated) } });
  }

  // -- nodes
  const workers = Math.max(1, o.nodes - 1);
  const podsPerNode = Math.max(110, Math.ceil((o.pods * 1.4) / workers));
  const cores = Math.max(8, Math.ceil(podsPerNode / 12));
  const nodes: any[] = [];
  for (let i = 0; i < o.nodes; i++) {
    const cp = i === 0;
    const name = cp ? `${clusterName}-control-plane` : `${clusterName}-worker-${i}`;
    const zone = ['a', 'b', 'c'][i % 3];
    const labels: Record<string, string> = {
      'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `eu-west-1${zone}`,
      'node.kubernetes.io/instance-type': cp ? 'm6i.xlarge' : 'm6i.2xlarge',
    };
    if (cp) {
      labels['node-role.kubernetes.io/control-plane'] = '';
      labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
    }
    const created = now - (90 - (cp ? 0 : r.int(0, 60))) * DAY;
    const capacity = { cpu: String(cores), 'ephemeral-storage': '102626232Ki', memory: `${cores * 4}Gi`, pods: String(podsPerNode) };
    const ip = `172.18.${o.index}.${2 + i}`;
    const conds = (t: string, s: string, reason: string, msg: string) => ({ type: t, status: s, lastHeartbeatTime: ago(r.int(5, 40) * 1000), lastTransitionTime: nowIso(created), reason, message: msg });
    nodes.push(create(NODE, {
      metadata: { name, labels, annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' }, creationTimestamp: nowIso(created) },
      spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`], providerID: `kind://docker/${clusterName}/${name}`, ...(cp ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}) },
      status: {
        capacity, allocatable: { ...capacity, cpu: `${cores * 1000 - 100}m` },
        conditions: [
          conds('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
          conds('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
          conds('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
          conds('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
        ],
        addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: r.uid().replace(/-/g, ''), systemUUID: r.uid(), bootID: r.uid(), kernelVersion: '6.8.0-49-generic',
          osImage: 'Debian GNU/Linux 12 (bookworm)', containerRuntimeVersion: 'containerd://1.7.24', kubeletVersion: 'v1.32.4',
          kubeProxyVersion: 'v1.32.4', operatingSystem: 'linux', architecture: 'amd64',
        },
        images: [],
      },
    }));
    create('leases.coordination.k8s.io', {
      metadata: { name, namespace: 'kube-node-lease', creationTimestamp: nowIso(created), ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: nodes[i].metadata.uid }] },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date(now - r.int(1, 9) * 1000).toISOString().replace('Z', '000Z') },
    });
  }
  const workerNodes = nodes.slice(1);
  let rr = 0;
  const nextNode = () => workerNodes[rr++ % workerNodes.length];

  // -- pods in a running state, placed directly: a fresh cluster has no history to replay
  const placePod = (owner: any | undefined, template: any, name: string, node: any, createdMs: number, extraLabels: Record<string, string> = {}, behaviour: Behaviour = 'normal') => {
    const meta: any = {
      name, namespace: owner?.metadata.namespace ?? template.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), ...extraLabels },
      creationTimestamp: nowIso(createdMs),
    };
    if (template.metadata?.annotations) meta.annotations = template.metadata.annotations;
    if (owner) {
      meta.ownerReferences = [ownerRef(owner)];
      if (owner.kind !== 'StatefulSet') meta.generateName = shared(owner.metadata.name, '-');
    }
    const pod: any = { metadata: meta, spec: { ...template.spec, nodeName: node.metadata.name } };
    pod.metadata.uid = r.uid();
    const hostIP = c.nodeIP(node);
    const podIP = template.spec.hostNetwork ? hostIP : c.nextPodIP();
    const started = createdMs + r.int(2, 20) * 1000;
    if (behaviour === 'crashloop') {
      const restarts = r.int(3, 60);
      pod.status = runningStatus(pod, hostIP, podIP, started, now, {
        restarts, lastFinishedMs: now - r.int(5, 200) * 1000, waitingReason: 'CrashLoopBackOff',
        waitingMessage: `back-off 5m0s restarting failed container=${pod.spec.containers[0].name} pod=${name}_${meta.namespace}(${pod.metadata.uid})`,
      });
    } else if (behaviour === 'imagepull') {
      pod.status = { ...runningStatus(pod, hostIP, podIP, started, now, { waitingReason: 'ImagePullBackOff', waitingMessage: `Back-off pulling image "${pod.spec.containers[0].image}"` }), phase: 'Pending' };
    } else if (behaviour === 'complete') {
      pod.status = completedStatus(pod, hostIP, podIP, started, started + r.int(5, 90) * 1000);
    } else {
      const restarts = r.chance(0.08) ? r.int(1, 4) : 0;
      pod.status = runningStatus(pod, hostIP, podIP, started, now, restarts ? { restarts, lastFinishedMs: started + r.int(60, 3600) * 1000 } : {});
    }
    return create(POD, pod);
  };

  const container = (name: string, image: string, cpu: string, mem: string, extra: any = {}) => ({
    name, image, imagePullPolicy: 'IfNotPresent',
    resources: { requests: { cpu, memory: mem }, limits: { memory: mem.replace(/^(\d+)/, (m) => String(Number(m) * 2)) } },
    terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', ...extra,
  });
  const podSpec = (containers: any[], extra: any = {}) => ({
    containers, restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default', serviceAccount: 'default', securityContext: {}, schedulerName: 'default-scheduler',
    enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0,
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
    ...extra,
  });

  const deployment = (ns: string, name: string, replicas: number, spec: any, createdMs: number, behaviour: Behaviour = 'normal', annotations?: Record<string, string>) => {
    const labels = { app: name, 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': ns };
    const tplAnn = { ...(annotations ?? {}), ...(behaviour !== 'normal' ? { [BEHAVIOUR_ANNOTATION]: behaviour } : {}) };
    const template = { metadata: { labels, ...(Object.keys(tplAnn).length ? { annotations: tplAnn } : {}) }, spec };
    const d = create(DEPLOY, {
      metadata: { name, namespace: ns, labels, annotations: { 'deployment.kubernetes.io/revision': '1' }, creationTimestamp: nowIso(createdMs) },
      spec: {
        replicas, selector: { matchLabels: { app: name } }, template, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      },
    });
    const hash = templateHash(template);
    const rsTemplate = { ...template, metadata: { ...template.metadata, labels: { ...labels, 'pod-template-hash': hash } } };
    const rs = create(RS, {
      metadata: {
        name: `${name}-${hash}`, namespace: ns, labels: rsTemplate.metadata.labels, creationTimestamp: nowIso(createdMs),
        annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + 1), 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [ownerRef(d)],
      },
      spec: { replicas, selector: { matchLabels: { app: name, 'pod-template-hash': hash } }, template: rsTemplate },
    });
    for (let i = 0; i < replicas; i++) {
      const podAge = r.chance(0.7) ? now - createdMs : r.int(60_000, Math.max(60_001, now - createdMs));
      placePod(rs, rsTemplate, flat(rs.metadata.name, '-', r.suffix(5)), spec.nodeSelector?.['node-role.kubernetes.io/control-plane'] !== undefined ? nodes[0] : nextNode(), now - podAge, {}, behaviour);
    }
    return d;
  };

  const service = (ns: string, name: string, port: number, targetPort: number, createdMs: number, type = 'ClusterIP', selector: Record<string, string> = { app: name }) => create(SVC, {
    metadata: { name, namespace: ns, labels: { app: name }, creationTimestamp: nowIso(createdMs) },
    spec: {
      type, selector, clusterIP: `10.96.${r.int(0, 255)}.${r.int(1, 255)}`, clusterIPs: [],
      ports: [{ name: 'http', protocol: 'TCP', port, targetPort, ...(type === 'LoadBalancer' || type === 'NodePort' ? { nodePort: r.int(30000, 32767) } : {}) }],
      sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  });

  const daemonSet = (ns: string, name: string, image: string, createdMs: number, hostNetwork = false) => {
    const labels = { 'k8s-app': name };
    const template = {
      metadata: { labels },
      spec: podSpec([container(name, image, '100m', '64Mi')], {
        ...(hostNetwork ? { hostNetwork: true } : {}), priorityClassName: 'system-node-critical', priority: 2000001000,
        tolerations: [{ operator: 'Exists' }], nodeSelector: { 'kubernetes.io/os': 'linux' },
      }),
    };
    const ds = create(DS, {
      metadata: { name, namespace: ns, labels, annotations: { 'deprecated.daemonset.template.generation': '1' }, creationTimestamp: nowIso(createdMs) },
      spec: { selector: { matchLabels: labels }, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 },
    });
    for (const n of nodes) placePod(ds, template, flat(name, '-', r.suffix(5)), n, Date.parse(n.metadata.creationTimestamp) + 30_000, { 'controller-revision-hash': templateHash(template).slice(0, 10), 'pod-template-generation': '1' });
  };

  // -- control plane: static pods, mirrored
  const cp = nodes[0];
  const cpCreated = Date.parse(cp.metadata.creationTimestamp);
  for (const comp of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
    const image = comp === 'etcd' ? 'registry.k8s.io/etcd:3.5.16-0' : `registry.k8s.io/${comp}:v1.32.4`;
    const tpl = {
      metadata: {
        namespace: 'kube-system', labels: { component: comp, tier: 'control-plane' },
        annotations: { 'kubernetes.io/config.hash': r.uid().replace(/-/g, ''), 'kubernetes.io/config.mirror': r.uid().replace(/-/g, ''), 'kubernetes.io/config.source': 'file' },
      },
      spec: podSpec([container(comp, image, comp === 'etcd' ? '100m' : '250m', '128Mi')], { hostNetwork: true, priorityClassName: 'system-node-critical', priority: 2000001000, tolerations: [{ operator: 'Exists', effect: 'NoExecute' }] }),
    };
    const pod = placePod(undefined, tpl, `${comp}-${cp.metadata.name}`, cp, cpCreated + 10_000);
    c.store.update(POD, { ...pod, metadata: { ...pod.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: cp.metadata.name, uid: cp.metadata.uid, controller: true }] } });
  }

  // -- system workloads
  daemonSet('kube-system', 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.32.4', cpCreated + 20_000, true);
  daemonSet('monitoring', 'node-exporter', 'quay.io/prometheus/node-exporter:v1.8.2', cpCreated + DAY, true);
  const coredns = podSpec([container('coredns', 'registry.k8s.io/coredns/coredns:v1.11.3', '100m', '70Mi', { ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'metrics', containerPort: 9153, protocol: 'TCP' }] })],
    { priorityClassName: 'system-cluster-critical', priority: 2000000000, tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
  deployment('kube-system', 'coredns', 2, coredns, cpCreated + 20_000);
  // kube-dns fronts the coredns pods, as in a kubeadm cluster
  service('kube-system', 'kube-dns', 53, 53, cpCreated + 20_000, 'ClusterIP', { app: 'coredns' });
  create(SVC, {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' }, creationTimestamp: nowIso(cpCreated) },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }], sessionAffinity: 'None' },
    status: { loadBalancer: {} },
  });
  deployment('ingress-nginx', 'ingress-nginx-controller', 2, podSpec([container('controller', 'registry.k8s.io/ingress-nginx/controller:v1.12.0', '100m', '90Mi', { ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { name: 'https', containerPort: 443, protocol: 'TCP' }] })]), cpCreated + 2 * DAY);
  service('ingress-nginx', 'ingress-nginx-controller', 80, 80, cpCreated + 2 * DAY, 'LoadBalancer');
  create(PDB, {
    metadata: { name: 'ingress-nginx-controller', namespace: 'ingress-nginx', creationTimestamp: nowIso(cpCreated + 2 * DAY) },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'ingress-nginx-controller' } } },
    status: { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  });
  const promTpl = {
    metadata: { labels: { app: 'prometheus' } },
    spec: podSpec([container('prometheus', 'quay.io/prometheus/prometheus:v3.1.0', '500m', '1Gi', { ports: [{ name: 'web', containerPort: 9090, protocol: 'TCP' }], volumeMounts: [{ name: 'data', mountPath: '/prometheus' }] })]),
  };
  const prom = create(STS, {
    metadata: { name: 'prometheus', namespace: 'monitoring', labels: { app: 'prometheus' }, creationTimestamp: nowIso(cpCreated + DAY) },
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'prometheus' } }, serviceName: 'prometheus', template: promTpl, podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } }, storageClassName: 'standard' } }],
    },
  });
  for (let i = 0; i < 2; i++) {
    const name = `prometheus-${i}`;
    create('persistentvolumeclaims', {
      metadata: { name: `data-${name}`, namespace: 'monitoring', labels: { app: 'prometheus' }, creationTimestamp: nowIso(cpCreated + DAY) },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } }, storageClassName: 'standard', volumeMode: 'Filesystem', volumeName: `pvc-${r.uid()}` },
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '50Gi' } },
    });
    const withVol = { ...promTpl, spec: { ...promTpl.spec, volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `data-${name}` } }] } };
    placePod(prom, withVol, name, nextNode(), cpCreated + DAY, { 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(i), 'controller-revision-hash': `prometheus-${templateHash(promTpl).slice(0, 10)}` });
  }
  deployment('monitoring', 'grafana', 1, podSpec([container('grafana', 'grafana/grafana:11.4.0', '100m', '128Mi', { ports: [{ name: 'http', containerPort: 3000, protocol: 'TCP' }] })], { volumes: [{ name: 'tmp', emptyDir: {} }] }), cpCreated + DAY);

  // -- the CRD and its instances
  const crdCreated = cpCreated + 5 * DAY;
  create(CRD, {
    metadata: { name: 'databases.sim.kmux.dev', creationTimestamp: nowIso(crdCreated) },
    spec: {
      group: 'sim.kmux.dev', scope: 'Namespaced',
      names: { plural: 'databases', singular: 'database', kind: 'Database', listKind: 'DatabaseList', shortNames: ['db'], categories: ['all'] },
      versions: [{
        name: 'v1', served: true, storage: true, subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        additionalPrinterColumns: [
          { name: 'Engine', type: 'string', jsonPath: '.spec.engine' },
          { name: 'Version', type: 'string', jsonPath: '.spec.version' },
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
          { name: 'Status', type: 'string', jsonPath: '.status.phase' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      }],
      conversion: { strategy: 'None' },
    },
    status: { acceptedNames: { plural: 'databases', singular: 'database', kind: 'Database', listKind: 'DatabaseList', shortNames: ['db'], categories: ['all'] }, storedVersions: ['v1'], conditions: [{ type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: nowIso(crdCreated) }] },
  });

  // -- applications
  let left = appPods;
  const maxReplicas = o.pods > 5000 ? 14 : o.pods > 1000 ? 8 : 4;
  const crashRate = isProd ? 0.01 : /dev/.test(clusterName) ? 0.05 : 0.03;
  for (let n = 0; left > 0; n++) {
    const ns = appNs[n % appNs.length];
    const round = Math.floor(n / appNs.length);
    const base = APPS[(n + round * 7) % APPS.length];
    const name = round < 1 ? base : `${base}-${round}`;
    const createdMs = now - r.int(1, 80) * DAY - r.int(0, DAY);
    const replicas = Math.min(left, r.int(1, maxReplicas + 1));
    left -= replicas;
    const port = base === 'frontend' ? 80 : 8080;
    const image = IMAGES[base] ?? `ghcr.io/kmux-sim/${base}:1.${r.int(0, 20)}.${r.int(0, 10)}`;
    const volumes: any[] = [{ name: 'config', configMap: { name: `${name}-config` } }];
    if (base === 'cache' || base === 'worker' || base === 'thumbnailer') volumes.push({ name: 'scratch', emptyDir: {} });
    const containers = [container(base === 'cache' ? 'redis' : base, image, `${r.pick([50, 100, 200, 250, 500])}m`, `${r.pick([64, 128, 256, 512])}Mi`, {
      ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
      env: [{ name: 'APP_ENV', value: clusterName }, { name: 'LOG_LEVEL', value: 'info' }],
      volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: `/${v.name}` })),
      readinessProbe: { httpGet: { path: '/healthz', port, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    })];
    if (r.chance(0.2)) containers.push(container('istio-proxy', 'docker.io/istio/proxyv2:1.24.2', '100m', '128Mi', { ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }] }));
    const behaviour: Behaviour = r.chance(crashRate) ? 'crashloop' : r.chance(crashRate / 4) ? 'imagepull' : 'normal';
    create('configmaps', { metadata: { name: `${name}-config`, namespace: ns, labels: { app: name }, creationTimestamp: nowIso(createdMs) }, data: { 'app.yaml': `name: ${name}\nport: ${port}\nenv: ${clusterName}\n`, LOG_LEVEL: 'info' } });
    if (r.chance(0.5)) {
      create('secrets', { metadata: { name: `${name}-credentials`, namespace: ns, labels: { app: name }, creationTimestamp: nowIso(createdMs) }, type: 'Opaque', data: { username: Buffer.from(name).toString('base64'), password: Buffer.from(r.uid()).toString('base64') } });
    }
    deployment(ns, name, replicas, podSpec(containers, { volumes }), createdMs, behaviour);
    if (base !== 'worker' && base !== 'scheduler') service(ns, name, port === 80 ? 80 : 8080, port, createdMs);
    if (replicas >= 2 && r.chance(0.35)) {
      create(PDB, {
        metadata: { name, namespace: ns, labels: { app: name }, creationTimestamp: nowIso(createdMs) },
        spec: r.chance(0.5) ? { minAvailable: 1, selector: { matchLabels: { app: name } } } : { maxUnavailable: 1, selector: { matchLabels: { app: name } } },
        status: { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
      });
    }
    // a database per namespace, as a StatefulSet and as the CRD's instance
    if (round === 0 && n < appNs.length && left >= 3 && (n % 3 === 0)) {
      const dbName = `${ns}-db`;
      const engine = r.pick(['postgres', 'mysql', 'redis']);
      const dbTpl = { metadata: { labels: { app: dbName } }, spec: podSpec([container(engine, `${engine}:${engine === 'postgres' ? '17.2' : engine === 'mysql' ? '8.4' : '7.4'}`, '250m', '512Mi', { ports: [{ name: 'db', containerPort: engine === 'postgres' ? 5432 : engine === 'mysql' ? 3306 : 6379, protocol: 'TCP' }] })]) };
      const sts = create(STS, {
        metadata: { name: dbName, namespace: ns, labels: { app: dbName }, creationTimestamp: nowIso(createdMs) },
        spec: { replicas: 3, selector: { matchLabels: { app: dbName } }, serviceName: dbName, template: dbTpl, podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } },
      });
      for (let i = 0; i < 3; i++) placePod(sts, dbTpl, `${dbName}-${i}`, nextNode(), createdMs, { 'statefulset.kubernetes.io/pod-name': `${dbName}-${i}`, 'apps.kubernetes.io/pod-index': String(i), 'controller-revision-hash': `${dbName}-${templateHash(dbTpl).slice(0, 10)}` });
      left -= 3;
      create('databases.sim.kmux.dev', {
        apiVersion: 'sim.kmux.dev/v1', kind: 'Database',
        metadata: { name: dbName, namespace: ns, creationTimestamp: nowIso(createdMs) },
        spec: { engine, version: engine === 'postgres' ? '17.2' : '8.4', replicas: 3, storage: '20Gi' },
        status: { phase: r.chance(0.9) ? 'Ready' : 'Degraded' },
      });
    }
    if (round === 0 && base === 'reporter') {
      const jobTpl = { metadata: { labels: { app: `${name}-nightly` } }, spec: podSpec([container('report', image, '100m', '128Mi')], { restartPolicy: 'OnFailure' }) };
      create(CRONJOB, {
        metadata: { name: `${name}-nightly`, namespace: ns, creationTimestamp: nowIso(createdMs) },
        spec: { schedule: '*/15 * * * *', concurrencyPolicy: 'Forbid', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, jobTemplate: { spec: { template: jobTpl, backoffLimit: 2 } } },
        status: { lastScheduleTime: nowIso(now - r.int(1, 14) * 60_000) },
      });
    }
  }

  // -- a few unowned pods outside prod: what drain refuses without --force
  if (!isProd) {
    const tpl = { metadata: { namespace: 'default', labels: { run: 'debug' } }, spec: podSpec([container('shell', 'nicolaka/netshoot:v0.13', '10m', '32Mi', { command: ['sleep', 'infinity'] })], { volumes: [{ name: 'tmp', emptyDir: {} }] }) };
    placePod(undefined, tpl, 'debug-shell', nextNode(), now - 3 * 3600_000);
  }
}
