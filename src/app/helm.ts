/**
 * `:helm`: Helm 3 releases across contexts, read from the cluster as Helm stores them (no Helm
 * binary). The list is live: one row store per context and driver (secrets and configmaps
 * labelled owner=helm, projected into revision facts, never holding the blobs); a release's
 * row is its latest revision. History, values, manifests and the live objects are read when
 * asked, from the storage objects of that one release.
 */
import { resolveResource, resourcePath, type ApiResource } from '../kube/discovery.js';
import { ApiError } from '../kube/connection.js';
import type { RowStore } from '../store/rows.js';
import {
  HELM_SECRET_TYPE, HELM_SELECTOR, decodeStorageObject, driftOf, manifestObjects, revisionFacts, storageDriver,
  type HelmRelease, type RevisionFacts,
} from '../resources/helm.js';
import type { Session } from './session.js';

export interface ReleaseRow extends RevisionFacts {
  key: string;
  context: string;
  namespace: string;
  /** revisions stored */
  revisions: number;
}

export interface RevisionEntry extends RevisionFacts {
  /** the decoded release, unless `error` */
  rel?: HelmRelease;
}

export type ObjectState = 'ok' | 'MISSING' | 'DRIFTED' | 'UNKNOWN KIND' | 'ERROR';

export interface ReleaseObject {
  kind: string;
  name: string;
  namespace?: string;
  state: ObjectState;
  /** what differs (DRIFTED), or why it could not be read */
  detail: string[];
  source?: string;
}

export class HelmModel {
  private readonly stores: RowStore[] = [];
  private readonly unsubs: (() => void)[] = [];
  private cache?: { version: string; rows: ReleaseRow[] };
  /** contexts broken or unreachable when the view opened: none of their releases are listed */
  private readonly unanswered: string[] = [];

  private constructor(private readonly session: Session, readonly contexts: string[], readonly namespace: string | undefined) {}

  static async open(session: Session, o: { contexts: string[]; namespace?: string }): Promise<HelmModel> {
    const m = new HelmModel(session, o.contexts, o.namespace);
    const found = await Promise.all(o.contexts.map(async (ctx) => {
      const c = session.client(ctx);
      if (c.broken) return [ctx, undefined] as const;
      if (c.health.state === 'connecting' || !c.resources) c.start();
      return [ctx, await c.ensureResources()] as const;
    }));
    for (const [ctx, all] of found) {
      if (!all) {
        m.unanswered.push(ctx);
        continue;
      }
      for (const name of ['secrets', 'configmaps']) {
        const res = resolveResource(all, name);
        if (!res) continue;
        const store = session.registry.acquire({ context: ctx, resource: res, namespace: o.namespace, labelSelector: HELM_SELECTOR, projection: 'helm' });
        m.stores.push(store);
        m.unsubs.push(store.subscribe(() => session.changed()));
      }
    }
    if (!m.stores.length) throw new Error(`no context of ${o.contexts.join(', ')} answered`);
    return m;
  }

  /** Each release's latest revision, newest update first within a context. */
  rows(): ReleaseRow[] {
    const version = this.stores.map((s) => s.version).join(',');
    if (this.cache?.version === version) return this.cache.rows;
    const latest = new Map<string, ReleaseRow>();
    for (const s of this.stores) {
      for (const r of s.rows.values()) {
        const f = r.extra?.helm as RevisionFacts | undefined;
        if (!f) continue;
        const key = `${r.context}|${r.namespace ?? ''}/${f.release || r.name}|${f.driver}`;
        const prev = latest.get(key);
        const count = (prev?.revisions ?? 0) + 1;
        if (!prev || f.revision > prev.revision) latest.set(key, { ...f, key, context: r.context, namespace: r.namespace ?? '', revisions: count });
        else prev.revisions = count;
      }
    }
    const rows = [...latest.values()].sort((a, b) => a.context.localeCompare(b.context) || a.namespace.localeCompare(b.namespace) || a.release.localeCompare(b.release));
    this.cache = { version, rows };
    return rows;
  }

  /** The contexts whose releases could not be listed, and why. */
  problems(): string[] {
    const out = this.unanswered.map((ctx) => `${ctx}: ${this.session.client(ctx).health.error ?? 'did not answer'}`);
    for (const s of this.stores) if (s.status.error && !s.status.synced) out.push(`${s.key.context} ${s.key.resource.plural}: ${s.status.error}`);
    return out;
  }

  get loading(): boolean {
    return this.stores.some((s) => !s.status.synced && !s.status.error);
  }

  private storageResource(r: Pick<ReleaseRow, 'context' | 'driver'>): ApiResource {
    const res = resolveResource(this.session.client(r.context).resources ?? [], r.driver === 'configmap' ? 'configmaps' : 'secrets');
    if (!res) throw new Error(`${r.context} serves no ${r.driver}s`);
    return res;
  }

  /** Every revision of a release, oldest first, each decoded (or with the reason it could not be). */
  async history(r: ReleaseRow): Promise<RevisionEntry[]> {
    const res = this.storageResource(r);
    const list = await this.session.client(r.context).conn.json('GET', resourcePath(res, r.namespace), { query: { labelSelector: `${HELM_SELECTOR},name=${r.release}` }, timeoutMs: 15_000 });
    const out: RevisionEntry[] = [];
    for (const item of list?.items ?? []) {
      if (storageDriver(item) === 'secret' && item.type !== HELM_SECRET_TYPE) continue;
      const facts = revisionFacts(item);
      let rel: HelmRelease | undefined;
      if (!facts.error) rel = decodeStorageObject(item);
      out.push({ ...facts, rel });
    }
    return out.sort((a, b) => a.revision - b.revision);
  }

  /** One revision, decoded: throws the decoding error. */
  async revision(r: ReleaseRow, revision: number): Promise<HelmRelease> {
    const res = this.storageResource(r);
    const obj = await this.session.client(r.context).conn.json('GET', resourcePath(res, r.namespace, `sh.helm.release.v1.${r.release}.v${revision}`), { timeoutMs: 15_000 });
    return decodeStorageObject(obj);
  }

  /** The objects the release's manifest names, each compared with the live one. */
  async objects(r: ReleaseRow): Promise<{ objects: ReleaseObject[]; errors: string[] }> {
    const rel = await this.revision(r, r.revision);
    const { objects, errors } = manifestObjects(rel.manifest);
    const client = this.session.client(r.context);
    const all = (await client.ensureResources()) ?? [];
    const out = await Promise.all(objects.map(async (o): Promise<ReleaseObject> => {
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
      const res = all.find((a) => a.kind === o.kind && a.group === group);
      const namespace = res && !res.namespaced ? undefined : o.namespace ?? r.namespace;
      const base = { kind: o.kind, name: o.name, namespace, source: o.source };
      if (!res) return { ...base, state: 'UNKNOWN KIND', detail: [`${o.apiVersion} ${o.kind} is not served by ${r.context}`] };
      try {
        const live = await client.conn.json('GET', resourcePath(res, namespace, o.name), { timeoutMs: 15_000 });
        const drift = driftOf(o.object, live);
        return { ...base, state: drift.length ? 'DRIFTED' : 'ok', detail: drift };
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return { ...base, state: 'MISSING', detail: ['not found in the cluster'] };
        return { ...base, state: 'ERROR', detail: [(e as Error).message] };
      }
    }));
    return { objects: out, errors };
  }

  dispose(): void {
    for (const u of this.unsubs) u();
    for (const s of this.stores) this.session.registry.release(s);
    this.stores.length = 0;
  }
}
