/** One simulated fleet per end-to-end file, and kmux started against it in a real terminal. */
import { afterAll, beforeAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFleet, type Fleet, type FleetOptions } from '../../src/sim/fleet.js';
import { Terminal } from './tmux.js';

export const KMUX_BIN = resolve(import.meta.dirname, '../../bin/kmux.js');

export interface E2eFleet {
  fleet: Fleet;
  dir: string;
  kubeconfig: string;
  /** kmux on the fleet's kubeconfig, each run with a config directory of its own */
  kmux(args: string[], env?: Record<string, string>): Terminal;
}

/** Started before the file's tests, stopped (and its files removed) after them. */
export function e2eFleet(prefix: string, o: FleetOptions): E2eFleet {
  let runs = 0;
  const ctx = {
    kmux(args: string[], env: Record<string, string> = {}) {
      return new Terminal([process.execPath, KMUX_BIN, '--kubeconfig', ctx.kubeconfig, ...args], { env: { XDG_CONFIG_HOME: join(ctx.dir, `cfg-${++runs}`), ...env } });
    },
  } as E2eFleet;
  beforeAll(async () => {
    ctx.fleet = await startFleet(o);
    ctx.dir = mkdtempSync(join(tmpdir(), `kmux-${prefix}-`));
    ctx.kubeconfig = join(ctx.dir, 'kubeconfig.yaml');
    ctx.fleet.writeKubeconfig(ctx.kubeconfig);
  });
  afterAll(async () => {
    await ctx.fleet?.stop();
    if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
  });
  return ctx;
}
