/**
 * StatefulSets: NAME READY AGE, wide SERVICE CONTAINERS IMAGES.
 */
import { AGE, NAME, containerCells, created, formatSelector, nameOf, num, readinessState } from './common.js';
import type { ResourceColumns } from './types.js';

export const statefulSetColumns: ResourceColumns = {
  columns: [
    NAME,
    { name: 'READY' },
    { name: 'SERVICE', wide: true },
    { name: 'CONTAINERS', wide: true },
    { name: 'IMAGES', wide: true },
    AGE,
  ],
  project(s: any) {
    const desired = num(s?.spec?.replicas, 1);
    const ready = num(s?.status?.readyReplicas);
    const serviceName = String(s?.spec?.serviceName ?? '');
    const [containers, images] = containerCells(s?.spec?.template?.spec);
    return {
      cells: [nameOf(s), `${ready}/${desired}`, serviceName || '<none>', containers, images, created(s)],
      // K9s: in error unless the replicas there are and the spec's count are all ready
      state: readinessState(s, ready, num(s?.status?.replicas) !== ready ? num(s?.status?.replicas) : desired),
      extra: { selector: formatSelector(s?.spec?.selector), replicas: desired, serviceName },
    };
  },
};
