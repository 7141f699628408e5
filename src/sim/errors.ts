/** API errors in the Status shape the apiserver answers. */
export class ApiError extends Error {
  /** response headers that go with it (Retry-After, as the apiserver sets from details.retryAfterSeconds). */
  headers?: Record<string, string>;
  constructor(
    public code: number,
    public reason: string,
    message: string,
    public details?: Record<string, unknown>,
  ) {
    super(message);
  }
  /** metav1.Status, its fields in the apiserver's order; an empty reason is left out, as there. */
  status(): Record<string, unknown> {
    const s: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message };
    if (this.reason) s.reason = this.reason;
    if (this.details) s.details = this.details;
    s.code = this.code;
    return s;
  }
}

/** 'pods' or 'deployments.apps', as Kubernetes names a resource in messages. */
export function qualified(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

export const notFound = (plural: string, group: string, name: string) =>
  new ApiError(404, 'NotFound', `${qualified(plural, group)} "${name}" not found`, { name, ...(group ? { group } : {}), kind: plural });
export const alreadyExists = (plural: string, group: string, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualified(plural, group)} "${name}" already exists`, { name, ...(group ? { group } : {}), kind: plural });
export const conflict = (plural: string, group: string, name: string) =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(plural, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, ...(group ? { group } : {}), kind: plural });
export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
export const invalid = (kind: string, name: string, causes: { field: string; message: string; reason?: string }[]) =>
  new ApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`, {
    name, kind, causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })),
  });
export const expired = (message: string) => new ApiError(410, 'Expired', message);

/**
 * A list, get or watch-list asking for a resourceVersion the store has not reached
 * (storage.NewTooLargeResourceVersionError: a 504 Timeout with the cause
 * ResourceVersionTooLarge, retry after 1 s).
 */
export function tooLargeResourceVersion(wanted: number, current: number): ApiError {
  const e = new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${wanted}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1,
  });
  e.headers = { 'Retry-After': '1' };
  return e;
}

/** An exact-RV list beyond etcd's revision: etcd's error comes through as it is, a 500 with no reason. */
export const futureRevision = () => new ApiError(500, '', 'etcdserver: mvcc: required revision is a future revision');

/** What a 403 is about: the request as RequestInfo sees it (faults.ts's RequestInfo fits). */
export interface ForbiddenAttributes {
  /** a resource request (else `path` is what was asked for) */
  resource: boolean;
  verb: string;
  path: string;
  plural?: string;
  group?: string;
  sub?: string;
  ns?: string;
  name?: string;
}

/**
 * 403 as the apiserver's authorization filter writes it (responsewriters.Forbidden, then
 * apierrors.NewForbidden): `pods "p" is forbidden: User "u" cannot get resource "pods/log" in
 * API group "" in the namespace "web"`, `... at the cluster scope`; a non-resource path:
 * `forbidden: User "u" cannot get path "/api"`. The authorizer's reason, when it gives one
 * (RBAC: a binding to a role that does not exist), follows after `: `. Details: {name?, group?,
 * kind: resource} (empty for a path).
 */
export function forbidden(info: ForbiddenAttributes, user: string, reason = ''): ApiError {
  const sanitize = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const plural = info.plural ?? '';
  const group = info.group ?? '';
  let why: string;
  if (!info.resource) why = `User ${goQuote(user)} cannot ${info.verb} path ${goQuote(info.path)}`;
  else {
    const resource = info.sub ? `${plural}/${info.sub}` : plural;
    const scope = info.ns ? `in the namespace ${goQuote(info.ns)}` : 'at the cluster scope';
    why = `User ${goQuote(user)} cannot ${info.verb} resource ${goQuote(resource)} in API group ${goQuote(group)} ${scope}`;
  }
  why = sanitize(why) + (reason ? `: ${reason}` : '');
  const what = !info.resource ? '' : qualified(plural, group);
  const message = !what ? `forbidden: ${why}` : info.name ? `${what} ${goQuote(info.name)} is forbidden: ${why}` : `${what} is forbidden: ${why}`;
  return new ApiError(403, 'Forbidden', message, !info.resource ? {} : {
    ...(info.name ? { name: info.name } : {}), ...(group ? { group } : {}), kind: plural,
  });
}

/** Go's %q for the strings that appear in messages (quotes and backslashes escaped). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
