/** Where kmux and K9s keep their configuration (XDG, as both document it). */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function xdgConfigHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_CONFIG_HOME || join(homedir(), '.config');
}

export function kmuxConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.KMUX_CONFIG_DIR || join(xdgConfigHome(env), 'kmux');
}

export function k9sConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.K9S_CONFIG_DIR || join(xdgConfigHome(env), 'k9s');
}
