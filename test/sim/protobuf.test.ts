import { describe, it, expect } from 'vitest';
import {
  decodeBodyAsJsonLike,
  decodeDeleteOptions,
  decodeEviction,
  decodeUnknown,
  isK8sProtobuf,
  UnsupportedProtobufKind,
  type DeleteOptionsPB,
} from '../../src/sim/protobuf.js';

// --- tiny protobuf encoder, independent of the decoder under test ---------

function varint(v: bigint | number): number[] {
  let x = BigInt.asUintN(64, BigInt(v)); // negative int64 -> 10-byte two's complement
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x > 0n) b |= 0x80;
    out.push(b);
  } while (x > 0n);
  return out;
}
const tag = (no: number, wire: number) => varint((no << 3) | wire);
const vField = (no: number, v: bigint | number | boolean) => [...tag(no, 0), ...varint(typeof v === 'boolean' ? Number(v) : v)];
const lField = (no: number, data: number[] | Buffer | string) => {
  const bytes = typeof data === 'string' ? [...Buffer.from(data, 'utf8')] : [...data];
  return [...tag(no, 2), ...varint(bytes.length), ...bytes];
};

function encDeleteOptions(o: DeleteOptionsPB): number[] {
  const out: number[] = [];
  if (o.gracePeriodSeconds !== undefined) out.push(...vField(1, o.gracePeriodSeconds));
  if (o.preconditions) {
    const p: number[] = [];
    if (o.preconditions.uid !== undefined) p.push(...lField(1, o.preconditions.uid));
    if (o.preconditions.resourceVersion !== undefined) p.push(...lField(2, o.preconditions.resourceVersion));
    out.push(...lField(2, p));
  }
  if (o.orphanDependents !== undefined) out.push(...vField(3, o.orphanDependents));
  if (o.propagationPolicy !== undefined) out.push(...lField(4, o.propagationPolicy));
  for (const d of o.dryRun ?? []) out.push(...lField(5, d));
  return out;
}

function encEviction(name: string, namespace: string, opts?: DeleteOptionsPB): number[] {
  // ObjectMeta with extra fields (generateName=2, uid=5, labels=11) that must be skipped
  const meta = [...lField(1, name), ...lField(2, 'gen-'), ...lField(3, namespace), ...lField(5, 'uid-1'), ...lField(11, [...lField(1, 'k'), ...lField(2, 'v')])];
  return [...lField(1, meta), ...(opts ? lField(2, encDeleteOptions(opts)) : [])];
}

function encUnknown(apiVersion: string, kind: string, raw: number[]): Buffer {
  const typeMeta = [...lField(1, apiVersion), ...lField(2, kind)];
  return Buffer.from([0x6b, 0x38, 0x73, 0x00, ...lField(1, typeMeta), ...lField(2, raw), ...lField(3, ''), ...lField(4, '')]);
}

// ---------------------------------------------------------------------------

describe('protobuf envelope', () => {
  it('detects the magic prefix', () => {
    expect(isK8sProtobuf(encUnknown('v1', 'DeleteOptions', []))).toBe(true);
    expect(isK8sProtobuf(Buffer.from('{"kind":"DeleteOptions"}'))).toBe(false);
    expect(isK8sProtobuf(Buffer.from([0x6b, 0x38, 0x73]))).toBe(false);
    expect(isK8sProtobuf(Buffer.alloc(0))).toBe(false);
  });

  it('decodes runtime.Unknown', () => {
    const u = decodeUnknown(encUnknown('policy/v1', 'Eviction', [1, 2, 3]));
    expect(u.apiVersion).toBe('policy/v1');
    expect(u.kind).toBe('Eviction');
    expect([...u.raw]).toEqual([1, 2, 3]);
  });

  it('encodes -1 as ten bytes (sanity check of the test encoder)', () => {
    expect(varint(-1)).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });
});

describe('DeleteOptions', () => {
  it.each([0, 30, -1, 3600, 2 ** 40])('gracePeriodSeconds %d', (g) => {
    expect(decodeDeleteOptions(Buffer.from(encDeleteOptions({ gracePeriodSeconds: g })))).toEqual({ gracePeriodSeconds: g });
  });

  it('decodes a hand-written -1', () => {
    const raw = Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(decodeDeleteOptions(raw).gracePeriodSeconds).toBe(-1);
  });

  it('decodes all fields and round-trips through the envelope', () => {
    const opts: DeleteOptionsPB = {
      gracePeriodSeconds: 0,
      preconditions: { uid: 'abc-123', resourceVersion: '42' },
      orphanDependents: false,
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    };
    expect(decodeDeleteOptions(Buffer.from(encDeleteOptions(opts)))).toEqual(opts);
    expect(decodeBodyAsJsonLike(encUnknown('meta.k8s.io/v1', 'DeleteOptions', encDeleteOptions(opts)))).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'meta.k8s.io/v1',
      ...opts,
    });
  });

  it('empty message decodes to {}', () => {
    expect(decodeDeleteOptions(Buffer.alloc(0))).toEqual({});
    expect(decodeBodyAsJsonLike(encUnknown('v1', 'DeleteOptions', []))).toEqual({ kind: 'DeleteOptions', apiVersion: 'v1' });
  });

  it('skips unknown fields of every wire type', () => {
    const raw = Buffer.from([
      ...vField(99, 7),
      ...tag(98, 1), 1, 2, 3, 4, 5, 6, 7, 8, // fixed64
      ...tag(97, 5), 1, 2, 3, 4, // fixed32
      ...lField(96, 'ignored'),
      ...lField(4, 'Background'),
      ...lField(5, 'All'),
      ...lField(5, 'Other'),
      ...vField(3, true),
    ]);
    expect(decodeDeleteOptions(raw)).toEqual({ propagationPolicy: 'Background', dryRun: ['All', 'Other'], orphanDependents: true });
  });
});

describe('Eviction', () => {
  it('decodes name, namespace and deleteOptions', () => {
    const raw = Buffer.from(encEviction('web-1', 'prod', { gracePeriodSeconds: 30, dryRun: ['All'] }));
    expect(decodeEviction(raw)).toEqual({ name: 'web-1', namespace: 'prod', deleteOptions: { gracePeriodSeconds: 30, dryRun: ['All'] } });
  });

  it('decodeBodyAsJsonLike gives the JSON shape', () => {
    const body = encUnknown('policy/v1', 'Eviction', encEviction('web-1', 'prod', { gracePeriodSeconds: -1 }));
    expect(decodeBodyAsJsonLike(body)).toEqual({
      kind: 'Eviction',
      apiVersion: 'policy/v1',
      metadata: { name: 'web-1', namespace: 'prod' },
      deleteOptions: { gracePeriodSeconds: -1 },
    });
    const noOpts = decodeBodyAsJsonLike(encUnknown('policy/v1', 'Eviction', encEviction('p', 'ns')));
    expect(noOpts).toEqual({ kind: 'Eviction', apiVersion: 'policy/v1', metadata: { name: 'p', namespace: 'ns' } });
  });

  it('a kind the sim has no description for is refused, not half-read', () => {
    expect(() => decodeBodyAsJsonLike(encUnknown('apps/v1', 'StatefulSet', lField(1, lField(1, 'x'))))).toThrow(UnsupportedProtobufKind);
  });
});

// ObjectMeta as gogo-protobuf writes it: every non-pointer field, empty or not
const meta = (name: string, extra: number[] = []) => [
  ...lField(1, name), ...lField(2, ''), ...lField(3, ''), ...lField(4, ''), ...lField(5, ''), ...lField(6, ''), ...vField(7, 0), ...lField(8, []), ...extra,
];
const entry = (k: string, v: number[] | string) => lField(1, [...lField(1, k), ...lField(2, v)]);
const quantity = (q: string) => lField(1, q);
const intOrString = (v: number | string) => typeof v === 'number' ? [...vField(1, 0), ...vField(2, v), ...lField(3, '')] : [...vField(1, 1), ...vField(2, 0), ...lField(3, v)];

describe('objects kubectl create sends', () => {
  it('Namespace: name, labels, an empty spec, the zero creationTimestamp left out', () => {
    const raw = [...lField(1, meta('team-a', [...lField(11, [...lField(1, 'env'), ...lField(2, 'dev')])])), ...lField(2, []), ...lField(3, [])];
    expect(decodeBodyAsJsonLike(encUnknown('v1', 'Namespace', raw))).toEqual({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'team-a', labels: { env: 'dev' } }, spec: {} });
  });

  it('ConfigMap and Secret: string and bytes maps, a pointer false kept', () => {
    const cm = [...lField(1, meta('cm')), ...lField(2, [...lField(1, 'a'), ...lField(2, 'b')]), ...lField(2, [...lField(1, 'c'), ...lField(2, 'd')]), ...vField(4, false)];
    expect(decodeBodyAsJsonLike(encUnknown('v1', 'ConfigMap', cm))).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm' }, data: { a: 'b', c: 'd' }, immutable: false });
    const secret = [...lField(1, meta('s')), ...lField(2, [...lField(1, 'pw'), ...lField(2, Buffer.from([0, 1, 255]))]), ...lField(3, 'Opaque')];
    expect(decodeBodyAsJsonLike(encUnknown('v1', 'Secret', secret))).toEqual({ kind: 'Secret', apiVersion: 'v1', metadata: { name: 's' }, data: { pw: 'AAH/' }, type: 'Opaque' });
  });

  it('Deployment: replicas 0 kept (a pointer), selector, template with containers, ports, resources and an env from a ConfigMap key', () => {
    const container = [
      ...lField(1, 'nginx'), ...lField(2, 'nginx:1.27'), ...lField(3, 'sh'), ...lField(3, '-c'),
      ...lField(6, [...lField(1, ''), ...vField(2, 0), ...vField(3, 8080), ...lField(4, 'TCP')]),
      ...lField(7, [...lField(1, 'MODE'), ...lField(2, ''), ...lField(3, lField(3, [...lField(1, lField(1, 'settings')), ...lField(2, 'mode')]))]),
      ...lField(8, [...entry('cpu', quantity('250m')), ...lField(2, [...lField(1, 'memory'), ...lField(2, quantity('64Mi'))])]),
      ...vField(16, false),
    ];
    const template = [...lField(1, meta('', [...lField(11, [...lField(1, 'app'), ...lField(2, 'web')])])), ...lField(2, [...lField(2, container), ...lField(3, 'Always')])];
    const spec = [
      ...vField(1, 0), ...lField(2, lField(1, [...lField(1, 'app'), ...lField(2, 'web')])), ...lField(3, template), ...lField(4, []), ...vField(5, 0), ...vField(7, false),
    ];
    const out = decodeBodyAsJsonLike(encUnknown('apps/v1', 'Deployment', [...lField(1, meta('web')), ...lField(2, spec), ...lField(3, [])]));
    expect(out).toEqual({
      kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web' },
      spec: {
        replicas: 0, selector: { matchLabels: { app: 'web' } }, strategy: {},
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            restartPolicy: 'Always',
            containers: [{
              name: 'nginx', image: 'nginx:1.27', command: ['sh', '-c'], ports: [{ containerPort: 8080, protocol: 'TCP' }],
              env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }],
              resources: { limits: { cpu: '250m' }, requests: { memory: '64Mi' } },
            }],
          },
        },
      },
    });
  });

  it('Service: ports with an IntOrString target port (a number or a name)', () => {
    const port = (name: string, p: number, target: number | string) => lField(1, [...lField(1, name), ...lField(2, 'TCP'), ...vField(3, p), ...lField(4, intOrString(target)), ...vField(5, 0)]);
    const spec = [...port('http', 80, 8080), ...port('metrics', 9090, 'metrics'), ...lField(2, [...lField(1, 'app'), ...lField(2, 'web')]), ...lField(4, 'ClusterIP')];
    expect(decodeBodyAsJsonLike(encUnknown('v1', 'Service', [...lField(1, meta('web')), ...lField(2, spec)]))).toEqual({
      kind: 'Service', apiVersion: 'v1', metadata: { name: 'web' },
      spec: {
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }, { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 'metrics' }],
        selector: { app: 'web' }, type: 'ClusterIP',
      },
    });
  });

  it('CronJob and PodDisruptionBudget: nested job template, IntOrString pointers, a Time, packed repeated ints', () => {
    const podSpec = [...lField(2, [...lField(1, 'c'), ...lField(2, 'busybox')]), ...lField(3, 'OnFailure'), ...lField(14, lField(4, [1, 2, 3]))];
    const jobSpec = [...vField(7, 0), ...lField(6, [...lField(1, meta('')), ...lField(2, podSpec)])];
    const cj = [...lField(1, meta('cj', lField(9, [...vField(1, 1700000000), ...vField(2, 0)]))), ...lField(2, [...lField(1, '*/5 * * * *'), ...lField(5, [...lField(1, meta('cj')), ...lField(2, jobSpec)])])];
    expect(decodeBodyAsJsonLike(encUnknown('batch/v1', 'CronJob', cj))).toEqual({
      kind: 'CronJob', apiVersion: 'batch/v1', metadata: { name: 'cj', deletionTimestamp: '2023-11-14T22:13:20Z' },
      spec: {
        schedule: '*/5 * * * *',
        jobTemplate: {
          metadata: { name: 'cj' },
          spec: { backoffLimit: 0, template: { metadata: {}, spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'OnFailure', securityContext: { supplementalGroups: [1, 2, 3] } } } },
        },
      },
    });
    const pdb = [...lField(1, meta('p')), ...lField(2, [...lField(1, intOrString(0)), ...lField(3, intOrString('50%'))])];
    expect(decodeBodyAsJsonLike(encUnknown('policy/v1', 'PodDisruptionBudget', pdb))).toEqual({
      kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', metadata: { name: 'p' }, spec: { minAvailable: 0, maxUnavailable: '50%' },
    });
  });
});

describe('malformed input', () => {
  const good = encUnknown('v1', 'DeleteOptions', encDeleteOptions({ gracePeriodSeconds: 5 }));
  it.each<[string, Buffer]>([
    ['no magic', Buffer.from(good.subarray(4))],
    ['truncated body', good.subarray(0, good.length - 3)],
    ['truncated varint', Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x08, 0x80])],
    ['length past end', Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x12, 0x7f, 0x01])],
    ['field number 0', Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x02, 0x00])],
    ['group wire type', Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0b])],
    ['varint too long', Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x08, ...Array(11).fill(0xff), 0x01])],
    ['typeMeta with wrong wire type', Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x08, 0x01])],
  ])('%s', (_name, buf) => {
    expect(() => decodeBodyAsJsonLike(buf)).toThrow(Error);
  });

  it('wrong wire type inside DeleteOptions', () => {
    expect(() => decodeDeleteOptions(Buffer.from(lField(1, 'x')))).toThrow();
    expect(() => decodeDeleteOptions(Buffer.from(vField(4, 1)))).toThrow();
    expect(() => decodeEviction(Buffer.from([0x0a, 0x05, 0x0a]))).toThrow();
  });
});
