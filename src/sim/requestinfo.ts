/**
 * What a request is, from its method and URL alone, as the apiserver's RequestInfoFactory
 * works it out before authentication and authorization (so a forbidden user gets a 403 for a
 * resource that does not exist, not a 404):
 * - `/api/V/...` and `/apis/G/V/...` with a resource are resource requests; anything else
 *   (`/version`, `/api`, `/apis/G/V`, `/openapi/...`) is a non-resource request whose verb is
 *   the lowercased HTTP method;
 * - the verb: POST create, GET/HEAD get, PUT update, PATCH patch, DELETE delete; a get without a
 *   name is list, or watch with `?watch=true` (or the `/watch/` prefix); a delete without a name
 *   is deletecollection;
 * - `namespaces/NS/...`: the namespace; `namespaces/NS` itself is the namespace NS too;
 * - a list or watch with a `metadata.name=X` field selector has the name X (so RBAC's
 *   resourceNames can allow `kubectl get pod X -w`).
 * The streaming subresources of pods (exec, attach, portforward) are authorized as `create`
 * whatever the method: see `connectVerb`.
 */
import type { RequestInfo } from './faults.js';
import { parseFieldSelectorReqs } from './selectors.js';
import { typeKey, type ResourceType } from './resources.js';

/** subresources that stay with the namespace object itself (`namespaces/NS/status`) */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
/** the pod subresources that open a stream (authorized as create, see below) */
export const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

export function requestInfo(method: string, url: URL, types: Iterable<ResourceType>): RequestInfo {
  const path = url.pathname;
  const parts = path.split('/').filter((p) => p !== '').map(safeDecode);
  const nonResource: RequestInfo = { resource: false, verb: method.toLowerCase(), path };
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return nonResource;
  let rest = parts.slice(1);
  let group = '';
  if (parts[0] === 'apis') {
    if (rest.length < 3) return nonResource;
    group = rest[0];
    rest = rest.slice(1);
  }
  const version = rest[0];
  rest = rest.slice(1);
  let verb: string;
  if (rest[0] === 'watch' || rest[0] === 'proxy') {
    if (rest.length < 2) return { ...nonResource, resource: true, group, apiVersion: version, verb: rest[0], plural: '' };
    verb = rest[0];
    rest = rest.slice(1);
  } else {
    verb = ({ POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method] ?? '';
  }
  let ns: string | undefined;
  if (rest[0] === 'namespaces') {
    if (rest.length > 1) {
      ns = rest[1];
      if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
    }
  }
  const plural = rest[0] ?? '';
  let name = rest.length >= 2 ? rest[1] : undefined;
  const sub = rest.length >= 3 && verb !== 'proxy' ? rest[2] : undefined;
  if (!name && verb === 'get') verb = watchParam(url.searchParams) ? 'watch' : 'list';
  if (!name && (verb === 'list' || verb === 'watch')) name = nameFromFieldSelector(url.searchParams.get('fieldSelector'));
  if (!name && verb === 'delete') verb = 'deletecollection';
  let type: ResourceType | undefined;
  for (const t of types) if (t.group === group && t.version === version && t.plural === plural) type = t;
  const info: RequestInfo = {
    resource: true, verb, path, group, apiVersion: version, plural, ...(type ? { tk: typeKey(type), namespaced: type.namespaced } : {}),
    ...(ns !== undefined ? { ns } : {}), ...(name ? { name } : {}), ...(sub ? { sub } : {}),
  };
  return info;
}

/**
 * exec, attach and portforward are `create` on pods/exec (pods/attach, pods/portforward),
 * whether they arrive as a SPDY POST or a WebSocket GET. (A 1.32 apiserver checks a WebSocket
 * GET as `get`; kubectl, refused, retries over SPDY as `create` and reports that refusal. The
 * sim serves these over WebSocket only, so it asks for what kubectl ends up needing: `create`,
 * which 1.35 requires for both.)
 */
export function connectVerb(info: RequestInfo): RequestInfo {
  if (info.resource && info.plural === 'pods' && info.group === '' && info.sub && CONNECT_SUBRESOURCES.has(info.sub)) return { ...info, verb: 'create' };
  return info;
}

/**
 * `?watch=`, as the apiserver decodes a bool query parameter: absent is false, and so are `0`,
 * `f` and `false` in any case; anything else (`true`, `True` as the Python client sends it,
 * `1`, even an empty value) is true.
 */
export function watchParam(q: URLSearchParams): boolean {
  const w = q.get('watch');
  return w !== null && !['0', 'f', 'false'].includes(w.toLowerCase());
}

function nameFromFieldSelector(fs: string | null): string | undefined {
  if (!fs) return undefined;
  try {
    for (const r of parseFieldSelectorReqs(fs)) if (r.path === 'metadata.name' && r.op === '=' && isPathSegmentName(r.value)) return r.value;
  } catch {
    // a selector that does not parse names nothing (the handler answers 400)
  }
  return undefined;
}

function isPathSegmentName(s: string): boolean {
  return s !== '' && s !== '.' && s !== '..' && !s.includes('/') && !s.includes('%');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
