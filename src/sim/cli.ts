/** `kmux sim`: a simulated fleet in the foreground, until SIGINT or SIGTERM. */
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFleet } from './fleet.js';

export const SIM_USAGE = `Usage: kmux sim [options]

Runs a fleet of simulated Kubernetes clusters that speak the real HTTP API.

Options:
  --clusters N          clusters in the fleet (default 3: dev, staging, prod, then cluster-4...)
  --nodes N             nodes per cluster, one of them the control plane (default 5)
  --pods N              pods per cluster, roughly (default 150)
  --churn R             about R changes a second per cluster (default 0)
  --seed S              same seed, same fleet (default 1)
  --port P              first port; cluster i listens on P+i (default 0: free ports)
  --kubeconfig-out FILE write a kubeconfig with one context per cluster
  --rv-wait-ms MS       how long a list for a resourceVersion ahead of the store waits
                        before "504 Too large resource version" (default 1000; apiserver 3000)
  -h, --help            this help

Faults, on each cluster's own port (see docs/simulator.md):
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
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        clusters: { type: 'string' }, nodes: { type: 'string' }, pods: { type: 'string' }, churn: { type: 'string' },
        seed: { type: 'string' }, port: { type: 'string' }, 'kubeconfig-out': { type: 'string' }, 'rv-wait-ms': { type: 'string' },
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
      cluster: { tooLargeRvWaitMs: num('rv-wait-ms', values['rv-wait-ms'], 1000) },
    };
  } catch (e) {
    process.stderr.write(`kmux sim: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const fleet = await startFleet(opts);
  const file = resolve(values['kubeconfig-out'] ?? join(tmpdir(), `kmux-sim-${process.pid}.yaml`));
  fleet.writeKubeconfig(file);
  const out = process.stdout;
  out.write(`kmux sim: ${fleet.members.length} cluster(s) ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  for (const m of fleet.members) {
    out.write(`  context ${m.name.padEnd(10)} ${m.server.url}  ${m.cluster.store.count('nodes')} nodes, ${m.cluster.store.count('pods')} pods\n`);
  }
  out.write(`\nfaults: curl ${fleet.members[0]?.server.url}/_sim (kmux sim --help)\n`);
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
