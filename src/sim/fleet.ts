/** A fleet of simulated clusters, each on its own 127.0.0.1 port, and the kubeconfig that reaches them. */
import { writeFileSync } from 'node:fs';
import { Cluster, type ClusterOptions } from './cluster.js';
import { installControllers } from './controllers.js';
import { buildScenario } from './scenario.js';
import { SimServer } from './server.js';
import { Churn } from './churn.js';

export const CLUSTER_NAMES = ['dev', 'staging', 'prod'];

export interface FleetOptions {
  clusters?: number;
  /** names override the default dev, staging, prod, cluster-4... */
  names?: string[];
  nodes?: number;
  pods?: number;
  churn?: number;
  seed?: number;
  /** first port; 0 picks free ports. */
  port?: number;
  /** anything else a test wants to tune per cluster (delays, bookmark interval). */
  cluster?: Partial<ClusterOptions>;
  /** skip the scenario: an empty cluster with only what a test creates (namespaces included). */
  empty?: boolean;
}

export interface FleetMember {
  name: string;
  cluster: Cluster;
  server: SimServer;
  churn: Churn;
}

export class Fleet {
  constructor(public readonly members: FleetMember[]) {}

  member(name: string): FleetMember {
    const m = this.members.find((x) => x.name === name);
    if (!m) throw new Error(`no cluster named ${name} in the fleet`);
    return m;
  }

  kubeconfig(): string {
    const lines = ['apiVersion: v1', 'kind: Config', 'preferences: {}', `current-context: ${this.members[0]?.name ?? ''}`, 'clusters:'];
    for (const m of this.members) lines.push(`- name: kmux-sim-${m.name}`, '  cluster:', `    server: ${m.server.url}`, '    insecure-skip-tls-verify: true');
    lines.push('contexts:');
    for (const m of this.members) lines.push(`- name: ${m.name}`, '  context:', `    cluster: kmux-sim-${m.name}`, `    user: ${m.name}-admin`, '    namespace: default');
    lines.push('users:');
    for (const m of this.members) lines.push(`- name: ${m.name}-admin`, '  user: {}');
    return lines.join('\n') + '\n';
  }

  writeKubeconfig(file: string): void {
    writeFileSync(file, this.kubeconfig(), { mode: 0o600 });
  }

  async stop(): Promise<void> {
    for (const m of this.members) {
      m.churn.stop();
      m.cluster.stop();
      await m.server.stop();
    }
  }
}

export async function startFleet(o: FleetOptions = {}): Promise<Fleet> {
  const n = o.clusters ?? 3;
  const seed = o.seed ?? 1;
  const members: FleetMember[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const name = o.names?.[i] ?? CLUSTER_NAMES[i] ?? `cluster-${i + 1}`;
      const cluster = new Cluster({ name, seed: seed * 1000 + i + 1, ...o.cluster });
      installControllers(cluster);
      if (o.empty) {
        for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
          cluster.store.create('namespaces', { metadata: { name: ns }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
        }
      } else {
        buildScenario(cluster, { nodes: o.nodes ?? 5, pods: o.pods ?? 150, index: i });
      }
      cluster.settle();
      cluster.start();
      const server = new SimServer(cluster, o.port ? o.port + i : 0);
      await server.start();
      const churn = new Churn(cluster, o.churn ?? 0);
      churn.start();
      members.push({ name, cluster, server, churn });
    }
  } catch (e) {
    await new Fleet(members).stop();
    throw e;
  }
  return new Fleet(members);
}
