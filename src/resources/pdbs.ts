/**
 * PodDisruptionBudgets: NAME MIN-AVAILABLE MAX-UNAVAILABLE ALLOWED-DISRUPTIONS CURRENT DESIRED EXPECTED AGE.
 * A budget that allows no disruption is an error row: it is what blocks a drain.
 */
import { AGE, NAME, created, formatSelector, nameOf, num, withDeletion } from './common.js';
import type { ResourceColumns } from './types.js';

const intOrPercent = (v: unknown): string => (v === undefined || v === null || v === '' ? 'N/A' : String(v));

export const pdbColumns: ResourceColumns = {
  columns: [
    NAME,
    { name: 'MIN-AVAILABLE' },
    { name: 'MAX-UNAVAILABLE' },
    { name: 'ALLOWED-DISRUPTIONS', kind: 'number' },
    { name: 'CURRENT', kind: 'number' },
    { name: 'DESIRED', kind: 'number' },
    { name: 'EXPECTED', kind: 'number' },
    AGE,
  ],
  project(pdb: any) {
    const st = pdb?.status ?? {};
    const allowed = num(st.disruptionsAllowed);
    const selector = formatSelector(pdb?.spec?.selector);
    return {
      cells: [
        nameOf(pdb),
        intOrPercent(pdb?.spec?.minAvailable),
        intOrPercent(pdb?.spec?.maxUnavailable),
        allowed,
        num(st.currentHealthy),
        num(st.desiredHealthy),
        num(st.expectedPods),
        created(pdb),
      ],
      state: withDeletion(pdb, allowed === 0 ? 'error' : 'normal'),
      extra: { selector, disruptionsAllowed: allowed },
    };
  },
};
