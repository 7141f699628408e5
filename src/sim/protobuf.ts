// Minimal decoder for the Kubernetes protobuf envelope ("k8s\0" + runtime.Unknown)
// and the few message types client-go sends us as protobuf bodies
// (DeleteOptions, policy/v1 Eviction). Read-only: we always answer in JSON.

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const EMPTY: Buffer = Buffer.alloc(0);

export function isK8sProtobuf(buf: Buffer): boolean {
  return buf.length >= MAGIC.length && buf.subarray(0, MAGIC.length).equals(MAGIC);
}

type Field = { no: number; wire: number; varint: bigint; bytes: Buffer };

/** Iterates over the fields of one message. Throws on truncated or malformed input. */
function* fields(buf: Buffer): Generator<Field> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) throw new Error('protobuf: truncated varint');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new Error('protobuf: varint longer than 10 bytes');
  };
  const take = (n: number): Buffer => {
    if (n > buf.length - pos) throw new Error('protobuf: truncated field');
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < buf.length) {
    const tag = varint();
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no === 0) throw new Error('protobuf: invalid field number 0');
    const f: Field = { no, wire, varint: 0n, bytes: EMPTY };
    switch (wire) {
      case 0: f.varint = varint(); break;
      case 1: f.bytes = take(8); break; // fixed64
      case 2: f.bytes = take(Number(varint())); break;
      case 5: f.bytes = take(4); break; // fixed32
      default: throw new Error(`protobuf: unsupported wire type ${wire}`); // groups are not used by Kubernetes
    }
    yield f;
  }
}


function wantWire(f: Field, wire: number, what: string): void {
  if (f.wire !== wire) throw new Error(`protobuf: ${what} has wire type ${f.wire}, expected ${wire}`);
}
const str = (f: Field, what: string): string => (wantWire(f, 2, what), f.bytes.toString('utf8'));
const bytes = (f: Field, what: string): Buffer => (wantWire(f, 2, what), f.bytes);
// int64 is a two's-complement varint: -1 arrives as 10 bytes that must be read back as signed.
const int64 = (f: Field, what: string): number => (wantWire(f, 0, what), Number(BigInt.asIntN(64, f.varint)));
const bool = (f: Field, what: string): boolean => (wantWire(f, 0, what), f.varint !== 0n);

export function decodeUnknown(buf: Buffer): { apiVersion: string; kind: string; raw: Buffer } {
  if (!isK8sProtobuf(buf)) throw new Error('protobuf: missing k8s magic prefix');
  let apiVersion = '';
  let kind = '';
  let raw = EMPTY;
  for (const f of fields(buf.subarray(MAGIC.length))) {
    if (f.no === 1) {
      for (const t of fields(bytes(f, 'Unknown.typeMeta'))) {
        if (t.no === 1) apiVersion = str(t, 'TypeMeta.apiVersion');
        else if (t.no === 2) kind = str(t, 'TypeMeta.kind');
      }
    } else if (f.no === 2) raw = bytes(f, 'Unknown.raw');
    else if (f.no === 3) {
      // client-go never compresses request bodies; refuse rather than misread.
      if (str(f, 'Unknown.contentEncoding') !== '') throw new Error('protobuf: unsupported contentEncoding');
    }
  }
  return { apiVersion, kind, raw };
}

export interface DeleteOptionsPB {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
  propagationPolicy?: string;
  dryRun?: string[];
}

export function decodeDeleteOptions(raw: Buffer): DeleteOptionsPB {
  const out: DeleteOptionsPB = {};
  for (const f of fields(raw)) {
    switch (f.no) {
      case 1: out.gracePeriodSeconds = int64(f, 'DeleteOptions.gracePeriodSeconds'); break;
      case 2: {
        const pre: { uid?: string; resourceVersion?: string } = {};
        for (const p of fields(bytes(f, 'DeleteOptions.preconditions'))) {
          if (p.no === 1) pre.uid = str(p, 'Preconditions.uid');
          else if (p.no === 2) pre.resourceVersion = str(p, 'Preconditions.resourceVersion');
        }
        out.preconditions = pre;
        break;
      }
      case 3: out.orphanDependents = bool(f, 'DeleteOptions.orphanDependents'); break;
      case 4: out.propagationPolicy = str(f, 'DeleteOptions.propagationPolicy'); break;
      case 5: (out.dryRun ??= []).push(str(f, 'DeleteOptions.dryRun')); break;
    }
  }
  return out;
}

export function decodeEviction(raw: Buffer): { name?: string; namespace?: string; deleteOptions?: DeleteOptionsPB } {
  const out: { name?: string; namespace?: string; deleteOptions?: DeleteOptionsPB } = {};
  for (const f of fields(raw)) {
    if (f.no === 1) {
      for (const m of fields(bytes(f, 'Eviction.metadata'))) {
        if (m.no === 1) out.name = str(m, 'ObjectMeta.name');
        else if (m.no === 3) out.namespace = str(m, 'ObjectMeta.namespace');
      }
    } else if (f.no === 2) out.deleteOptions = decodeDeleteOptions(bytes(f, 'Eviction.deleteOptions'));
  }
  return out;
}

/** Decodes a protobuf request body into the shape the JSON body would have had. */
export function decodeBodyAsJsonLike(buf: Buffer): any {
  const { apiVersion, kind, raw } = decodeUnknown(buf);
  if (kind === 'DeleteOptions') return { kind, apiVersion, ...decodeDeleteOptions(raw) };
  if (kind === 'Eviction') {
    const { name, namespace, deleteOptions } = decodeEviction(raw);
    const metadata: Record<string, string> = {};
    if (name !== undefined) metadata.name = name;
    if (namespace !== undefined) metadata.namespace = namespace;
    const out: Record<string, unknown> = { kind, apiVersion, metadata };
    if (deleteOptions) out.deleteOptions = deleteOptions;
    return out;
  }
  return { kind, apiVersion };
}
