import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigPaths, loadKubeconfig, loadClientNode, KubeconfigError } from '../../src/kube/kubeconfig.js';

// client-node loads on demand in kmux; these tests use its configs directly
beforeAll(() => loadClientNode());

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-kc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

file('ca.crt', 'not really a certificate\n');

const A = file('a.yaml', `
apiVersion: v1
kind: Config
current-context: alpha
clusters:
- name: c1
  cluster: { server: "http://127.0.0.1:1111/" }
- name: shared
  cluster: { server: "https://a.example:6443", certificate-authority: ca.crt }
users:
- name: u1
  user: { token: tok-a }
contexts:
- name: alpha
  context: { cluster: c1, user: u1, namespace: team-a }
- name: dup
  context: { cluster: shared, user: u1 }
`);

const B = file('b.yaml', `
apiVersion: v1
kind: Config
current-context: beta
clusters:
- name: shared
  cluster: { server: "https://b.example:6443" }
- name: c2
  cluster: { server: "https://c2.example" }
users:
- name: u1
  user: { token: tok-b }
- name: u2
  user: { username: admin, password: secret }
contexts:
- name: dup
  context: { cluster: c2, user: u2 }
- name: beta
  context: { cluster: c2, user: u2 }
- name: nouser
  context: { cluster: c2 }
`);

describe('kubeconfigPaths', () => {
  it('prefers the flag, then KUBECONFIG (empty entries dropped), then ~/.kube/config', () => {
    expect(kubeconfigPaths({ flag: '/x', env: { KUBECONFIG: '/y' } })).toEqual(['/x']);
    expect(kubeconfigPaths({ env: { KUBECONFIG: ['/a', '', '/b', '/a'].join(path.delimiter) } })).toEqual(['/a', '/b']);
    expect(kubeconfigPaths({ env: {}, home: '/home/u' })).toEqual([path.join('/home/u', '.kube', 'config')]);
    expect(kubeconfigPaths({ env: { KUBECONFIG: '' }, home: '/h' })).toEqual([path.join('/h', '.kube', 'config')]);
  });
});

describe('loadKubeconfig', () => {
  it('merges files first-wins per name, current-context from the first file', () => {
    const kc = loadKubeconfig([A, B]);
    expect(kc.files).toEqual([A, B]);
    expect(kc.currentContext).toBe('alpha');
    expect(kc.contexts.map((c) => c.name)).toEqual(['alpha', 'dup', 'beta', 'nouser']);
    const dup = kc.contexts.find((c) => c.name === 'dup')!;
    expect(dup).toMatchObject({ cluster: 'shared', user: 'u1', server: 'https://a.example:6443' });
    expect(kc.contexts[0]).toMatchObject({ name: 'alpha', namespace: 'team-a', server: 'http://127.0.0.1:1111' });

    const cc = kc.clientConfig('dup');
    expect(cc.getCurrentCluster()?.server).toBe('https://a.example:6443');
    expect(cc.getCurrentCluster()?.caFile).toBe(path.join(dir, 'ca.crt')); // relative to the file that defined it
    expect(cc.getCurrentUser()?.token).toBe('tok-a');
    // plain http gets skipTLSVerify so client-node accepts it
    expect(kc.clientConfig('alpha').getCurrentCluster()?.skipTLSVerify).toBe(true);
    expect(kc.clientConfig('alpha').getCurrentContext()).toBe('alpha');
  });

  it('reverse order flips the winners', () => {
    const kc = loadKubeconfig([B, A]);
    expect(kc.currentContext).toBe('beta');
    expect(kc.contexts.find((c) => c.name === 'dup')).toMatchObject({ cluster: 'c2', user: 'u2' });
  });

  it('gives client-node auth options (token, basic auth, none)', async () => {
    const kc = loadKubeconfig([A, B]);
    const o1: any = { headers: {} };
    await kc.clientConfig('dup').applyToHTTPSOptions(o1);
    expect(o1.headers.Authorization).toBe('Bearer tok-a');
    expect(String(o1.ca)).toBe('not really a certificate\n');
    const o2: any = { headers: {} };
    await kc.clientConfig('beta').applyToHTTPSOptions(o2);
    expect(o2.auth).toBe('admin:secret');
    const o3: any = { headers: {} };
    await kc.clientConfig('nouser').applyToHTTPSOptions(o3);
    expect(o3.headers.Authorization).toBeUndefined();
    expect(() => kc.clientConfig('nope')).toThrow(KubeconfigError);
  });

  it('skips missing files in a list, fails when none exists', () => {
    const missing = path.join(dir, 'missing.yaml');
    const kc = loadKubeconfig([missing, B]);
    expect(kc.files).toEqual([B]);
    expect(kc.currentContext).toBe('beta');
    expect(() => loadKubeconfig([missing])).toThrow(/no kubeconfig found/);
    expect(() => loadKubeconfig([file('empty.yaml', '')])).toThrow(/no kubeconfig found/);
  });

  it('names the file on a YAML or shape error', () => {
    const bad = file('bad.yaml', 'clusters:\n  - name: x\n   cluster: [\n');
    expect(() => loadKubeconfig([A, bad])).toThrow(KubeconfigError);
    expect(() => loadKubeconfig([A, bad])).toThrow(bad);
    const shape = file('shape.yaml', 'contexts: {a: 1}\n');
    expect(() => loadKubeconfig([shape])).toThrow(new RegExp(`${shape.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*contexts`));
    const scalar = file('scalar.yaml', 'just a string\n');
    expect(() => loadKubeconfig([scalar])).toThrow(scalar);
  });
});
