/**
 * kmux's benchmark suite: `npm run bench` (BENCH_QUICK=1 for a small, fast run). It measures every
 * target of issue 15, each against a baseline measured in the same run, alternately with kmux
 * (the machine is small and noisy, so absolute numbers from another run mean little):
 *  start  `kmux --help` vs `kubectl version --client` (whole process); the first full frame on a
 *         150-pod cluster vs `kubectl get pods -A`; `npm start` (kmux --demo) to its first table
 *  (a)    launch -> first frame showing every pod (1 context, SMALL and LARGE pods) vs
 *         `kubectl get pods -A`, and vs a raw baseline: a node process that only fetches and
 *         JSON-parses every page of the same list
 *  (b)    key -> frame p95, cursor moves and filter typing, on a merged view of 3 contexts x LARGE
 *         pods, the fleet churning CHURN changes a second in all, vs the same with no churn
 *  (c)    launch -> every pod of 3 contexts x LARGE shown vs three `kubectl get pods -A` at once;
 *         kmux's resident memory at ready and 5 s later
 * Every figure is the median of its repeats, printed with its spread (min-max; each value in
 * Details) and the machine's 1-minute load average while that figure was measured.
 *
 * The fleet runs as a separate `kmux sim` process; kmux runs in a real terminal (tmux, 160x45,
 * private socket) with KMUX_TRACE pointing at a file where it appends `first <epoch-ms>` once the
 * first table view shows a row (a kmux whose first list shows its pages as they arrive),
 * `ready <epoch-ms>` once it is synced and drawn, and `<label> <ms>` for every key's frame.
 *
 * A full run takes about half an hour on the project's 2-core machine (3 x 50,000 pods need about
 * 2 GB: the fleet, kmux and three kubectls); BENCH_QUICK=1 about 6 minutes.
 *
 * Environment:
 *   BENCH_QUICK=1          2,000 / 5,000 pods and fewer keys
 *   BENCH_PODS_START       pods of the cluster for the first-frame start figure (default 150)
 *   BENCH_PODS_SMALL       pods for the small launch (default 10000)
 *   BENCH_PODS_LARGE       pods for the large launch, and per context in (b) and (c) (default 50000)
 *   BENCH_CHURN            changes a second in (b), the whole fleet's (default 1000; split evenly
 *                          over its 3 clusters, as `kmux sim --churn` counts per cluster)
 *   BENCH_REPEATS          repeats of (a), (b) and (c), median reported (default 3)
 *   BENCH_START_REPEATS    repeats of the start figures (default 5)
 *   BENCH_MOVES            cursor keys per latency run (default 150; quick 60)
 *   BENCH_FILTER_ROUNDS    filter rounds per latency run, ~12 keys each (default 6; quick 3)
 *   BENCH_BUDGET_S         hard limit for the whole run (default 3000; quick 900)
 *   BENCH_CPU_PROF=DIR     run kmux with --cpu-prof into DIR (slows it down; for diagnosis only)
 *   BENCH_ONLY=start,a,b,c run only some figures
 *   BENCH_KMUX_ENV="K=V .." extra environment for kmux (diagnosis, e.g. NODE_ENV=production)
 *   BENCH_MEM_DETAIL=1     in (c), also ask kmux (through the inspector) for its V8 heap, before and after a full GC
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import YAML from 'yaml';
import { closeSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { tmpdir, cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { BIN_COMMAND, BIN_NODE_FLAGS } from './bin-line.js';
import { loadDuring, median, pct, ratioText, spreadText, type LoadSample } from './stats.js';

// ------------------------------------------------------------------ configuration
const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/kmux.js');
const NODE = process.execPath;
const RAW_LIST = join(ROOT, 'bench/raw-list.mjs');
const env = process.env;
const QUICK = env.BENCH_QUICK === '1';
const int = (name: string, dflt: number): number => {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} wants a number, got "${v}"`);
  return Math.floor(n);
};
const PODS_START = int('BENCH_PODS_START', 150);
const PODS_SMALL = int('BENCH_PODS_SMALL', QUICK ? 2000 : 10000);
const PODS_LARGE = int('BENCH_PODS_LARGE', QUICK ? 5000 : 50000);
/** clusters of the merged view in (b) and (c) */
const MERGED = 3;
const CHURN = int('BENCH_CHURN', 1000);
const REPEATS = Math.max(1, int('BENCH_REPEATS', 3));
const START_REPEATS = Math.max(1, int('BENCH_START_REPEATS', 5));
const MOVES = int('BENCH_MOVES', QUICK ? 60 : 150);
const FILTER_ROUNDS = int('BENCH_FILTER_ROUNDS', QUICK ? 3 : 6);
const BUDGET_MS = int('BENCH_BUDGET_S', QUICK ? 900 : 3000) * 1000;
const CPU_PROF = env.BENCH_CPU_PROF ? resolve(env.BENCH_CPU_PROF) : undefined;
const KMUX_ENV: Record<string, string> = Object.fromEntries((env.BENCH_KMUX_ENV ?? '').split(/\s+/).filter(Boolean).map((kv) => {
  const at = kv.indexOf('=');
  if (at <= 0) throw new Error(`BENCH_KMUX_ENV wants K=V pairs, got "${kv}"`);
  return [kv.slice(0, at), kv.slice(at + 1)];
}));
const MEM_DETAIL = env.BENCH_MEM_DETAIL === '1';
const FIGURES = ['start', 'a', 'b', 'c'];
const ONLY = new Set((env.BENCH_ONLY ?? FIGURES.join(',')).split(',').map((s) => s.trim()).filter(Boolean));
for (const f of ONLY) if (!FIGURES.includes(f)) throw new Error(`BENCH_ONLY: unknown figure "${f}" (${FIGURES.join(', ')})`);
const W = 160;
const H = 45;
// issue 15's targets
const TARGET_HELP_RATIO = 2;
const TARGET_FIRST_FRAME_RATIO = 2.5;
const TARGET_DEMO_MS = 1500;
const TARGET_A_KUBECTL_RATIO = 0.5;
const TARGET_A_RAW_RATIO = 2;
const TARGET_MOVE_P95_MS = 16;
const TARGET_FILTER_P95_MS = 33;
const TARGET_C_RATIO = 1.0;
const TARGET_RSS_MB = 400;

/** kmux's list page size (the raw baseline asks for the same pages); read from the source that sets it */
const PAGE_SIZE_SOURCE = 'src/store/rows.ts';
const PAGE_SIZE = Number(/\bpageSize\s*[:=]\s*([\d_]+)/.exec(readFileSync(join(ROOT, PAGE_SIZE_SOURCE), 'utf8'))?.[1]?.replace(/_/g, '') ?? NaN);

const T_START = Date.now();
const WORK = mkdtempSync(join(tmpdir(), 'kmux-bench-'));
// the work dir (fleets' kubeconfigs, traces, kmux's stderr) goes at exit, unless cpu profiles are in it
process.on('exit', () => {
  cleanupAll();
  if (!CPU_PROF) rmSync(WORK, { recursive: true, force: true });
});
// the machine's load while we run: other work on a 2-core box moves every absolute number.
// Sampled every 2 s and at both ends of every measured stretch (performance.now() clock).
const loads: LoadSample[] = [];
const sampleLoad = () => loads.push({ at: performance.now(), load: loadavg()[0] });
sampleLoad();
setInterval(sampleLoad, 2000).unref();
const nodesFor = (pods: number) => Math.max(2, Math.round(pods / 100));

function remaining(): number {
  return BUDGET_MS - (Date.now() - T_START);
}
/** A step's timeout, never past the whole run's budget. */
function within(ms: number): number {
  const r = remaining();
  if (r <= 0) throw new Error(`bench budget of ${BUDGET_MS / 1000}s used up`);
  return Math.min(ms, r);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => process.stderr.write(`[bench ${((Date.now() - T_START) / 1000).toFixed(0).padStart(3)}s] ${s}\n`);

// ------------------------------------------------------------------ cleanup
const cleanups = new Map<number, () => void>();
let cleanupSeq = 0;
function onCleanup(f: () => void): () => void {
  const id = ++cleanupSeq;
  cleanups.set(id, f);
  return () => cleanups.delete(id);
}
function cleanupAll(): void {
  for (const f of [...cleanups.values()].reverse()) {
    try {
      f();
    } catch {
      // best effort
    }
  }
  cleanups.clear();
}
process.on('exit', cleanupAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    log(`${sig}: cleaning up`);
    cleanupAll();
    process.exit(130);
  });
}
// a hard stop a little after the budget, whatever is hanging
setTimeout(() => {
  log('hard time limit reached: cleaning up and exiting');
  cleanupAll();
  process.exit(3);
}, BUDGET_MS + 60_000).unref();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (!alive(pid) || isZombie(pid)) return true;
    await sleep(50);
  }
  return false;
}

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

// ------------------------------------------------------------------ the fleet (kmux sim)
interface FleetInfo {
  kubeconfig: string;
  pods: Map<string, number>;
  servers: Map<string, string>;
  proc: ChildProcess;
  stop: () => Promise<void>;
}

async function startFleet(o: { clusters: number; pods: number; churn: number }): Promise<FleetInfo> {
  const kubeconfig = join(WORK, `fleet-${o.clusters}x${o.pods}-c${o.churn}.yaml`);
  const args = [BIN, 'sim', '--clusters', String(o.clusters), '--pods', String(o.pods), '--nodes', String(nodesFor(o.pods)),
    '--churn', String(o.churn), '--kubeconfig-out', kubeconfig, '--port', '0'];
  log(`starting fleet: kmux sim ${args.slice(2).join(' ')}`);
  const t0 = Date.now();
  const proc = spawn(NODE, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  const pid = proc.pid!;
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const off = onCleanup(() => {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  const stop = async () => {
    if (alive(pid) && proc.exitCode === null) {
      process.kill(pid, 'SIGTERM');
      if (!(await waitGone(pid, 5000))) process.kill(pid, 'SIGKILL');
    }
    off();
  };
  const deadline = Date.now() + within(180_000);
  while (!/^export KUBECONFIG=/m.test(out)) {
    if (proc.exitCode !== null || proc.signalCode) {
      off();
      throw new Error(`kmux sim exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${out}${err}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`kmux sim not ready in time:\n${out}${err}`);
    }
    await sleep(100);
  }
  const pods = new Map<string, number>();
  const servers = new Map<string, string>();
  for (const m of out.matchAll(/context (\S+)\s+(\S+)\s+(\d+) nodes, (\d+) pods/g)) {
    pods.set(m[1], Number(m[4]));
    servers.set(m[1], m[2]);
  }
  log(`fleet ready in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${[...pods].map(([c, n]) => `${c}=${n}`).join(' ')}`);
  return { kubeconfig, pods, servers, proc, stop };
}

async function withFleet<T>(o: { clusters: number; pods: number; churn: number }, f: (fl: FleetInfo) => Promise<T>): Promise<T> {
  const fl = await startFleet(o);
  try {
    return await f(fl);
  } finally {
    await fl.stop();
  }
}

/** How to reach one context of the fleet: its server, and the CA and client certificate kubectl uses. */
interface Access {
  server: string;
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

/** Reads a context's server and credentials from the fleet's kubeconfig, as kubectl has them. */
function accessOf(kubeconfig: string, context: string): Access {
  const kc = YAML.parse(readFileSync(kubeconfig, 'utf8'));
  const ctx = kc.contexts?.find((c: any) => c.name === context)?.context ?? {};
  const cluster = kc.clusters?.find((c: any) => c.name === ctx.cluster)?.cluster ?? {};
  const user = kc.users?.find((u: any) => u.name === ctx.user)?.user ?? {};
  const b64 = (x?: string) => (x ? Buffer.from(x, 'base64') : undefined);
  return { server: cluster.server, tls: { ca: b64(cluster['certificate-authority-data']), cert: b64(user['client-certificate-data']), key: b64(user['client-key-data']) } };
}

function requestTo(a: Access, method: string, path: string, cb: (r: IncomingMessage) => void): ClientRequest {
  const url = a.server + path;
  return url.startsWith('https:') ? httpsRequest(url, { method, ...a.tls }, cb) : httpRequest(url, { method }, cb);
}

/**
 * One request with a JSON answer (and a JSON body, if given). A fleet churning 3 x 50,000 pods
 * keeps the simulator's one thread busy (its endpoints controller scans pods on every change), so
 * even its admin calls may wait tens of seconds: two minutes before giving up.
 */
function jsonCall(a: Access, method: string, path: string, body?: unknown): Promise<any> {
  return new Promise<any>((res, rej) => {
    const req = requestTo(a, method, path, (r) => {
      let text = '';
      r.setEncoding('utf8').on('data', (d: string) => { text += d; }).on('end', () => {
        try {
          if ((r.statusCode ?? 0) >= 300) throw new Error(`${method} ${path}: HTTP ${r.statusCode} ${text.slice(0, 300)}`);
          res(JSON.parse(text));
        } catch (e) {
          rej(e);
        }
      });
    });
    req.on('error', rej);
    req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${path} timed out after 120 s`)));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The simulator's own count of a cluster's pods (GET /_sim/health): what kmux should show. */
async function simPods(a: Access): Promise<number> {
  return (await jsonCall(a, 'GET', '/_sim/health')).pods;
}

/** Sets a cluster's churn (POST /_sim/churn; kmux sim counts its rate per cluster). */
async function setChurn(a: Access, perCluster: number): Promise<void> {
  await jsonCall(a, 'POST', '/_sim/churn', { rate: perCluster });
}

/**
 * Counts the pod watch events a cluster sends (what kmux's store has to take in): the churn the
 * fleet really produces, measured rather than assumed. A plain watch from the current RV.
 */
async function countPodEvents(a: Access): Promise<{ stop: () => { events: number; seconds: number } }> {
  const rv = (await jsonCall(a, 'GET', '/api/v1/pods?limit=1')).metadata?.resourceVersion;
  let events = 0;
  const t0 = performance.now();
  const req = requestTo(a, 'GET', `/api/v1/pods?watch=true&resourceVersion=${rv}&timeoutSeconds=900`, (r) => {
    r.on('data', (d: Buffer) => {
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) events++;
    });
    r.on('error', () => {});
  });
  req.on('error', () => {});
  req.end();
  const off = onCleanup(() => req.destroy());
  return {
    stop: () => {
      req.destroy();
      off();
      return { events, seconds: (performance.now() - t0) / 1000 };
    },
  };
}

// ------------------------------------------------------------------ timed processes (kubectl, kmux --help, the raw list)
interface Timed {
  /** spawn to exit */
  ms: number;
  /** user + system CPU (GNU time, 10 ms resolution) */
  cpuMs: number;
  maxRssKb: number;
  /** performance.now() at spawn and at exit */
  start: number;
  end: number;
  /** stdout, when captured */
  out: string;
}

let timedSeq = 0;
/** Runs a command to its end under GNU time; wall time is taken here, from just before spawn to the exit event. */
async function timedRun(what: string, cmd: string, args: string[], o: { env?: NodeJS.ProcessEnv; capture?: boolean; timeoutMs?: number } = {}): Promise<Timed> {
  const id = ++timedSeq;
  const timeFile = join(WORK, `time-${id}.txt`);
  const errFile = join(WORK, `stderr-${id}.txt`);
  const outFile = o.capture ? join(WORK, `stdout-${id}.txt`) : '/dev/null';
  const outFd = openSync(outFile, 'w');
  const errFd = openSync(errFile, 'w');
  const timeout = within(o.timeoutMs ?? 180_000);
  const start = performance.now();
  const p = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, cmd, ...args], { stdio: ['ignore', outFd, errFd], env: o.env ?? env, cwd: ROOT });
  closeSync(outFd);
  closeSync(errFd);
  const off = onCleanup(() => { if (p.pid && alive(p.pid)) process.kill(p.pid, 'SIGKILL'); });
  const code = await new Promise<number | null>((res) => {
    const timer = setTimeout(() => { p.kill('SIGKILL'); }, timeout);
    p.on('exit', (c) => {
      clearTimeout(timer);
      res(c);
    });
  });
  const end = performance.now();
  off();
  if (code !== 0) throw new Error(`${what} failed (${code}): ${readFileSync(errFile, 'utf8').slice(0, 2000)}`);
  const [user, sys, rss] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(/\s+/).map(Number);
  return { ms: end - start, cpuMs: (user + sys) * 1000, maxRssKb: rss, start, end, out: o.capture ? readFileSync(outFile, 'utf8') : '' };
}

function kubectlGetPods(kubeconfig: string, context: string): Promise<Timed> {
  return timedRun('kubectl get pods -A', 'kubectl', ['--kubeconfig', kubeconfig, '--context', context, 'get', 'pods', '-A'], { env: { ...env, KUBECONFIG: kubeconfig } });
}

/** The raw baseline: bench/raw-list.mjs on the same node, with kmux's node flags, fetching and parsing every page. */
async function rawList(kubeconfig: string, context: string): Promise<Timed & { items: number; pages: number }> {
  const a = accessOf(kubeconfig, context);
  const file = join(WORK, `access-${context}.json`);
  const pem = (b?: Buffer) => b?.toString('utf8');
  writeFileSync(file, JSON.stringify({ server: a.server, pageSize: PAGE_SIZE, ca: pem(a.tls.ca), cert: pem(a.tls.cert), key: pem(a.tls.key) }));
  const r = await timedRun('the raw list', NODE, [...BIN_NODE_FLAGS, RAW_LIST, file], { capture: true });
  const [items, pages] = r.out.trim().split(/\s+/).map(Number);
  return { ...r, items, pages };
}

// ------------------------------------------------------------------ a terminal (tmux, private socket)
const SOCKET = `kmux-bench-${process.pid}`;
let tmuxStarted = false;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8', timeout: 10_000 });
}

function startTmux(): void {
  if (tmuxStarted) return;
  // a placeholder session keeps the server up, so starting kmux costs no server start
  tmux('new-session', '-d', '-s', 'keep', '-x', String(W), '-y', String(H), 'sleep 86400');
  tmux('set-option', '-g', 'remain-on-exit', 'on');
  tmuxStarted = true;
  onCleanup(() => {
    try {
      execFileSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // gone already
    }
    // tmux leaves its socket file behind
    rmSync(join(env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, SOCKET), { force: true });
  });
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** New lines appended to the trace file, read as they come. */
class Trace {
  private fd: number;
  private offset = 0;
  private partial = '';
  readonly lines: { label: string; value: number; at: number }[] = [];
  private watcher?: FSWatcher;
  private wake?: () => void;

  constructor(readonly path: string) {
    writeFileSync(path, '');
    this.fd = openSync(path, 'r');
    this.watcher = watch(path, () => this.wake?.());
  }

  /** Reads what was appended; returns how many new lines. */
  poll(): number {
    const size = fstatSync(this.fd).size;
    if (size <= this.offset) return 0;
    const buf = Buffer.alloc(size - this.offset);
    const n = readSync(this.fd, buf, 0, buf.length, this.offset);
    this.offset += n;
    const text = this.partial + buf.subarray(0, n).toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    const at = performance.now();
    let added = 0;
    for (const l of parts) {
      const m = l.trim().match(/^(\S+)\s+(\S+)$/);
      if (!m) continue;
      this.lines.push({ label: m[1], value: Number(m[2]), at });
      added++;
    }
    return added;
  }

  /** Waits until test() holds (checked on every append), or until timeoutMs. */
  async until(test: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      this.poll();
      if (test()) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 50));
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      this.wake = undefined;
    }
  }

  close(): void {
    this.watcher?.close();
    try {
      closeSync(this.fd);
    } catch {
      // closed
    }
  }
}

let runSeq = 0;
interface Kmux {
  name: string;
  pid: number;
  trace: Trace;
  spawnedAt: number; // epoch ms, just before the terminal starts it
  errFile: string;
  screen(): string;
  keys(...k: string[]): void;
  type(text: string): void;
  dead(): boolean;
  stop(): Promise<void>;
}


/** kmux's arguments for a pods view of every namespace of these contexts (one merged view for several). */
function podsView(kubeconfig: string, contexts: string[]): string[] {
  return ['--kubeconfig', kubeconfig, '--context', contexts.join(','), '-A', '-c', 'pods'];
}

/**
 * Starts `node <the #! line's flags> bin/kmux.js ARGS` in a new tmux session, with its own config
 * dir and KMUX_TRACE; KUBECONFIG is set when a kubeconfig is given.
 */
function launchKmux(args: string[], label: string, o: { kubeconfig?: string; inspect?: boolean } = {}): Kmux {
  startTmux();
  const n = ++runSeq;
  const name = `k${n}`;
  const dir = join(WORK, `run-${n}-${label}`);
  mkdirSync(join(dir, 'xdg'), { recursive: true });
  const tracePath = join(dir, 'trace');
  const errFile = join(dir, 'stderr');
  const trace = new Trace(tracePath);
  const envs: Record<string, string> = { TERM: 'xterm-256color', XDG_CONFIG_HOME: join(dir, 'xdg'), KMUX_TRACE: tracePath, ...(o.kubeconfig ? { KUBECONFIG: o.kubeconfig } : {}), ...KMUX_ENV };
  const nodeArgs = [...BIN_NODE_FLAGS, ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`, `--cpu-prof-name=kmux-${label}-${n}.cpuprofile`] : [])];
  if (o.inspect) nodeArgs.push('--inspect=127.0.0.1:0');
  const argv = [NODE, ...nodeArgs, BIN, ...args];
  // exec: the pane's process is kmux's node process itself (its pid is the pane pid)
  const cmd = `cd ${quote(ROOT)} && exec env ${Object.entries(envs).map(([k, v]) => `${k}=${quote(v)}`).join(' ')} ${argv.map(quote).join(' ')} 2>${quote(errFile)}`;
  const spawnedAt = Date.now();
  tmux('new-session', '-d', '-s', name, '-x', String(W), '-y', String(H), cmd);
  const pid = Number(tmux('display-message', '-p', '-t', name, '#{pane_pid}').trim());
  const off = onCleanup(() => {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  const k: Kmux = {
    name, pid, trace, spawnedAt, errFile,
    screen: () => tmux('capture-pane', '-p', '-t', name),
    keys: (...keys: string[]) => void tmux('send-keys', '-t', name, ...keys),
    type: (text: string) => void tmux('send-keys', '-t', name, '-l', text),
    dead: () => {
      try {
        return tmux('display-message', '-p', '-t', name, '#{pane_dead}').trim() === '1';
      } catch {
        return true;
      }
    },
    stop: async () => {
      // kill-session hangs up the pane: kmux shuts down on SIGHUP (and writes its cpu profile)
      try {
        tmux('kill-session', '-t', name);
      } catch {
        // gone
      }
      if (!(await waitGone(pid, CPU_PROF ? 30_000 : 5000)) && alive(pid)) process.kill(pid, 'SIGKILL');
      await waitGone(pid, 2000);
      trace.close();
      off();
    },
  };
  return k;
}

function stderrOf(k: Kmux): string {
  try {
    return readFileSync(k.errFile, 'utf8').slice(-3000);
  } catch {
    return '';
  }
}

/** Waits for the `ready <epoch-ms>` line; returns ms from spawn to it. */
async function waitReady(k: Kmux, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + within(timeoutMs);
  const found = () => k.trace.lines.find((l) => l.label === 'ready');
  while (Date.now() < deadline) {
    if (await k.trace.until(() => !!found(), Math.min(1000, deadline - Date.now()))) return found()!.value - k.spawnedAt;
    if (k.dead()) throw new Error(`kmux exited before its first full frame.\nstderr: ${stderrOf(k)}\nscreen:\n${k.screen()}`);
  }
  throw new Error(`kmux did not report ready within ${Math.round(timeoutMs / 1000)}s.\nstderr: ${stderrOf(k)}\nscreen:\n${k.screen()}`);
}

/** The row counter in the title, e.g. pods(all)@dev,prod[150000] -> 150000. */
function shownCount(screen: string): number | undefined {
  const m = screen.match(/pods\([^)]*\)(?:@[\w,-]+)?\[(\d+)(?:\/\d+)?\]/);
  return m ? Number(m[1]) : undefined;
}

/** V8's view of kmux's memory through the inspector (it listens when launched with inspect). */
async function heapDetail(k: Kmux): Promise<string> {
  const url = stderrOf(k).match(/Debugger listening on (ws:\/\/\S+)/)?.[1];
  if (!url) return 'no inspector URL in kmux stderr';
  const ws = new WebSocket(url);
  let id = 0;
  const pending = new Map<number, (v: any) => void>();
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data));
    if (msg.id !== undefined) pending.get(msg.id)?.(msg);
  };
  await new Promise<void>((res, rej) => {
    ws.onopen = () => res();
    ws.onerror = () => rej(new Error('inspector connection failed'));
  });
  const call = (method: string, params: object = {}) => new Promise<any>((res, rej) => {
    const my = ++id;
    const t = setTimeout(() => rej(new Error(`${method} timed out`)), within(60_000));
    pending.set(my, (v) => {
      clearTimeout(t);
      res(v);
    });
    ws.send(JSON.stringify({ id: my, method, params }));
  });
  const usage = async () => JSON.parse((await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })).result.result.value);
  try {
    const fmt = (u: any) => `rss ${mb(u.rss / 1024)}, heap used ${mb(u.heapUsed / 1024)} of ${mb(u.heapTotal / 1024)}, external ${mb(u.external / 1024)}`;
    const before = await usage();
    await call('HeapProfiler.collectGarbage');
    const after = await usage();
    return `before GC: ${fmt(before)}; after a full GC: ${fmt(after)}`;
  } finally {
    ws.close();
  }
}

function rssKb(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const get = (k: string) => Number(s.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return { rss: get('VmRSS'), hwm: get('VmHWM') };
}

// ------------------------------------------------------------------ formatting
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const secN = (ms: number) => (ms / 1000).toFixed(2);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const mbN = (kb: number) => (kb / 1024).toFixed(0);
const msf = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
const thousands = (n: number) => n.toLocaleString('en-US');
/** met / NOT met; a figure cut short by an error says on how many of its repeats the verdict rests */
const verdict = (met: boolean, n: number, wanted: number) => `${met ? 'met' : 'NOT met'}${n < wanted ? ` (${n} of ${wanted} repeats)` : ''}`;
/** every value of a figure, in the order measured: `1.07, 1.10, 1.12 s` */
const values = (xs: number[], fmt: (x: number) => string, unit: string) => (xs.length ? `${xs.map(fmt).join(', ')}${unit}` : 'none');
/** the launches' first rows (the `first` trace line), when kmux wrote them */
const firstText = (xs: number[]) => (xs.length ? ` (first rows at ${values(xs, secN, ' s')})` : '');

// ------------------------------------------------------------------ the figures
interface Row {
  target: string;
  kmux: string;
  baseline: string;
  measured: string;
  load: string;
  verdict: string;
}
const rows: Row[] = [];
const notes: string[] = [];
const details: string[] = [];
const lostKeys: string[] = [];

/** The stretches of time in which one figure was measured, for the load average during them. */
class Stretch {
  readonly spans: [number, number][] = [];

  async run<T>(f: () => Promise<T>): Promise<T> {
    const from = performance.now();
    sampleLoad();
    try {
      return await f();
    } finally {
      sampleLoad();
      this.spans.push([from, performance.now()]);
    }
  }

  load(): string {
    const l = loadDuring(loads, this.spans);
    return l ? `${l.mean.toFixed(1)} (max ${l.max.toFixed(1)})` : 'n/a';
  }
}

/**
 * Runs the repeats of a figure; a failure ends them with a note, and the figure is reported from
 * the repeats done before it (none: a row saying so).
 */
async function repeats(what: string, n: number, f: (i: number) => Promise<void>): Promise<void> {
  try {
    for (let i = 0; i < n; i++) await f(i);
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    log(`FAILED ${what}: ${msg}`);
    notes.push(`${what}: stopped by an error: ${msg.split('\n')[0]}`);
  }
}

function notMeasured(target: string): void {
  rows.push({ target, kmux: 'error', baseline: '', measured: '', load: '', verdict: 'not measured' });
}

/** A target that bounds kmux's median over its baseline's (both in ms), measured alternately. */
function ratioRow(target: string, km: number[], base: number[], baseLabel: string, limit: number, w: Stretch, wanted: number): void {
  if (!km.length || !base.length) return notMeasured(target);
  rows.push({
    target: `${target} (n=${Math.min(km.length, base.length)})`,
    kmux: spreadText(km, secN, ' s'),
    baseline: `${baseLabel}: ${spreadText(base, secN, ' s')}`,
    measured: ratioText(km, base),
    load: w.load(),
    verdict: verdict(median(km) / median(base) <= limit, Math.min(km.length, base.length), wanted),
  });
}

/**
 * The rows kmux's title counts at its first full frame, checked against the simulator's pods just
 * before the launch and just after the frame (pods that were terminating or starting may come or
 * go in between): a count that matches neither is noted.
 */
async function checkShown(k: Kmux, label: string, before: number, pods: () => Promise<number>): Promise<number | undefined> {
  const shown = shownCount(k.screen());
  const after = await pods();
  if (shown !== before && shown !== after) notes.push(`${label}: kmux showed ${shown} rows at ready; the simulator had ${before} pods before the launch, ${after} after the frame.`);
  return shown;
}

/** ms from spawn to the `first` trace line (the first frame with a row of the first view), if kmux wrote one. */
function firstRows(k: Kmux): number | undefined {
  const first = k.trace.lines.find((l) => l.label === 'first');
  return first ? first.value - k.spawnedAt : undefined;
}

/** Launches kmux, waits for its first full frame and stops it; returns ms from spawn to `ready`. */
async function launchToReady(args: string[], label: string, o: { kubeconfig?: string; pods?: () => Promise<number>; timeoutMs?: number; first?: number[] }): Promise<number> {
  const before = await o.pods?.();
  const k = launchKmux(args, label, { kubeconfig: o.kubeconfig });
  try {
    const ms = await waitReady(k, o.timeoutMs ?? 180_000);
    const first = firstRows(k);
    if (first !== undefined) o.first?.push(first);
    const firstText = first === undefined ? '' : `, first rows at ${sec(first)}`;
    if (o.pods) {
      const shown = await checkShown(k, label, before!, o.pods);
      log(`  kmux ready (${thousands(shown ?? -1)} rows shown): ${sec(ms)}${firstText}`);
    } else log(`  kmux ready: ${sec(ms)}${firstText}`);
    return ms;
  } finally {
    await k.stop();
  }
}

/** start: `kmux --help` against `kubectl version --client`, each a whole process, alternately. */
async function helpFigure(): Promise<void> {
  const target = `start: \`kmux --help\`, whole process, <= ${TARGET_HELP_RATIO}x \`kubectl version --client\``;
  const w = new Stretch();
  const km: Timed[] = [];
  const kc: Timed[] = [];
  await repeats(target, START_REPEATS, () => w.run(async () => {
    kc.push(await timedRun('kubectl version --client', 'kubectl', ['version', '--client']));
    km.push(await timedRun('kmux --help', NODE, [...BIN_NODE_FLAGS, BIN, '--help']));
    log(`  kmux --help ${sec(km.at(-1)!.ms)}, kubectl version --client ${sec(kc.at(-1)!.ms)}`);
  }));
  ratioRow(target, km.map((t) => t.ms), kc.map((t) => t.ms), 'kubectl', TARGET_HELP_RATIO, w, START_REPEATS);
  details.push(`start, \`kmux --help\`: ${values(km.map((t) => t.ms), secN, ' s')} (CPU ${values(km.map((t) => t.cpuMs), secN, ' s')}); ` +
    `\`kubectl version --client\`: ${values(kc.map((t) => t.ms), secN, ' s')} (CPU ${values(kc.map((t) => t.cpuMs), secN, ' s')})`);
}

/** start: the first full frame on a small cluster against `kubectl get pods -A` on it, alternately. */
async function firstFrameFigure(): Promise<void> {
  const target = `start: first full frame, ${thousands(PODS_START)}-pod cluster, <= ${TARGET_FIRST_FRAME_RATIO}x \`kubectl get pods -A\``;
  const w = new Stretch();
  const km: number[] = [];
  const kf: number[] = [];
  const kc: number[] = [];
  try {
    await withFleet({ clusters: 1, pods: PODS_START, churn: 0 }, async (fl) => {
      const ctx = [...fl.pods.keys()][0];
      const a = accessOf(fl.kubeconfig, ctx);
      await repeats(target, START_REPEATS, () => w.run(async () => {
        kc.push((await kubectlGetPods(fl.kubeconfig, ctx)).ms);
        log(`  kubectl get pods -A: ${sec(kc.at(-1)!)}`);
        km.push(await launchToReady(podsView(fl.kubeconfig, [ctx]), `start${PODS_START}`, { kubeconfig: fl.kubeconfig, pods: () => simPods(a), timeoutMs: 60_000, first: kf }));
      }));
    });
  } catch (e) {
    notes.push(`${target}: ${(e as Error).message.split('\n')[0]}`);
  }
  ratioRow(target, km, kc, 'kubectl', TARGET_FIRST_FRAME_RATIO, w, START_REPEATS);
  details.push(`start, first full frame on ${thousands(PODS_START)} pods: kmux ${values(km, secN, ' s')}${firstText(kf)}; kubectl get pods -A ${values(kc, secN, ' s')}`);
}

/** start: `npm start` as it runs kmux (node with the #! line's flags, bin/kmux.js --demo) to its first table. */
async function demoFigure(): Promise<void> {
  const target = `start: \`npm start\` (kmux --demo) to the first demo table < ${TARGET_DEMO_MS / 1000} s`;
  const w = new Stretch();
  const km: number[] = [];
  await repeats(target, START_REPEATS, () => w.run(async () => {
    km.push(await launchToReady(['--demo'], 'demo', { timeoutMs: 60_000 }));
  }));
  if (!km.length) return notMeasured(target);
  rows.push({
    target: `${target} (n=${km.length})`,
    kmux: spreadText(km, secN, ' s'),
    baseline: 'an absolute bound',
    measured: sec(median(km)),
    load: w.load(),
    verdict: verdict(median(km) < TARGET_DEMO_MS, km.length, START_REPEATS),
  });
  details.push(`start, \`npm start\` to the first demo table: ${values(km, secN, ' s')}`);
}

/**
 * (a) one cluster of `pods` pods: kubectl, kmux and the raw list alternately, never at the same
 * time; medians. withRaw: the raw baseline's target is checked at this size.
 */
async function launchFigure(pods: number, withRaw: boolean): Promise<void> {
  const what = `(a) ${thousands(pods)} pods: launch to every pod shown`;
  const w = new Stretch();
  const kc: number[] = [];
  const km: number[] = [];
  const kf: number[] = [];
  const raw: Timed[] = [];
  let pages = 0;
  try {
    await withFleet({ clusters: 1, pods, churn: 0 }, async (fl) => {
      const ctx = [...fl.pods.keys()][0];
      const a = accessOf(fl.kubeconfig, ctx);
      await repeats(what, REPEATS, () => w.run(async () => {
        const expected = await simPods(a);
        const r = await kubectlGetPods(fl.kubeconfig, ctx);
        kc.push(r.ms);
        log(`  kubectl get pods -A (${thousands(expected)}): ${sec(r.ms)}, peak RSS ${mb(r.maxRssKb)}`);
        km.push(await launchToReady(podsView(fl.kubeconfig, [ctx]), `launch${pods}`, { kubeconfig: fl.kubeconfig, pods: () => simPods(a), first: kf }));
        const l = await rawList(fl.kubeconfig, ctx);
        raw.push(l);
        pages = l.pages;
        if (l.items !== expected) {
          const after = await simPods(a);
          if (l.items !== after) notes.push(`${what}: the raw list got ${l.items} pods; the simulator had ${expected} before kubectl, ${after} after the raw list.`);
        }
        log(`  raw list (${l.pages} page${l.pages === 1 ? '' : 's'} of ${PAGE_SIZE}): ${sec(l.ms)}, CPU ${sec(l.cpuMs)}, peak RSS ${mb(l.maxRssKb)}`);
      }));
    });
  } catch (e) {
    notes.push(`${what}: ${(e as Error).message.split('\n')[0]}`);
  }
  ratioRow(`${what} <= ${TARGET_A_KUBECTL_RATIO}x \`kubectl get pods -A\``, km, kc, 'kubectl', TARGET_A_KUBECTL_RATIO, w, REPEATS);
  if (withRaw) ratioRow(`${what} <= ${TARGET_A_RAW_RATIO}x the raw fetch and parse of every page`, km, raw.map((r) => r.ms), 'raw list', TARGET_A_RAW_RATIO, w, REPEATS);
  details.push(`(a) ${thousands(pods)} pods: kmux ${values(km, secN, ' s')}${firstText(kf)}; kubectl ${values(kc, secN, ' s')}; ` +
    `raw list ${values(raw.map((r) => r.ms), secN, ' s')} (${pages} page${pages === 1 ? '' : 's'} of ${PAGE_SIZE}; CPU ${values(raw.map((r) => r.cpuMs), secN, ' s')}; peak RSS ${values(raw.map((r) => r.maxRssKb), mbN, ' MB')})`);
}

interface KeyStats {
  /** pod watch events a second all the clusters sent while the keys were typed */
  rate: number;
  move: number[];
  filter: number[];
  moveE2e: number[];
  filterE2e: number[];
  lost: number;
}

/** Sends one key and waits for its frame's trace line; returns [trace ms, end-to-end ms] or undefined. */
async function keyAndFrame(k: Kmux, send: () => void, label: string, name = label): Promise<[number, number] | undefined> {
  const before = k.trace.lines.length;
  send();
  // measured once send-keys has returned: tmux has written the key to kmux's terminal
  const sent = performance.now();
  const got = await k.trace.until(() => k.trace.lines.length > before, within(5000));
  const line = k.trace.lines.slice(before).find((l) => l.label === label);
  if (!got || !line) {
    lostKeys.push(`${label} key ${JSON.stringify(name)}: ${got ? `traced as ${k.trace.lines.slice(before).map((l) => `${l.label} ${l.value}`).join(', ')}` : 'no trace line in 5 s'}`);
    return undefined;
  }
  return [line.value, line.at - sent];
}

/** The key sequences for (b): cursor moves (j, k, Down), then filter rounds. */
async function typeKeys(k: Kmux): Promise<KeyStats> {
  const st: KeyStats = { rate: NaN, move: [], filter: [], moveE2e: [], filterE2e: [], lost: 0 };
  const gap = () => sleep(20 + Math.random() * 60); // a user's pace, out of step with the store batches
  let rnd = 7;
  const next = () => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < MOVES; i++) {
    // mostly down (the cursor walks into the table), some up
    const r = next();
    const key = r < 0.45 ? 'j' : r < 0.75 ? 'Down' : 'k';
    const res = await keyAndFrame(k, () => (key === 'Down' ? k.keys('Down') : k.type(key)), 'move', `${key} (#${i + 1})`);
    if (res) {
      st.move.push(res[0]);
      st.moveE2e.push(res[1]);
    } else st.lost++;
    await gap();
  }
  // no j or k: kmux traces those as 'move' even in the filter prompt
  const words = ['cart', 'web-1', 'api', 'analytics', 'redis', 'db-2'];
  for (let round = 0; round < FILTER_ROUNDS; round++) {
    const word = words[round % words.length];
    await keyAndFrame(k, () => k.type('/'), 'other');
    await gap();
    const seq: string[] = [...word, 'BSpace', 'BSpace', ...word.slice(-2)];
    for (const c of seq) {
      const res = await keyAndFrame(k, () => (c === 'BSpace' ? k.keys('BSpace') : k.type(c)), 'filter', `${c} (round ${round + 1})`);
      if (res) {
        st.filter.push(res[0]);
        st.filterE2e.push(res[1]);
      } else st.lost++;
      await gap();
    }
    // leave the prompt and clear the filter for the next round (not counted)
    await keyAndFrame(k, () => k.keys('Escape'), 'filter');
    await sleep(100);
    await keyAndFrame(k, () => k.keys('C-u'), 'other');
    await gap();
  }
  return st;
}


/** Types the keys of (b) with the fleet churning `total` changes a second in all; counts the pod events all clusters sent meanwhile. */
async function keysAt(k: Kmux, acc: Access[], total: number): Promise<KeyStats> {
  await Promise.all(acc.map((a) => setChurn(a, total / acc.length)));
  await sleep(3000);
  const counters = await Promise.all(acc.map(countPodEvents));
  const t0 = Date.now();
  const st = await typeKeys(k);
  const seen = counters.map((c) => c.stop());
  st.rate = seen.reduce((s, x) => s + x.events / x.seconds, 0);
  log(`  churn ${total}/s: ${st.move.length} moves, ${st.filter.length} filter keys in ${sec(Date.now() - t0)} (${st.lost} without a frame); the clusters sent ${st.rate.toFixed(0)} pod events/s`);
  return st;
}

/**
 * (b) and (c) on one fleet of 3 clusters x LARGE pods, merged in one view. Each repeat: (c) three
 * `kubectl get pods -A` at once (one per context), then kmux launched on all three contexts,
 * its resident memory at ready and 5 s later; then (b) the same kmux, keys typed with no churn and
 * with churn (in turn first), the churn set through the simulator's /_sim/churn.
 */
async function mergedFigures(doB: boolean, doC: boolean): Promise<void> {
  const view = `${thousands(MERGED * PODS_LARGE)} merged rows (${MERGED} x ${thousands(PODS_LARGE)})`;
  const what = `(b)/(c) ${view}`;
  const wB = new Stretch();
  const wC = new Stretch();
  const c = { kubectl: [] as number[], kubectlRss: [] as number[], launch: [] as number[], first: [] as number[], ready: [] as number[], later: [] as number[], hwm: [] as number[] };
  const b = { churn: [] as KeyStats[], none: [] as KeyStats[] };
  try {
    await withFleet({ clusters: MERGED, pods: PODS_LARGE, churn: 0 }, async (fl) => {
      const ctxs = [...fl.pods.keys()];
      const acc = ctxs.map((ctx) => accessOf(fl.kubeconfig, ctx));
      await repeats(what, REPEATS, async (i) => {
        const fleetPods = async () => (await Promise.all(acc.map(simPods))).reduce((x, y) => x + y, 0);
        const expected = await fleetPods();
        const launch = () => launchKmux(podsView(fl.kubeconfig, ctxs), `merged${i + 1}`, { kubeconfig: fl.kubeconfig, inspect: MEM_DETAIL });
        let k: Kmux | undefined;
        try {
          if (doC) {
            k = await wC.run(async () => {
              const t0 = performance.now();
              const runs = await Promise.all(ctxs.map((ctx) => kubectlGetPods(fl.kubeconfig, ctx)));
              c.kubectl.push(Math.max(...runs.map((r) => r.end)) - t0);
              c.kubectlRss.push(...runs.map((r) => r.maxRssKb));
              log(`  ${ctxs.length} x kubectl get pods -A at once: the last ended after ${sec(c.kubectl.at(-1)!)} (each ${runs.map((r) => sec(r.ms)).join(', ')})`);
              const kk = launch();
              const ms = await waitReady(kk, 300_000);
              const mem = rssKb(kk.pid);
              const shown = await checkShown(kk, `(c) run ${i + 1}`, expected, fleetPods);
              log(`  kmux ready on ${thousands(shown ?? -1)} rows in ${sec(ms)}: VmRSS ${mb(mem.rss)}, VmHWM ${mb(mem.hwm)}`);
              await sleep(5000);
              const later = rssKb(kk.pid);
              log(`  5 s later: VmRSS ${mb(later.rss)}, VmHWM ${mb(later.hwm)}`);
              c.launch.push(ms);
              const first = firstRows(kk);
              if (first !== undefined) c.first.push(first);
              c.ready.push(mem.rss);
              c.later.push(later.rss);
              c.hwm.push(later.hwm);
              if (MEM_DETAIL) details.push(`(c) run ${i + 1}, kmux's V8 heap 5 s after ready (inspector): ${await heapDetail(kk).catch((e) => (e as Error).message)}.`);
              return kk;
            });
          } else {
            k = launch();
            const ms = await waitReady(k, 300_000);
            log(`  kmux ready on ${view} in ${sec(ms)}`);
          }
          if (doB) {
            // in turn first, so neither is always the one measured on a fresher kmux
            for (const total of i % 2 === 0 ? [0, CHURN] : [CHURN, 0]) {
              const st = await wB.run(() => keysAt(k!, acc, total));
              (total ? b.churn : b.none).push(st);
            }
            await Promise.all(acc.map((a) => setChurn(a, 0)));
          }
        } finally {
          await k?.stop();
        }
      });
    });
  } catch (e) {
    notes.push(`${what}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doB) keyRows(view, b.churn, b.none, wB);
  if (doC) {
    ratioRow(`(c) launch to all ${view} shown <= ${TARGET_C_RATIO.toFixed(1)}x ${MERGED} \`kubectl get pods -A\` at once`, c.launch, c.kubectl, `${MERGED} x kubectl at once`, TARGET_C_RATIO, wC, REPEATS);
    const rssRow = (when: string, xs: number[]) => {
      const target = `(c) kmux resident ${when}, ${view}, <= ${TARGET_RSS_MB} MB`;
      if (!xs.length) return notMeasured(target);
      rows.push({
        target: `${target} (n=${xs.length})`,
        kmux: spreadText(xs, mbN, ' MB'),
        baseline: `kubectl peak, each of ${MERGED}: ${spreadText(c.kubectlRss, mbN, ' MB')}`,
        measured: mb(median(xs)),
        load: wC.load(),
        verdict: verdict(median(xs) / 1024 <= TARGET_RSS_MB, xs.length, REPEATS),
      });
    };
    rssRow('at ready', c.ready);
    rssRow('5 s after ready', c.later);
    details.push(`(c) ${view}: kmux launch ${values(c.launch, secN, ' s')}${firstText(c.first)}; ${MERGED} x kubectl get pods -A at once, until the last ended: ${values(c.kubectl, secN, ' s')}`);
    details.push(`(c) kmux VmRSS at ready ${values(c.ready, mbN, ' MB')}; 5 s later ${values(c.later, mbN, ' MB')}; peak (VmHWM) ${values(c.hwm, mbN, ' MB')}; kubectl peak RSS ${values(c.kubectlRss, mbN, ' MB')}`);
  }
}

/** (b)'s rows: p95 of each run, median over the runs, with churn against without. */
function keyRows(view: string, churn: KeyStats[], none: KeyStats[], w: Stretch): void {
  const row = (name: string, limit: number, pick: (s: KeyStats) => number[]) => {
    const seen = churn.length ? `, ${median(churn.map((s) => s.rate)).toFixed(0)} pod events/s seen` : '';
    const target = `(b) ${name} key to frame p95 <= ${limit} ms, ${view}, churn ${thousands(CHURN)} changes/s set${seen}`;
    const p95 = churn.map((s) => pct(pick(s), 95));
    const base = none.map((s) => pct(pick(s), 95));
    if (!p95.length) return notMeasured(target);
    rows.push({
      target: `${target} (n=${p95.length} runs)`,
      kmux: spreadText(p95, msf, ' ms'),
      baseline: `no churn: ${spreadText(base, msf, ' ms')}`,
      measured: `${msf(median(p95))} ms`,
      load: w.load(),
      verdict: verdict(median(p95) <= limit, p95.length, REPEATS),
    });
    const run = (s: KeyStats) => `${msf(pct(pick(s), 50))}/${msf(pct(pick(s), 95))}/${msf(Math.max(...pick(s)))} (n=${pick(s).length})`;
    details.push(`(b) ${name} p50/p95/max ms per run: with churn ${churn.map(run).join(', ')}; no churn ${none.map(run).join(', ')}`);
  };
  row('cursor move (j/k/Down)', TARGET_MOVE_P95_MS, (s) => s.move);
  row('filter typing (chars, backspace)', TARGET_FILTER_P95_MS, (s) => s.filter);
  details.push(`(b) pod watch events all ${MERGED} clusters sent while the keys were typed: ${values(churn.map((s) => s.rate), (x) => x.toFixed(0), '/s')} with ${thousands(CHURN)} changes/s set ` +
    `(${(CHURN / MERGED).toFixed(1)} per cluster), ${values(none.map((s) => s.rate), (x) => x.toFixed(0), '/s')} with none (pod lifecycles: restarts, crash loops, jobs)`);
  const e2e = (xs: KeyStats[], pick: (s: KeyStats) => number[]) => xs.map((s) => `${msf(pct(pick(s), 50))}/${msf(pct(pick(s), 95))}`).join(', ');
  details.push(`(b) end to end p50/p95 ms per run (tmux send-keys returned -> trace line read by the bench; includes time the key waited for kmux's event loop): ` +
    `move ${e2e(churn, (s) => s.moveE2e)} with churn, ${e2e(none, (s) => s.moveE2e)} without; filter ${e2e(churn, (s) => s.filterE2e)} with churn, ${e2e(none, (s) => s.filterE2e)} without`);
  const lost = [...churn, ...none].reduce((n, s) => n + s.lost, 0);
  if (lostKeys.length) notes.push(`(b) ${lost} measured key(s) got no frame of their own; keys without their trace line: ${lostKeys.join('; ')}.`);
}

// ------------------------------------------------------------------ main
function table(): string {
  const lines = ['| target (repeats) | kmux: median (min-max) | baseline: median (min-max) | measured | load avg: mean (max) | verdict |', '|---|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.target} | ${r.kmux} | ${r.baseline} | ${r.measured} | ${r.load} | ${r.verdict} |`);
  return lines.join('\n');
}

/** The commit measured, and whether the tree had changes outside bench/ (kmux runs the sources as they are). */
function codeVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n').filter((l) => l.trim() && !l.slice(3).startsWith('bench/'));
    return `commit ${head}${dirty.length ? ` plus uncommitted changes in ${dirty.length} file(s)` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}
const CODE_AT_START = codeVersion();

const HOW_MEASURED = [
  `- Every figure alternates kmux with its baseline, repeat by repeat, never at the same time (except (c)'s three kubectls, which run together). "kmux" and "baseline" give the median of the repeats with their min-max; "measured" is the ratio of the medians (in parentheses: the lowest and highest ratio of a kmux run to the baseline run beside it) or the median itself, and the verdict judges that against the target. Each value is in Details. "load avg" is the machine's 1-minute load average (sampled every 2 s and at both ends of each repeat) during that figure's repeats only: mean and max (a 1-minute average lags: a short figure's also carries some of the minute before it). kmux runs as \`${BIN_COMMAND}\` (the environment and flags of its #! line), on the node that runs the bench.`,
  `- start, \`kmux --help\`: wall time of the whole process (spawn to exit, output to /dev/null) against \`kubectl version --client\`; CPU time (GNU time) in Details.`,
  `- start, first full frame: a ${thousands(PODS_START)}-pod cluster; kmux from just before tmux starts \`kmux --context C -A -c pods\` to its \`ready\` trace line (the first frame showing the first table view with every store synced; the title counter is checked against the simulator's pod count); against the wall time of \`kubectl get pods -A\` (output to /dev/null).`,
  `- start, \`npm start\`: \`node <#! flags> bin/kmux.js --demo\` in tmux with KMUX_TRACE, from just before tmux starts it to the \`ready\` line (the demo fleet starts inside kmux, so its start is counted); an absolute bound.`,
  `- (a) kmux as the first frame above, on one cluster; kubectl: wall time of \`kubectl get pods -A\` (output to /dev/null); raw list: a node process (the same node, with kmux's node flags) running bench/raw-list.mjs, which fetches every page of \`/api/v1/pods?limit=${PAGE_SIZE}&continue=...\` (kmux's page size, from ${PAGE_SIZE_SOURCE}) over one keep-alive TLS connection with the context's client certificate and JSON-parses each page, nothing else; spawn to exit. Each repeat runs kubectl, kmux, then the raw list. Where kmux writes a \`first\` trace line (its first frame with a row of the first view), Details give that time too, for (a), the 150-pod start and (c).`,
  `- (b) the kmux launched in (c)'s repeat (launched alone when (c) is not asked for), on the merged view of the fleet's ${MERGED} contexts (\`--context dev,staging,prod -A -c pods\`). One key at a time through tmux; the next key goes once the previous key's frame is traced, after a 20-80 ms pause. The figure is kmux's own key-to-frame trace (from the key's handler to the frame that shows it): its p95 within one run, then the median of the runs. Filter keys are the characters and backspaces typed after \`/\` (live filtering); \`/\`, Escape and Ctrl-U are not counted. Churn: the fleet's total, set through each cluster's \`/_sim/churn\` (\`kmux sim --churn\` counts per cluster, so each gets a third), 3 s before the keys; Details gives the pod watch events all clusters really sent meanwhile (a plain watch on each). Baseline: the same keys on the same kmux with the churn set to 0 (pods still restart, crash-loop and complete on their own); in each repeat the churned and the quiet run go in turn first. The end-to-end figures in Details start when tmux has taken the key, so they include the time the key waited while kmux's event loop was busy, which kmux's own trace cannot see.`,
  `- (c) kmux: launch to its \`ready\` line with ${MERGED} contexts in one merged view (the title counter checked against the simulator's pods), against ${MERGED} \`kubectl get pods -A\` started at once, one per context, until the last one ends. Memory: VmRSS of the kmux node process from /proc/PID/status at its \`ready\` line and 5 s later, each against the bound; kubectl's peak RSS (GNU time %M) for comparison.`,
];

async function main(): Promise<void> {
  const command = [
    ...Object.entries(env).filter(([k]) => k.startsWith('BENCH_')).map(([k, v]) => `${k}=${/\s/.test(v ?? '') ? quote(v ?? '') : v}`),
    'npm run bench',
  ].join(' ');
  log(`kmux bench: ${[...ONLY].join(',')}; start ${thousands(PODS_START)}, small ${thousands(PODS_SMALL)}, large ${thousands(PODS_LARGE)} pods, ` +
    `churn ${CHURN}/s over ${MERGED} clusters, ${REPEATS} repeats (start ${START_REPEATS}), ${MOVES} moves + ${FILTER_ROUNDS} filter rounds, budget ${BUDGET_MS / 1000}s; work dir ${WORK}`);
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
  } catch {
    throw new Error('the bench needs tmux and kubectl on PATH');
  }
  // as kubectl's check above: kmux's files in the page cache (and a stale build redone) before anything is timed
  execFileSync(NODE, [...BIN_NODE_FLAGS, BIN, '--help'], { stdio: 'ignore', cwd: ROOT });
  if (!existsSync('/usr/bin/time')) throw new Error('the bench needs /usr/bin/time (GNU time) for wall, CPU and peak RSS');
  if (!Number.isFinite(PAGE_SIZE)) throw new Error(`no pageSize found in ${PAGE_SIZE_SOURCE}: the raw baseline must ask for kmux's pages`);
  if (ONLY.has('start')) {
    log(`start: kmux --help`);
    await helpFigure();
    log(`start: first full frame, ${thousands(PODS_START)} pods`);
    await firstFrameFigure();
    log(`start: kmux --demo`);
    await demoFigure();
  }
  if (ONLY.has('a')) {
    log(`(a) launch, ${thousands(PODS_SMALL)} pods`);
    await launchFigure(PODS_SMALL, false);
    log(`(a) launch, ${thousands(PODS_LARGE)} pods`);
    await launchFigure(PODS_LARGE, true);
  }
  if (ONLY.has('b') || ONLY.has('c')) {
    log(`(b)/(c) ${MERGED} x ${thousands(PODS_LARGE)} pods merged`);
    await mergedFigures(ONLY.has('b'), ONLY.has('c'));
  }
  cleanupAll();

  const elapsed = (Date.now() - T_START) / 1000;
  const all = loadDuring(loads, [[0, Infinity]]);
  const md = [
    `# kmux benchmark results`,
    ``,
    `- date: ${new Date().toISOString()}`,
    `- command: \`${command}\``,
    `- machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GB; node ${process.version}; ${execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).split('\n')[0]}`,
    `- code: ${CODE_AT_START === codeVersion() ? CODE_AT_START : `${CODE_AT_START} at the start, ${codeVersion()} at the end: the sources changed during the run, so figures may mix versions`}`,
    `- run time: ${elapsed.toFixed(0)} s; 1-minute load average during the whole run: mean ${all?.mean.toFixed(1)}, max ${all?.max.toFixed(1)} (on ${cpus().length} cores; the bench itself keeps about 2 busy)`,
    `- kmux in tmux ${W}x${H}; fleet: a separate \`kmux sim\` process (nodes = pods / 100), on the same machine`,
    ``,
    table(),
    ``,
    `How each figure is measured:`,
    ...HOW_MEASURED,
    ``,
    ...(details.length ? ['Details:', ...details.map((d) => `- ${d}`), ''] : []),
    ...(notes.length ? ['Notes:', ...notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
  process.stdout.write(`\n${table()}\n\n`);
  if (details.length) process.stdout.write(details.map((d) => `- ${d}`).join('\n') + '\n');
  if (notes.length) process.stdout.write(notes.map((n) => `- ${n}`).join('\n') + '\n');
  writeFileSync(join(ROOT, 'bench/results.md'), md + '\n');
  log(`wrote bench/results.md (${elapsed.toFixed(0)} s)`);
}

main()
  .catch((e) => {
    log(`bench failed: ${(e as Error)?.stack ?? e}`);
    process.exitCode = 1;
  })
  .finally(() => {
    cleanupAll();
    // the trace watchers and timers must not keep us alive
    setTimeout(() => process.exit(), 100).unref();
  });
