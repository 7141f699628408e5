/**
 * API discovery: aggregated (apidiscovery.k8s.io/v2) on /api and /apis when the server offers
 * it, else the legacy documents (/api, /api/v1, /apis, /apis/G/V). Resource-name resolution
 * with kubectl's preferences, and URL paths.
 */
import { ApiError, type Connection } from './connection.js';

export interface ApiResource {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  categories: string[];
  /** subresources served (scale, status, log, exec...), when discovery says */
  subresources?: string[];
}

export const AGGREGATED_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

const strs = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);

function isAggregated(body: any): boolean {
  return !!body && typeof body === 'object' && body.kind === 'APIGroupDiscoveryList' && Array.isArray(body.items);
}

/**
 * Add each group's resources: versions in preference order (the server's order), and a resource
 * only in a non-preferred version still counts, from the first version that has it (as
 * client-go's ServerPreferredResources does).
 */
function addGroup(out: ApiResource[], versions: { version: string; resources: ApiResource[] }[]): void {
  const seen = new Set<string>();
  for (const v of versions) {
    for (const r of v.resources) {
      if (seen.has(r.plural)) continue;
      seen.add(r.plural);
      out.push(r);
    }
  }
}

function fromAggregated(body: any, out: ApiResource[]): void {
  for (const item of body.items as any[]) {
    const group: string = item?.metadata?.name ?? '';
    const versions: { version: string; resources: ApiResource[] }[] = [];
    for (const v of (item?.versions ?? []) as any[]) {
      const version = String(v?.version ?? '');
      if (!version) continue;
      const resources: ApiResource[] = [];
      for (const r of (v.resources ?? []) as any[]) {
        const plural = r?.resource;
        if (typeof plural !== 'string' || !plural || plural.includes('/')) continue;
        const kind = r.responseKind?.kind ?? '';
        const subs = (Array.isArray(r.subresources) ? r.subresources : []).map((x: any) => x?.subresource).filter((x: unknown): x is string => typeof x === 'string' && !!x);
        resources.push({
          group,
          version,
          plural,
          singular: r.singularResource || kind.toLowerCase(),
          kind,
          namespaced: r.scope === 'Namespaced',
          shortNames: strs(r.shortNames),
          verbs: strs(r.verbs),
          categories: strs(r.categories),
          ...(subs.length ? { subresources: subs } : {}),
        });
      }
      versions.push({ version, resources });
    }
    addGroup(out, versions);
  }
}

function fromResourceList(body: any, group: string, version: string): ApiResource[] {
  const out: ApiResource[] = [];
  // the legacy list names subresources as entries of their own: "deployments/scale"
  const subs = new Map<string, string[]>();
  for (const r of (body?.resources ?? []) as any[]) {
    const name = r?.name;
    if (typeof name !== 'string' || !name.includes('/')) continue;
    const [res, sub] = name.split('/', 2);
    subs.set(res, [...(subs.get(res) ?? []), sub]);
  }
  for (const r of (body?.resources ?? []) as any[]) {
    const plural = r?.name;
    if (typeof plural !== 'string' || !plural || plural.includes('/')) continue;
    const kind = r.kind ?? '';
    out.push({
      group,
      version,
      plural,
      singular: r.singularName || kind.toLowerCase(),
      kind,
      namespaced: r.namespaced === true,
      shortNames: strs(r.shortNames),
      verbs: strs(r.verbs),
      categories: strs(r.categories),
      ...(subs.get(plural)?.length ? { subresources: subs.get(plural) } : {}),
    });
  }
  return out;
}

/** One group version's legacy APIResourceList; a broken aggregated API (503) only loses its own group. */
async function legacyGroupVersion(conn: Connection, path: string, group: string, version: string): Promise<ApiResource[]> {
  try {
    return fromResourceList(await conn.json('GET', path), group, version);
  } catch (e) {
    if (e instanceof ApiError) return [];
    throw e;
  }
}

async function legacyCore(conn: Connection, body: any): Promise<ApiResource[]> {
  const versions = strs(body?.versions);
  const v = versions.includes('v1') ? 'v1' : versions[0];
  if (!v) return [];
  return fromResourceList(await conn.json('GET', `/api/${v}`), '', v);
}

async function legacyGroups(conn: Connection, body: any): Promise<ApiResource[]> {
  const groups: any[] = Array.isArray(body?.groups) ? body.groups : [];
  const lists = await Promise.all(groups.map(async (g) => {
    const name: string = g?.name ?? '';
    const version: string | undefined = g?.preferredVersion?.version ?? g?.versions?.[0]?.version;
    if (!name || !version) return [];
    return legacyGroupVersion(conn, `/apis/${name}/${version}`, name, version);
  }));
  return lists.flat();
}

/**
 * Every resource the server serves (no subresources). Core first, then the groups in the
 * server's order (its priority order), resources in the server's order within a group.
 */
export async function discover(conn: Connection): Promise<ApiResource[]> {
  const [core, groups] = await Promise.all([
    conn.json('GET', '/api', { accept: AGGREGATED_ACCEPT }),
    conn.json('GET', '/apis', { accept: AGGREGATED_ACCEPT }),
  ]);
  const out: ApiResource[] = [];
  if (isAggregated(core)) fromAggregated(core, out);
  else out.push(...(await legacyCore(conn, core)));
  if (isAggregated(groups)) fromAggregated(groups, out);
  else out.push(...(await legacyGroups(conn, groups)));
  return out;
}

/** Built-in groups in the order kubectl's discovery would prefer them when names collide. */
const BUILTIN_ORDER = [
  '', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'apiextensions.k8s.io', 'admissionregistration.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'node.k8s.io',
  'discovery.k8s.io', 'events.k8s.io', 'certificates.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io',
  'flowcontrol.apiserver.k8s.io', 'apiregistration.k8s.io', 'resource.k8s.io', 'storagemigration.k8s.io',
  'internal.apiserver.k8s.io', 'metrics.k8s.io', 'extensions',
];

function groupRank(group: string): number {
  const i = BUILTIN_ORDER.indexOf(group);
  if (i >= 0) return i;
  // other Kubernetes-owned groups next, then everything else (CRDs)
  if (group.endsWith('.k8s.io') && !group.endsWith('.x-k8s.io')) return BUILTIN_ORDER.length;
  return BUILTIN_ORDER.length + 1;
}

function best(cands: ApiResource[], all: ApiResource[]): ApiResource | undefined {
  if (cands.length <= 1) return cands[0];
  let pick = cands[0];
  let rank = groupRank(pick.group);
  for (const c of cands) {
    const r = groupRank(c.group);
    if (r < rank || (r === rank && all.indexOf(c) < all.indexOf(pick))) {
      pick = c;
      rank = r;
    }
  }
  return pick;
}

type Form = (r: ApiResource) => string[];
const FORMS: Form[] = [
  (r) => [r.plural.toLowerCase()],
  (r) => [r.singular.toLowerCase()],
  (r) => r.shortNames.map((s) => s.toLowerCase()),
  (r) => [r.kind.toLowerCase()],
];

function matchTiers(rs: ApiResource[], name: string, all: ApiResource[]): ApiResource | undefined {
  for (const form of FORMS) {
    const hit = best(rs.filter((r) => form(r).includes(name)), all);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Case-insensitive: plural, singular, short name, kind; 'plural.group' (any of those forms
 * before the group), 'plural.version.group' and 'plural.group/version'. Built-ins win over CRDs
 * that reuse a name (core first, then apps, batch...).
 */
export function resolveResource(all: ApiResource[], name: string): ApiResource | undefined {
  const n = name.trim().toLowerCase();
  if (!n) return undefined;
  let base = n;
  let version: string | undefined;
  const slash = n.indexOf('/');
  if (slash >= 0) {
    base = n.slice(0, slash);
    version = n.slice(slash + 1);
    if (!version) return undefined;
  }
  const inVersion = (rs: ApiResource[]) => (version ? rs.filter((r) => r.version.toLowerCase() === version) : rs);
  if (!base.includes('.')) {
    // 'pods/v1' is not a kubectl form; plain names only without a version
    return version ? undefined : matchTiers(all, base, all);
  }
  const dot = base.indexOf('.');
  const res = base.slice(0, dot);
  const rest = base.slice(dot + 1);
  // resource.group (the group may itself contain dots)
  const byGroup = inVersion(all.filter((r) => r.group.toLowerCase() === rest));
  const hit = matchTiers(byGroup, res, all);
  if (hit) return hit;
  // resource.version.group (kubectl accepts deployments.v1.apps)
  const dot2 = rest.indexOf('.');
  if (!version && dot2 > 0) {
    const v = rest.slice(0, dot2);
    const g = rest.slice(dot2 + 1);
    const hit2 = matchTiers(all.filter((r) => r.group.toLowerCase() === g && r.version.toLowerCase() === v), res, all);
    if (hit2) return hit2;
  }
  // 'pods.v1' or 'pods.' style names for the core group
  if (!version && (rest === '' || /^v\d+((alpha|beta)\d+)?$/.test(rest))) {
    return matchTiers(all.filter((r) => r.group === '' && (rest === '' || r.version === rest)), res, all);
  }
  return undefined;
}

/** /api/v1/namespaces/NS/pods/NAME/log ; /apis/apps/v1/deployments */
export function resourcePath(r: ApiResource, namespace?: string, name?: string, sub?: string): string {
  let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.plural}`;
  if (name !== undefined && name !== '') {
    p += `/${encodeURIComponent(name)}`;
    if (sub) p += `/${sub}`;
  }
  return p;
}
