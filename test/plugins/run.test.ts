import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugins, type Plugin } from '../../src/plugins/load.js';
import { displayText, disposeContextPins, JobRegistry, pluginEnv, runCaptured, runForegroundSync, statusText } from '../../src/plugins/run.js';
import { buildArgv, pluginVars, type VarContext } from '../../src/plugins/vars.js';
import { tree, type Tree } from './helpers.js';

let t: Tree;
let plugins: Map<string, Plugin>;
let recorder: string;
let marker: string;
const jobs = new JobRegistry();

const node = JSON.stringify(process.execPath);

beforeAll(() => {
  t = tree();
  marker = join(t.root, 'pwned');
  // the test plugin: writes exactly the arguments it received, and a few variables it saw
  recorder = t.write('recorder.mjs', `import { writeFileSync } from 'node:fs';
writeFileSync(process.env.ARGV_FILE, JSON.stringify(process.argv.slice(2)));
if (process.env.ENV_FILE) writeFileSync(process.env.ENV_FILE, JSON.stringify({ CONTEXT: process.env.CONTEXT, KMUX_CONTEXT: process.env.KMUX_CONTEXT, KUBECONFIG: process.env.KUBECONFIG, NAME: process.env.NAME, KMUX_COL_NODE: process.env.KMUX_COL_NODE, USER: process.env.USER }));
`);
  t.write('config/kmux/plugins/test.yaml', `plugins:
  record:
    shortCut: Shift-R
    description: record argv
    scopes: [pods]
    background: true
    command: ${node}
    args: [${JSON.stringify(recorder)}, $NAME, $NAMESPACE, $CONTEXT, $COL-NODE]
  record-through-sh:
    shortCut: Shift-T
    description: record argv through the plugin's own shell
    scopes: [pods]
    background: true
    command: sh
    args:
      - -c
      - |
        # every kind of quoting a K9s plugin uses
        exec "$0" "$1" $NAME "$NAMESPACE" '$CONTEXT' \${COL-NODE} "pod/$NAME"
      - ${node}
      - ${JSON.stringify(recorder)}
  talk:
    shortCut: Shift-K
    description: writes to stdout and stderr, exits 3
    scopes: [all]
    background: true
    command: ${node}
    args: [-e, "console.log('hello ' + process.argv[1]); console.error('something went wrong'); process.exit(3)", $NAME]
  piped:
    shortCut: Shift-P
    description: a pipeline
    scopes: [all]
    background: true
    command: ${node}
    args: [-e, "console.log(['b-1', 'a-1', process.argv[1], 'c-1'].join('\\\\n'))", $NAME]
    pipes:
      - grep -v b-1
      - [sort, -r]
`);
  const r = loadPlugins({ env: t.env, shippedDir: join(t.root, 'none') });
  expect(r.problems).toEqual([]);
  plugins = new Map(r.plugins.map((p) => [p.name, p]));
});
afterAll(() => {
  jobs.dispose();
  disposeContextPins();
  t.cleanup();
});

const baseRow: VarContext = {
  name: 'web-1',
  namespace: 'shop',
  context: 'prod',
  cluster: 'prod-cluster',
  user: 'admin',
  kubeconfig: '',
  filter: '',
  resourceGroup: '',
  resourceVersion: 'v1',
  resourceName: 'pods',
  columns: { NAME: 'web-1', NODE: 'node-a', STATUS: 'Running' },
};

let n = 0;
/** Run a plugin for a row in the background and return what the recorder received. */
async function record(pluginName: string, row: VarContext): Promise<{ argv: string[]; env: Record<string, string | undefined> }> {
  const p = plugins.get(pluginName)!;
  const vars = pluginVars(row);
  const argv = buildArgv(p, vars);
  const argvFile = join(t.root, `argv-${++n}.json`);
  const envFile = join(t.root, `env-${n}.json`);
  const env = pluginEnv(vars, { ...t.env, ARGV_FILE: argvFile, ENV_FILE: envFile, USER: 'unix-me' }, argv);
  const job = jobs.start(p, argv, env);
  const done = await jobs.wait(job.id);
  expect(done.status, `${done.error} ${done.stderr}`).toBe('exited');
  return { argv: JSON.parse(readFileSync(argvFile, 'utf8')), env: JSON.parse(readFileSync(envFile, 'utf8')) };
}

describe('exact argv', () => {
  it('a normal name', async () => {
    const { argv, env } = await record('record', baseRow);
    expect(argv).toEqual(['web-1', 'shop', 'prod', 'node-a']);
    // K9s exports none of its variables: CONTEXT and NAME are not set, kmux's own KMUX_* are
    expect(env).toEqual({ KMUX_CONTEXT: 'prod', KMUX_COL_NODE: 'node-a', USER: 'unix-me', KUBECONFIG: expect.any(String) });
  });

  it('a row of another context in a merged view gets that context', async () => {
    const devRow: VarContext = { ...baseRow, name: 'api-7', namespace: 'backend', context: 'dev', cluster: 'dev-cluster', columns: { NAME: 'api-7', NODE: 'dev-node-3' } };
    const prod = await record('record', baseRow);
    const dev = await record('record', devRow);
    expect(prod.argv).toEqual(['web-1', 'shop', 'prod', 'node-a']);
    expect(dev.argv).toEqual(['api-7', 'backend', 'dev', 'dev-node-3']);
    expect(dev.env).toMatchObject({ KMUX_CONTEXT: 'dev' });
    // KUBECONFIG starts with a fragment that pins the row's context for tools run without --context
    const [pin, rest] = dev.env.KUBECONFIG!.split(delimiter);
    expect(readFileSync(pin, 'utf8')).toContain('current-context: "dev"');
    expect(rest).toBe(join(t.root, '.kube', 'config'));
  });

  const hostile = () => [
    `a;touch ${marker}`,
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `it's "quoted"`,
    `line1\ntouch ${marker}`,
    `--all`,
    `*`,
    `$NAMESPACE`,
    ` spaced  out `,
  ];

  it('hostile names arrive as one literal argument each, and nothing else runs', async () => {
    for (const name of hostile()) {
      const row = { ...baseRow, name, namespace: `ns;${name}`, context: `ctx ${name}`, columns: { NODE: `$(touch ${marker})|${name}` } };
      const { argv } = await record('record', row);
      expect(argv).toEqual([name, `ns;${name}`, `ctx ${name}`, `$(touch ${marker})|${name}`]);
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('...also through a plugin that names sh -c itself', async () => {
    for (const name of ['web-1', ...hostile()]) {
      const row = { ...baseRow, name, context: `c'${name}`, columns: { NODE: `n"${name}` } };
      const { argv } = await record('record-through-sh', row);
      expect(argv).toEqual([name, 'shop', `c'${name}`, `n"${name}`, `pod/${name}`]);
    }
    expect(existsSync(marker)).toBe(false);
  });
});

describe('background jobs', () => {
  it("a job's output, exit code and status are viewable", async () => {
    const seen: string[] = [];
    const off = jobs.onChange((j) => seen.push(`${j.plugin}:${j.status}`));
    const p = plugins.get('talk')!;
    const vars = pluginVars(baseRow);
    const argv = buildArgv(p, vars);
    const job = jobs.start(p, argv, pluginEnv(vars, t.env, argv));
    expect(job.status).toBe('running');
    expect(jobs.list()[0].id).toBe(job.id);
    const done = await jobs.wait(job.id);
    off();
    expect(done).toMatchObject({ status: 'failed', exitCode: 3, stdout: 'hello web-1\n', stderr: 'something went wrong\n', error: 'exit code 3: something went wrong', plugin: 'talk', context: 'prod' });
    expect(done.endedAt).toBeGreaterThanOrEqual(done.startedAt);
    expect(done.commandLine).toMatch(/^\S+ -e '.*' web-1$/);
    expect(seen[0]).toBe('talk:running');
    expect(seen.at(-1)).toBe('talk:failed');
    expect(jobs.get(job.id)).toBe(done);
  });

  it('a pipe plugin runs its stages as a pipeline', async () => {
    const p = plugins.get('piped')!;
    expect(p.pipes).toEqual([['grep', '-v', 'b-1'], ['sort', '-r']]);
    const vars = pluginVars({ ...baseRow, name: 'd-1;x' });
    const argv = buildArgv(p, vars);
    const done = await jobs.wait(jobs.start(p, argv, pluginEnv(vars, t.env, argv)).id);
    expect(done).toMatchObject({ status: 'exited', exitCode: 0, stdout: 'd-1;x\nc-1\na-1\n', stderr: '' });
    expect(done.stages.map((s) => [s.command, s.exitCode])).toEqual([[process.execPath, 0], ['grep', 0], ['sort', 0]]);
    expect(done.commandLine).toMatch(/ \| grep -v b-1 \| sort -r$/);
  });

  it('a command that does not exist is a failed job that says so', async () => {
    const argv = { command: 'kmux-no-such-command', args: [], pipes: [], env: {} };
    const done = await jobs.wait(jobs.start({ name: 'missing' }, argv, t.env).id);
    expect(done).toMatchObject({ status: 'failed', exitCode: undefined, error: 'command not found: kmux-no-such-command' });
  });

  it('keeps only the tail of a large output', async () => {
    const small = new JobRegistry({ captureBytes: 1000 });
    const argv = { command: process.execPath, args: ['-e', "process.stdout.write('x'.repeat(5000) + 'END')"], pipes: [], env: {} };
    const done = await small.wait(small.start({ name: 'big' }, argv, t.env).id);
    expect(done.stdout).toHaveLength(1000);
    expect(done.stdout.endsWith('END')).toBe(true);
    expect(done.stdoutDropped).toBe(4003);
  });

  it('a running job can be killed', async () => {
    const argv = { command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'], pipes: [], env: {} };
    const job = jobs.start({ name: 'sleepy' }, argv, t.env);
    await new Promise((r) => setTimeout(r, 100));
    expect(jobs.kill(job.id)).toBe(true);
    const done = await jobs.wait(job.id);
    expect(done).toMatchObject({ status: 'failed', signal: 'SIGTERM', error: 'killed by SIGTERM' });
  });
});

describe('captured runs (overwriteOutput)', () => {
  it('returns stdout for the status line', async () => {
    const argv = buildArgv({ command: process.execPath, args: ['-e', "console.log('\\u001b[31mscaled\\u001b[0m ' + process.argv[1]); console.log('2 replicas')", '$NAME'] }, pluginVars(baseRow));
    const r = await runCaptured(argv, t.env, { timeoutMs: 10_000 });
    expect(r).toMatchObject({ exitCode: 0, timedOut: false, error: undefined });
    expect(statusText(r.stdout)).toBe('scaled web-1 ⏎ 2 replicas');
  });

  it('a failing plugin gives its exit code and stderr', async () => {
    const argv = { command: process.execPath, args: ['-e', "console.error('Error from server (NotFound)'); process.exit(1)"], pipes: [], env: {} };
    const r = await runCaptured(argv, t.env, { timeoutMs: 10_000 });
    expect(r).toMatchObject({ exitCode: 1, stderr: 'Error from server (NotFound)\n', error: 'exit code 1: Error from server (NotFound)' });
  });

  it('stops at the timeout', async () => {
    const argv = { command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'], pipes: [], env: {} };
    const r = await runCaptured(argv, t.env, { timeoutMs: 200 });
    expect(r).toMatchObject({ timedOut: true, error: 'timed out after 0.2s' });
  });
});

describe('environment', () => {
  it('keeps the environment as it is (as K9s does), adds every variable as KMUX_*', () => {
    const vars = pluginVars({ ...baseRow, columns: { '%CPU/L': '12' }, kubeconfig: '/k/a:/k/b' });
    const env = pluginEnv(vars, { PATH: '/bin', USER: 'me', NAME: 'old' }, undefined, { pinContext: false });
    expect(env).toMatchObject({ PATH: '/bin', USER: 'me', NAME: 'old', KMUX_NAME: 'web-1', KMUX_USER: 'admin', KMUX_COL__CPU_L: '12', KUBECONFIG: '/k/a:/k/b', KMUX_CONTEXT: 'prod' });
    expect(env.NAMESPACE).toBeUndefined();
    expect(env.CONTEXT).toBeUndefined();
  });

  it.skipIf(!existsSync('/usr/bin/kubectl') && !existsSync('/usr/local/bin/kubectl'))('kubectl without --context uses the row context', async () => {
    const kubeconfig = join(t.root, 'kubeconfig');
    writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
current-context: dev
clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]
users: [{name: u, user: {token: x}}]
contexts:
  - {name: dev, context: {cluster: c, user: u}}
  - {name: prod, context: {cluster: c, user: u}}
`);
    const vars = pluginVars({ ...baseRow, kubeconfig });
    const argv = buildArgv({ command: 'kubectl', args: ['config', 'current-context'] }, vars);
    const r = await runCaptured(argv, pluginEnv(vars, t.env, argv), { timeoutMs: 20_000 });
    expect(r.stdout.trim()).toBe('prod');
    // and the user's file is untouched
    expect(execFileSync('kubectl', ['config', 'current-context'], { env: { ...t.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' }).trim()).toBe('dev');
  });

  it('output is cleaned of escape sequences for display', () => {
    expect(displayText('a\u001b[2J\u001b[31mb\u001b[0m\u0007c\td\n\u001b]0;title\u0007e')).toBe('abc\td\ne');
  });
});

describe('foreground', () => {
  it('runs with the terminal and reports the exit code; pipe stages feed each other', () => {
    const out = join(t.root, 'fg.txt');
    const r = runForegroundSync({ command: process.execPath, args: ['-e', 'process.exit(5)'], pipes: [], env: {} }, t.env);
    expect(r).toEqual({ exitCode: 5, signal: undefined, error: 'exit code 5', received: [] });
    const p = runForegroundSync(
      { command: process.execPath, args: ['-e', "console.log('from stage one')"], pipes: [[process.execPath, '-e', `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').writeFileSync(${JSON.stringify(out)}, s.toUpperCase()))`]], env: {} },
      t.env,
    );
    expect(p.exitCode).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('FROM STAGE ONE\n');
    expect(runForegroundSync({ command: 'kmux-no-such-command', args: [], pipes: [], env: {} }, t.env).error).toBe('command not found: kmux-no-such-command');
  });
});
