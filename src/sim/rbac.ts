/**
 * Authorization with RBAC's semantics, over the cluster's own Role, ClusterRole, RoleBinding
 * and ClusterRoleBinding objects (served under rbac.authorization.k8s.io/v1 like any kind):
 * - members of `system:masters` may do anything (the apiserver's privileged-group authorizer,
 *   ahead of RBAC);
 * - otherwise a request is allowed when a rule of a role bound to the user, or to one of its
 *   groups, matches it: ClusterRoleBindings everywhere, RoleBindings in the request's namespace
 *   (a RoleBinding may grant a ClusterRole's rules in its namespace). A rule matches a verb, an
 *   API group, a resource or `resource/subresource` (`*` and `*\/subresource` too) and, when it
 *   names some, the object's name (so resourceNames never allow list, watch, create or
 *   deletecollection without a name), or a non-resource URL (`/healthz`, a `*` suffix);
 * - a binding to a role that does not exist is an evaluation error that ends up in the 403
 *   (`: RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`).
 * The default ClusterRoles and bindings a fresh apiserver creates are below, with the contents
 * of kube-apiserver 1.32's bootstrap policy; `view`, `edit` and `admin` are aggregated from
 * the ClusterRoles labelled `rbac.authorization.k8s.io/aggregate-to-view|edit|admin` by a
 * controller, as the clusterrole-aggregation controller does.
 */
import { createHash } from 'node:crypto';
import { ApiError } from './errors.js';
import type { Cluster } from './cluster.js';
import type { ClusterStore } from './store.js';
import type { RequestInfo } from './faults.js';
import type { UserInfo } from './auth.js';
import { MASTERS, ALL_AUTHENTICATED, ALL_UNAUTHENTICATED } from './auth.js';
import { matchesLabelSelectorObject } from './selectors.js';
import { nowIso } from './store.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const ROLE = `roles.${RBAC_GROUP}`;
export const ROLEBINDING = `rolebindings.${RBAC_GROUP}`;
export const CLUSTERROLE = `clusterroles.${RBAC_GROUP}`;
export const CLUSTERROLEBINDING = `clusterrolebindings.${RBAC_GROUP}`;

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Decision {
  allowed: boolean;
  /** `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "view" to User "viewer"`, or the evaluation errors of a denial ('' for none) */
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// matching (RuleAllows and its helpers)

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

function resourceMatches(rule: PolicyRule, combined: string, sub: string | undefined): boolean {
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (sub && r === `*/${sub}`) return true;
  }
  return false;
}

function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** Whether one rule allows a request. */
export function ruleAllows(info: RequestInfo, rule: PolicyRule): boolean {
  if (!info.resource) return has(rule.verbs, info.verb) && nonResourceURLMatches(rule, info.path);
  const combined = info.sub ? `${info.plural}/${info.sub}` : info.plural ?? '';
  if (!has(rule.verbs, info.verb) || !has(rule.apiGroups, info.group ?? '') || !resourceMatches(rule, combined, info.sub)) return false;
  if (!rule.resourceNames?.length) return true;
  return !!info.name && rule.resourceNames.includes(info.name);
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

function appliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User': return user.username === s.name;
    case 'Group': return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return !!ns && user.username === `system:serviceaccount:${ns}:${s.name}`;
    }
    default: return false;
  }
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

/** utilerrors.NewAggregate(errs).Error(): one message as it is, several in brackets, each once. */
function aggregate(errs: string[]): string {
  const uniq = [...new Set(errs)];
  return uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`;
}

export class Authorizer {
  constructor(private readonly store: ClusterStore) {}

  /** The rules a binding's roleRef stands for, or an error message when the role is missing. */
  private roleRules(roleRef: any, namespace: string): PolicyRule[] | string {
    const kind = roleRef?.kind;
    const name = roleRef?.name ?? '';
    if (kind === 'ClusterRole') {
      const r = this.store.get(CLUSTERROLE, undefined, name);
      return r ? (r.rules ?? []) : `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(name)} not found`;
    }
    if (kind === 'Role') {
      const r = this.store.get(ROLE, namespace, name);
      return r ? (r.rules ?? []) : `role.rbac.authorization.k8s.io ${JSON.stringify(name)} not found`;
    }
    return `unsupported role reference kind: ${JSON.stringify(kind)}`;
  }

  /**
   * Visit every rule that applies to `user` in `namespace` ('' for cluster-wide only):
   * ClusterRoleBindings first, then the namespace's RoleBindings. `visit` returns false to stop.
   */
  private visit(user: UserInfo, namespace: string, visit: (source: string | undefined, rule: PolicyRule | undefined, err?: string) => boolean): void {
    for (const b of this.store.iter(CLUSTERROLEBINDING)) {
      const subject = (b.subjects ?? []).find((s: Subject) => appliesTo(user, s, ''));
      if (!subject) continue;
      const rules = this.roleRules(b.roleRef, '');
      if (typeof rules === 'string') {
        if (!visit(undefined, undefined, rules)) return;
        continue;
      }
      const source = `ClusterRoleBinding ${JSON.stringify(b.metadata.name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, '')}`;
      for (const r of rules) if (!visit(source, r)) return;
    }
    if (!namespace) return;
    for (const b of this.store.iter(ROLEBINDING, namespace)) {
      const subject = (b.subjects ?? []).find((s: Subject) => appliesTo(user, s, namespace));
      if (!subject) continue;
      const rules = this.roleRules(b.roleRef, namespace);
      if (typeof rules === 'string') {
        if (!visit(undefined, undefined, rules)) return;
        continue;
      }
      const source = `RoleBinding ${JSON.stringify(`${b.metadata.name}/${namespace}`)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, namespace)}`;
      for (const r of rules) if (!visit(source, r)) return;
    }
  }

  /** May `user` do what `info` describes? */
  authorize(user: UserInfo, info: RequestInfo): Decision {
    if (user.groups.includes(MASTERS)) return { allowed: true, reason: '' };
    let reason = '';
    const errors: string[] = [];
    let allowed = false;
    this.visit(user, info.resource ? info.ns ?? '' : '', (source, rule, err) => {
      if (err) errors.push(err);
      if (rule && ruleAllows(info, rule)) {
        allowed = true;
        reason = `RBAC: allowed by ${source}`;
        return false;
      }
      return true;
    });
    if (allowed) return { allowed, reason };
    return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : '' };
  }

  /**
   * What SelfSubjectRulesReview reports: every rule that applies to `user` in `namespace`
   * (cluster-wide bindings included), split into resource and non-resource rules, in the order
   * the bindings are visited; evaluation errors (missing roles) as one string.
   */
  rulesFor(user: UserInfo, namespace: string): { resourceRules: any[]; nonResourceRules: any[]; evaluationError?: string } {
    const resourceRules: any[] = [];
    const nonResourceRules: any[] = [];
    const errors: string[] = [];
    this.visit(user, namespace, (_source, rule, err) => {
      if (err) errors.push(err);
      if (!rule) return true;
      if (rule.resources?.length) {
        resourceRules.push({
          verbs: rule.verbs ?? [], ...(rule.apiGroups ? { apiGroups: rule.apiGroups } : {}), resources: rule.resources,
          ...(rule.resourceNames?.length ? { resourceNames: rule.resourceNames } : {}),
        });
      }
      if (rule.nonResourceURLs?.length) nonResourceRules.push({ verbs: rule.verbs ?? [], nonResourceURLs: rule.nonResourceURLs });
      return true;
    });
    return { resourceRules, nonResourceRules, ...(errors.length ? { evaluationError: aggregate(errors) } : {}) };
  }
}

// ---------------------------------------------------------------------------------------------
// the bootstrap policy (kube-apiserver 1.32's, for the kinds that matter here)

const R = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });
const URLS = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const ALL_RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const AGGREGATE_TO = (role: string) => `rbac.authorization.k8s.io/aggregate-to-${role}`;

interface RoleSpec {
  name: string;
  rules?: PolicyRule[];
  aggregateFrom?: string;
  labels?: Record<string, string>;
}

const BOOTSTRAP_ROLES: RoleSpec[] = [
  { name: 'cluster-admin', rules: [R(['*'], ['*'], ['*']), URLS(['*'], ['*'])] },
  { name: 'admin', aggregateFrom: 'admin' },
  { name: 'edit', aggregateFrom: 'edit', labels: { [AGGREGATE_TO('admin')]: 'true' } },
  { name: 'view', aggregateFrom: 'view', labels: { [AGGREGATE_TO('edit')]: 'true' } },
  {
    name: 'system:aggregate-to-admin', labels: { [AGGREGATE_TO('admin')]: 'true' },
    rules: [R(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']), R(ALL_RW, [RBAC_GROUP], ['rolebindings', 'roles'])],
  },
  {
    name: 'system:aggregate-to-edit', labels: { [AGGREGATE_TO('edit')]: 'true' },
    rules: [
      R(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
      R(['impersonate'], [''], ['serviceaccounts']),
      R(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
      R(['create'], [''], ['pods/eviction']),
      R(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
      R(['create'], [''], ['serviceaccounts/token']),
      R(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
      R(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
      R(WRITE, ['batch'], ['cronjobs', 'jobs']),
      R(WRITE, ['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale']),
      R(WRITE, ['policy'], ['poddisruptionbudgets']),
      R(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
      R(ALL_RW, ['coordination.k8s.io'], ['leases']),
    ],
  },
  {
    name: 'system:aggregate-to-view', labels: { [AGGREGATE_TO('view')]: 'true' },
    rules: [
      R(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
      R(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
      R(READ, [''], ['namespaces']),
      R(READ, ['discovery.k8s.io'], ['endpointslices']),
      R(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
      R(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      R(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
      R(READ, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale']),
      R(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      R(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
    ],
  },
  {
    name: 'system:basic-user',
    rules: [R(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), R(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])],
  },
  {
    name: 'system:discovery',
    rules: [URLS(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])],
  },
  { name: 'system:public-info-viewer', rules: [URLS(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])] },
  { name: 'system:monitoring', rules: [URLS(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])] },
  { name: 'system:auth-delegator', rules: [R(['create'], ['authentication.k8s.io'], ['tokenreviews']), R(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])] },
  // what metrics-server installs, so view, edit and admin may read metrics (`kubectl top`)
  {
    name: 'system:aggregated-metrics-reader',
    labels: { [AGGREGATE_TO('view')]: 'true', [AGGREGATE_TO('edit')]: 'true', [AGGREGATE_TO('admin')]: 'true' },
    rules: [R(READ, ['metrics.k8s.io'], ['pods', 'nodes'])],
  },
];

const BOOTSTRAP_BINDINGS: { name: string; role: string; groups: string[] }[] = [
  { name: 'cluster-admin', role: 'cluster-admin', groups: [MASTERS] },
  { name: 'system:basic-user', role: 'system:basic-user', groups: [ALL_AUTHENTICATED] },
  { name: 'system:discovery', role: 'system:discovery', groups: [ALL_AUTHENTICATED] },
  { name: 'system:monitoring', role: 'system:monitoring', groups: ['system:monitoring'] },
  { name: 'system:public-info-viewer', role: 'system:public-info-viewer', groups: [ALL_AUTHENTICATED, ALL_UNAUTHENTICATED] },
];

/** A stable uid for an object the sim makes itself, so the scenario's random sequence is untouched. */
function stableUid(cluster: Cluster, what: string): string {
  const h = createHash('sha1').update(`${cluster.name}|${what}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const BOOTSTRAP_META = { labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } };

export function clusterRoleObject(spec: RoleSpec, meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): any {
  return {
    metadata: { name: spec.name, labels: { ...meta.labels, ...spec.labels }, ...(meta.annotations ? { annotations: meta.annotations } : {}) },
    ...(spec.aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [AGGREGATE_TO(spec.aggregateFrom)]: 'true' } }] } } : {}),
    rules: spec.rules ?? null,
  };
}

function subjects(users: string[] = [], groups: string[] = []): Subject[] {
  return [
    ...groups.map((name) => ({ kind: 'Group', apiGroup: RBAC_GROUP, name })),
    ...users.map((name) => ({ kind: 'User', apiGroup: RBAC_GROUP, name })),
  ];
}

/** The ClusterRoles and ClusterRoleBindings a new apiserver creates (every cluster, empty ones too). */
export function bootstrapPolicy(c: Cluster, createdMs = Date.now()): void {
  const creationTimestamp = nowIso(createdMs);
  for (const spec of BOOTSTRAP_ROLES) {
    const obj = clusterRoleObject(spec, BOOTSTRAP_META);
    c.store.create(CLUSTERROLE, { ...obj, metadata: { ...obj.metadata, uid: stableUid(c, `clusterrole/${spec.name}`), creationTimestamp } });
  }
  for (const b of BOOTSTRAP_BINDINGS) {
    c.store.create(CLUSTERROLEBINDING, {
      metadata: { name: b.name, ...BOOTSTRAP_META, uid: stableUid(c, `clusterrolebinding/${b.name}`), creationTimestamp },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: b.role },
      subjects: subjects([], b.groups),
    });
  }
}

/** The namespaces where team-a may edit (both exist in every scenario cluster). */
export const TEAM_A_NAMESPACES = ['web', 'payments'];

/**
 * The scenario's people (auth.ts's SIM_USERS): viewer may view everywhere, team-a edit in two
 * namespaces, the developers group (exec-user) view everywhere; admin is in system:masters.
 * Plus what a CRD's installer adds: the databases custom resource in view and edit.
 */
export function scenarioPolicy(c: Cluster, createdMs = Date.now()): void {
  const creationTimestamp = nowIso(createdMs);
  const uid = (what: string) => stableUid(c, what);
  const crb = (name: string, role: string, users: string[], groups: string[]) => c.store.create(CLUSTERROLEBINDING, {
    metadata: { name, uid: uid(`clusterrolebinding/${name}`), creationTimestamp },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role }, subjects: subjects(users, groups),
  });
  crb('viewer-view', 'view', ['viewer'], []);
  crb('developers-view', 'view', [], ['developers']);
  for (const ns of TEAM_A_NAMESPACES) {
    if (!c.store.get('namespaces', undefined, ns)) continue;
    c.store.create(ROLEBINDING, {
      metadata: { name: 'team-a-edit', namespace: ns, uid: uid(`rolebinding/${ns}/team-a-edit`), creationTimestamp },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'edit' }, subjects: subjects([], ['team-a']),
    });
  }
  if (c.store.types.has('databases.sim.kmux.dev')) {
    for (const [role, verbs] of [['view', READ], ['edit', WRITE]] as const) {
      const obj = clusterRoleObject({ name: `sim.kmux.dev:databases:${role}`, labels: { [AGGREGATE_TO(role)]: 'true' }, rules: [R([...verbs], ['sim.kmux.dev'], ['databases'])] });
      c.store.create(CLUSTERROLE, { ...obj, metadata: { ...obj.metadata, uid: uid(`clusterrole/${obj.metadata.name}`), creationTimestamp } });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// the clusterrole aggregation controller

const sameRule = (a: PolicyRule, b: PolicyRule) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The rules of every ClusterRole with an aggregationRule become the rules of the ClusterRoles
 * its selectors match (sorted by name, itself left out, each rule once), whenever any
 * ClusterRole changes; chains (view into edit into admin) settle in one pass.
 */
export function installRbac(c: Cluster): void {
  let dirty = true;
  c.store.onChange((ev) => {
    if (ev.tk === CLUSTERROLE) dirty = true;
  });
  c.addReconciler(() => {
    if (!dirty) return;
    dirty = false;
    for (let round = 0; round < 10; round++) {
      let changed = false;
      const all = [...c.store.iter(CLUSTERROLE)];
      for (const role of all) {
        const selectors = role.aggregationRule?.clusterRoleSelectors;
        if (!Array.isArray(selectors)) continue;
        const picked = all
          .filter((r) => r.metadata.name !== role.metadata.name && selectors.some((s: any) => matchesLabelSelectorObject(s, r.metadata.labels)))
          .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
        const rules: PolicyRule[] = [];
        for (const r of picked) for (const rule of c.store.get(CLUSTERROLE, undefined, r.metadata.name)?.rules ?? []) if (!rules.some((x) => sameRule(x, rule))) rules.push(rule);
        const cur = c.store.get(CLUSTERROLE, undefined, role.metadata.name);
        if (JSON.stringify(cur.rules ?? []) === JSON.stringify(rules) && cur.rules !== null) continue;
        c.store.update(CLUSTERROLE, { ...cur, rules });
        changed = true;
      }
      if (!changed) break;
    }
    // our own updates marked it dirty again; they are settled
    dirty = false;
  });
}

// ---------------------------------------------------------------------------------------------
// validation of RBAC objects (pkg/apis/rbac/validation), the checks clients run into

const invalidRbac = (kind: string, name: string, errs: { field: string; message: string; reason: string }[]) =>
  new ApiError(422, 'Invalid', `${kind}.${RBAC_GROUP} ${JSON.stringify(name)} is invalid: ${errs.length === 1 ? `${errs[0].field}: ${errs[0].message}` : `[${errs.map((e) => `${e.field}: ${e.message}`).join(', ')}]`}`, {
    name, group: RBAC_GROUP, kind, causes: errs.map((e) => ({ reason: e.reason, message: e.message, field: e.field })),
  });

const supported = (v: unknown, values: string[]) => `Unsupported value: ${JSON.stringify(v ?? '')}: supported values: ${values.map((x) => JSON.stringify(x)).join(', ')}`;

/** 422 for a binding or role the apiserver would refuse; `old` for an update (roleRef cannot change). */
export function validateRbacObject(kind: string, obj: any, old?: any): void {
  const errs: { field: string; message: string; reason: string }[] = [];
  const name = obj?.metadata?.name ?? '';
  if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
    const ref = obj.roleRef ?? {};
    if (ref.apiGroup !== RBAC_GROUP) errs.push({ field: 'roleRef.apiGroup', message: supported(ref.apiGroup, [RBAC_GROUP]), reason: 'FieldValueNotSupported' });
    const kinds = kind === 'RoleBinding' ? ['ClusterRole', 'Role'] : ['ClusterRole'];
    if (!kinds.includes(ref.kind)) errs.push({ field: 'roleRef.kind', message: supported(ref.kind, kinds), reason: 'FieldValueNotSupported' });
    if (!ref.name) errs.push({ field: 'roleRef.name', message: 'Required value', reason: 'FieldValueRequired' });
    (Array.isArray(obj.subjects) ? obj.subjects : []).forEach((sub: any, i: number) => {
      if (!['ServiceAccount', 'User', 'Group'].includes(sub?.kind)) errs.push({ field: `subjects[${i}].kind`, message: supported(sub?.kind, ['ServiceAccount', 'User', 'Group']), reason: 'FieldValueNotSupported' });
      if (!sub?.name) errs.push({ field: `subjects[${i}].name`, message: 'Required value', reason: 'FieldValueRequired' });
    });
    if (old) {
      const a = old.roleRef ?? {}, b = ref;
      if (a.apiGroup !== b.apiGroup || a.kind !== b.kind || a.name !== b.name) {
        const value = `rbac.RoleRef{APIGroup:${JSON.stringify(b.apiGroup ?? '')}, Kind:${JSON.stringify(b.kind ?? '')}, Name:${JSON.stringify(b.name ?? '')}}`;
        errs.push({ field: 'roleRef', message: `Invalid value: ${value}: cannot change roleRef`, reason: 'FieldValueInvalid' });
      }
    }
  } else if (kind === 'Role' || kind === 'ClusterRole') {
    (Array.isArray(obj.rules) ? obj.rules : []).forEach((r: any, i: number) => {
      if (!r?.verbs?.length) errs.push({ field: `rules[${i}].verbs`, message: 'Required value: verbs must contain at least one value', reason: 'FieldValueRequired' });
      const nonResource = !!r?.nonResourceURLs?.length;
      if (nonResource && kind === 'Role') errs.push({ field: `rules[${i}].nonResourceURLs`, message: 'Invalid value: []string{...}: namespaced rules cannot apply to non-resource URLs', reason: 'FieldValueInvalid' });
      if (!nonResource && (!r?.apiGroups?.length || !r?.resources?.length)) {
        if (!r?.apiGroups?.length) errs.push({ field: `rules[${i}].apiGroups`, message: 'Required value: resource rules must supply at least one api group', reason: 'FieldValueRequired' });
        if (!r?.resources?.length) errs.push({ field: `rules[${i}].resources`, message: 'Required value: resource rules must supply at least one resource', reason: 'FieldValueRequired' });
      }
    });
  }
  if (errs.length) throw invalidRbac(kind, name, errs);
}
