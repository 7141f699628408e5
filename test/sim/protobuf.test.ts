import { describe, it, expect } from 'vitest';
import {
  decodeBodyAsJsonLike,
  decodeDeleteOptions,
  decodeEviction,
  decodeUnknown,
  isK8sProtobuf,
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

  it('other kinds yield only kind and apiVersion', () => {
    expect(decodeBodyAsJsonLike(encUnknown('v1', 'Pod', lField(1, lField(1, 'x'))))).toEqual({ kind: 'Pod', apiVersion: 'v1' });
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
