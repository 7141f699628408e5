/**
 * A context's credentials and TLS settings, worked out by kmux itself from its kubeconfig
 * entries (no @kubernetes/client-node): the CA (data or file), a client certificate and key
 * (data or files), a bearer token or token file, basic auth, insecure-skip-tls-verify,
 * tls-server-name, impersonation, and exec credential plugins (client.authentication.k8s.io
 * v1 and v1beta1, as client-go runs them: KUBERNETES_EXEC_INFO, interactiveMode, one run shared
 * by every context with the same plugin, cached until its expirationTimestamp or a 401).
 *
 * What is read from files is read again when a server refuses the credentials (401); a token
 * file is also looked at again (its size and mtime) at most once a second, so a rotated
 * projected token is picked up without a refusal, as client-go re-reads it.
 */
import { spawn } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import tls from 'node:tls';
import type { ClusterEntry, ContextEntries, ExecConfig, UserEntry } from './kubeconfig.js';
import { printable } from '../util/printable.js';

/** Credentials could not be obtained (exec plugin failed, unreadable or unusable files). */
export class CredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialError';
  }
}

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** false: insecure-skip-tls-verify */
  rejectUnauthorized?: boolean;
  /** tls-server-name: the name sent (SNI) and checked against the server's certificate */
  servername?: string;
}

export interface Credentials {
  /** Authorization and Impersonate-* headers */
  headers: Record<string, string | string[]>;
  tls: TlsMaterial;
  /** the TLS material's identity: connections can be kept while it stays the same */
  tlsKey: string;
  /** look again after this time (ms since the epoch): an exec credential's expiry, the token file's next look */
  staleAt?: number;
  /** the client certificate presented: a 401 says when it expired */
  clientCert?: { subject: string; notBefore: number; notAfter: number; from: string };
  /** the exec credential these came from */
  exec?: ExecCredential;
}

/** What an exec plugin printed, checked. */
export interface ExecCredential {
  token?: string;
  cert?: string;
  key?: string;
  /** ms since the epoch; none: valid until a 401 */
  expiresAt?: number;
}

/** How often a token file is looked at again (its size, mtime and inode; re-read when they change). */
const TOKEN_FILE_RECHECK_MS = 1000;
/** An exec plugin that has not finished by then is killed. */
export const EXEC_TIMEOUT_MS = 120_000;
const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

const q = (s: string, max = 200) => printable(s, max);

/** Header-name-safe form of an impersonation extra key, as client-go escapes it. */
function headerKeyEscape(k: string): string {
  let out = '';
  for (const ch of k) {
    if (/^[A-Za-z0-9!#$&'*+\-.^_`|~]$/.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Impersonate-User, -Uid, -Group (one header line per group), -Extra-KEY from as, as-uid, as-groups, as-user-extra. */
export function impersonationHeaders(u: UserEntry | undefined): Record<string, string | string[]> {
  const h: Record<string, string | string[]> = {};
  if (!u) return h;
  if (u.as) h['Impersonate-User'] = u.as;
  if (u.asUid) h['Impersonate-Uid'] = u.asUid;
  if (u.asGroups.length) h['Impersonate-Group'] = [...u.asGroups];
  for (const [k, v] of Object.entries(u.asUserExtra)) if (v.length) h[`Impersonate-Extra-${headerKeyEscape(k)}`] = [...v];
  return h;
}

function fileError(what: string, owner: string, file: string, e: unknown): CredentialError {
  const err = e as NodeJS.ErrnoException;
  const why = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory', ENOTDIR: 'not a directory' }[err.code ?? ''] ?? err.message;
  return new CredentialError(`unable to read ${what} ${q(file)} for ${q(owner)}: ${q(why)}`);
}

async function dataOrFile(data: string | undefined, file: string | undefined, what: string, owner: string): Promise<Buffer | undefined> {
  // client-go: data wins over the file
  if (data) return Buffer.from(data, 'base64');
  if (!file) return undefined;
  try {
    return await readFile(file);
  } catch (e) {
    throw fileError(what, owner, file, e);
  }
}

function certInfo(pem: Buffer, from: string): Credentials['clientCert'] {
  try {
    const c = new X509Certificate(pem);
    return { subject: c.subject.replace(/\n/g, ', '), notBefore: Date.parse(c.validFrom), notAfter: Date.parse(c.validTo), from };
  } catch {
    return undefined;
  }
}

/** One context's credentials: fetched once, fetched again when stale or refused. */
export class CredentialSource {
  private files?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  private token?: { text: string; sig: string; checkedAt: number };
  /** the last client certificate and key found usable */
  private checkedPair?: string;

  constructor(readonly entries: ContextEntries) {}

  private get cluster(): ClusterEntry {
    return this.entries.cluster;
  }

  private get user(): UserEntry | undefined {
    return this.entries.user;
  }

  async get(): Promise<Credentials> {
    const u = this.user;
    const c = this.cluster;
    const who = u?.name ?? this.entries.context;
    if (!this.files) {
      const insecure = c.insecureSkipTlsVerify;
      this.files = {
        ca: insecure ? undefined : await dataOrFile(c.certificateAuthorityData, c.certificateAuthority, 'certificate-authority', c.name),
        cert: await dataOrFile(u?.clientCertificateData, u?.clientCertificate, 'client-cert', who),
        key: await dataOrFile(u?.clientKeyData, u?.clientKey, 'client-key', who),
      };
    }
    const f = this.files;
    if (!!f.cert !== !!f.key) throw new CredentialError(`user ${q(who)} has a client ${f.cert ? 'certificate but no key' : 'key but no certificate'}`);
    const headers: Record<string, string | string[]> = impersonationHeaders(u);
    const material: TlsMaterial = {
      ...(f.ca ? { ca: f.ca } : {}),
      ...(c.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
      ...(c.tlsServerName ? { servername: c.tlsServerName } : {}),
    };
    let staleAt: number | undefined;
    let clientCert: Credentials['clientCert'];
    let exec: ExecCredential | undefined;
    const token = u?.token ?? (u?.tokenFile ? await this.tokenFromFile(u.tokenFile, who) : undefined);
    if (u?.tokenFile) staleAt = Date.now() + TOKEN_FILE_RECHECK_MS;
    if (f.cert && f.key) {
      material.cert = f.cert;
      material.key = f.key;
      clientCert = certInfo(f.cert, u?.clientCertificateData ? 'client-certificate-data' : 'client-certificate');
    }
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (u?.username || u?.password) headers.Authorization = `Basic ${Buffer.from(`${u.username ?? ''}:${u.password ?? ''}`).toString('base64')}`;
    else if (u?.exec && !f.cert) {
      // as client-go: a token, basic auth or a client certificate in the kubeconfig wins over the plugin
      exec = await execCredential(u.exec, c, who);
      if (exec.token) headers.Authorization = `Bearer ${exec.token}`;
      if (exec.cert && exec.key) {
        material.cert = Buffer.from(exec.cert);
        material.key = Buffer.from(exec.key);
        clientCert = certInfo(material.cert, 'the exec plugin');
      }
      if (exec.expiresAt !== undefined) staleAt = Math.min(staleAt ?? Infinity, exec.expiresAt);
    }
    const h = createHash('sha256');
    for (const part of [material.ca, material.cert, material.key]) h.update(part ?? '').update('\0');
    h.update(`${material.servername ?? ''}\0${material.rejectUnauthorized === false}`);
    const tlsKey = h.digest('base64url');
    if (material.cert && material.key && this.checkedPair !== tlsKey) {
      try {
        // a key that does not match its certificate, or garbage: say so now, not at every connect
        tls.createSecureContext({ cert: material.cert, key: material.key });
      } catch (e) {
        throw new CredentialError(`the client certificate and key of user ${q(who)} cannot be used: ${q((e as Error).message)}`);
      }
      this.checkedPair = tlsKey;
    }
    return { headers, tls: material, tlsKey, ...(staleAt !== undefined ? { staleAt } : {}), ...(clientCert ? { clientCert } : {}), ...(exec ? { exec } : {}) };
  }

  /** The server refused these credentials (401): read the files again, run the plugin again. */
  refused(c: Credentials): void {
    this.files = undefined;
    this.token = undefined;
    if (c.exec) forgetExecCredential(c.exec);
  }

  private async tokenFromFile(file: string, who: string): Promise<string> {
    const now = Date.now();
    if (this.token && now - this.token.checkedAt < TOKEN_FILE_RECHECK_MS) return this.token.text;
    let sig: string;
    try {
      const s = await stat(file);
      sig = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (e) {
      throw fileError('token-file', who, file, e);
    }
    if (this.token && this.token.sig === sig) {
      this.token.checkedAt = now;
      return this.token.text;
    }
    let text: string;
    try {
      text = (await readFile(file, 'utf8')).trim();
    } catch (e) {
      throw fileError('token-file', who, file, e);
    }
    if (!text) throw new CredentialError(`read empty token from file ${q(file)}`);
    this.token = { text, sig, checkedAt: now };
    return text;
  }
}

// ------------------------------------------------------------------ exec credential plugins

interface ExecEntry {
  p: Promise<ExecCredential>;
  cred?: ExecCredential;
}

/** One cache for the process, as client-go's: contexts with the same plugin (and cluster, with provideClusterInfo) share its run. */
const execCache = new Map<string, ExecEntry>();
/** the cache key each credential was stored under */
const execKeys = new WeakMap<ExecCredential, string>();

/** The cluster as an exec plugin is told about it (spec.cluster, provideClusterInfo). */
function clusterInfo(c: ClusterEntry, caData: string | undefined): Record<string, unknown> {
  return {
    server: c.server,
    ...(c.tlsServerName ? { 'tls-server-name': c.tlsServerName } : {}),
    ...(c.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
    ...(caData ? { 'certificate-authority-data': caData } : {}),
    ...(c.proxyUrl ? { 'proxy-url': c.proxyUrl } : {}),
    ...(c.disableCompression ? { 'disable-compression': true } : {}),
    ...(c.execExtension !== undefined ? { config: c.execExtension } : {}),
  };
}

async function execKey(cfg: ExecConfig, c: ClusterEntry): Promise<{ key: string; cluster?: Record<string, unknown> }> {
  if (!cfg.provideClusterInfo) return { key: JSON.stringify(cfg) };
  let caData = c.certificateAuthorityData;
  if (!caData && c.certificateAuthority) caData = (await dataOrFile(undefined, c.certificateAuthority, 'certificate-authority', c.name))?.toString('base64');
  const cluster = clusterInfo(c, caData);
  return { key: JSON.stringify([cfg, cluster]), cluster };
}

/** The plugin's credential: the cached one while it has not expired, else a new run (one at a time). */
export async function execCredential(cfg: ExecConfig, c: ClusterEntry, user: string): Promise<ExecCredential> {
  const { key, cluster } = await execKey(cfg, c);
  let e = execCache.get(key);
  if (e?.cred?.expiresAt !== undefined && e.cred.expiresAt <= Date.now()) {
    execCache.delete(key);
    e = undefined;
  }
  if (!e) {
    const entry: ExecEntry = { p: runExecPlugin(cfg, user, cluster) };
    execCache.set(key, entry);
    entry.p.then(
      (cred) => {
        entry.cred = cred;
        execKeys.set(cred, key);
      },
      () => {
        if (execCache.get(key) === entry) execCache.delete(key);
      },
    );
    e = entry;
  }
  return e.p;
}

/** A server refused `cred`: the next request runs the plugin again (unless another run replaced it already). */
export function forgetExecCredential(cred: ExecCredential): void {
  const key = execKeys.get(cred);
  if (key !== undefined && execCache.get(key)?.cred === cred) execCache.delete(key);
}

/** Forget every cached exec credential (tests). */
export function clearExecCache(): void {
  execCache.clear();
}

/** The lines a plugin wrote on stderr, as one line fit for a message. */
function stderrText(s: string): string {
  const lines = s.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return printable(lines.join(' | '), 400);
}

function runExecPlugin(cfg: ExecConfig, user: string, cluster: Record<string, unknown> | undefined): Promise<ExecCredential> {
  const apiVersion = cfg.apiVersion ?? '';
  const cmd = q(cfg.command || '(none)');
  if (!EXEC_API_VERSIONS.includes(apiVersion)) return Promise.reject(new CredentialError(`exec plugin: invalid apiVersion "${q(apiVersion, 80)}" for user ${q(user)} (kmux speaks ${EXEC_API_VERSIONS.join(', ')})`));
  if (!cfg.command) return Promise.reject(new CredentialError(`exec plugin of user ${q(user)} names no command`));
  const v1 = apiVersion.endsWith('/v1');
  const mode = cfg.interactiveMode ?? (v1 ? undefined : 'IfAvailable');
  if (mode === undefined) return Promise.reject(new CredentialError(`interactiveMode must be specified for ${q(user)} to use exec authentication plugin`));
  if (!['Never', 'IfAvailable', 'Always'].includes(mode)) return Promise.reject(new CredentialError(`exec plugin of user ${q(user)}: invalid interactiveMode "${q(mode, 40)}" (Never, IfAvailable or Always)`));
  // kmux's screen owns the terminal while it runs: the plugin never gets it (IfAvailable runs
  // without one, as with no terminal at all); one that must have it cannot run here
  if (mode === 'Always') {
    return Promise.reject(new CredentialError(`exec plugin cannot support interactive mode: ${cmd} needs a terminal (interactiveMode: Always) and kmux's screen holds it; log in outside kmux (e.g. kubectl get --raw /version with this context) or set interactiveMode: IfAvailable`));
  }
  const info = { apiVersion, kind: 'ExecCredential', spec: { interactive: false, ...(cluster ? { cluster } : {}) } };
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const v of cfg.env) env[v.name] = v.value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify(info);
  return new Promise<ExecCredential>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const fail = (msg: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new CredentialError(msg));
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(cfg.command, cfg.args, { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      return reject(new CredentialError(`exec: ${q((e as Error).message)}`));
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`exec: executable ${cmd} did not finish in ${EXEC_TIMEOUT_MS / 1000} s${stderr.trim() ? `; it printed: ${stderrText(stderr)}` : ''}`);
    }, EXEC_TIMEOUT_MS);
    timer.unref?.();
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      if (stdout.length < 1_000_000) stdout += d;
    });
    child.stderr!.on('data', (d: string) => {
      if (stderr.length < 16_000) stderr += d;
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        const hint = cfg.installHint ? `\n\n${printable(cfg.installHint, 500)}` : '';
        fail(`exec: executable ${cmd} not found${hint}`);
      } else if (e.code === 'EACCES') fail(`exec: executable ${cmd} cannot be run: permission denied`);
      else fail(`exec: ${q(e.message)}`);
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      const said = stderr.trim() ? `: ${stderrText(stderr)}` : ' (it printed nothing on stderr)';
      if (signal) return fail(`exec: executable ${cmd} was killed by ${signal}${said}`);
      if (code !== 0) return fail(`exec: executable ${cmd} failed with exit code ${code}${said}`);
      let out: any;
      try {
        out = JSON.parse(stdout);
      } catch (e) {
        return fail(`exec: decoding the output of ${cmd}: ${q((e as Error).message, 120)}${stdout.trim() ? '' : ' (it printed nothing)'}`);
      }
      const got = typeof out?.apiVersion === 'string' ? out.apiVersion : '';
      if (got !== apiVersion) return fail(`exec plugin is configured to use API version ${apiVersion}, plugin returned version ${q(got || '(none)', 80)}`);
      if (out.kind !== 'ExecCredential') return fail(`exec plugin ${cmd} returned kind ${q(String(out.kind ?? '(none)'), 60)}, not ExecCredential`);
      const s = out.status;
      if (!s || typeof s !== 'object') return fail("exec plugin didn't return a status field");
      const str = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
      const token = str(s.token);
      const cert = str(s.clientCertificateData);
      const key = str(s.clientKeyData);
      if (!token && !cert && !key) return fail("exec plugin didn't return a token or cert/key pair");
      if (!cert !== !key) return fail('exec plugin returned only certificate or key, not both');
      let expiresAt: number | undefined;
      if (s.expirationTimestamp !== undefined && s.expirationTimestamp !== null) {
        expiresAt = typeof s.expirationTimestamp === 'string' ? Date.parse(s.expirationTimestamp) : NaN;
        if (!Number.isFinite(expiresAt)) return fail(`exec plugin ${cmd} returned an invalid expirationTimestamp ${q(String(s.expirationTimestamp), 60)}`);
      }
      settled = true;
      clearTimeout(timer);
      resolve({ ...(token ? { token } : {}), ...(cert ? { cert, key } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}) });
    });
  });
}
