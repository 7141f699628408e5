import { describe as suite, expect, it } from 'vitest';
import { describe, rfc1123z, smartLabel } from '../../src/resources/describe.js';
import { tabwrite } from '../../src/resources/tabwriter.js';
import { NOW, ago, nodeA, nodePods, webDeployment, webEvents, webPod, webReplicaSets } from './fixtures.js';

/** The value after "Key:" on its line, with the alignment padding dropped. */
function field(text: string, key: string): string | undefined {
  const line = text.split('\n').find((l) => l.trimStart().startsWith(`${key}:`));
  return line?.trimStart().slice(key.length + 1).trim();
}

suite('tabwriter', () => {
  it('aligns a column over consecutive lines and restarts after a line without tabs', () => {
    expect(tabwrite('Name:\tweb\nService Account:\tdefault\nContainers:\n  a:\tb\n')).toBe(
      `${'Name:'.padEnd(18)}web\nService Account:  default\nContainers:\n  a:  b\n`,
    );
  });
  it('nests columns like Go text/tabwriter', () => {
    expect(tabwrite('a\tbb\tc\naaa\tb\tc\nx\n')).toBe('a    bb  c\naaa  b   c\nx\n');
  });
});

suite('describe pod', () => {
  const text = describe(webPod, { events: webEvents, now: NOW });

  it('has the header fields', () => {
    expect(field(text, 'Name')).toBe('web-7d4b9c-x2x9k');
    expect(field(text, 'Namespace')).toBe('shop');
    expect(field(text, 'Priority')).toBe('0');
    expect(field(text, 'Service Account')).toBe('web');
    expect(field(text, 'Node')).toBe('node-a/192.168.49.2');
    expect(field(text, 'Start Time')).toBe('Sat, 01 Mar 2025 11:00:05 +0000');
    expect(field(text, 'Status')).toBe('Running');
    expect(field(text, 'IP')).toBe('10.244.1.17');
    expect(field(text, 'Controlled By')).toBe('ReplicaSet/web-7d4b9c');
    expect(field(text, 'QoS Class')).toBe('Burstable');
    expect(text).toMatch(/^Labels:\s+app=web\n\s+pod-template-hash=7d4b9c$/m);
    expect(text).toMatch(/^Annotations:\s+kubectl\.kubernetes\.io\/restartedAt: 2025-02-28T10:00:00Z\n\s+prometheus\.io\/scrape: true$/m);
  });

  it('lines the header values up in one column', () => {
    const col = (key: string) => {
      const l = text.split('\n').find((x) => x.startsWith(`${key}:`))!;
      return l.length - l.slice(key.length + 1).trimStart().length;
    };
    expect(col('Name')).toBe(col('Service Account'));
    expect(col('Name')).toBe('Service Account:  '.length);
  });

  it('has the container with image, port, state, ready, restarts, resources, env and mounts', () => {
    expect(text).toMatch(/^Containers:\n {2}app:\n {4}Container ID:\s+containerd:\/\/1234$/m);
    expect(field(text, 'Image')).toBe('ghcr.io/acme/web:1.4.2');
    expect(field(text, 'Port')).toBe('8080/TCP (http)');
    expect(field(text, 'State')).toBe('Running');
    expect(field(text, 'Last State')).toBe('Terminated');
    expect(field(text, 'Reason')).toBe('OOMKilled');
    expect(field(text, 'Exit Code')).toBe('137');
    expect(field(text, 'Ready')).toBe('True');
    expect(field(text, 'Restart Count')).toBe('3');
    expect(text).toMatch(/ {4}Limits:\n {6}cpu:\s+500m\n {6}memory:\s+256Mi\n {4}Requests:\n {6}cpu:\s+250m\n {6}memory:\s+128Mi/);
    expect(field(text, 'Liveness')).toBe('http-get http://:8080/healthz delay=5s timeout=1s period=10s #success=1 #failure=3');
    expect(text).toMatch(/ {4}Environment:\n {6}LOG_FORMAT:\s+json\n {6}POD_NAME:\s+web-7d4b9c-x2x9k \(v1:metadata.name\)\n {6}DB_PASSWORD:\s+<set to the key 'password' in secret 'db'>\s+Optional: false/);
    expect(text).toMatch(/ {4}Mounts:\n {6}\/etc\/web from config \(ro\)\n {6}\/var\/run\/secrets\/kubernetes.io\/serviceaccount from kube-api-access-abcde \(ro\)/);
    expect(text).toMatch(/ {4}Command:\n {6}\/bin\/web\n {4}Args:\n {6}--port=8080\n {6}--log-level=info/);
  });

  it('has conditions, volumes and tolerations', () => {
    expect(text).toMatch(/^Conditions:\n {2}Type\s+Status\n {2}Initialized\s+True \n {2}Ready\s+True /m);
    expect(text).toMatch(/^Volumes:\n {2}config:\n {4}Type:\s+ConfigMap \(a volume populated by a ConfigMap\)\n {4}Name:\s+web-config/m);
    expect(text).toMatch(/TokenExpirationSeconds:\s+3607\n\s+ConfigMapName:\s+kube-root-ca.crt\n\s+ConfigMapOptional:\s+<nil>\n\s+DownwardAPI:\s+true/);
    expect(text).toMatch(/^Tolerations:\s+node.kubernetes.io\/not-ready:NoExecute op=Exists for 300s\n\s+node.kubernetes.io\/unreachable:NoExecute op=Exists for 300s$/m);
    expect(field(text, 'Node-Selectors')).toBe('<none>');
  });

  it('lists its own events newest first, warnings included', () => {
    const events = text.slice(text.indexOf('Events:'));
    const lines = events.split('\n');
    expect(lines[1]).toMatch(/^ {2}Type\s+Reason\s+Age\s+From\s+Message$/);
    expect(lines[2]).toMatch(/^ {2}----\s+------\s+----\s+----\s+-------$/);
    expect(lines[3]).toMatch(/^ {2}Warning\s+BackOff\s+20m \(x5 over 40m\)\s+kubelet\s+Back-off restarting failed container app/);
    expect(lines[4]).toMatch(/^ {2}Normal\s+Scheduled\s+60m\s+default-scheduler\s+Successfully assigned shop\/web-7d4b9c-x2x9k to node-a$/);
    expect(events).not.toContain('not mine');
  });

  it('says Events: <none> without events, and Terminating while deleted', () => {
    const t = describe({ ...webPod, metadata: { ...webPod.metadata, deletionTimestamp: ago(-30), deletionGracePeriodSeconds: 30 } }, { now: NOW });
    expect(t).toContain('Events:  <none>');
    expect(field(t, 'Status')).toBe('Terminating (lasts 0s)');
    expect(field(t, 'Termination Grace Period')).toBe('30s');
  });

  it('a waiting container and a pending pod', () => {
    const t = describe(
      {
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'n' },
        spec: { containers: [{ name: 'c', image: 'nope:1' }] },
        status: { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }] },
      },
      { now: NOW, events: [] },
    );
    expect(field(t, 'Node')).toBe('<none>');
    expect(field(t, 'State')).toBe('Waiting');
    expect(field(t, 'Reason')).toBe('ImagePullBackOff');
    expect(field(t, 'IPs')).toBe('<none>');
    expect(field(t, 'Port')).toBe('<none>');
    expect(field(t, 'Environment')).toBe('<none>');
    expect(field(t, 'Mounts')).toBe('<none>');
    expect(field(t, 'Volumes')).toBe('<none>');
    expect(field(t, 'QoS Class')).toBe('BestEffort');
  });
});

suite('describe node', () => {
  const nodeEvents = [
    {
      metadata: { name: 'node-a.1', namespace: 'default' },
      // kubelet reports node events with the node name as uid
      involvedObject: { kind: 'Node', name: 'node-a', uid: 'node-a' },
      type: 'Normal',
      reason: 'NodeNotSchedulable',
      message: 'Node node-a status is now: NodeNotSchedulable',
      source: { component: 'kubelet', host: 'node-a' },
      firstTimestamp: ago(300),
      lastTimestamp: ago(300),
      count: 1,
    },
  ];
  const text = describe(nodeA, { events: nodeEvents, pods: nodePods, now: NOW });

  it('has roles, labels, taints, unschedulable, conditions and addresses', () => {
    expect(field(text, 'Name')).toBe('node-a');
    expect(field(text, 'Roles')).toBe('worker');
    expect(text).toMatch(/^Labels:\s+kubernetes.io\/hostname=node-a\n\s+kubernetes.io\/os=linux\n\s+node-role.kubernetes.io\/worker=$/m);
    // sorted by effect, then key
    expect(text).toMatch(/^Taints:\s+dedicated=web:NoExecute\n\s+node.kubernetes.io\/unschedulable:NoSchedule$/m);
    expect(field(text, 'Unschedulable')).toBe('true');
    expect(text).toMatch(/^Conditions:\n {2}Type\s+Status\s+LastHeartbeatTime\s+LastTransitionTime\s+Reason\s+Message$/m);
    expect(text).toMatch(/^ {2}Ready\s+True\s+Sat, 01 Mar 2025 11:59:40 \+0000\s+Fri, 28 Feb 2025 12:00:00 \+0000\s+KubeletReady\s+kubelet is posting ready status$/m);
    expect(text).toMatch(/^Addresses:\n {2}InternalIP:\s+192.168.49.2\n {2}Hostname:\s+node-a$/m);
  });

  it('has capacity, allocatable and system info', () => {
    expect(text).toMatch(/^Capacity:\n {2}cpu:\s+4\n {2}ephemeral-storage:\s+100Gi\n {2}memory:\s+8Gi\n {2}pods:\s+110$/m);
    expect(text).toMatch(/^Allocatable:\n {2}cpu:\s+2\n/m);
    expect(text).toMatch(/^System Info:\n {2}Machine ID:\s+m1$/m);
    expect(field(text, 'Kubelet Version')).toBe('v1.31.2');
    expect(field(text, 'Container Runtime Version')).toBe('containerd://1.7.12');
    expect(field(text, 'PodCIDR')).toBe('10.244.1.0/24');
  });

  it('lists non-terminated pods with requests, limits and percentages of allocatable', () => {
    expect(field(text, 'Non-terminated Pods')).toBe('(2 in total)');
    expect(text).toMatch(/^ {2}Namespace\s+Name\s+CPU Requests\s+CPU Limits\s+Memory Requests\s+Memory Limits\s+Age$/m);
    expect(text).toMatch(/^ {2}shop\s+web-1\s+500m \(25%\)\s+1 \(50%\)\s+512Mi \(12%\)\s+1Gi \(25%\)\s+120m$/m);
    expect(text).toMatch(/^ {2}kube-system\s+kube-proxy-x\s+100m \(5%\)\s+0 \(0%\)\s+64Mi \(1%\)\s+0 \(0%\)\s+120m$/m);
    expect(text).not.toContain('done-job');
    expect(text).toMatch(/^Allocated resources:\n {2}\(Total limits may be over 100 percent, i.e., overcommitted.\)\n {2}Resource\s+Requests\s+Limits\n/m);
    expect(text).toMatch(/^ {2}cpu\s+600m \(30%\)\s+1 \(50%\)$/m);
    expect(text).toMatch(/^ {2}memory\s+576Mi \(14%\)\s+1Gi \(25%\)$/m);
  });

  it('shows node events', () => {
    expect(text).toMatch(/^ {2}Normal\s+NodeNotSchedulable\s+5m\s+kubelet\s+Node node-a status is now: NodeNotSchedulable$/m);
  });

  it('percentages say n/a when nothing is allocatable', () => {
    const t = describe({ ...nodeA, status: { ...nodeA.status, allocatable: { cpu: '0', memory: '0' } } }, { pods: nodePods, now: NOW });
    expect(t).toMatch(/cpu\s+600m \(n\/a\)/);
  });
});

suite('describe deployment', () => {
  const text = describe(webDeployment, { events: [], replicaSets: webReplicaSets, now: NOW });
  it('has selector, replicas, strategy, template, conditions and replica sets', () => {
    expect(field(text, 'Name')).toBe('web');
    expect(field(text, 'Namespace')).toBe('shop');
    expect(field(text, 'Selector')).toBe('app=web');
    expect(field(text, 'Replicas')).toBe('3 desired | 2 updated | 4 total | 3 available | 1 unavailable');
    expect(field(text, 'StrategyType')).toBe('RollingUpdate');
    expect(field(text, 'RollingUpdateStrategy')).toBe('25% max unavailable, 1 max surge');
    expect(text).toMatch(/^Pod Template:\n {2}Labels:\s+app=web\n {2}Containers:\n {3}app:\n {4}Image:\s+ghcr.io\/acme\/web:1.4.2$/m);
    expect(text).toMatch(/^Conditions:\n {2}Type\s+Status\s+Reason\n {2}----\s+------\s+------\n {2}Available\s+True\s+MinimumReplicasAvailable\n {2}Progressing\s+True\s+ReplicaSetUpdated$/m);
    expect(field(text, 'OldReplicaSets')).toBe('web-5f6d7c (2/2 replicas created)');
    expect(field(text, 'NewReplicaSet')).toBe('web-7d4b9c (2/2 replicas created)');
    expect(text).toContain('Events:  <none>');
  });

  it('finds the new replica set by template when revisions are missing', () => {
    const strip = (o: any) => ({ ...o, metadata: { ...o.metadata, annotations: {} } });
    const t = describe(strip(webDeployment), { replicaSets: webReplicaSets.map(strip), now: NOW });
    expect(field(t, 'NewReplicaSet')).toBe('web-7d4b9c (2/2 replicas created)');
    expect(field(t, 'OldReplicaSets')).toBe('web-5f6d7c (2/2 replicas created)');
  });

  it('replica sets of another deployment are not listed', () => {
    const t = describe(webDeployment, { replicaSets: [{ ...webReplicaSets[0], metadata: { ...webReplicaSets[0]!.metadata, ownerReferences: [{ kind: 'Deployment', name: 'api', uid: 'x' }] } }], now: NOW });
    expect(field(t, 'OldReplicaSets')).toBe('<none>');
    expect(field(t, 'NewReplicaSet')).toBe('<none>');
  });
});

suite('describe other kinds', () => {
  const cert = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'shop-tls', namespace: 'shop', uid: 'c1', creationTimestamp: ago(60), labels: { app: 'shop' }, managedFields: [{ manager: 'x' }] },
    spec: { secretName: 'shop-tls', dnsNames: ['shop.example.com'], issuerRef: { name: 'le', kind: 'ClusterIssuer' } },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready' }] },
  };
  it('generic: name, namespace, labels, annotations, API version, kind, then the object', () => {
    const t = describe(cert, { now: NOW });
    const keys = t.split('\n').filter((l) => /^\S/.test(l)).map((l) => l.split(':')[0]);
    expect(keys).toEqual(['Name', 'Namespace', 'Labels', 'Annotations', 'API Version', 'Kind', 'Metadata', 'Spec', 'Status', 'Events']);
    expect(field(t, 'API Version')).toBe('cert-manager.io/v1');
    expect(field(t, 'Kind')).toBe('Certificate');
    expect(t).toMatch(/^Spec:\n {2}Dns Names:\n {4}shop.example.com\n {2}Issuer Ref:\n {4}Kind:\s+ClusterIssuer\n {4}Name:\s+le\n {2}Secret Name:\s+shop-tls$/m);
    expect(t).toMatch(/^Metadata:\n {2}Creation Timestamp:\s+\S+\n {2}UID:\s+c1$/m);
    expect(t).not.toContain('managedFields');
    expect(t).not.toContain('Managed Fields');
    expect(t).toContain('Events:  <none>');
  });

  it('secrets show sizes, never values', () => {
    const t = describe(
      {
        kind: 'Secret',
        metadata: { name: 'db', namespace: 'shop', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"aHVudGVyMg=="}}' } },
        type: 'Opaque',
        data: { password: 'aHVudGVyMg==', user: 'YWRtaW4=' },
      },
      { now: NOW },
    );
    expect(t).toMatch(/^Data\n====\npassword:\s+7 bytes\nuser:\s+5 bytes$/m);
    expect(t).not.toContain('aHVudGVyMg');
    expect(t).not.toContain('YWRtaW4');
    // a list item without kind is still recognized
    expect(describe({ metadata: { name: 'x' }, type: 'Opaque', data: { k: 'c2VjcmV0' } }, { now: NOW })).not.toContain('c2VjcmV0');
  });

  it('smartLabel and rfc1123z', () => {
    expect(smartLabel('apiVersion')).toBe('API Version');
    expect(smartLabel('podIP')).toBe('Pod IP');
    expect(smartLabel('HTTPServer')).toBe('HTTP Server');
    expect(smartLabel('uid')).toBe('UID');
    expect(smartLabel('app.kubernetes.io/name')).toBe('app.kubernetes.io/name');
    expect(rfc1123z('2006-01-02T15:04:05Z')).toBe('Mon, 02 Jan 2006 15:04:05 +0000');
    expect(rfc1123z(undefined)).toBe('<unknown>');
  });
});
