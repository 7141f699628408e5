/**
 * PersistentVolumeClaims: NAME STATUS VOLUME CAPACITY ACCESS-MODES STORAGECLASS AGE.
 */
import { AGE, NAME, created, nameOf, withDeletion } from './common.js';
import type { ResourceColumns, RowState } from './types.js';

const MODES: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

/** "RWO,RWX" in kubectl's order (the order of the modes in the spec, deduplicated). */
export function accessModes(modes: unknown): string {
  if (!Array.isArray(modes)) return '';
  return [...new Set(modes.map((m) => MODES[String(m)] ?? String(m)))].join(',');
}

export const pvcColumns: ResourceColumns = {
  columns: [
    NAME,
    { name: 'STATUS' },
    { name: 'VOLUME' },
    { name: 'CAPACITY' },
    { name: 'ACCESS-MODES' },
    { name: 'STORAGECLASS' },
    AGE,
  ],
  project(pvc: any) {
    const phase = String(pvc?.status?.phase ?? 'Pending');
    const bound = phase === 'Bound';
    const storageClass = String(
      pvc?.spec?.storageClassName ?? pvc?.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '',
    );
    // K9s: a claim that is neither Bound nor Available (Pending, Lost) is in error
    const state: RowState = phase === 'Bound' || phase === 'Available' ? 'normal' : 'error';
    return {
      cells: [
        nameOf(pvc),
        phase,
        String(pvc?.spec?.volumeName ?? ''),
        bound ? String(pvc?.status?.capacity?.storage ?? '') : '',
        bound ? accessModes(pvc?.status?.accessModes ?? pvc?.spec?.accessModes) : '',
        storageClass,
        created(pvc),
      ],
      state: withDeletion(pvc, state),
      extra: { volumeName: String(pvc?.spec?.volumeName ?? '') },
    };
  },
};
