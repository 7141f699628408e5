import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { loadKubeconfig, type Kubeconfig } from '../../src/kube/kubeconfig.js';
import { BrokenContextError, ContextClient } from '../../src/store/contexts.js';
import { until } from '../helpers/wait.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-ctx-'));
let fleet: Fleet;
let kc: Kubeconfig;
const clients: ContextClient[] = [];

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, names: ['one'], nodes: 2, pods: 5, seed: 3 });
  const f = path.join(dir, 'kc.yaml');
  fleet.writeKubeconfig(f);
  kc = loadKubeconfig([f]);
});
afterAll(async () => {
  for (const c of clients) c.stop();
  await fleet.stop();
  rmSync(dir, { recursive: true, force: true });
});

function client(): ContextClient {
  const c = new ContextClient(kc.contexts[0], kc);
  clients.push(c);
  return c;
}

describe('ContextClient', () => {
  it('tells when a context that failed answers again, checking often while it is down', async () => {
    const c = client();
    let recovered = 0;
    c.onRecovered(() => recovered++);
    c.start();
    await until('ok', () => c.health.state === 'ok');
    const m = fleet.members[0];
    await m.server.stop();
    c.recheck();
    await until('down', () => c.health.state === 'error');
    expect(c.health.errorKind).toBe('unreachable');
    await m.server.start();
    // no recheck() here: the context's own clock finds it (at most ~5 s while down)
    await until('recovered', () => recovered === 1, 10_000);
    expect(c.health.state).toBe('ok');
  });

  it('tells when the server is not the one it was (its kube-system namespace has another UID)', async () => {
    const c = client();
    let changed = 0;
    c.onIdentityChanged(() => changed++);
    c.start();
    await until('ok', () => c.health.state === 'ok' && c.identity !== undefined);
    const first = c.identity;
    c.recheck();
    await until('checked again', () => (c.health.checkedAt ?? 0) > Date.now() - 50 && c.health.state === 'ok');
    expect(changed).toBe(0);
    // a recreated cluster: same URL, another kube-system
    const store = fleet.members[0].cluster.store;
    const ks = store.get('namespaces', undefined, 'kube-system');
    store.remove('namespaces', undefined, 'kube-system');
    store.create('namespaces', { metadata: { name: 'kube-system', labels: ks.metadata.labels }, spec: ks.spec, status: ks.status });
    c.recheck();
    await until('identity changed', () => changed === 1, 5000);
    expect(c.identity).not.toBe(first);
  });

  it('a broken context is never contacted and says why when its connection is asked for', () => {
    const c = new ContextClient({ name: 'stale', cluster: 'gone', user: '', broken: 'cluster "gone" was not found for context "stale"' }, kc);
    c.start();
    expect(c.health).toMatchObject({ state: 'broken', error: 'cluster "gone" was not found for context "stale"' });
    expect(() => c.conn).toThrow(BrokenContextError);
    expect(() => c.conn).toThrow(/context "stale" cannot be used: cluster "gone" was not found/);
  });
});
