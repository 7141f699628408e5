/**
 * Kubeconfig discovery and merging with kubectl's semantics: files are merged in order, the
 * first file that defines a cluster, user or context name wins, and current-context comes from
 * the first file that sets one. client-node's loadFromDefault() differs on both points (it
 * throws on duplicates and takes the last current-context), so we merge here.
 *
 * A connection gets a context's cluster and user entries as they are (`entries()`, paths
 * resolved against the file that defined them) and speaks for itself with them; only what
 * kmux does not implement (auth-provider, SOCKS proxies) goes through client-node, which is
 * then loaded on demand and handed one already-merged context through loadFromOptions().
 */
import { accessSync, constants as fsConstants, existsSync, readFileSync, statSync } from 'node:fs';
import type http from 'node:http';
import type https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { KubeConfig, Cluster as KCluster, Context as KContext, User as KUser } from '@kubernetes/client-node';
import YAML from 'yaml';
import { printable } from '../util/printable.js';

export { printable };

export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

export interface KubeContext {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
  server?: string;
  /**
   * Why this context cannot be used, in kubectl's words (its cluster or user entry is missing,
   * its server URL is invalid, a certificate or token file cannot be read). A broken context
   * never stops the others.
   */
  broken?: string;
}

export interface Kubeconfig {
  /** the files actually read */
  files: string[];
  /** merged, first file wins per name (kubectl semantics) */
  contexts: KubeContext[];
  /** from the first file that sets it */
  currentContext?: string;
  /** entries skipped because they are malformed (file and entry named); the rest still loads */
  problems: string[];
  /**
   * a @kubernetes/client-node KubeConfig for one context. client-node takes half a second to
   * load and kmux speaks for itself for everything but auth-provider and SOCKS proxies
   * (`clientNodeNeeded`), so it is loaded only then: call `await loadClientNode()` first.
   */
  clientConfig(context: string): KubeConfig;
  /** what a connection needs to know first: the server, and whether it is plain http with no credentials, TLS or proxy */
  endpoint(context: string): { server: string; plain: boolean };
  /**
   * The context's cluster and user entries as the kubeconfig has them, paths resolved against
   * the file that defined each entry (what a connection builds its transport from). Throws
   * KubeconfigError when the context, its cluster or its server is missing.
   */
  entries(context: string): ContextEntries;
}

/** A cluster entry (`clusters[].cluster`), paths absolute. */
export interface ClusterEntry {
  name: string;
  /** the file that defined it */
  file: string;
  /** the server URL, normalized (normalizeServer) */
  server: string;
  certificateAuthority?: string;
  /** base64, as in the file */
  certificateAuthorityData?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  disableCompression: boolean;
  /** extensions[name=client.authentication.k8s.io/exec].extension: handed to exec plugins with provideClusterInfo */
  execExtension?: unknown;
}

/** An exec credential plugin (`users[].user.exec`). */
export interface ExecConfig {
  apiVersion?: string;
  /** a relative command with a path separator is resolved against the file's directory, as kubectl does */
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  interactiveMode?: string;
  provideClusterInfo: boolean;
  installHint?: string;
}

/** A user entry (`users[].user`), paths absolute. */
export interface UserEntry {
  name: string;
  file: string;
  clientCertificate?: string;
  /** base64 PEM, as in the file */
  clientCertificateData?: string;
  clientKey?: string;
  clientKeyData?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  /** impersonation: as, as-uid, as-groups, as-user-extra */
  as?: string;
  asUid?: string;
  asGroups: string[];
  asUserExtra: Record<string, string[]>;
  exec?: ExecConfig;
  /** the raw auth-provider entry (client-node handles these) */
  authProvider?: Record<string, any>;
}

export interface ContextEntries {
  context: string;
  namespace?: string;
  cluster: ClusterEntry;
  /** none: the context names no user, or one that is not defined (no credentials are sent) */
  user?: UserEntry;
}

/**
 * What in these entries kmux leaves to client-node (undefined: nothing, it need not load): an
 * auth-provider, or a proxy-url that is not an http:// or https:// proxy (SOCKS).
 */
export function clientNodeNeeded(e: ContextEntries): string | undefined {
  if (e.user?.authProvider) return `auth-provider ${printable(String(e.user.authProvider.name ?? ''), 40)}`;
  if (e.cluster.proxyUrl && !/^https?:\/\//i.test(e.cluster.proxyUrl)) return 'proxy-url (SOCKS)';
  return undefined;
}

let KubeConfigCtor: (new () => KubeConfig) | undefined;

/** Load @kubernetes/client-node (once): only contexts with an auth-provider or a SOCKS proxy-url need it. */
export async function loadClientNode(): Promise<void> {
  if (!KubeConfigCtor) KubeConfigCtor = (await import('@kubernetes/client-node')).KubeConfig;
}

/** Whether @kubernetes/client-node has been loaded in this process (by loadClientNode). */
export function clientNodeLoaded(): boolean {
  return KubeConfigCtor !== undefined;
}

/**
 * client-node's agent for a cluster's SOCKS proxy-url (kmux tunnels through HTTP(S) proxies
 * itself, proxy.ts), carrying `tlsOptions` (CA, client certificate, server name, verification)
 * to the server behind it. Credentials stay kmux's: only the agent comes from client-node.
 * Needs loadClientNode().
 */
export async function proxyAgent(cluster: ClusterEntry, tlsOptions: https.AgentOptions): Promise<http.Agent> {
  if (!KubeConfigCtor) throw new Error('internal: loadClientNode() must run before proxyAgent()');
  const kc = new KubeConfigCtor();
  kc.loadFromOptions({
    clusters: [{ name: cluster.name, server: cluster.server, proxyUrl: cluster.proxyUrl, skipTLSVerify: cluster.insecureSkipTlsVerify || /^http:/i.test(cluster.server) }],
    // client-node applies cluster settings only for a context with a user
    users: [{ name: ANONYMOUS }],
    contexts: [{ name: 'proxy', cluster: cluster.name, user: ANONYMOUS }],
    currentContext: 'proxy',
  });
  const opts: https.RequestOptions = { headers: {}, ...tlsOptions };
  await kc.applyToHTTPSOptions(opts);
  if (!opts.agent) throw new Error(`client-node made no agent for proxy-url ${printable(cluster.proxyUrl ?? '', 120)}`);
  return opts.agent as http.Agent;
}

/** --kubeconfig wins; else KUBECONFIG split on path.delimiter (empty entries dropped); else ~/.kube/config */
export function kubeconfigPaths(opts: { flag?: string; env?: NodeJS.ProcessEnv; home?: string }): string[] {
  if (opts.flag) return [opts.flag];
  const env = opts.env ?? process.env;
  const list = env.KUBECONFIG;
  if (list) {
    const out: string[] = [];
    for (const p of list.split(path.delimiter)) if (p && !out.includes(p)) out.push(p);
    if (out.length) return out;
  }
  const home = opts.home ?? env.HOME ?? os.homedir();
  return [path.join(home, '.kube', 'config')];
}

const ANONYMOUS = 'kmux:anonymous';

interface RawEntry {
  name: string;
  body: Record<string, any>;
  /** directory of the file that defined it: relative paths resolve against it */
  dir: string;
  file: string;
}

function isObject(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function readEntries(doc: Record<string, any>, key: 'clusters' | 'users' | 'contexts', inner: 'cluster' | 'user' | 'context', file: string, problems: string[]): RawEntry[] {
  const list = doc[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new KubeconfigError(`${file}: "${key}" must be a list`);
  const out: RawEntry[] = [];
  list.forEach((e, i) => {
    // one malformed entry is skipped and reported; it must not take the rest of the file with it
    if (!isObject(e)) return problems.push(`${file}: ${key}[${i}] must be a mapping; skipped`);
    if (typeof e.name !== 'string' || !e.name) return problems.push(`${file}: ${key}[${i}].name is missing; skipped`);
    const body = e[inner] ?? {};
    if (!isObject(body)) return problems.push(`${file}: ${key}[${i}] (${printable(e.name)}): "${inner}" must be a mapping; skipped`);
    out.push({ name: e.name, body, dir: path.dirname(path.resolve(file)), file });
  });
  return out;
}

/** Why a context cannot be used, in client-go's words; undefined when it can. */
function brokenReason(name: string, ctx: RawEntry, clusters: Map<string, RawEntry>, users: Map<string, RawEntry>): string | undefined {
  const q = (x: string) => printable(x, 120);
  const clusterName = str(ctx.body.cluster);
  if (!clusterName) return `cluster was not specified for context "${q(name)}"`;
  const ce = clusters.get(clusterName);
  if (!ce) return `cluster "${q(clusterName)}" was not found for context "${q(name)}"`;
  const server = ce.body.server;
  if (server !== undefined && typeof server !== 'string') return `server of cluster "${q(clusterName)}" must be a string`;
  if (!server) return `no server found for cluster "${q(clusterName)}"`;
  if (!normalizeServer(server)) return `host must be a URL or a host:port pair: "${printable(server)}"`;
  const fileProblem = (kind: string, owner: string, p: unknown, dir: string): string | undefined => {
    const f = resolvePath(dir, p);
    if (!f) return undefined;
    try {
      accessSync(f, fsConstants.R_OK);
      if (statSync(f).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      return undefined;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory', ENOTDIR: 'not a directory', ENAMETOOLONG: 'file name too long' }[e.code ?? ''] ?? e.message;
      return `unable to read ${kind} ${q(f)} for ${q(owner)} due to open ${q(f)}: ${q(why)}`;
    }
  };
  const ca = fileProblem('certificate-authority', clusterName, ce.body['certificate-authority'], ce.dir);
  if (ca) return ca;
  const userName = str(ctx.body.user);
  if (userName) {
    const ue = users.get(userName);
    if (!ue) return `user "${q(userName)}" was not found for context "${q(name)}"`;
    const problems = [
      fileProblem('client-cert', userName, ue.body['client-certificate'], ue.dir),
      fileProblem('client-key', userName, ue.body['client-key'], ue.dir),
      fileProblem('token-file', userName, ue.body['token-file'], ue.dir),
    ].filter(Boolean);
    if (problems.length) return problems.join('; ');
  }
  return undefined;
}

/**
 * A cluster's server as a URL kmux can use: http(s) URLs as they are (trailing slashes off), a
 * bare host:port as https, as client-go reads it; undefined when it is neither.
 */
export function normalizeServer(server: string): string | undefined {
  const s = server.trim().replace(/\/+$/, '');
  if (!s || /\s/.test(s)) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
  // without a scheme only a host or host:port (kubectl's "host:port pair")
  if (!withScheme && !/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i.test(s)) return undefined;
  const full = withScheme ? s : `https://${s}`;
  let u: URL;
  try {
    u = new URL(full);
  } catch {
    return undefined;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return undefined;
  return full;
}

function resolvePath(dir: string, p: unknown): string | undefined {
  if (typeof p !== 'string' || !p) return undefined;
  return path.isAbsolute(p) ? p : path.join(dir, p);
}

function str(x: unknown): string | undefined {
  return typeof x === 'string' && x ? x : undefined;
}

function toCluster(e: RawEntry): KCluster {
  const c = e.body;
  const server = str(c.server);
  if (!server) throw new KubeconfigError(`${e.file}: cluster "${e.name}" has no server`);
  const trimmed = normalizeServer(server);
  if (!trimmed) throw new KubeconfigError(`host must be a URL or a host:port pair: "${printable(server)}"`);
  return {
    name: e.name,
    server: trimmed,
    caData: str(c['certificate-authority-data']),
    caFile: resolvePath(e.dir, c['certificate-authority']),
    // client-node refuses plain http unless skipTLSVerify is set; there is no TLS to verify anyway.
    skipTLSVerify: c['insecure-skip-tls-verify'] === true || /^http:/i.test(trimmed),
    tlsServerName: str(c['tls-server-name']),
    proxyUrl: str(c['proxy-url']),
  };
}

function toUser(e: RawEntry): KUser {
  const u = e.body;
  let token = str(u.token);
  const tokenFile = resolvePath(e.dir, u['token-file']);
  if (!token && tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new KubeconfigError(`${e.file}: user "${e.name}": cannot read token-file ${tokenFile}: ${(err as Error).message}`);
    }
  }
  let exec = isObject(u.exec) ? { ...u.exec } : undefined;
  // kubectl resolves a relative exec command that contains a path separator against the file's directory
  if (exec && typeof exec.command === 'string' && !path.isAbsolute(exec.command) && /[\\/]/.test(exec.command)) {
    exec = { ...exec, command: path.join(e.dir, exec.command) };
  }
  return {
    name: e.name,
    certData: str(u['client-certificate-data']),
    certFile: resolvePath(e.dir, u['client-certificate']),
    keyData: str(u['client-key-data']),
    keyFile: resolvePath(e.dir, u['client-key']),
    exec,
    authProvider: isObject(u['auth-provider']) ? u['auth-provider'] : undefined,
    token,
    username: str(u.username),
    password: str(u.password),
    impersonateUser: str(u.as),
  };
}

function stringList(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

function toClusterEntry(e: RawEntry): ClusterEntry {
  const c = e.body;
  const server = str(c.server);
  if (!server) throw new KubeconfigError(`no server found for cluster "${printable(e.name, 120)}"`);
  const normalized = normalizeServer(server);
  if (!normalized) throw new KubeconfigError(`host must be a URL or a host:port pair: "${printable(server)}"`);
  const ext = Array.isArray(c.extensions) ? c.extensions.find((x: unknown) => isObject(x) && x.name === 'client.authentication.k8s.io/exec') : undefined;
  return {
    name: e.name,
    file: e.file,
    server: normalized,
    ...(resolvePath(e.dir, c['certificate-authority']) ? { certificateAuthority: resolvePath(e.dir, c['certificate-authority']) } : {}),
    ...(str(c['certificate-authority-data']) ? { certificateAuthorityData: str(c['certificate-authority-data']) } : {}),
    insecureSkipTlsVerify: c['insecure-skip-tls-verify'] === true,
    ...(str(c['tls-server-name']) ? { tlsServerName: str(c['tls-server-name']) } : {}),
    ...(str(c['proxy-url']) ? { proxyUrl: str(c['proxy-url']) } : {}),
    disableCompression: c['disable-compression'] === true,
    ...(ext && 'extension' in ext ? { execExtension: ext.extension } : {}),
  };
}

function toExecConfig(e: RawEntry, x: Record<string, any>): ExecConfig {
  let command = typeof x.command === 'string' ? x.command : '';
  // kubectl resolves a relative command that contains a path separator against the file's directory
  if (command && !path.isAbsolute(command) && /[\\/]/.test(command)) command = path.join(e.dir, command);
  const env = Array.isArray(x.env)
    ? x.env.filter((v: unknown): v is { name: string; value: unknown } => isObject(v) && typeof v.name === 'string' && v.name !== '').map((v: { name: string; value: unknown }) => ({ name: v.name, value: v.value === undefined || v.value === null ? '' : String(v.value) }))
    : [];
  return {
    ...(str(x.apiVersion) ? { apiVersion: str(x.apiVersion) } : {}),
    command,
    args: Array.isArray(x.args) ? x.args.map((a: unknown) => String(a)) : [],
    env,
    ...(str(x.interactiveMode) ? { interactiveMode: str(x.interactiveMode) } : {}),
    provideClusterInfo: x.provideClusterInfo === true,
    ...(str(x.installHint) ? { installHint: str(x.installHint) } : {}),
  };
}

function toUserEntry(e: RawEntry): UserEntry {
  const u = e.body;
  const extra: Record<string, string[]> = {};
  if (isObject(u['as-user-extra'])) for (const [k, v] of Object.entries(u['as-user-extra'])) extra[k] = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
  const opt = (key: string, value: string | undefined) => (value !== undefined ? { [key]: value } : {});
  return {
    name: e.name,
    file: e.file,
    ...opt('clientCertificate', resolvePath(e.dir, u['client-certificate'])),
    ...opt('clientCertificateData', str(u['client-certificate-data'])),
    ...opt('clientKey', resolvePath(e.dir, u['client-key'])),
    ...opt('clientKeyData', str(u['client-key-data'])),
    ...opt('token', str(u.token)),
    ...opt('tokenFile', resolvePath(e.dir, u['token-file'])),
    ...opt('username', str(u.username)),
    ...opt('password', str(u.password)),
    ...opt('as', str(u.as)),
    ...opt('asUid', str(u['as-uid'])),
    asGroups: stringList(u['as-groups']),
    asUserExtra: extra,
    ...(isObject(u.exec) ? { exec: toExecConfig(e, u.exec) } : {}),
    ...(isObject(u['auth-provider']) ? { authProvider: u['auth-provider'] } : {}),
  };
}

/**
 * Merge clusters/users/contexts by name, first wins. Missing files are skipped (as kubectl does
 * for a KUBECONFIG list); if none exists, or no context results, throws KubeconfigError.
 */
export function loadKubeconfig(paths: string[]): Kubeconfig {
  const files: string[] = [];
  const problems: string[] = [];
  const clusters = new Map<string, RawEntry>();
  const users = new Map<string, RawEntry>();
  const contexts = new Map<string, RawEntry>();
  let currentContext: string | undefined;
  for (const file of paths) {
    if (!existsSync(file)) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new KubeconfigError(`${file}: ${(err as Error).message}`);
    }
    files.push(file);
    // binary garbage: say so without echoing it
    // eslint-disable-next-line no-control-regex
    if (text.includes('\u0000') || (text.match(/[\u0000-\u0008\u000e-\u001f\ufffd]/g)?.length ?? 0) > Math.max(4, text.length / 100)) {
      throw new KubeconfigError(`${file}: not a kubeconfig (binary data, not YAML)`);
    }
    let doc: unknown;
    try {
      // logLevel error: YAML's warnings would go to stderr, over the screen
      doc = YAML.parse(text, { prettyErrors: true, maxAliasCount: 1000, logLevel: 'error' });
    } catch (err) {
      // the pretty message quotes the offending lines: keep only the place and the reason
      const e = err as Error & { linePos?: { line: number; col: number }[] };
      const at = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
      const why = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new KubeconfigError(`${file}: invalid YAML${at}: ${printable(why, 160)}`);
    }
    if (doc === null || doc === undefined) continue; // an empty file is an empty config
    if (!isObject(doc)) throw new KubeconfigError(`${file}: not a kubeconfig (expected a mapping at the top level)`);
    for (const e of readEntries(doc, 'clusters', 'cluster', file, problems)) if (!clusters.has(e.name)) clusters.set(e.name, e);
    for (const e of readEntries(doc, 'users', 'user', file, problems)) if (!users.has(e.name)) users.set(e.name, e);
    for (const e of readEntries(doc, 'contexts', 'context', file, problems)) if (!contexts.has(e.name)) contexts.set(e.name, e);
    const cc = doc['current-context'];
    if (currentContext === undefined && typeof cc === 'string' && cc) currentContext = cc;
  }
  if (files.length === 0) throw new KubeconfigError(`no kubeconfig found (looked for ${paths.join(', ') || 'nothing'})`);
  if (contexts.size === 0) throw new KubeconfigError(`no kubeconfig found: no contexts defined in ${files.join(', ')}`);

  const ctxList: KubeContext[] = [];
  for (const e of contexts.values()) {
    const cluster = str(e.body.cluster) ?? '';
    const user = str(e.body.user) ?? '';
    const rawServer = str(clusters.get(cluster)?.body.server);
    const server = rawServer ? normalizeServer(rawServer) : undefined;
    const broken = brokenReason(e.name, e, clusters, users);
    ctxList.push({
      name: e.name,
      cluster,
      user,
      ...(str(e.body.namespace) ? { namespace: e.body.namespace } : {}),
      ...(server ? { server } : {}),
      ...(broken ? { broken } : {}),
    });
  }

  const cache = new Map<string, KubeConfig>();
  const clientConfig = (name: string): KubeConfig => {
    const hit = cache.get(name);
    if (hit) return hit;
    const ctx = contexts.get(name);
    if (!ctx) throw new KubeconfigError(`context "${name}" not found in ${files.join(', ')}`);
    const clusterName = str(ctx.body.cluster);
    if (!clusterName) throw new KubeconfigError(`${ctx.file}: context "${name}" names no cluster`);
    const ce = clusters.get(clusterName);
    if (!ce) throw new KubeconfigError(`context "${name}": cluster "${clusterName}" is not defined in ${files.join(', ')}`);
    const userName = str(ctx.body.user);
    const ue = userName ? users.get(userName) : undefined;
    const kcContext: KContext = {
      name,
      cluster: clusterName,
      // a context without a (known) user still works: no credentials are sent. client-node
      // applies cluster TLS settings only when the context has a user, so give it an empty one.
      user: ue ? ue.name : ANONYMOUS,
      ...(str(ctx.body.namespace) ? { namespace: ctx.body.namespace } : {}),
    };
    if (!KubeConfigCtor) throw new Error('internal: loadClientNode() must run before clientConfig()');
    const kc = new KubeConfigCtor();
    kc.loadFromOptions({
      clusters: [toCluster(ce)],
      users: ue ? [toUser(ue)] : [{ name: ANONYMOUS }],
      contexts: [kcContext],
      currentContext: name,
    });
    cache.set(name, kc);
    return kc;
  };

  const endpoint = (name: string) => {
    const ctx = contexts.get(name);
    if (!ctx) throw new KubeconfigError(`context "${name}" not found in ${files.join(', ')}`);
    const ce = clusters.get(str(ctx.body.cluster) ?? '');
    const raw = str(ce?.body.server);
    const server = (raw && normalizeServer(raw)) || '';
    const userName = str(ctx.body.user);
    const ue = userName ? users.get(userName) : undefined;
    const creds = !!ue && Object.keys(ue.body ?? {}).some((k) => ue.body[k] !== undefined && ue.body[k] !== null && ue.body[k] !== '');
    // plain: no TLS, no proxy, no credentials -- nothing client-node would add
    return { server, plain: /^http:/i.test(server) && !creds && !str(ce?.body['proxy-url']) };
  };

  const entries = (name: string): ContextEntries => {
    const ctx = contexts.get(name);
    if (!ctx) throw new KubeconfigError(`context "${printable(name, 120)}" not found in ${files.join(', ')}`);
    const clusterName = str(ctx.body.cluster);
    if (!clusterName) throw new KubeconfigError(`cluster was not specified for context "${printable(name, 120)}"`);
    const ce = clusters.get(clusterName);
    if (!ce) throw new KubeconfigError(`cluster "${printable(clusterName, 120)}" was not found for context "${printable(name, 120)}"`);
    const userName = str(ctx.body.user);
    const ue = userName ? users.get(userName) : undefined;
    return {
      context: name,
      ...(str(ctx.body.namespace) ? { namespace: ctx.body.namespace } : {}),
      cluster: toClusterEntry(ce),
      ...(ue ? { user: toUserEntry(ue) } : {}),
    };
  };

  return { files, contexts: ctxList, currentContext, problems, clientConfig, endpoint, entries };
}
