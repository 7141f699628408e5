/**
 * Nodes: NAME STATUS ROLES TAINTS VERSION CPU MEM AGE, wide INTERNAL-IP OS-IMAGE KERNEL RUNTIME.
 */
import { AGE, NAME, condition, created, labelsOf, nameOf } from './common.js';
import { parseCpu, parseMem } from './format.js';
import type { ResourceColumns, RowState } from './types.js';

/** kubectl's node STATUS: Ready / NotReady (False or Unknown) / Unknown (no condition), plus SchedulingDisabled. */
export function nodeStatus(node: any): string {
  const ready = condition(node, 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node?.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Roles from node-role.kubernetes.io/<role> and kubernetes.io/role=<role> labels, sorted. */
export function nodeRoles(node: any): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labelsOf(node))) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(String(v));
    }
  }
  return [...roles].sort();
}

export function nodeAddress(node: any, type: string): string {
  const addrs: any[] = Array.isArray(node?.status?.addresses) ? node.status.addresses : [];
  return String(addrs.find((a) => a?.type === type)?.address ?? '');
}

export const nodeColumns: ResourceColumns = {
  columns: [
    NAME,
    { name: 'STATUS' },
    { name: 'ROLES' },
    { name: 'TAINTS', kind: 'number' },
    { name: 'VERSION' },
    { name: 'PODS', kind: 'podcount' },
    { name: 'CPU', kind: 'cpu' },
    { name: 'MEM', kind: 'mem' },
    { name: '%CPU', kind: 'cpupct' },
    { name: '%MEM', kind: 'mempct' },
    { name: 'INTERNAL-IP', wide: true },
    { name: 'OS-IMAGE', wide: true },
    { name: 'KERNEL', wide: true },
    { name: 'RUNTIME', wide: true },
    AGE,
  ],
  project(node: any) {
    const info = node?.status?.nodeInfo ?? {};
    const taints: any[] = Array.isArray(node?.spec?.taints) ? node.spec.taints : [];
    const roles = nodeRoles(node);
    const unschedulable = Boolean(node?.spec?.unschedulable);
    const ready = condition(node, 'Ready')?.status === 'True';
    const alloc = node?.status?.allocatable ?? node?.status?.capacity ?? {};
    const internalIP = nodeAddress(node, 'InternalIP');
    let state: RowState = 'normal';
    if (!ready) state = 'error';
    else if (unschedulable) state = 'pending';
    if (node?.metadata?.deletionTimestamp) state = 'terminating';
    return {
      cells: [
        nameOf(node),
        nodeStatus(node),
        roles.length ? roles.join(',') : '<none>',
        taints.length,
        String(info.kubeletVersion ?? ''),
        '',
        '',
        '',
        '',
        '',
        internalIP || '<none>',
        String(info.osImage ?? ''),
        String(info.kernelVersion ?? ''),
        String(info.containerRuntimeVersion ?? ''),
        created(node),
      ],
      state,
      extra: {
        unschedulable,
        allocatable: { cpuMilli: parseCpu(alloc.cpu), memBytes: parseMem(alloc.memory), pods: Number(alloc.pods ?? 0) || 0 },
        internalIP,
        roles,
        taints: taints.map((t) => ({ key: String(t?.key ?? ''), value: String(t?.value ?? ''), effect: String(t?.effect ?? '') })),
      },
    };
  },
};
