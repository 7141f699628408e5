/**
 * Helm 3 release decoding, values, manifests, drift and diffs. The fixtures are encoded by an
 * independent path (Python's gzip and base64, the gzip and base64 CLIs) and diffs are checked
 * by GNU patch, so kmux cannot agree with itself on a wrong format.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  coalesceValues, decodeReleasePayload, decodeStorageObject, driftOf, manifestObjects, revisionFacts, unifiedDiff, helmStorageColumns,
} from '../../src/resources/helm.js';

const dir = mkdtempSync(join(tmpdir(), 'kmux-helm-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const release = {
  name: 'web', namespace: 'shop', version: 4,
  info: { first_deployed: '2024-01-02T03:04:05Z', last_deployed: '2024-05-06T07:08:09Z', deleted: '', description: 'Upgrade complete', status: 'deployed', notes: 'hi\n' },
  chart: { metadata: { name: 'nginx', version: '18.2.0', appVersion: '1.27.2', apiVersion: 'v2' }, values: { replicas: 1, image: { tag: 'x' } }, templates: [] },
  config: { replicas: 3 },
  manifest: '---\n# Source: nginx/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n',
};

/** base64 of gzip of the JSON, by Python (as Helm's encodeRelease: the storage text). */
function pythonEncode(obj: unknown): string {
  const src = 'import sys, gzip, base64; sys.stdout.write(base64.b64encode(gzip.compress(sys.stdin.buffer.read(), 9)).decode())';
  return execFileSync('python3', ['-c', src], { input: JSON.stringify(obj), encoding: 'utf8' });
}

/** the same with the gzip and base64 command-line tools */
function cliEncode(obj: unknown): string {
  const f = join(dir, 'rel.json');
  writeFileSync(f, JSON.stringify(obj));
  return execFileSync('sh', ['-c', `gzip -9 -c "${f}" | base64 -w0`], { encoding: 'utf8' });
}

describe('decoding Helm 3 storage', () => {
  it('reads a Secret whose data.release is base64 (the API) of base64 of gzip (Helm), encoded by Python', () => {
    const text = pythonEncode(release);
    const secret = { metadata: { name: 'sh.helm.release.v1.web.v4', namespace: 'shop', labels: { name: 'web', owner: 'helm', status: 'deployed', version: '4' } }, type: 'helm.sh/release.v1', data: { release: Buffer.from(text).toString('base64') } };
    const rel = decodeStorageObject(secret);
    expect(rel).toEqual(release);
    expect(revisionFacts(secret)).toMatchObject({ release: 'web', revision: 4, status: 'deployed', chart: 'nginx-18.2.0', appVersion: '1.27.2', updated: Date.parse('2024-05-06T07:08:09Z'), driver: 'secret' });
    expect(revisionFacts(secret).error).toBeUndefined();
  });

  it('reads a ConfigMap (driver configmaps: data.release is the storage text itself), encoded by the gzip and base64 CLIs', () => {
    const cm = { metadata: { name: 'sh.helm.release.v1.web.v4', labels: { name: 'web', owner: 'helm', status: 'deployed', version: '4' } }, data: { release: cliEncode(release) } };
    expect(decodeStorageObject(cm)).toEqual(release);
    expect(revisionFacts(cm).driver).toBe('configmap');
  });

  it('reads releases stored before Helm compressed them (base64 of plain JSON)', () => {
    expect(decodeReleasePayload(Buffer.from(JSON.stringify(release)).toString('base64'))).toEqual(release);
  });

  it('refuses bad payloads with a message, never a crash', () => {
    const gz = gzipSync(Buffer.from(JSON.stringify(release)));
    expect(() => decodeReleasePayload(gz.subarray(0, gz.length - 12).toString('base64'))).toThrow(/corrupt gzip/);
    expect(() => decodeReleasePayload(Buffer.from('hello, not a release').toString('base64'))).toThrow(/neither gzip nor JSON/);
    expect(() => decodeReleasePayload('%%% not base64 %%%')).toThrow(/not base64/);
    expect(() => decodeReleasePayload(gzipSync(Buffer.from('{"name": ')).toString('base64'))).toThrow(/not valid JSON/);
    expect(() => decodeReleasePayload(gzipSync(Buffer.from('[1,2]')).toString('base64'))).toThrow(/not an object/);
    // 40 MB of JSON in 40 KB of gzip: stopped at the limit while inflating
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"name":"'), Buffer.alloc(40 * 1024 * 1024, 'a'), Buffer.from('"}')]));
    expect(() => decodeReleasePayload(bomb.toString('base64'))).toThrow(/larger than 33554432 bytes once decompressed/);
  });

  it('a revision it cannot read keeps its labels and says why (the view shows it on the row)', () => {
    const bad = { metadata: { name: 'sh.helm.release.v1.api.v7', labels: { name: 'api', owner: 'helm', status: 'failed', version: '7' } }, type: 'helm.sh/release.v1', data: { release: Buffer.from('garbage!').toString('base64') } };
    const f = revisionFacts(bad);
    expect(f).toMatchObject({ release: 'api', revision: 7, status: 'failed', chart: '' });
    expect(f.error).toBe('release data is not base64');
    expect(helmStorageColumns.project({ ...bad, type: 'Opaque' }, 0).extra).toEqual({ notHelm: true });
    expect((helmStorageColumns.project(bad, 0).extra?.helm as { error?: string }).error).toBe('release data is not base64');
    // a superseded revision is never the latest: the list reads its labels, not its blob
    const superseded = { ...bad, metadata: { ...bad.metadata, labels: { ...bad.metadata.labels, status: 'superseded' } } };
    expect(helmStorageColumns.project(superseded, 0).extra?.helm).toEqual({ release: 'api', revision: 7, status: 'superseded', chart: '', appVersion: '', updated: '', description: '', driver: 'secret' });
  });
});

describe('values as Helm computes them', () => {
  it('user values win, maps merge all the way down, null removes a key, lists are replaced', () => {
    const defaults = { replicas: 1, image: { repository: 'nginx', tag: '1.0', pullPolicy: 'IfNotPresent' }, db: { enabled: true, auth: { user: 'app' } }, args: ['a', 'b'], keep: 'x' };
    const user = { replicas: 3, image: { tag: '2.0' }, db: null, args: ['c'], extra: { deep: { on: true, gone: null } } };
    const all = coalesceValues(defaults, user);
    expect(all).toEqual({ replicas: 3, image: { repository: 'nginx', tag: '2.0', pullPolicy: 'IfNotPresent' }, args: ['c'], keep: 'x', extra: { deep: { on: true } } });
    // the chart's own values are not changed
    expect(defaults.image.tag).toBe('1.0');
    expect(defaults.db).toBeDefined();
    expect(coalesceValues(undefined, null)).toEqual({});
  });
});

describe('manifests and drift', () => {
  it('lists the objects of a manifest with their template; a document it cannot read is an error', () => {
    const m = `${release.manifest}---\n# Source: nginx/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: other\nspec:\n  replicas: 3\n---\n# Source: nginx/templates/broken.yaml\nkind: [oops\n---\nfoo: bar\n`;
    const { objects, errors } = manifestObjects(m);
    expect(objects.map((o) => [o.apiVersion, o.kind, o.name, o.namespace, o.source])).toEqual([
      ['v1', 'Service', 'web', undefined, 'nginx/templates/svc.yaml'],
      ['apps/v1', 'Deployment', 'web', 'other', 'nginx/templates/deploy.yaml'],
    ]);
    expect(errors).toHaveLength(2);
    expect(errors[1]).toMatch(/no kind or metadata.name/);
  });

  it('compares only the fields the manifest sets', () => {
    const want = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'c', image: 'nginx:1', ports: [{ containerPort: 80 }] }] } } } };
    const live = { metadata: { name: 'web', uid: 'u', labels: { app: 'web', extra: 'y' }, annotations: { a: 'b' } }, spec: { replicas: 2, strategy: {}, template: { spec: { containers: [{ name: 'c', image: 'nginx:1', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {} }] } } }, status: { replicas: 2 } };
    expect(driftOf(want, live)).toEqual([]);
    const changed = { ...live, spec: { ...live.spec, replicas: 5, template: { spec: { containers: [{ name: 'c', image: 'nginx:2', ports: [] }] } } } };
    expect(driftOf(want, changed)).toEqual([
      'spec.replicas: 2 in the manifest, 5 live',
      'spec.template.spec.containers[0].image: "nginx:1" in the manifest, "nginx:2" live',
      'spec.template.spec.containers[0].ports: 1 item(s) in the manifest, 0 live',
      'spec.template.spec.containers[0].ports[0]: not set live',
    ]);
    // numbers and strings the API gives back in the other form are the same value
    expect(driftOf({ spec: { ports: [{ targetPort: 8080 }] } }, { spec: { ports: [{ targetPort: '8080' }] } })).toEqual([]);
  });
});

describe('unified diffs', () => {
  const a = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n') + '\n';
  const b = a.replace('line 3\n', 'line three\n').replace('line 20\n', '').replace('line 39\n', 'line 39\nline 40\n').replace('line 0\n', 'first\nline 0\n');

  it('GNU patch turns the old text into the new one with it', () => {
    const diff = unifiedDiff(a, b, 'old', 'new');
    expect(diff[0]).toBe('--- old');
    expect(diff[1]).toBe('+++ new');
    expect(diff.filter((l) => l.startsWith('@@'))).toHaveLength(3);
    const fa = join(dir, 'a.txt');
    writeFileSync(fa, a);
    writeFileSync(join(dir, 'd.patch'), diff.join('\n') + '\n');
    execFileSync('patch', ['-s', fa, join(dir, 'd.patch')]);
    expect(readFileSync(fa, 'utf8')).toBe(b);
  });

  it('the same as diff -u for one change, and nothing for equal texts', () => {
    const b2 = a.replace('line 10\n', 'line ten\n');
    const fa = join(dir, 'a2.txt');
    const fb = join(dir, 'b2.txt');
    writeFileSync(fa, a);
    writeFileSync(fb, b2);
    let gnu = '';
    try {
      execFileSync('diff', ['-u', fa, fb], { encoding: 'utf8' });
    } catch (e) {
      gnu = (e as { stdout: string }).stdout;
    }
    expect(unifiedDiff(a, b2, 'x', 'y').slice(2)).toEqual(gnu.trimEnd().split('\n').slice(2));
    expect(unifiedDiff(a, a, 'x', 'y')).toEqual([]);
    // from nothing, to nothing
    expect(unifiedDiff('', 'a\nb\n', 'x', 'y').slice(2)).toEqual(['@@ -0,0 +1,2 @@', '+a', '+b']);
    expect(unifiedDiff('a\n', '', 'x', 'y').slice(2)).toEqual(['@@ -1,1 +0,0 @@', '-a']);
  });
});
