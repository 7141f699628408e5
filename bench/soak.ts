/**
 * Logs soak: kmux follows the logs of a deployment whose 4 pods log 250 lines a second each
 * (1,000 lines a second in all) for SOAK_MINUTES (default 20), in a real terminal (tmux), and
 * kmux's resident memory is sampled every SOAK_SAMPLE_S seconds (default 30). Prints a table
 * and writes bench/soak.md. Run: `npm run soak` (not a test).
 *
 * The fleet runs in this process (one small cluster); kmux is its own process, found as the
 * child of the terminal's shell. The throughput check reads the newest `"seq":N` on screen:
 * each pod's lines are numbered, so its growth per second is one pod's rate.
 * SOAK_NODE_OPTIONS passes NODE_OPTIONS to kmux (a heap cap, say, to compare).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFleet } from '../src/sim/fleet.js';
import { Terminal } from '../test/helpers/tmux.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 20);
const SAMPLE_S = Number(process.env.SOAK_SAMPLE_S ?? 30);
const PODS = 4;
const RATE = 250;
const root = fileURLToPath(new URL('..', import.meta.url));

function rssMb(pid: number): number {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024;
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

const maxSeq = (screen: string) => Math.max(0, ...[...screen.matchAll(/"seq":(\d+)/g)].map((m) => Number(m[1])));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kmux-soak-'));
  const fleet = await startFleet({ clusters: 1, names: ['soak'], nodes: 3, pods: 30 });
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

  const t = new Terminal([process.execPath, join(root, 'bin/kmux.js'), '--kubeconfig', kc, '--context', 'soak', '-n', 'default', '-c', 'deploy'], {
    width: 200, height: 50, env: { XDG_CONFIG_HOME: join(dir, 'config'), HOME: dir, ...(process.env.SOAK_NODE_OPTIONS ? { NODE_OPTIONS: process.env.SOAK_NODE_OPTIONS } : {}) },
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
  const peak = (xs: typeof samples) => Math.max(...xs.map((s) => s.rss));
  const rates = samples.map((s) => s.rate).filter((r): r is number => r !== undefined);
  const medianRate = rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)] ?? 0;
  const summary = [
    `# Logs soak`,
    '',
    `Command: \`SOAK_MINUTES=${MINUTES} npm run soak\` (${new Date().toISOString().slice(0, 10)}). kmux follows \`deployment/chatty\` (${PODS} pods x ${RATE} lines/s = ${PODS * RATE} lines/s) in tmux 200x50 for ${MINUTES} minutes with the default ring of 5,000 lines; RSS sampled every ${SAMPLE_S} s.`,
    '',
    `| figure | value |`,
    `|---|---|`,
    `| RSS after 1 min | ${samples.find((s) => s.min >= 1)?.rss.toFixed(0) ?? '?'} MB |`,
    `| peak RSS, minutes 1-${(MINUTES / 4).toFixed(0)} | ${firstQuarter.length ? peak(firstQuarter).toFixed(0) : '?'} MB |`,
    `| peak RSS, last quarter | ${lastQuarter.length ? peak(lastQuarter).toFixed(0) : '?'} MB |`,
    `| RSS at the end | ${samples.at(-1)!.rss.toFixed(0)} MB |`,
    `| lines received (median, from the line numbers on screen) | ~${Math.round(medianRate)} lines/s |`,
    '',
    '| minute | RSS MB |',
    '|---|---|',
    ...samples.map((s) => `| ${s.min.toFixed(1)} | ${s.rss.toFixed(0)} |`),
    '',
  ].join('\n');
  writeFileSync(join(root, 'bench/soak.md'), summary);
  console.log(`\n${summary}`);
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
