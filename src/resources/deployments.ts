/**
 * Deployments: NAME READY UP-TO-DATE AVAILABLE AGE, wide CONTAINERS IMAGES SELECTOR.
 */
import { AGE, NAME, containerCells, created, formatSelector, nameOf, num, readinessState, withDeletion } from './common.js';
import type { ResourceColumns } from './types.js';

export const deploymentColumns: ResourceColumns = {
  columns: [
    NAME,
    { name: 'READY' },
    { name: 'UP-TO-DATE', kind: 'number' },
    { name: 'AVAILABLE', kind: 'number' },
    { name: 'CONTAINERS', wide: true },
    { name: 'IMAGES', wide: true },
    { name: 'SELECTOR', wide: true },
    AGE,
  ],
  project(d: any) {
    // spec.replicas defaults to 1 on the server; a missing value in a literal means the same
    const desired = num(d?.spec?.replicas, 1);
    const ready = num(d?.status?.readyReplicas);
    const selector = formatSelector(d?.spec?.selector);
    const [containers, images] = containerCells(d?.spec?.template?.spec);
    return {
      cells: [
        nameOf(d),
        `${ready}/${desired}`,
        num(d?.status?.updatedReplicas),
        num(d?.status?.availableReplicas),
        containers,
        images,
        selector || '<none>',
        created(d),
      ],
      // K9s: scaled to zero is pending; otherwise in error while not every replica is available
      state: desired === 0 ? withDeletion(d, 'pending') : readinessState(d, num(d?.status?.availableReplicas), num(d?.status?.replicas)),
      extra: { selector, replicas: desired },
    };
  },
};
