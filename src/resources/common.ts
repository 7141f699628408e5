/**
 * Small helpers the per-kind column files share: metadata, selectors, container lists.
 */
import { toMs } from './format.js';
import type { Column, RowState } from './types.js';

export const NAME: Column = { name: 'NAME' };
export const AGE: Column = { name: 'AGE', kind: 'age' };
export const NONE = '<none>';

/** Creation time in ms for the AGE cell; '' when unknown. */
export function created(obj: any): number | '' {
  return toMs(obj?.metadata?.creationTimestamp);
}

export function nameOf(obj: any): string {
  return String(obj?.metadata?.name ?? '');
}

export function labelsOf(obj: any): Record<string, string> {
  const l = obj?.metadata?.labels;
  return l && typeof l === 'object' ? l : {};
}

export function isDeleting(obj: any): boolean {
  return Boolean(obj?.metadata?.deletionTimestamp);
}

/** The controlling owner (or the first owner when none is marked controller). */
export function ownerOf(obj: any): { kind: string; name: string } | undefined {
  const refs: any[] = Array.isArray(obj?.metadata?.ownerReferences) ? obj.metadata.ownerReferences : [];
  const ref = refs.find((r) => r?.controller) ?? refs[0];
  return ref ? { kind: String(ref.kind ?? ''), name: String(ref.name ?? '') } : undefined;
}

/** `k=v` pairs of a string map, sorted by key, comma-joined; '' when empty. */
export function formatMap(m: unknown): string {
  if (!m || typeof m !== 'object') return '';
  return Object.keys(m as object)
    .sort()
    .map((k) => `${k}=${(m as Record<string, unknown>)[k]}`)
    .join(',');
}

/**
 * A metav1.LabelSelector as label-selector text (what `?labelSelector=` accepts):
 * matchLabels as k=v, matchExpressions as `k in (a,b)`, `k notin (a)`, `k`, `!k`; sorted by key.
 * '' selects everything (an empty selector).
 */
export function formatSelector(sel: any): string {
  if (!sel || typeof sel !== 'object') return '';
  const parts: [string, string][] = [];
  const ml = sel.matchLabels && typeof sel.matchLabels === 'object' ? sel.matchLabels : {};
  for (const k of Object.keys(ml)) parts.push([k, `${k}=${ml[k]}`]);
  for (const e of Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []) {
    const key = String(e?.key ?? '');
    const values = Array.isArray(e?.values) ? [...e.values].map(String).sort() : [];
    switch (e?.operator) {
      case 'In':
        parts.push([key, `${key} in (${values.join(',')})`]);
        break;
      case 'NotIn':
        parts.push([key, `${key} notin (${values.join(',')})`]);
        break;
      case 'Exists':
        parts.push([key, key]);
        break;
      case 'DoesNotExist':
        parts.push([key, `!${key}`]);
        break;
    }
  }
  return parts
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((p) => p[1])
    .join(',');
}

export function containersOf(podSpec: any): any[] {
  return Array.isArray(podSpec?.containers) ? podSpec.containers : [];
}

/** CONTAINERS and IMAGES cells of a pod template, as kubectl -o wide prints them. */
export function containerCells(podSpec: any): [string, string] {
  const cs = containersOf(podSpec);
  return [cs.map((c) => String(c?.name ?? '')).join(','), cs.map((c) => String(c?.image ?? '')).join(',')];
}

export function num(v: unknown, dflt = 0): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : dflt;
}

/** A condition of status.conditions by type. */
export function condition(obj: any, type: string): any | undefined {
  const cs: any[] = Array.isArray(obj?.status?.conditions) ? obj.status.conditions : [];
  return cs.find((c) => c?.type === type);
}

/** terminating wins over whatever the kind computed. */
export function withDeletion(obj: any, state: RowState): RowState {
  return isDeleting(obj) ? 'terminating' : state;
}

/** A workload's state by K9s's rule: in error while its ready count is not the count it wants. */
export function readinessState(obj: any, ready: number, desired: number): RowState {
  return withDeletion(obj, ready !== desired ? 'error' : 'normal');
}
