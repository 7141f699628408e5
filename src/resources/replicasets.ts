/**
 * ReplicaSets: NAME DESIRED CURRENT READY AGE, wide CONTAINERS IMAGES SELECTOR.
 */
import { AGE, NAME, containerCells, created, formatSelector, nameOf, num, ownerOf, readinessState } from './common.js';
import type { ResourceColumns } from './types.js';

export const replicaSetColumns: ResourceColumns = {
  columns: [
    NAME,
    { name: 'DESIRED', kind: 'number' },
    { name: 'CURRENT', kind: 'number' },
    { name: 'READY', kind: 'number' },
    { name: 'CONTAINERS', wide: true },
    { name: 'IMAGES', wide: true },
    { name: 'SELECTOR', wide: true },
    AGE,
  ],
  project(rs: any) {
    const desired = num(rs?.spec?.replicas, 1);
    const ready = num(rs?.status?.readyReplicas);
    const selector = formatSelector(rs?.spec?.selector);
    const [containers, images] = containerCells(rs?.spec?.template?.spec);
    const owner = ownerOf(rs);
    return {
      cells: [nameOf(rs), desired, num(rs?.status?.replicas), ready, containers, images, selector || '<none>', created(rs)],
      // K9s compares the replicas there are with the ready ones (not the spec's count)
      state: readinessState(rs, ready, num(rs?.status?.replicas)),
      extra: { selector, replicas: desired, ...(owner ? { owner } : {}) },
    };
  },
};
