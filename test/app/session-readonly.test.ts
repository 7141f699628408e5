/**
 * What the session hands to the children it starts: the user's kubeconfig normally, and in
 * read-only mode the kubeconfig of its read-only proxy (on a worker thread), which the real
 * kubectl can read through and never write through, context pinning included.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../src/app/session.js';
import { Settings } from '../../src/config/settings.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { ReadOnlyKubeconfig } from '../../src/kube/readonly-proxy.js';
import type { Plugin } from '../../src/plugins/load.js';
import { JobRegistry } from '../../src/plugins/run.js';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { hasKubectl } from '../helpers/kubectl.js';
import { until } from '../helpers/wait.js';

let fleet: Fleet;
let dir: string;
let kcFile: string;
const saved = { kmux: process.env.KMUX_CONFIG_DIR, k9s: process.env.K9S_CONFIG_DIR };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kmux-session-ro-'));
  process.env.KMUX_CONFIG_DIR = join(dir, 'kmux');
  process.env.K9S_CONFIG_DIR = join(dir, 'k9s');
  fleet = await startFleet({ clusters: 2, names: ['dev', 'prod'], nodes: 3, pods: 20, seed: 21 });
  kcFile = join(dir, 'kubeconfig.yaml');
  fleet.writeKubeconfig(kcFile);
});
afterAll(async () => {
  await fleet?.stop();
  for (const [k, v] of [['KMUX_CONFIG_DIR', saved.kmux], ['K9S_CONFIG_DIR', saved.k9s]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function session(readonly: boolean, contexts = ['dev']): Session {
  return new Session({ kubeconfig: loadKubeconfig([kcFile]), contexts, readonly, batchMs: 20, settings: new Settings(join(dir, `settings-${Math.random()}`)) });
}

function plugin(name: string, args: string[]): Plugin {
  return {
    name, shortCut: { key: 'x', shift: true, ctrl: false }, shortCutText: 'Shift-X', description: name, scopes: ['pods'], command: 'kubectl', args,
    background: true, confirm: false, dangerous: false, override: false, overwriteOutput: false, inputs: [], pipes: [], source: 'test', line: 1, origin: 'kmux', unboundScopes: [], order: 0,
  };
}

async function kubectl(env: Record<string, string>, args: string[]) {
  // asynchronous: the fleet answers on this thread
  const r = await execa('kubectl', args, { env: { ...(process.env as Record<string, string>), ...env }, extendEnv: false, reject: false, timeout: 30_000 });
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode };
}

describe('children\'s kubeconfig', () => {
  it('is the user\'s own files when kmux may write', async () => {
    const s = session(false);
    try {
      expect(await s.childKubeconfig()).toBe([kcFile].join(delimiter));
      expect(await s.childEnv()).toEqual({ KUBECONFIG: kcFile });
    } finally {
      s.stop();
    }
  });

  it('in read-only mode is the proxy\'s: private files, the same context names and namespaces, kmux\'s current context', async () => {
    const s = session(true, ['prod']);
    try {
      const file = await s.childKubeconfig();
      expect(file).not.toBe(kcFile);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
      const doc = YAML.parse(readFileSync(file, 'utf8'));
      expect(doc['current-context']).toBe('prod');
      expect(doc.contexts.map((c: any) => [c.name, c.context.namespace])).toEqual([['dev', 'default'], ['prod', 'default']]);
      for (const c of doc.clusters) {
        expect(c.cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/ctx\/\d+$/);
        expect(Buffer.from(c.cluster['certificate-authority-data'], 'base64').toString()).toMatch(/BEGIN CERTIFICATE/);
      }
      const token = doc.users[0].user.token;
      expect(token).toMatch(/^[\w-]{40,}$/);
      // nothing of the user's real kubeconfig in it
      expect(readFileSync(file, 'utf8')).not.toContain(fleet.member('dev').server.url);
      // one proxy: the same file (and server) on the next call, current-context following kmux's
      s.setActive(['dev']);
      expect(await s.childKubeconfig()).toBe(file);
      const again = YAML.parse(readFileSync(file, 'utf8'));
      expect(again['current-context']).toBe('dev');
      expect(again.clusters).toEqual(doc.clusters);
      expect(again.users[0].user.token).toBe(token);
      const env = await s.childEnv();
      expect(env.KUBECONFIG).toBe(file);
      expect(dirname(env.KUBECACHEDIR!)).toBe(dirname(file));
    } finally {
      s.stop();
    }
  });

  it('starts the proxy again when it died, in the same file', async () => {
    const rk = new ReadOnlyKubeconfig(loadKubeconfig([kcFile]));
    try {
      const file = await rk.path('dev');
      const server = () => YAML.parse(readFileSync(file, 'utf8')).clusters[0].cluster.server as string;
      const first = server();
      // what a crash of its thread looks like from here: the worker is gone
      await (rk as any).current.stop();
      expect(await rk.path('dev')).toBe(file);
      expect(server()).not.toBe(first);
      // and it answers, with the same token and its own certificate
      const doc = YAML.parse(readFileSync(file, 'utf8'));
      const version = await new Promise<any>((resolve, reject) => {
        const ca = Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
        https.get(`${server()}/version`, { ca, headers: { Authorization: `Bearer ${doc.users[0].user.token}` } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(JSON.parse(text)));
        }).on('error', reject);
      });
      expect(version.major).toBe('1');
    } finally {
      await rk.stop();
    }
  });

  it('stops with the session: the files are gone, the port closed, no more kubeconfigs', async () => {
    const s = session(true);
    const file = await s.childKubeconfig();
    const server = YAML.parse(readFileSync(file, 'utf8')).clusters[0].cluster.server as string;
    s.stop();
    expect(existsSync(dirname(file))).toBe(false);
    await expect(s.childKubeconfig()).rejects.toThrow(/stopping/);
    const port = Number(new URL(server).port);
    const deadline = Date.now() + 15_000;
    while (!(await refused(port))) {
      if (Date.now() > deadline) throw new Error(`the proxy still accepts connections on ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});

/** Whether a connection to 127.0.0.1:port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe.skipIf(!hasKubectl)('kubectl with what read-only mode gives children', () => {
  it('reads through the proxy; label, delete and exec are refused; no write reaches a cluster', async () => {
    const s = session(true);
    try {
      const env = await s.childEnv();
      const get = await kubectl(env as Record<string, string>, ['get', 'pods', '-A', '-o', 'name']);
      expect(get.stderr).toBe('');
      expect(get.stdout.trim().split('\n')).toHaveLength(fleet.member('dev').cluster.store.count('pods'));
      const pod = [...fleet.member('prod').cluster.store.iter('pods')].find((p) => p.status?.phase === 'Running')!;
      const from = fleet.member('prod').server.requestLog.length;
      for (const args of [['label', 'pod', pod.metadata.name, 'a=b'], ['delete', 'pod', pod.metadata.name, '--wait=false'], ['exec', pod.metadata.name, '--', 'true']]) {
        const r = await kubectl(env as Record<string, string>, ['--context', 'prod', '-n', pod.metadata.namespace, ...args]);
        expect(r.exitCode).not.toBe(0);
        expect(r.stderr).toMatch(/is forbidden: kmux is in read-only mode/);
      }
      expect(fleet.member('prod').server.writes(from)).toEqual([]);
      expect(fleet.member('prod').server.requestLog.slice(from).filter((r) => r.path.endsWith('/exec'))).toEqual([]);
    } finally {
      s.stop();
    }
  });

  it('plugins: $KUBECONFIG is the proxy\'s, pinned to the row\'s context; a background kubectl label fails and writes nothing', async () => {
    const s = session(true, ['dev']);
    const jobs = new JobRegistry();
    try {
      const view = await s.openTable({ resource: 'pods', contexts: ['dev', 'prod'] });
      const row = await until('a prod row', () => view.rows().find((r) => r.context === 'prod' && r.namespace !== 'kube-system'), 20_000);
      const proxyFile = await s.childKubeconfig();
      // no --context: the pin (first in KUBECONFIG) makes kubectl use the row's context, prod, not dev
      const get = await s.pluginLaunch(view, row, plugin('get', ['get', 'pod', '$NAME', '-n', '$NAMESPACE', '-o', 'jsonpath={.metadata.uid}']), { columns: {} });
      expect(get.vars.KUBECONFIG).toBe(proxyFile);
      expect(get.env.KUBECONFIG.split(delimiter)).toHaveLength(2);
      expect(get.env.KUBECONFIG.split(delimiter)[1]).toBe(proxyFile);
      expect(get.env.KUBECACHEDIR).toBe(await s.childEnv().then((e) => e.KUBECACHEDIR));
      const got = await jobs.wait(jobs.start({ name: 'get' }, get.argv, get.env).id);
      expect(got.stderr).toBe('');
      expect(got.stdout).toBe(fleet.member('prod').cluster.store.get('pods', row.namespace, row.name).metadata.uid);

      const from = { dev: fleet.member('dev').server.requestLog.length, prod: fleet.member('prod').server.requestLog.length };
      const label = await s.pluginLaunch(view, row, plugin('label', ['label', 'pod', '$NAME', '-n', '$NAMESPACE', 'kmux-was-here=yes']), { columns: {} });
      const job = await jobs.wait(jobs.start({ name: 'label' }, label.argv, label.env).id);
      expect(job.status).toBe('failed');
      expect(job.stderr).toContain(`pods "${row.name}" is forbidden: kmux is in read-only mode`);
      expect(fleet.member('prod').server.writes(from.prod)).toEqual([]);
      expect(fleet.member('dev').server.writes(from.dev)).toEqual([]);
      expect(fleet.member('prod').cluster.store.get('pods', row.namespace, row.name).metadata.labels?.['kmux-was-here']).toBeUndefined();
      view.dispose();
    } finally {
      jobs.dispose();
      s.stop();
    }
  });
});
