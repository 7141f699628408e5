/**
 * DaemonSets: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE-SELECTOR AGE,
 * wide CONTAINERS IMAGES SELECTOR.
 */
import { AGE, NAME, containerCells, created, formatMap, formatSelector, nameOf, num, readinessState } from './common.js';
import type { ResourceColumns } from './types.js';

export const daemonSetColumns: ResourceColumns = {
  columns: [
    NAME,
    { name: 'DESIRED', kind: 'number' },
    { name: 'CURRENT', kind: 'number' },
    { name: 'READY', kind: 'number' },
    { name: 'UP-TO-DATE', kind: 'number' },
    { name: 'AVAILABLE', kind: 'number' },
    { name: 'NODE-SELECTOR' },
    { name: 'CONTAINERS', wide: true },
    { name: 'IMAGES', wide: true },
    { name: 'SELECTOR', wide: true },
    AGE,
  ],
  project(ds: any) {
    const st = ds?.status ?? {};
    const desired = num(st.desiredNumberScheduled);
    const ready = num(st.numberReady);
    const selector = formatSelector(ds?.spec?.selector);
    const [containers, images] = containerCells(ds?.spec?.template?.spec);
    return {
      cells: [
        nameOf(ds),
        desired,
        num(st.currentNumberScheduled),
        ready,
        num(st.updatedNumberScheduled),
        num(st.numberAvailable),
        formatMap(ds?.spec?.template?.spec?.nodeSelector) || '<none>',
        containers,
        images,
        selector || '<none>',
        created(ds),
      ],
      state: readinessState(ds, ready, desired),
      extra: { selector },
    };
  },
};
