import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { SECRET_MASK, toYaml } from '../../src/resources/yaml.js';
import { webPod } from './fixtures.js';

const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'db',
    namespace: 'shop',
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration':
        '{"apiVersion":"v1","data":{"password":"aHVudGVyMg=="},"kind":"Secret","metadata":{"name":"db","namespace":"shop"}}\n',
      team: 'payments',
    },
    managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', fieldsV1: { 'f:data': {} } }],
  },
  type: 'Opaque',
  data: { password: 'aHVudGVyMg==', user: 'YWRtaW4=' },
  stringData: { extra: 'plain-text-secret' },
};

describe('toYaml', () => {
  it('drops managedFields and keeps the rest in order', () => {
    const y = toYaml(webPod);
    expect(y).not.toContain('managedFields');
    expect(y.split('\n').slice(0, 3)).toEqual(['apiVersion: v1', 'kind: Pod', 'metadata:']);
    const back = YAML.parse(y);
    expect(back.spec.containers[0].image).toBe('ghcr.io/acme/web:1.4.2');
    expect(back.metadata.labels).toEqual(webPod.metadata.labels);
    // the input object is not touched
    expect(webPod.metadata.managedFields).toHaveLength(1);
  });

  it('does not fold long lines', () => {
    const long = 'x'.repeat(300);
    expect(toYaml({ kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: long } })).toContain(`k: ${long}\n`);
  });

  it('masks every Secret value, in data, stringData and the last-applied annotation', () => {
    const y = toYaml(secret);
    for (const v of ['aHVudGVyMg==', 'YWRtaW4=', 'plain-text-secret']) expect(y).not.toContain(v);
    const back = YAML.parse(y);
    expect(back.data).toEqual({ password: SECRET_MASK, user: SECRET_MASK });
    expect(back.stringData).toEqual({ extra: SECRET_MASK });
    expect(back.metadata.annotations.team).toBe('payments');
    expect(JSON.parse(back.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).data).toEqual({ password: SECRET_MASK });
    expect(back.metadata.managedFields).toBeUndefined();
    expect(secret.data.password).toBe('aHVudGVyMg==');
  });

  it('reveals base64 values as kubectl shows them when asked', () => {
    const back = YAML.parse(toYaml(secret, { revealSecrets: true }));
    expect(back.data).toEqual({ password: 'aHVudGVyMg==', user: 'YWRtaW4=' });
    expect(back.stringData).toEqual({ extra: 'plain-text-secret' });
    expect(back.metadata.managedFields).toBeUndefined();
  });

  it('masks secrets without a kind and inside lists; leaves ConfigMaps alone', () => {
    expect(toYaml({ metadata: { name: 'x' }, type: 'Opaque', data: { k: 'c2VjcmV0' } })).not.toContain('c2VjcmV0');
    expect(toYaml({ kind: 'SecretList', items: [{ metadata: { name: 'x' }, data: { k: 'c2VjcmV0' } }] })).not.toContain('c2VjcmV0');
    expect(toYaml({ kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'visible' } })).toContain('k: visible');
  });

  it('an unparsable last-applied annotation is hidden whole', () => {
    const s = { ...secret, metadata: { ...secret.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'password: hunter2' } } };
    const back = YAML.parse(toYaml(s));
    expect(back.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe(SECRET_MASK);
  });
});

describe('decoded secrets (x)', () => {
  it('shows the values decoded from base64, and binary ones as such', async () => {
    const { toYaml } = await import('../../src/resources/yaml.js');
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { user: Buffer.from('admin').toString('base64'), key: Buffer.from([0, 1, 2, 255]).toString('base64') } };
    const masked = toYaml(secret);
    expect(masked).toMatch(/user: "\*{8}"/);
    const decoded = toYaml(secret, { revealSecrets: true, decodeSecrets: true });
    expect(decoded).toMatch(/user: admin/);
    expect(decoded).toMatch(/key: <binary, 4 bytes>/);
    expect(toYaml(secret, { revealSecrets: true })).toMatch(/user: YWRtaW4=/);
  });
});
