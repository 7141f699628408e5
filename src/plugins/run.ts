/**
 * Running plugins without the terminal: background jobs with their output kept (bounded), and
 * short captured runs for overwriteOutput. Foreground runs need Ink (suspendTerminal) and
 * live in the UI; pluginEnv gives them their environment.
 *
 * Always an argument vector (execa with shell: false): a value is one argument, never code.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa, execaSync, type ResultPromise } from 'execa';
import { envName, formatCommandLine, type Argv, type PluginVars } from './vars.js';

// ---------------------------------------------------------------------------------------
// Environment

let pinDir: string | undefined;
let exitHook = false;

/** Remove the context fragments now (also done on process exit). */
export function disposeContextPins(): void {
  if (!pinDir) return;
  try {
    rmSync(pinDir, { recursive: true, force: true });
  } catch {
    /* best effort */
  }
  pinDir = undefined;
}

/**
 * A kubeconfig fragment that only sets current-context. Put first in KUBECONFIG, it makes
 * kubectl, helm, stern... (client-go merges the files; the first current-context wins) use
 * the row's context even when a plugin does not pass --context. Written once per context in
 * a private directory (mkdtemp, 0700) removed when kmux exits.
 */
export function contextPinFile(context: string): string {
  if (!pinDir) {
    pinDir = mkdtempSync(join(tmpdir(), 'kmux-ctx-'));
    if (!exitHook) {
      exitHook = true;
      process.once('exit', disposeContextPins);
    }
  }
  const file = join(pinDir, `${createHash('sha256').update(context).digest('hex').slice(0, 16)}.yaml`);
  writeFileSync(file, `apiVersion: v1\nkind: Config\ncurrent-context: ${JSON.stringify(context)}\n`, { mode: 0o600 });
  return file;
}

/**
 * The child's environment: the base (PATH, HOME...) as it is, every variable as KMUX_<NAME>
 * (KMUX_NAME, KMUX_COL__CPU_L...), KUBECONFIG pinned to the row's context (see contextPinFile;
 * pinContext: false to skip), and argv.env (what a shell script refers to).
 *
 * As in K9s, no variable is exported under its own name (NAME, RESOURCE_GROUP...): K9s puts its
 * values into the command's text and leaves the environment alone, so what a script reads from
 * the shell (`${RESOURCE_GROUP:+...}`, `${NAME:-x}`, forms K9s does not substitute) is the
 * user's own environment, under kmux as under K9s.
 */
export function pluginEnv(vars: PluginVars, baseEnv: NodeJS.ProcessEnv = process.env, argv?: Pick<Argv, 'env'>, opts: { pinContext?: boolean } = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(baseEnv)) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(vars)) {
    const n = envName(k);
    if (!Object.hasOwn(env, n) || env[n] === v) env[n] = v;
  }
  const kubeconfig = vars.KUBECONFIG || baseEnv.KUBECONFIG || join(baseEnv.HOME || homedir(), '.kube', 'config');
  env.KUBECONFIG = kubeconfig;
  if (vars.CONTEXT && opts.pinContext !== false) {
    try {
      env.KUBECONFIG = [contextPinFile(vars.CONTEXT), kubeconfig].join(delimiter);
    } catch {
      /* no temp dir: plugins still get --context through $CONTEXT */
    }
  }
  if (vars.CONTEXT) env.KMUX_CONTEXT = vars.CONTEXT;
  Object.assign(env, argv?.env ?? {});
  return env;
}

// ---------------------------------------------------------------------------------------
// Bounded output

/** Keeps the last `limit` bytes of a stream. */
export class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  /** bytes dropped from the front */
  dropped = 0;
  constructor(readonly limit = 256 * 1024) {}
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    while (this.size > this.limit && this.chunks.length) {
      const over = this.size - this.limit;
      const first = this.chunks[0];
      if (first.length <= over) {
        this.chunks.shift();
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(over);
        this.size -= over;
        this.dropped += over;
      }
    }
  }
  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    // a cut through a multi-byte character leaves U+FFFD at the front: drop it
    return this.dropped ? s.replace(/^\uFFFD+/, '') : s;
  }
}

/**
 * Text safe to draw in the UI: escape sequences and control characters (but newline and tab)
 * removed, so a plugin's output cannot move the cursor or repaint kmux.
 */
export function displayText(s: string): string {
  return s.replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)|\u001b[@-Z\\-_]|[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f]/g, '');
}

/** One status line from a plugin's stdout (overwriteOutput): trimmed lines joined by ' ⏎ ', cut at max. */
export function statusText(stdout: string, max = 300): string {
  const t = displayText(stdout).split('\n').map((l) => l.trim()).filter(Boolean).join(' ⏎ ');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

// ---------------------------------------------------------------------------------------
// Background jobs

export type JobStatus = 'running' | 'exited' | 'failed';

export interface StageResult {
  command: string;
  exitCode?: number;
  signal?: string;
  error?: string;
}

export interface Job {
  readonly id: number;
  readonly plugin: string;
  readonly description: string;
  readonly argv: Argv;
  /** the command line as the confirm dialog shows it */
  readonly commandLine: string;
  readonly context?: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  /** running; exited (the last stage exited 0); failed (non-zero, a signal, or it could not start) */
  readonly status: JobStatus;
  /** the last stage's exit code */
  readonly exitCode?: number;
  readonly signal?: string;
  /** why it failed, in a line: "exit code 2: <first stderr line>", "command not found: stern" */
  readonly error?: string;
  readonly stages: readonly StageResult[];
  /** last 256 KiB (by default) of the last stage's stdout, and of every stage's stderr */
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutDropped: number;
  readonly stderrDropped: number;
  /** bumps on every change (memo key for the UI) */
  readonly version: number;
}

class JobImpl implements Job {
  status: JobStatus = 'running';
  exitCode?: number;
  signal?: string;
  error?: string;
  endedAt?: number;
  stages: StageResult[] = [];
  version = 0;
  readonly out: Tail;
  readonly err: Tail;
  procs: ResultPromise[] = [];
  done!: Promise<Job>;
  constructor(
    readonly id: number,
    readonly plugin: string,
    readonly description: string,
    readonly argv: Argv,
    readonly commandLine: string,
    readonly startedAt: number,
    limit: number,
    readonly context?: string,
  ) {
    this.out = new Tail(limit);
    this.err = new Tail(limit);
  }
  get stdout(): string {
    return this.out.text();
  }
  get stderr(): string {
    return this.err.text();
  }
  get stdoutDropped(): number {
    return this.out.dropped;
  }
  get stderrDropped(): number {
    return this.err.dropped;
  }
}

function describeFailure(r: { exitCode?: number; signal?: string; code?: string; shortMessage?: string; failed?: boolean }, command: string): string | undefined {
  if (r.code === 'ENOENT') return `command not found: ${command}`;
  if (r.code === 'EACCES') return `not executable: ${command}`;
  if (r.signal) return `killed by ${r.signal}`;
  if (r.exitCode !== undefined && r.exitCode !== 0) return `exit code ${r.exitCode}`;
  if (r.failed && r.exitCode === undefined) return r.shortMessage?.split('\n')[0] ?? 'could not start';
  return undefined;
}

export interface JobRegistryOptions {
  /** bytes kept of stdout and of stderr per job (default 256 KiB) */
  captureBytes?: number;
  /** finished jobs kept for the jobs view (default 50; running ones are always kept) */
  keepFinished?: number;
}

/**
 * Background plugin runs: detached (their own process group, so Ctrl-C in a foreground
 * child does not reach them), stdin closed, output kept. list() for a jobs view, onChange to
 * re-render (batched: at most every 100 ms per job while output streams), wait() for tests.
 */
export class JobRegistry {
  private jobs: JobImpl[] = [];
  private nextId = 1;
  private listeners = new Set<(job: Job) => void>();
  private pending = new Map<number, NodeJS.Timeout>();
  private readonly limit: number;
  private readonly keep: number;

  constructor(opts: JobRegistryOptions = {}) {
    this.limit = opts.captureBytes ?? 256 * 1024;
    this.keep = opts.keepFinished ?? 50;
  }

  /** Start argv (with pipes) in the background. Never throws: a start failure is a failed job. */
  start(plugin: { name: string; description?: string }, argv: Argv, env: NodeJS.ProcessEnv, opts: { cwd?: string } = {}): Job {
    const fullEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) if (v !== undefined) fullEnv[k] = v;
    Object.assign(fullEnv, argv.env);
    const job = new JobImpl(this.nextId++, plugin.name, plugin.description ?? plugin.name, argv, formatCommandLine(argv), Date.now(), this.limit, fullEnv.KMUX_CONTEXT);
    this.jobs.push(job);
    this.trim();

    const stages = [[argv.command, ...argv.args], ...argv.pipes];
    const common = {
      env: fullEnv,
      extendEnv: false,
      cwd: opts.cwd,
      shell: false,
      buffer: false,
      reject: false,
      detached: true,
      stdout: 'pipe',
      stderr: 'pipe',
      stripFinalNewline: false,
    } as const;
    try {
      job.procs = stages.map(([cmd, ...args], i) => execa(cmd, args, { ...common, stdin: i === 0 ? 'ignore' : 'pipe' }));
    } catch (e) {
      this.finish(job, [], (e as Error).message);
      job.done = Promise.resolve(job);
      return job;
    }
    const last = job.procs[job.procs.length - 1];
    last.stdout?.on('data', (b: Buffer) => {
      job.out.push(b);
      this.changedSoon(job);
    });
    for (const p of job.procs) {
      p.stderr?.on('data', (b: Buffer) => {
        job.err.push(b);
        this.changedSoon(job);
      });
    }
    const piped: Promise<unknown>[] = [];
    for (let i = 0; i + 1 < job.procs.length; i++) {
      // execa's pipe: stage i's stdout into stage i+1's stdin; errors are read from the results
      piped.push(Promise.resolve(job.procs[i].pipe(job.procs[i + 1])).catch(() => undefined));
    }
    job.done = Promise.all(job.procs.map((p) => Promise.resolve(p).catch((e: unknown) => e as any)))
      .then(async (results) => {
        await Promise.all(piped);
        this.finish(job, results);
        return job as Job;
      });
    this.emit(job);
    return job;
  }

  private finish(job: JobImpl, results: any[], startError?: string): void {
    job.endedAt = Date.now();
    job.stages = results.map((r, i) => {
      const command = i === 0 ? job.argv.command : job.argv.pipes[i - 1][0];
      return { command, exitCode: r?.exitCode, signal: r?.signal, error: describeFailure(r ?? {}, command) };
    });
    const lastStage = job.stages[job.stages.length - 1];
    const lastResult = results[results.length - 1];
    job.exitCode = lastStage?.exitCode;
    job.signal = lastStage?.signal;
    const notStarted = job.stages.find((s, i) => s.exitCode === undefined && !s.signal && results[i]?.failed);
    const err = startError ?? notStarted?.error ?? (lastResult?.failed || lastStage?.exitCode !== 0 ? lastStage?.error : undefined);
    job.status = err || !lastStage ? 'failed' : 'exited';
    if (job.status === 'failed') {
      const firstErr = displayText(job.err.text()).split('\n').map((l) => l.trim()).find(Boolean);
      const base = err ?? 'failed';
      job.error = firstErr && !base.startsWith('command not found') ? `${base}: ${firstErr}` : base;
    }
    const t = this.pending.get(job.id);
    if (t) clearTimeout(t);
    this.pending.delete(job.id);
    this.emit(job);
  }

  private changedSoon(job: JobImpl): void {
    if (this.pending.has(job.id)) return;
    this.pending.set(
      job.id,
      setTimeout(() => {
        this.pending.delete(job.id);
        this.emit(job);
      }, 100),
    );
  }

  private emit(job: JobImpl): void {
    job.version++;
    for (const l of this.listeners) {
      try {
        l(job);
      } catch {
        /* a listener's error is not the job's */
      }
    }
  }

  private trim(): void {
    const finished = this.jobs.filter((j) => j.status !== 'running');
    const extra = finished.length - this.keep;
    if (extra > 0) {
      const drop = new Set(finished.slice(0, extra));
      this.jobs = this.jobs.filter((j) => !drop.has(j));
    }
  }

  /** Newest first. */
  list(): Job[] {
    return [...this.jobs].reverse();
  }

  get(id: number): Job | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  /** Called on start, on output (batched) and on exit. Returns an unsubscribe function. */
  onChange(listener: (job: Job) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when the job has ended. */
  wait(id: number): Promise<Job> {
    const j = this.jobs.find((x) => x.id === id);
    return j ? j.done : Promise.reject(new Error(`no job ${id}`));
  }

  /** Signal every stage's process group. */
  kill(id: number, signal: NodeJS.Signals = 'SIGTERM'): boolean {
    const j = this.jobs.find((x) => x.id === id);
    if (!j || j.status !== 'running') return false;
    for (const p of j.procs) {
      if (p.pid === undefined) continue;
      try {
        process.kill(-p.pid, signal);
      } catch {
        try {
          p.kill(signal);
        } catch {
          /* gone */
        }
      }
    }
    return true;
  }

  /** Forget finished jobs. */
  clearFinished(): void {
    this.jobs = this.jobs.filter((j) => j.status === 'running');
  }

  /** Kill what still runs (call on quit: detached jobs would otherwise outlive kmux). */
  dispose(): void {
    for (const j of this.jobs) if (j.status === 'running') this.kill(j.id);
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    this.listeners.clear();
  }
}

// ---------------------------------------------------------------------------------------
// Captured runs

export interface CapturedResult {
  stdout: string;
  stderr: string;
  /** undefined when it did not start or was killed */
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  /** one line when it did not succeed: "exit code 1: <stderr>", "timed out after 30s" */
  error?: string;
}

/**
 * Run argv (with pipes) to completion with output captured: for overwriteOutput plugins the
 * UI shows statusText(stdout), or error. stdin is closed; killed after timeoutMs.
 */
export async function runCaptured(argv: Argv, env: NodeJS.ProcessEnv, opts: { timeoutMs?: number; maxBytes?: number; cancelSignal?: AbortSignal; cwd?: string } = {}): Promise<CapturedResult> {
  const reg = new JobRegistry({ captureBytes: opts.maxBytes ?? 256 * 1024, keepFinished: 1 });
  const job = reg.start({ name: 'captured' }, argv, env, { cwd: opts.cwd });
  let timedOut = false;
  const timer = opts.timeoutMs ? setTimeout(() => {
    timedOut = true;
    reg.kill(job.id, 'SIGKILL');
  }, opts.timeoutMs) : undefined;
  const onAbort = () => reg.kill(job.id, 'SIGTERM');
  opts.cancelSignal?.addEventListener('abort', onAbort, { once: true });
  try {
    const done = await reg.wait(job.id);
    let error = done.status === 'failed' ? done.error : undefined;
    if (timedOut) error = `timed out after ${Math.round((opts.timeoutMs ?? 0) / 100) / 10}s`;
    return { stdout: done.stdout, stderr: done.stderr, exitCode: done.exitCode, signal: done.signal, timedOut, error };
  } finally {
    if (timer) clearTimeout(timer);
    opts.cancelSignal?.removeEventListener('abort', onAbort);
    reg.dispose();
  }
}

// ---------------------------------------------------------------------------------------
// Foreground

export interface ForegroundResult {
  exitCode?: number;
  signal?: string;
  /** one line when it did not succeed: "exit code 2", "command not found: stern" */
  error?: string;
  /** the terminal's signals kmux received (and ignored) while the child ran; filled once the child is gone */
  received?: NodeJS.Signals[];
}

/** The child ended because the user pressed Ctrl-C (it died of SIGINT, exited 130, or kmux saw the SIGINT too). */
export function endedByCtrlC(r: ForegroundResult): boolean {
  return r.signal === 'SIGINT' || r.exitCode === 130 || !!r.received?.includes('SIGINT');
}

const FOREGROUND_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];

/**
 * Run argv in the foreground with the terminal (stdio inherited), synchronously: call it
 * inside Ink's suspendTerminal(() => ...). A synchronous child keeps Ink from reading the
 * keyboard meanwhile. Ctrl-C and Ctrl-\ reach the child; kmux ignores them until a moment
 * after the child ends. Pipe stages run one after the other (a synchronous child cannot
 * stream into another): the first stage's whole output, up to 64 MiB, is the next one's input.
 */
export function runForegroundSync(argv: Argv, env: NodeJS.ProcessEnv, opts: { cwd?: string } = {}): ForegroundResult {
  const fullEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) fullEnv[k] = v;
  Object.assign(fullEnv, argv.env);
  // kmux ignores the terminal's signals while the child has it, and notes them: a Ctrl-C is how
  // the user ends a child, not a failure (the handler runs once the child is gone)
  const received: NodeJS.Signals[] = [];
  const ignore = (s: NodeJS.Signals) => void received.push(s);
  for (const s of FOREGROUND_SIGNALS) process.on(s, ignore);
  try {
    const stages = [[argv.command, ...argv.args], ...argv.pipes];
    let input: Uint8Array | undefined;
    let result: ForegroundResult = {};
    for (let i = 0; i < stages.length; i++) {
      const [cmd, ...args] = stages[i];
      const last = i === stages.length - 1;
      const r = execaSync(cmd, args, {
        env: fullEnv,
        extendEnv: false,
        cwd: opts.cwd,
        shell: false,
        reject: false,
        stdin: i === 0 ? 'inherit' : undefined,
        input: i === 0 ? undefined : (input ?? new Uint8Array()),
        stdout: last ? 'inherit' : 'pipe',
        stderr: 'inherit',
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
        stripFinalNewline: false,
      });
      const error = describeFailure(r as any, cmd);
      if (!last && (r as any).code === 'ENOENT') return { error, received };
      input = last ? undefined : (r.stdout as Uint8Array | undefined);
      result = { exitCode: r.exitCode, signal: r.signal, error, received };
    }
    return result;
  } finally {
    // a Ctrl-C that arrived during the child is dispatched after it, in a poll phase of the
    // event loop: keep ignoring for a moment, then until one more poll phase has passed (a timer
    // alone fired first when the loop was busy after the child, and the Ctrl-C then quit kmux)
    setTimeout(() => {
      setImmediate(() => {
        for (const s of FOREGROUND_SIGNALS) process.off(s, ignore);
      });
    }, 200).unref();
  }
}
