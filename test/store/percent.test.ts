import { describe, it, expect } from 'vitest';
import { percentOf } from '../../src/store/view.js';
import type { Row } from '../../src/store/rows.js';

const row = (extra: any): Row => ({ key: 'k', context: 'c', name: 'n', cells: [], state: 'normal', extra } as unknown as Row);

describe('percentOf', () => {
  const pod = row({ requests: { cpuMilli: 200, memBytes: 256 * 2 ** 20 }, limits: { cpuMilli: 0, memBytes: 512 * 2 ** 20 } });
  const m = { cpu: 50, mem: 128 * 2 ** 20 };

  it('a pod: use over requests and over limits', () => {
    expect(percentOf(pod, 'cpupct', m, 'requests')).toBe(25);
    expect(percentOf(pod, 'mempct', m, 'requests')).toBe(50);
    expect(percentOf(pod, 'mempct', m, 'limits')).toBe(25);
  });

  it('no limit set, or no metrics: undefined (shown as n/a or -)', () => {
    expect(percentOf(pod, 'cpupct', m, 'limits')).toBeUndefined();
    expect(percentOf(pod, 'cpupct', undefined, 'requests')).toBeUndefined();
  });

  it('a node: use over allocatable (the default)', () => {
    const node = row({ allocatable: { cpuMilli: 4000, memBytes: 16 * 2 ** 30 } });
    expect(percentOf(node, 'cpupct', { cpu: 1000, mem: 0 })).toBe(25);
    expect(percentOf(node, 'mempct', { cpu: 0, mem: 4 * 2 ** 30 })).toBe(25);
  });

  it('can go over 100 (a pod above its request)', () => {
    expect(percentOf(pod, 'cpupct', { cpu: 300, mem: 0 }, 'requests')).toBe(150);
  });
});
