/**
 * What a kind can do, declared once: the keys of a view follow from these (src/ui/keys/), and
 * so do help, header hints and plugin clash checks. A kind not listed gets what its discovery
 * entry says it serves (a custom resource with a scale subresource can be scaled).
 */
import type { ApiResource } from '../kube/discovery.js';

export type DrillTarget =
  | 'containers' // pods: the containers view
  | 'pods-by-selector' // workloads and services: their pods
  | 'pods-on-node' // nodes: the pods on the node
  | 'namespace' // namespaces: switch to it
  | 'jobs-of-cronjob' // cronjobs: their jobs
  | 'role-rules' // roles, clusterroles: their rules
  | 'binding'; // rolebindings, clusterrolebindings: subjects and the role's rules

/** Objects describe shows next to the object itself. */
export type Related = 'events' | 'pods-on-node' | 'replicasets';

export interface Capabilities {
  /** logs of the object itself (pods) or of the pods its selector picks (workloads, services) */
  logs?: 'self' | 'selector';
  /** previous logs (pods) */
  previousLogs?: boolean;
  scale?: boolean;
  restart?: boolean;
  /** delete at once with no grace period (pods) */
  kill?: boolean;
  shell?: boolean;
  attach?: boolean;
  portForward?: boolean;
  drill?: DrillTarget;
  /** cordon, uncordon, drain */
  node?: boolean;
  /** `x` in YAML shows decoded values */
  secretReveal?: boolean;
  related: Related[];
}

const core = (r: { group: string }) => r.group === '' || r.group === 'core';

/** The capabilities of a kind (a resource as discovery describes it). */
export function capabilitiesFor(r: Pick<ApiResource, 'group' | 'plural'> & Partial<Pick<ApiResource, 'subresources'>>): Capabilities {
  const related: Related[] = ['events'];
  const c: Capabilities = { related };
  const apps = r.group === 'apps';
  if (core(r)) {
    switch (r.plural) {
      case 'pods':
        Object.assign(c, { logs: 'self', previousLogs: true, kill: true, shell: true, attach: true, portForward: true, drill: 'containers' });
        break;
      case 'services':
        Object.assign(c, { logs: 'selector', drill: 'pods-by-selector' });
        break;
      case 'nodes':
        Object.assign(c, { node: true, drill: 'pods-on-node' });
        related.push('pods-on-node');
        break;
      case 'namespaces':
        c.drill = 'namespace';
        break;
      case 'secrets':
        c.secretReveal = true;
        break;
      case 'replicationcontrollers':
        Object.assign(c, { logs: 'selector', scale: true, drill: 'pods-by-selector' });
        break;
    }
  }
  if (apps) {
    if (['deployments', 'statefulsets', 'daemonsets', 'replicasets'].includes(r.plural)) Object.assign(c, { logs: 'selector', drill: 'pods-by-selector' });
    if (['deployments', 'statefulsets', 'replicasets'].includes(r.plural)) c.scale = true;
    if (['deployments', 'statefulsets', 'daemonsets'].includes(r.plural)) c.restart = true;
    if (r.plural === 'deployments') related.push('replicasets');
  }
  if (r.group === 'batch') {
    if (r.plural === 'jobs') Object.assign(c, { logs: 'selector', drill: 'pods-by-selector' });
    if (r.plural === 'cronjobs') c.drill = 'jobs-of-cronjob';
  }
  if (r.group === 'rbac.authorization.k8s.io') {
    if (r.plural === 'roles' || r.plural === 'clusterroles') c.drill = 'role-rules';
    if (r.plural === 'rolebindings' || r.plural === 'clusterrolebindings') c.drill = 'binding';
  }
  // any other kind that serves a scale subresource (custom resources too)
  if (r.subresources?.includes('scale')) c.scale = true;
  return c;
}
