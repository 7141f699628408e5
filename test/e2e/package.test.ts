/**
 * kmux as a user installs it: `npm pack`, then the tarball installed globally into an empty
 * prefix with production dependencies only. What is installed runs the compiled JavaScript
 * (no TypeScript, no tsx), answers --help, version and completion, runs `kmux sim` (its exec
 * credential plugin with it) and `kmux --demo` in a real terminal, and works as a kubectl plugin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Terminal } from '../helpers/tmux.js';
import { until } from '../helpers/wait.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'kmux-pkg-'));
const prefix = join(dir, 'prefix');
const bin = join(prefix, 'bin');
// the installed commands first, then the Node this test runs on (22; the machine's may be older)
const PATH = [bin, dirname(process.execPath), process.env.PATH].join(delimiter);
const env = { ...process.env, PATH, HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home/.config'), KUBECONFIG: join(dir, 'none.yaml') };
const children: ChildProcess[] = [];
let tarball = '';

beforeAll(async () => {
  mkdirSync(prefix);
  mkdirSync(join(dir, 'home'));
  // npm pack runs `prepare` (the build) first
  const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, env: { ...process.env, PATH: [dirname(process.execPath), process.env.PATH].join(delimiter) }, maxBuffer: 64 << 20 });
  const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')))[0];
  tarball = join(dir, info.filename);
  await run('npm', ['install', '--global', '--prefix', prefix, '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], { env: { ...process.env, PATH }, maxBuffer: 64 << 20 });
}, 600_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const kmux = (args: string[], extra: Record<string, string> = {}) => run(join(bin, 'kmux'), args, { env: { ...env, ...extra } });

describe('the npm package', () => {
  it('holds the compiled kmux and its shipped files, no sources and no TypeScript loader', () => {
    const pkg = join(prefix, 'lib/node_modules/kmux');
    expect(existsSync(join(pkg, 'dist/cli.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist/demo-worker.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist/exec-plugin.mjs'))).toBe(true);
    expect(readdirSync(join(pkg, 'skins')).length).toBeGreaterThan(0);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    expect(existsSync(join(pkg, 'node_modules/tsx'))).toBe(false);
    expect(existsSync(join(pkg, 'node_modules/esbuild'))).toBe(false);
    expect(existsSync(join(pkg, 'node_modules/ink'))).toBe(true);
    const dist = readdirSync(join(pkg, 'dist')).filter((f) => f.endsWith('.js'));
    for (const f of dist) expect(readFileSync(join(pkg, 'dist', f), 'utf8')).not.toMatch(/from ["']tsx|\.ts["']\)/);
  });

  it('answers --help, version and --version', async () => {
    const help = await kmux(['--help']);
    expect(help.stdout).toMatch(/^Usage: kmux \[options\]/);
    expect(help.stdout).toContain('kmux completion SHELL');
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    expect((await kmux(['version'])).stdout).toBe(`kmux ${version} (node ${process.version})\n`);
    expect((await kmux(['--version'])).stdout).toContain(`kmux ${version}`);
    expect((await kmux(['sim', '--help'])).stdout).toMatch(/^Usage: kmux sim/);
    // a wrong flag: the reason and the usage, exit 2
    const bad = await kmux(['--no-such-flag']).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--no-such-flag'/);
  });

  it('works as a kubectl plugin: kubectl kmux', async () => {
    const out = await run('kubectl', ['kmux', '--help'], { env });
    expect(out.stdout).toMatch(/^Usage: kmux \[options\]/);
    expect((await run('kubectl', ['kmux', 'version'], { env })).stdout).toMatch(/^kmux \d+\.\d+\.\d+/);
  });

  it('prints completion scripts that complete contexts and namespaces from the kubeconfig', async () => {
    const sim = spawn(join(bin, 'kmux'), ['sim', '--clusters', '3', '--nodes', '2', '--pods', '10', '--kubeconfig-out', join(dir, 'fleet.yaml'), '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(sim);
    let out = '';
    sim.stdout!.on('data', (b: Buffer) => (out += b));
    sim.stderr!.on('data', (b: Buffer) => (out += b));
    await until(`the installed kmux sim to be ready; so far:\n${out}`, () => /^export KUBECONFIG=/m.test(out) || sim.exitCode !== null, 120_000, 50);
    expect(sim.exitCode, out).toBeNull();
    const fleet = { KUBECONFIG: join(dir, 'fleet.yaml') };
    // the fleet answers kubectl, the exec credential plugin included (shipped as dist/exec-plugin.mjs)
    const who = await run('kubectl', ['--context', 'prod-exec', 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], { env: { ...env, ...fleet } });
    expect(who.stdout).toBe('exec-user');
    // bash: the script loads, and its function completes what the kubeconfig holds
    const script = (await kmux(['completion', 'bash'])).stdout;
    const probe = `source /dev/stdin <<'EOS'\n${script}\nEOS\n` +
      'COMP_WORDS=(kmux --context "dev,st"); COMP_CWORD=2; _kmux; printf "c=%s\\n" "${COMPREPLY[@]}"\n' +
      'COMP_WORDS=(kmux --c); COMP_CWORD=1; _kmux; printf "f=%s\\n" "${COMPREPLY[@]}"\n' +
      'COMP_WORDS=(kmux comp); COMP_CWORD=1; _kmux; printf "s=%s\\n" "${COMPREPLY[@]}"\n';
    const bash = await run('bash', ['-c', probe], { env: { ...env, ...fleet } });
    expect(bash.stdout.split('\n').filter(Boolean)).toEqual(['c=dev,staging', 'f=--context', 'f=--command', 'f=--crumbsless', 's=completion']);
    // kubectl's own completion of the plugin (kubectl_complete-kmux on PATH, cobra's format)
    const viaKubectl = await run('kubectl', ['__complete', 'kmux', '--context', 'st'], { env: { ...env, ...fleet } });
    expect(viaKubectl.stdout.split('\n').filter(Boolean)).toEqual(['staging', ':4']);
    const ns = await kmux(['__complete', 'contexts', 'prod-'], fleet);
    expect(ns.stdout.split('\n').filter(Boolean)).toEqual(['prod-exec', 'prod-team-a', 'prod-viewer']);
    const bad = await kmux(['completion', 'tcsh']).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bash, zsh or fish/);
    sim.kill('SIGTERM');
  }, 180_000);

  it('opens the demo fleet in a terminal, from the compiled worker', async () => {
    const t = new Terminal(['env', `PATH=${PATH}`, `HOME=${env.HOME}`, `XDG_CONFIG_HOME=${env.XDG_CONFIG_HOME}`, join(bin, 'kmux'), '--demo']);
    try {
      await t.waitFor(/pods\(all\)\[\d+\]/, 60_000);
      await t.waitFor(/Running/);
      t.type(':');
      t.type('q');
      t.keys('Enter');
      await t.waitFor(/\[exited 0\]/, 30_000);
    } finally {
      t.kill();
    }
  }, 120_000);
});
