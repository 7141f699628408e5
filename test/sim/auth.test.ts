/**
 * TLS and authentication of the simulated fleet, on the wire: the CA and the serving
 * certificate, each way in (client certificate, bearer token, exec plugin), the 401s of a
 * wrong credential, what anonymous requests may reach, impersonation, and the plain-http mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { FleetPki } from '../../src/sim/tls.js';
import { request } from '../helpers/http.js';

let fleet: Fleet;
let base: string;
let dir: string;

const UNAUTHORIZED = '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}';

/** One request with exactly these TLS options and headers (no helper defaults). */
function raw(url: string, o: { ca?: string; cert?: string; key?: string; headers?: Record<string, string>; method?: string; body?: string } = {}): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: o.method ?? 'GET', ca: o.ca, cert: o.cert, key: o.key, headers: o.headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

const whoami = async (o: Parameters<typeof raw>[1]) => {
  const r = await raw(`${base}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
    ...o, method: 'POST', headers: { 'Content-Type': 'application/json', ...o?.headers }, body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });
  expect(r.status, r.text).toBe(201);
  return JSON.parse(r.text).status.userInfo;
};

/** Runs the exec plugin the way a kubeconfig's exec entry says, with KUBERNETES_EXEC_INFO as client-go sets it. */
function runPlugin(env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const e = fleet.credentials('exec-user').exec!;
  const vars = Object.fromEntries(e.env.map((v) => [v.name, v.value]));
  return new Promise((resolve) => {
    execFile(e.command, e.args, {
      env: {
        PATH: process.env.PATH ?? '', ...vars,
        KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } }), ...env,
      },
    }, (err, stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  fleet = await startFleet({ clusters: 2, names: ['dev', 'prod'], nodes: 2, pods: 20, seed: 4 });
  base = fleet.member('prod').server.url;
  dir = mkdtempSync(join(tmpdir(), 'kmux-auth-'));
});
afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  it('serves https with a certificate for 127.0.0.1 and localhost, issued by the fleet\'s CA', async () => {
    expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(base).port);
    const peer = await new Promise<tls.PeerCertificate>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, ca: fleet.ca }, () => {
        resolve(s.getPeerCertificate());
        s.end();
      });
      s.on('error', reject);
    });
    expect(peer.subjectaltname).toContain('IP Address:127.0.0.1');
    expect(peer.subjectaltname).toContain('DNS:localhost');
    const ca = new X509Certificate(fleet.ca);
    expect(ca.ca).toBe(true);
    expect(new X509Certificate(peer.raw).checkIssued(ca)).toBe(true);
    // localhost verifies too
    const r = await raw(`https://localhost:${port}/version`, { ca: fleet.ca });
    expect(r.status).toBe(200);
  });

  it('a client that does not trust the CA cannot connect; another fleet\'s CA does not help', async () => {
    await expect(raw(`${base}/version`)).rejects.toThrow(/self-signed|unable to verify|certificate/i);
    await expect(raw(`${base}/version`, { ca: new FleetPki().ca })).rejects.toThrow(/self-signed|unable to verify|certificate/i);
  });

  it('the kubeconfig carries the CA as certificate-authority-data and each user\'s credentials', () => {
    const kc = parseYaml(fleet.kubeconfig({ userContexts: true }));
    for (const c of kc.clusters) {
      expect(c.cluster.server).toMatch(/^https:/);
      expect(Buffer.from(c.cluster['certificate-authority-data'], 'base64').toString()).toBe(fleet.ca);
      expect(c.cluster['insecure-skip-tls-verify']).toBeUndefined();
    }
    expect(kc.contexts.map((c: any) => c.name)).toEqual(['dev', 'prod', 'prod-viewer', 'prod-team-a', 'prod-exec']);
    const user = (name: string) => kc.users.find((u: any) => u.name === name).user;
    const cert = new X509Certificate(Buffer.from(user('prod-admin')['client-certificate-data'], 'base64'));
    expect(cert.subject.split('\n').sort()).toEqual(['CN=admin', 'O=system:masters']);
    expect(cert.checkIssued(new X509Certificate(fleet.ca))).toBe(true);
    expect(user('viewer').token).toBe(fleet.credentials('viewer').token);
    expect(user('team-a').token).toBe(fleet.credentials('team-a').token);
    expect(user('exec-user').exec).toMatchObject({ apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, interactiveMode: 'Never' });
    expect(kc.contexts.find((c: any) => c.name === 'prod-team-a').context).toEqual({ cluster: 'kmux-sim-prod', user: 'team-a', namespace: 'web' });
    // without userContexts: one admin context per cluster, as before
    expect(parseYaml(fleet.kubeconfig()).contexts.map((c: any) => c.name)).toEqual(['dev', 'prod']);
    // one user's kubeconfig: a context per cluster, as that user
    const viewer = parseYaml(fleet.kubeconfig({ user: 'viewer' }));
    expect(viewer.contexts.map((c: any) => [c.name, c.context.user])).toEqual([['dev', 'viewer'], ['prod', 'viewer']]);
  });
});

describe('authentication', () => {
  it('admin by client certificate: CN is the user, O its group', async () => {
    const { cert, key } = fleet.credentials('admin');
    expect(await whoami({ ca: fleet.ca, cert, key })).toEqual({ username: 'admin', groups: ['system:masters', 'system:authenticated'] });
  });

  it('viewer and team-a by bearer token', async () => {
    const bearer = (u: string) => ({ ca: fleet.ca, headers: { Authorization: `Bearer ${fleet.credentials(u).token}` } });
    expect(await whoami(bearer('viewer'))).toEqual({ username: 'viewer', groups: ['system:authenticated'] });
    expect(await whoami(bearer('team-a'))).toEqual({ username: 'team-a', groups: ['team-a', 'system:authenticated'] });
  });

  it('exec-user through the exec plugin: an ExecCredential whose token works until it expires', async () => {
    const out = await runPlugin();
    expect(out.code, out.stderr).toBe(0);
    const cred = JSON.parse(out.stdout);
    expect(Object.keys(cred)).toEqual(['apiVersion', 'kind', 'status']);
    expect(cred).toMatchObject({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential' });
    expect(cred.status.expirationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const ttl = Date.parse(cred.status.expirationTimestamp) - Date.now();
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
    expect(await whoami({ ca: fleet.ca, headers: { Authorization: `Bearer ${cred.status.token}` } })).toEqual({ username: 'exec-user', groups: ['developers', 'system:authenticated'] });
    // a token whose expiry has passed is refused
    const expired = fleet.auth.execToken('exec-user', -1);
    const r = await raw(`${base}/api/v1/namespaces/web/pods`, { ca: fleet.ca, headers: { Authorization: `Bearer ${expired}` } });
    expect([r.status, r.text]).toEqual([401, UNAUTHORIZED]);
    // a token whose signature does not match (a later expiry written in) is refused
    const parts = cred.status.token.split('.');
    parts[2] = String(Number(parts[2]) + 3600);
    const forged = await raw(`${base}/api/v1/namespaces/web/pods`, { ca: fleet.ca, headers: { Authorization: `Bearer ${parts.join('.')}` } });
    expect(forged.status).toBe(401);
  });

  it('the exec plugin refuses an apiVersion it does not speak and missing settings, on stderr with exit 1', async () => {
    const wrong = await runPlugin({ KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', spec: {} }) });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/asked for client\.authentication\.k8s\.io\/v1beta1/);
    const missing = await runPlugin({ KMUX_SIM_EXEC_SECRET: '' });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    const log = join(dir, 'exec.log');
    expect((await runPlugin({ KMUX_SIM_EXEC_LOG: log })).code).toBe(0);
    expect(readFileSync(log, 'utf8')).toMatch(/ exec-user interactive=false expires=\d{4}-/);
  });

  it('a wrong credential is a 401 with the apiserver\'s Status, even for /version', async () => {
    const other = new FleetPki().clientCertificate('admin', ['system:masters']);
    const expired = fleet.clientCertificate('admin', ['system:masters'], { notAfter: new Date(Date.now() - 60_000) });
    const cases: [string, Parameters<typeof raw>[1]][] = [
      ['unknown token', { ca: fleet.ca, headers: { Authorization: 'Bearer not-a-token' } }],
      ['a certificate from another CA', { ca: fleet.ca, cert: other.cert, key: other.key }],
      ['an expired certificate from the fleet\'s CA', { ca: fleet.ca, cert: expired.cert, key: expired.key }],
    ];
    for (const [what, o] of cases) {
      for (const path of ['/api/v1/namespaces/web/pods', '/version', '/apis/authentication.k8s.io/v1/selfsubjectreviews']) {
        const r = await raw(`${base}${path}`, { ...o, method: path.includes('selfsubject') ? 'POST' : 'GET', body: path.includes('selfsubject') ? '{}' : undefined });
        expect([r.status, r.text], `${what} ${path}`).toEqual([401, UNAUTHORIZED]);
        expect(r.headers['content-type']).toBe('application/json');
      }
    }
  });

  it('a bad certificate with a good token is the token\'s user; a good certificate wins over a bad token', async () => {
    const other = new FleetPki().clientCertificate('admin', ['system:masters']);
    expect(await whoami({ ca: fleet.ca, cert: other.cert, key: other.key, headers: { Authorization: `Bearer ${fleet.credentials('viewer').token}` } }))
      .toMatchObject({ username: 'viewer' });
    const { cert, key } = fleet.credentials('admin');
    expect(await whoami({ ca: fleet.ca, cert, key, headers: { Authorization: 'Bearer wrong' } })).toMatchObject({ username: 'admin' });
  });

  it('anonymous: /version, /healthz, /livez and /readyz only (system:public-info-viewer); discovery needs a user', async () => {
    for (const path of ['/version', '/healthz', '/livez', '/readyz']) expect((await raw(`${base}${path}`, { ca: fleet.ca })).status, path).toBe(200);
    for (const path of ['/api', '/apis', '/api/v1', '/apis/apps/v1', '/openapi/v3']) {
      const r = await raw(`${base}${path}`, { ca: fleet.ca });
      expect(r.status, path).toBe(403);
      expect(JSON.parse(r.text)).toEqual({
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
        message: `forbidden: User "system:anonymous" cannot get path "${path}"`, reason: 'Forbidden', details: {}, code: 403,
      });
    }
    const pods = await raw(`${base}/api/v1/namespaces/web/pods`, { ca: fleet.ca });
    expect(JSON.parse(pods.text).message).toBe('pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "web"');
    // and no whoami either: that needs system:authenticated (system:basic-user)
    const who = await raw(`${base}/apis/authentication.k8s.io/v1/selfsubjectreviews`, { ca: fleet.ca, method: 'POST', body: '{}' });
    expect(JSON.parse(who.text).message).toBe('selfsubjectreviews.authentication.k8s.io is forbidden: User "system:anonymous" cannot create resource "selfsubjectreviews" in API group "authentication.k8s.io" at the cluster scope');
    // every authenticated user gets discovery (system:discovery)
    expect((await request(`${base}/apis`, { user: 'team-a' })).status).toBe(200);
  });

  it('the request log names who acted', async () => {
    const from = fleet.member('prod').server.requestLog.length;
    await request(`${base}/api/v1/namespaces/web/pods?limit=1`, { user: 'viewer' });
    await raw(`${base}/version`, { ca: fleet.ca, headers: { Authorization: 'Bearer wrong' } });
    const log = fleet.member('prod').server.requestLog.slice(from);
    expect(log.map((r) => [r.path, r.user, r.status])).toEqual([['/api/v1/namespaces/web/pods', 'viewer', 200], ['/version', undefined, 401]]);
  });
});

describe('impersonation', () => {
  const as = (headers: Record<string, string | string[]>, user = 'admin') => {
    const { ca, cert, key, headers: auth } = fleet.tls(user);
    return { ca, cert, key, headers: { ...auth, ...headers } as Record<string, string> };
  };

  it('admin acts as another user, with the groups asked for and system:authenticated', async () => {
    expect(await whoami(as({ 'Impersonate-User': 'viewer' }))).toEqual({ username: 'viewer', groups: ['system:authenticated'] });
    expect(await whoami(as({ 'Impersonate-User': 'jane', 'Impersonate-Group': ['team-a', 'qa'] } as any)))
      .toEqual({ username: 'jane', groups: ['team-a', 'qa', 'system:authenticated'] });
    expect(await whoami(as({ 'Impersonate-User': 'jane', 'Impersonate-Extra-Scopes': 'view', 'Impersonate-Uid': 'u-1' })))
      .toEqual({ username: 'jane', uid: 'u-1', groups: ['system:authenticated'], extra: { scopes: ['view'] } });
    // acting as system:anonymous is being in system:unauthenticated: /version, but not even whoami
    expect((await raw(`${base}/version`, as({ 'Impersonate-User': 'system:anonymous' }))).status).toBe(200);
    const anon = await raw(`${base}/apis/authentication.k8s.io/v1/selfsubjectreviews`, { ...as({ 'Impersonate-User': 'system:anonymous' }), method: 'POST', body: '{}' });
    expect(JSON.parse(anon.text).message).toMatch(/^selfsubjectreviews\.authentication\.k8s\.io is forbidden: User "system:anonymous" cannot create/);
    expect(await whoami(as({ 'Impersonate-User': 'system:anonymous', 'Impersonate-Group': 'system:authenticated' })))
      .toEqual({ username: 'system:anonymous', groups: ['system:authenticated', 'system:unauthenticated'] });
    expect(await whoami(as({ 'Impersonate-User': 'system:serviceaccount:web:robot' })))
      .toEqual({ username: 'system:serviceaccount:web:robot', groups: ['system:serviceaccounts', 'system:serviceaccounts:web', 'system:authenticated'] });
  });

  it('the request is then authorized as the user acted as', async () => {
    const pod = [...fleet.member('prod').cluster.store.iter('pods', 'web')][0].metadata.name;
    const r = await raw(`${base}/api/v1/namespaces/web/pods/${pod}`, { ...as({ 'Impersonate-User': 'viewer' }), method: 'DELETE' });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text).message).toBe(`pods "${pod}" is forbidden: User "viewer" cannot delete resource "pods" in API group "" in the namespace "web"`);
    expect(fleet.member('prod').server.requestLog.at(-1)?.user).toBe('viewer');
  });

  it('a user without the impersonate verb gets the 403 of the first thing asked for', async () => {
    const r = await raw(`${base}/api/v1/namespaces/web/pods`, as({ 'Impersonate-User': 'admin' }, 'viewer'));
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text)).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'users "admin" is forbidden: User "viewer" cannot impersonate resource "users" in API group "" at the cluster scope',
      reason: 'Forbidden', details: { name: 'admin', kind: 'users' }, code: 403,
    });
    // team-a's edit role allows impersonating service accounts in its namespaces, and nothing else
    expect(await whoami(as({ 'Impersonate-User': 'system:serviceaccount:web:default' }, 'team-a'))).toMatchObject({ username: 'system:serviceaccount:web:default' });
    const group = await raw(`${base}/version`, as({ 'Impersonate-User': 'system:serviceaccount:web:default', 'Impersonate-Group': 'system:masters' }, 'team-a'));
    expect(JSON.parse(group.text).message).toBe('groups "system:masters" is forbidden: User "team-a" cannot impersonate resource "groups" in API group "" at the cluster scope');
    const elsewhere = await raw(`${base}/version`, as({ 'Impersonate-User': 'system:serviceaccount:checkout:default' }, 'team-a'));
    expect(JSON.parse(elsewhere.text).message).toBe('serviceaccounts "default" is forbidden: User "team-a" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "checkout"');
  });

  it('groups without a user: the impersonation filter\'s internal error', async () => {
    const r = await raw(`${base}/version`, as({ 'Impersonate-Group': 'system:masters' }));
    expect(r.status).toBe(500);
    expect(r.text).toBe('Internal Server Error: "/version": requested [{Group  system:masters    }] without impersonating a user\n');
  });

  it('RBAC decides who may impersonate whom: resourceNames narrow it', async () => {
    const admin = (path: string, body: unknown) => request(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await admin('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      metadata: { name: 'impersonate-viewer' }, rules: [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['viewer'] }],
    })).status).toBe(201);
    expect((await admin('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      metadata: { name: 'team-a-impersonates-viewer' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'impersonate-viewer' },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'team-a' }],
    })).status).toBe(201);
    expect(await whoami(as({ 'Impersonate-User': 'viewer' }, 'team-a'))).toEqual({ username: 'viewer', groups: ['system:authenticated'] });
    const admin2 = await raw(`${base}/version`, as({ 'Impersonate-User': 'admin' }, 'team-a'));
    expect(JSON.parse(admin2.text).message).toBe('users "admin" is forbidden: User "team-a" cannot impersonate resource "users" in API group "" at the cluster scope');
  });
});

describe('plain HTTP (--insecure-http)', () => {
  let plain: Fleet;
  beforeAll(async () => {
    plain = await startFleet({ clusters: 1, names: ['plain'], nodes: 2, pods: 10, insecureHttp: true });
  });
  afterAll(async () => plain?.stop());

  it('serves http; a request without credentials is system:unsecured, a master', async () => {
    const url = plain.members[0].server.url;
    expect(url).toMatch(/^http:\/\//);
    expect(plain.ca).toBe('');
    const who = await request(`${url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, { method: 'POST', body: '{}' });
    expect(who.json().status.userInfo).toEqual({ username: 'system:unsecured', groups: ['system:masters', 'system:authenticated'] });
    expect((await request(`${url}/api/v1/pods`)).status).toBe(200);
  });

  it('the kubeconfig has no TLS and no credentials; a bearer token still authenticates', async () => {
    const url = plain.members[0].server.url;
    const kc = parseYaml(plain.kubeconfig({ userContexts: true }));
    expect(kc.clusters[0].cluster).toEqual({ server: url, 'insecure-skip-tls-verify': true });
    expect(kc.contexts.map((c: any) => c.name)).toEqual(['plain']);
    expect(kc.users).toEqual([{ name: 'plain-admin', user: {} }]);
    const r = await request(`${url}/api/v1/namespaces/default/pods`, { method: 'DELETE', user: 'viewer' });
    expect(r.status).toBe(403);
    expect(r.json().message).toBe('pods is forbidden: User "viewer" cannot deletecollection resource "pods" in API group "" in the namespace "default"');
    expect((await request(`${url}/version`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
  });
});
