/**
 * @kubernetes/client-node (half a second to load) is not loaded for contexts kmux's own
 * transport serves: the simulated fleet's kubeconfig (every user: client certificate, tokens,
 * the exec plugin), token files, insecure-skip-tls-verify, impersonation, an HTTP proxy. Only
 * an auth-provider entry loads it. Its own file: the flag is per process (each test file runs in
 * a fresh one), and the order of the tests matters.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/kube/connection.js';
import { clientNodeLoaded, loadKubeconfig, type Kubeconfig } from '../../src/kube/kubeconfig.js';
import { ContextClient } from '../../src/store/contexts.js';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { until } from '../helpers/wait.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-lazy-'));
let fleet: Fleet;
const conns: Connection[] = [];
const b64 = (s: string) => Buffer.from(s).toString('base64');

beforeAll(async () => {
  fleet = await startFleet({ clusters: 3, empty: true });
});

afterAll(async () => {
  for (const c of conns) c.close();
  await fleet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

async function whoami(c: Connection): Promise<string> {
  const r = await c.json('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  return r.status.userInfo.username;
}

function conn(kc: Kubeconfig, context: string): Connection {
  const c = new Connection(kc, context);
  conns.push(c);
  return c;
}

describe('client-node stays unloaded', () => {
  it('for every context of the simulated fleet\'s kubeconfig, as kmux opens them (health, discovery)', async () => {
    const kc = loadKubeconfig([write('fleet.yaml', fleet.kubeconfig({ userContexts: true }))]);
    expect(kc.contexts.map((c) => c.name)).toEqual(['dev', 'staging', 'prod', 'prod-viewer', 'prod-team-a', 'prod-exec']);
    const clients = kc.contexts.map((c) => new ContextClient(c, kc));
    try {
      for (const c of clients) c.start();
      await until('every context to answer', () => clients.every((c) => c.health.state === 'ok'), 30_000);
      expect(clients.every((c) => c.resources && c.resources.length > 0)).toBe(true);
    } finally {
      for (const c of clients) c.stop();
    }
    const users = await Promise.all(kc.contexts.map((c) => whoami(conn(kc, c.name))));
    expect(users).toEqual(['admin', 'admin', 'admin', 'viewer', 'team-a', 'exec-user']);
    expect(clientNodeLoaded()).toBe(false);
  });

  it('for certificate and token files, insecure-skip-tls-verify, impersonation and an HTTP proxy', async () => {
    const a = fleet.credentials('admin');
    write('admin.crt', a.cert!);
    write('admin.key', a.key!);
    write('viewer.token', `${fleet.credentials('viewer').token}\n`);
    const proxy = net.createServer((client) => {
      client.once('data', (d) => {
        const m = /^CONNECT (\S+):(\d+) /.exec(d.toString());
        if (!m) return client.destroy();
        const up = net.connect(Number(m[2]), m[1], () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          client.pipe(up).pipe(client);
        });
        up.on('error', () => client.destroy());
        client.on('close', () => up.destroy());
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const server = fleet.members[0].server.url;
      const kc = loadKubeconfig([write('static.yaml', [
        'apiVersion: v1', 'kind: Config',
        'clusters:',
        `- name: ca-file\n  cluster: {server: "${server}", certificate-authority-data: ${b64(fleet.ca)}}`,
        `- name: insecure\n  cluster: {server: "${server}", insecure-skip-tls-verify: true}`,
        `- name: proxied\n  cluster: {server: "${server}", certificate-authority-data: ${b64(fleet.ca)}, proxy-url: "http://127.0.0.1:${(proxy.address() as AddressInfo).port}"}`,
        'users:',
        '- name: cert-files\n  user: {client-certificate: admin.crt, client-key: admin.key}',
        '- name: token-file\n  user: {token-file: viewer.token}',
        '- name: as-viewer\n  user: {client-certificate: admin.crt, client-key: admin.key, as: viewer, as-groups: [qa]}',
        'contexts:',
        '- name: files\n  context: {cluster: ca-file, user: cert-files}',
        '- name: tokenfile\n  context: {cluster: ca-file, user: token-file}',
        '- name: insecure\n  context: {cluster: insecure, user: cert-files}',
        '- name: impersonating\n  context: {cluster: ca-file, user: as-viewer}',
        '- name: proxied\n  context: {cluster: proxied, user: cert-files}',
      ].join('\n'))]);
      const got = await Promise.all(['files', 'tokenfile', 'insecure', 'impersonating', 'proxied'].map((n) => whoami(conn(kc, n))));
      expect(got).toEqual(['admin', 'viewer', 'admin', 'viewer', 'admin']);
      expect(clientNodeLoaded()).toBe(false);
    } finally {
      for (const c of conns) c.close();
      await new Promise((r) => proxy.close(r));
    }
  });
});

describe('client-node loads', () => {
  it('for an auth-provider entry (oidc with a current id-token), which then authenticates', async () => {
    const seg = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const idToken = `${seg({ alg: 'none', typ: 'JWT' })}.${seg({ sub: 'jane', exp: Math.floor(Date.now() / 1000) + 3600 })}.sig`;
    fleet.auth.addToken({ username: 'oidc-jane', groups: ['sso'] }, idToken);
    const kc = loadKubeconfig([write('oidc.yaml', [
      'apiVersion: v1', 'kind: Config',
      `clusters:\n- name: c\n  cluster: {server: "${fleet.members[1].server.url}", certificate-authority-data: ${b64(fleet.ca)}}`,
      `users:\n- name: sso\n  user:\n    auth-provider:\n      name: oidc\n      config: {client-id: kmux, idp-issuer-url: "https://issuer.invalid", id-token: "${idToken}"}`,
      'contexts:\n- name: sso\n  context: {cluster: c, user: sso}',
    ].join('\n'))]);
    expect(clientNodeLoaded()).toBe(false);
    expect(await whoami(conn(kc, 'sso'))).toBe('oidc-jane');
    expect(clientNodeLoaded()).toBe(true);
  });
});
