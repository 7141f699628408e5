/** The resource types the simulated API serves: what discovery lists and what the routes accept. */
export interface ResourceType {
  group: string; // '' for core
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** subresource name -> kind answered (and verbs). */
  subresources: { name: string; kind: string; group?: string; version?: string; verbs: string[] }[];
  /** read-only kinds computed on request (metrics) are not kept in the store. */
  virtual?: boolean;
  /** create-only kinds that answer a question and store nothing (the review APIs). */
  review?: boolean;
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const status = (kind: string) => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
const scale = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };

function rt(
  group: string, version: string, plural: string, kind: string, namespaced: boolean,
  shortNames: string[] = [], extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    group, version, plural, kind, namespaced, shortNames,
    singular: kind.toLowerCase(), categories: [], verbs: RW, subresources: [], ...extra,
  };
}

/** A review API: POST only, answered from who is asking and what RBAC says (rbac.ts), stored nowhere. */
function review(group: string, plural: string, kind: string, namespaced: boolean): ResourceType {
  return rt(group, 'v1', plural, kind, namespaced, [], { verbs: ['create'], virtual: true, review: true });
}

export const BUILTIN_TYPES: ResourceType[] = [
  rt('', 'v1', 'namespaces', 'Namespace', false, ['ns'], { subresources: [status('Namespace')] }),
  rt('', 'v1', 'nodes', 'Node', false, ['no'], { subresources: [status('Node')] }),
  rt('', 'v1', 'pods', 'Pod', true, ['po'], {
    categories: ['all'],
    subresources: [
      status('Pod'),
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    ],
  }),
  rt('', 'v1', 'services', 'Service', true, ['svc'], { categories: ['all'], subresources: [status('Service')] }),
  rt('', 'v1', 'endpoints', 'Endpoints', true, ['ep']),
  rt('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
  rt('', 'v1', 'secrets', 'Secret', true),
  rt('', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']),
  rt('', 'v1', 'events', 'Event', true, ['ev']),
  rt('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], { subresources: [status('PersistentVolumeClaim')] }),
  rt('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  rt('apps', 'v1', 'deployments', 'Deployment', true, ['deploy'], { categories: ['all'], subresources: [status('Deployment'), scale] }),
  rt('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs'], { categories: ['all'], subresources: [status('ReplicaSet'), scale] }),
  rt('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds'], { categories: ['all'], subresources: [status('DaemonSet')] }),
  rt('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts'], { categories: ['all'], subresources: [status('StatefulSet'), scale] }),
  rt('batch', 'v1', 'jobs', 'Job', true, [], { categories: ['all'], subresources: [status('Job')] }),
  rt('batch', 'v1', 'cronjobs', 'CronJob', true, ['cj'], { categories: ['all'], subresources: [status('CronJob')] }),
  rt('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb'], { subresources: [status('PodDisruptionBudget')] }),
  rt('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, ['crd', 'crds'], {
    categories: ['api-extensions'], subresources: [status('CustomResourceDefinition')],
  }),
  rt('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  rt('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  rt('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  rt('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false),
  review('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false),
  review('authorization.k8s.io', 'subjectaccessreviews', 'SubjectAccessReview', false),
  review('authorization.k8s.io', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
  review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview', false),
  rt('metrics.k8s.io', 'v1beta1', 'nodes', 'NodeMetrics', false, [], { verbs: ['get', 'list'], virtual: true }),
  rt('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', true, [], { verbs: ['get', 'list'], virtual: true }),
];

/** The ResourceType a CRD object defines (its storage version). */
export function typeFromCrd(crd: any): ResourceType {
  const spec = crd.spec;
  const served = (spec.versions ?? []).find((v: any) => v.storage) ?? spec.versions[0];
  return {
    group: spec.group,
    version: served.name,
    plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    kind: spec.names.kind,
    namespaced: spec.scope === 'Namespaced',
    shortNames: spec.names.shortNames ?? [],
    categories: spec.names.categories ?? [],
    verbs: RW,
    subresources: served.subresources?.status ? [status(spec.names.kind)] : [],
  };
}

export function gvKey(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** Key of a resource type in the store: 'pods', 'deployments.apps'. */
export function typeKey(t: { group: string; plural: string }): string {
  return t.group === '' ? t.plural : `${t.plural}.${t.group}`;
}
