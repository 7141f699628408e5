/** `kmux sim`: a simulated fleet in the foreground, until SIGINT or SIGTERM. */
import v8 from 'node:v8';
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFleet } from './fleet.js';
import { SIM_USERS } from './auth.js';
import { SIM_USAGE } from './usage.js';
import { tidyHeap } from '../store/gc.js';


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
        'exec-token-ttl': { type: 'string' }, 'insecure-http': { type: 'boolean' }, 'no-helm': { type: 'boolean' },
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
      helm: !values['no-helm'],
    };
  } catch (e) {
    process.stderr.write(`kmux sim: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const fleet = await startFleet(opts);
  // V8's regular collections leave a churning fleet's old pages fragmented (3 x 10,000 pods at
  // 300 changes a second: 350 -> 617 MB resident over 30 minutes with a flat live heap); look
  // every 30 s and compact when the committed heap has grown well past what the last
  // compaction left (src/store/gc.ts). The first look compacts what building the fleet left.
  tidyHeap();
  setInterval(tidyHeap, 30_000).unref();
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
