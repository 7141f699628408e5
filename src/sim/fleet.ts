/**
 * A fleet of simulated clusters, each on its own 127.0.0.1 port, and the kubeconfig that
 * reaches them. TLS by default: one CA per fleet (`fleet.ca`), a serving certificate for
 * 127.0.0.1 and localhost, and the users of auth.ts (admin by client certificate, viewer and
 * team-a by token, exec-user through an exec credential plugin) with their RBAC bindings.
 */
import { writeFileSync } from 'node:fs';
import { Cluster, type ClusterOptions } from './cluster.js';
import { installControllers } from './controllers.js';
import { buildScenario } from './scenario.js';
import { installHelmReleases } from './helm.js';
import { SimServer, type RestartOptions } from './server.js';
import { Churn } from './churn.js';
import { FleetAuth, SIM_USERS, type Credentials } from './auth.js';
import { bootstrapPolicy, installRbac, scenarioPolicy, TEAM_A_NAMESPACES } from './rbac.js';
import type { CertAndKey } from './tls.js';

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
  /**
   * Plain HTTP instead of TLS (`kmux sim --insecure-http`): no certificates, and a request
   * without credentials is system:unsecured in system:masters, as the apiserver's old insecure
   * port; bearer tokens still authenticate. Default: TLS, anonymous requests are system:anonymous.
   */
  insecureHttp?: boolean;
  /** how long the exec plugin's tokens live, in seconds (default 600) */
  execTokenTtlSeconds?: number;
  /**
   * Helm 3 releases in every cluster (`helm.ts`): their revisions stored as Helm stores them and
   * their objects. `kmux sim` and `--demo` have them; off by default, so a test's counts of
   * deployments, services and pods are the scenario's alone.
   */
  helm?: boolean;
}

/** What `Fleet.kubeconfig` writes. */
export interface KubeconfigOptions {
  /**
   * Also the contexts of the other users (`prod-viewer`, `prod-team-a`, `prod-exec`) on the
   * cluster named prod (or the last cluster when none is): what `kmux sim` writes. Default: only
   * one context per cluster, as admin.
   */
  userContexts?: boolean;
  /** only this user's contexts, one per cluster, named after the cluster (`dev`, `staging`...) */
  user?: string;
}

/** https options for Node's https, tls or ws: trust the fleet's CA and present a user's credentials. */
export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  headers: Record<string, string>;
}

/** The fleets serving in this process, by origin (https://127.0.0.1:PORT): test helpers find a URL's CA and credentials here. */
const serving = new Map<string, Fleet>();

/** The fleet that serves `url` in this process, if any. */
export function fleetServing(url: string): Fleet | undefined {
  try {
    return serving.get(new URL(url.replace(/^ws/, 'http')).origin);
  } catch {
    return undefined;
  }
}

export interface FleetMember {
  name: string;
  cluster: Cluster;
  server: SimServer;
  churn: Churn;
}

export class Fleet {
  constructor(public readonly members: FleetMember[], private readonly options: FleetOptions = {}, readonly auth: FleetAuth = new FleetAuth(!options.insecureHttp)) {
    for (const m of members) {
      m.server.restartHandler = (r) => this.restart(m.name, r);
      serving.set(new URL(m.server.url).origin, this);
    }
  }

  /** TLS (the default) or plain HTTP. */
  get secure(): boolean {
    return this.auth.secure;
  }

  /** The fleet's CA certificate (PEM): trust it to talk to any of its clusters ('' on plain HTTP). */
  get ca(): string {
    return this.secure ? this.auth.pki.ca : '';
  }

  /**
   * A user's credentials: `admin` (client certificate: cert, key), `viewer`, `team-a` (token),
   * `exec-user` (exec: the plugin's command, args and env).
   */
  credentials(user: string): Credentials {
    return this.auth.credentials(user);
  }

  /** A new static bearer token for any user and groups (system:authenticated is added). */
  addToken(username: string, groups: string[] = []): string {
    return this.auth.addToken({ username, groups });
  }

  /** A client certificate for any user and groups, signed by the fleet's CA (`notAfter`: one that expires then). */
  clientCertificate(username: string, groups: string[] = [], o: { notAfter?: Date } = {}): CertAndKey {
    return this.auth.clientCertificate(username, groups, o);
  }

  /**
   * What Node's https (or ws, tls.connect) needs to talk to this fleet as `user` (default
   * admin): the CA, and a client certificate or an Authorization header; 'anonymous' presents
   * nothing. exec-user gets a fresh token as the plugin would print it.
   */
  tls(user = 'admin'): TlsOptions {
    const base: TlsOptions = { ...(this.secure ? { ca: this.ca } : {}), headers: {} };
    if (user === 'anonymous') return base;
    const c = this.credentials(user);
    if (c.cert && this.secure) return { ...base, cert: c.cert, key: c.key };
    const token = c.token ?? (c.way === 'exec' ? this.auth.execToken(user) : undefined);
    return token ? { ...base, headers: { Authorization: `Bearer ${token}` } } : base;
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
    const next = await buildMember(this.options, this.auth, index, name, port, o);
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

  /**
   * The kubeconfig: a cluster entry per cluster (with the CA as certificate-authority-data,
   * or no TLS at all on plain HTTP), a context per cluster named after it as its admin
   * (`<name>-admin`, the admin client certificate), and with `userContexts` the other users'
   * contexts on prod: `prod-viewer`, `prod-team-a` (namespace web), `prod-exec`. `user` makes
   * one context per cluster for that user instead.
   */
  kubeconfig(o: KubeconfigOptions = {}): string {
    const q = (v: string) => JSON.stringify(v);
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    const lines = ['apiVersion: v1', 'kind: Config', 'preferences: {}', `current-context: ${this.members[0]?.name ?? ''}`, 'clusters:'];
    for (const m of this.members) {
      lines.push(`- name: kmux-sim-${m.name}`, '  cluster:', `    server: ${m.server.url}`);
      if (this.secure) lines.push(`    certificate-authority-data: ${b64(this.ca)}`);
      else lines.push('    insecure-skip-tls-verify: true');
    }
    const contexts: { name: string; cluster: string; user: string; namespace: string }[] = [];
    const users = new Map<string, string>();
    const userEntry = (u: string) => {
      if (!this.secure) return '{}';
      const c = this.credentials(u);
      if (c.cert) return [`\n    client-certificate-data: ${b64(c.cert)}`, `    client-key-data: ${b64(c.key!)}`].join('\n');
      if (c.token) return `\n    token: ${q(c.token)}`;
      const e = c.exec!;
      return ['', '    exec:', '      apiVersion: client.authentication.k8s.io/v1', `      command: ${q(e.command)}`, '      args:', ...e.args.map((a) => `      - ${q(a)}`),
        '      env:', ...e.env.flatMap((v) => [`      - name: ${v.name}`, `        value: ${q(v.value)}`]), '      interactiveMode: Never', '      provideClusterInfo: false'].join('\n');
    };
    if (o.user) {
      for (const m of this.members) contexts.push({ name: m.name, cluster: m.name, user: o.user, namespace: this.defaultNamespace(o.user) });
      users.set(o.user, userEntry(o.user));
    } else {
      for (const m of this.members) {
        contexts.push({ name: m.name, cluster: m.name, user: `${m.name}-admin`, namespace: 'default' });
        users.set(`${m.name}-admin`, userEntry('admin'));
      }
      const home = this.members.find((m) => m.name === 'prod') ?? this.members[this.members.length - 1];
      if (o.userContexts && this.secure && home) {
        for (const u of SIM_USERS) {
          if (u.name === 'admin') continue;
          contexts.push({ name: `${home.name}-${u.name === 'exec-user' ? 'exec' : u.name}`, cluster: home.name, user: u.name, namespace: this.defaultNamespace(u.name) });
          users.set(u.name, userEntry(u.name));
        }
      }
    }
    lines.push('contexts:');
    for (const c of contexts) lines.push(`- name: ${c.name}`, '  context:', `    cluster: kmux-sim-${c.cluster}`, `    user: ${c.user}`, `    namespace: ${c.namespace}`);
    lines.push('users:');
    for (const [name, entry] of users) lines.push(`- name: ${name}`, `  user: ${entry}`);
    return lines.join('\n') + '\n';
  }

  /** The namespace a user's contexts start in: team-a's first namespace for team-a, else default. */
  private defaultNamespace(user: string): string {
    return user === 'team-a' ? TEAM_A_NAMESPACES[0] : 'default';
  }

  writeKubeconfig(file: string, o: KubeconfigOptions = {}): void {
    writeFileSync(file, this.kubeconfig(o), { mode: 0o600 });
  }

  async stop(): Promise<void> {
    for (const m of this.members) {
      if (serving.get(new URL(m.server.url).origin) === this) serving.delete(new URL(m.server.url).origin);
      m.churn.stop();
      m.cluster.stop();
      await m.server.stop();
    }
  }
}

/** Cluster i of a fleet: built, settled, started, and served on `port` (0: a free one). */
async function buildMember(o: FleetOptions, auth: FleetAuth, i: number, name: string, port: number, r: RestartOptions = {}): Promise<FleetMember> {
  const seed = r.seed ?? o.seed ?? 1;
  const cluster = new Cluster({
    name, seed: seed * 1000 + i + 1, ...o.cluster,
    ...(r.resourceVersion !== undefined ? { startResourceVersion: r.resourceVersion } : {}),
  });
  installControllers(cluster);
  installRbac(cluster);
  if (o.empty) {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      cluster.store.create('namespaces', { metadata: { name: ns }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    }
    bootstrapPolicy(cluster);
  } else {
    buildScenario(cluster, { nodes: o.nodes ?? 5, pods: o.pods ?? 150, index: i });
    if (o.helm) installHelmReleases(cluster);
    // after the scenario, with uids of their own: the scenario's objects stay what they were
    const born = Date.parse(cluster.store.get('namespaces', undefined, 'kube-system')?.metadata.creationTimestamp ?? '') || Date.now();
    bootstrapPolicy(cluster, born);
    scenarioPolicy(cluster, born);
  }
  cluster.settle();
  cluster.start();
  const server = new SimServer(cluster, port, '127.0.0.1', auth);
  try {
    await server.start();
  } catch (e) {
    cluster.stop();
    throw e;
  }
  const churn = new Churn(cluster, o.churn ?? 0);
  churn.start();
  server.churn = churn;
  return { name, cluster, server, churn };
}

export async function startFleet(o: FleetOptions = {}): Promise<Fleet> {
  const n = o.clusters ?? 3;
  const members: FleetMember[] = [];
  const auth = new FleetAuth(!o.insecureHttp, o.execTokenTtlSeconds);
  try {
    for (let i = 0; i < n; i++) {
      const name = o.names?.[i] ?? CLUSTER_NAMES[i] ?? `cluster-${i + 1}`;
      members.push(await buildMember(o, auth, i, name, o.port ? o.port + i : 0));
    }
  } catch (e) {
    await new Fleet(members, o, auth).stop();
    throw e;
  }
  return new Fleet(members, o, auth);
}
