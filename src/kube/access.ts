/**
 * What the user may do in a context, as the server says: SelfSubjectRulesReview per namespace
 * (one request gives every rule that applies there), SelfSubjectAccessReview where the rules
 * cannot tell (cluster scope, or a server whose rules are incomplete). Answers are cached for a
 * minute and dropped when the server refuses something (a 403 means the cache was wrong).
 *
 * `check` answers at once from the cache: 'yes', 'no', or 'unknown' while it asks (the caller
 * hears `onChange` when the answer is in); kmux lets an unknown through: the server decides.
 */
import type { Connection } from './connection.js';

export interface Access {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** undefined: cluster scope (or every namespace) */
  namespace?: string;
  name?: string;
}

export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

export interface Rules {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  evaluationError?: string;
}

export type Verdict = 'yes' | 'no' | 'unknown';

const TTL_MS = 60_000;

/** Whether one rule allows an access (RBAC's matching: `*` matches all; resourceNames never restrict list, watch or create). */
export function ruleAllows(rule: ResourceRule, a: Access): boolean {
  const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));
  if (!has(rule.verbs, a.verb)) return false;
  if (!has(rule.apiGroups, a.group)) return false;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = rule.resources ?? [];
  const resOk = resources.includes('*') || resources.includes(res) || (!!a.subresource && resources.includes(`*/${a.subresource}`));
  if (!resOk) return false;
  if (rule.resourceNames?.length) {
    if (!a.name) return false;
    return rule.resourceNames.includes(a.name);
  }
  return true;
}

/** Whether any rule allows it. */
export function rulesAllow(rules: readonly ResourceRule[], a: Access): boolean {
  return rules.some((r) => ruleAllows(r, a));
}

interface Entry<T> {
  value?: T;
  error?: string;
  at: number;
  pending?: Promise<void>;
}

export class AccessCache {
  private readonly rules = new Map<string, Entry<Rules>>();
  private readonly reviews = new Map<string, Entry<boolean>>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly conn: () => Connection) {}

  onChange(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Forget everything (the server refused something the cache allowed, or the user changed). */
  invalidate(): void {
    this.rules.clear();
    this.reviews.clear();
  }

  /** The rules in a namespace (cached); undefined while they are asked for, or when they cannot be had. */
  rulesIn(namespace: string): Rules | undefined {
    const e = this.fetch(this.rules, namespace, async () => {
      const body = await this.conn().json('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } }, timeoutMs: 10_000,
      });
      const st = body?.status ?? {};
      return {
        resourceRules: Array.isArray(st.resourceRules) ? st.resourceRules : [],
        nonResourceRules: Array.isArray(st.nonResourceRules) ? st.nonResourceRules : [],
        incomplete: !!st.incomplete,
        evaluationError: st.evaluationError || undefined,
      };
    });
    return e.value;
  }

  /** Why the rules of a namespace could not be had, if they could not. */
  rulesError(namespace: string): string | undefined {
    return this.rules.get(namespace)?.error;
  }

  /** What the server says of one access: from the namespace's rules, or one review. */
  check(a: Access): Verdict {
    if (a.namespace) {
      const r = this.rulesIn(a.namespace);
      if (r && !r.incomplete) return rulesAllow(r.resourceRules, a) ? 'yes' : 'no';
      if (!r && !this.rules.get(a.namespace)?.error) return 'unknown';
    }
    const key = JSON.stringify([a.verb, a.group, a.resource, a.subresource ?? '', a.namespace ?? '', a.name ?? '']);
    const e = this.fetch(this.reviews, key, async () => {
      const body = await this.conn().json('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        body: {
          apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { verb: a.verb, group: a.group, resource: a.resource, subresource: a.subresource, namespace: a.namespace, name: a.name } },
        },
        timeoutMs: 10_000,
      });
      return body?.status?.allowed === true;
    });
    if (e.value === undefined) return 'unknown';
    return e.value ? 'yes' : 'no';
  }

  /** The answer once the server has given it (or `ms` passed: 'unknown'). */
  async settle(a: Access, ms = 3000): Promise<Verdict> {
    const end = Date.now() + ms;
    for (;;) {
      const v = this.check(a);
      if (v !== 'unknown') return v;
      const pending = [...this.rules.values(), ...this.reviews.values()].map((e) => e.pending).filter(Boolean) as Promise<void>[];
      const left = end - Date.now();
      if (!pending.length || left <= 0) return 'unknown';
      await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, left))]);
    }
  }

  private fetch<T>(map: Map<string, Entry<T>>, key: string, load: () => Promise<T>): Entry<T> {
    let e = map.get(key);
    const fresh = e && !e.pending && Date.now() - e.at < TTL_MS;
    if (e && (fresh || e.pending)) return e;
    const entry: Entry<T> = e ?? { at: 0 };
    entry.pending = load().then(
      (v) => {
        entry.value = v;
        entry.error = undefined;
      },
      (err) => {
        // not allowed to ask, or no answer: the server decides each action then
        entry.error = (err as Error).message;
      },
    ).finally(() => {
      entry.pending = undefined;
      entry.at = Date.now();
      this.changed();
    });
    map.set(key, entry);
    e = entry;
    return e;
  }
}
