/**
 * The fleet behind `kmux --demo`, in a worker thread. kmux hands the terminal to kubectl
 * (shell, attach, edit, foreground plugins) with a synchronous child, which blocks kmux's event
 * loop: a fleet on that loop could not answer the kubectl it is waiting for. On its own thread
 * the fleet goes on serving.
 */
import { workerEntry } from '../util/paths.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface DemoFleet {
  stop(): Promise<void>;
}

export async function startDemoFleet(o: { churn: number; kubeconfig: string }): Promise<DemoFleet> {
  const worker = new Worker(workerEntry('demo-worker'), { workerData: o });
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the demo fleet stopped while starting (exit ${code})`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (m: { ready?: boolean; error?: string }) => {
      worker.off('exit', onExit);
      worker.off('error', reject);
      if (m.ready) resolve();
      else reject(new Error(`the demo fleet did not start: ${m.error ?? 'unknown error'}`));
    });
  });
  return {
    async stop() {
      const gone = new Promise<void>((r) => worker.once('exit', () => r()));
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), 3000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** The demo fleet with its kubeconfig in a new temporary folder (`kmux --demo`). */
export async function startDemo(): Promise<DemoFleet & { kubeconfig: string }> {
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'kmux-demo-')), 'kubeconfig.yaml');
  const fleet = await startDemoFleet({ churn: 1, kubeconfig });
  return { kubeconfig, stop: () => fleet.stop() };
}

