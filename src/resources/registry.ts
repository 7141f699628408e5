/**
 * Which columns a resource shows: the built-in kinds by (group, plural), any other by its
 * printer columns (generic.ts).
 */
import { configMapColumns } from './configmaps.js';
import { cronJobColumns } from './cronjobs.js';
import { daemonSetColumns } from './daemonsets.js';
import { deploymentColumns } from './deployments.js';
import { eventColumns } from './events.js';
import { genericColumns, type PrinterColumn } from './generic.js';
import { jobColumns } from './jobs.js';
import { namespaceColumns } from './namespaces.js';
import { nodeColumns } from './nodes.js';
import { pdbColumns } from './pdbs.js';
import { podColumns } from './pods.js';
import { pvcColumns } from './pvcs.js';
import { replicaSetColumns } from './replicasets.js';
import { secretColumns } from './secrets.js';
import { serviceColumns } from './services.js';
import { statefulSetColumns } from './statefulsets.js';
import type { ResourceColumns } from './types.js';

export type { PrinterColumn } from './generic.js';

const BUILTIN = new Map<string, ResourceColumns>([
  ['/pods', podColumns],
  ['/services', serviceColumns],
  ['/configmaps', configMapColumns],
  ['/secrets', secretColumns],
  ['/nodes', nodeColumns],
  ['/namespaces', namespaceColumns],
  ['/events', eventColumns],
  ['/persistentvolumeclaims', pvcColumns],
  ['apps/deployments', deploymentColumns],
  ['apps/replicasets', replicaSetColumns],
  ['apps/statefulsets', statefulSetColumns],
  ['apps/daemonsets', daemonSetColumns],
  ['batch/jobs', jobColumns],
  ['batch/cronjobs', cronJobColumns],
  ['policy/poddisruptionbudgets', pdbColumns],
  ['events.k8s.io/events', eventColumns],
]);

/** True when (group, plural) has columns of its own rather than generic ones. */
export function isBuiltin(r: { group: string; plural: string }): boolean {
  return BUILTIN.has(key(r));
}

// the core group is '' in the API; accept 'core' and 'v1' too, as people write them
const key = (r: { group: string; plural: string }): string =>
  `${r.group === 'core' || r.group === 'v1' ? '' : (r.group ?? '')}/${r.plural}`;

export function columnsFor(r: { group: string; plural: string }, printerColumns?: PrinterColumn[]): ResourceColumns {
  return BUILTIN.get(key(r)) ?? genericColumns(printerColumns);
}
