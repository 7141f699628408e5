/**
 * kmux's benchmark suite: `npm run bench` (BENCH_QUICK=1 for a small, fast run).
 *
 * Three figures, each against a baseline measured in the same run (the machine is small and
 * noisy, so absolute numbers from another run mean little):
 *  (a) launch -> first frame showing every pod (1 context, SMALL and LARGE pods) vs `kubectl get pods -A`
 *  (b) key -> frame latency, p50/p95, cursor moves and filter typing, LARGE rows, fleet churning
 *      vs the same with no churn
 *  (c) kmux's resident memory with 3 contexts x LARGE pods vs kubectl's peak RSS on one of them
 *
 * The fleet runs as a separate `kmux sim` process; kmux runs in a real terminal (tmux, 160x45,
 * private socket) with KMUX_TRACE pointing at a file where it appends `first <epoch-ms>` once the
 * first table view shows a row (its first list shows its pages as they arrive), `ready <epoch-ms>`
 * once it is synced and drawn, and `<label> <ms>` for every key's frame.
 *
 * Environment:
 *   BENCH_QUICK=1          2,000 / 5,000 pods and fewer keys
 *   BENCH_PODS_SMALL       pods for the small launch (default 10000)
 *   BENCH_PODS_LARGE       pods for the large launch, the latency and the memory runs (default 50000)
 *   BENCH_CHURN            changes a second in (b) (default 500)
 *   BENCH_REPEATS          launches per measure, median reported (default 3)
 *   BENCH_MOVES            cursor keys per latency run (default 150; quick 60)
 *   BENCH_FILTER_ROUNDS    filter rounds per latency run, ~12 keys each (default 6; quick 3)
 *   BENCH_BUDGET_S         hard limit for the whole run (default 600)
 *   BENCH_CPU_PROF=DIR     run kmux with --cpu-prof into DIR (slows it down; for diagnosis only)
 *   BENCH_ONLY=a,b,c       run only some figures
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

// ------------------------------------------------------------------ configuration
const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/kmux.js');
/** the node flags of bin/kmux.js's #! line: kmux is measured as it runs when installed */
const BIN_NODE_FLAGS = (/^#!.*\bnode\b(.*)$/m.exec(readFileSync(BIN, 'utf8').split('\n')[0])?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
const NODE = process.execPath;
const env = process.env;
const QUICK = env.BENCH_QUICK === '1';
const int = (name: string, dflt: number): number => {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} wants a number, got "${v}"`);
  return Math.floor(n);
};
const PODS_SMALL = int('BENCH_PODS_SMALL', QUICK ? 2000 : 10000);
const PODS_LARGE = int('BENCH_PODS_LARGE', QUICK ? 5000 : 50000);
const CHURN = int('BENCH_CHURN', 500);
const REPEATS = Math.max(1, int('BENCH_REPEATS', 3));
const MOVES = int('BENCH_MOVES', QUICK ? 60 : 150);
const FILTER_ROUNDS = int('BENCH_FILTER_ROUNDS', QUICK ? 3 : 6);
const BUDGET_MS = int('BENCH_BUDGET_S', 600) * 1000;
const CPU_PROF = env.BENCH_CPU_PROF ? resolve(env.BENCH_CPU_PROF) : undefined;
const KMUX_ENV: Record<string, string> = Object.fromEntries((env.BENCH_KMUX_ENV ?? '').split(/\s+/).filter(Boolean).map((kv) => {
  const at = kv.indexOf('=');
  if (at <= 0) throw new Error(`BENCH_KMUX_ENV wants K=V pairs, got "${kv}"`);
  return [kv.slice(0, at), kv.slice(at + 1)];
}));
const MEM_DETAIL = env.BENCH_MEM_DETAIL === '1';
const ONLY = new Set((env.BENCH_ONLY ?? 'a,b,c').split(',').map((s) => s.trim()));
const W = 160;
const H = 45;
const TARGET_LAUNCH_RATIO = 1.5;
const TARGET_P95_MS = 50;
const TARGET_RSS_MB = 600;

const T_START = Date.now();
const WORK = mkdtempSync(join(tmpdir(), 'kmux-bench-'));
// the work dir (fleets' kubeconfigs, traces, kmux's stderr) goes at exit, unless cpu profiles are in it
process.on('exit', () => {
  cleanupAll();
  if (!CPU_PROF) rmSync(WORK, { recursive: true, force: true });
});
// the machine's load while we run: other work on a 2-core box moves every absolute number
const loads: number[] = [loadavg()[0]];
setInterval(() => loads.push(loadavg()[0]), 5000).unref();
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

/**
 * Counts the pod watch events a cluster sends (what kmux's store has to take in): the churn the
 * fleet really produces, measured rather than assumed. A plain watch from the current RV.
 */
async function countPodEvents(server: string, kubeconfig: string, context: string): Promise<{ stop: () => { events: number; seconds: number } }> {
  // the fleet speaks TLS and wants credentials: the context's CA and client certificate, as kubectl has them
  const kc = YAML.parse(readFileSync(kubeconfig, 'utf8'));
  const ctx = kc.contexts?.find((c: any) => c.name === context)?.context ?? {};
  const cluster = kc.clusters?.find((c: any) => c.name === ctx.cluster)?.cluster ?? {};
  const user = kc.users?.find((u: any) => u.name === ctx.user)?.user ?? {};
  const b64 = (x?: string) => (x ? Buffer.from(x, 'base64') : undefined);
  const tls = { ca: b64(cluster['certificate-authority-data']), cert: b64(user['client-certificate-data']), key: b64(user['client-key-data']) };
  const request = (url: string, cb: (r: IncomingMessage) => void): ClientRequest => (url.startsWith('https:') ? httpsRequest(url, tls, cb) : httpRequest(url, cb));
  const get = (path: string) => new Promise<any>((res, rej) => {
    const req = request(server + path, (r) => {
      let body = '';
      r.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => {
        try {
          res(JSON.parse(body));
        } catch (e) {
          rej(e);
        }
      });
    });
    req.on('error', rej);
    req.setTimeout(30_000, () => req.destroy(new Error('list timed out')));
    req.end();
  });
  const rv = (await get('/api/v1/pods?limit=1')).metadata?.resourceVersion;
  let events = 0;
  const t0 = performance.now();
  const req = request(`${server}/api/v1/pods?watch=true&resourceVersion=${rv}&timeoutSeconds=900`, (r) => {
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

// ------------------------------------------------------------------ kubectl
interface KubectlRun {
  ms: number;
  maxRssKb: number;
}

async function kubectlGetPods(kubeconfig: string, context: string): Promise<KubectlRun> {
  const timeFile = join(WORK, `time-${Date.now()}.txt`);
  const errFile = join(WORK, `kubectl-err-${Date.now()}.txt`);
  const devnull = openSync('/dev/null', 'w');
  const errFd = openSync(errFile, 'w');
  const t0 = performance.now();
  const p = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, 'kubectl', '--kubeconfig', kubeconfig, '--context', context, 'get', 'pods', '-A'], {
    stdio: ['ignore', devnull, errFd],
    env: { ...env, KUBECONFIG: kubeconfig },
  });
  closeSync(devnull);
  closeSync(errFd);
  const off = onCleanup(() => { if (p.pid && alive(p.pid)) process.kill(p.pid, 'SIGKILL'); });
  const code = await new Promise<number | null>((res) => {
    const timer = setTimeout(() => { p.kill('SIGKILL'); }, within(180_000));
    p.on('exit', (c) => {
      clearTimeout(timer);
      res(c);
    });
  });
  const ms = performance.now() - t0;
  off();
  if (code !== 0) throw new Error(`kubectl get pods -A failed (${code}): ${readFileSync(errFile, 'utf8').slice(0, 2000)}`);
  const maxRssKb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  return { ms, maxRssKb };
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

function launchKmux(kubeconfig: string, contexts: string[], label: string, o: { inspect?: boolean } = {}): Kmux {
  startTmux();
  const n = ++runSeq;
  const name = `k${n}`;
  const dir = join(WORK, `run-${n}-${label}`);
  mkdirSync(join(dir, 'xdg'), { recursive: true });
  const tracePath = join(dir, 'trace');
  const errFile = join(dir, 'stderr');
  const trace = new Trace(tracePath);
  const envs: Record<string, string> = { TERM: 'xterm-256color', XDG_CONFIG_HOME: join(dir, 'xdg'), KMUX_TRACE: tracePath, KUBECONFIG: kubeconfig, ...KMUX_ENV };
  const nodeArgs = [...BIN_NODE_FLAGS, ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`, `--cpu-prof-name=kmux-${label}-${n}.cpuprofile`] : [])];
  if (o.inspect) nodeArgs.push('--inspect=127.0.0.1:0');
  const argv = [NODE, ...nodeArgs, BIN, '--kubeconfig', kubeconfig, '--context', contexts.join(','), '-A', '-c', 'pods'];
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

// ------------------------------------------------------------------ statistics and formatting
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
/** Nearest-rank percentile. */
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const msf = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
const thousands = (n: number) => n.toLocaleString('en-US');
const ok = (b: boolean) => (b ? 'met' : '**missed**');

// ------------------------------------------------------------------ the figures
interface Row {
  figure: string;
  kmux: string;
  baseline: string;
  verdict: string;
}
const rows: Row[] = [];
const notes: string[] = [];
const details: string[] = [];
const lostKeys: string[] = [];

/** (a) one size: kubectl and kmux alternately, never at the same time; medians. */
async function launchFigure(pods: number): Promise<void> {
  const figure = `(a) launch to every pod shown, ${thousands(pods)} pods, median of ${REPEATS}`;
  try {
    await withFleet({ clusters: 1, pods, churn: 0 }, async (fl) => {
      const ctx = [...fl.pods.keys()][0];
      const expected = fl.pods.get(ctx)!;
      const kc: number[] = [];
      const km: number[] = [];
      /** launch to the first rows drawn */
      const kf: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const r = await kubectlGetPods(fl.kubeconfig, ctx);
        kc.push(r.ms);
        log(`  kubectl get pods -A (${thousands(expected)}): ${sec(r.ms)}, peak RSS ${mb(r.maxRssKb)}`);
        const k = launchKmux(fl.kubeconfig, [ctx], `launch${pods}`);
        try {
          const ms = await waitReady(k, 180_000);
          const shown = shownCount(k.screen());
          if (shown !== expected) notes.push(`(a) ${thousands(pods)}: run ${i + 1} showed ${shown} rows at ready, the fleet has ${expected}.`);
          km.push(ms);
          const first = k.trace.lines.find((l) => l.label === 'first');
          if (first) kf.push(first.value - k.spawnedAt);
          log(`  kmux ready (${thousands(shown ?? -1)} rows shown): ${sec(ms)}${first ? `, first rows at ${sec(first.value - k.spawnedAt)}` : ''}`);
        } finally {
          await k.stop();
        }
      }
      const ratio = median(km) / median(kc);
      rows.push({
        figure,
        kmux: `${sec(median(km))}${kf.length ? ` (first rows ${sec(median(kf))})` : ''}`,
        baseline: `kubectl get pods -A: ${sec(median(kc))}`,
        verdict: `${ratio.toFixed(2)}x / <= ${TARGET_LAUNCH_RATIO}x: ${ok(ratio <= TARGET_LAUNCH_RATIO)}`,
      });
      details.push(`(a) ${thousands(pods)} pods: kmux ${km.map(sec).join(', ')} (first rows ${kf.map(sec).join(', ')}); kubectl ${kc.map(sec).join(', ')}`);
    });
  } catch (e) {
    fail(figure, e);
  }
}

interface KeyStats {
  /** pod watch events a second the cluster sent while the keys were typed */
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

async function latencyRun(churn: number, ctxPods: number): Promise<KeyStats> {
  return withFleet({ clusters: 1, pods: ctxPods, churn }, async (fl) => {
    const ctx = [...fl.pods.keys()][0];
    const k = launchKmux(fl.kubeconfig, [ctx], `keys-churn${churn}`);
    try {
      const ms = await waitReady(k, 180_000);
      log(`  kmux ready on ${thousands(fl.pods.get(ctx)!)} pods (churn ${churn}/s) in ${sec(ms)}; settling 3 s`);
      await sleep(3000);
      const t0 = Date.now();
      const counter = await countPodEvents(fl.servers.get(ctx)!, fl.kubeconfig, ctx);
      const st = await typeKeys(k);
      const seen = counter.stop();
      st.rate = seen.events / seen.seconds;
      log(`  ${st.move.length} moves, ${st.filter.length} filter keys in ${sec(Date.now() - t0)} (${st.lost} without a frame); the cluster sent ${st.rate.toFixed(0)} pod events/s`);
      return st;
    } finally {
      await k.stop();
    }
  });
}

async function latencyFigure(): Promise<void> {
  const what = `${thousands(PODS_LARGE)} rows`;
  try {
    log(`(b) baseline: no churn`);
    const base = await latencyRun(0, PODS_LARGE);
    log(`(b) churn ${CHURN}/s`);
    const churn = await latencyRun(CHURN, PODS_LARGE);
    const row = (name: string, a: number[], b: number[]) => {
      const p95 = pct(a, 95);
      rows.push({
        figure: `(b) ${name} key to frame p50 / p95, ${what}, churn ${CHURN}/s (n=${a.length})`,
        kmux: `${msf(pct(a, 50))} / ${msf(p95)} ms`,
        baseline: `no churn: ${msf(pct(b, 50))} / ${msf(pct(b, 95))} ms (n=${b.length})`,
        verdict: `p95 ${(p95 / pct(b, 95)).toFixed(2)}x baseline / <= ${TARGET_P95_MS} ms: ${ok(p95 <= TARGET_P95_MS)}`,
      });
    };
    details.push(`(b) pod watch events the cluster sent while the keys were typed: ${churn.rate.toFixed(0)}/s with --churn ${CHURN}, ${base.rate.toFixed(0)}/s with --churn 0 (pod lifecycles: restarts, crash loops, jobs).`);
    row('cursor move (j/k/Down)', churn.move, base.move);
    row('filter typing (/, chars, backspace)', churn.filter, base.filter);
    details.push(`(b) end to end (tmux send-keys returned -> trace line read by the bench; includes time the key waited for kmux's event loop): ` +
      `move p50/p95 ${msf(pct(churn.moveE2e, 50))}/${msf(pct(churn.moveE2e, 95))} ms with churn, ${msf(pct(base.moveE2e, 50))}/${msf(pct(base.moveE2e, 95))} ms without; ` +
      `filter ${msf(pct(churn.filterE2e, 50))}/${msf(pct(churn.filterE2e, 95))} ms with churn, ${msf(pct(base.filterE2e, 50))}/${msf(pct(base.filterE2e, 95))} ms without.`);
    details.push(`(b) max key to frame: move ${msf(Math.max(...churn.move))} ms (churn) / ${msf(Math.max(...base.move))} ms; filter ${msf(Math.max(...churn.filter))} ms (churn) / ${msf(Math.max(...base.filter))} ms.`);
    if (lostKeys.length) notes.push(`(b) ${churn.lost + base.lost} measured key(s) (${churn.lost} with churn) got no frame of their own; keys without their trace line: ${lostKeys.join('; ')}.`);
  } catch (e) {
    fail(`(b) key to frame, ${what}`, e);
  }
}

async function memoryFigure(): Promise<void> {
  const figure = `(c) kmux RSS, 3 contexts x ${thousands(PODS_LARGE)} pods, all shown`;
  try {
    await withFleet({ clusters: 3, pods: PODS_LARGE, churn: 0 }, async (fl) => {
      const ctxs = [...fl.pods.keys()];
      const expected = [...fl.pods.values()].reduce((a, b) => a + b, 0);
      const kube = await kubectlGetPods(fl.kubeconfig, ctxs[0]);
      log(`  kubectl get pods -A on ${ctxs[0]}: ${sec(kube.ms)}, peak RSS ${mb(kube.maxRssKb)}`);
      const k = launchKmux(fl.kubeconfig, ctxs, 'memory', { inspect: MEM_DETAIL });
      let mem: { rss: number; hwm: number };
      let later: { rss: number; hwm: number } | undefined;
      try {
        const ms = await waitReady(k, 300_000);
        mem = rssKb(k.pid);
        const shown = shownCount(k.screen());
        log(`  kmux ready on ${thousands(shown ?? -1)} rows in ${sec(ms)}: VmRSS ${mb(mem.rss)}, VmHWM ${mb(mem.hwm)}`);
        if (shown !== expected) notes.push(`(c) kmux showed ${shown} rows at ready; the fleet has ${expected}.`);
        await sleep(5000);
        later = rssKb(k.pid);
        details.push(`(c) kmux launch to all ${thousands(expected)} pods of 3 contexts: ${sec(ms)}; VmRSS ${mb(mem.rss)} at ready, ${mb(later.rss)} 5 s later, peak (VmHWM) ${mb(later.hwm)}.`);
        if (MEM_DETAIL) details.push(`(c) kmux's V8 heap 5 s after ready (inspector): ${await heapDetail(k).catch((e) => (e as Error).message)}.`);
      } finally {
        await k.stop();
      }
      rows.push({
        figure,
        kmux: `${mb(mem.rss)} (VmRSS at ready)`,
        baseline: `kubectl get pods -A, 1 context: ${mb(kube.maxRssKb)} peak`,
        verdict: `${(mem.rss / kube.maxRssKb).toFixed(2)}x / <= ${TARGET_RSS_MB} MB: ${ok(mem.rss / 1024 <= TARGET_RSS_MB)}`,
      });
    });
  } catch (e) {
    fail(figure, e);
  }
}

function fail(figure: string, e: unknown): void {
  const msg = (e as Error)?.message ?? String(e);
  log(`FAILED ${figure}: ${msg}`);
  rows.push({ figure, kmux: 'error', baseline: '', verdict: 'not measured' });
  notes.push(`${figure}: ${msg.split('\n')[0]}`);
}

// ------------------------------------------------------------------ main
function table(): string {
  const lines = ['| figure | kmux | baseline | ratio / target |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.figure} | ${r.kmux} | ${r.baseline} | ${r.verdict} |`);
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

async function main(): Promise<void> {
  const command = [
    ...Object.entries(env).filter(([k]) => k.startsWith('BENCH_')).map(([k, v]) => `${k}=${/\s/.test(v ?? '') ? quote(v ?? '') : v}`),
    'npm run bench',
  ].join(' ');
  log(`kmux bench: small ${thousands(PODS_SMALL)}, large ${thousands(PODS_LARGE)} pods, churn ${CHURN}/s, ${REPEATS} launches, ` +
    `${MOVES} moves + ${FILTER_ROUNDS} filter rounds, budget ${BUDGET_MS / 1000}s; work dir ${WORK}`);
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
  } catch {
    throw new Error('the bench needs tmux and kubectl on PATH');
  }
  if (!existsSync('/usr/bin/time')) throw new Error('the bench needs /usr/bin/time (GNU time) for kubectl\'s peak RSS');
  if (ONLY.has('a')) {
    log(`(a) launch, ${thousands(PODS_SMALL)} pods`);
    await launchFigure(PODS_SMALL);
    log(`(a) launch, ${thousands(PODS_LARGE)} pods`);
    await launchFigure(PODS_LARGE);
  }
  if (ONLY.has('b')) await latencyFigure();
  if (ONLY.has('c')) {
    log(`(c) memory, 3 x ${thousands(PODS_LARGE)} pods`);
    await memoryFigure();
  }
  cleanupAll();

  const elapsed = (Date.now() - T_START) / 1000;
  const md = [
    `# kmux benchmark results`,
    ``,
    `- date: ${new Date().toISOString()}`,
    `- command: \`${command}\``,
    `- machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GB; node ${process.version}; ${execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).split('\n')[0]}`,
    `- code: ${CODE_AT_START === codeVersion() ? CODE_AT_START : `${CODE_AT_START} at the start, ${codeVersion()} at the end: the sources changed during the run, so figures may mix versions`}`,
    `- run time: ${elapsed.toFixed(0)} s; 1-minute load average during the run: mean ${(loads.reduce((a, b) => a + b, 0) / loads.length).toFixed(1)}, max ${Math.max(...loads).toFixed(1)} (on ${cpus().length} cores; the bench itself keeps about 2 busy)`,
    `- kmux in tmux ${W}x${H}; fleet: a separate \`kmux sim\` process (nodes = pods / 100), on the same machine`,
    ``,
    table(),
    ``,
    `How each figure is measured:`,
    `- (a) kmux: from just before tmux starts \`kmux --context C -A -c pods\` to the \`ready\` trace line (the first frame showing the first table view with every store synced; the title counter is checked against the fleet's pod count). kubectl: wall time of \`kubectl get pods -A\` with output to /dev/null, run alternately with kmux (never at the same time).`,
    `- (b) one key at a time through tmux; the next key goes once the previous key's frame is traced, after a 20-80 ms pause. The figure is kmux's own key-to-frame trace (from the key's handler to the frame that shows it). Filter keys are the characters and backspaces typed after \`/\` (live filtering); \`/\`, Escape and Ctrl-U are not counted. Baseline: the same keys on the same size of fleet with no churn (\`--churn 0\`: pods still restart, crash-loop and complete on their own; Details gives the watch events counted during each run). The end-to-end figures in Details start when tmux has taken the key, so they include the time the key waited while kmux's event loop was busy, which kmux's own trace cannot see.`,
    `- (c) VmRSS of the kmux node process from /proc/PID/status at its \`ready\` line with 3 contexts open in one merged view; baseline: kubectl's peak RSS (GNU time %M) for \`get pods -A\` on one of those clusters.`,
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
