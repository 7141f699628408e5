import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { Connection } from '../../src/kube/connection.js';
import { discover, resolveResource, resourcePath, type ApiResource } from '../../src/kube/discovery.js';
import { loadKubeconfig, type Kubeconfig } from '../../src/kube/kubeconfig.js';
import { simRequestOptions } from '../helpers/http.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-disc-'));
let fleet: Fleet;
let kc: Kubeconfig;
let proxy: http.Server;
let proxied: string[] = [];

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, nodes: 2, pods: 10 });
  const sim = fleet.members[0].server;
  // a server that only speaks legacy discovery: forwards to the sim (over TLS, as its admin) without the aggregated Accept
  proxy = http.createServer((req, res) => {
    proxied.push(req.url!);
    const up = https.request(`${sim.url}${req.url}`, { method: req.method, ...simRequestOptions(sim.url, 'admin', { accept: 'application/json' }) }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const f = path.join(dir, 'config');
  const legacyPort = (proxy.address() as AddressInfo).port;
  writeFileSync(f, fleet.kubeconfig() + '');
  const extra = path.join(dir, 'legacy');
  writeFileSync(extra, [
    'apiVersion: v1', 'kind: Config', 'clusters:', '- name: legacy', '  cluster:', `    server: http://127.0.0.1:${legacyPort}`,
    'contexts:', '- name: legacy', '  context:', '    cluster: legacy', '    user: nobody',
  ].join('\n'));
  kc = loadKubeconfig([f, extra]);
});

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((r) => proxy?.close(r));
  await fleet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function check(all: ApiResource[]) {
  const pods = all.find((r) => r.plural === 'pods' && r.group === '')!;
  expect(pods).toMatchObject({ version: 'v1', kind: 'Pod', singular: 'pod', namespaced: true, shortNames: ['po'] });
  expect(pods.verbs).toContain('watch');
  const deploy = all.find((r) => r.plural === 'deployments')!;
  expect(deploy).toMatchObject({ group: 'apps', version: 'v1', kind: 'Deployment', namespaced: true });
  expect(deploy.categories).toContain('all');
  const db = all.find((r) => r.plural === 'databases')!;
  expect(db).toMatchObject({ group: 'sim.kmux.dev', kind: 'Database', shortNames: ['db'] });
  expect(all.some((r) => r.plural.includes('/'))).toBe(false);
  expect(all[0].group).toBe('');
  expect(all.find((r) => r.plural === 'nodes' && r.group === '')!.namespaced).toBe(false);
}

describe('discovery', () => {
  let aggregated: ApiResource[];

  it('reads aggregated discovery', async () => {
    const conn = new Connection(kc, fleet.members[0].name);
    const sim = fleet.members[0].server;
    const from = sim.requestLog.length;
    aggregated = await discover(conn);
    check(aggregated);
    // two requests: /api and /apis
    expect(sim.requestLog.slice(from).map((r) => r.path).sort()).toEqual(['/api', '/apis']);
    expect(await discover(conn)).toEqual(aggregated); // deterministic
    conn.close();
  });

  it('falls back to legacy discovery with the same result', async () => {
    const conn = new Connection(kc, 'legacy');
    proxied = [];
    const legacy = await discover(conn);
    check(legacy);
    expect(proxied).toContain('/api/v1');
    expect(proxied).toContain('/apis/apps/v1');
    const key = (r: ApiResource) => `${r.plural}.${r.group}`;
    expect(legacy.map(key).sort()).toEqual(aggregated.map(key).sort());
    conn.close();
  });

  it('resolves names like kubectl', () => {
    const all = aggregated;
    const res = (n: string) => {
      const r = resolveResource(all, n);
      return r ? `${r.plural}.${r.group}` : undefined;
    };
    expect(res('po')).toBe('pods.');
    expect(res('Pod')).toBe('pods.');
    expect(res('PODS')).toBe('pods.');
    expect(res('deploy')).toBe('deployments.apps');
    expect(res('deployment')).toBe('deployments.apps');
    expect(res('deployments.apps')).toBe('deployments.apps');
    expect(res('deploy.apps')).toBe('deployments.apps');
    expect(res('deployments.v1.apps')).toBe('deployments.apps');
    expect(res('deployments.apps/v1')).toBe('deployments.apps');
    expect(res('deployments.apps/v2')).toBeUndefined();
    expect(res('db')).toBe('databases.sim.kmux.dev');
    expect(res('databases.sim.kmux.dev')).toBe('databases.sim.kmux.dev');
    expect(res('Database')).toBe('databases.sim.kmux.dev');
    expect(res('nodes')).toBe('nodes.'); // core wins over metrics.k8s.io nodes
    expect(res('nodes.metrics.k8s.io')).toBe('nodes.metrics.k8s.io');
    expect(res('nosuch')).toBeUndefined();
    expect(res('pods.nosuch.io')).toBeUndefined();
  });

  it('prefers built-ins over CRDs that reuse a short name', () => {
    const crd: ApiResource = { group: 'example.com', version: 'v1', plural: 'pollers', singular: 'poller', kind: 'Poller', namespaced: true, shortNames: ['po', 'deploy'], verbs: [], categories: [] };
    const all = [crd, ...aggregated];
    expect(resolveResource(all, 'po')?.plural).toBe('pods');
    expect(resolveResource(all, 'deploy')?.plural).toBe('deployments');
    expect(resolveResource(all, 'poller')?.plural).toBe('pollers');
  });

  it('builds paths', () => {
    const pods = resolveResource(aggregated, 'pods')!;
    const deploy = resolveResource(aggregated, 'deploy')!;
    const nodes = resolveResource(aggregated, 'nodes')!;
    expect(resourcePath(pods, 'ns1', 'p', 'log')).toBe('/api/v1/namespaces/ns1/pods/p/log');
    expect(resourcePath(pods)).toBe('/api/v1/pods');
    expect(resourcePath(deploy)).toBe('/apis/apps/v1/deployments');
    expect(resourcePath(deploy, 'x')).toBe('/apis/apps/v1/namespaces/x/deployments');
    expect(resourcePath(nodes, 'ignored', 'n1')).toBe('/api/v1/nodes/n1');
  });
});
