/**
 * The built-in shell of a simulated container: what `kubectl exec` and `kubectl attach` talk to.
 * Pure: a Session takes stdin bytes and terminal sizes and writes to stdout/stderr sinks; it
 * knows nothing of WebSockets (exec.ts carries it over the channel protocol).
 *
 * A container is a Machine: a hostname, an environment and a tiny filesystem built from the
 * pod. Each session gets its own copy, so writes (`echo x > /tmp/f`, `mkdir`) last as long as
 * the session does. The language is a small POSIX subset: words with quotes and `$VAR`
 * expansion, `;` `&&` `||` `|`, redirections to files and `/dev/null`, `2>&1`, and assignments.
 */
import { StringDecoder } from 'node:string_decoder';

/** A file's text, or null for a directory. */
export type Fs = Map<string, string | null>;

export interface Machine {
  hostname: string;
  ip: string;
  /** the container's environment, in the order `env` prints it. */
  env: [string, string][];
  fs: Fs;
}

const DEBIAN_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;

const ALPINE_OS_RELEASE = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.21.0
PRETTY_NAME="Alpine Linux v3.21"
HOME_URL="https://alpinelinux.org/"
`;

/** Programs every simulated image has in /bin (bash only where the image is not Alpine or busybox). */
const PROGRAM_NAMES = ['cat', 'clear', 'echo', 'env', 'false', 'grep', 'head', 'hostname', 'id', 'ls', 'mkdir', 'printenv', 'pwd', 'sh', 'stty', 'touch', 'true', 'uname', 'which', 'whoami'];
/** Commands only a shell runs: not files, so `kubectl exec POD -- cd` fails as it does in a real container. */
const BUILTINS = new Set(['cd', 'exit', 'export', 'unset', 'exec', 'command', ':', 'echo', 'pwd', 'true', 'false']);

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function addFile(fs: Fs, path: string, content: string | null): void {
  for (let d = parentOf(path); !fs.has(d); d = parentOf(d)) fs.set(d, null);
  fs.set(path, content);
}

/** `value` of a downward-API field reference, for the env vars kubectl users commonly set. */
function fieldValue(pod: any, path: string): string | undefined {
  switch (path) {
    case 'metadata.name': return pod.metadata.name;
    case 'metadata.namespace': return pod.metadata.namespace;
    case 'metadata.uid': return pod.metadata.uid;
    case 'spec.nodeName': return pod.spec.nodeName;
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName;
    case 'status.podIP': return pod.status?.podIP;
    case 'status.hostIP': return pod.status?.hostIP;
    default: return undefined;
  }
}

export interface MachineOptions {
  /** TERM=xterm is set for a session with a terminal, as container runtimes do. */
  tty?: boolean;
  /** data of a ConfigMap in the pod's namespace, for configMap volumes and env references. */
  configMap?: (name: string) => Record<string, string> | undefined;
}

/** The container `container` of `pod`, as its built-in shell sees it. */
export function machineFor(pod: any, container: string, o: MachineOptions = {}): Machine {
  const spec = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].find((c: any) => c.name === container) ?? {};
  const hostname = String(pod.spec.hostname ?? pod.metadata.name).slice(0, 63);
  const ns = pod.metadata.namespace ?? 'default';
  const ip = pod.status?.podIP ?? '';
  const alpine = /alpine|busybox/.test(spec.image ?? '');
  const env: [string, string][] = [['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ['HOSTNAME', hostname]];
  if (o.tty) env.push(['TERM', 'xterm']);
  for (const e of spec.env ?? []) {
    const ref = e.valueFrom;
    const v = e.value ?? (ref?.fieldRef ? fieldValue(pod, ref.fieldRef.fieldPath)
      : ref?.configMapKeyRef ? o.configMap?.(ref.configMapKeyRef.name)?.[ref.configMapKeyRef.key] : undefined);
    if (v !== undefined) env.push([e.name, String(v)]);
  }
  env.push(
    ['KUBERNETES_SERVICE_HOST', '10.96.0.1'], ['KUBERNETES_SERVICE_PORT', '443'], ['KUBERNETES_SERVICE_PORT_HTTPS', '443'],
    ['KUBERNETES_PORT', 'tcp://10.96.0.1:443'], ['KUBERNETES_PORT_443_TCP', 'tcp://10.96.0.1:443'],
    ['KUBERNETES_PORT_443_TCP_PROTO', 'tcp'], ['KUBERNETES_PORT_443_TCP_PORT', '443'], ['KUBERNETES_PORT_443_TCP_ADDR', '10.96.0.1'],
    ['HOME', '/root'],
  );
  const fs: Fs = new Map([['/', null]]);
  for (const d of ['/root', '/tmp', '/home', '/usr/local/bin', '/var/log', '/var/tmp', '/proc', '/sys']) addFile(fs, d, null);
  for (const p of PROGRAM_NAMES) addFile(fs, `/bin/${p}`, '');
  if (!alpine) addFile(fs, '/bin/bash', '');
  addFile(fs, '/dev/null', '');
  const fqdn = pod.spec.subdomain ? `${hostname}.${pod.spec.subdomain}.${ns}.svc.cluster.local\t` : '';
  addFile(fs, '/etc/hostname', `${hostname}\n`);
  addFile(fs, '/etc/hosts', [
    '# Kubernetes-managed hosts file.', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix', 'fe00::1\tip6-allnodes', 'fe00::2\tip6-allrouters', `${ip}\t${fqdn}${hostname}`,
  ].join('\n') + '\n');
  addFile(fs, '/etc/resolv.conf', `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`);
  addFile(fs, '/etc/os-release', alpine ? ALPINE_OS_RELEASE : DEBIAN_OS_RELEASE);
  addFile(fs, '/etc/passwd', `root:x:0:0:root:/root:/bin/${alpine ? 'sh' : 'bash'}\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`);
  addFile(fs, '/var/run/secrets/kubernetes.io/serviceaccount/namespace', ns);
  const volumes = new Map<string, any>((pod.spec.volumes ?? []).map((v: any) => [v.name, v]));
  for (const m of spec.volumeMounts ?? []) {
    const dir = normalize('/', m.mountPath);
    addFile(fs, dir, null);
    const cm = volumes.get(m.name)?.configMap;
    const data = cm ? o.configMap?.(cm.name) : undefined;
    for (const [k, v] of Object.entries(data ?? {})) addFile(fs, `${dir === '/' ? '' : dir}/${k}`, v);
  }
  return { hostname, ip, env, fs };
}

/** An absolute, normalized path for `p` seen from `cwd`. */
export function normalize(cwd: string, p: string): string {
  const out: string[] = [];
  for (const part of (p.startsWith('/') ? p : `${cwd}/${p}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

/** The file `kubectl exec POD -- NAME` runs, or undefined when the container has none. */
export function findProgram(m: Machine, name: string): string | undefined {
  const path = name.includes('/') ? normalize('/', name) : `/bin/${name}`;
  return typeof m.fs.get(path) === 'string' && path.startsWith('/bin/') ? path : undefined;
}

/**
 * Why a container runtime would refuse to start `argv` (the tail of containerd's message),
 * or undefined when it starts.
 */
export function execError(m: Machine, argv: string[]): string | undefined {
  const name = argv[0] ?? '';
  if (findProgram(m, name)) return undefined;
  if (name.includes('/')) return `exec: "${name}": stat ${name}: no such file or directory`;
  return `exec: "${name}": executable file not found in $PATH`;
}

// ---------------------------------------------------------------- parsing

type Sink = (s: string) => void;
const DISCARD: Sink = () => {};

interface Redirect {
  fd: number;
  op: '>' | '>>' | '<' | '>&';
  target: string;
}

interface Simple {
  words: string[];
  redirects: Redirect[];
}

interface AndOr {
  op: ';' | '&&' | '||';
  pipeline: Simple[];
}

export class ShellSyntaxError extends Error {}

/** Splits a script into and-or lists of pipelines; words stay raw (quotes kept) until run. */
export function parse(src: string): AndOr[] {
  const items: AndOr[] = [];
  let pipeline: Simple[] = [];
  let cmd: Simple = { words: [], redirects: [] };
  let word = '';
  let inWord = false;
  let pendingRedirect: Omit<Redirect, 'target'> | undefined;
  let nextOp: AndOr['op'] = ';';
  const endWord = () => {
    if (!inWord) return;
    if (pendingRedirect) {
      cmd.redirects.push({ ...pendingRedirect, target: word });
      pendingRedirect = undefined;
    } else cmd.words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (required: boolean, token: string) => {
    endWord();
    if (pendingRedirect) throw new ShellSyntaxError(`Syntax error: ${token === '\n' ? 'newline' : `"${token}"`} unexpected`);
    if (cmd.words.length === 0 && cmd.redirects.length === 0) {
      if (required) throw new ShellSyntaxError(`Syntax error: "${token}" unexpected`);
      return;
    }
    pipeline.push(cmd);
    cmd = { words: [], redirects: [] };
  };
  const endList = (op: '&&' | '||' | ';' | '\n' | 'eof') => {
    endCommand(pipeline.length > 0, op === 'eof' ? '\n' : op);
    if (pipeline.length > 0) {
      items.push({ op: nextOp, pipeline });
      pipeline = [];
      nextOp = op === '&&' || op === '||' ? op : ';';
    } else if (op === '&&' || op === '||' || (op === ';' && nextOp !== ';')) {
      throw new ShellSyntaxError(`Syntax error: "${op}" unexpected`);
    } else if (op === 'eof' && nextOp !== ';') {
      throw new ShellSyntaxError('Syntax error: end of file unexpected');
    }
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\' && i + 1 < src.length) {
      word += c + src[++i];
      inWord = true;
    } else if (c === "'" || c === '"') {
      const end = findQuoteEnd(src, i);
      word += src.slice(i, end + 1);
      inWord = true;
      i = end;
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else if (c === '#' && !inWord) {
      while (i + 1 < src.length && src[i + 1] !== '\n') i++;
    } else if (c === '\n' || c === ';' || c === '&') {
      const two = src.slice(i, i + 2);
      if (two === '&&') {
        endList('&&');
        i++;
      } else if (c === '&' && src[i + 1] === '>') {
        // &>file: stdout and stderr to the file
        endWord();
        const append = src[i + 2] === '>';
        pendingRedirect = { fd: 3, op: append ? '>>' : '>' };
        i += append ? 2 : 1;
      } else endList(c === '\n' ? '\n' : ';');
    } else if (c === '|') {
      if (src[i + 1] === '|') {
        endList('||');
        i++;
      } else endCommand(true, '|');
    } else if (c === '>' || c === '<') {
      let fd = c === '<' ? 0 : 1;
      if (inWord && /^[0-9]$/.test(word)) {
        fd = Number(word);
        word = '';
        inWord = false;
      } else endWord();
      if (pendingRedirect) throw new ShellSyntaxError(`Syntax error: redirection unexpected`);
      let op: Redirect['op'] = c;
      if (c === '>' && src[i + 1] === '>') {
        op = '>>';
        i++;
      } else if (c === '>' && src[i + 1] === '&') {
        op = '>&';
        i++;
      }
      pendingRedirect = { fd, op };
    } else {
      word += c;
      inWord = true;
    }
  }
  endList('eof');
  return items;
}

function findQuoteEnd(src: string, start: number): number {
  const q = src[start];
  for (let i = start + 1; i < src.length; i++) {
    if (q === '"' && src[i] === '\\') i++;
    else if (src[i] === q) return i;
  }
  throw new ShellSyntaxError('Syntax error: Unterminated quoted string');
}

/** Values `$NAME` and friends expand to. */
export interface Scope {
  get(name: string): string | undefined;
}

/**
 * Quote removal and parameter expansion of one raw word. Unquoted expansions split on
 * whitespace (and vanish when empty), quoted ones do not.
 */
export function expand(raw: string, scope: Scope): string[] {
  const fields: string[] = [];
  let cur = '';
  let has = false;
  const lit = (s: string) => {
    cur += s;
    has = true;
  };
  const unquoted = (v: string) => {
    const parts = v.split(/[ \t\n]+/);
    parts.forEach((p, k) => {
      if (k > 0 && has) {
        fields.push(cur);
        cur = '';
        has = false;
      }
      if (p !== '') lit(p);
    });
  };
  const param = (i: number, quoted: boolean): number => {
    const rest = raw.slice(i + 1);
    const m = /^\{([A-Za-z_][A-Za-z0-9_]*|[0-9?#$@*])\}/.exec(rest) ?? /^([A-Za-z_][A-Za-z0-9_]*|[0-9?#$@*])/.exec(rest);
    if (!m) {
      lit('$');
      return i;
    }
    const v = scope.get(m[1]) ?? '';
    if (quoted) lit(v);
    else unquoted(v);
    return i + m[0].length;
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') lit(raw[++i] ?? '');
    else if (c === "'") {
      const end = raw.indexOf("'", i + 1) < 0 ? raw.length : raw.indexOf("'", i + 1);
      lit(raw.slice(i + 1, end));
      i = end;
    } else if (c === '"') {
      has = true;
      for (i++; i < raw.length && raw[i] !== '"'; i++) {
        if (raw[i] === '\\' && /["\\$`\n]/.test(raw[i + 1] ?? '')) lit(raw[++i]);
        else if (raw[i] === '$') i = param(i, true);
        else lit(raw[i]);
      }
    } else if (c === '$') i = param(i, false);
    else lit(c);
  }
  if (has) fields.push(cur);
  return fields;
}

// ---------------------------------------------------------------- processes

const SUSPENDED = Symbol('suspended');
/** A command's outcome: its status, an exit of the shell running it, or waiting on stdin. */
type Result = number | { exit: number } | typeof SUSPENDED;

interface Io {
  out: Sink;
  err: Sink;
}

/** A process that may read the terminal; the one on top of the session's stack does. */
abstract class Proc {
  reads = false;
  sawEof = false;
  constructor(readonly session: Session, readonly io: Io, private readonly onExit: (code: number) => void) {}
  line(_text: string): void {}
  eof(): void {}
  interrupt(): void {}
  exit(code: number): void {
    this.session.pop(this);
    this.onExit(code);
    this.session.settle();
  }
}

/** `cat` reading the terminal: lines back out until EOF. */
class Cat extends Proc {
  override reads = true;
  override line(text: string): void {
    this.io.out(text + '\n');
  }
  override eof(): void {
    this.exit(0);
  }
  override interrupt(): void {
    this.exit(130);
  }
}

interface ShellOptions {
  name: 'sh' | 'bash';
  /** reads command lines from the terminal (with a prompt on a tty); otherwise runs one script. */
  reader: boolean;
  args?: string[];
  /** stdin is this text, not the terminal (`echo hostname | sh`). */
  stdinText?: string;
}

type Builtin = (sh: Shell, args: string[], io: Io, k: (code: number) => void) => Result;

class Shell extends Proc {
  readonly vars = new Map<string, string>();
  readonly exported = new Set<string>();
  cwd = '/';
  status = 0;
  private suspended = false;

  constructor(session: Session, io: Io, onExit: (code: number) => void, readonly o: ShellOptions, parent?: Shell) {
    super(session, io, onExit);
    const env = parent ? parent.environment() : session.machine.env;
    for (const [k, v] of env) {
      this.vars.set(k, v);
      this.exported.add(k);
    }
    this.cwd = parent?.cwd ?? '/';
    if (parent || o.reader || o.args) {
      this.setVar('PWD', this.cwd, true);
      this.setVar('SHLVL', String(Number(this.vars.get('SHLVL') ?? 0) + 1), true);
    }
    this.reads = o.reader;
  }

  get m(): Machine {
    return this.session.machine;
  }

  setVar(name: string, value: string, exported = false): void {
    this.vars.set(name, value);
    if (exported) this.exported.add(name);
  }

  environment(overlay: [string, string][] = []): [string, string][] {
    const env = new Map([...this.vars].filter(([k]) => this.exported.has(k)));
    for (const [k, v] of overlay) env.set(k, v);
    return [...env];
  }

  scope(): Scope {
    const args = this.o.args ?? [];
    return {
      get: (name) => {
        if (name === '?') return String(this.status);
        if (name === '$') return '1';
        if (name === '#') return String(Math.max(0, args.length - 1));
        if (name === '@' || name === '*') return args.slice(1).join(' ');
        if (/^[0-9]$/.test(name)) return name === '0' ? (args[0] ?? this.o.name) : args[Number(name)];
        return this.vars.get(name);
      },
    };
  }

  /** Errors as the shell reports them: `sh: X: not found` or `bash: X: command not found`. */
  complain(io: Io, what: string): void {
    io.err(`${this.o.name}: ${what}\n`);
  }

  prompt(): void {
    if (!this.o.reader || !this.session.tty) return;
    const home = this.vars.get('HOME');
    const shown = home && home !== '/' && (this.cwd === home || this.cwd.startsWith(home + '/')) ? '~' + this.cwd.slice(home.length) : this.cwd;
    this.io.out(this.o.name === 'bash' ? `root@${this.m.hostname}:${shown}# ` : `${shown} # `);
  }

  override line(text: string): void {
    if (this.suspended) return;
    this.run(text);
  }

  override eof(): void {
    if (this.o.name === 'bash' && this.session.tty) this.io.err('exit\n');
    this.exit(this.status);
  }

  override interrupt(): void {
    this.status = 130;
    this.prompt();
  }

  /** Runs a script (a command line, or the script of `sh -c`). */
  run(src: string): void {
    let items: AndOr[];
    try {
      items = parse(src);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      this.complain(this.io, e.message);
      this.status = 2;
      return this.idle();
    }
    this.continueList(items, 0);
  }

  /** Runs a command given as argv (the command of an exec without a shell). */
  runArgv(argv: string[]): void {
    const r = this.runProgram(argv, undefined, this.io, [], (code) => this.exit(code));
    if (r !== SUSPENDED) this.exit(typeof r === 'number' ? r : r.exit);
  }

  private continueList(items: AndOr[], from: number): void {
    for (let i = from; i < items.length; i++) {
      const { op, pipeline } = items[i];
      if ((op === '&&' && this.status !== 0) || (op === '||' && this.status === 0)) continue;
      const r = this.runPipeline(pipeline, (code) => {
        this.suspended = false;
        this.reads = this.o.reader;
        this.status = code;
        this.continueList(items, i + 1);
      });
      if (r === SUSPENDED) {
        this.suspended = true;
        this.reads = false;
        return;
      }
      if (typeof r !== 'number') return this.exit(r.exit);
      this.status = r;
    }
    this.idle();
  }

  private idle(): void {
    if (this.o.reader) this.prompt();
    else this.exit(this.status);
  }

  private runPipeline(pipeline: Simple[], k: (code: number) => void): Result {
    if (pipeline.length === 1) return this.runSimple(pipeline[0], undefined, this.io, k);
    let input = '';
    let code = 0;
    for (const [n, cmd] of pipeline.entries()) {
      let out = '';
      const io = n === pipeline.length - 1 ? this.io : { out: (s: string) => void (out += s), err: this.io.err };
      // every stage of a pipeline reads a pipe, never the terminal: nothing here suspends
      const r = this.runSimple(cmd, input, io, () => {});
      code = r === SUSPENDED ? 0 : typeof r === 'number' ? r : r.exit;
      input = out;
    }
    return code;
  }

  private runSimple(cmd: Simple, stdin: string | undefined, io: Io, k: (code: number) => void): Result {
    const scope = this.scope();
    const assigns: [string, string][] = [];
    const words: string[] = [];
    for (const raw of cmd.words) {
      const m = words.length === 0 ? /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(raw) : null;
      if (m) assigns.push([m[1], expand(m[2], scope).join(' ')]);
      else words.push(...expand(raw, scope));
    }
    const redirected = this.redirect(cmd.redirects, io, stdin);
    if (typeof redirected === 'number') return redirected;
    if (words.length === 0) {
      for (const [k2, v] of assigns) this.setVar(k2, v);
      return 0;
    }
    return this.runProgram(words, redirected.stdin ?? this.o.stdinText, redirected.io, assigns, k);
  }

  /** Applies redirections left to right: files, /dev/null, and fd duplication. */
  private redirect(redirects: Redirect[], io: Io, stdin: string | undefined): { io: Io; stdin?: string } | number {
    const fds: Record<number, Sink> = { 1: io.out, 2: io.err };
    const scope = this.scope();
    for (const r of redirects) {
      const target = expand(r.target, scope).join(' ');
      if (r.op === '>&') {
        if (target === '1' || target === '2') fds[r.fd] = fds[Number(target)];
        continue;
      }
      const path = normalize(this.cwd, target);
      const node = this.m.fs.get(path);
      if (r.op === '<') {
        if (typeof node !== 'string') {
          this.complain(io, `cannot open ${target}: ${node === null ? 'Is a directory' : 'No such file'}`);
          return 2;
        }
        stdin = node;
        continue;
      }
      let sink: Sink = DISCARD;
      if (path !== '/dev/null') {
        if (node === null || this.m.fs.get(parentOf(path)) !== null) {
          this.complain(io, `cannot create ${target}: ${node === null ? 'Is a directory' : 'Directory nonexistent'}`);
          return 2;
        }
        if (r.op === '>' || node === undefined) this.m.fs.set(path, '');
        sink = (s) => void this.m.fs.set(path, (this.m.fs.get(path) ?? '') + s);
      }
      if (r.fd === 3) fds[1] = fds[2] = sink;
      else fds[r.fd] = sink;
    }
    return { io: { out: fds[1], err: fds[2] }, stdin };
  }

  /**
   * Starts `proc` and reports how it ended: its code when it finished at once, otherwise
   * SUSPENDED and `k` later.
   */
  private spawn(make: (onExit: (code: number) => void) => Proc, start: (p: Proc) => void, k: (code: number) => void): Result {
    let sync = true;
    let code: number | undefined;
    const proc = make((c) => {
      if (sync) code = c;
      else k(c);
    });
    this.session.push(proc);
    start(proc);
    this.session.settle();
    sync = false;
    return code ?? SUSPENDED;
  }

  runProgram(argv: string[], stdin: string | undefined, io: Io, assigns: [string, string][], k: (code: number) => void): Result {
    const [name, ...args] = argv;
    if (Object.hasOwn(BUILTIN_IMPLS, name)) return BUILTIN_IMPLS[name](this, args, io, k);
    const path = findProgram(this.m, name);
    if (!path) {
      this.complain(io, this.o.name === 'bash' ? `${name}: command not found` : `${name}: not found`);
      return 127;
    }
    const prog = path.slice(path.lastIndexOf('/') + 1);
    if (prog === 'sh' || prog === 'bash') return this.startShell(prog, args, stdin, io, assigns, k);
    if (prog === 'cat' && stdin === undefined && args.every((a) => a === '-')) {
      return this.spawn((onExit) => new Cat(this.session, io, onExit), () => {}, k);
    }
    if (!Object.hasOwn(PROGRAMS, prog)) {
      this.complain(io, `${name}: Permission denied`);
      return 126;
    }
    const ctx: Ctx = { m: this.m, cwd: this.cwd, env: this.environment(assigns), stdin: stdin ?? '', io, session: this.session };
    return PROGRAMS[prog](ctx, args);
  }

  private startShell(name: 'sh' | 'bash', args: string[], stdin: string | undefined, io: Io, assigns: [string, string][], k: (code: number) => void): Result {
    let script: string | undefined;
    let i = 0;
    for (; i < args.length && /^[-+]/.test(args[i]); i++) {
      if (args[i] === '--') {
        i++;
        break;
      }
      if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(args[i])) script = args[++i] ?? '';
    }
    if (script === undefined && i < args.length) {
      const file = this.m.fs.get(normalize(this.cwd, args[i]));
      if (typeof file !== 'string') {
        io.err(name === 'bash' ? `bash: ${args[i]}: No such file or directory\n` : `sh: 0: cannot open ${args[i]}: No such file\n`);
        return name === 'bash' ? 127 : 2;
      }
      script = file;
    }
    const fromText = script === undefined && stdin !== undefined;
    const o: ShellOptions = {
      name, reader: script === undefined && !fromText, stdinText: fromText ? '' : stdin,
      args: script !== undefined ? args.slice(i) : [name],
    };
    if (o.args!.length === 0) o.args = [name];
    return this.spawn((onExit) => {
      const sh = new Shell(this.session, io, onExit, o, this);
      for (const [k2, v] of assigns) sh.setVar(k2, v, true);
      return sh;
    }, (p) => {
      const sh = p as Shell;
      if (script !== undefined) sh.run(script);
      else if (fromText) sh.run(stdin!);
      else sh.prompt();
    }, k);
  }
}

const BUILTIN_IMPLS: Record<string, Builtin> = {
  ':': () => 0,
  cd: (sh, args, io) => {
    const target = args[0] === undefined ? (sh.vars.get('HOME') ?? '/') : args[0] === '-' ? (sh.vars.get('OLDPWD') ?? sh.cwd) : args[0];
    const path = normalize(sh.cwd, target);
    const node = sh.m.fs.get(path);
    if (node !== null) {
      sh.complain(io, `cd: ${target}: ${node === undefined ? 'No such file or directory' : 'Not a directory'}`);
      return sh.o.name === 'bash' ? 1 : 2;
    }
    if (args[0] === '-') io.out(path + '\n');
    sh.setVar('OLDPWD', sh.cwd, true);
    sh.cwd = path;
    sh.setVar('PWD', path, true);
    return 0;
  },
  exit: (sh, args, io) => {
    if (sh.o.reader && sh.o.name === 'bash' && sh.session.tty) io.err('exit\n');
    if (args[0] === undefined) return { exit: sh.status };
    if (!/^[0-9]+$/.test(args[0])) {
      sh.complain(io, `exit: Illegal number: ${args[0]}`);
      return { exit: 2 };
    }
    return { exit: Number(args[0]) & 255 };
  },
  export: (sh, args) => {
    for (const a of args) {
      const eq = a.indexOf('=');
      if (eq > 0) sh.setVar(a.slice(0, eq), a.slice(eq + 1), true);
      else sh.exported.add(a);
    }
    return 0;
  },
  unset: (sh, args) => {
    for (const a of args) {
      sh.vars.delete(a);
      sh.exported.delete(a);
    }
    return 0;
  },
  command: (sh, args, io, k) => {
    if (args[0] === '-v' || args[0] === '-V') {
      let code = 0;
      for (const name of args.slice(1)) {
        const where = BUILTINS.has(name) ? name : findProgram(sh.m, name);
        if (where) io.out(where + '\n');
        else code = 1;
      }
      return code;
    }
    return args.length === 0 ? 0 : sh.runProgram(args, undefined, io, [], k);
  },
  // `exec CMD`: CMD replaces the shell, which ends when CMD does, with its code
  exec: (sh, args, io, k) => {
    if (args.length === 0) return 0;
    const r = sh.runProgram(args, undefined, io, [], (code) => sh.exit(code));
    return r === SUSPENDED ? r : { exit: typeof r === 'number' ? r : r.exit };
  },
};
// ---------------------------------------------------------------- programs

interface Ctx {
  m: Machine;
  cwd: string;
  env: [string, string][];
  stdin: string;
  io: Io;
  session: Session;
}

type Program = (c: Ctx, args: string[]) => number;

function flagsAndOperands(args: string[]): { flags: Set<string>; operands: string[] } {
  const flags = new Set<string>();
  const operands: string[] = [];
  for (const a of args) {
    if (a.length > 1 && a.startsWith('-') && operands.length === 0) for (const f of a.slice(1)) flags.add(f);
    else operands.push(a);
  }
  return { flags, operands };
}

function lsLine(m: Machine, path: string, name: string): string {
  const node = m.fs.get(path);
  const mode = node === null ? 'drwxr-xr-x' : path.startsWith('/bin/') ? '-rwxr-xr-x' : '-rw-r--r--';
  const size = node === null ? 4096 : Buffer.byteLength(node ?? '');
  return `${mode} ${node === null ? 2 : 1} root root ${String(size).padStart(5)} Jan  1 00:00 ${name}`;
}

function childrenOf(m: Machine, dir: string): string[] {
  const prefix = dir === '/' ? '/' : dir + '/';
  const names: string[] = [];
  for (const p of m.fs.keys()) if (p !== dir && p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) names.push(p.slice(prefix.length));
  return names.sort();
}

/** Reads operands (or stdin for none and `-`), reporting missing files like coreutils. */
function readInputs(c: Ctx, prog: string, operands: string[], each: (text: string) => void): number {
  let code = 0;
  for (const f of operands.length === 0 ? ['-'] : operands) {
    if (f === '-') {
      each(c.stdin);
      continue;
    }
    const node = c.m.fs.get(normalize(c.cwd, f));
    if (typeof node === 'string') each(node);
    else {
      c.io.err(`${prog}: ${f}: ${node === null ? 'Is a directory' : 'No such file or directory'}\n`);
      code = prog === 'grep' ? 2 : 1;
    }
  }
  return code;
}

const PROGRAMS: Record<string, Program> = {
  true: () => 0,
  false: () => 1,
  hostname: (c, args) => {
    c.io.out((args[0] === '-i' || args[0] === '-I' ? c.m.ip : c.m.hostname) + '\n');
    return 0;
  },
  echo: (c, args) => {
    const n = args[0] === '-n';
    c.io.out(args.slice(n ? 1 : 0).join(' ') + (n ? '' : '\n'));
    return 0;
  },
  pwd: (c) => {
    c.io.out(c.cwd + '\n');
    return 0;
  },
  env: (c, args) => {
    const env = new Map(c.env);
    for (const a of args) {
      const eq = a.indexOf('=');
      if (eq <= 0) {
        c.io.err(`env: '${a}': No such file or directory\n`);
        return 127;
      }
      env.set(a.slice(0, eq), a.slice(eq + 1));
    }
    for (const [k, v] of env) c.io.out(`${k}=${v}\n`);
    return 0;
  },
  printenv: (c, args) => {
    const env = new Map(c.env);
    if (args.length === 0) return PROGRAMS.env(c, []);
    let code = 0;
    for (const a of args) {
      const v = env.get(a);
      if (v === undefined) code = 1;
      else c.io.out(v + '\n');
    }
    return code;
  },
  ls: (c, args) => {
    const { flags, operands } = flagsAndOperands(args);
    const paths = operands.length ? operands : ['.'];
    let code = 0;
    const blocks: string[] = [];
    for (const p of paths) {
      const abs = normalize(c.cwd, p);
      const node = c.m.fs.get(abs);
      if (node === undefined) {
        c.io.err(`ls: cannot access '${p}': No such file or directory\n`);
        code = 2;
        continue;
      }
      let names = node === null ? childrenOf(c.m, abs) : [p];
      if (node === null && !flags.has('a')) names = names.filter((n) => !n.startsWith('.'));
      if (node === null && flags.has('a')) names = ['.', '..', ...names];
      const full = (n: string) => (node === null ? normalize(abs, n) : abs);
      const body = flags.has('l') ? names.map((n) => lsLine(c.m, full(n), n) + '\n').join('')
        : names.length === 0 ? '' : c.session.tty && !flags.has('1') ? names.join('  ') + '\n' : names.map((n) => n + '\n').join('');
      blocks.push(paths.length > 1 && node === null ? `${p}:\n${body}` : body);
    }
    c.io.out(blocks.join(paths.length > 1 ? '\n' : ''));
    return code;
  },
  cat: (c, args) => readInputs(c, 'cat', args, (t) => c.io.out(t)),
  grep: (c, args) => {
    const { flags, operands } = flagsAndOperands(args);
    if (operands.length === 0) {
      c.io.err('Usage: grep [OPTION]... PATTERNS [FILE]...\n');
      return 2;
    }
    const [pattern, ...files] = operands;
    let re: RegExp;
    try {
      re = new RegExp(pattern, flags.has('i') ? 'i' : '');
    } catch {
      re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags.has('i') ? 'i' : '');
    }
    let matched = false;
    const code = readInputs(c, 'grep', files, (t) => {
      for (const l of t.split('\n').slice(0, t.endsWith('\n') ? -1 : undefined)) {
        if (re.test(l) !== flags.has('v')) {
          matched = true;
          c.io.out(l + '\n');
        }
      }
    });
    return code || (matched ? 0 : 1);
  },
  head: (c, args) => {
    let n = 10;
    const files: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '-n') n = Number(args[++i]);
      else if (/^-[0-9]+$/.test(args[i])) n = Number(args[i].slice(1));
      else files.push(args[i]);
    }
    return readInputs(c, 'head', files, (t) => {
      const lines = t.split('\n');
      c.io.out(lines.slice(0, n).join('\n') + (lines.length > n ? '\n' : ''));
    });
  },
  id: (c) => {
    c.io.out('uid=0(root) gid=0(root) groups=0(root)\n');
    return 0;
  },
  whoami: (c) => {
    c.io.out('root\n');
    return 0;
  },
  uname: (c, args) => {
    const { flags } = flagsAndOperands(args);
    const all: [string, string][] = [['s', 'Linux'], ['n', c.m.hostname], ['r', '6.1.0-28-amd64'], ['v', '#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1'], ['m', 'x86_64'], ['o', 'GNU/Linux']];
    const picked = flags.has('a') ? all : all.filter(([f]) => flags.has(f));
    c.io.out((picked.length ? picked : all.slice(0, 1)).map(([, v]) => v).join(' ') + '\n');
    return 0;
  },
  clear: (c) => {
    c.io.out('\x1b[H\x1b[2J\x1b[3J');
    return 0;
  },
  which: (c, args) => {
    let code = 0;
    for (const a of args) {
      const p = findProgram(c.m, a);
      if (p) c.io.out(p + '\n');
      else code = 1;
    }
    return code;
  },
  mkdir: (c, args) => {
    const { flags, operands } = flagsAndOperands(args);
    let code = 0;
    for (const d of operands) {
      const path = normalize(c.cwd, d);
      if (c.m.fs.has(path) && !(flags.has('p') && c.m.fs.get(path) === null)) {
        c.io.err(`mkdir: cannot create directory '${d}': File exists\n`);
        code = 1;
      } else if (c.m.fs.get(parentOf(path)) !== null && !flags.has('p')) {
        c.io.err(`mkdir: cannot create directory '${d}': No such file or directory\n`);
        code = 1;
      } else addFile(c.m.fs, path, null);
    }
    return code;
  },
  touch: (c, args) => {
    let code = 0;
    for (const f of args) {
      const path = normalize(c.cwd, f);
      if (c.m.fs.has(path)) continue;
      if (c.m.fs.get(parentOf(path)) !== null) {
        c.io.err(`touch: cannot touch '${f}': No such file or directory\n`);
        code = 1;
      } else c.m.fs.set(path, '');
    }
    return code;
  },
  stty: (c, args) => {
    if (!c.session.tty) {
      c.io.err(`stty: 'standard input': Inappropriate ioctl for device\n`);
      return 1;
    }
    if (args[0] === 'size') c.io.out(`${c.session.rows} ${c.session.cols}\n`);
    return 0;
  },
};

// ---------------------------------------------------------------- the session

export interface SessionIO {
  stdout(s: string): void;
  stderr(s: string): void;
  /** the first process ended with this code: the session is over. */
  exit(code: number): void;
}

export interface SessionOptions {
  /** a terminal: echo, line editing, ^C and ^D, a prompt, `\r\n` line ends, stderr on stdout. */
  tty: boolean;
}

/**
 * One exec (or attach) in a container: a stack of processes, the top one reading the
 * terminal, and for a tty the line discipline in front of it.
 */
export class Session {
  cols = 80;
  rows = 24;
  code?: number;
  private readonly stack: Proc[] = [];
  private readonly decoder = new StringDecoder('utf8');
  private line = '';
  private pending = '';
  private stdinClosed = false;
  private escape: '' | 'esc' | 'csi' = '';
  private lastCr = false;
  private readonly io: Io;

  constructor(readonly machine: Machine, private readonly sink: SessionIO, private readonly o: SessionOptions) {
    const term = (s: string) => s.replace(/\r?\n/g, '\r\n');
    this.io = o.tty
      ? { out: (s) => this.alive && sink.stdout(term(s)), err: (s) => this.alive && sink.stdout(term(s)) }
      : { out: (s) => this.alive && sink.stdout(s), err: (s) => this.alive && sink.stderr(s) };
  }

  get tty(): boolean {
    return this.o.tty;
  }

  get alive(): boolean {
    return this.code === undefined;
  }

  /** Runs `argv` as a container runtime would: the file it names, no shell in between (see execError). */
  exec(argv: string[]): void {
    const root = new Shell(this, this.io, (code) => this.finish(code), { name: 'sh', reader: false });
    this.stack.push(root);
    root.runArgv(argv);
  }

  /** Bytes from the client's stdin. */
  input(data: Buffer | string): void {
    const text = typeof data === 'string' ? data : this.decoder.write(data);
    if (!this.alive || text === '') return;
    if (!this.o.tty) {
      this.pending += text;
      let nl: number;
      while (this.alive && (nl = this.pending.indexOf('\n')) >= 0) {
        const l = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        this.top()?.line(l);
      }
      return;
    }
    for (const ch of text) {
      if (!this.alive) return;
      this.key(ch);
    }
  }

  /** The client closed stdin (or never opened it): the reading process sees EOF. */
  closeStdin(): void {
    if (this.stdinClosed) return;
    if (this.pending !== '') {
      const l = this.pending;
      this.pending = '';
      this.top()?.line(l);
    }
    this.stdinClosed = true;
    this.settle();
  }

  resize(cols: number, rows: number): void {
    if (cols > 0) this.cols = cols;
    if (rows > 0) this.rows = rows;
  }

  /** The line discipline of a terminal in canonical mode, with echo. */
  private key(ch: string): void {
    const cr = this.lastCr;
    this.lastCr = ch === '\r';
    if (this.escape === 'esc') {
      this.escape = ch === '[' || ch === 'O' ? 'csi' : '';
      return;
    }
    if (this.escape === 'csi') {
      if (ch >= '@' && ch <= '~') this.escape = '';
      return;
    }
    switch (ch) {
      case '\x1b':
        this.escape = 'esc';
        return;
      case '\x03':
        this.io.out('^C\n');
        this.line = '';
        this.top()?.interrupt();
        return;
      case '\x04': {
        const top = this.top();
        if (this.line === '' && top) {
          top.sawEof = true;
          top.eof();
        }
        return;
      }
      case '\x7f':
      case '\b':
        if (this.line !== '') {
          this.line = [...this.line].slice(0, -1).join('');
          this.io.out('\b \b');
        }
        return;
      case '\x15':
        this.io.out('\b \b'.repeat([...this.line].length));
        this.line = '';
        return;
      case '\n':
      case '\r': {
        // a terminal sends \r for Enter; \r\n from a client is one line, not two
        if (ch === '\n' && cr) return;
        this.io.out('\n');
        const l = this.line;
        this.line = '';
        this.top()?.line(l);
        return;
      }
      default:
        if (ch < ' ') return;
        this.line += ch;
        this.io.out(ch);
    }
  }

  private top(): Proc | undefined {
    return this.stack[this.stack.length - 1];
  }

  push(p: Proc): void {
    this.stack.push(p);
  }

  pop(p: Proc): void {
    const i = this.stack.lastIndexOf(p);
    if (i >= 0) this.stack.splice(i, 1);
  }

  /** With stdin closed, whichever process now reads it sees EOF. */
  settle(): void {
    const top = this.top();
    if (this.stdinClosed && this.alive && top?.reads && !top.sawEof) {
      top.sawEof = true;
      top.eof();
    }
  }

  private finish(code: number): void {
    if (!this.alive) return;
    this.code = code;
    this.sink.exit(code);
  }
}
