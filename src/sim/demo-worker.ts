/** Worker side of the demo fleet (see demo.ts): start it, write its kubeconfig, stop on request. */
import { parentPort, workerData } from 'node:worker_threads';
import { startFleet } from './fleet.js';

const port = parentPort!;
try {
  const fleet = await startFleet({ churn: workerData.churn, helm: true });
  fleet.writeKubeconfig(workerData.kubeconfig);
  port.on('message', (m) => {
    if (m !== 'stop') return;
    void fleet.stop().finally(() => process.exit(0));
  });
  port.postMessage({ ready: true });
} catch (e) {
  port.postMessage({ error: (e as Error).message });
  process.exit(1);
}
