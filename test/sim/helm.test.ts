/**
 * The simulated fleet's Helm releases over HTTP, as Helm 3 stores them, decoded by Python's
 * base64 and gzip (not by kmux): Secret names, type, labels, the release JSON's fields, the
 * ConfigMap driver, and the objects of each release really in the cluster.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { request } from '../helpers/http.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ nodes: 2, pods: 30, seed: 5, helm: true });
});
afterAll(async () => {
  await fleet?.stop();
});

const url = (cluster: string) => fleet.members.find((m) => m.name === cluster)!.server.url;
async function get(cluster: string, path: string): Promise<any> {
  const r = await request(`${url(cluster)}${path}`);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
  return r.json();
}

/** Python decodes the storage text as Helm's decodeRelease does: base64, gzip (magic checked), JSON. */
function pythonDecode(storageText: string): any {
  const src = [
    'import sys, gzip, base64, json',
    'b = base64.b64decode(sys.stdin.read())',
    'assert b[:3] == bytes([0x1f, 0x8b, 0x08]), "not gzip"',
    'sys.stdout.write(json.dumps(json.loads(gzip.decompress(b))))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', src], { input: storageText, encoding: 'utf8' }));
}

describe('Helm releases in the simulated fleet', () => {
  it('stores each revision as Helm 3 does: a helm.sh/release.v1 Secret per revision, labelled, the release JSON in base64 of gzip', async () => {
    const list = await get('dev', '/api/v1/namespaces/web/secrets?labelSelector=owner%3Dhelm,name%3Dpodinfo');
    const items = list.items.sort((a: any, b: any) => a.metadata.name.localeCompare(b.metadata.name));
    expect(items.map((s: any) => s.metadata.name)).toEqual(['sh.helm.release.v1.podinfo.v1', 'sh.helm.release.v1.podinfo.v2', 'sh.helm.release.v1.podinfo.v3']);
    for (const [i, s] of items.entries()) {
      expect(s.type).toBe('helm.sh/release.v1');
      expect(Object.keys(s.data)).toEqual(['release']);
      const rel = pythonDecode(Buffer.from(s.data.release, 'base64').toString('latin1'));
      expect(s.metadata.labels).toEqual({ name: 'podinfo', owner: 'helm', status: rel.info.status, version: String(i + 1) });
      expect(rel).toMatchObject({ name: 'podinfo', namespace: 'web', version: i + 1 });
      expect(Object.keys(rel).sort()).toEqual(['chart', 'config', 'hooks', 'info', 'manifest', 'name', 'namespace', 'version']);
      expect(Object.keys(rel.info).sort()).toEqual(['deleted', 'description', 'first_deployed', 'last_deployed', 'notes', 'status']);
      expect(rel.chart.metadata.name).toBe('podinfo');
      expect(rel.chart.templates.every((t: any) => t.name.startsWith('templates/') && Buffer.from(t.data, 'base64').length > 0)).toBe(true);
      expect(rel.manifest).toMatch(/^---\n# Source: podinfo\/templates\//);
    }
    expect(items.map((s: any) => s.metadata.labels.status)).toEqual(['superseded', 'superseded', 'deployed']);
    const last = pythonDecode(Buffer.from(items[2].data.release, 'base64').toString('latin1'));
    expect(last.hooks[0]).toMatchObject({ kind: 'Pod', events: ['test'], last_run: { phase: 'Succeeded' } });
  });

  it('has a failed upgrade in dev, an upgrade pending in staging, the ConfigMap driver in prod', async () => {
    const status = async (cluster: string, ns: string, name: string) => (await get(cluster, `/api/v1/namespaces/${ns}/secrets?labelSelector=owner%3Dhelm,name%3D${name}`)).items.map((s: any) => `${s.metadata.labels.version}:${s.metadata.labels.status}`).sort();
    expect(await status('dev', 'payments', 'session-cache')).toEqual(['1:deployed', '2:failed']);
    expect(await status('staging', 'web', 'podinfo')).toEqual(['1:superseded', '2:deployed', '3:pending-upgrade']);
    const cms = (await get('prod', '/api/v1/configmaps?labelSelector=owner%3Dhelm')).items;
    expect(cms.map((c: any) => c.metadata.name)).toEqual(['sh.helm.release.v1.metrics-server.v1']);
    const rel = pythonDecode(cms[0].data.release);
    expect(rel).toMatchObject({ name: 'metrics-server', namespace: 'kube-system', version: 1, info: { status: 'deployed' }, chart: { metadata: { name: 'metrics-server', version: '3.12.2', appVersion: '0.7.2' } } });
    expect((await get('prod', '/api/v1/secrets?labelSelector=owner%3Dhelm,name%3Dmetrics-server')).items).toEqual([]);
  });

  it('holds the objects of each release, annotated as Helm leaves them; dev\'s podinfo was scaled by hand', async () => {
    const dep = await get('dev', '/apis/apps/v1/namespaces/web/deployments/podinfo');
    expect(dep.metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': 'podinfo', 'meta.helm.sh/release-namespace': 'web' });
    expect(dep.metadata.labels['app.kubernetes.io/managed-by']).toBe('Helm');
    const secret = (await get('dev', '/api/v1/namespaces/web/secrets/sh.helm.release.v1.podinfo.v3'));
    const manifest = pythonDecode(Buffer.from(secret.data.release, 'base64').toString('latin1')).manifest as string;
    expect(manifest).toMatch(/kind: Deployment\n[\s\S]*replicas: 2\n/);
    expect(dep.spec.replicas).toBe(3);
    // prod's is as the manifest says, and its pods run
    const prodDep = await get('prod', '/apis/apps/v1/namespaces/web/deployments/podinfo');
    expect(prodDep.spec.replicas).toBe(3);
    const pods = await get('prod', '/api/v1/namespaces/web/pods?labelSelector=app.kubernetes.io%2Finstance%3Dpodinfo');
    expect(pods.items).toHaveLength(3);
    // the failed upgrade's new Service never reached the cluster
    expect((await request(`${url('dev')}/api/v1/namespaces/payments/services/session-cache-metrics`)).status).toBe(404);
    expect((await get('dev', '/apis/apps/v1/namespaces/payments/statefulsets/session-cache-master')).spec.replicas).toBe(1);
  });

  it('a fleet without helm: true has none', async () => {
    const plain = await startFleet({ clusters: 1, nodes: 2, pods: 10, seed: 5 });
    try {
      const r = await request(`${plain.members[0].server.url}/api/v1/secrets?labelSelector=owner%3Dhelm`);
      expect(r.json().items).toEqual([]);
    } finally {
      await plain.stop();
    }
  });
});
