/**
 * The real kubectl's exec and attach against the simulated fleet: the WebSocket protocol it
 * speaks (no SPDY fallback), what it prints, the exit codes it passes on, and an interactive
 * shell in a real terminal.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POD } from '../../src/sim/cluster.js';
import { until } from '../helpers/wait.js';
import { collect, hasKubectl, useFleet } from '../helpers/kubectl.js';
import { hasTmux, Terminal } from '../helpers/tmux.js';

const KMUX_SHELL = 'command -v bash >/dev/null 2>&1 && exec bash || exec sh';

const POD_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: chatty
  namespace: default
  annotations:
    sim.kmux.dev/log-rate: "20"
spec:
  containers:
  - name: app
    image: ghcr.io/kmux-sim/chatty:1.0
---
apiVersion: v1
kind: Pod
metadata:
  name: interactive
  namespace: default
spec:
  containers:
  - name: box
    image: busybox:1.37
    command: ["sh"]
    stdin: true
    tty: true
---
apiVersion: v1
kind: Pod
metadata:
  name: broken
  namespace: default
  annotations:
    sim.kmux.dev/behaviour: imagepull
spec:
  containers:
  - name: app
    image: ghcr.io/kmux-sim/missing:0.0.1
`;

describe.skipIf(!hasKubectl)('kubectl exec and attach against the simulated fleet', () => {
  const fx = useFleet({ clusters: 1, names: ['dev'], nodes: 2, pods: 20 });
  const store = () => fx.member().cluster.store;
  const requests = (from: number, sub: string) => fx.member().server.requestLog.slice(from).filter((r) => r.path.endsWith(`/${sub}`));

  beforeAll(async () => {
    const file = join(fx.dir, 'pods.yaml');
    writeFileSync(file, POD_YAML);
    const r = await fx.kubectl(['apply', '-f', file]);
    expect(r.exitCode, r.stderr).toBe(0);
    const running = (name: string) => store().get(POD, 'default', name)?.status?.containerStatuses?.[0]?.state?.running;
    await until('the pods running (broken: scheduled)', () => running('chatty') && running('interactive') && store().get(POD, 'default', 'broken')?.spec.nodeName, 5_000);
  });

  it('exec POD -- hostname prints the pod name, over a WebSocket (no SPDY fallback)', async () => {
    const from = fx.member().server.requestLog.length;
    const r = await fx.kubectl(['exec', 'debug-shell', '--', 'hostname']);
    expect(r).toEqual({ stdout: 'debug-shell', stderr: '', exitCode: 0 });
    const sent = requests(from, 'exec');
    expect(sent.map((x) => [x.method, x.status])).toEqual([['GET', 101]]);
    expect(new URLSearchParams(sent[0].query).getAll('command')).toEqual(['hostname']);
  });

  it('a non-zero exit: kubectl exits with the same code', async () => {
    const r = await fx.kubectl(['exec', 'debug-shell', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('out');
    expect(r.stderr).toBe('err\ncommand terminated with exit code 3');
  });

  it('exec -i POD -- sh reads commands from stdin until exit', async () => {
    const r = await fx.kubectl(['exec', '-i', 'debug-shell', '--', 'sh'], 20_000, 'echo hi\nhostname\nexit\n');
    expect(r).toEqual({ stdout: 'hi\ndebug-shell', stderr: '', exitCode: 0 });
    // stdin's end (a v5 close of stream 0) ends a shell that never reads exit
    const eof = await fx.kubectl(['exec', '-i', 'debug-shell', '--', 'sh'], 20_000, 'false\n');
    expect(eof.exitCode).toBe(1);
  });

  it('an unknown container fails with the apiserver message', async () => {
    const r = await fx.kubectl(['exec', 'debug-shell', '-c', 'nope', '--', 'ls']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('Error from server (BadRequest): container nope is not valid for pod debug-shell');
  });

  it('a command the image lacks, and a container that is not running, fail as on a 1.32 cluster', async () => {
    const missing = await fx.kubectl(['exec', 'debug-shell', '--', 'nosuch']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuch": executable file not found in \$PATH: unknown$/);
    const down = await fx.kubectl(['exec', 'broken', '--', 'ls']);
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toBe('error: Internal error occurred: unable to upgrade connection: container not found ("app")');
  });

  it('attach POD shows its log output as it is written', async () => {
    const p = fx.spawn(['attach', 'chatty'], 20_000);
    const io = collect(p);
    const lines = () => io.out().split('\n').filter(Boolean);
    try {
      await until('5 attached lines', () => lines().length >= 5, 5_000);
    } finally {
      p.kill();
    }
    await p;
    const got = lines().map((l) => JSON.parse(l));
    expect(got.every((l) => l.logger === 'app')).toBe(true);
    for (let i = 1; i < got.length; i++) expect(got[i].seq).toBe(got[i - 1].seq + 1);
  });

  it('attach -i to a container with stdin talks to its shell; its exit code comes back', async () => {
    const r = await fx.kubectl(['attach', '-i', 'interactive'], 20_000, 'hostname\nexit 3\n');
    expect(r.stdout).toBe('interactive');
    expect(r.exitCode).toBe(3);
  });

  describe.skipIf(!hasTmux())('in a real terminal', () => {
    // (a pane's capture drops trailing blanks: a prompt `/ # ` reads as `/ #`)
    it('exec -it POD -- sh: a prompt, commands, exit back to the terminal', async () => {
      const t = new Terminal(['kubectl', 'exec', '-it', 'debug-shell', '--', 'sh'], { width: 100, height: 20, env: fx.env });
      try {
        await t.waitFor(/^\/ #$/m);
        t.type('hostname');
        t.keys('Enter');
        await t.waitFor(/^\/ # hostname\ndebug-shell\n\/ #$/m);
        t.type('exit');
        t.keys('Enter');
        await t.waitFor(/^\[exited 0\]$/m);
      } finally {
        t.kill();
      }
    });

    it("kmux's shell command opens bash; an exit code reaches the terminal", async () => {
      const t = new Terminal(['kubectl', 'exec', '-it', 'debug-shell', '--', 'sh', '-c', KMUX_SHELL], { width: 100, height: 20, env: fx.env });
      try {
        await t.waitFor(/^root@debug-shell:\/#$/m);
        t.type('stty size; cd /etc');
        t.keys('Enter');
        await t.waitFor(/^20 100\nroot@debug-shell:\/etc#$/m);
        t.type('exit 3');
        t.keys('Enter');
        await t.waitFor(/^command terminated with exit code 3\n\[exited 3\]$/m);
      } finally {
        t.kill();
      }
    });
  });
});
