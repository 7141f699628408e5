/** Discovery documents, legacy and aggregated (apidiscovery.k8s.io/v2), built from the served types. */
import { gvKey, type ResourceType } from './resources.js';

export const AGGREGATED_CT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregated(accept: string | undefined): boolean {
  return !!accept && /as=APIGroupDiscoveryList/.test(accept) && /v=v2(;|,|$)/.test(accept);
}

function groupsOf(types: Iterable<ResourceType>): Map<string, Map<string, ResourceType[]>> {
  const groups = new Map<string, Map<string, ResourceType[]>>();
  for (const t of types) {
    let vs = groups.get(t.group);
    if (!vs) groups.set(t.group, (vs = new Map()));
    let list = vs.get(t.version);
    if (!list) vs.set(t.version, (list = []));
    list.push(t);
  }
  return groups;
}

function aggregatedResource(t: ResourceType) {
  const r: Record<string, unknown> = {
    resource: t.plural,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: t.verbs,
  };
  if (t.shortNames.length) r.shortNames = t.shortNames;
  if (t.categories.length) r.categories = t.categories;
  if (t.subresources.length) {
    r.subresources = t.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? t.group, version: s.version ?? t.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return r;
}

function aggregatedGroup(name: string, versions: Map<string, ResourceType[]>) {
  return {
    metadata: name ? { name, creationTimestamp: null } : { creationTimestamp: null },
    versions: [...versions.entries()].map(([version, ts]) => ({
      version,
      resources: ts.map(aggregatedResource),
      freshness: 'Current',
    })),
  };
}

/** `GET /api` (core=true) or `GET /apis` answered in the aggregated form. */
export function aggregatedList(types: Iterable<ResourceType>, core: boolean) {
  const groups = groupsOf(types);
  const items = [];
  for (const [name, versions] of groups) {
    if ((name === '') !== core) continue;
    items.push(aggregatedGroup(name, versions));
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(name: string, versions: string[]) {
  const vs = versions.map((v) => ({ groupVersion: gvKey(name, v), version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(types: Iterable<ResourceType>) {
  const groups = groupsOf(types);
  const out = [];
  for (const [name, versions] of groups) if (name !== '') out.push(groupEntry(name, [...versions.keys()]));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: out };
}

export function apiGroup(types: Iterable<ResourceType>, group: string) {
  const versions = groupsOf(types).get(group);
  if (!versions) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, [...versions.keys()]) };
}

/** `GET /api/v1` or `GET /apis/G/V`: the legacy APIResourceList, subresources as `pods/eviction`. */
export function apiResourceList(types: Iterable<ResourceType>, group: string, version: string) {
  const ts = [...types].filter((t) => t.group === group && t.version === version);
  if (ts.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const t of ts) {
    const r: Record<string, unknown> = {
      name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs,
    };
    if (t.shortNames.length) r.shortNames = t.shortNames;
    if (t.categories.length) r.categories = t.categories;
    resources.push(r);
    for (const s of t.subresources) {
      const sr: Record<string, unknown> = { name: `${t.plural}/${s.name}`, singularName: t.singular, namespaced: t.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== undefined) sr.group = s.group;
      if (s.version !== undefined) sr.version = s.version;
      resources.push(sr);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gvKey(group, version), resources };
}

/**
 * OpenAPI v3, only as much as clients read from it: `GET /openapi/v3` lists one document per
 * group-version, and each document has a PATCH operation per kind that declares the
 * `fieldValidation` query parameter. kubectl create/apply check exactly that to decide that the
 * server validates fields itself; with no OpenAPI at all they refuse to run ("failed to download
 * openapi") unless --validate=false. Schemas are left out: kubectl then falls back to its built-in
 * types for strategic merge patches, and to merge patches for custom resources.
 */
export function openApiV3Path(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

export function openApiV3Document(types: Iterable<ResourceType>, group: string, version: string) {
  const ts = [...types].filter((t) => t.group === group && t.version === version && !t.virtual);
  if (ts.length === 0) return undefined;
  const prefix = `/${openApiV3Path(group, version)}`;
  const fieldValidation = {
    name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true },
    description: 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.',
  };
  const paths: Record<string, unknown> = {};
  for (const t of ts) {
    const path = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.plural}/{name}` : `${prefix}/${t.plural}/{name}`;
    paths[path] = {
      patch: {
        description: `partially update the specified ${t.kind}`,
        operationId: `patch${t.kind}`,
        parameters: [fieldValidation],
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.4' }, paths, components: { schemas: {} } };
}

/** `GET /openapi/v3`: where each group-version's document is; the hash changes with the document. */
export function openApiV3Index(types: Iterable<ResourceType>, hashOf: (group: string, version: string) => string) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [group, versions] of groupsOf(types)) {
    for (const [version, ts] of versions) {
      if (ts.every((t) => t.virtual)) continue;
      const p = openApiV3Path(group, version);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(group, version)}` };
    }
  }
  return { paths };
}
