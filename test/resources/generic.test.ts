import { describe, expect, it } from 'vitest';
import { genericColumns, printerCell } from '../../src/resources/generic.js';
import { evalJsonPath, jsonPathFirst, JsonPathError } from '../../src/resources/jsonpath.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString().replace('.000Z', 'Z');

const certificate = {
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name: 'shop-tls', namespace: 'shop', creationTimestamp: ago(7200), labels: { 'app.kubernetes.io/name': 'shop' } },
  spec: { secretName: 'shop-tls', issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' }, dnsNames: ['shop.example.com', 'www.shop.example.com'] },
  status: {
    conditions: [
      { type: 'Issuing', status: 'False' },
      { type: 'Ready', status: 'True', message: 'Certificate is up to date and has not expired', lastTransitionTime: ago(3600) },
    ],
    notAfter: '2025-05-30T12:00:00Z',
    revision: 3,
  },
};

describe('jsonpath', () => {
  it.each([
    ['.spec.secretName', ['shop-tls']],
    ['{.spec.issuerRef.name}', ['letsencrypt']],
    ['$.spec.issuerRef.kind', ['ClusterIssuer']],
    ['.spec.dnsNames[0]', ['shop.example.com']],
    ['.spec.dnsNames[-1]', ['www.shop.example.com']],
    ['.spec.dnsNames[*]', ['shop.example.com', 'www.shop.example.com']],
    ['.spec.dnsNames[0:1]', ['shop.example.com']],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    [".status.conditions[?(@.type=='Ready')].message", ['Certificate is up to date and has not expired']],
    ['.status.conditions[?(@.status!="True")].type', ['Issuing']],
    ['.status.conditions[*].type', ['Issuing', 'Ready']],
    ['.status.revision', [3]],
    ['.metadata.labels.app\\.kubernetes\\.io/name', ['shop']],
    [".metadata.labels['app.kubernetes.io/name']", ['shop']],
    ['..issuerRef.name', ['letsencrypt']],
    ['.status.missing', []],
    ['.spec.dnsNames[5]', []],
    ['status.revision', [3]],
  ])('%s', (path, want) => {
    expect(evalJsonPath(certificate, path)).toEqual(want);
  });

  it('numeric filters and existence filters', () => {
    const o = { items: [{ n: 1, a: true }, { n: 5 }, { n: 10, a: false }] };
    expect(evalJsonPath(o, '.items[?(@.n>2)].n')).toEqual([5, 10]);
    expect(evalJsonPath(o, '.items[?(@.n<=5)].n')).toEqual([1, 5]);
    expect(evalJsonPath(o, '.items[?(@.a)].n')).toEqual([1]);
  });

  it('bad syntax throws JsonPathError; jsonPathFirst returns undefined', () => {
    expect(() => evalJsonPath(certificate, '.spec[')).toThrow(JsonPathError);
    expect(() => evalJsonPath(certificate, '.status.conditions[?(@.type=="Ready"]')).toThrow(JsonPathError);
    expect(jsonPathFirst(certificate, '.spec[')).toBeUndefined();
    expect(jsonPathFirst(certificate, '.spec.secretName')).toBe('shop-tls');
  });
});

describe('generic columns', () => {
  it('without printer columns: NAME and AGE', () => {
    const rc = genericColumns();
    expect(rc.columns).toEqual([{ name: 'NAME' }, { name: 'AGE', kind: 'age' }]);
    expect(rc.project(certificate, NOW)).toMatchObject({ cells: ['shop-tls', NOW - 7200_000], state: 'normal' });
    expect(genericColumns([]).columns.map((c) => c.name)).toEqual(['NAME', 'AGE']);
  });

  const certColumns = [
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Secret', type: 'string', jsonPath: '.spec.secretName' },
    { name: 'Issuer', type: 'string', jsonPath: '.spec.issuerRef.name', priority: 1 },
    { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message', priority: 1 },
    { name: 'Revision', type: 'integer', jsonPath: '.status.revision' },
    { name: 'Expires', type: 'date', jsonPath: '.status.notAfter', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'CreationTimestamp is a timestamp...' },
  ];

  it('cert-manager Certificate printer columns', () => {
    const rc = genericColumns(certColumns);
    expect(rc.columns).toEqual([
      { name: 'NAME' },
      { name: 'READY' },
      { name: 'SECRET' },
      { name: 'ISSUER', wide: true },
      { name: 'STATUS', wide: true },
      { name: 'REVISION', kind: 'number' },
      { name: 'EXPIRES', kind: 'age', wide: true },
      { name: 'AGE', kind: 'age' },
    ]);
    const p = rc.project(certificate, NOW);
    expect(p.cells).toEqual([
      'shop-tls',
      'True',
      'shop-tls',
      'letsencrypt',
      'Certificate is up to date and has not expired',
      3,
      Date.parse('2025-05-30T12:00:00Z'),
      NOW - 7200_000,
    ]);
    expect(p.state).toBe('normal');
  });

  it('a date column named Age moves last and reads its own path', () => {
    const rc = genericColumns([
      { name: 'Age', type: 'date', jsonPath: '.status.lastSeen' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    ]);
    expect(rc.columns.map((c) => c.name)).toEqual(['NAME', 'PHASE', 'AGE']);
    expect(rc.project({ metadata: { name: 'a', creationTimestamp: ago(999) }, status: { phase: 'Up', lastSeen: ago(10) } }, NOW).cells).toEqual(['a', 'Up', NOW - 10_000]);
  });

  it('adds AGE when no date column is named Age', () => {
    const rc = genericColumns([
      { name: 'Desired Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Last Sync', type: 'date', jsonPath: '.status.lastSync' },
    ]);
    expect(rc.columns).toEqual([{ name: 'NAME' }, { name: 'DESIRED-REPLICAS', kind: 'number' }, { name: 'LAST-SYNC', kind: 'age' }, { name: 'AGE', kind: 'age' }]);
    expect(rc.project({ metadata: { name: 'r', creationTimestamp: ago(60) }, spec: {} }, NOW).cells).toEqual(['r', '', '', NOW - 60_000]);
  });

  it('a broken path gives an empty cell, not a broken view', () => {
    const rc = genericColumns([{ name: 'Broken', type: 'string', jsonPath: '.status[' }]);
    expect(rc.project(certificate, NOW).cells).toEqual(['shop-tls', '', NOW - 7200_000]);
  });

  it('Ready=False is an error, deletion is terminating', () => {
    const rc = genericColumns();
    const notReady = { ...certificate, status: { conditions: [{ type: 'Ready', status: 'False' }] } };
    expect(rc.project(notReady, NOW).state).toBe('error');
    expect(rc.project({ ...certificate, metadata: { ...certificate.metadata, deletionTimestamp: ago(1) } }, NOW).state).toBe('terminating');
  });

  it('types cells like the API server table convertor', () => {
    expect(printerCell('integer', 3.7)).toBe(3);
    expect(printerCell('integer', '12')).toBe(12);
    expect(printerCell('number', 0.5)).toBe(0.5);
    expect(printerCell('number', 'x')).toBe('');
    expect(printerCell('boolean', true)).toBe('true');
    expect(printerCell('string', { a: 1 })).toBe('{"a":1}');
    expect(printerCell('string', 42)).toBe('42');
    expect(printerCell('date', 'not a date')).toBe('');
    expect(printerCell('string', undefined)).toBe('');
  });
});
