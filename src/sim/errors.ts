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
