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

/** Where K9s keeps per-context files: `$K9S_CONFIG_DIR/clusters`, else `$XDG_DATA_HOME/k9s/clusters`. */
export function k9sClustersRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.K9S_CONFIG_DIR) return join(env.K9S_CONFIG_DIR, 'clusters');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'k9s', 'clusters');
}

/** K9s's directory for one context: cluster and context names with `:` and `/` made `-`, as K9s cleans them. */
export function k9sContextDir(env: NodeJS.ProcessEnv, context: string, cluster: string): string {
  const clean = (s: string) => s.replace(/[:/]+/g, '-');
  return join(k9sClustersRoot(env), clean(cluster), clean(context));
}
