/**
 * ConfigMaps: NAME DATA AGE.
 */
import { AGE, NAME, created, nameOf, withDeletion } from './common.js';
import type { ResourceColumns } from './types.js';

const count = (m: unknown): number => (m && typeof m === 'object' ? Object.keys(m).length : 0);

export const configMapColumns: ResourceColumns = {
  columns: [NAME, { name: 'DATA', kind: 'number' }, AGE],
  project(cm: any) {
    return {
      cells: [nameOf(cm), count(cm?.data) + count(cm?.binaryData), created(cm)],
      state: withDeletion(cm, 'normal'),
      extra: {},
    };
  },
};
