/** metrics.k8s.io answers computed from pods' requests, varying smoothly over time. */
import { hash32 } from './rand.js';
import { cpuMilli, memBytes } from './pods.js';
import { nowIso } from './store.js';

function wave(seed: number, now: number): number {
  const period = 120_000 + (seed % 240_000);
  return 0.5 + 0.5 * Math.sin((2 * Math.PI * now) / period + (seed % 628) / 100);
}

export function containerUsage(pod: any, c: any, now: number): { cpuNano: number; memBytes: number } {
  const seed = hash32(`${pod.metadata.uid}/${c.name}`);
  const reqCpu = cpuMilli(c.resources?.requests?.cpu) || 20;
  const reqMem = memBytes(c.resources?.requests?.memory) || 32 * 1024 ** 2;
  const hot = seed % 17 === 0 ? 1.6 : 1; // a few containers run over their requests
  const cpu = reqCpu * hot * (0.1 + 0.9 * wave(seed, now));
  const mem = reqMem * hot * (0.55 + 0.1 * wave(seed >>> 3, now));
  return { cpuNano: Math.round(cpu * 1e6), memBytes: Math.round(mem) };
}

export function podMetrics(pod: any, now: number): any | undefined {
  if (pod.status?.phase !== 'Running' || pod.metadata.deletionTimestamp) return undefined;
  return {
    kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: nowIso(now), labels: pod.metadata.labels ?? {} },
    timestamp: nowIso(now - 7000), window: '15.029s',
    containers: pod.spec.containers.map((c: any) => {
      const u = containerUsage(pod, c, now);
      return { name: c.name, usage: { cpu: `${u.cpuNano}n`, memory: `${Math.round(u.memBytes / 1024)}Ki` } };
    }),
  };
}

export function nodeMetrics(node: any, pods: Iterable<any>, now: number): any {
  let cpu = 120e6 + (hash32(node.metadata.name) % 80) * 1e6;
  let mem = 900 * 1024 ** 2;
  for (const p of pods) {
    if (p.status?.phase !== 'Running') continue;
    for (const c of p.spec.containers) {
      const u = containerUsage(p, c, now);
      cpu += u.cpuNano;
      mem += u.memBytes;
    }
  }
  return {
    kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: node.metadata.name, creationTimestamp: nowIso(now), labels: node.metadata.labels ?? {} },
    timestamp: nowIso(now - 9000), window: '20.05s',
    usage: { cpu: `${Math.round(cpu)}n`, memory: `${Math.round(mem / 1024)}Ki` },
  };
}
