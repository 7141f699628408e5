/** `kmux sim`: a simulated fleet in the foreground, until SIGINT or SIGTERM. */
import v8 from 'node:v8';
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFleet } from './fleet.js';
import { SIM_USERS } from './auth.js';

export const SIM_USAGE = `Usage: kmux sim [options]

Runs a fleet of simulated Kubernetes clusters that speak the real HTTP API.

Options:
  --clusters N          clusters in the fleet (default 3: dev, staging, prod, then cluster-4...)
  --nodes N             nodes per cluster, one of them the control plane (default 5)
  --pods N              pods per cluster, roughly (default 150)
  --churn R             about R changes a second per cluster (default 0)
  --seed S              same seed, same fleet (default 1)
  --port P              first port; cluster i listens on P+i (default 0: free ports)
  --kubeconfig-out FILE write a kubeconfig with one context per cluster, and the other
                        users' contexts on prod (prod-viewer, prod-team-a, prod-exec)
  --rv-wait-ms MS       how long a list for a resourceVersion ahead of the store waits
                        before "504 Too large resource version" (default 1000; apiserver 3000)
  --exec-token-ttl S    seconds the exec plugin's tokens live before a 401 (default 600)
  --watch-timeout S     each watch ends after S to 2S seconds, or sooner when the client's
                        timeoutSeconds says so (default: the apiserver's 1800, and the
                        client's timeoutSeconds wins)
  --history-seconds S   watch history kept, as etcd compacts it: a watch resumed from an
                        older resourceVersion gets 410 Expired and relists (default 120)
  --history-size N      at most N events of watch history per cluster (default 20000)
  --insecure-http       plain HTTP instead of TLS, no credentials needed (everyone is a
                        cluster-admin, as the apiserver's old insecure port); only the admin
                        contexts are written
  -h, --help            this help

Users and RBAC (with TLS, the default: a CA made at start-up is the kubeconfig's
certificate-authority-data; the serving certificate is for 127.0.0.1 and localhost):
  context            user       credential                         may
  dev, staging, prod admin      client certificate, O=system:masters everything
  prod-viewer        viewer     bearer token                       view everywhere: read, logs; no
                                                                   secrets, nodes, exec, port-forward
  prod-team-a        team-a     bearer token                       edit in web and payments (writes,
                                                                   exec, scale, secrets); nothing else
  prod-exec          exec-user  exec plugin, a short-lived token   view everywhere (group developers)
  No credentials: system:anonymous, allowed /version, /healthz, /livez and /readyz only; a wrong
  one: 401 Unauthorized. admin may impersonate (kubectl --as viewer). Roles and bindings are
  real objects: kubectl get clusterroles, create rolebinding, auth can-i --list, auth whoami.

Faults, on each cluster's own port, no credentials needed (see docs/simulator.md; with TLS,
curl -k or --cacert with the CA from the kubeconfig):
  curl URL/_sim/health                      memory, watches, sockets, history, objects, pods
  curl -X POST URL/_sim/churn -d '{"rate":0}'  pause the churn (GET URL/_sim/churn: its rate)
  curl URL/_sim/faults                      show them
  curl -X PUT URL/_sim/faults -d JSON       set them, e.g. {"latencyMs":500}, {"stallSeconds":10},
                                            {"deny":[{"code":403,"resource":"pods","namespace":"web"}]},
                                            {"errors":[{"code":429,"count":3}]}, {"truncate":[{"resource":"pods"}]}
  curl -X POST URL/_sim/faults -d JSON      add to them; curl -X DELETE URL/_sim/faults clears them
  curl -X POST URL/_sim/watches/drop        cut every open watch (/_sim/watches/close: end them cleanly)
  curl -X POST URL/_sim/restart -d JSON     restart the cluster on its port: {} the same objects with
                                            the resourceVersion counter reset, {"seed":N} another cluster
`;

function num(name: string, v: string | undefined, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} wants a number >= ${min}, got "${v}"`);
  return n;
}

export async function simMain(argv: string[]): Promise<void> {
  // V8 lets the old space grow to several times what is live before a full collection; a
  // churning fleet allocates fast, so it settled at 2-3x its live heap. A tighter growing
  // factor keeps the resident size near what the fleet holds (set before the fleet is built).
  v8.setFlagsFromString('--heap-growing-percent=30');
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        clusters: { type: 'string' }, nodes: { type: 'string' }, pods: { type: 'string' }, churn: { type: 'string' },
        seed: { type: 'string' }, port: { type: 'string' }, 'kubeconfig-out': { type: 'string' }, 'rv-wait-ms': { type: 'string' },
        'exec-token-ttl': { type: 'string' }, 'insecure-http': { type: 'boolean' },
        'watch-timeout': { type: 'string' }, 'history-seconds': { type: 'string' }, 'history-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`kmux sim: ${(e as Error).message}\n\n${SIM_USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(SIM_USAGE);
    return;
  }
  let opts;
  try {
    opts = {
      clusters: num('clusters', values.clusters, 3, 1), nodes: num('nodes', values.nodes, 5, 1), pods: num('pods', values.pods, 150, 0),
      churn: num('churn', values.churn, 0), seed: num('seed', values.seed, 1), port: num('port', values.port, 0),
      cluster: {
        tooLargeRvWaitMs: num('rv-wait-ms', values['rv-wait-ms'], 1000),
        watchTimeoutSeconds: values['watch-timeout'] === undefined ? undefined : num('watch-timeout', values['watch-timeout'], 1800, 1),
        historySeconds: num('history-seconds', values['history-seconds'], 120, 1),
        historySize: num('history-size', values['history-size'], 20_000, 1),
      },
      execTokenTtlSeconds: num('exec-token-ttl', values['exec-token-ttl'], 600, 1),
      insecureHttp: values['insecure-http'] ?? false,
    };
  } catch (e) {
    process.stderr.write(`kmux sim: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const fleet = await startFleet(opts);
  const file = resolve(values['kubeconfig-out'] ?? join(tmpdir(), `kmux-sim-${process.pid}.yaml`));
  fleet.writeKubeconfig(file, { userContexts: true });
  const out = process.stdout;
  out.write(`kmux sim: ${fleet.members.length} cluster(s) ready in ${((Date.now() - started) / 1000).toFixed(1)}s${fleet.secure ? ' (TLS)' : ' (plain HTTP, no authentication)'}\n`);
  for (const m of fleet.members) {
    out.write(`  context ${m.name.padEnd(10)} ${m.server.url}  ${m.cluster.store.count('nodes')} nodes, ${m.cluster.store.count('pods')} pods\n`);
  }
  if (fleet.secure) {
    const home = fleet.members.find((m) => m.name === 'prod') ?? fleet.members[fleet.members.length - 1];
    out.write(`\nusers (the contexts above are admin's):\n`);
    for (const u of SIM_USERS) {
      const ctx = u.name === 'admin' ? '' : `${home.name}-${u.name === 'exec-user' ? 'exec' : u.name}`;
      out.write(`  ${(ctx || '-').padEnd(16)} ${u.name.padEnd(10)} ${u.way.padEnd(19)} ${u.rights}\n`);
    }
  }
  out.write(`\nfaults: curl ${fleet.secure ? '-k ' : ''}${fleet.members[0]?.server.url}/_sim (kmux sim --help)\n`);
  out.write(`\nexport KUBECONFIG=${file}\n`);
  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    out.write(`\nkmux sim: ${sig}, stopping\n`);
    await fleet.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
