/**
 * Authorization in the simulated fleet, on the wire: every verb and subresource the sim serves
 * is checked against RBAC with the apiserver's 403s; roles and bindings are real objects
 * (listed, watched, created, validated) and take effect as they change; aggregation,
 * resourceNames, non-resource URLs, missing roles; the review APIs; injected faults on top.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { POD } from '../../src/sim/cluster.js';
import { request, simRequestOptions, watch, type Resp } from '../helpers/http.js';
import { untilAsync } from '../helpers/wait.js';

let fleet: Fleet;
let base: string;
const store = () => fleet.members[0].cluster.store;
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const JSON_CT = { 'Content-Type': 'application/json' };
const MERGE = { 'Content-Type': 'application/merge-patch+json' };

const as = (user: string, path: string, o: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Resp> =>
  request(`${base}${path}`, {
    user, method: o.method ?? 'GET', headers: { ...(o.body !== undefined ? JSON_CT : {}), ...o.headers },
    ...(o.body !== undefined ? { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) } : {}),
  });

/** The 403 body the apiserver writes for `message` and `details`. */
const forbidden = (message: string, details: Record<string, string>) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Forbidden', details, code: 403 });

async function expect403(r: Resp, message: string, details: Record<string, string>): Promise<void> {
  expect(r.status, r.text).toBe(403);
  expect(r.headers['x-content-type-options']).toBe('nosniff');
  expect(r.json()).toEqual(forbidden(message, details));
}

const podIn = (ns: string) => [...store().iter(POD, ns)].find((p) => p.status?.phase === 'Running')!.metadata.name as string;

const create = async (path: string, body: unknown, user = 'admin') => {
  const r = await as(user, path, { method: 'POST', body });
  expect(r.status, r.text).toBe(201);
  return r.json();
};

const binding = (name: string, role: string, subjects: unknown[], ns?: string, kind = 'ClusterRole') => ({
  metadata: { name, ...(ns ? { namespace: ns } : {}) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role }, subjects,
});
const user = (name: string) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, names: ['prod'], nodes: 3, pods: 40, seed: 12, cluster: { startDelayMs: [20, 60], stopDelayMs: [20, 60] } });
  base = fleet.members[0].server.url;
  // the scenario's app namespaces at this size are web, payments and checkout; a few more for the tests
  for (const ns of ['data', 'ml', 'search', 'inventory']) await create('/api/v1/namespaces', { metadata: { name: ns } });
});
afterAll(async () => fleet?.stop());

describe('the scenario\'s users, verb by verb', () => {
  it('viewer reads pods in any namespace and across them; list, watch and get are allowed', async () => {
    const pod = podIn('web');
    expect((await as('viewer', '/api/v1/pods?limit=5')).status).toBe(200);
    expect((await as('viewer', '/api/v1/namespaces/checkout/pods')).status).toBe(200);
    expect((await as('viewer', `/api/v1/namespaces/web/pods/${pod}`)).status).toBe(200);
    const w = watch(`${base}/api/v1/namespaces/web/pods?watch=true`, {}, 'viewer');
    expect(await w.status).toBe(200);
    await w.waitFor(1);
    w.close();
    expect((await as('viewer', '/api/v1/namespaces')).status).toBe(200);
  });

  it('viewer may not write: create, update, patch, delete and deletecollection, each with its 403', async () => {
    const pod = podIn('web');
    const cur = (await as('admin', `/api/v1/namespaces/web/pods/${pod}`)).json();
    await expect403(await as('viewer', '/api/v1/namespaces/web/configmaps', { method: 'POST', body: { metadata: { name: 'x' } } }),
      'configmaps is forbidden: User "viewer" cannot create resource "configmaps" in API group "" in the namespace "web"', { kind: 'configmaps' });
    await expect403(await as('viewer', `/api/v1/namespaces/web/pods/${pod}`, { method: 'PUT', body: cur }),
      `pods "${pod}" is forbidden: User "viewer" cannot update resource "pods" in API group "" in the namespace "web"`, { name: pod, kind: 'pods' });
    await expect403(await as('viewer', `/api/v1/namespaces/web/pods/${pod}`, { method: 'PATCH', body: '{}', headers: MERGE }),
      `pods "${pod}" is forbidden: User "viewer" cannot patch resource "pods" in API group "" in the namespace "web"`, { name: pod, kind: 'pods' });
    await expect403(await as('viewer', `/api/v1/namespaces/web/pods/${pod}`, { method: 'DELETE' }),
      `pods "${pod}" is forbidden: User "viewer" cannot delete resource "pods" in API group "" in the namespace "web"`, { name: pod, kind: 'pods' });
    await expect403(await as('viewer', '/api/v1/namespaces/web/pods', { method: 'DELETE' }),
      'pods is forbidden: User "viewer" cannot deletecollection resource "pods" in API group "" in the namespace "web"', { kind: 'pods' });
    // a group other than core is named; so is a cluster-scoped write
    await expect403(await as('viewer', '/apis/apps/v1/namespaces/web/deployments/frontend', { method: 'DELETE' }),
      'deployments.apps "frontend" is forbidden: User "viewer" cannot delete resource "deployments" in API group "apps" in the namespace "web"', { name: 'frontend', group: 'apps', kind: 'deployments' });
    await expect403(await as('viewer', '/api/v1/namespaces', { method: 'POST', body: { metadata: { name: 'mine' } } }),
      'namespaces is forbidden: User "viewer" cannot create resource "namespaces" in API group "" at the cluster scope', { kind: 'namespaces' });
    // view has no secrets and no nodes
    await expect403(await as('viewer', '/api/v1/namespaces/web/secrets'), 'secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" in the namespace "web"', { kind: 'secrets' });
    await expect403(await as('viewer', '/api/v1/nodes'), 'nodes is forbidden: User "viewer" cannot list resource "nodes" in API group "" at the cluster scope', { kind: 'nodes' });
    expect(store().get(POD, 'web', pod)).toBeTruthy();
  });

  it('watch is its own verb: ?watch=true and the /watch/ prefix', async () => {
    await expect403(await as('team-a', '/api/v1/namespaces/checkout/pods?watch=true'),
      'pods is forbidden: User "team-a" cannot watch resource "pods" in API group "" in the namespace "checkout"', { kind: 'pods' });
    await expect403(await as('team-a', '/api/v1/watch/namespaces/checkout/pods'),
      'pods is forbidden: User "team-a" cannot watch resource "pods" in API group "" in the namespace "checkout"', { kind: 'pods' });
    await expect403(await as('team-a', '/api/v1/pods?watch=1'),
      'pods is forbidden: User "team-a" cannot watch resource "pods" in API group "" at the cluster scope', { kind: 'pods' });
  });

  it('team-a edits in web and payments, and nowhere else; no namespaces or nodes list', async () => {
    for (const ns of ['web', 'payments']) {
      await create(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'team-a-note' }, data: { a: '1' } }, 'team-a');
      expect((await as('team-a', `/api/v1/namespaces/${ns}/configmaps/team-a-note`, { method: 'PATCH', body: { data: { a: '2' } }, headers: MERGE })).status).toBe(200);
      expect((await as('team-a', `/api/v1/namespaces/${ns}/secrets`)).status).toBe(200);
      expect((await as('team-a', `/api/v1/namespaces/${ns}/configmaps/team-a-note`, { method: 'DELETE' })).status).toBe(200);
    }
    await expect403(await as('team-a', '/api/v1/namespaces/checkout/configmaps', { method: 'POST', body: { metadata: { name: 'x' } } }),
      'configmaps is forbidden: User "team-a" cannot create resource "configmaps" in API group "" in the namespace "checkout"', { kind: 'configmaps' });
    await expect403(await as('team-a', '/api/v1/namespaces'), 'namespaces is forbidden: User "team-a" cannot list resource "namespaces" in API group "" at the cluster scope', { kind: 'namespaces' });
    await expect403(await as('team-a', '/api/v1/nodes'), 'nodes is forbidden: User "team-a" cannot list resource "nodes" in API group "" at the cluster scope', { kind: 'nodes' });
    await expect403(await as('team-a', '/api/v1/pods'), 'pods is forbidden: User "team-a" cannot list resource "pods" in API group "" at the cluster scope', { kind: 'pods' });
    // its own namespace object is in its namespace: a RoleBinding there lets it get it, not another
    expect((await as('team-a', '/api/v1/namespaces/web')).status).toBe(200);
    await expect403(await as('team-a', '/api/v1/namespaces/checkout'),
      'namespaces "checkout" is forbidden: User "team-a" cannot get resource "namespaces" in API group "" in the namespace "checkout"', { name: 'checkout', kind: 'namespaces' });
    // a kind the sim does not serve: authorization comes first, so a 403 and not a 404
    await expect403(await as('team-a', '/apis/example.com/v1/namespaces/checkout/widgets'),
      'widgets.example.com is forbidden: User "team-a" cannot list resource "widgets" in API group "example.com" in the namespace "checkout"', { group: 'example.com', kind: 'widgets' });
    expect((await as('admin', '/apis/example.com/v1/namespaces/checkout/widgets')).status).toBe(404);
  });
});

describe('subresources', () => {
  it('pods/log is get: view reads logs', async () => {
    const pod = podIn('web');
    const c = store().get(POD, 'web', pod).spec.containers[0].name;
    expect((await as('viewer', `/api/v1/namespaces/web/pods/${pod}/log?container=${c}&tailLines=1`)).status).toBe(200);
    await expect403(await as('team-a', `/api/v1/namespaces/checkout/pods/${podIn('checkout')}/log`),
      `pods "${podIn('checkout')}" is forbidden: User "team-a" cannot get resource "pods/log" in API group "" in the namespace "checkout"`, { name: podIn('checkout'), kind: 'pods' });
  });

  /** A WebSocket upgrade of exec, attach or portforward as `user`: 101, or the refusal's status and body. */
  function upgrade(user: string, path: string, protocols: string[]): Promise<{ status: number; body?: any }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${base.replace(/^http/, 'ws')}${path}`, protocols, simRequestOptions(base, user));
      ws.on('open', () => {
        ws.terminate();
        resolve({ status: 101 });
      });
      ws.on('unexpected-response', (req, res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        });
      });
      ws.on('error', reject);
    });
  }

  it('exec, attach and portforward are create on pods/exec, pods/attach, pods/portforward: edit has them, view not', async () => {
    const pod = podIn('web');
    const c = store().get(POD, 'web', pod).spec.containers[0].name;
    const cases: [string, string[]][] = [
      [`exec?command=true&stdout=true&container=${c}`, ['v5.channel.k8s.io']],
      [`attach?stdout=true&container=${c}`, ['v5.channel.k8s.io']],
      ['portforward?ports=8080', ['v4.channel.k8s.io']],
    ];
    for (const [sub, protocols] of cases) {
      const name = sub.split('?')[0];
      const path = `/api/v1/namespaces/web/pods/${pod}/${sub}`;
      const refused = await upgrade('viewer', path, protocols);
      expect(refused.status, name).toBe(403);
      expect(refused.body).toEqual(forbidden(`pods "${pod}" is forbidden: User "viewer" cannot create resource "pods/${name}" in API group "" in the namespace "web"`, { name: pod, kind: 'pods' }));
      expect((await upgrade('team-a', path, protocols)).status, name).toBe(101);
    }
    // the SPDY form (a POST) is checked the same way
    const spdy = await as('viewer', `/api/v1/namespaces/web/pods/${pod}/portforward`, { method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' } });
    expect(spdy.json().message).toBe(`pods "${pod}" is forbidden: User "viewer" cannot create resource "pods/portforward" in API group "" in the namespace "web"`);
  });

  it('pods/eviction is create: edit evicts, view cannot', async () => {
    const [a, b] = [...store().iter(POD, 'payments')].filter((p) => p.status?.phase === 'Running').map((p) => p.metadata.name);
    const eviction = (name: string) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'payments' } });
    await expect403(await as('viewer', `/api/v1/namespaces/payments/pods/${a}/eviction`, { method: 'POST', body: eviction(a) }),
      `pods "${a}" is forbidden: User "viewer" cannot create resource "pods/eviction" in API group "" in the namespace "payments"`, { name: a, kind: 'pods' });
    const ok = await as('team-a', `/api/v1/namespaces/payments/pods/${b}/eviction`, { method: 'POST', body: eviction(b) });
    expect([201, 429]).toContain(ok.status);
  });

  it('deployments/scale: get for view; update and patch for edit', async () => {
    const scale = '/apis/apps/v1/namespaces/web/deployments/frontend/scale';
    const cur = await as('viewer', scale);
    expect(cur.status).toBe(200);
    expect(cur.json().kind).toBe('Scale');
    await expect403(await as('viewer', scale, { method: 'PATCH', body: { spec: { replicas: 4 } }, headers: MERGE }),
      'deployments.apps "frontend" is forbidden: User "viewer" cannot patch resource "deployments/scale" in API group "apps" in the namespace "web"', { name: 'frontend', group: 'apps', kind: 'deployments' });
    await expect403(await as('viewer', scale, { method: 'PUT', body: { ...cur.json(), spec: { replicas: 4 } } }),
      'deployments.apps "frontend" is forbidden: User "viewer" cannot update resource "deployments/scale" in API group "apps" in the namespace "web"', { name: 'frontend', group: 'apps', kind: 'deployments' });
    const patched = await as('team-a', scale, { method: 'PATCH', body: { spec: { replicas: 4 } }, headers: MERGE });
    expect([patched.status, patched.json().spec.replicas]).toEqual([200, 4]);
    const put = await as('team-a', scale, { method: 'PUT', body: { ...patched.json(), spec: { replicas: 2 } } });
    expect([put.status, put.json().spec.replicas]).toEqual([200, 2]);
  });
});

describe('roles and bindings are API objects', () => {
  it('the default ClusterRoles and bindings are listed; view, edit and admin are aggregated', async () => {
    const roles = (await as('admin', `${RBAC}/clusterroles`)).json();
    expect(roles.kind).toBe('ClusterRoleList');
    const names = roles.items.map((r: any) => r.metadata.name);
    for (const n of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:basic-user', 'system:public-info-viewer']) expect(names).toContain(n);
    const view = roles.items.find((r: any) => r.metadata.name === 'view');
    expect(view.aggregationRule).toEqual({ clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }] });
    const allows = (role: any, group: string, resource: string, verb: string) =>
      role.rules.some((r: any) => r.apiGroups?.includes(group) && r.resources?.includes(resource) && r.verbs.includes(verb));
    expect(allows(view, '', 'pods', 'list')).toBe(true);
    expect(allows(view, '', 'pods/log', 'get')).toBe(true);
    expect(allows(view, '', 'secrets', 'get')).toBe(false);
    expect(allows(view, '', 'pods/exec', 'create')).toBe(false);
    const edit = roles.items.find((r: any) => r.metadata.name === 'edit');
    for (const [g, res, v] of [['', 'pods', 'list'], ['', 'secrets', 'get'], ['', 'pods/exec', 'create'], ['', 'pods/eviction', 'create'], ['apps', 'deployments/scale', 'patch']]) {
      expect(allows(edit, g, res, v), `${res} ${v}`).toBe(true);
    }
    expect(allows(edit, 'rbac.authorization.k8s.io', 'roles', 'create')).toBe(false);
    const admin = roles.items.find((r: any) => r.metadata.name === 'admin');
    expect(allows(admin, 'rbac.authorization.k8s.io', 'rolebindings', 'create')).toBe(true);
    expect(allows(admin, '', 'pods/exec', 'create')).toBe(true);
    const crb = (await as('admin', `${RBAC}/clusterrolebindings/cluster-admin`)).json();
    expect(crb).toMatchObject({ roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'Group', name: 'system:masters' }] });
  });

  it('a ClusterRole labelled aggregate-to-view joins view, then edit and admin, and leaves with its label', async () => {
    const widgets = { apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get', 'list', 'watch'] };
    await create(`${RBAC}/clusterroles`, { metadata: { name: 'widget-reader', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }, rules: [widgets] });
    const has = async (role: string) => (await as('admin', `${RBAC}/clusterroles/${role}`)).json().rules.some((r: any) => JSON.stringify(r) === JSON.stringify(widgets));
    for (const role of ['view', 'edit', 'admin']) await untilAsync(`${role} to include the widget rule`, () => has(role));
    expect((await as('viewer', '/apis/example.com/v1/namespaces/web/widgets')).status).toBe(404);
    await as('admin', `${RBAC}/clusterroles/widget-reader`, { method: 'PATCH', body: { metadata: { labels: { 'rbac.authorization.k8s.io/aggregate-to-view': null } } }, headers: MERGE });
    for (const role of ['view', 'edit', 'admin']) await untilAsync(`${role} to drop the widget rule`, async () => !(await has(role)));
    expect((await as('viewer', '/apis/example.com/v1/namespaces/web/widgets')).status).toBe(403);
  });

  it('a binding takes effect at once and its deletion too; a RoleBinding to a Role in its namespace', async () => {
    const path = '/api/v1/namespaces/checkout/configmaps';
    expect((await as('viewer', path, { method: 'POST', body: { metadata: { name: 'v1' } } })).status).toBe(403);
    await create(`${RBAC}/namespaces/checkout/roles`, { metadata: { name: 'cm-writer', namespace: 'checkout' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'delete'] }] });
    await create(`${RBAC}/namespaces/checkout/rolebindings`, binding('viewer-cm', 'cm-writer', [user('viewer')], 'checkout', 'Role'));
    expect((await as('viewer', path, { method: 'POST', body: { metadata: { name: 'v1' } } })).status).toBe(201);
    // only there
    expect((await as('viewer', '/api/v1/namespaces/data/configmaps', { method: 'POST', body: { metadata: { name: 'v1' } } })).status).toBe(403);
    expect((await as('admin', `${RBAC}/namespaces/checkout/rolebindings/viewer-cm`, { method: 'DELETE' })).status).toBe(200);
    expect((await as('viewer', `${path}/v1`, { method: 'DELETE' })).status).toBe(403);
  });

  it('a ServiceAccount subject without a namespace is the binding\'s namespace', async () => {
    const token = fleet.addToken('system:serviceaccount:search:robot', ['system:serviceaccounts', 'system:serviceaccounts:search']);
    await create(`${RBAC}/namespaces/search/rolebindings`, binding('robot-view', 'view', [{ kind: 'ServiceAccount', name: 'robot' }], 'search'));
    const get = (ns: string) => request(`${base}/api/v1/namespaces/${ns}/pods`, { user: 'anonymous', headers: { Authorization: `Bearer ${token}` } });
    expect((await get('search')).status).toBe(200);
    expect((await get('web')).json().message).toBe('pods is forbidden: User "system:serviceaccount:search:robot" cannot list resource "pods" in API group "" in the namespace "web"');
  });

  it('a binding to a role that does not exist: the 403 says so', async () => {
    await create(`${RBAC}/namespaces/data/rolebindings`, binding('ghost', 'no-such-role', [user('viewer')], 'data'));
    const r = await as('viewer', '/api/v1/namespaces/data/secrets');
    expect(r.json().message).toBe('secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" in the namespace "data": RBAC: clusterrole.rbac.authorization.k8s.io "no-such-role" not found');
    // a user the binding does not name sees no such reason
    expect((await as('team-a', '/api/v1/namespaces/data/secrets')).json().message).toBe('secrets is forbidden: User "team-a" cannot list resource "secrets" in API group "" in the namespace "data"');
    await as('admin', `${RBAC}/namespaces/data/rolebindings/ghost`, { method: 'DELETE' });
  });

  it('resourceNames allow get and friends on those names; list, watch and create only with a metadata.name selector, or never', async () => {
    await create('/api/v1/namespaces/ml/configmaps', { metadata: { name: 'a' }, data: {} });
    await create('/api/v1/namespaces/ml/configmaps', { metadata: { name: 'b' }, data: {} });
    await create(`${RBAC}/namespaces/ml/roles`, {
      metadata: { name: 'only-a' }, rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] }],
    });
    await create(`${RBAC}/namespaces/ml/rolebindings`, binding('team-a-only-a', 'only-a', [user('team-a')], 'ml', 'Role'));
    const cm = '/api/v1/namespaces/ml/configmaps';
    expect((await as('team-a', `${cm}/a`)).status).toBe(200);
    expect((await as('team-a', `${cm}/a`, { method: 'PATCH', body: { data: { x: '1' } }, headers: MERGE })).status).toBe(200);
    await expect403(await as('team-a', `${cm}/b`), 'configmaps "b" is forbidden: User "team-a" cannot get resource "configmaps" in API group "" in the namespace "ml"', { name: 'b', kind: 'configmaps' });
    await expect403(await as('team-a', cm), 'configmaps is forbidden: User "team-a" cannot list resource "configmaps" in API group "" in the namespace "ml"', { kind: 'configmaps' });
    // kubectl get cm a -w: a list and a watch narrowed to the name are that name
    const one = await as('team-a', `${cm}?fieldSelector=metadata.name%3Da`);
    expect(one.json().items.map((i: any) => i.metadata.name)).toEqual(['a']);
    const w = watch(`${base}${cm}?watch=true&fieldSelector=metadata.name%3Da`, {}, 'team-a');
    expect(await w.status).toBe(200);
    w.close();
    await expect403(await as('team-a', `${cm}?fieldSelector=metadata.name%3Db`),
      'configmaps "b" is forbidden: User "team-a" cannot list resource "configmaps" in API group "" in the namespace "ml"', { name: 'b', kind: 'configmaps' });
    // create has no name to check (even when the body has one), nor deletecollection
    await expect403(await as('team-a', cm, { method: 'POST', body: { metadata: { name: 'a' } } }),
      'configmaps is forbidden: User "team-a" cannot create resource "configmaps" in API group "" in the namespace "ml"', { kind: 'configmaps' });
    await expect403(await as('team-a', cm, { method: 'DELETE' }),
      'configmaps is forbidden: User "team-a" cannot deletecollection resource "configmaps" in API group "" in the namespace "ml"', { kind: 'configmaps' });
    expect((await as('team-a', `${cm}/a`, { method: 'DELETE' })).status).toBe(200);
  });

  it('nonResourceURLs: exact paths and a trailing *', async () => {
    await create(`${RBAC}/clusterroles`, { metadata: { name: 'anon-core-discovery' }, rules: [{ nonResourceURLs: ['/api', '/apis/apps/*'], verbs: ['get'] }] });
    await create(`${RBAC}/clusterrolebindings`, binding('anon-core-discovery', 'anon-core-discovery', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:unauthenticated' }]));
    expect((await as('anonymous', '/api')).status).toBe(200);
    expect((await as('anonymous', '/apis/apps/v1')).status).toBe(200);
    expect((await as('anonymous', '/apis/apps')).json().message).toBe('forbidden: User "system:anonymous" cannot get path "/apis/apps"');
    expect((await as('anonymous', '/api/v1')).status).toBe(403);
    await as('admin', `${RBAC}/clusterrolebindings/anon-core-discovery`, { method: 'DELETE' });
    expect((await as('anonymous', '/api')).status).toBe(403);
  });

  it('watching bindings sees them come and go; a Table names the role and the subjects', async () => {
    const w = watch(`${base}${RBAC}/namespaces/inventory/rolebindings?watch=true`);
    await create(`${RBAC}/namespaces/inventory/rolebindings`, binding('qa-view', 'view', [user('qa'), { kind: 'Group', name: 'testers' }, { kind: 'ServiceAccount', name: 'ci', namespace: 'build' }], 'inventory'));
    await w.until((e) => e.type === 'ADDED' && e.object.metadata.name === 'qa-view');
    const table = (await as('admin', `${RBAC}/namespaces/inventory/rolebindings`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })).json();
    expect(table.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts']);
    const row = table.rows.find((r: any) => r.cells[0] === 'qa-view');
    expect([row.cells[1], row.cells[3], row.cells[4], row.cells[5]]).toEqual(['ClusterRole/view', 'qa', 'testers', 'build/ci']);
    await as('admin', `${RBAC}/namespaces/inventory/rolebindings/qa-view`, { method: 'DELETE' });
    await w.until((e) => e.type === 'DELETED' && e.object.metadata.name === 'qa-view');
    w.close();
  });

  it('validation: a ClusterRoleBinding cannot name a Role; a roleRef cannot change', async () => {
    const bad = await as('admin', `${RBAC}/clusterrolebindings`, { method: 'POST', body: binding('bad', 'x', [user('u')], undefined, 'Role') });
    expect(bad.status).toBe(422);
    expect(bad.json().message).toBe('ClusterRoleBinding.rbac.authorization.k8s.io "bad" is invalid: roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"');
    const b = await create(`${RBAC}/clusterrolebindings`, binding('fixed', 'view', [user('u')]));
    const changed = await as('admin', `${RBAC}/clusterrolebindings/fixed`, { method: 'PUT', body: { ...b, roleRef: { ...b.roleRef, name: 'edit' } } });
    expect(changed.status).toBe(422);
    expect(changed.json().message).toBe('ClusterRoleBinding.rbac.authorization.k8s.io "fixed" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef');
    // the subjects may change
    expect((await as('admin', `${RBAC}/clusterrolebindings/fixed`, { method: 'PUT', body: { ...b, subjects: [user('w')] } })).status).toBe(200);
  });
});

describe('the review APIs', () => {
  const ssar = (who: string, attrs: Record<string, unknown>) =>
    as(who, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { method: 'POST', body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: attrs } });

  it('SelfSubjectAccessReview: allowed with the binding that allows it, or not', async () => {
    const r = await ssar('viewer', { resourceAttributes: { namespace: 'web', verb: 'list', resource: 'pods' } });
    expect(r.status).toBe(201);
    expect(r.json()).toEqual({
      kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: 'web', verb: 'list', resource: 'pods' } },
      status: { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "viewer-view" of ClusterRole "view" to User "viewer"' },
    });
    expect((await ssar('viewer', { resourceAttributes: { namespace: 'web', verb: 'create', resource: 'pods', subresource: 'exec' } })).json().status).toEqual({ allowed: false });
    expect((await ssar('team-a', { resourceAttributes: { namespace: 'web', verb: 'create', resource: 'pods', subresource: 'exec' } })).json().status)
      .toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "team-a-edit/web" of ClusterRole "edit" to Group "team-a"' });
    expect((await ssar('team-a', { resourceAttributes: { verb: 'list', resource: 'nodes' } })).json().status).toEqual({ allowed: false });
    // system:masters are allowed ahead of RBAC: no reason
    expect((await ssar('admin', { resourceAttributes: { verb: 'delete', resource: 'nodes' } })).json().status).toEqual({ allowed: true });
    expect((await ssar('viewer', { nonResourceAttributes: { path: '/apis', verb: 'get' } })).json().status)
      .toEqual({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"' });
    const invalid = await ssar('viewer', {});
    expect([invalid.status, invalid.json().message]).toEqual([422, 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified']);
  });

  it('SelfSubjectRulesReview: the rules that apply in a namespace, complete', async () => {
    const rules = async (who: string, ns: string) => {
      const r = await as(who, '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { method: 'POST', body: { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', spec: { namespace: ns } } });
      expect(r.status).toBe(201);
      return r.json().status;
    };
    const grants = (st: any, resource: string, verb: string) => st.resourceRules.some((r: any) => r.resources.includes(resource) && r.verbs.includes(verb));
    const teamWeb = await rules('team-a', 'web');
    expect(teamWeb.incomplete).toBe(false);
    expect(grants(teamWeb, 'pods', 'delete')).toBe(true);
    expect(grants(teamWeb, 'selfsubjectrulesreviews', 'create')).toBe(true);
    expect(teamWeb.nonResourceRules).toContainEqual({ verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] });
    const teamCheckout = await rules('team-a', 'checkout');
    expect(grants(teamCheckout, 'pods', 'delete')).toBe(false);
    expect(grants(teamCheckout, 'pods', 'list')).toBe(false);
    const viewer = await rules('viewer', 'checkout');
    expect(grants(viewer, 'pods', 'list')).toBe(true);
    expect(grants(viewer, 'secrets', 'get')).toBe(false);
    expect(await rules('admin', 'web')).toMatchObject({ resourceRules: expect.arrayContaining([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]), incomplete: false });
  });

  it('SubjectAccessReview and LocalSubjectAccessReview: about anyone, for those allowed to ask', async () => {
    const sar = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'viewer', groups: ['system:authenticated'], resourceAttributes: { namespace: 'web', verb: 'get', resource: 'secrets' } } };
    const r = await as('admin', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { method: 'POST', body: sar });
    expect([r.status, r.json().status]).toEqual([201, { allowed: false }]);
    const team = await as('admin', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { method: 'POST', body: { ...sar, spec: { ...sar.spec, user: 'jane', groups: ['team-a'] } } });
    expect(team.json().status).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "team-a-edit/web" of ClusterRole "edit" to Group "team-a"' });
    await expect403(await as('viewer', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { method: 'POST', body: sar }),
      'subjectaccessreviews.authorization.k8s.io is forbidden: User "viewer" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope',
      { group: 'authorization.k8s.io', kind: 'subjectaccessreviews' });
    const noSubject = await as('admin', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { method: 'POST', body: { ...sar, spec: { resourceAttributes: sar.spec.resourceAttributes } } });
    expect(noSubject.json().message).toBe('SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified');
    const local = { ...sar, kind: 'LocalSubjectAccessReview' };
    expect((await as('admin', '/apis/authorization.k8s.io/v1/namespaces/web/localsubjectaccessreviews', { method: 'POST', body: local })).json().status).toEqual({ allowed: false });
    const mismatch = await as('admin', '/apis/authorization.k8s.io/v1/namespaces/payments/localsubjectaccessreviews', { method: 'POST', body: local });
    expect([mismatch.status, mismatch.json().message]).toEqual([400, 'spec.resourceAttributes.namespace must match namespace: payments']);
    // edit has no localsubjectaccessreviews; admin (the role) has
    await expect403(await as('team-a', '/apis/authorization.k8s.io/v1/namespaces/web/localsubjectaccessreviews', { method: 'POST', body: local }),
      'localsubjectaccessreviews.authorization.k8s.io is forbidden: User "team-a" cannot create resource "localsubjectaccessreviews" in API group "authorization.k8s.io" in the namespace "web"',
      { group: 'authorization.k8s.io', kind: 'localsubjectaccessreviews' });
  });
});

describe('faults on top of RBAC', () => {
  it('an injected 403 names the requester and comes before RBAC; an injected 401 refuses even admin', async () => {
    const srv = fleet.members[0].server;
    try {
      srv.faults.deny.push({ code: 403, resource: 'pods', namespace: 'web', verbs: ['list'] });
      await expect403(await as('viewer', '/api/v1/namespaces/web/pods'), 'pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "web"', { kind: 'pods' });
      await expect403(await as('admin', '/api/v1/namespaces/web/pods'), 'pods is forbidden: User "admin" cannot list resource "pods" in API group "" in the namespace "web"', { kind: 'pods' });
      expect((await as('viewer', '/api/v1/namespaces/payments/pods')).status).toBe(200);
      srv.faults.clear();
      srv.faults.deny.push({ code: 401, namespace: 'web' });
      expect((await as('admin', '/api/v1/namespaces/web/pods')).status).toBe(401);
      expect((await as('admin', '/api/v1/namespaces/payments/pods')).status).toBe(200);
    } finally {
      srv.faults.clear();
    }
  });
});
