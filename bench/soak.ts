/**
 * Endurance bench: `npm run soak` (not a test). Scenarios, chosen with SOAK_SCENARIO
 * (comma-separated; default all = a,b,c,logs):
 *
 *  a     a merged pods view left open: `kmux sim --clusters 3 --pods 10000 --churn 300` (its own
 *        process, so its memory is its own), kmux on `--context dev,staging,prod -A -c pods`
 *        (about 30,000 rows) for SOAK_MINUTES (default 60)
 *  b     the same kind of fleet (default 3 x 2,000 pods, churn 100) while SOAK_ROUNDS (default 50)
 *        rounds of keys cycle views (`:deploy`, `:svc`, `:rs`, `:cm`, `:ev`), a namespace and a
 *        context, back to the merged pods view; measured after each round
 *  c     a short watch timeout (`kmux sim --watch-timeout 10`: each watch ends after 10-20 s and
 *        kmux resumes it) on 3 x 2,000 pods churning 100/s, for SOAK_MINUTES (default 10)
 *  logs  kmux follows 1,000 log lines a second for SOAK_MINUTES (default 20)
 *
 * kmux runs in a real terminal (tmux) with KMUX_TRACE: its `health` lines (every 5 s here) give
 * its heap, watches, sockets, listeners, rows per store and event-loop delay; its resident
 * memory is read from /proc. The simulator's side comes from each cluster's GET /_sim/health
 * (process memory, open watches, pods). (a), (b) and (c) print a row every SOAK_SAMPLE_S
 * seconds (default 30) and end with a verdict line per bound of issue 21; at the end of (a) and
 * (c) the churn is paused (POST /_sim/churn {"rate":0}) and the rows kmux shows are compared
 * with the server's count, per context. Each scenario writes its section of bench/soak.md.
 *
 * Environment: SOAK_SCENARIO, SOAK_MINUTES, SOAK_ROUNDS, SOAK_SAMPLE_S, SOAK_PODS (pods per
 * cluster: a 10000, b and c 2000), SOAK_CHURN (a 300, b and c 100), SOAK_WATCH_TIMEOUT (c, 10),
 * SOAK_NODE_OPTIONS (NODE_OPTIONS for kmux).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { startFleet } from '../src/sim/fleet.js';
import { Terminal } from '../test/helpers/tmux.js';
import { BIN_NODE_FLAGS } from './bin-line.js';
import { parseHealth, type KHealth } from './health-line.js';

const env = process.env;
const num = (name: string, dflt: number): number => {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} wants a number > 0, got "${v}"`);
  return n;
};
const SCENARIOS = ['a', 'b', 'c', 'logs'] as const;
type Scenario = (typeof SCENARIOS)[number];
function chosenScenarios(): Scenario[] {
  const raw = (env.SOAK_SCENARIO ?? 'all').split(',').map((s) => s.trim()).filter(Boolean);
  if (raw.includes('all')) return [...SCENARIOS];
  const bad = raw.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (bad.length || !raw.length) throw new Error(`SOAK_SCENARIO wants a, b, c, logs or all (comma-separated), got "${env.SOAK_SCENARIO}"`);
  return raw as Scenario[];
}
const minutesFor = (dflt: number) => num('SOAK_MINUTES', dflt);
/** seconds between rows (SOAK_SAMPLE_S), read in main */
let SAMPLE_S = 30;
const HEALTH_MS = 5000;
const W = 200;
const H = 50;
const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'bin/kmux.js');
/** the node flags of bin/kmux.js's #! line: kmux and the simulator run as when installed */
const NODE_FLAGS = BIN_NODE_FLAGS;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** What an interrupted run must not leave behind: terminals (kmux in tmux) and simulators. */
const leftovers = new Set<() => void>();
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping kmux and the simulator`);
    for (const f of leftovers) f();
    process.exit(130);
  });
}
/** A work directory (kubeconfig, trace, kmux's config), gone at the end even when interrupted. */
function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kmux-soak-'));
  leftovers.add(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
function terminal(...args: ConstructorParameters<typeof Terminal>): Terminal {
  const t = new Terminal(...args);
  const kill = t.kill.bind(t);
  leftovers.add(kill);
  t.kill = () => {
    leftovers.delete(kill);
    kill();
  };
  return t;
}
const since = (t0: number) => (Date.now() - t0) / 60_000;
const f0 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '?' : n.toFixed(0));
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

function kmuxPid(t: Terminal): number {
  const shell = Number(t.tmux('display-message', '-p', '-t', t.name, '#{pane_pid}').trim());
  for (let i = 0; i < 50; i++) {
    const kids = execFileSync('pgrep', ['-P', String(shell)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
    if (kids.length) return kids[0];
    execFileSync('sleep', ['0.1']);
  }
  throw new Error('kmux did not start');
}

/** A section of bench/soak.md, between its markers, replaced or added; the others stay. */
function writeSection(id: string, text: string): void {
  const file = join(root, 'bench/soak.md');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const block = `<!-- soak:${id} -->\n${text.trim()}\n<!-- /soak:${id} -->\n`;
  const re = new RegExp(`<!-- soak:${id} -->[\\s\\S]*?<!-- /soak:${id} -->\\n?`);
  writeFileSync(file, re.test(old) ? old.replace(re, block) : `${old}${old && !old.endsWith('\n\n') ? '\n' : ''}${block}`);
}

/** The commit measured, and whether the sources differ from it outside bench/. */
function codeVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' })
      .split('\n').filter((l) => l.trim() && !l.slice(3).startsWith('bench/'));
    return `commit ${head}${dirty.length ? ` plus changes in ${dirty.length} file(s)` : ''}`;
  } catch {
    return 'no git';
  }
}

const commandLine = (s: Scenario) =>
  [...Object.entries(env).filter(([k]) => k.startsWith('SOAK_') && k !== 'SOAK_SCENARIO').map(([k, v]) => `${k}=${v}`), `SOAK_SCENARIO=${s}`, 'npm run soak'].join(' ');

// ------------------------------------------------------------------ the simulator, its own process
interface Sim {
  pid: number;
  kubeconfig: string;
  contexts: string[];
  /** GET/POST on a cluster's URL: the admin endpoint needs nothing, the API the context's certificate */
  call(context: string, method: string, path: string, body?: unknown): Promise<any>;
  health(): Promise<{ rssMB: number; watches: number; sockets: number; pods: Map<string, number> }>;
  setChurn(rate: number): Promise<void>;
  stop(): Promise<void>;
}

async function startSim(dir: string, o: { pods: number; churn: number; watchTimeout?: number }): Promise<Sim> {
  const kubeconfig = join(dir, 'fleet.yaml');
  const args = [...NODE_FLAGS, BIN, 'sim', '--clusters', '3', '--pods', String(o.pods), '--nodes', String(Math.max(2, Math.round(o.pods / 100))),
    '--churn', String(o.churn), '--kubeconfig-out', kubeconfig, '--port', '0', ...(o.watchTimeout ? ['--watch-timeout', String(o.watchTimeout)] : [])];
  console.log(`starting the fleet: kmux sim ${args.slice(args.indexOf('sim') + 1).join(' ')}`);
  const proc: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode) return;
    proc.kill('SIGTERM');
    for (let i = 0; i < 50 && proc.exitCode === null && !proc.signalCode; i++) await sleep(100);
    if (proc.exitCode === null && !proc.signalCode) proc.kill('SIGKILL');
  };
  const kill = () => proc.kill('SIGKILL');
  process.on('exit', kill);
  leftovers.add(kill);
  for (const t0 = Date.now(); !/^export KUBECONFIG=/m.test(out); await sleep(200)) {
    if (proc.exitCode !== null || proc.signalCode) throw new Error(`kmux sim exited before it was ready:\n${out}`);
    if (Date.now() - t0 > 300_000) {
      await stop();
      throw new Error(`kmux sim not ready in 5 minutes:\n${out}`);
    }
  }
  const servers = new Map([...out.matchAll(/context (\S+)\s+(\S+)\s+\d+ nodes, \d+ pods/g)].map((m) => [m[1], m[2]]));
  const kc = YAML.parse(readFileSync(kubeconfig, 'utf8'));
  const tlsOf = (context: string): RequestOptions => {
    const ctx = kc.contexts?.find((c: any) => c.name === context)?.context ?? {};
    const cluster = kc.clusters?.find((c: any) => c.name === ctx.cluster)?.cluster ?? {};
    const user = kc.users?.find((u: any) => u.name === ctx.user)?.user ?? {};
    const b64 = (x?: string) => (x ? Buffer.from(x, 'base64') : undefined);
    return { ca: b64(cluster['certificate-authority-data']), cert: b64(user['client-certificate-data']), key: b64(user['client-key-data']) };
  };
  const call = (context: string, method: string, path: string, body?: unknown) => new Promise<any>((res, rej) => {
    const url = servers.get(context);
    if (!url) return rej(new Error(`no cluster ${context} in the fleet`));
    const o: RequestOptions = { method, ...tlsOf(context), headers: body === undefined ? {} : { 'content-type': 'application/json' } };
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(url + path, o, (r) => {
      let text = '';
      r.setEncoding('utf8').on('data', (d: string) => { text += d; }).on('end', () => {
        if ((r.statusCode ?? 0) >= 300) return rej(new Error(`${method} ${path} on ${context}: HTTP ${r.statusCode} ${text.slice(0, 300)}`));
        try {
          res(JSON.parse(text));
        } catch (e) {
          rej(e);
        }
      });
    });
    req.on('error', rej);
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path} on ${context} timed out`)));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
  const contexts = [...servers.keys()];
  console.log(`fleet ready: ${contexts.join(', ')} (pid ${proc.pid})`);
  return {
    pid: proc.pid!, kubeconfig, contexts, call, stop,
    health: async () => {
      const hs = await Promise.all(contexts.map((c) => call(c, 'GET', '/_sim/health')));
      return {
        rssMB: rssMb(proc.pid!), watches: hs.reduce((n, h) => n + h.watches, 0), sockets: hs.reduce((n, h) => n + h.sockets, 0),
        pods: new Map(hs.map((h, i) => [contexts[i], h.pods as number])),
      };
    },
    setChurn: async (rate) => {
      await Promise.all(contexts.map((c) => call(c, 'POST', '/_sim/churn', { rate })));
    },
  };
}

// ------------------------------------------------------------------ kmux in a terminal, its trace
interface Kmux {
  t: Terminal;
  pid: number;
  readyAt: number;
  /** every health line so far */
  health(): KHealth[];
  /** the newest health line written after `after` (epoch ms), waiting for it */
  nextHealth(after?: number): Promise<KHealth>;
  /** the row count in the title of the pods view, if it is on screen */
  shown(): number | undefined;
  command(text: string, expect: RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<void>;
  stop(): void;
}

/** The pods view's counter: ` pods(all)@dev,staging,prod[30012] ` -> 30012 (of the shown rows). */
function shownCount(screen: string): number | undefined {
  const m = /\bpods\([^)]*\)(?:@[\w,-]+)?\[(\d+)(?:\/\d+)?\]/.exec(screen);
  return m ? Number(m[1]) : undefined;
}

async function launchKmux(dir: string, sim: Sim): Promise<Kmux> {
  const trace = join(dir, 'trace');
  writeFileSync(trace, '');
  const t = terminal([process.execPath, ...NODE_FLAGS, BIN, '--kubeconfig', sim.kubeconfig, '--context', sim.contexts.join(','), '-A', '-c', 'pods'], {
    width: W, height: H,
    env: {
      XDG_CONFIG_HOME: join(dir, 'config'), HOME: dir, KMUX_TRACE: trace, KMUX_TRACE_HEALTH_MS: String(HEALTH_MS),
      ...(env.SOAK_NODE_OPTIONS ? { NODE_OPTIONS: env.SOAK_NODE_OPTIONS } : {}),
    },
  });
  const lines = () => readFileSync(trace, 'utf8').split('\n');
  const health = () => lines().map(parseHealth).filter((h): h is KHealth => !!h);
  const t0 = Date.now();
  let readyAt = 0;
  while (!readyAt) {
    readyAt = Number(lines().find((l) => l.startsWith('ready '))?.split(' ')[1] ?? 0);
    if (Date.now() - t0 > 600_000) throw new Error(`kmux not ready in 10 minutes; it shows:\n${t.screen()}`);
    if (/\[exited \d+\]/.test(t.screen())) throw new Error(`kmux exited:\n${t.screen()}`);
    if (!readyAt) await sleep(250);
  }
  const k: Kmux = {
    t, pid: kmuxPid(t), readyAt, health,
    nextHealth: async (after = Date.now()) => {
      for (const t1 = Date.now(); ; await sleep(250)) {
        const h = health().at(-1);
        if (h && h.at > after) return h;
        if (Date.now() - t1 > HEALTH_MS * 6) throw new Error(`no health line from kmux in ${(HEALTH_MS * 6) / 1000} s`);
      }
    },
    shown: () => shownCount(t.screen()),
    command: async (text, expect, timeoutMs = 60_000) => {
      t.type(`:${text}`);
      t.keys('Enter');
      await t.waitFor(expect, timeoutMs);
    },
    stop: () => t.kill(),
  };
  console.log(`kmux ready in ${((readyAt - t0) / 1000).toFixed(1)} s, ${k.shown() ?? '?'} rows shown (pid ${k.pid})`);
  return k;
}

// ------------------------------------------------------------------ the table scenarios
interface Sample {
  min: number;
  rss: number;
  heap: number;
  simRss: number;
  watches: string;
  serverWatches: number;
  sockets: string;
  listeners: number;
  loopP99: number;
  shown?: number;
  server: number;
}

const HEADER = '|   min | kmux RSS MB | heap MB | sim RSS MB | watches kmux (open/stores) | watches server | kmux sockets (+idle) | listeners | loop p99 ms | rows shown | server pods |';
const RULE = '|---|---|---|---|---|---|---|---|---|---|---|';
const rowOf = (s: Sample) =>
  `| ${s.min.toFixed(1).padStart(5)} | ${f0(s.rss)} | ${f0(s.heap)} | ${f0(s.simRss)} | ${s.watches} | ${s.serverWatches} | ${s.sockets} | ${s.listeners} | ${s.loopP99} | ${s.shown ?? '?'} | ${s.server} |`;

async function sample(k: Kmux, sim: Sim, t0: number): Promise<Sample> {
  const [h, sh] = [k.health().at(-1), await sim.health()];
  return {
    min: since(t0), rss: rssMb(k.pid), heap: h?.heap ?? NaN, simRss: sh.rssMB,
    watches: h ? `${h.watches}/${h.stores}` : '?', serverWatches: sh.watches, sockets: h ? `${h.sockets}+${h.idle}` : '?', listeners: h?.listeners ?? NaN,
    loopP99: h?.loopP99 ?? NaN, shown: k.shown(), server: [...sh.pods.values()].reduce((a, b) => a + b, 0),
  };
}

/** Every SAMPLE_S a row, for `minutes`. */
async function watchFor(k: Kmux, sim: Sim, minutes: number, samples: Sample[], t0 = Date.now()): Promise<void> {
  console.log(`\n${HEADER}\n${RULE}`);
  const end = t0 + minutes * 60_000;
  for (let i = 1; ; i++) {
    const s = await sample(k, sim, t0);
    samples.push(s);
    console.log(rowOf(s));
    if (/\[exited \d+\]/.test(k.t.screen())) throw new Error(`kmux exited:\n${k.t.screen()}`);
    // the last row at the end, not one more a few seconds before it
    if (Date.now() >= end - 5000) return;
    // rows on a fixed clock: reading them takes a while on a loaded machine
    await sleep(Math.max(0, Math.min(t0 + i * SAMPLE_S * 1000, end) - Date.now()));
  }
}

interface CountCheck {
  ok: boolean;
  text: string;
}

/**
 * Pauses the churn on every cluster, waits for the fleet to settle (its controllers finish what
 * the churn started) and compares the rows kmux shows with the server's pods, in all and per
 * context (kmux's per-store rows from its health line). Waits up to 3 minutes for them to agree.
 */
async function pausedCount(k: Kmux, sim: Sim): Promise<CountCheck> {
  await sim.setChurn(0);
  const t0 = Date.now();
  let last = '';
  let prevServer = -1;
  for (;;) {
    const sh = await sim.health();
    const server = [...sh.pods.values()].reduce((a, b) => a + b, 0);
    const shown = k.shown();
    if (server === prevServer && shown === server) {
      // the screen agrees; one health line written after now says what each context's store holds
      const h = await k.nextHealth(Date.now());
      const sh2 = await sim.health();
      const per = sim.contexts.map((c) => `${c} ${h.pods.get(c) ?? '?'}/${sh2.pods.get(c)}`);
      const same = sim.contexts.every((c) => h.pods.get(c) === sh2.pods.get(c));
      last = `kmux shows ${shown} rows, the server has ${server} pods; per context (kmux/server): ${per.join(', ')}; ${((Date.now() - t0) / 1000).toFixed(0)} s after the churn paused`;
      if (same) return { ok: true, text: last };
    } else last = `kmux shows ${shown ?? '?'} rows, the server has ${server} pods, ${((Date.now() - t0) / 1000).toFixed(0)} s after the churn paused`;
    prevServer = server;
    if (Date.now() - t0 > 180_000) return { ok: false, text: `${last} (no agreement in 3 minutes)` };
    await sleep(2000);
  }
}

const peak = (xs: number[]) => Math.max(...xs.filter(Number.isFinite));

/** Health lines after the start-up load: the delay window of each line reaches 20 s back. */
const steady = (k: Kmux) => k.health().filter((h) => h.at >= k.readyAt + 20_000);

/** Says a run shorter than the bound's is a short validation run. */
const shortRun = (did: number, full: number, unit: string) => (did < full ? ` **A short validation run: ${did} of the bound's ${full} ${unit}.**` : '');

function section(id: Scenario, title: string, what: string, samples: Sample[], verdicts: string[], extra: string[] = []): string {
  return [
    `# ${title}`,
    '',
    `Command: \`${commandLine(id)}\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${codeVersion()}). ${what}`,
    '',
    `Machine: ${cpus().length} cores, 1-minute load average ${loadavg()[0].toFixed(1)} at the end (the bench and kmux keep about 2 busy; other work shares the machine).`,
    '',
    ...(samples.length ? [HEADER, RULE, ...samples.map(rowOf), ''] : []),
    ...extra,
    ...verdicts.map((v) => `- ${v}`),
    '',
  ].join('\n');
}

/** Runs one table scenario with a fleet and kmux, cleaning both up. */
async function withFleetAndKmux<T>(o: { pods: number; churn: number; watchTimeout?: number }, f: (sim: Sim, k: Kmux) => Promise<T>): Promise<T> {
  const dir = workDir();
  let sim: Sim | undefined;
  let k: Kmux | undefined;
  try {
    sim = await startSim(dir, o);
    k = await launchKmux(dir, sim);
    return await f(sim, k);
  } finally {
    k?.stop();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function scenarioA(): Promise<void> {
  const minutes = minutesFor(60);
  const pods = num('SOAK_PODS', 10_000);
  const churn = num('SOAK_CHURN', 300);
  console.log(`\n(a) a merged pods view left open: 3 x ${pods} pods churning ${churn}/s, ${minutes} min`);
  const samples: Sample[] = [];
  await withFleetAndKmux({ pods, churn }, async (sim, k) => {
    await watchFor(k, sim, minutes, samples);
    const ref = minutes >= 20 ? 10 : minutes / 3;
    const refSample = samples.find((s) => s.min >= ref) ?? samples[0];
    const end = samples.at(-1)!;
    const hs = steady(k);
    const maxRss = peak([...samples.map((s) => s.rss), ...k.health().map((h) => h.rss)]);
    const rows = peak(samples.map((s) => s.server));
    const p99 = peak(hs.map((h) => h.loopP99));
    const count = await pausedCount(k, sim);
    const verdicts = [
      `${verdict(end.rss <= 1.05 * refSample.rss)} resident at the end ${f0(end.rss)} MB <= 1.05 x ${f0(refSample.rss)} MB at ${refSample.min.toFixed(1)} min (${(end.rss / refSample.rss).toFixed(3)}x)` +
        `${minutes >= 20 ? '' : `; the bound's reference is 10 min, this ${minutes}-minute run takes its first row from minute ${ref.toFixed(1)} on`}`,
      `${verdict(maxRss < 250)} resident < 250 MB throughout for ${rows} rows: peak ${f0(maxRss)} MB (/proc every ${SAMPLE_S} s and kmux's health line every ${HEALTH_MS / 1000} s)`,
      `${verdict(count.ok)} rows equal the server's count with the churn paused: ${count.text}`,
      `${verdict(p99 < 50)} event-loop delay p99 < 50 ms throughout: worst ${p99} ms over ${hs.length} health lines (from 20 s after ready)`,
    ];
    for (const v of verdicts) console.log(`(a) ${v}`);
    writeSection('a', section('a', '(a) A merged pods view left open', `\`kmux sim --clusters 3 --pods ${pods} --churn ${churn}\` (its own process), kmux on \`--context ${sim.contexts.join(',')} -A -c pods\` in tmux ${W}x${H}, left alone for ${minutes} min; a row every ${SAMPLE_S} s.${shortRun(minutes, 60, 'minutes')}`, samples, verdicts));
  });
}

async function scenarioB(): Promise<void> {
  const rounds = num('SOAK_ROUNDS', 50);
  const pods = num('SOAK_PODS', 2000);
  const churn = num('SOAK_CHURN', 100);
  console.log(`\n(b) ${rounds} rounds of views, a namespace and a context: 3 x ${pods} pods churning ${churn}/s`);
  await withFleetAndKmux({ pods, churn }, async (sim, k) => {
    const all = sim.contexts.join(',');
    const merged = new RegExp(`pods\\(all\\)@${all}\\[\\d+`);
    const namespaces: string[] = (await sim.call(sim.contexts[0], 'GET', '/api/v1/namespaces')).items.map((n: any) => n.metadata.name).filter((n: string) => !n.startsWith('kube-'));
    const t0 = Date.now();
    // what the merged pods view needs: its watches and stores once it is shown
    const base = await k.nextHealth(Date.now());
    const baseServer = (await sim.health()).watches;
    console.log(`the merged pods view: kmux watches ${base.watches}/${base.stores}, the server ${baseServer} watches, RSS ${f0(rssMb(k.pid))} MB`);
    const header = '| round | min | kmux RSS MB | heap MB | sim RSS MB | watches kmux (open/stores) | watches server | kmux sockets (+idle) | listeners | rows shown | settled in s |';
    const lines: string[] = [header, '|---|---|---|---|---|---|---|---|---|---|---|'];
    console.log(`\n${lines.join('\n')}`);
    const after: { rss: number; watches: number; stores: number; server: number }[] = [];
    for (let r = 1; r <= rounds; r++) {
      for (const [cmd, title] of [['deploy', 'deployments'], ['svc', 'services'], ['rs', 'replicasets'], ['cm', 'configmaps'], ['ev', 'events'], ['pods', 'pods']]) {
        await k.command(`${cmd} -A @${all}`, new RegExp(`\\b${title}\\(all\\)@${all}\\[`));
      }
      const ns = namespaces[r % namespaces.length];
      await k.command(`ns ${ns}`, new RegExp(`pods\\(${ns}\\)@${all}\\[`));
      const ctx = sim.contexts[r % sim.contexts.length];
      await k.command(`ctx ${ctx}`, (screen) => new RegExp(`Context:\\s+${ctx}\\b`).test(screen) && new RegExp(`pods\\(${ns}\\)\\[\\d+`).test(screen));
      await k.command(`pods -A @${all}`, merged);
      // settled: kmux's watches and stores back to what the merged view needs (or 60 s)
      const r0 = Date.now();
      let h = await k.nextHealth(r0);
      while ((h.watches !== base.watches || h.stores !== base.stores) && Date.now() - r0 < 60_000) h = await k.nextHealth(h.at);
      const settled = (Date.now() - r0) / 1000;
      const sh = await sim.health();
      const rss = rssMb(k.pid);
      after.push({ rss, watches: h.watches, stores: h.stores, server: sh.watches });
      const line = `| ${r} | ${since(t0).toFixed(1)} | ${f0(rss)} | ${f0(h.heap)} | ${f0(sh.rssMB)} | ${h.watches}/${h.stores} | ${sh.watches} | ${h.sockets}+${h.idle} | ${h.listeners} | ${k.shown() ?? '?'} | ${settled.toFixed(0)} |`;
      lines.push(line);
      console.log(line);
    }
    const wrong = after.map((a, i) => ({ ...a, round: i + 1 })).filter((a) => a.watches !== base.watches || a.stores !== base.stores || a.server !== baseServer);
    const first = after[0].rss;
    // the bound is on growth: a round below the first is memory given back, not a fault
    const worst = Math.max(first, ...after.slice(1).map((a) => a.rss));
    const lastRss = after.at(-1)!.rss;
    const verdicts = [
      `${verdict(!wrong.length)} open watches return to what the shown view needs: ${base.watches} of ${base.stores} stores in kmux and ${baseServer} on the server after every round` +
        `${wrong.length ? `, except rounds ${wrong.map((w) => `${w.round} (${w.watches}/${w.stores}, server ${w.server})`).join(', ')}` : ''}`,
      `${verdict(worst <= 1.1 * first)} resident within 10% of the value after the first round (${f0(first)} MB), never above it by more: highest ${f0(worst)} MB (${(((worst - first) / first) * 100).toFixed(1)}%), lowest ${f0(Math.min(...after.map((a) => a.rss)))} MB, after the last round ${f0(lastRss)} MB`,
    ];
    for (const v of verdicts) console.log(`(b) ${v}`);
    const what = `\`kmux sim --clusters 3 --pods ${pods} --churn ${churn}\`, kmux on \`--context ${all} -A -c pods\`; each round types \`:deploy -A @${all}\`, then the same for \`svc\`, \`rs\`, \`cm\`, \`ev\` and \`pods\`, \`:ns NS\` (the next namespace), \`:ctx C\` (the next context), \`:pods -A @${all}\`, each waited for on screen; measured once a health line of kmux (every ${HEALTH_MS / 1000} s) shows its watches and stores back to the merged view's (settled in s).${shortRun(rounds, 50, 'rounds')}`;
    writeSection('b', section('b', `(b) ${rounds} rounds of switching views, namespaces and contexts`, what, [], verdicts, [...lines, '']));
  });
}

async function scenarioC(): Promise<void> {
  const minutes = minutesFor(10);
  const pods = num('SOAK_PODS', 2000);
  const churn = num('SOAK_CHURN', 100);
  const timeout = num('SOAK_WATCH_TIMEOUT', 10);
  console.log(`\n(c) every watch ended after ${timeout}-${2 * timeout} s: 3 x ${pods} pods churning ${churn}/s, ${minutes} min`);
  const samples: Sample[] = [];
  await withFleetAndKmux({ pods, churn, watchTimeout: timeout }, async (sim, k) => {
    await watchFor(k, sim, minutes, samples);
    const hs = steady(k);
    const first = hs[0] ?? k.health().at(-1)!;
    const lastH = hs.at(-1)!;
    // growth, not a passing peak (a resumed watch's relist borrows sockets, and their listeners,
    // for a moment): what is left between peaks, the lowest reading of the second half of the
    // run, may not be above the lowest of the first half; what a leak keeps raises it
    const mid = hs.length ? hs[0].at + (lastH.at - hs[0].at) / 2 : 0;
    const firstHalf = hs.filter((h) => h.at <= mid);
    const secondHalf = hs.filter((h) => h.at > mid);
    const low = (xs: number[]) => Math.min(...xs);
    const grew = (f: (h: KHealth) => number) => !firstHalf.length || !secondHalf.length || low(secondHalf.map(f)) > low(firstHalf.map(f));
    const count = await pausedCount(k, sim);
    const fig = (name: string, f: (h: KHealth) => number) =>
      `${name} lowest ${low(firstHalf.map(f))} in the first half and ${low(secondHalf.map(f))} in the second (highest ${peak(firstHalf.map(f))} and ${peak(secondHalf.map(f))}; ${f(first)} at the start, ${f(lastH)} at the end)`;
    const serverMax = peak(samples.map((s) => s.serverWatches));
    const verdicts = [
      `${verdict(peak(hs.map((h) => h.watches)) <= first.stores && peak(hs.map((h) => h.stores)) === first.stores && lastH.watches === lastH.stores)} no growth in watches: at most ${peak(hs.map((h) => h.watches))} open of ${first.stores} stores (${peak(hs.map((h) => h.stores))} stores at most), ${lastH.watches} open at the end; the server's open watches at most ${serverMax} (samples)`,
      `${verdict(!grew((h) => h.sockets + h.idle))} no growth in sockets: ${fig('in use + idle', (h) => h.sockets + h.idle)}`,
      `${verdict(!grew((h) => h.listeners))} no growth in listeners: ${fig('on the sockets', (h) => h.listeners)}`,
      `${verdict(count.ok)} no row lost or duplicated (counts per context, churn paused): ${count.text}`,
    ];
    for (const v of verdicts) console.log(`(c) ${v}`);
    const expiries = `${Math.floor((minutes * 60) / (2 * timeout))}-${Math.floor((minutes * 60) / timeout)}`;
    writeSection('c', section('c', '(c) Every watch ended and resumed, again and again', `\`kmux sim --clusters 3 --pods ${pods} --churn ${churn} --watch-timeout ${timeout}\` (each watch ends after ${timeout}-${2 * timeout} s: ${expiries} expiries per watch in ${minutes} min), kmux on \`--context ${sim.contexts.join(',')} -A -c pods\` for ${minutes} min; a row every ${SAMPLE_S} s. The verdicts read kmux's health lines (every ${HEALTH_MS / 1000} s) from 20 s after ready: growth is the second half's lowest reading above the first half's (a resumed watch's relist borrows sockets for a moment; a leak raises what is left between those peaks).${shortRun(minutes, 10, 'minutes')}`, samples, verdicts));
  });
}

// ------------------------------------------------------------------ the logs scenario
/**
 * kmux follows the logs of a deployment whose 4 pods log 250 lines a second each (1,000 lines a
 * second in all); its resident memory is sampled every SOAK_SAMPLE_S seconds. The fleet runs in
 * this process (one small cluster). The throughput check reads the newest `"seq":N` on screen:
 * each pod's lines are numbered, so its growth per second is one pod's rate.
 */
const PODS = 4;
const RATE = 250;
const maxSeq = (screen: string) => Math.max(0, ...[...screen.matchAll(/"seq":(\d+)/g)].map((m) => Number(m[1])));

async function scenarioLogs(): Promise<void> {
  const dir = workDir();
  try {
    await logsIn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function logsIn(dir: string): Promise<void> {
  const MINUTES = minutesFor(20);
  console.log(`\nlogs: kmux follows ${PODS * RATE} lines/s for ${MINUTES} min`);
  // plain HTTP: the bench's own requests (fetch) need no credentials
  const fleet = await startFleet({ clusters: 1, names: ['soak'], nodes: 3, pods: 30, insecureHttp: true });
  const kc = join(dir, 'kubeconfig');
  fleet.writeKubeconfig(kc);
  const server = fleet.members[0].server.url;
  const deploy = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'chatty', namespace: 'default' },
    spec: {
      replicas: PODS, selector: { matchLabels: { app: 'chatty' } },
      template: {
        metadata: { labels: { app: 'chatty' }, annotations: { 'sim.kmux.dev/log-rate': String(RATE) } },
        spec: { containers: [{ name: 'app', image: 'ghcr.io/kmux/chatty:1.0', resources: { requests: { cpu: '50m', memory: '64Mi' } } }] },
      },
    },
  };
  const res = await fetch(`${server}/apis/apps/v1/namespaces/default/deployments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deploy) });
  if (res.status !== 201) throw new Error(`creating the deployment: HTTP ${res.status} ${await res.text()}`);
  for (let i = 0; ; i++) {
    const pods = await (await fetch(`${server}/api/v1/namespaces/default/pods?labelSelector=app%3Dchatty`)).json() as any;
    if (pods.items.filter((p: any) => p.status?.phase === 'Running').length >= PODS) break;
    if (i > 100) throw new Error('chatty pods did not start');
    await sleep(200);
  }

  const t = terminal([process.execPath, BIN, '--kubeconfig', kc, '--context', 'soak', '-n', 'default', '-c', 'deploy'], {
    width: W, height: H, env: { XDG_CONFIG_HOME: join(dir, 'config'), HOME: dir, ...(env.SOAK_NODE_OPTIONS ? { NODE_OPTIONS: env.SOAK_NODE_OPTIONS } : {}) },
  });
  const samples: { min: number; rss: number; seq: number; rate?: number }[] = [];
  try {
    await t.waitFor(/chatty/, 30_000);
    t.type('/chatty');
    t.keys('Enter');
    await t.waitFor(/deployments\(default\)\[1(\/\d+)?\]/, 10_000);
    t.type('l');
    await t.waitFor(/logs deployment\/chatty/, 10_000);
    const pid = kmuxPid(t);
    const t0 = Date.now();
    const end = t0 + MINUTES * 60_000;
    let last: { at: number; seq: number } | undefined;
    for (;;) {
      const now = Date.now();
      const seq = maxSeq(t.screen());
      const s = { min: (now - t0) / 60_000, rss: rssMb(pid), seq, rate: last && seq > last.seq ? ((seq - last.seq) / ((now - last.at) / 1000)) * PODS : undefined };
      samples.push(s);
      console.log(`${s.min.toFixed(1).padStart(5)} min  RSS ${s.rss.toFixed(0).padStart(4)} MB  newest seq ${seq}${s.rate ? `  ~${Math.round(s.rate)} lines/s` : ''}`);
      last = { at: now, seq };
      if (now >= end) break;
      await sleep(Math.min(SAMPLE_S * 1000, Math.max(0, end - Date.now())));
    }
    const screen = t.screen();
    if (!/logs deployment\/chatty/.test(screen)) throw new Error(`the logs view is gone:\n${screen}`);
  } finally {
    t.kill();
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const firstQuarter = samples.filter((s) => s.min <= MINUTES / 4 && s.min >= 1);
  const lastQuarter = samples.filter((s) => s.min >= (MINUTES * 3) / 4);
  const peakRss = (xs: typeof samples) => Math.max(...xs.map((s) => s.rss));
  const rates = samples.map((s) => s.rate).filter((r): r is number => r !== undefined);
  const medianRate = rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)] ?? 0;
  const summary = [
    `# Logs soak`,
    '',
    `Command: \`SOAK_MINUTES=${MINUTES} SOAK_SCENARIO=logs npm run soak\` (${new Date().toISOString().slice(0, 10)}). kmux follows \`deployment/chatty\` (${PODS} pods x ${RATE} lines/s = ${PODS * RATE} lines/s) in tmux ${W}x${H} for ${MINUTES} minutes with the default ring of 5,000 lines; RSS sampled every ${SAMPLE_S} s.`,
    '',
    `| figure | value |`,
    `|---|---|`,
    `| RSS after 1 min | ${samples.find((s) => s.min >= 1)?.rss.toFixed(0) ?? '?'} MB |`,
    `| peak RSS, minutes 1-${(MINUTES / 4).toFixed(0)} | ${firstQuarter.length ? peakRss(firstQuarter).toFixed(0) : '?'} MB |`,
    `| peak RSS, last quarter | ${lastQuarter.length ? peakRss(lastQuarter).toFixed(0) : '?'} MB |`,
    `| RSS at the end | ${samples.at(-1)!.rss.toFixed(0)} MB |`,
    `| lines received (median, from the line numbers on screen) | ~${Math.round(medianRate)} lines/s |`,
    '',
    '| minute | RSS MB |',
    '|---|---|',
    ...samples.map((s) => `| ${s.min.toFixed(1)} | ${s.rss.toFixed(0)} |`),
  ].join('\n');
  writeSection('logs', summary);
  console.log(`\n${summary}`);
}

// ------------------------------------------------------------------ main
async function main(): Promise<void> {
  let chosen: Scenario[];
  try {
    chosen = chosenScenarios();
    SAMPLE_S = num('SOAK_SAMPLE_S', 30);
  } catch (e) {
    console.error(`npm run soak: ${(e as Error).message}`);
    process.exitCode = 2;
    return;
  }
  const run: Record<Scenario, () => Promise<void>> = { a: scenarioA, b: scenarioB, c: scenarioC, logs: scenarioLogs };
  const failed: Scenario[] = [];
  for (const s of chosen) {
    try {
      await run[s]();
    } catch (e) {
      failed.push(s);
      // a bad setting is said in a line; anything else with its stack
      console.error(`scenario ${s} failed: ${/ wants a number /.test((e as Error)?.message) ? (e as Error).message : (e as Error)?.stack ?? e}`);
    }
  }
  const done = chosen.filter((s) => !failed.includes(s));
  if (done.length) console.log(`\nwrote bench/soak.md (${done.join(', ')})`);
  if (failed.length) {
    console.error(`scenario(s) ${failed.join(', ')} did not finish: their sections of bench/soak.md are as they were`);
    process.exitCode = 1;
  }
}

main().then(() => process.exit(), (e) => {
  console.error(e);
  process.exit(1);
});
