/** A fleet of simulated clusters, each on its own 127.0.0.1 port, and the kubeconfig that reaches them. */
import { writeFileSync } from 'node:fs';
import { Cluster, type ClusterOptions } from './cluster.js';
import { installControllers } from './controllers.js';
import { buildScenario } from './scenario.js';
import { SimServer, type RestartOptions } from './server.js';
import { Churn } from './churn.js';

export const CLUSTER_NAMES = ['dev', 'staging', 'prod'];
export type { RestartOptions } from './server.js';

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
  constructor(public readonly members: FleetMember[], private readonly options: FleetOptions = {}) {
    for (const m of members) m.server.restartHandler = (r) => this.restart(m.name, r);
  }

  /**
   * Restart one cluster on the same port: the server stops (every open connection is cut,
   * watches included), the cluster is built again from scratch with the fleet's options
   * (scenario, controllers, churn) and a new server listens on the port. By default the
   * seed is the same, so the same objects come back (names, uids) but the resourceVersion
   * counter starts again, as a store restored from a backup; `seed` makes it another cluster,
   * `resourceVersion` sets where the counter starts. The member object stays the same; its
   * cluster, server and churn are the new ones (faults and request log start empty).
   */
  restart(name: string, o: RestartOptions = {}): Promise<FleetMember> {
    // one restart of a cluster at a time: a second one waits for the first
    const prev = this.restarts.get(name) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(() => this.restartNow(name, o));
    this.restarts.set(name, next);
    return next;
  }

  private readonly restarts = new Map<string, Promise<unknown>>();

  private async restartNow(name: string, o: RestartOptions): Promise<FleetMember> {
    const m = this.member(name);
    const index = this.members.indexOf(m);
    const port = m.server.port;
    m.churn.stop();
    m.cluster.stop();
    // a crash, not a graceful shutdown: watches see their connection reset, not an end
    m.server.dropWatches();
    await m.server.stop();
    if (o.downMs) await new Promise((r) => setTimeout(r, o.downMs));
    const next = await buildMember(this.options, index, name, port, o);
    next.server.restartHandler = (r) => this.restart(name, r);
    m.cluster = next.cluster;
    m.server = next.server;
    m.churn = next.churn;
    return m;
  }

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

/** Cluster i of a fleet: built, settled, started, and served on `port` (0: a free one). */
async function buildMember(o: FleetOptions, i: number, name: string, port: number, r: RestartOptions = {}): Promise<FleetMember> {
  const seed = r.seed ?? o.seed ?? 1;
  const cluster = new Cluster({
    name, seed: seed * 1000 + i + 1, ...o.cluster,
    ...(r.resourceVersion !== undefined ? { startResourceVersion: r.resourceVersion } : {}),
  });
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
  const server = new SimServer(cluster, port);
  try {
    await server.start();
  } catch (e) {
    cluster.stop();
    throw e;
  }
  const churn = new Churn(cluster, o.churn ?? 0);
  churn.start();
  return { name, cluster, server, churn };
}

export async function startFleet(o: FleetOptions = {}): Promise<Fleet> {
  const n = o.clusters ?? 3;
  const members: FleetMember[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const name = o.names?.[i] ?? CLUSTER_NAMES[i] ?? `cluster-${i + 1}`;
      members.push(await buildMember(o, i, name, o.port ? o.port + i : 0));
    }
  } catch (e) {
    await new Fleet(members).stop();
    throw e;
  }
  return new Fleet(members, o);
}
