/**
 * The real kubectl against a simulated fleet started in this process: a temp kubeconfig and
 * discovery cache per fleet, and kubectl always run asynchronously (a synchronous child would
 * block the fleet it talks to).
 */
import { afterAll, beforeAll } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet, type FleetMember, type FleetOptions, type KubeconfigOptions } from '../../src/sim/fleet.js';
import { onPath } from './wait.js';

export const hasKubectl = onPath('kubectl');
if (!hasKubectl) console.warn('kubectl conformance tests skipped: no `kubectl` executable on PATH');

export const FAST = { startDelayMs: [50, 150] as [number, number], stopDelayMs: [50, 200] as [number, number] };

export interface Fixture {
  fleet: Fleet;
  dir: string;
  kubeconfig: string;
  /** KUBECONFIG and KUBECACHEDIR for this fleet, for a kubectl started some other way (in a terminal). */
  env: Record<string, string>;
  member(name?: string): FleetMember;
  kubectl(args: string[], timeout?: number, input?: string, env?: Record<string, string>): Promise<{ stdout: string; stderr: string; exitCode?: number }>;
  /** a long-running kubectl; the caller kills it. */
  spawn(args: string[], timeout?: number): ResultPromise;
}

/**
 * One fleet for a describe block: started before its tests, stopped (and its temp dir removed)
 * after. Its kubeconfig is `fleet.kubeconfig(kubeconfig)`: admin contexts by default.
 */
export function useFleet(opts: FleetOptions, kubeconfig: KubeconfigOptions = {}): Fixture {
  const fx = {} as Fixture;
  beforeAll(async () => {
    fx.dir = mkdtempSync(join(tmpdir(), 'kmux-kubectl-'));
    fx.kubeconfig = join(fx.dir, 'kubeconfig');
    fx.fleet = await startFleet({ nodes: 4, pods: 60, seed: 7, ...opts, cluster: { ...FAST, ...opts.cluster } });
    fx.fleet.writeKubeconfig(fx.kubeconfig, kubeconfig);
    // kubectl's discovery cache lives with the fleet: a later run reusing a port must not see stale types
    fx.env = { KUBECONFIG: fx.kubeconfig, KUBECACHEDIR: join(fx.dir, 'cache') };
    const env = { ...process.env, ...fx.env };
    fx.member = (name) => (name ? fx.fleet.member(name) : fx.fleet.members[0]);
    fx.kubectl = async (args, timeout = 20_000, input, extraEnv = {}) => {
      const r = await execa('kubectl', args, { env: { ...env, ...extraEnv }, reject: false, timeout, ...(input !== undefined ? { input } : {}) });
      if (r.timedOut) throw new Error(`kubectl ${args.join(' ')} timed out after ${timeout} ms\n${r.stderr}`);
      return { stdout: r.stdout as string, stderr: r.stderr as string, exitCode: r.exitCode };
    };
    fx.spawn = (args, timeout = 60_000) => execa('kubectl', args, { env, reject: false, timeout });
  });
  afterAll(async () => {
    await fx.fleet?.stop();
    if (fx.dir) rmSync(fx.dir, { recursive: true, force: true });
  });
  return fx;
}

/** Output of a background kubectl, as it arrives. */
export function collect(p: ResultPromise): { out: () => string; err: () => string; running: () => boolean } {
  let out = '', err = '', running = true;
  p.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  p.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  p.finally(() => (running = false)).catch(() => {});
  return { out: () => out, err: () => err, running: () => running };
}
