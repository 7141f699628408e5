/**
 * Worker side of the read-only proxy (see readonly-proxy.ts): merge the same kubeconfig files,
 * serve, and stop on request. Connections are made per context on first use, with no socket
 * limit (children may hold many watches and log follows at once).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Connection } from './connection.js';
import { loadKubeconfig } from './kubeconfig.js';
import { startReadOnlyProxy, type ProxyWorkerOptions } from './readonly-proxy.js';

const port = parentPort!;
const o = workerData as ProxyWorkerOptions;
try {
  const kubeconfig = loadKubeconfig(o.files);
  const conns = new Map<string, Connection>();
  const proxy = await startReadOnlyProxy({
    token: o.token,
    contexts: o.contexts,
    connectionFor(context) {
      let c = conns.get(context);
      if (!c) conns.set(context, (c = new Connection(kubeconfig, context, { maxSockets: Infinity })));
      return c;
    },
  });
  port.on('message', (m) => {
    if (m !== 'stop') return;
    void proxy.stop().finally(() => {
      for (const c of conns.values()) c.close();
      process.exit(0);
    });
  });
  port.postMessage({ port: proxy.port, ca: proxy.ca });
} catch (e) {
  port.postMessage({ error: (e as Error).message });
  process.exit(1);
}
