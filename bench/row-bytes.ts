/**
 * Bytes of heap a pods store keeps per row, live (after full collections), at sync and after
 * a spell of churn. The simulated cluster runs as its own process (`kmux sim`), so the heap
 * measured here is the client's alone: before the store opens, and with it. Run: `node --expose-gc bin/run-ts.js bench/row-bytes.ts`
 * (ROWBYTES_PODS, default 10000; ROWBYTES_CHURN changes a second from the start, default 300;
 * ROWBYTES_SECONDS of churn, default 60).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Connection } from '../src/kube/connection.js';
import { discover, resolveResource } from '../src/kube/discovery.js';
import { loadKubeconfig } from '../src/kube/kubeconfig.js';
import { columnsFor } from '../src/resources/registry.js';
import { StoreRegistry } from '../src/store/rows.js';
import { intern } from '../src/store/intern.js';

const PODS = Number(process.env.ROWBYTES_PODS ?? 10_000);
const CHURN = Number(process.env.ROWBYTES_CHURN ?? 300);
const SECONDS = Number(process.env.ROWBYTES_SECONDS ?? 60);
const gc = (globalThis as any).gc as (() => void) | undefined;
if (!gc) throw new Error('run with node --expose-gc');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const live = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const mb = (b: number) => (b / 1048576).toFixed(1);

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-rowbytes-'));
const f = path.join(dir, 'kc.yaml');
const root = fileURLToPath(new URL('..', import.meta.url));
const sim = spawn(process.execPath, [path.join(root, 'bin/kmux.js'), 'sim', '--clusters', '1', '--pods', String(PODS), '--churn', String(CHURN), '--kubeconfig-out', f], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((ok, fail) => {
  let out = '';
  sim.stdout!.on('data', (d) => {
    out += d;
    if (/ready in/.test(out)) ok();
  });
  sim.on('exit', (code) => fail(new Error(`kmux sim exited (${code})`)));
});
const conn = new Connection(loadKubeconfig([f]), 'dev');
const registry = new StoreRegistry(() => conn, (k) => columnsFor(k.resource), 100);
const pods = resolveResource(await discover(conn), 'pods')!;
await sleep(500);
const base = live();
const store = registry.acquire({ context: 'dev', resource: pods });
while (!store.status.synced) await sleep(50);
await sleep(500);
const report = (when: string) => {
  const held = live() - base;
  console.log(`${when}: ${store.rows.size} rows, ${mb(held)} MB held, ${Math.round(held / store.rows.size)} bytes a row; pools ${JSON.stringify(intern.stats)}`);
};
report('synced');
for (let t = 20; t <= SECONDS; t += 20) {
  await sleep(20_000);
  report(`after ${t} s of ${CHURN} changes a second`);
}
registry.stopAll();
conn.close();
sim.kill();
rmSync(dir, { recursive: true, force: true });
