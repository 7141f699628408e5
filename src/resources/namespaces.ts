/**
 * Namespaces: NAME STATUS AGE.
 */
import { AGE, NAME, created, nameOf, withDeletion } from './common.js';
import type { ResourceColumns } from './types.js';

export const namespaceColumns: ResourceColumns = {
  columns: [NAME, { name: 'STATUS' }, AGE],
  project(ns: any) {
    const phase = String(ns?.status?.phase ?? 'Active');
    return {
      cells: [nameOf(ns), phase, created(ns)],
      state: phase === 'Terminating' ? 'terminating' : withDeletion(ns, 'normal'),
      extra: {},
    };
  },
};
