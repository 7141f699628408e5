/**
 * `:helm`'s model against the simulated fleet over HTTP: releases merged across contexts (the
 * latest revision each), history, values, manifest, diff, describe, the live objects with
 * drift and missing ones, and storage objects that cannot be read (shown, never a crash).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelmModel, type ReleaseRow } from '../../src/app/helm.js';
import { Session } from '../../src/app/session.js';
import { Settings } from '../../src/config/settings.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { describeRelease, diffReleases, releaseCells, valuesLines } from '../../src/ui/screens/helm.js';
import { request } from '../helpers/http.js';
import { until } from '../helpers/wait.js';

let fleet: Fleet;
let dir: string;
let session: Session;
const saved = { kmux: process.env.KMUX_CONFIG_DIR, k9s: process.env.K9S_CONFIG_DIR };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kmux-helm-app-'));
  process.env.KMUX_CONFIG_DIR = join(dir, 'kmux');
  process.env.K9S_CONFIG_DIR = join(dir, 'k9s');
  fleet = await startFleet({ nodes: 2, pods: 30, seed: 8, helm: true });
  const kc = join(dir, 'kubeconfig.yaml');
  fleet.writeKubeconfig(kc);
  session = new Session({ kubeconfig: loadKubeconfig([kc]), contexts: ['dev'], batchMs: 20, settings: new Settings(join(dir, 'settings')) });
});
afterAll(async () => {
  session?.stop();
  await fleet?.stop();
  for (const [k, v] of [['KMUX_CONFIG_DIR', saved.kmux], ['K9S_CONFIG_DIR', saved.k9s]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const url = (cluster: string) => fleet.members.find((m) => m.name === cluster)!.server.url;

async function open(contexts: string[], namespace?: string): Promise<HelmModel> {
  const m = await HelmModel.open(session, { contexts, namespace });
  await until('the releases listed', () => !m.loading, 20_000);
  return m;
}

const find = (m: HelmModel, ctx: string, name: string): ReleaseRow => {
  const r = m.rows().find((x) => x.context === ctx && x.release === name);
  if (!r) throw new Error(`no release ${name} in ${ctx}: ${m.rows().map((x) => `${x.context}/${x.release}`).join(', ')}`);
  return r;
};

describe(':helm over the simulated fleet', () => {
  it('lists each release once, at its latest revision, across the three clusters (both storage drivers)', async () => {
    const m = await open(['dev', 'staging', 'prod']);
    try {
      const rows = m.rows().map((r) => [r.context, ...releaseCells(r).slice(0, 6)].join(' '));
      expect(rows).toEqual([
        'dev metrics-server kube-system 1 deployed metrics-server-3.12.2 0.7.2',
        'dev session-cache payments 2 failed redis-20.6.2 7.4.1',
        'dev podinfo web 3 deployed podinfo-6.7.1 6.7.1',
        'prod storefront checkout 3 deployed storefront-2.4.0 2024.11.3',
        'prod metrics-server kube-system 1 deployed metrics-server-3.12.2 0.7.2',
        'prod podinfo web 2 deployed podinfo-6.7.1 6.7.1',
        'staging metrics-server kube-system 2 deployed metrics-server-3.12.2 0.7.2',
        'staging podinfo web 3 pending-upgrade podinfo-6.7.1 6.7.1',
      ]);
      expect(find(m, 'prod', 'metrics-server').driver).toBe('configmap');
      expect(find(m, 'dev', 'podinfo').revisions).toBe(3);
      // updated two days ago (the sim's plan), shown as an age
      expect(releaseCells(find(m, 'dev', 'podinfo'))[6]).toBe('2d');
      expect(releaseCells(find(m, 'staging', 'podinfo'))[6]).toMatch(/^1[45]m$/);
    } finally {
      m.dispose();
    }
  });

  it('one namespace: only its releases; the list follows a new revision written to the cluster', async () => {
    const m = await open(['dev'], 'web');
    try {
      expect(m.rows().map((r) => r.release)).toEqual(['podinfo']);
      // Helm's next upgrade, written as Helm writes it: revision 4
      const rel = { name: 'podinfo', namespace: 'web', version: 4, info: { status: 'deployed', description: 'Upgrade complete', last_deployed: '2030-01-01T00:00:00Z' }, chart: { metadata: { name: 'podinfo', version: '6.8.0', appVersion: '6.8.0' } }, manifest: '' };
      const text = gzipSync(Buffer.from(JSON.stringify(rel))).toString('base64');
      const body = { apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1', metadata: { name: 'sh.helm.release.v1.podinfo.v4', namespace: 'web', labels: { name: 'podinfo', owner: 'helm', status: 'deployed', version: '4' } }, data: { release: Buffer.from(text).toString('base64') } };
      const r = await request(`${url('dev')}/api/v1/namespaces/web/secrets`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(201);
      await until('revision 4 shown', () => m.rows()[0]?.revision === 4, 20_000);
      expect(m.rows()).toHaveLength(1);
      expect(m.rows()[0]).toMatchObject({ chart: 'podinfo-6.8.0', status: 'deployed', revisions: 4 });
      await request(`${url('dev')}/api/v1/namespaces/web/secrets/sh.helm.release.v1.podinfo.v4`, { method: 'DELETE' });
      await until('back to revision 3', () => m.rows()[0]?.revision === 3, 20_000);
    } finally {
      m.dispose();
    }
  });

  it('history, values (user and all), manifest, notes, describe and the diff of the last upgrade', async () => {
    const m = await open(['dev']);
    try {
      const podinfo = find(m, 'dev', 'podinfo');
      const h = await m.history(podinfo);
      expect(h.map((e) => [e.revision, e.status, e.chart, e.appVersion, e.description])).toEqual([
        [1, 'superseded', 'podinfo-6.6.0', '6.6.0', 'Install complete'],
        [2, 'superseded', 'podinfo-6.7.0', '6.7.0', 'Upgrade complete'],
        [3, 'deployed', 'podinfo-6.7.1', '6.7.1', 'Upgrade complete'],
      ]);
      const v3 = await m.revision(podinfo, 3);
      expect(valuesLines(v3, false)).toEqual(['replicaCount: 2', 'ui:', '  message: hello from dev', '  color: "#2e7d32"', 'logLevel: debug']);
      const all = valuesLines(v3, true).join('\n');
      // defaults kept, the user's over them, maps merged
      expect(all).toContain('replicaCount: 2');
      expect(all).toMatch(/ui:\n {2}color: "#2e7d32"\n {2}message: hello from dev\n {2}logo: ""/);
      expect(all).toMatch(/image:\n {2}repository: ghcr.io\/stefanprodan\/podinfo/);
      expect(v3.manifest).toContain('# Source: podinfo/templates/deployment.yaml');
      expect(v3.info?.notes).toContain('kubectl -n web port-forward deploy/podinfo 8080:9898');
      const d = describeRelease(v3, podinfo).join('\n');
      expect(d).toMatch(/Stored in: +Secret sh\.helm\.release\.v1\.podinfo\.v3/);
      expect(d).toMatch(/Hooks:\n {2}Pod\/podinfo-grpc-test-\w+ {2}events: test/);
      expect(d).toMatch(/last run: Succeeded \(started /);

      const diff = diffReleases(await m.revision(podinfo, 2), v3);
      expect(diff.slice(0, 2)).toEqual(['--- podinfo revision 2 values', '+++ podinfo revision 3 values']);
      expect(diff).toContain('+logLevel: debug');
      expect(diff).toContain('--- podinfo revision 2 manifest');
      expect(diff).toContain('-    helm.sh/chart: podinfo-6.7.0');
      expect(diff).toContain('+    helm.sh/chart: podinfo-6.7.1');
      expect(diff).toContain('+            - --level=debug');

      // the failed upgrade: its description and the hook that failed
      const cache = find(m, 'dev', 'session-cache');
      const failed = describeRelease(await m.revision(cache, 2), cache).join('\n');
      expect(failed).toMatch(/Status: +failed/);
      expect(failed).toMatch(/Description: +Upgrade "session-cache" failed: pre-upgrade hooks failed/);
      expect(failed).toMatch(/Job\/session-cache-migrate {2}events: pre-upgrade {2}weight: -5/);
      expect(failed).toMatch(/last run: Failed/);
      expect(failed).toMatch(/Dependencies:\n {2}common 2\.x\.x {2}oci:\/\/registry-1\.docker\.io\/bitnamicharts/);
    } finally {
      m.dispose();
    }
  });

  it('null in the user values removes the chart default (storefront: postgresql off); the ConfigMap driver', async () => {
    const m = await open(['prod']);
    try {
      const sf = find(m, 'prod', 'storefront');
      const rel = await m.revision(sf, 3);
      expect(rel.config).toHaveProperty('postgresql', null);
      const all = valuesLines(rel, true).join('\n');
      expect(all).not.toContain('postgresql');
      expect(all).toContain('newCheckout: true');
      expect(all).toContain('recommendations: true');
      // the ConfigMap driver's release reads the same way
      const ms = find(m, 'prod', 'metrics-server');
      expect((await m.history(ms)).map((e) => [e.revision, e.status, e.chart, e.driver])).toEqual([[1, 'deployed', 'metrics-server-3.12.2', 'configmap']]);
      expect(valuesLines(await m.revision(ms, 1), false)).toEqual(['args:', '  - --metric-resolution=30s']);
      expect((await m.objects(ms)).objects.map((o) => `${o.kind}/${o.name} ${o.state}`)).toEqual(['ServiceAccount/metrics-server ok', 'Service/metrics-server ok', 'Deployment/metrics-server ok']);
    } finally {
      m.dispose();
    }
  });

  it('the objects of a release: the hand-scaled Deployment drifted, the failed upgrade\'s new Service missing', async () => {
    const m = await open(['dev', 'prod']);
    try {
      const dev = await m.objects(find(m, 'dev', 'podinfo'));
      expect(dev.errors).toEqual([]);
      expect(dev.objects.map((o) => `${o.kind}/${o.name} ${o.namespace} ${o.state}`)).toEqual(['Service/podinfo web ok', 'ConfigMap/podinfo-config web ok', 'Deployment/podinfo web DRIFTED']);
      expect(dev.objects[2].detail).toEqual(['spec.replicas: 2 in the manifest, 3 live']);
      const prod = await m.objects(find(m, 'prod', 'podinfo'));
      expect(prod.objects.map((o) => o.state)).toEqual(['ok', 'ok', 'ok']);
      const cache = await m.objects(find(m, 'dev', 'session-cache'));
      const states = Object.fromEntries(cache.objects.map((o) => [`${o.kind}/${o.name}`, o.state]));
      // the failed revision 2 is compared with what is live, which revision 1 left: every object it names differs
      expect(states).toEqual({ 'Service/session-cache-metrics': 'MISSING', 'ConfigMap/session-cache-configuration': 'DRIFTED', 'Service/session-cache-master': 'DRIFTED', 'StatefulSet/session-cache-master': 'DRIFTED' });
      const sts = cache.objects.find((o) => o.kind === 'StatefulSet')!;
      expect(sts.detail).toContain('metadata.labels.helm.sh/chart: "redis-20.6.2" in the manifest, "redis-20.5.0" live');
    } finally {
      m.dispose();
    }
  });

  it('a context that does not answer is named in the view; the others are listed', async () => {
    const prod = fleet.members.find((m) => m.name === 'prod')!;
    await prod.server.stop();
    const fresh = new Session({ kubeconfig: session.o.kubeconfig, contexts: ['dev'], batchMs: 20, settings: new Settings(join(dir, 'settings-2')) });
    try {
      const m = await HelmModel.open(fresh, { contexts: ['dev', 'prod'] });
      try {
        await until('dev listed', () => m.rows().length === 3, 20_000);
        expect(new Set(m.rows().map((r) => r.context))).toEqual(new Set(['dev']));
        await until('prod named', () => m.problems().some((p) => p.startsWith('prod')), 20_000);
      } finally {
        m.dispose();
      }
    } finally {
      fresh.stop();
      await prod.server.start();
    }
  });

  it('a storage object it cannot read is a row that says why; the others are unaffected', async () => {
    const post = (name: string, release: string) => request(`${url('staging')}/api/v1/namespaces/default/secrets`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1', metadata: { name: `sh.helm.release.v1.${name}.v1`, namespace: 'default', labels: { name, owner: 'helm', status: 'deployed', version: '1' } }, data: { release } }),
    });
    // not gzip, not JSON; truncated gzip; 40 MB of JSON squeezed into a few KB
    expect((await post('garbage', Buffer.from(Buffer.from('not a release at all').toString('base64')).toString('base64'))).status).toBe(201);
    const gz = gzipSync(Buffer.from('{"name":"cut","info":{"status":"deployed"}}'));
    expect((await post('cut', Buffer.from(gz.subarray(0, 20).toString('base64')).toString('base64'))).status).toBe(201);
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"name":"huge","x":"'), Buffer.alloc(40 * 1024 * 1024, 'a'), Buffer.from('"}')]));
    expect((await post('huge', Buffer.from(bomb.toString('base64')).toString('base64'))).status).toBe(201);
    const m = await open(['staging']);
    try {
      await until('three broken rows', () => m.rows().filter((r) => r.error).length === 3, 20_000);
      const cells = (n: string) => releaseCells(find(m, 'staging', n));
      expect(cells('garbage')[3]).toBe('unreadable: release data is neither gzip nor JSON');
      expect(cells('cut')[3]).toMatch(/^unreadable: release data is corrupt gzip/);
      expect(cells('huge')[3]).toBe('unreadable: release larger than 33554432 bytes once decompressed');
      expect(cells('huge').slice(0, 3)).toEqual(['huge', 'default', '1']);
      expect(find(m, 'staging', 'podinfo').status).toBe('pending-upgrade');
      const h = await m.history(find(m, 'staging', 'garbage'));
      expect(h).toHaveLength(1);
      expect(h[0].error).toMatch(/neither gzip nor JSON/);
      await expect(m.revision(find(m, 'staging', 'cut'), 1)).rejects.toThrow(/corrupt gzip/);
      await expect(m.objects(find(m, 'staging', 'huge'))).rejects.toThrow(/larger than/);
    } finally {
      m.dispose();
    }
  });
});
