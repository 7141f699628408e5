/**
 * Faults a test (or someone with curl) switches on to see how clients cope: latency, stalls,
 * 401/403 for a resource or namespace, 429/500/503 for every request or some, truncated
 * bodies and watch streams. Every rule is plain data, so the admin endpoint can show and set
 * them as JSON; matching never throws, so a fault cannot take the sim down.
 */
import { ApiError, forbidden } from './errors.js';

export { forbidden } from './errors.js';

/** What the apiserver's RequestInfo knows about a request, as far as faults care. */
export interface RequestInfo {
  /** a request for a resource (as opposed to discovery, /version, /healthz). */
  resource: boolean;
  /** the RBAC verb: get, list, watch, create, update, patch, delete, deletecollection. */
  verb: string;
  path: string;
  /** 'pods', 'deployments.apps' */
  tk?: string;
  plural?: string;
  group?: string;
  apiVersion?: string;
  sub?: string;
  ns?: string;
  name?: string;
  namespaced?: boolean;
}

/** Which requests a rule applies to; every field left out matches everything. */
export interface Match {
  /**
   * 'pods', 'deployments.apps', or a plural in any group ('deployments'); a rule for a
   * resource covers its subresources too, 'pods/log' only that subresource.
   */
  resource?: string;
  /** requests in this namespace (for 401/403 also the cluster-wide ones of a namespaced resource). */
  namespace?: string;
  /** RBAC verbs: get, list, watch, create, update, patch, delete, deletecollection. */
  verbs?: string[];
}

export interface DenyRule extends Match {
  /** 401 Unauthorized (as a rejected credential) or 403 Forbidden (as RBAC). */
  code: 401 | 403;
  /** the user a 403 names (default: the user who made the request). */
  user?: string;
}

export interface ErrorRule extends Match {
  /** 429, 500, 503, or any other 4xx/5xx. */
  code: number;
  /** the share of matching requests that fail (default 1: all). */
  fraction?: number;
  /** fail this many requests, then the rule is gone (default: no limit). */
  count?: number;
  /** 500: the cause (`Internal error occurred: <message>`); others: the whole message. */
  message?: string;
  /** Retry-After header (429 defaults to 1, as the max-in-flight filter). */
  retryAfterSeconds?: number;
  /**
   * 'status': a Status object (as apierrors.New* through the handlers); 'text': plain text
   * (as http.Error). A 429 defaults to text, the way the max-in-flight and priority-and-fairness
   * filters answer; everything else to status.
   */
  body?: 'status' | 'text';
}

export interface TruncateRule extends Match {
  /** cut this many responses or watch streams, then the rule is gone (default: no limit). */
  count?: number;
  /** list or get: bytes of the body sent before the cut (default: half of it). */
  afterBytes?: number;
  /** watch: whole events sent before the one that is cut in half (default 0). */
  afterEvents?: number;
}

export interface DelayRule extends Match {
  /** how long a matching request waits before it is served, in ms (at most this: clearing the faults ends the wait) */
  ms: number;
  /**
   * only list pages after the first (requests with a continue token): true; only requests
   * without one: false; both when left out
   */
  continued?: boolean;
  /** delay this many requests, then the rule is gone (default: no limit). */
  count?: number;
}

/** The JSON shape of the faults (GET /_sim/faults, and what PUT/POST accept). */
export interface FaultSpec {
  latencyMs?: number;
  /** type keys answered 403 in every namespace (the older form of a deny rule). */
  forbidden?: string[];
  deny?: DenyRule[];
  errors?: ErrorRule[];
  truncate?: TruncateRule[];
  delays?: DelayRule[];
  /** seconds from now during which nothing is answered. */
  stallSeconds?: number;
}

const ERROR_REASON: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict',
  410: 'Expired', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

/** A fault answer that is not a Status (http.Error's plain text). */
export interface TextAnswer {
  code: number;
  text: string;
  headers: Record<string, string>;
}

export class Faults {
  /** delay before every answer, in ms. */
  latencyMs = 0;
  /** type keys ('pods', 'deployments.apps') answered 403 Forbidden everywhere. */
  readonly forbidden = new Set<string>();
  deny: DenyRule[] = [];
  errors: ErrorRule[] = [];
  truncate: TruncateRule[] = [];
  delays: DelayRule[] = [];
  /** requests waiting out a delay rule: each ends its wait when called */
  private readonly held = new Set<() => void>();
  /** epoch ms until which requests get no answer (0: no stall). */
  stallUntil = 0;
  private stallTimer?: NodeJS.Timeout;
  private stallWaiters: (() => void)[] = [];

  /** Replace every fault with `spec` (what PUT does). */
  set(spec: FaultSpec): void {
    this.clear();
    this.merge(spec);
  }

  /** Set the scalars given and add the rules given to those in place (what POST does). */
  merge(spec: FaultSpec): void {
    const s = validate(spec);
    if (s.latencyMs !== undefined) this.latencyMs = s.latencyMs;
    for (const tk of s.forbidden ?? []) this.forbidden.add(tk);
    this.deny.push(...(s.deny ?? []));
    this.errors.push(...(s.errors ?? []));
    this.truncate.push(...(s.truncate ?? []));
    this.delays.push(...(s.delays ?? []));
    if (s.stallSeconds !== undefined) this.stall(s.stallSeconds * 1000);
  }

  /** Back to a healthy server: no latency, no rules, and a stall or delay in progress ends now. */
  clear(): void {
    this.latencyMs = 0;
    this.forbidden.clear();
    this.deny = [];
    this.errors = [];
    this.truncate = [];
    this.delays = [];
    this.stall(0);
    this.release();
  }

  toJSON(): FaultSpec & { stalledForMs: number; heldRequests: number } {
    return {
      latencyMs: this.latencyMs, forbidden: [...this.forbidden], deny: this.deny, errors: this.errors, truncate: this.truncate, delays: this.delays,
      heldRequests: this.held.size, stalledForMs: Math.max(0, this.stallUntil - Date.now()),
    };
  }

  // ------------------------------------------------------------------ stall

  /** Answer nothing for `ms` (0 ends a stall now); requests that arrive meanwhile wait for its end. */
  stall(ms: number): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    if (ms > 0) {
      this.stallUntil = Date.now() + ms;
      this.stallTimer = setTimeout(() => this.endStall(), ms);
      this.stallTimer.unref?.();
    } else this.endStall();
  }

  stalled(): boolean {
    return this.stallUntil > Date.now();
  }

  /** Resolves when no stall is in progress. */
  whenUnstalled(): Promise<void> {
    if (!this.stalled()) return Promise.resolve();
    return new Promise((r) => this.stallWaiters.push(r));
  }

  /** Run `fn` once the stall ends (at once when there is none). */
  afterStall(fn: () => void): void {
    if (!this.stalled()) fn();
    else this.stallWaiters.push(fn);
  }

  private endStall(): void {
    this.stallUntil = 0;
    this.stallTimer = undefined;
    const ws = this.stallWaiters.splice(0);
    for (const w of ws) {
      try {
        w();
      } catch (e) {
        console.error('[sim] after a stall:', e);
      }
    }
  }

  // ------------------------------------------------------------------ delays

  /** How long this request waits, if a delay rule matches (its count goes down). */
  delay(info: RequestInfo, continued: boolean): number | undefined {
    for (let i = 0; i < this.delays.length; i++) {
      const r = this.delays[i];
      if (r.continued !== undefined && r.continued !== continued) continue;
      if (!matches(r, info, false)) continue;
      if (r.count !== undefined) {
        r.count--;
        if (r.count <= 0) this.delays.splice(i, 1);
      }
      return r.ms;
    }
    return undefined;
  }

  /** Wait `ms`, or until the faults are cleared (or the server stops), whichever comes first. */
  hold(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.held.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref?.();
      this.held.add(done);
    });
  }

  /** Every request waiting out a delay goes on now. */
  release(): void {
    for (const done of [...this.held]) done();
  }

  // ------------------------------------------------------------------ rules

  /** A 401 or 403 for this request, if a rule says so; a 403 names `user` (the requester) unless the rule names another. */
  denial(info: RequestInfo, user = 'system:anonymous'): ApiError | undefined {
    for (const r of this.deny) {
      if (r.code !== 401) continue;
      if ((r.resource || r.namespace || r.verbs) && !info.resource) continue;
      if (matches(r, info, true)) return unauthorized();
    }
    if (!info.resource) return undefined;
    if (info.tk && this.forbidden.has(info.tk)) return forbidden(info, user);
    for (const r of this.deny) {
      if (r.code === 403 && matches(r, info, true)) return forbidden(info, r.user ?? user);
    }
    return undefined;
  }

  /** An injected error for this request, if a rule fires (its count goes down). */
  failure(info: RequestInfo): ApiError | TextAnswer | undefined {
    for (let i = 0; i < this.errors.length; i++) {
      const r = this.errors[i];
      if (!matches(r, info, false)) continue;
      if (r.fraction !== undefined && r.fraction < 1 && Math.random() >= r.fraction) continue;
      if (r.count !== undefined) {
        r.count--;
        if (r.count <= 0) this.errors.splice(i, 1);
      }
      return errorAnswer(r);
    }
    return undefined;
  }

  /** A truncation for this list, get or watch, if a rule fires (its count goes down). */
  truncation(info: RequestInfo): TruncateRule | undefined {
    if (!info.resource || !['list', 'watch', 'get'].includes(info.verb)) return undefined;
    for (let i = 0; i < this.truncate.length; i++) {
      const r = this.truncate[i];
      if (!r.verbs && info.verb === 'get') continue;
      if (!matches(r, info, false)) continue;
      if (r.count !== undefined) {
        r.count--;
        if (r.count <= 0) this.truncate.splice(i, 1);
      }
      return { ...r };
    }
    return undefined;
  }
}

function matches(r: Match, info: RequestInfo, clusterScopeToo: boolean): boolean {
  if (r.verbs && r.verbs.length && !r.verbs.includes(info.verb)) return false;
  if (r.resource) {
    if (!info.resource) return false;
    const [res, sub] = r.resource.split('/');
    if (res !== info.tk && res !== info.plural) return false;
    if (sub !== undefined && sub !== info.sub) return false;
  }
  if (r.namespace) {
    if (!info.resource) return false;
    if (info.ns !== undefined) return info.ns === r.namespace;
    // a cluster-wide request of a namespaced resource needs permission in every namespace
    return clusterScopeToo && !!info.namespaced;
  }
  return true;
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

function errorAnswer(r: ErrorRule): ApiError | TextAnswer {
  const code = r.code;
  const retry = r.retryAfterSeconds ?? (code === 429 ? 1 : undefined);
  const text = r.body === 'text' || (r.body === undefined && code === 429);
  if (text) {
    const message = r.message ?? (code === 429 ? 'Too many requests, please try again later.' : code === 503 ? 'service unavailable' : 'Internal Server Error');
    const headers: Record<string, string> = {};
    if (retry !== undefined) headers['Retry-After'] = String(retry);
    return { code, text: message + '\n', headers };
  }
  const details: Record<string, unknown> = {};
  let message: string;
  if (code === 500) {
    const cause = r.message ?? 'injected by the simulator';
    message = `Internal error occurred: ${cause}`;
    details.causes = [{ message: cause }];
  } else if (code === 429) message = r.message ?? 'Too many requests, please try again later.';
  else if (code === 503) message = r.message ?? 'the server is currently unable to handle the request';
  else message = r.message ?? `injected ${code}`;
  const err = new ApiError(code, ERROR_REASON[code] ?? '', message, Object.keys(details).length ? details : undefined);
  if (retry !== undefined && retry > 0) {
    // responsewriters.ErrorNegotiated: a Status asking to retry later also says so in the header
    details.retryAfterSeconds = retry;
    err.details = details;
    err.headers = { 'Retry-After': String(retry) };
  }
  return err;
}

/** Checks a spec from outside (JSON over HTTP); throws a message fit for a 400. */
function validate(spec: unknown): FaultSpec {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new Error('faults must be a JSON object');
  const s = spec as Record<string, unknown>;
  // what GET adds is accepted back (and ignored), so a GET's answer can be PUT again
  const known = ['latencyMs', 'forbidden', 'deny', 'errors', 'truncate', 'delays', 'stallSeconds', 'stalledForMs', 'heldRequests'];
  for (const k of Object.keys(s)) if (!known.includes(k)) throw new Error(`unknown fault "${k}" (known: ${known.slice(0, -2).join(', ')})`);
  const num = (v: unknown, what: string, min = 0) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new Error(`${what} must be a number >= ${min}`);
    return v;
  };
  const strs = (v: unknown, what: string) => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error(`${what} must be a list of strings`);
    return v as string[];
  };
  const rules = <T extends Match>(v: unknown, what: string, check: (r: Record<string, unknown>, w: string) => void): T[] => {
    if (!Array.isArray(v)) throw new Error(`${what} must be a list`);
    return v.map((x, i) => {
      const w = `${what}[${i}]`;
      if (!x || typeof x !== 'object' || Array.isArray(x)) throw new Error(`${w} must be an object`);
      const r = x as Record<string, unknown>;
      if (r.resource !== undefined && typeof r.resource !== 'string') throw new Error(`${w}.resource must be a string`);
      if (r.namespace !== undefined && typeof r.namespace !== 'string') throw new Error(`${w}.namespace must be a string`);
      if (r.verbs !== undefined) strs(r.verbs, `${w}.verbs`);
      if (r.count !== undefined) num(r.count, `${w}.count`, 1);
      check(r, w);
      return { ...r } as unknown as T;
    });
  };
  const out: FaultSpec = {};
  if (s.latencyMs !== undefined) out.latencyMs = num(s.latencyMs, 'latencyMs');
  if (s.stallSeconds !== undefined) out.stallSeconds = num(s.stallSeconds, 'stallSeconds');
  if (s.forbidden !== undefined) out.forbidden = strs(s.forbidden, 'forbidden');
  if (s.deny !== undefined) {
    out.deny = rules<DenyRule>(s.deny, 'deny', (r, w) => {
      if (r.code !== 401 && r.code !== 403) throw new Error(`${w}.code must be 401 or 403`);
      if (r.user !== undefined && typeof r.user !== 'string') throw new Error(`${w}.user must be a string`);
    });
  }
  if (s.errors !== undefined) {
    out.errors = rules<ErrorRule>(s.errors, 'errors', (r, w) => {
      if (typeof r.code !== 'number' || !Number.isInteger(r.code) || r.code < 400 || r.code > 599) throw new Error(`${w}.code must be a 4xx or 5xx status`);
      if (r.fraction !== undefined && (num(r.fraction, `${w}.fraction`) > 1)) throw new Error(`${w}.fraction must be between 0 and 1`);
      if (r.retryAfterSeconds !== undefined) num(r.retryAfterSeconds, `${w}.retryAfterSeconds`);
      if (r.message !== undefined && typeof r.message !== 'string') throw new Error(`${w}.message must be a string`);
      if (r.body !== undefined && r.body !== 'status' && r.body !== 'text') throw new Error(`${w}.body must be "status" or "text"`);
    });
  }
  if (s.truncate !== undefined) {
    out.truncate = rules<TruncateRule>(s.truncate, 'truncate', (r, w) => {
      if (r.afterBytes !== undefined) num(r.afterBytes, `${w}.afterBytes`);
      if (r.afterEvents !== undefined) num(r.afterEvents, `${w}.afterEvents`);
      for (const v of (r.verbs as string[] | undefined) ?? []) if (!['list', 'watch', 'get'].includes(v)) throw new Error(`${w}.verbs: only list, watch and get responses can be truncated`);
    });
  }
  if (s.delays !== undefined) {
    out.delays = rules<DelayRule>(s.delays, 'delays', (r, w) => {
      num(r.ms, `${w}.ms`);
      if (r.continued !== undefined && typeof r.continued !== 'boolean') throw new Error(`${w}.continued must be true or false`);
    });
  }
  return out;
}
