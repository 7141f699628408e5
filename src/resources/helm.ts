/**
 * Helm 3 releases as Helm itself stores them, read with no Helm binary: one Secret (type
 * `helm.sh/release.v1`) or ConfigMap per revision, labels name/owner=helm/status/version, and a
 * `release` field holding base64 of gzip of the release JSON (a Secret's data is base64 once
 * more, as every Secret value). Payloads stored before Helm compressed them are plain JSON.
 * Everything here is pure: decoding, the values Helm computes, manifests, drift and diffs.
 */
import { gunzipSync } from 'node:zlib';
import { parseDocument, stringify } from 'yaml';
import type { ResourceColumns } from './types.js';

export const HELM_SECRET_TYPE = 'helm.sh/release.v1';
/** what Helm's storage drivers label their objects with */
export const HELM_SELECTOR = 'owner=helm';
/** a release bigger than this once decompressed is refused, not decoded (a Secret holds at most 1 MiB compressed) */
export const MAX_RELEASE_BYTES = 32 * 1024 * 1024;

export class ReleaseDecodeError extends Error {}

export interface HelmHook {
  name?: string;
  kind?: string;
  path?: string;
  manifest?: string;
  events?: string[];
  last_run?: { started_at?: string; completed_at?: string; phase?: string };
  weight?: number;
  delete_policies?: string[];
}

export interface HelmRelease {
  name?: string;
  namespace?: string;
  version?: number;
  info?: { first_deployed?: string; last_deployed?: string; deleted?: string; description?: string; status?: string; notes?: string; rollback_revision?: number };
  chart?: {
    metadata?: { name?: string; version?: string; appVersion?: string; description?: string; apiVersion?: string; type?: string; home?: string; sources?: string[]; keywords?: string[]; maintainers?: { name?: string; email?: string; url?: string }[]; kubeVersion?: string; deprecated?: boolean; dependencies?: { name?: string; version?: string; repository?: string; condition?: string; enabled?: boolean; alias?: string }[] };
    values?: Record<string, unknown> | null;
    templates?: { name?: string; data?: string }[] | null;
  };
  config?: Record<string, unknown> | null;
  manifest?: string;
  hooks?: HelmHook[] | null;
}

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

/** The release JSON from the `release` field as the storage object holds it (after the Secret's own base64, if any). */
export function decodeReleasePayload(text: string, maxBytes = MAX_RELEASE_BYTES): HelmRelease {
  if (typeof text !== 'string' || !text) throw new ReleaseDecodeError('no release data');
  if (text.length > (maxBytes * 4) / 3 + 4) throw new ReleaseDecodeError(`release data too large (${text.length} bytes, at most ${maxBytes})`);
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(text)) throw new ReleaseDecodeError('release data is not base64');
  let bytes = Buffer.from(text, 'base64');
  if (bytes.length > 3 && GZIP_MAGIC.every((b, i) => bytes[i] === b)) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw new ReleaseDecodeError(`release larger than ${maxBytes} bytes once decompressed`);
      throw new ReleaseDecodeError(`release data is corrupt gzip: ${(e as Error).message}`);
    }
  } else if (bytes[0] !== 0x7b /* { */) {
    throw new ReleaseDecodeError('release data is neither gzip nor JSON');
  }
  let rel: unknown;
  try {
    rel = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ReleaseDecodeError(`release is not valid JSON: ${(e as Error).message}`);
  }
  if (!rel || typeof rel !== 'object' || Array.isArray(rel)) throw new ReleaseDecodeError('release JSON is not an object');
  return rel as HelmRelease;
}

/** Which driver wrote a storage object: Secrets always have a type (list items may carry no kind). */
export function storageDriver(obj: any): 'secret' | 'configmap' {
  if (obj?.kind === 'ConfigMap') return 'configmap';
  return obj?.kind === 'Secret' || typeof obj?.type === 'string' ? 'secret' : 'configmap';
}

/** Decode a storage object (Secret or ConfigMap) into its release. */
export function decodeStorageObject(obj: any, maxBytes = MAX_RELEASE_BYTES): HelmRelease {
  return decodeReleasePayload(storageDriver(obj) === 'configmap' ? configMapText(obj) : secretText(obj), maxBytes);
}

/** Helm's CHART column: name-version. */
export function chartLabel(rel: HelmRelease): string {
  const md = rel.chart?.metadata;
  return md?.name ? `${md.name}-${md.version ?? ''}` : '';
}

/** What a row keeps of one stored revision (the store never holds the blob). */
export interface RevisionFacts {
  release: string;
  revision: number;
  status: string;
  chart: string;
  appVersion: string;
  /** last deployed, ms ('' unknown) */
  updated: number | '';
  description: string;
  driver: 'secret' | 'configmap';
  /** why the blob could not be read (the labels then give name, revision and status) */
  error?: string;
}

/** What a stored revision says; `decode` false: only what its labels say (name, revision, status). */
export function revisionFacts(obj: any, decode = true): RevisionFacts {
  const labels = obj?.metadata?.labels ?? {};
  const driver = storageDriver(obj);
  const base: RevisionFacts = {
    release: String(labels.name ?? ''), revision: Number(labels.version) || 0, status: String(labels.status ?? 'unknown'),
    chart: '', appVersion: '', updated: '', description: '', driver,
  };
  if (!decode) return base;
  try {
    const rel = decodeStorageObject(obj);
    const t = Date.parse(rel.info?.last_deployed ?? '');
    return {
      ...base,
      release: rel.name || base.release,
      revision: Number(rel.version) || base.revision,
      status: rel.info?.status || base.status,
      chart: chartLabel(rel),
      appVersion: rel.chart?.metadata?.appVersion ?? '',
      updated: Number.isFinite(t) ? t : '',
      description: rel.info?.description ?? '',
    };
  } catch (e) {
    return { ...base, error: (e as Error).message };
  }
}

function secretText(obj: any): string {
  const v = obj?.data?.release;
  if (typeof v !== 'string') throw new ReleaseDecodeError('no data.release in the Secret');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw new ReleaseDecodeError('the Secret\'s data.release is not base64');
  return Buffer.from(v, 'base64').toString('latin1');
}

function configMapText(obj: any): string {
  const v = obj?.data?.release;
  if (typeof v !== 'string') throw new ReleaseDecodeError('no data.release in the ConfigMap');
  return v;
}

/**
 * The projection the Helm view's stores use (secrets or configmaps labelled owner=helm): no
 * cells of their own, the facts of the revision in `extra`. Objects that are not Helm's (a
 * Secret of another type with the label) are marked so. A superseded revision is never a
 * release's latest (a later one superseded it), and with Helm's default history of 10 most
 * stored revisions are superseded: their blobs are not inflated for the list, only their labels read.
 */
export const helmStorageColumns: ResourceColumns = {
  columns: [],
  project(obj: any) {
    if (storageDriver(obj) === 'secret' && obj?.type !== HELM_SECRET_TYPE) return { cells: [], state: 'normal', extra: { notHelm: true } };
    return { cells: [], state: 'normal', extra: { helm: revisionFacts(obj, obj?.metadata?.labels?.status !== 'superseded') } };
  },
};

// ------------------------------------------------------------------ values

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The values a release runs with, as Helm computes them (`helm get values --all`): the chart's
 * defaults with the user's values over them; maps merge key by key, all the way down; anything
 * else the user gives wins; a null the user gives removes the key.
 */
export function coalesceValues(defaults: unknown, user: unknown): Record<string, unknown> {
  const out = isMap(defaults) ? structuredClone(defaults) : {};
  merge(out, isMap(user) ? user : {});
  return out;
}

function merge(dst: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(src)) {
    if (v === null) delete dst[k];
    else if (isMap(v) && isMap(dst[k])) merge(dst[k] as Record<string, unknown>, v);
    else dst[k] = isMap(v) ? stripNulls(structuredClone(v)) : structuredClone(v);
  }
}

function stripNulls(m: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(m)) {
    if (v === null) delete m[k];
    else if (isMap(v)) stripNulls(v);
  }
  return m;
}

export function toYaml(v: unknown): string {
  if (v === undefined || v === null || (isMap(v) && Object.keys(v).length === 0)) return '{}\n';
  return stringify(v, { lineWidth: 0 });
}

// ------------------------------------------------------------------ manifests

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** the template it came from (`# Source:`) */
  source?: string;
  object: Record<string, unknown>;
}

/**
 * The objects of a rendered manifest (documents separated by `---`). A document that is not
 * YAML, or has no kind or name, comes back as an error, not a crash.
 */
export function manifestObjects(manifest: string | undefined): { objects: ManifestObject[]; errors: string[] } {
  const objects: ManifestObject[] = [];
  const errors: string[] = [];
  if (!manifest) return { objects, errors };
  // one document per `---` line, as Helm writes them, each with its `# Source:` comment
  for (const text of manifest.split(/^---[ \t]*$/m)) {
    if (!text.trim()) continue;
    const src = /^#\s*Source:\s*(\S+)/m.exec(text)?.[1];
    const doc = parseDocument(text);
    if (doc.errors.length) {
      errors.push(`${src ? `${src}: ` : ''}${doc.errors[0].message.split('\n')[0]}`);
      continue;
    }
    const o = doc.toJS() as any;
    if (o === null || o === undefined) continue;
    if (!isMap(o) || typeof o.kind !== 'string' || !isMap(o.metadata) || typeof o.metadata.name !== 'string') {
      errors.push(`a document${src ? ` (${src})` : ''} has no kind or metadata.name`);
      continue;
    }
    objects.push({ apiVersion: String(o.apiVersion ?? 'v1'), kind: o.kind, name: o.metadata.name, namespace: typeof o.metadata.namespace === 'string' ? o.metadata.namespace : undefined, source: src, object: o });
  }
  return { objects, errors };
}

/** Paths where the live object differs from what the manifest sets (the manifest's fields only; status is the cluster's). */
export function driftOf(want: unknown, live: unknown, path = '', out: string[] = [], limit = 20): string[] {
  if (out.length >= limit) return out;
  if (want === null || want === undefined) return out;
  if (isMap(want)) {
    if (!isMap(live)) {
      out.push(`${path || '.'}: ${live === undefined ? 'not set live' : 'live is not a map'}`);
      return out;
    }
    for (const [k, v] of Object.entries(want)) {
      if (!path && (k === 'status' || k === 'apiVersion' || k === 'kind')) continue;
      driftOf(v, live[k], path ? `${path}.${k}` : k, out, limit);
    }
    return out;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(live)) {
      out.push(`${path}: ${live === undefined ? 'not set live' : 'live is not a list'}`);
      return out;
    }
    if (live.length !== want.length) out.push(`${path}: ${want.length} item(s) in the manifest, ${live.length} live`);
    want.forEach((w, i) => driftOf(w, live[i], `${path}[${i}]`, out, limit));
    return out;
  }
  if (live === undefined) out.push(`${path}: ${JSON.stringify(want)} in the manifest, not set live`);
  else if (isMap(live) || Array.isArray(live) || String(live) !== String(want)) out.push(`${path}: ${JSON.stringify(want)} in the manifest, ${JSON.stringify(live)} live`);
  return out;
}

// ------------------------------------------------------------------ diff

export type DiffLine = { op: ' ' | '-' | '+'; text: string };

/** Line edits from a to b (Myers' shortest edit script); past maxD edits, the rest is one replace. */
export function diffLines(a: string[], b: string[], maxD = 4000): DiffLine[] {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxD);
  const off = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice());
    const nv = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      nv[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    v = nv;
  }
  if (found < 0) return [...a.map((text) => ({ op: '-' as const, text })), ...b.map((text) => ({ op: '+' as const, text }))];
  const out: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const pv = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && pv[off + k - 1] < pv[off + k + 1]) ? k + 1 : k - 1;
    const px = pv[off + prevK];
    const py = px - prevK;
    while (x > px && y > py) out.push({ op: ' ', text: a[--x] }), y--;
    if (x === px) out.push({ op: '+', text: b[--y] });
    else out.push({ op: '-', text: a[--x] });
  }
  while (x > 0 && y > 0) out.push({ op: ' ', text: a[--x] }), y--;
  return out.reverse();
}

/** A unified diff (3 lines of context) of two texts, '' when they are equal. */
export function unifiedDiff(a: string, b: string, nameA: string, nameB: string, context = 3): string[] {
  const la = a ? a.replace(/\n$/, '').split('\n') : [];
  const lb = b ? b.replace(/\n$/, '').split('\n') : [];
  const edits = diffLines(la, lb);
  if (!edits.some((e) => e.op !== ' ')) return [];
  const out = [`--- ${nameA}`, `+++ ${nameB}`];
  // positions in a and b before each edit
  const pos: { ia: number; ib: number }[] = [];
  let ia = 0;
  let ib = 0;
  for (const e of edits) {
    pos.push({ ia, ib });
    if (e.op !== '+') ia++;
    if (e.op !== '-') ib++;
  }
  let i = 0;
  while (i < edits.length) {
    if (edits[i].op === ' ') {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    // extend over changes closer than 2 x context apart
    for (let j = i; j < edits.length; j++) {
      if (edits[j].op !== ' ') end = j;
      else if (j - end > 2 * context) break;
    }
    const stop = Math.min(edits.length, end + context + 1);
    const hunk = edits.slice(start, stop);
    const sa = pos[start].ia;
    const sb = pos[start].ib;
    const na = hunk.filter((e) => e.op !== '+').length;
    const nb = hunk.filter((e) => e.op !== '-').length;
    out.push(`@@ -${na ? sa + 1 : sa},${na} +${nb ? sb + 1 : sb},${nb} @@`);
    for (const e of hunk) out.push(e.op + e.text);
    i = stop;
  }
  return out;
}
