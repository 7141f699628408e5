/**
 * X.509 certificates written with node:crypto alone (Node can parse certificates but not write
 * them): ECDSA P-256 keys, DER built by hand. Shared by the client side (src/kube/selfsigned.ts,
 * the read-only proxy's certificate) and the simulated fleet (src/sim/tls.ts: a CA, serving and
 * client certificates); it imports nothing from either, so neither shares code with the other.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const explicit = (n: number, ...c: Buffer[]) => tlv(0xa0 + n, ...c);
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));

function oid(dotted: string): Buffer {
  const p = dotted.split('.').map(Number);
  const out = [40 * p[0] + p[1]];
  for (const n of p.slice(2)) {
    const chunk: number[] = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function integer(b: Buffer): Buffer {
  let v = b;
  while (v.length > 1 && v[0] === 0 && !(v[1] & 0x80)) v = v.subarray(1);
  if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return tlv(0x02, v);
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

export function pem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/** A distinguished name: one common name, and organizations (Kubernetes reads each O as a group). */
export interface DistinguishedName {
  cn: string;
  o?: string[];
}

function name(n: DistinguishedName): Buffer {
  // one attribute per RDN, organizations first, as openssl and Go's pkix write them
  return seq(...(n.o ?? []).map((o) => set(seq(oid('2.5.4.10'), utf8(o)))), set(seq(oid('2.5.4.3'), utf8(n.cn))));
}

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export function newKeyPair(): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** RFC 5280's key identifier (method 1): SHA-1 of the subjectPublicKey bits. */
function keyId(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // the BIT STRING is the SPKI's last element; for P-256 it is the last 65 bytes (uncompressed point)
  return createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

export interface CertificateSpec {
  subject: DistinguishedName;
  /** the key pair the certificate is for */
  keys: KeyPair;
  /** who signs; left out, the certificate signs itself (with `keys`) */
  issuer?: { subject: DistinguishedName; keys: KeyPair };
  /** a certificate authority (basicConstraints CA, keyCertSign) */
  ca?: boolean;
  /** extended key usages */
  serverAuth?: boolean;
  clientAuth?: boolean;
  /** subjectAltName entries */
  dns?: string[];
  ips?: string[];
  /** valid from an hour ago for this many days (default 3650) */
  days?: number;
  /** valid until exactly this time instead (tests of expired certificates) */
  notAfter?: Date;
}

/** A signed certificate, PEM. */
export function certificate(s: CertificateSpec): string {
  const issuer = s.issuer ?? { subject: s.subject, keys: s.keys };
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const now = Date.now();
  const notAfter = s.notAfter ?? new Date(now + (s.days ?? 3650) * 86400_000);
  const notBefore = new Date(Math.min(now - 3600_000, notAfter.getTime() - 1000));
  // keyUsage bits (first byte, MSB first): digitalSignature 0x80, keyCertSign 0x04, cRLSign 0x02
  const usage = s.ca ? 0x80 | 0x04 | 0x02 : 0x80;
  const unused = s.ca ? 0x01 : 0x07;
  const exts: Buffer[] = [
    // basicConstraints, critical
    seq(oid('2.5.29.19'), bool(true), octets(s.ca ? seq(bool(true)) : seq())),
    // keyUsage, critical
    seq(oid('2.5.29.15'), bool(true), octets(tlv(0x03, Buffer.from([unused, usage])))),
  ];
  const eku = [...(s.serverAuth ? ['1.3.6.1.5.5.7.3.1'] : []), ...(s.clientAuth ? ['1.3.6.1.5.5.7.3.2'] : [])];
  if (eku.length) exts.push(seq(oid('2.5.29.37'), octets(seq(...eku.map(oid)))));
  // subjectKeyIdentifier, and authorityKeyIdentifier (OpenSSL's strict mode wants both)
  exts.push(seq(oid('2.5.29.14'), octets(octets(keyId(s.keys.publicKey)))));
  exts.push(seq(oid('2.5.29.35'), octets(seq(tlv(0x80, keyId(issuer.keys.publicKey))))));
  const sans = [
    ...(s.ips ?? []).map((ip) => tlv(0x87, isIPv4(ip) ? Buffer.from(ip.split('.').map(Number)) : ipv6(ip))),
    ...(s.dns ?? []).map((d) => tlv(0x82, Buffer.from(d, 'ascii'))),
  ];
  if (sans.length) exts.push(seq(oid('2.5.29.17'), octets(seq(...sans))));
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaSha256,
    name(issuer.subject),
    seq(time(notBefore), time(notAfter)),
    name(s.subject),
    s.keys.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...exts)),
  );
  const signature = sign('sha256', tbs, { key: issuer.keys.privateKey, dsaEncoding: 'der' });
  return pem('CERTIFICATE', seq(tbs, ecdsaSha256, bits(signature)));
}

function ipv6(ip: string): Buffer {
  const [head, tail = ''] = ip.split('::');
  const part = (s: string) => (s ? s.split(':') : []);
  const h = part(head), t = part(tail);
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** A private key as PEM (PKCS#8). */
export function keyPem(keys: KeyPair): string {
  return keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}
