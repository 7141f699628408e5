/**
 * Deployments: NAME READY UP-TO-DATE AVAILABLE AGE, wide CONTAINERS IMAGES SELECTOR.
 */
import { AGE, NAME, containerCells, created, formatSelector, nameOf, num, readinessState } from './common.js';
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
      state: readinessState(d, ready, desired),
      extra: { selector, replicas: desired },
    };
  },
};
