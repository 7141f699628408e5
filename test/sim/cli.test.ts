/**
 * `kmux sim` itself: TLS by default with the users' contexts in the kubeconfig it writes, and
 * `--insecure-http` for the plain mode.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { request } from '../helpers/http.js';
import { until } from '../helpers/wait.js';

const BIN = resolve(import.meta.dirname, '../../bin/kmux.js');
const dir = mkdtempSync(join(tmpdir(), 'kmux-simcli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** `kmux sim ARGS` until it prints its export line; its output and kubeconfig. */
async function sim(name: string, args: string[]): Promise<{ out: string; kubeconfig: any; child: ChildProcess }> {
  const file = join(dir, `${name}.yaml`);
  const child = spawn(process.execPath, [BIN, 'sim', '--clusters', '3', '--nodes', '2', '--pods', '10', '--kubeconfig-out', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  await until(`kmux sim ${args.join(' ')} to be ready; so far:\n${out}`, () => /^export KUBECONFIG=/m.test(out) || child.exitCode !== null, 60_000, 50);
  expect(child.exitCode, out).toBeNull();
  return { out, kubeconfig: parseYaml(readFileSync(file, 'utf8')), child };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const gone = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return gone;
}

describe('kmux sim', () => {
  it('serves TLS and writes the users\' contexts; says who may do what', async () => {
    const { out, kubeconfig, child } = await sim('tls', []);
    expect(out).toMatch(/ready in [\d.]+s \(TLS\)/);
    const urls = [...out.matchAll(/context (\S+)\s+(https:\/\/127\.0\.0\.1:\d+)\s+\d+ nodes, \d+ pods/g)].map((m) => [m[1], m[2]]);
    expect(urls.map((u) => u[0])).toEqual(['dev', 'staging', 'prod']);
    expect(out).toMatch(/prod-viewer\s+viewer\s+token\s+view in every namespace/);
    expect(out).toMatch(/prod-team-a\s+team-a\s+token\s+edit in web and payments only/);
    expect(out).toMatch(/prod-exec\s+exec-user\s+exec\s+/);
    expect(out).toContain(`faults: curl -k ${urls[0][1]}/_sim`);
    expect(kubeconfig.contexts.map((c: any) => c.name)).toEqual(['dev', 'staging', 'prod', 'prod-viewer', 'prod-team-a', 'prod-exec']);
    const ca = Buffer.from(kubeconfig.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
    const token = kubeconfig.users.find((u: any) => u.name === 'viewer').user.token;
    // the CA it wrote is the one its servers chain to; the token is viewer's
    const prod = urls[2][1];
    const who = await request(`${prod}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
      ca, method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}',
    });
    expect(who.json().status.userInfo.username).toBe('viewer');
    expect(await stop(child)).toBe(0);
  });

  it('--insecure-http: plain HTTP, no credentials, only the admin contexts', async () => {
    const { out, kubeconfig, child } = await sim('plain', ['--insecure-http']);
    expect(out).toMatch(/ready in [\d.]+s \(plain HTTP, no authentication\)/);
    expect(out).not.toMatch(/prod-viewer/);
    const url = /context dev\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
    expect((await request(`${url}/api/v1/namespaces/kube-system/pods`)).status).toBe(200);
    expect(kubeconfig.contexts.map((c: any) => c.name)).toEqual(['dev', 'staging', 'prod']);
    expect(kubeconfig.clusters[0].cluster).toEqual({ server: url, 'insecure-skip-tls-verify': true });
    expect(await stop(child)).toBe(0);
  });

  it('--help tells about the users and --insecure-http', async () => {
    const child = spawn(process.execPath, [BIN, 'sim', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    await new Promise((r) => child.once('exit', r));
    expect(out).toMatch(/--insecure-http\s+plain HTTP instead of TLS/);
    expect(out).toMatch(/prod-viewer\s+viewer\s+bearer token/);
    expect(out).toMatch(/prod-exec\s+exec-user\s+exec plugin/);
  });
});
