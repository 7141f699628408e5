import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
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

  it('hands a connection the raw entries, paths resolved against the file that defined each', () => {
    const sub = path.join(dir, 'sub');
    mkdirSync(sub, { recursive: true });
    const C = path.join(sub, 'c.yaml');
    writeFileSync(C, `
clusters:
- name: cc
  cluster:
    server: "kube.example:6443"
    certificate-authority: ../ca.crt
    tls-server-name: api.internal
    proxy-url: http://proxy:3128
    extensions:
    - name: client.authentication.k8s.io/exec
      extension: { audience: kmux }
users:
- name: uc
  user:
    client-certificate: certs/me.crt
    client-key: /abs/me.key
    token-file: token
    as: jane
    as-groups: [qa, ops]
    as-uid: "42"
    as-user-extra: { scopes: [a, b], one: x }
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/plugin
      args: [get-token, 7]
      env: [{ name: A, value: "1" }, { name: B }]
      interactiveMode: Never
      provideClusterInfo: true
contexts:
- name: gamma
  context: { cluster: cc, user: uc, namespace: ns1 }
- name: anon
  context: { cluster: cc }
`);
    const kc = loadKubeconfig([A, C]);
    const e = kc.entries('gamma');
    expect(e).toMatchObject({ context: 'gamma', namespace: 'ns1' });
    expect(e.cluster).toEqual({
      name: 'cc', file: C, server: 'https://kube.example:6443', certificateAuthority: path.join(dir, 'ca.crt'),
      insecureSkipTlsVerify: false, tlsServerName: 'api.internal', proxyUrl: 'http://proxy:3128', disableCompression: false,
      execExtension: { audience: 'kmux' },
    });
    expect(e.user).toEqual({
      name: 'uc', file: C, clientCertificate: path.join(sub, 'certs/me.crt'), clientKey: '/abs/me.key', tokenFile: path.join(sub, 'token'),
      as: 'jane', asUid: '42', asGroups: ['qa', 'ops'], asUserExtra: { scopes: ['a', 'b'], one: ['x'] },
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1', command: path.join(sub, 'bin/plugin'), args: ['get-token', '7'],
        env: [{ name: 'A', value: '1' }, { name: 'B', value: '' }], interactiveMode: 'Never', provideClusterInfo: true,
      },
    });
    // first file wins for the cluster of "dup": the CA path is A's, relative to A's directory
    expect(kc.entries('dup').cluster.certificateAuthority).toBe(path.join(dir, 'ca.crt'));
    expect(kc.entries('dup').user?.token).toBe('tok-a');
    expect(kc.entries('anon').user).toBeUndefined();
    expect(() => kc.entries('nope')).toThrow(KubeconfigError);
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

describe('broken contexts', () => {
  const kc = () => loadKubeconfig([file('broken.yaml', `
apiVersion: v1
kind: Config
current-context: good
clusters:
- name: c1
  cluster: { server: "http://127.0.0.1:1" }
- name: badurl
  cluster: { server: "ht!tp://bad url" }
- name: noserver
  cluster: {}
- name: noca
  cluster: { server: "https://127.0.0.1:2", certificate-authority: missing-ca.crt }
- name: hostport
  cluster: { server: "kube.example:6443" }
users:
- name: u1
  user: {}
- name: nocert
  user: { client-certificate: nope.crt, client-key: nope.key }
contexts:
- name: good
  context: { cluster: c1, user: u1 }
- name: nocluster
  context: { cluster: missing, user: u1 }
- name: nouser
  context: { cluster: c1, user: missing-user }
- name: badurl
  context: { cluster: badurl }
- name: noserver
  context: { cluster: noserver }
- name: noca
  context: { cluster: noca }
- name: nocert
  context: { cluster: c1, user: nocert }
- name: hostport
  context: { cluster: hostport }
- just a string
- context: { cluster: c1 }
`)]);

  it('marks each unusable context with the reason, in client-go words, and keeps the others', () => {
    const k = kc();
    const by = Object.fromEntries(k.contexts.map((c) => [c.name, c.broken]));
    expect(by.good).toBeUndefined();
    expect(by.nocluster).toBe('cluster "missing" was not found for context "nocluster"');
    expect(by.nouser).toBe('user "missing-user" was not found for context "nouser"');
    expect(by.badurl).toBe('host must be a URL or a host:port pair: "ht!tp://bad url"');
    expect(by.noserver).toBe('no server found for cluster "noserver"');
    expect(by.noca).toMatch(new RegExp(`^unable to read certificate-authority .*missing-ca\\.crt for noca due to open .*: no such file or directory$`));
    expect(by.nocert).toMatch(/unable to read client-cert .*nope\.crt for nocert .*; unable to read client-key .*nope\.key for nocert/);
    // a bare host:port is https, as kubectl reads it
    expect(by.hostport).toBeUndefined();
    expect(k.contexts.find((c) => c.name === 'hostport')?.server).toBe('https://kube.example:6443');
    // malformed entries are skipped with a problem naming the file and the entry, not fatal
    expect(k.problems).toHaveLength(2);
    expect(k.problems[0]).toMatch(/broken\.yaml: contexts\[8\] must be a mapping; skipped/);
    expect(k.problems[1]).toMatch(/broken\.yaml: contexts\[9\]\.name is missing; skipped/);
  });

  it('a broken context never throws where a good one is used', () => {
    const k = kc();
    expect(k.endpoint('good').server).toBe('http://127.0.0.1:1');
    expect(k.endpoint('badurl').server).toBe('');
  });

  it('binary garbage is refused without echoing its bytes', () => {
    const bytes = Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x00, 0xff, 0xfe, 0x07, 0x1b, 0x5d, 0x30, 0x3b, 0x70, 0x77, 0x6e, 0x07, ...Buffer.from('clusters: [')]);
    const p = path.join(dir, 'garbage.bin');
    writeFileSync(p, bytes);
    let msg = '';
    try {
      loadKubeconfig([p]);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toBe(`${p}: not a kubeconfig (binary data, not YAML)`);
    // eslint-disable-next-line no-control-regex
    expect(msg).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it('a YAML error names the place without echoing control characters', () => {
    const p = file('ctl.yaml', 'clusters:\n- name: "a\u001b[31mred\n  cluster: [\n');
    let msg = '';
    try {
      loadKubeconfig([p]);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/ctl\.yaml: invalid YAML at line \d+, column \d+/);
    // eslint-disable-next-line no-control-regex
    expect(msg).not.toMatch(/[\u0000-\u001f\u007f]/);
  });
});
