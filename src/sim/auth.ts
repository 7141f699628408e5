/**
 * Who a request is: the authentication of the simulated apiserver, shared by every cluster of a
 * fleet (one CA, one token file, one exec-credential secret).
 *
 * As kube-apiserver with its default authenticators: a client certificate signed by the CA
 * (CN is the user, each O a group), then a bearer token (static tokens, and the short-lived
 * tokens the exec plugin prints). A credential that is presented and wrong is a 401, whatever
 * else the request carries that is right only counts if it is tried first and succeeds; a
 * request with no credential at all is `system:anonymous` (group `system:unauthenticated`),
 * which RBAC lets reach only /version, /healthz, /livez and /readyz. Every authenticated user
 * is also in `system:authenticated`.
 *
 * Plain HTTP (`--insecure-http`) is the old insecure port: a request without credentials is
 * `system:unsecured` in `system:masters` (everything allowed); a bearer token still counts.
 */
import { execPluginPath } from '../util/paths.js';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { FleetPki, subjectOf, type CertAndKey } from './tls.js';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
export const MASTERS = 'system:masters';
export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: [ALL_UNAUTHENTICATED] };
/** who a credential-less request is on a plain-http fleet (the apiserver's old insecure port) */
export const UNSECURED: UserInfo = { username: 'system:unsecured', groups: [MASTERS, ALL_AUTHENTICATED] };

export type Way = 'client-certificate' | 'token' | 'exec';

/** The people of the simulated fleet (their rights come from the scenario's bindings, rbac.ts). */
export interface SimUser {
  name: string;
  groups: string[];
  way: Way;
  /** what the scenario lets them do, for `kmux sim` and the docs */
  rights: string;
}

export const SIM_USERS: readonly SimUser[] = [
  { name: 'admin', groups: [MASTERS], way: 'client-certificate', rights: 'cluster-admin (group system:masters)' },
  { name: 'viewer', groups: [], way: 'token', rights: 'view in every namespace (ClusterRoleBinding viewer-view)' },
  { name: 'team-a', groups: ['team-a'], way: 'token', rights: 'edit in web and payments only (RoleBindings team-a-edit); no namespaces or nodes list' },
  { name: 'exec-user', groups: ['developers'], way: 'exec', rights: 'view in every namespace, through group developers (ClusterRoleBinding developers-view)' },
];

/** The exec credential plugin shipped with the sim: a Node script, run by the node that runs the sim. */
export const EXEC_PLUGIN = execPluginPath();
const EXEC_PREFIX = 'kmux-sim-exec';

/** What a kubeconfig's user entry holds for one user, and what a test sends. */
export interface Credentials {
  username: string;
  groups: string[];
  way: Way;
  /** client-certificate: PEM */
  cert?: string;
  key?: string;
  /** token: the bearer token */
  token?: string;
  /** exec: the plugin as a kubeconfig runs it (client.authentication.k8s.io/v1) */
  exec?: { command: string; args: string[]; env: { name: string; value: string }[] };
}

export class FleetAuth {
  readonly pki = new FleetPki();
  private readonly tokens = new Map<string, UserInfo>();
  private readonly execUsers = new Map<string, UserInfo>();
  private readonly creds = new Map<string, Credentials>();
  readonly execSecret = randomBytes(32).toString('hex');

  /**
   * @param secure TLS (the default): anonymous requests are system:anonymous. Plain HTTP:
   *   system:unsecured, a member of system:masters.
   * @param execTtlSeconds how long a token from the exec plugin lives
   */
  constructor(readonly secure = true, readonly execTtlSeconds = 600) {
    for (const u of SIM_USERS) {
      if (u.way === 'client-certificate') {
        const c = this.pki.clientCertificate(u.name, u.groups);
        this.creds.set(u.name, { username: u.name, groups: u.groups, way: u.way, cert: c.cert, key: c.key });
      } else if (u.way === 'token') {
        const token = this.addToken({ username: u.name, groups: u.groups });
        this.creds.set(u.name, { username: u.name, groups: u.groups, way: u.way, token });
      } else {
        this.execUsers.set(u.name, { username: u.name, groups: u.groups });
        this.creds.set(u.name, { username: u.name, groups: u.groups, way: u.way, exec: this.execConfig(u.name) });
      }
    }
  }

  /** The credentials of one of SIM_USERS. */
  credentials(name: string): Credentials {
    const c = this.creds.get(name);
    if (!c) throw new Error(`no user named ${name} in the simulated fleet (known: ${[...this.creds.keys()].join(', ')})`);
    return c;
  }

  /** A static bearer token for any identity (tests); returns the token. */
  addToken(user: UserInfo, token = randomBytes(24).toString('base64url')): string {
    this.tokens.set(token, { ...user, groups: [...user.groups] });
    return token;
  }

  /** A client certificate for any identity, signed by the fleet's CA (tests; `notAfter` for expired ones). */
  clientCertificate(user: string, groups: string[] = [], o: { notAfter?: Date } = {}): CertAndKey {
    return this.pki.clientCertificate(user, groups, o);
  }

  /** The kubeconfig `exec` entry that runs the plugin for `user`. */
  execConfig(user: string): NonNullable<Credentials['exec']> {
    return {
      command: process.execPath,
      args: [EXEC_PLUGIN],
      env: [
        { name: 'KMUX_SIM_EXEC_USER', value: user },
        { name: 'KMUX_SIM_EXEC_SECRET', value: this.execSecret },
        { name: 'KMUX_SIM_EXEC_TTL', value: String(this.execTtlSeconds) },
      ],
    };
  }

  /** What the plugin prints as the token (tests that send it themselves); expires `ttlSeconds` from now. */
  execToken(user: string, ttlSeconds = this.execTtlSeconds): string {
    return mintExecToken(this.execSecret, user, Math.floor(Date.now() / 1000) + ttlSeconds);
  }

  /** A user the exec plugin may print tokens for (tests). */
  addExecUser(user: UserInfo): void {
    this.execUsers.set(user.username, { ...user, groups: [...user.groups] });
  }

  /**
   * The user a request authenticates as, or undefined for a 401 (a credential that is
   * presented and wrong: a certificate the CA did not sign or that expired, an unknown or
   * expired bearer token).
   */
  authenticate(req: IncomingMessage): UserInfo | undefined {
    let failed = false;
    const socket = req.socket as TLSSocket;
    if (socket.encrypted && typeof socket.getPeerCertificate === 'function') {
      const peer = socket.getPeerCertificate();
      if (peer && Object.keys(peer).length > 0) {
        if (socket.authorized) {
          const { cn, o } = subjectOf(peer as unknown as { subject?: Record<string, string | string[]> });
          if (cn) return authenticated({ username: cn, groups: o });
        }
        failed = true;
      }
    }
    const auth = (req.headers.authorization ?? '').trim();
    const parts = auth.split(' ');
    if (parts.length >= 2 && parts[0].toLowerCase() === 'bearer' && parts[1]) {
      const user = this.tokenUser(parts[1]);
      if (user) return authenticated(user);
      failed = true;
    }
    if (failed) return undefined;
    return this.secure ? ANONYMOUS : UNSECURED;
  }

  private tokenUser(token: string): UserInfo | undefined {
    const known = this.tokens.get(token);
    if (known) return known;
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== EXEC_PREFIX) return undefined;
    const [, user64, exp, sig] = parts;
    const user = Buffer.from(user64, 'base64url').toString('utf8');
    const want = Buffer.from(execSignature(this.execSecret, user, Number(exp)));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    if (!(Number(exp) * 1000 > Date.now())) return undefined;
    return this.execUsers.get(user);
  }
}

function authenticated(u: UserInfo): UserInfo {
  return u.groups.includes(ALL_AUTHENTICATED) ? u : { ...u, groups: [...u.groups, ALL_AUTHENTICATED] };
}

function execSignature(secret: string, user: string, exp: number): string {
  return createHmac('sha256', secret).update(`${user}.${exp}`).digest('base64url');
}

/** The token format the exec plugin prints (exec-plugin.mjs computes the same). */
export function mintExecToken(secret: string, user: string, exp: number): string {
  return `${EXEC_PREFIX}.${Buffer.from(user, 'utf8').toString('base64url')}.${exp}.${execSignature(secret, user, exp)}`;
}
