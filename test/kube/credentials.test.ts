/**
 * Every way kmux's own transport presents credentials, against the simulated fleet over TLS:
 * client certificates (files and data), tokens and token files, basic auth (a small local
 * server: the sim has none), exec plugins (cached, run again on expiry and after a 401, their
 * errors), insecure-skip-tls-verify, a wrong CA, tls-server-name, an expired client certificate,
 * impersonation, and proxy-url through a local CONNECT proxy. Errors are checked by errorKind.
 */
import https from 'node:https';
import net from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, AuthError, Connection, TlsError, errorKind } from '../../src/kube/connection.js';
import { clearExecCache } from '../../src/kube/credentials.js';
import { clientNodeLoaded, loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { selfSignedCert } from '../../src/kube/selfsigned.js';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import type { SimServer } from '../../src/sim/server.js';
import { until } from '../helpers/wait.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-creds-'));
let fleet: Fleet;
let url: string;
let server: () => SimServer;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const conns: Connection[] = [];
let seq = 0;

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, names: ['prod'], empty: true });
  url = fleet.members[0].server.url;
  server = () => fleet.member('prod').server;
});

afterAll(async () => {
  for (const c of conns) c.close();
  await fleet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  server().faults.clear();
  clearExecCache();
});

interface ClusterOpts {
  server?: string;
  ca?: 'data' | 'file' | 'none' | { data: string };
  insecure?: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  /** more lines of the cluster entry */
  extra?: string[];
}

/** A kubeconfig file in a directory of its own with one context `prod` (user lines given as YAML), and a connection to it. */
function connect(userYaml: string[], c: ClusterOpts = {}): Connection {
  return connectIn(path.join(dir, `kc-${++seq}`), userYaml, c);
}

function connectIn(d: string, userYaml: string[], c: ClusterOpts = {}): Connection {
  mkdirp(d);
  const cluster: string[] = [`    server: ${c.server ?? url}`];
  const ca = c.ca ?? 'data';
  if (typeof ca === 'object') cluster.push(`    certificate-authority-data: ${b64(ca.data)}`);
  else if (ca === 'data') cluster.push(`    certificate-authority-data: ${b64(fleet.ca)}`);
  else if (ca === 'file') {
    writeFileSync(path.join(d, 'ca.crt'), fleet.ca);
    cluster.push('    certificate-authority: ca.crt');
  }
  if (c.insecure) cluster.push('    insecure-skip-tls-verify: true');
  if (c.tlsServerName) cluster.push(`    tls-server-name: ${c.tlsServerName}`);
  if (c.proxyUrl) cluster.push(`    proxy-url: ${c.proxyUrl}`);
  for (const l of c.extra ?? []) cluster.push(`    ${l}`);
  const text = [
    'apiVersion: v1', 'kind: Config', 'current-context: prod',
    'clusters:', '- name: sim-prod', '  cluster:', ...cluster,
    'users:', '- name: me', '  user:', ...(userYaml.length ? userYaml.map((l) => `    ${l}`) : ['    {}']),
    'contexts:', '- name: prod', '  context:', '    cluster: sim-prod', '    user: me',
  ].join('\n');
  const file = path.join(d, 'kubeconfig.yaml');
  writeFileSync(file, text);
  const conn = new Connection(loadKubeconfig([file]), 'prod');
  conns.push(conn);
  return conn;
}

function mkdirp(d: string): void {
  mkdirSync(d, { recursive: true });
}

/** `kubectl auth whoami`: who the server says we are. */
async function whoami(c: Connection): Promise<{ username: string; groups: string[]; extra?: Record<string, string[]> }> {
  const r = await c.json('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  return r.status.userInfo;
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

function execUser(o: { log?: string; ttl?: number; interactiveMode?: string | null; apiVersion?: string } = {}): string[] {
  const e = fleet.credentials('exec-user').exec!;
  const env = [...e.env.filter((v) => !(o.ttl !== undefined && v.name === 'KMUX_SIM_EXEC_TTL'))];
  if (o.ttl !== undefined) env.push({ name: 'KMUX_SIM_EXEC_TTL', value: String(o.ttl) });
  if (o.log) env.push({ name: 'KMUX_SIM_EXEC_LOG', value: o.log });
  const mode = o.interactiveMode === undefined ? 'Never' : o.interactiveMode;
  return [
    'exec:',
    `  apiVersion: ${o.apiVersion ?? 'client.authentication.k8s.io/v1'}`,
    `  command: ${JSON.stringify(e.command)}`,
    '  args:', ...e.args.map((a) => `  - ${JSON.stringify(a)}`),
    '  env:', ...env.flatMap((v) => [`  - name: ${v.name}`, `    value: ${JSON.stringify(v.value)}`]),
    ...(mode === null ? [] : [`  interactiveMode: ${mode}`]),
  ];
}

function execLines(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
}

describe('client certificates', () => {
  it('from files, relative to the kubeconfig, with the CA from a file', async () => {
    const d = path.join(dir, 'certfiles');
    mkdirp(path.join(d, 'pki'));
    const jane = fleet.clientCertificate('jane', ['qa', 'oncall']);
    writeFileSync(path.join(d, 'pki', 'jane.crt'), jane.cert);
    writeFileSync(path.join(d, 'pki', 'jane.key'), jane.key);
    const c = connectIn(d, ['client-certificate: pki/jane.crt', 'client-key: pki/jane.key'], { ca: 'file' });
    const me = await whoami(c);
    expect(me.username).toBe('jane');
    expect(me.groups).toEqual(expect.arrayContaining(['qa', 'oncall', 'system:authenticated']));
    expect(server().requestLog.at(-1)).toMatchObject({ user: 'jane', status: 201 });
  });

  it('from data (the admin of the fleet\'s kubeconfig), keeping one TLS connection for many requests', async () => {
    const a = fleet.credentials('admin');
    const c = connect([`client-certificate-data: ${b64(a.cert!)}`, `client-key-data: ${b64(a.key!)}`]);
    expect((await whoami(c)).username).toBe('admin');
    const ns = await c.json('GET', '/api/v1/namespaces');
    expect(ns.items.map((n: any) => n.metadata.name)).toContain('kube-system');
    // watches and followed logs stream over the same credentials
    const lines: string[] = [];
    const h = c.stream('/api/v1/namespaces?watch=true&timeoutSeconds=1', { onLine: (l) => lines.push(l) });
    await h.done;
    expect(lines.some((l) => l.includes('"ADDED"'))).toBe(true);
  });

  it('a key that does not match its certificate is a credentials error naming the user', async () => {
    const a = fleet.credentials('admin');
    const other = fleet.clientCertificate('x');
    const c = connect([`client-certificate-data: ${b64(a.cert!)}`, `client-key-data: ${b64(other.key)}`]);
    const e = await failure(whoami(c));
    expect(e).toBeInstanceOf(AuthError);
    expect(errorKind(e)).toBe('credentials');
    expect(e.message).toMatch(/^cannot get credentials for context prod: the client certificate and key of user "?me"? cannot be used: .*(mismatch|key)/i);
  });

  it('an expired client certificate: the 401 says that it expired, and when', async () => {
    const notAfter = new Date(Date.now() - 3600_000);
    const old = fleet.clientCertificate('jane', ['qa'], { notAfter });
    const c = connect([`client-certificate-data: ${b64(old.cert)}`, `client-key-data: ${b64(old.key)}`]);
    const e = await failure(whoami(c));
    expect(e).toBeInstanceOf(ApiError);
    expect(errorKind(e)).toBe('unauthorized');
    expect((e as ApiError).status).toBe(401);
    expect(e.message).toMatch(/^Unauthorized: the client certificate of user "me" \(.*CN=jane.*, from client-certificate-data\) expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(e.message).toContain(notAfter.toISOString().slice(0, 16));
    // a stream says the same
    const h = c.stream('/api/v1/namespaces?watch=true', { onLine: () => {} });
    await expect(h.done).rejects.toThrow(/expired at/);
  });
});

describe('tokens', () => {
  it('a token in the kubeconfig', async () => {
    const c = connect([`token: ${fleet.credentials('viewer').token}`]);
    expect((await whoami(c)).username).toBe('viewer');
  });

  it('a wrong token is unauthorized', async () => {
    const c = connect(['token: not-a-token']);
    const e = await failure(whoami(c));
    expect(errorKind(e)).toBe('unauthorized');
    expect(e.message).toBe('Unauthorized');
  });

  it('a token file is read (trimmed), and a rotated one is used without waiting for a refusal', async () => {
    const alice = fleet.addToken('alice');
    const carol = fleet.addToken('carol');
    const d = path.join(dir, 'tokenfile-rotate');
    mkdirp(d);
    const tf = path.join(d, 'token');
    writeFileSync(tf, `${alice}\n`);
    const c = connectIn(d, ['token-file: token']);
    expect((await whoami(c)).username).toBe('alice');
    const from = server().requestLog.length;
    writeFileSync(tf, carol);
    // a projected token is replaced by a new file: make its mtime plainly different
    const t = new Date(Date.now() + 5000);
    utimesSync(tf, t, t);
    await until('the rotated token to be used', async () => (await whoami(c)).username === 'carol' || undefined, 30_000, 100);
    expect(server().requestLog.slice(from).filter((r) => r.status === 401)).toEqual([]);
  });

  it('a changed token file is read again after a 401, even when its size and mtime did not change', async () => {
    const alice = fleet.addToken('alice');
    const bob = fleet.addToken('bob');
    expect(bob.length).toBe(alice.length);
    const d = path.join(dir, 'tokenfile-401');
    mkdirp(d);
    const tf = path.join(d, 'token');
    writeFileSync(tf, alice);
    // whole seconds: utimes can set them back exactly
    const t = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    utimesSync(tf, t, t);
    const c = connectIn(d, ['token-file: token']);
    expect((await whoami(c)).username).toBe('alice');
    // the file changes behind kmux's back in a way a stat cannot see, and the server stops taking alice's token
    const st = statSync(tf);
    writeFileSync(tf, bob);
    utimesSync(tf, st.atime, st.mtime);
    expect(statSync(tf)).toMatchObject({ ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
    server().faults.errors.push({ code: 401, count: 1, message: 'Unauthorized' });
    const from = server().requestLog.length;
    expect((await whoami(c)).username).toBe('bob');
    expect(server().requestLog.slice(from).map((r) => r.status)).toEqual([401, 201]);
  });

  it('an unreadable token file is a credentials error', async () => {
    const d = path.join(dir, 'tokenfile-gone');
    mkdirp(d);
    writeFileSync(path.join(d, 'token'), 'x');
    const c = connectIn(d, ['token-file: token']);
    rmSync(path.join(d, 'token'));
    const e = await failure(whoami(c));
    expect(errorKind(e)).toBe('credentials');
    expect(e.message).toMatch(/unable to read token-file .*token for "?me"?: no such file or directory/);
  });
});

describe('basic auth (the sim has none: a small local HTTPS server)', () => {
  it('sends username and password as Basic, over TLS with the CA given', async () => {
    const cert = selfSignedCert('basic-test');
    const seen: (string | undefined)[] = [];
    const srv = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"gitVersion":"v1.32.0"}');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const port = (srv.address() as AddressInfo).port;
      const c = connect(['username: jane', 'password: "s3cret:with colon"'], { server: `https://127.0.0.1:${port}`, ca: { data: cert.cert } });
      expect(await c.json('GET', '/version')).toEqual({ gitVersion: 'v1.32.0' });
      expect(seen).toEqual([`Basic ${b64('jane:s3cret:with colon')}`]);
    } finally {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    }
  });
});

describe('exec credential plugins', () => {
  it('runs once for many requests (and for another context with the same plugin), told it is not interactive', async () => {
    const log = path.join(dir, 'exec-once.log');
    const c = connect(execUser({ log }));
    // concurrent first requests wait for one run
    const first = await Promise.all(Array.from({ length: 10 }, () => whoami(c)));
    expect(first.map((u) => u.username)).toEqual(Array(10).fill('exec-user'));
    await Promise.all(Array.from({ length: 20 }, () => c.json('GET', '/version')));
    for (let i = 0; i < 10; i++) await c.json('GET', '/api');
    const other = connect(execUser({ log }));
    expect((await whoami(other)).username).toBe('exec-user');
    const lines = execLines(log);
    expect(lines).toHaveLength(1);
    // KUBERNETES_EXEC_INFO reached it, with interactive false (interactiveMode Never, and kmux gives no terminal)
    expect(lines[0]).toMatch(/ exec-user interactive=false expires=/);
  });

  it('runs again once its token expires', async () => {
    const log = path.join(dir, 'exec-expiry.log');
    const c = connect(execUser({ log, ttl: 2 }));
    expect((await whoami(c)).username).toBe('exec-user');
    expect(execLines(log)).toHaveLength(1);
    const expires = Date.parse(/expires=(\S+)/.exec(execLines(log)[0])![1]);
    // the plugin's token is refused from its expirationTimestamp on: wait for that moment
    await until('the exec token to expire', () => Date.now() > expires + 100, 10_000, 50);
    const from = server().requestLog.length;
    expect((await whoami(c)).username).toBe('exec-user');
    expect(execLines(log)).toHaveLength(2);
    // kmux knew it had expired: no request went out with the old token
    expect(server().requestLog.slice(from).map((r) => r.status)).toEqual([201]);
  });

  it('runs again after a 401 before its expiry, once for all the requests that were refused', async () => {
    const log = path.join(dir, 'exec-401.log');
    const c = connect(execUser({ log }));
    await whoami(c);
    expect(execLines(log)).toHaveLength(1);
    server().faults.errors.push({ code: 401, count: 1, message: 'Unauthorized' });
    expect((await whoami(c)).username).toBe('exec-user');
    expect(execLines(log)).toHaveLength(2);
    await c.json('GET', '/version');
    expect(execLines(log)).toHaveLength(2);
  });

  it('a failing plugin: what it printed on stderr is in the error, cut, as a credentials error', async () => {
    const script = 'process.stderr.write("error: no SSO session for profile prod\\n\\nrun: sso login --profile prod\\n" + "x".repeat(3000)); process.exit(3)';
    const c = connect(['exec:', '  apiVersion: client.authentication.k8s.io/v1', `  command: ${JSON.stringify(process.execPath)}`, '  args:', '  - -e', `  - ${JSON.stringify(script)}`, '  interactiveMode: Never']);
    const e = await failure(whoami(c));
    expect(e).toBeInstanceOf(AuthError);
    expect(errorKind(e)).toBe('credentials');
    expect(e.message).toContain('cannot get credentials for context prod: exec: executable ');
    expect(e.message).toContain('failed with exit code 3: error: no SSO session for profile prod | run: sso login --profile prod | xxx');
    expect(e.message.length).toBeLessThan(800);
    // the stream and WebSocket paths say the same
    await expect(c.stream('/api/v1/namespaces?watch=true', { onLine: () => {} }).done).rejects.toThrow(/exit code 3: error: no SSO session/);
    await expect(c.websocket('/api/v1/namespaces/default/pods/x/exec', 'command=sh', ['v5.channel.k8s.io'], () => {})).rejects.toThrow(/exit code 3/);
  });

  it("the sim's plugin refusing another apiVersion: its stderr reaches the message", async () => {
    const log = path.join(dir, 'exec-beta.log');
    const c = connect(execUser({ log, apiVersion: 'client.authentication.k8s.io/v1beta1' }));
    const e = await failure(whoami(c));
    expect(errorKind(e)).toBe('credentials');
    expect(e.message).toMatch(/failed with exit code 1: kmux-sim exec plugin: the client asked for client\.authentication\.k8s\.io\/v1beta1; this plugin speaks client\.authentication\.k8s\.io\/v1$/);
    expect(execLines(log)).toEqual([]);
  });

  it('a plugin that is not installed: not found, with its install hint', async () => {
    const c = connect(['exec:', '  apiVersion: client.authentication.k8s.io/v1', '  command: kmux-test-no-such-plugin', '  interactiveMode: IfAvailable', '  installHint: "install it with: brew install no-such-plugin"']);
    const e = await failure(whoami(c));
    expect(errorKind(e)).toBe('credentials');
    expect(e.message).toContain('exec: executable kmux-test-no-such-plugin not found');
    expect(e.message).toContain('install it with: brew install no-such-plugin');
  });

  it('interactiveMode: IfAvailable runs without a terminal; Always is refused without running; v1 without it is refused', async () => {
    const log = path.join(dir, 'exec-modes.log');
    const ifAvail = connect(execUser({ log, interactiveMode: 'IfAvailable' }));
    expect((await whoami(ifAvail)).username).toBe('exec-user');
    expect(execLines(log)).toHaveLength(1);
    expect(execLines(log)[0]).toContain('interactive=false');
    clearExecCache();
    const always = connect(execUser({ log, interactiveMode: 'Always' }));
    const e = await failure(whoami(always));
    expect(errorKind(e)).toBe('credentials');
    expect(e.message).toMatch(/exec plugin cannot support interactive mode: .* needs a terminal \(interactiveMode: Always\)/);
    const none = connect(execUser({ log, interactiveMode: null }));
    const e2 = await failure(whoami(none));
    expect(e2.message).toMatch(/interactiveMode must be specified for "?me"? to use exec authentication plugin/);
    expect(execLines(log)).toHaveLength(1);
  });

  it('output that is not an ExecCredential is refused with what was wrong', async () => {
    const cases: [string, RegExp][] = [
      ['process.stdout.write("not json")', /exec: decoding the output of .*: /],
      ['process.stdout.write(JSON.stringify({apiVersion:"client.authentication.k8s.io/v1beta1",kind:"ExecCredential",status:{token:"t"}}))', /exec plugin is configured to use API version client\.authentication\.k8s\.io\/v1, plugin returned version client\.authentication\.k8s\.io\/v1beta1/],
      ['process.stdout.write(JSON.stringify({apiVersion:"client.authentication.k8s.io/v1",kind:"ExecCredential",status:{}}))', /exec plugin didn't return a token or cert\/key pair/],
      ['process.stdout.write(JSON.stringify({apiVersion:"client.authentication.k8s.io/v1",kind:"ExecCredential",status:{clientCertificateData:"x"}}))', /exec plugin returned only certificate or key, not both/],
    ];
    for (const [script, want] of cases) {
      const c = connect(['exec:', '  apiVersion: client.authentication.k8s.io/v1', `  command: ${JSON.stringify(process.execPath)}`, '  args:', '  - -e', `  - ${JSON.stringify(script)}`, '  interactiveMode: Never']);
      const e = await failure(c.json('GET', '/version'));
      expect(errorKind(e)).toBe('credentials');
      expect(e.message).toMatch(want);
    }
  });

  it('provideClusterInfo: the plugin is told the cluster (server, CA, the exec extension)', async () => {
    const token = fleet.addToken('jane');
    const infoFile = path.join(dir, 'exec-info.json');
    const script = `require("fs").writeFileSync(${JSON.stringify(infoFile)}, process.env.KUBERNETES_EXEC_INFO); process.stdout.write(JSON.stringify({apiVersion:"client.authentication.k8s.io/v1beta1",kind:"ExecCredential",status:{token:${JSON.stringify(token)}}}))`;
    const c = connect(['exec:', '  apiVersion: client.authentication.k8s.io/v1beta1', `  command: ${JSON.stringify(process.execPath)}`, '  args:', '  - -e', `  - ${JSON.stringify(script)}`, '  provideClusterInfo: true'], {
      tlsServerName: 'localhost',
      extra: ['extensions:', '- name: client.authentication.k8s.io/exec', '  extension: {audience: kmux-test}'],
    });
    expect((await whoami(c)).username).toBe('jane');
    const info = JSON.parse(readFileSync(infoFile, 'utf8'));
    // v1beta1 without interactiveMode is IfAvailable: kmux runs it without a terminal
    expect(info).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential',
      spec: { interactive: false, cluster: { server: url, 'tls-server-name': 'localhost', 'certificate-authority-data': b64(fleet.ca), config: { audience: 'kmux-test' } } },
    });
  });

  it('a client certificate from the plugin is presented', async () => {
    const jane = fleet.clientCertificate('jane', ['qa']);
    const out = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { clientCertificateData: jane.cert, clientKeyData: jane.key } });
    const c = connect(['exec:', '  apiVersion: client.authentication.k8s.io/v1', `  command: ${JSON.stringify(process.execPath)}`, '  args:', '  - -e', `  - ${JSON.stringify(`process.stdout.write(${JSON.stringify(out)})`)}`, '  interactiveMode: Never']);
    expect((await whoami(c)).username).toBe('jane');
  });
});

describe('TLS', () => {
  it('insecure-skip-tls-verify reaches the fleet without its CA', async () => {
    const a = fleet.credentials('admin');
    const c = connect([`client-certificate-data: ${b64(a.cert!)}`, `client-key-data: ${b64(a.key!)}`], { ca: 'none', insecure: true });
    expect((await whoami(c)).username).toBe('admin');
  });

  it('a wrong CA: a TLS error naming the context and what to check, for requests, streams and WebSockets', async () => {
    const other = selfSignedCert('some other CA');
    const c = connect([`token: ${fleet.credentials('viewer').token}`], { ca: { data: other.cert } });
    const e = await failure(c.json('GET', '/version'));
    expect(e).toBeInstanceOf(TlsError);
    expect(errorKind(e)).toBe('tls');
    expect(e.message).toMatch(/^context prod: the server's certificate is not trusted \((self-signed certificate in certificate chain|unable to verify the first certificate|unable to get local issuer certificate)\); check certificate-authority-data of cluster "sim-prod" in the kubeconfig$/);
    await expect(c.stream('/api/v1/pods?watch=true', { onLine: () => {} }).done).rejects.toThrow(/^context prod: the server's certificate is not trusted/);
    const ws = await failure(c.websocket('/api/v1/namespaces/default/pods/x/exec', 'command=sh', ['v5.channel.k8s.io'], () => {}));
    expect(errorKind(ws)).toBe('tls');
    // no CA at all (the system's roots): the same, and nothing was sent
    const none = connect([`token: ${fleet.credentials('viewer').token}`], { ca: 'none' });
    const e2 = await failure(none.json('GET', '/version'));
    expect(errorKind(e2)).toBe('tls');
    expect(e2.message).toMatch(/check certificate-authority of cluster "sim-prod"/);
  });

  it('tls-server-name: checked against the certificate instead of the URL\'s host', async () => {
    const a = fleet.credentials('admin');
    const user = [`client-certificate-data: ${b64(a.cert!)}`, `client-key-data: ${b64(a.key!)}`];
    const good = connect(user, { tlsServerName: 'kubernetes.default.svc' });
    expect((await whoami(good)).username).toBe('admin');
    const bad = connect(user, { tlsServerName: 'api.other.example' });
    const e = await failure(bad.json('GET', '/version'));
    expect(errorKind(e)).toBe('tls');
    expect(e.message).toMatch(/^context prod: the server's certificate is not for this address \(.*api\.other\.example.*\); check the server URL or tls-server-name of cluster "sim-prod" in the kubeconfig$/);
  });

  it('https to a server that does not speak TLS says so', async () => {
    const plain = net.createServer((s) => {
      s.resume();
      s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    try {
      const c = connect(['token: x'], { server: `https://127.0.0.1:${(plain.address() as AddressInfo).port}` });
      const e = await failure(c.json('GET', '/version'));
      expect(errorKind(e)).toBe('tls');
      expect(e.message).toMatch(/^context prod: TLS handshake failed \((wrong version number|packet length too long|record layer failure)\); the server does not speak TLS: is it an http:\/\/ server\?$/);
    } finally {
      await new Promise((r) => plain.close(r));
    }
  });

  it('a refused port is unreachable, not TLS', async () => {
    const gone = net.createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((r) => gone.close(r));
    const c = connect(['token: x'], { server: `https://127.0.0.1:${port}` });
    const e = await failure(c.json('GET', '/version'));
    expect(errorKind(e)).toBe('unreachable');
    expect(e.message).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});

describe('impersonation', () => {
  it('as, as-groups, as-uid and as-user-extra reach the server as Impersonate-* headers', async () => {
    const a = fleet.credentials('admin');
    const c = connect([
      `client-certificate-data: ${b64(a.cert!)}`, `client-key-data: ${b64(a.key!)}`,
      'as: viewer', 'as-groups: [qa, "team b"]', 'as-uid: "1234"', 'as-user-extra:', '  scopes.example.com/read: [pods, logs]',
    ]);
    const me = await whoami(c);
    expect(me.username).toBe('viewer');
    expect(me.groups).toEqual(expect.arrayContaining(['qa', 'team b', 'system:authenticated']));
    expect(me.extra).toEqual({ 'scopes.example.com/read': ['pods', 'logs'] });
    expect(server().requestLog.at(-1)!.user).toBe('viewer');
    // and what the impersonated user may not do is refused as that user
    const e = await failure(c.json('GET', '/api/v1/secrets'));
    expect(errorKind(e)).toBe('forbidden');
    expect(e.message).toContain('User "viewer" cannot list resource "secrets"');
  });

  it('a user that may not impersonate gets the 403', async () => {
    const c = connect([`token: ${fleet.credentials('viewer').token}`, 'as: admin']);
    const e = await failure(whoami(c));
    expect(errorKind(e)).toBe('forbidden');
    expect(e.message).toBe('users "admin" is forbidden: User "viewer" cannot impersonate resource "users" in API group "" at the cluster scope');
  });
});

describe('proxy-url (an HTTP CONNECT proxy in the test)', () => {
  /** A CONNECT proxy that counts tunnels; `refuse` answers 407 instead. */
  async function startProxy(o: { refuse?: boolean } = {}) {
    const connects: string[] = [];
    const auth: (string | undefined)[] = [];
    const open = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      open.add(client);
      client.on('close', () => open.delete(client));
      let buf = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        client.off('data', onData);
        const head = buf.subarray(0, end).toString().split('\r\n');
        auth.push(head.find((h) => /^proxy-authorization:/i.test(h))?.replace(/^[^:]*:\s*/, ''));
        const m = /^CONNECT (\S+):(\d+) HTTP\/1\.[01]$/.exec(head[0]);
        if (!m) return client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
        if (o.refuse) return client.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
        connects.push(`${m[1]}:${m[2]}`);
        const upstream = net.connect(Number(m[2]), m[1], () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          const rest = buf.subarray(end + 4);
          if (rest.length) upstream.write(rest);
          client.pipe(upstream).pipe(client);
        });
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.on('close', () => upstream.destroy());
      };
      client.on('data', onData);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as AddressInfo).port;
    return { port, connects, auth, open, close: () => new Promise((r) => proxy.close(r)) };
  }

  it('tunnels through it, presenting the client certificate to the server behind it, one tunnel kept alive for many requests', async () => {
    const p = await startProxy();
    try {
      const a = fleet.credentials('admin');
      const c = connect([`client-certificate-data: ${b64(a.cert!)}`, `client-key-data: ${b64(a.key!)}`], { proxyUrl: `http://proxyuser:p%40ss@127.0.0.1:${p.port}` });
      expect((await whoami(c)).username).toBe('admin');
      for (let i = 0; i < 5; i++) await c.json('GET', '/version');
      const lines: string[] = [];
      await c.stream('/api/v1/namespaces?watch=true&timeoutSeconds=1', { onLine: (l) => lines.push(l) }).done;
      expect(lines.length).toBeGreaterThan(0);
      expect(p.connects[0]).toBe(new URL(url).host);
      // keep-alive through the tunnel: not one tunnel per request
      expect(p.connects.length).toBeLessThanOrEqual(2);
      expect(p.auth[0]).toBe(`Basic ${b64('proxyuser:p@ss')}`);
      // kmux tunnels itself: client-node was never loaded
      expect(clientNodeLoaded()).toBe(false);
      // closing the connection closes its tunnels
      c.close();
      await until('the tunnels to close', () => p.open.size === 0, 10_000);
    } finally {
      for (const c of conns) c.close();
      await p.close();
    }
  });

  it('a proxy that refuses the tunnel: the error says so and the context is unreachable', async () => {
    const p = await startProxy({ refuse: true });
    try {
      const c = connect([`token: ${fleet.credentials('viewer').token}`], { proxyUrl: `http://127.0.0.1:${p.port}` });
      const e = await failure(c.json('GET', '/version'));
      expect(errorKind(e)).toBe('unreachable');
      expect(e.message).toBe(`proxy 127.0.0.1:${p.port} refused the tunnel to ${new URL(url).host}: 407 Proxy Authentication Required`);
      c.close();
      await until('the proxy connections to close', () => p.open.size === 0, 10_000);
    } finally {
      for (const c of conns) c.close();
      await p.close();
    }
  });
});
