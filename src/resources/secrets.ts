/**
 * Secrets: NAME TYPE DATA AGE. The row never holds a value, only the key count.
 */
import { AGE, NAME, created, nameOf, withDeletion } from './common.js';
import type { ResourceColumns } from './types.js';

export const secretColumns: ResourceColumns = {
  columns: [NAME, { name: 'TYPE' }, { name: 'DATA', kind: 'number' }, AGE],
  project(s: any) {
    const data = s?.data && typeof s.data === 'object' ? Object.keys(s.data).length : 0;
    return {
      cells: [nameOf(s), String(s?.type ?? 'Opaque'), data, created(s)],
      state: withDeletion(s, 'normal'),
      extra: { type: String(s?.type ?? 'Opaque') },
    };
  },
};
