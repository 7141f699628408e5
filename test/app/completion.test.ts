/**
 * `kmux completion zsh|fish` in the shells themselves (bash is covered with the installed
 * package in test/e2e/package.test.ts): the scripts load, and Tab completes contexts and
 * namespaces from the kubeconfig and the simulator's flags. zsh is driven in a real terminal.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Terminal } from '../helpers/tmux.js';
import { onPath } from '../helpers/wait.js';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/kmux.js');
const dir = mkdtempSync(join(tmpdir(), 'kmux-completion-'));
mkdirSync(join(dir, 'bin'));
symlinkSync(BIN, join(dir, 'bin/kmux'));
const kubeconfig = join(dir, 'kubeconfig.yaml');
writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
current-context: dev
clusters:
- {name: c1, cluster: {server: 'https://127.0.0.1:1'}}
users:
- {name: u1, user: {token: x}}
contexts:
- {name: dev, context: {cluster: c1, user: u1, namespace: web}}
- {name: staging, context: {cluster: c1, user: u1, namespace: payments}}
- {name: prod, context: {cluster: c1, user: u1}}
`);
const PATH = [join(dir, 'bin'), dirname(process.execPath), process.env.PATH].join(delimiter);
const env = { ...process.env, PATH, KUBECONFIG: kubeconfig };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shell completion', () => {
  it.skipIf(!onPath('fish'))('fish: contexts, namespaces and the simulator\'s flags', async () => {
    const script = join(dir, 'kmux.fish');
    writeFileSync(script, (await run(process.execPath, [BIN, 'completion', 'fish'], { env })).stdout);
    const ask = async (line: string) => (await run('fish', ['--no-config', '-c', `source ${script}; complete -C ${JSON.stringify(line)}`], { env })).stdout
      .split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
    expect(await ask('kmux --context st')).toEqual(['staging']);
    expect(await ask('kmux -n ')).toEqual(['default', 'kube-system', 'payments', 'web']);
    expect(await ask('kmux sim --clu')).toEqual(['--clusters']);
    expect(await ask('kmux comp')).toEqual(['completion']);
  });

  it.skipIf(!onPath('zsh'))('zsh: Tab in a real terminal completes a context and a namespace', async () => {
    const script = join(dir, '_kmux');
    writeFileSync(script, (await run(process.execPath, [BIN, 'completion', 'zsh'], { env })).stdout);
    const t = new Terminal(['env', `PATH=${PATH}`, `KUBECONFIG=${kubeconfig}`, 'zsh', '-f'], { width: 100, height: 20 });
    try {
      t.type(`PS1='zsh> '; autoload -U compinit; compinit -u -d ${dir}/zcompdump; source ${script}; print ready`);
      t.keys('Enter');
      await t.waitFor(/^ready$/m);
      t.type('kmux --context st');
      t.keys('Tab');
      await t.waitFor(/zsh> kmux --context staging/, 30_000);
      t.type(' -n pay');
      t.keys('Tab');
      await t.waitFor(/zsh> kmux --context staging -n payments/, 30_000);
    } finally {
      t.kill();
    }
  });
});
