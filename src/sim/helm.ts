/**
 * Helm 3 releases in a simulated cluster, stored as Helm stores them: one object per revision,
 * a Secret of type `helm.sh/release.v1` named `sh.helm.release.v1.<release>.v<revision>` (or,
 * for the ConfigMap driver, a ConfigMap of that name), labels name, owner=helm, status and
 * version, and `release` = base64 of gzip of the release JSON (Helm's field names: name,
 * namespace, version, info, chart{metadata, values, templates}, config, manifest, hooks). The
 * objects of the revision that last reached the cluster are really there, labelled and
 * annotated as Helm leaves them; dev's podinfo Deployment has been scaled by hand since
 * (drift). The objects are written at start; each revision's blob (manifest, JSON, gzip,
 * base64) is made the first time its storage object is read, so the fleet starts as fast as before.
 */
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import type { Cluster } from './cluster.js';
import { DEPLOY, STS, SVC, JOB } from './cluster.js';
import { nowIso } from './store.js';

const DAY = 86_400_000;
// as Helm renders: no anchors for repeated maps, no folding
const YAML_OPTS = { lineWidth: 0, aliasDuplicateObjects: false };
type Values = Record<string, any>;

interface ChartDef {
  name: string;
  version: string;
  appVersion: string;
  description: string;
  home: string;
  dependencies?: { name: string; version: string; repository: string; condition?: string }[];
  values: Values;
  templates: string[];
  render(release: string, ns: string, v: Values, chartVersion: string): { source: string; obj: any }[];
  notes(release: string, ns: string, v: Values): string;
  /** hook manifests: events and the object */
  hooks?(release: string, ns: string, v: Values): { source: string; events: string[]; obj: any }[];
}

/** user values over chart defaults: maps key by key, null removes (the sim's own, small) */
function withUser(defaults: Values, user: Values): Values {
  const out: Values = { ...defaults };
  for (const [k, val] of Object.entries(user)) {
    if (val === null) delete out[k];
    else if (val && typeof val === 'object' && !Array.isArray(val) && out[k] && typeof out[k] === 'object' && !Array.isArray(out[k])) out[k] = withUser(out[k], val);
    else out[k] = val;
  }
  return out;
}

const labelsFor = (chart: string, chartVersion: string, release: string, appVersion: string, component?: string) => ({
  'app.kubernetes.io/name': chart, 'app.kubernetes.io/instance': release, 'app.kubernetes.io/version': appVersion,
  'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': `${chart}-${chartVersion}`,
  ...(component ? { 'app.kubernetes.io/component': component } : {}),
});
const selectorFor = (chart: string, release: string) => ({ 'app.kubernetes.io/name': chart, 'app.kubernetes.io/instance': release });

function deploymentOf(name: string, ns: string, labels: Values, selector: Values, replicas: number, container: Values): any {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, labels },
    spec: { replicas, selector: { matchLabels: selector }, template: { metadata: { labels: selector }, spec: { containers: [container] } } },
  };
}

function serviceOf(name: string, ns: string, labels: Values, selector: Values, port: number, targetPort: string | number): any {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels }, spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port, targetPort, protocol: 'TCP' }] } };
}

const PODINFO: ChartDef = {
  name: 'podinfo', version: '6.7.1', appVersion: '6.7.1', description: 'Podinfo Helm chart for Kubernetes', home: 'https://github.com/stefanprodan/podinfo',
  values: { replicaCount: 1, image: { repository: 'ghcr.io/stefanprodan/podinfo', tag: '', pullPolicy: 'IfNotPresent' }, ui: { color: '#34577c', message: '', logo: '' }, service: { type: 'ClusterIP', httpPort: 9898 }, resources: { requests: { cpu: '1m', memory: '16Mi' }, limits: {} }, logLevel: 'info' },
  templates: ['deployment.yaml', 'service.yaml', 'configmap.yaml', 'tests/grpc.yaml', 'NOTES.txt'],
  render(rel, ns, v, chartVersion) {
    const labels = labelsFor('podinfo', chartVersion, rel, v.image.tag || this.appVersion);
    const sel = selectorFor('podinfo', rel);
    const container = {
      name: 'podinfo', image: `${v.image.repository}:${v.image.tag || this.appVersion}`, imagePullPolicy: v.image.pullPolicy,
      command: ['./podinfo', `--port=${v.service.httpPort}`, `--level=${v.logLevel}`],
      env: [{ name: 'PODINFO_UI_COLOR', value: v.ui.color }, ...(v.ui.message ? [{ name: 'PODINFO_UI_MESSAGE', value: v.ui.message }] : [])],
      ports: [{ name: 'http', containerPort: v.service.httpPort, protocol: 'TCP' }],
      resources: v.resources,
    };
    return [
      { source: 'podinfo/templates/service.yaml', obj: serviceOf(rel, ns, labels, sel, v.service.httpPort, 'http') },
      { source: 'podinfo/templates/configmap.yaml', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${rel}-config`, namespace: ns, labels }, data: { 'log-level': v.logLevel, color: v.ui.color } } },
      { source: 'podinfo/templates/deployment.yaml', obj: deploymentOf(rel, ns, labels, sel, v.replicaCount, container) },
    ];
  },
  notes: (rel, ns, v) => `1. Get the application URL by running these commands:\n  echo "Visit http://127.0.0.1:8080 to use your application"\n  kubectl -n ${ns} port-forward deploy/${rel} 8080:${v.service.httpPort}\n`,
  hooks: (rel, ns) => [{
    source: 'podinfo/templates/tests/grpc.yaml', events: ['test'],
    obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${rel}-grpc-test-${rel.length}x7k2`, namespace: ns, annotations: { 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'grpc-health-probe', image: 'stefanprodan/grpc_health_probe:v0.3.0', command: ['grpc_health_probe', `-addr=${rel}.${ns}:9999`] }] } },
  }],
};

const REDIS: ChartDef = {
  name: 'redis', version: '20.6.2', appVersion: '7.4.1', description: 'Redis(R) is an open source, advanced key-value store.', home: 'https://bitnami.com',
  dependencies: [{ name: 'common', version: '2.x.x', repository: 'oci://registry-1.docker.io/bitnamicharts' }],
  values: { architecture: 'standalone', auth: { enabled: true, password: '' }, master: { count: 1, persistence: { enabled: true, size: '8Gi' }, resources: { requests: { cpu: '100m', memory: '128Mi' } } }, metrics: { enabled: false }, image: { registry: 'docker.io', repository: 'bitnami/redis', tag: '7.4.1-debian-12-r2' } },
  templates: ['master/application.yaml', 'master/service.yaml', 'configmap.yaml', 'metrics-svc.yaml', 'pre-upgrade-job.yaml', 'NOTES.txt'],
  render(rel, ns, v, chartVersion) {
    const labels = labelsFor('redis', chartVersion, rel, '7.4.1', 'master');
    const sel = { ...selectorFor('redis', rel), 'app.kubernetes.io/component': 'master' };
    const out = [
      { source: 'redis/templates/configmap.yaml', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${rel}-configuration`, namespace: ns, labels }, data: { 'redis.conf': `appendonly yes\nsave ""\n${v.auth.enabled ? 'protected-mode yes\n' : ''}` } } },
      { source: 'redis/templates/master/service.yaml', obj: serviceOf(`${rel}-master`, ns, labels, sel, 6379, 'redis') },
      {
        source: 'redis/templates/master/application.yaml', obj: {
          apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: `${rel}-master`, namespace: ns, labels },
          spec: { replicas: v.master.count, serviceName: `${rel}-headless`, selector: { matchLabels: sel }, template: { metadata: { labels: sel }, spec: { containers: [{ name: 'redis', image: `${v.image.registry}/${v.image.repository}:${v.image.tag}`, ports: [{ name: 'redis', containerPort: 6379, protocol: 'TCP' }], resources: v.master.resources }] } } },
        },
      },
    ];
    if (v.metrics.enabled) out.push({ source: 'redis/templates/metrics-svc.yaml', obj: serviceOf(`${rel}-metrics`, ns, { ...labels, 'app.kubernetes.io/component': 'metrics' }, sel, 9121, 'metrics') });
    return out;
  },
  notes: (rel, ns) => `** Please be patient while the chart is being deployed **\n\nRedis&reg; can be accessed via port 6379 on the following DNS name from within your cluster:\n\n    ${rel}-master.${ns}.svc.cluster.local\n`,
  hooks: (rel, ns) => [{
    source: 'redis/templates/pre-upgrade-job.yaml', events: ['pre-upgrade'],
    obj: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `${rel}-migrate`, namespace: ns, annotations: { 'helm.sh/hook': 'pre-upgrade', 'helm.sh/hook-weight': '-5', 'helm.sh/hook-delete-policy': 'before-hook-creation' } }, spec: { backoffLimit: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'bitnami/redis:7.4.1-debian-12-r2', command: ['redis-cli', '-h', `${rel}-master`, 'ping'] }] } } } },
  }],
};

const METRICS_SERVER: ChartDef = {
  name: 'metrics-server', version: '3.12.2', appVersion: '0.7.2', description: 'Metrics Server is a scalable, efficient source of container resource metrics for Kubernetes built-in autoscaling pipelines.', home: 'https://github.com/kubernetes-sigs/metrics-server',
  values: { replicas: 1, args: [], image: { repository: 'registry.k8s.io/metrics-server/metrics-server', tag: '' }, serviceAccount: { create: true, name: '' }, service: { port: 443 } },
  templates: ['deployment.yaml', 'service.yaml', 'serviceaccount.yaml', 'NOTES.txt'],
  render(rel, ns, v, chartVersion) {
    const labels = labelsFor('metrics-server', chartVersion, rel, this.appVersion);
    const sel = selectorFor('metrics-server', rel);
    const container = { name: 'metrics-server', image: `${v.image.repository}:v${v.image.tag || this.appVersion}`, args: ['--secure-port=10250', '--cert-dir=/tmp', '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname', ...v.args], ports: [{ name: 'https', containerPort: 10250, protocol: 'TCP' }] };
    const d = deploymentOf(rel, ns, labels, sel, v.replicas, container);
    d.spec.template.spec.serviceAccountName = rel;
    return [
      { source: 'metrics-server/templates/serviceaccount.yaml', obj: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: rel, namespace: ns, labels } } },
      { source: 'metrics-server/templates/service.yaml', obj: serviceOf(rel, ns, labels, sel, v.service.port, 'https') },
      { source: 'metrics-server/templates/deployment.yaml', obj: d },
    ];
  },
  notes: (rel, ns) => `***********************************************************************\n* Metrics Server                                                      *\n***********************************************************************\n  Chart version: 3.12.2\n  App version:   0.7.2\n  Release:       ${ns}/${rel}\n`,
};

const STOREFRONT: ChartDef = {
  name: 'storefront', version: '2.4.0', appVersion: '2024.11.3', description: 'The shop front end and its API', home: 'https://git.example.com/shop/storefront',
  dependencies: [{ name: 'postgresql', version: '16.2.1', repository: 'oci://registry-1.docker.io/bitnamicharts', condition: 'postgresql.enabled' }],
  values: { replicaCount: 2, image: { repository: 'ghcr.io/kmux-sim/storefront', tag: '' }, postgresql: { enabled: true, auth: { database: 'shop' } }, externalDatabase: { host: '', port: 5432 }, featureFlags: { newCheckout: false, recommendations: true } },
  templates: ['deployment.yaml', 'service.yaml', 'configmap.yaml', 'NOTES.txt'],
  render(rel, ns, v, chartVersion) {
    const labels = labelsFor('storefront', chartVersion, rel, v.image.tag || this.appVersion);
    const sel = selectorFor('storefront', rel);
    const dbHost = v.postgresql?.enabled ? `${rel}-postgresql` : v.externalDatabase.host;
    const container = { name: 'storefront', image: `${v.image.repository}:${v.image.tag || this.appVersion}`, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }], env: [{ name: 'DB_HOST', value: dbHost }, { name: 'DB_PORT', value: String(v.externalDatabase.port) }], envFrom: [{ configMapRef: { name: `${rel}-flags` } }] };
    return [
      { source: 'storefront/templates/configmap.yaml', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${rel}-flags`, namespace: ns, labels }, data: Object.fromEntries(Object.entries(v.featureFlags).map(([k, f]) => [`FLAG_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, String(f)])) } },
      { source: 'storefront/templates/service.yaml', obj: serviceOf(rel, ns, labels, sel, 80, 'http') },
      { source: 'storefront/templates/deployment.yaml', obj: deploymentOf(rel, ns, labels, sel, v.replicaCount, container) },
    ];
  },
  notes: (rel, ns) => `storefront is running in ${ns}. Its API: http://${rel}.${ns}.svc/api\n`,
};

interface RevisionPlan {
  chartVersion: string;
  appVersion?: string;
  config: Values;
  status: 'deployed' | 'superseded' | 'failed' | 'pending-upgrade';
  description?: string;
  daysAgo: number;
  /** a hook that ran and how it ended */
  hookPhase?: 'Succeeded' | 'Failed';
}

interface ReleasePlan {
  chart: ChartDef;
  name: string;
  namespace: string;
  driver?: 'secret' | 'configmap';
  revisions: RevisionPlan[];
  /** the revision whose objects are live (the last that reached the cluster) */
  live: number;
  /** changed by hand after: [kind, name, edit] */
  drift?: { kind: string; name: string; edit(obj: any): any };
}

/** What each demo cluster holds: dev has a failed upgrade and the hand-scaled Deployment, staging an upgrade in progress, prod the ConfigMap driver. */
export function helmPlans(cluster: string): ReleasePlan[] {
  const podinfo = (revs: RevisionPlan[], live: number, drift?: ReleasePlan['drift']): ReleasePlan => ({ chart: PODINFO, name: 'podinfo', namespace: 'web', revisions: revs, live, drift });
  const ms = (driver: 'secret' | 'configmap', revs: RevisionPlan[]): ReleasePlan => ({ chart: METRICS_SERVER, name: 'metrics-server', namespace: 'kube-system', driver, revisions: revs, live: revs.length });
  if (/dev/.test(cluster)) {
    return [
      podinfo([
        { chartVersion: '6.6.0', appVersion: '6.6.0', config: { replicaCount: 1 }, status: 'superseded', daysAgo: 30 },
        { chartVersion: '6.7.0', appVersion: '6.7.0', config: { replicaCount: 2, ui: { message: 'hello from dev' } }, status: 'superseded', daysAgo: 12 },
        { chartVersion: '6.7.1', config: { replicaCount: 2, ui: { message: 'hello from dev', color: '#2e7d32' }, logLevel: 'debug' }, status: 'deployed', daysAgo: 2, hookPhase: 'Succeeded' },
      ], 3, { kind: 'Deployment', name: 'podinfo', edit: (d) => ({ ...d, spec: { ...d.spec, replicas: 3 } }) }),
      {
        chart: REDIS, name: 'session-cache', namespace: 'payments', live: 1, revisions: [
          { chartVersion: '20.5.0', config: { auth: { enabled: true }, master: { persistence: { size: '4Gi' } } }, status: 'deployed', daysAgo: 20 },
          { chartVersion: '20.6.2', config: { auth: { enabled: true }, master: { persistence: { size: '4Gi' } }, metrics: { enabled: true } }, status: 'failed', daysAgo: 1, hookPhase: 'Failed',
            description: 'Upgrade "session-cache" failed: pre-upgrade hooks failed: 1 error occurred:\n\t* job session-cache-migrate failed: BackoffLimitExceeded' },
        ],
      },
      ms('secret', [{ chartVersion: '3.12.2', config: { args: ['--kubelet-insecure-tls'] }, status: 'deployed', daysAgo: 60 }]),
    ];
  }
  if (/staging/.test(cluster)) {
    return [
      podinfo([
        { chartVersion: '6.7.0', appVersion: '6.7.0', config: { replicaCount: 2 }, status: 'superseded', daysAgo: 14 },
        { chartVersion: '6.7.1', config: { replicaCount: 2, image: { tag: '6.7.1' } }, status: 'deployed', daysAgo: 6 },
        { chartVersion: '6.7.1', config: { replicaCount: 3, image: { tag: '6.8.0-rc.1' } }, status: 'pending-upgrade', daysAgo: 0.01, description: 'Preparing upgrade' },
      ], 2),
      ms('secret', [
        { chartVersion: '3.12.1', appVersion: '0.7.1', config: {}, status: 'superseded', daysAgo: 90 },
        { chartVersion: '3.12.2', config: { replicas: 2 }, status: 'deployed', daysAgo: 40 },
      ]),
    ];
  }
  return [
    podinfo([
      { chartVersion: '6.7.0', appVersion: '6.7.0', config: { replicaCount: 3 }, status: 'superseded', daysAgo: 21 },
      { chartVersion: '6.7.1', config: { replicaCount: 3, resources: { limits: { memory: '256Mi' } } }, status: 'deployed', daysAgo: 8, hookPhase: 'Succeeded' },
    ], 2),
    {
      chart: STOREFRONT, name: 'storefront', namespace: 'checkout', live: 3, revisions: [
        { chartVersion: '2.2.0', appVersion: '2024.9.1', config: { postgresql: { enabled: false }, externalDatabase: { host: 'shop-db.prod.internal' } }, status: 'superseded', daysAgo: 70 },
        { chartVersion: '2.3.0', appVersion: '2024.10.2', config: { postgresql: { enabled: false }, externalDatabase: { host: 'shop-db.prod.internal' }, replicaCount: 4 }, status: 'superseded', daysAgo: 35 },
        { chartVersion: '2.4.0', config: { postgresql: null, externalDatabase: { host: 'shop-db.prod.internal' }, replicaCount: 4, featureFlags: { newCheckout: true } }, status: 'deployed', daysAgo: 4 },
      ],
    },
    ms('configmap', [{ chartVersion: '3.12.2', config: { args: ['--metric-resolution=30s'] }, status: 'deployed', daysAgo: 50 }]),
  ];
}

function manifestText(docs: { source: string; obj: any }[]): string {
  return docs.map((d) => `---\n# Source: ${d.source}\n${stringify(d.obj, YAML_OPTS)}`).join('');
}

const KIND_TYPES: Record<string, string> = { Deployment: DEPLOY, StatefulSet: STS, Service: SVC, ConfigMap: 'configmaps', ServiceAccount: 'serviceaccounts', Secret: 'secrets', Job: JOB };

/** Helm's encoding of a release for storage: base64 of gzip (best compression) of its JSON. */
export function encodeRelease(rel: unknown): string {
  return gzipSync(Buffer.from(JSON.stringify(rel)), { level: 9 }).toString('base64');
}

/**
 * The `data` of a storage object whose `release` is made on first read (a list, a get, a watch
 * event: JSON.stringify reads it), then kept: rendering, gzip and base64 cost nothing at start.
 */
function lazyData(text: () => string): Record<string, string> {
  let value: string | undefined;
  const data = {} as Record<string, string>;
  Object.defineProperty(data, 'release', { enumerable: true, get: () => (value ??= text()) });
  return data;
}

/** The storage object Helm writes for one revision; `rel` is called when its data is first read. */
export function storageObject(head: { name: string; namespace: string; version: number; status: string }, rel: () => unknown, driver: 'secret' | 'configmap', created: string): { type: string; obj: any } {
  const metadata = {
    name: `sh.helm.release.v1.${head.name}.v${head.version}`, namespace: head.namespace, creationTimestamp: created,
    labels: { name: head.name, owner: 'helm', status: head.status, version: String(head.version), ...(driver === 'configmap' ? { createdAt: String(Math.floor(Date.parse(created) / 1000)) } : {}) },
  };
  if (driver === 'configmap') return { type: 'configmaps', obj: { metadata, data: lazyData(() => encodeRelease(rel())) } };
  return { type: 'secrets', obj: { metadata, type: 'helm.sh/release.v1', data: lazyData(() => Buffer.from(encodeRelease(rel())).toString('base64')) } };
}

/** Write a cluster's releases (every revision) and the live objects of each. */
export function installHelmReleases(c: Cluster): void {
  const now = c.now();
  for (const plan of helmPlans(c.name)) {
    if (!c.store.get('namespaces', undefined, plan.namespace)) {
      c.store.create('namespaces', { metadata: { name: plan.namespace, labels: { 'kubernetes.io/metadata.name': plan.namespace }, creationTimestamp: nowIso(now - 120 * DAY) }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    }
    const first = nowIso(now - plan.revisions[0].daysAgo * DAY);
    const chart = plan.chart;
    plan.revisions.forEach((rv, i) => {
      const version = i + 1;
      const at = nowIso(now - rv.daysAgo * DAY);
      const values = withUser(chart.values, rv.config);
      const docs = chart.render.call({ ...chart, appVersion: rv.appVersion ?? chart.appVersion }, plan.name, plan.namespace, values, rv.chartVersion);
      const rel = () => ({
        name: plan.name,
        info: {
          first_deployed: first, last_deployed: at, deleted: '',
          description: rv.description ?? (version === 1 ? 'Install complete' : 'Upgrade complete'),
          status: rv.status, notes: chart.notes(plan.name, plan.namespace, values),
        },
        chart: {
          metadata: {
            name: chart.name, version: rv.chartVersion, description: chart.description, apiVersion: 'v2', appVersion: rv.appVersion ?? chart.appVersion, type: 'application',
            home: chart.home, ...(chart.dependencies ? { dependencies: chart.dependencies } : {}),
          },
          lock: null,
          templates: chart.templates.map((t) => ({ name: `templates/${t}`, data: Buffer.from(`{{/* ${chart.name} ${t} */}}\n`).toString('base64') })),
          values: chart.values, schema: null, files: [],
        },
        config: rv.config,
        manifest: manifestText(docs),
        hooks: (chart.hooks?.(plan.name, plan.namespace, values) ?? []).map((h) => ({
          name: h.obj.metadata.name, kind: h.obj.kind, path: h.source, manifest: stringify(h.obj, YAML_OPTS), events: h.events,
          last_run: rv.hookPhase ? { started_at: at, completed_at: nowIso(Date.parse(at) + 9000), phase: rv.hookPhase } : { started_at: '', completed_at: '', phase: '' },
          weight: Number(h.obj.metadata.annotations?.['helm.sh/hook-weight'] ?? 0), delete_policies: String(h.obj.metadata.annotations?.['helm.sh/hook-delete-policy'] ?? '').split(',').filter(Boolean),
        })),
        version,
        namespace: plan.namespace,
      });
      const { type, obj } = storageObject({ name: plan.name, namespace: plan.namespace, version, status: rv.status }, rel, plan.driver ?? 'secret', at);
      c.store.create(type, obj);
      if (version !== plan.live) return;
      for (const d of docs) {
        const tk = KIND_TYPES[d.obj.kind];
        if (!tk) continue;
        let live = { ...d.obj, metadata: { ...d.obj.metadata, creationTimestamp: first, annotations: { ...d.obj.metadata.annotations, 'meta.helm.sh/release-name': plan.name, 'meta.helm.sh/release-namespace': plan.namespace } } };
        if (plan.drift && plan.drift.kind === d.obj.kind && plan.drift.name === d.obj.metadata.name) live = plan.drift.edit(live);
        c.store.create(tk, live);
      }
    });
  }
}
