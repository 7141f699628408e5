/**
 * A plugin's command as K9s runs it. K9s puts its variables into the argument text (a regex,
 * longest match first, every occurrence replaced) and starts the command with its own
 * environment untouched; whatever the regex does not take reaches the shell. These tests run
 * the same plugin both ways through a real `sh` and a stand-in kubectl that records its argv.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePluginFile, type PluginDefinition } from '../../src/plugins/load.js';
import { pluginEnv, runCaptured } from '../../src/plugins/run.js';
import { buildArgv, pluginVars, type PluginVars, type VarContext } from '../../src/plugins/vars.js';
import { tree, type Tree } from './helpers.js';
import { k9sSubstitute } from '../helpers/k9s.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/k9s');

let t: Tree;
let bin: string;
let watchEvents: PluginDefinition;

beforeAll(() => {
  t = tree();
  // a kubectl that writes its arguments, NUL-separated, to $ARGV_OUT
  bin = join(t.root, 'bin');
  const kubectl = t.write('bin/kubectl', '#!/bin/sh\nprintf \'%s\\0\' "$@" > "$ARGV_OUT"\n');
  chmodSync(kubectl, 0o755);
  const file = join(FIXTURE, 'plugins', 'community', 'watch-events.yaml');
  const r = parsePluginFile(file, readFileSync(file, 'utf8'), 'k9s');
  expect(r.problems).toEqual([]);
  watchEvents = r.plugins.find((p) => p.name === 'watch-events')!;
});
afterAll(() => t?.cleanup());

const row = (o: Partial<VarContext>): VarContext => ({
  name: 'web', namespace: 'shop', context: 'prod', cluster: 'prod-cluster', user: 'admin', kubeconfig: '/k/config',
  filter: '', resourceGroup: '', resourceVersion: 'v1', resourceName: 'pods', columns: { NAME: 'web' }, ...o,
});

let n = 0;
function recorded(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  rmSync(file);
  return text.split('\0').slice(0, -1);
}

/** kubectl's argv when kmux runs the plugin: kmux's argv and environment, through `sh`. */
async function underKmux(p: PluginDefinition, vars: PluginVars, userEnv: NodeJS.ProcessEnv): Promise<string[]> {
  const out = join(t.root, `kmux-${++n}`);
  const argv = buildArgv(p, vars);
  const r = await runCaptured(argv, pluginEnv(vars, { ...userEnv, ARGV_OUT: out }, argv, { pinContext: false }), { timeoutMs: 20_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  return recorded(out);
}

/** kubectl's argv when K9s runs it: the text substituted, the user's environment as it is. */
function underK9s(p: PluginDefinition, vars: PluginVars, userEnv: NodeJS.ProcessEnv): string[] {
  const out = join(t.root, `k9s-${++n}`);
  execFileSync(p.command, p.args.map((a) => k9sSubstitute(a, vars)), { env: { ...userEnv, ARGV_OUT: out } });
  return recorded(out);
}

describe("watch-events (K9s's most used plugin) builds K9s's kubectl arguments", () => {
  const user = () => ({ PATH: `${bin}${delimiter}${process.env.PATH}`, HOME: t.root });

  it('for a deployment (group apps): --for deployments./NAME, the ${RESOURCE_GROUP:+...} part empty', async () => {
    const vars = pluginVars(row({ name: 'api', resourceGroup: 'apps', resourceName: 'deployments', columns: { NAME: 'api', READY: '2/2' } }));
    const k9s = underK9s(watchEvents, vars, user());
    expect(k9s).toEqual(['events', '--context', 'prod', '--namespace', 'shop', '--for', 'deployments./api', '--watch']);
    expect(await underKmux(watchEvents, vars, user())).toEqual(k9s);
  });

  it('for a pod (core group)', async () => {
    const vars = pluginVars(row({ name: 'web-1', columns: { NAME: 'web-1' } }));
    const k9s = underK9s(watchEvents, vars, user());
    expect(k9s).toEqual(['events', '--context', 'prod', '--namespace', 'shop', '--for', 'pods./web-1', '--watch']);
    expect(await underKmux(watchEvents, vars, user())).toEqual(k9s);
  });

  it("the shell sees the user's own RESOURCE_GROUP, as under K9s", async () => {
    const vars = pluginVars(row({ name: 'api', resourceGroup: 'apps', resourceName: 'deployments' }));
    const env = { ...user(), RESOURCE_GROUP: 'mine' };
    const k9s = underK9s(watchEvents, vars, env);
    expect(k9s).toContain('deployments..RESOURCE_GROUP/api');
    expect(await underKmux(watchEvents, vars, env)).toEqual(k9s);
  });
});

describe("the environment holds none of K9s's variable names", () => {
  it('NAME, NAMESPACE, CONTEXT, RESOURCE_GROUP, POD... are the user\'s (or absent); kmux\'s prefixed ones are there', () => {
    const vars = pluginVars(row({ resourceGroup: 'apps', pod: 'web-1', container: 'nginx', inputs: { replicas: 3 } }));
    const env = pluginEnv(vars, { PATH: '/bin', NAME: 'users-own' }, undefined, { pinContext: false });
    for (const k of ['NAMESPACE', 'CONTEXT', 'CLUSTER', 'FILTER', 'RESOURCE_GROUP', 'RESOURCE_VERSION', 'RESOURCE_NAME', 'POD', 'CONTAINER', 'INPUT_REPLICAS']) expect(env[k], k).toBeUndefined();
    expect(env.NAME).toBe('users-own');
    expect(env).toMatchObject({ KMUX_NAME: 'web', KMUX_RESOURCE_GROUP: 'apps', KMUX_POD: 'web-1', KMUX_CONTAINER: 'nginx', KMUX_INPUT_REPLICAS: '3' });
  });

  it('forms K9s does not substitute reach the shell as written: ${NAME:-x}, ${#NAME}', () => {
    const vars = pluginVars(row({}));
    const p = { command: 'sh', args: ['-c', 'echo "${NAME:-unset} ${#NAMESPACE} $NAME"'] };
    const argv = buildArgv(p, vars);
    const out = execFileSync(argv.command, argv.args, { env: pluginEnv(vars, { PATH: process.env.PATH }, argv, { pinContext: false }), encoding: 'utf8' });
    const k9s = execFileSync('sh', p.args.map((a) => k9sSubstitute(a, vars)), { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(out).toBe('unset 0 web\n');
    expect(out).toBe(k9s);
  });
});
