/** :events opens sorted by last seen, newest first, and an event seen again moves to the top. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { Session, type TableView } from '../../src/app/session.js';
import { Settings } from '../../src/config/settings.js';
import { eventLastSeen } from '../../src/resources/events.js';
import { until } from '../helpers/wait.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-events-'));
let fleet: Fleet;
let session: Session;
let view: TableView;

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, nodes: 3, pods: 30, seed: 9 });
  const kc = path.join(dir, 'kc');
  fleet.writeKubeconfig(kc);
  session = new Session({ kubeconfig: loadKubeconfig([kc]), contexts: ['dev'], batchMs: 20, settings: new Settings(path.join(dir, 'cfg')) });
  // events at different times (the sim stamps them with its clock)
  const c = fleet.member('dev').cluster;
  const pods = [...c.store.iter('pods')].slice(0, 8);
  const t0 = Date.now();
  pods.forEach((p, i) => {
    c.now = () => t0 - (i + 1) * 60_000;
    c.recordEvent(p, i % 2 ? 'Warning' : 'Normal', 'Test', `event ${i}`);
  });
  c.now = () => Date.now();
  session.start();
  view = await session.openTable({ resource: 'events', contexts: ['dev'], namespace: undefined });
  await until('events listed', () => view.storeStatus().every((s) => s.synced) && view.rows().length > 5, 10_000);
});

afterAll(async () => {
  view?.dispose();
  session?.stop();
  await fleet.stop();
  rmSync(dir, { recursive: true, force: true });
});

const seen = (ns: string | undefined, name: string) => Number(eventLastSeen(fleet.member('dev').cluster.store.get('events', ns, name)));

describe(':events', () => {
  it('is sorted by last seen, newest first', () => {
    const times = view.rows().map((r) => seen(r.namespace, r.name));
    expect(times.length).toBeGreaterThan(5);
    for (let i = 1; i < times.length; i++) expect(times[i - 1]).toBeGreaterThanOrEqual(times[i]);
    expect(view.vm.getSort()).toEqual({ column: 'AGE', asc: true });
  });

  it('an event seen again (count and lastTimestamp updated) moves to the top', async () => {
    const store = fleet.member('dev').cluster.store;
    const last = view.rows().at(-1)!;
    const ev = store.get('events', last.namespace, last.name);
    const later = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    store.update('events', { ...ev, count: (ev.count ?? 1) + 1, lastTimestamp: later });
    await until('the event at the top', () => view.rows()[0]?.name === last.name, 5000);
  });
});
