/**
 * `:pulses` without Ink: a real Session on an in-process fleet; the counts read back against
 * what the API lists, rates from samples at given times, enter opening the kind's view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Nav } from '../../../src/ui/nav.js';
import { runCommand } from '../../../src/ui/commands.js';
import { ListScreen } from '../../../src/ui/screens/list.js';
import { TableScreen } from '../../../src/ui/screens/table.js';
import { PulseModel, sparkline } from '../../../src/app/pulse.js';
import { bodyOf, titleOf } from '../../helpers/lines.js';
import { request } from '../../helpers/http.js';
import { draw, fleetSession, keys, type FleetSession } from '../../helpers/ui.js';
import { until, untilAsync } from '../../helpers/wait.js';

let fs: FleetSession;
let nav: Nav;
const api = (i = 0) => fs.fleet.members[i].server.url;
const list = () => nav.top() as ListScreen;
const drawn = () => bodyOf(draw(fs.session, list(), 160, 40)).map((l) => l.trimEnd());
/** The drawn row of a kind, split on two or more spaces. */
const rowOf = (kind: string) => drawn().find((l) => l.trim().split(/\s{2,}/)[0] === kind)?.trim().split(/\s{2,}/);
/** A kind's row once its store has listed (TOTAL a number). */
const counted = (kind: string) => /^\d+$/.test(rowOf(kind)?.[1] ?? '');
const items = async (path: string, i = 0) => (await request(`${api(i)}${path}`)).json().items as any[];

async function open(cmd: string): Promise<void> {
  while (nav.stack.length) nav.stack.pop()?.dispose?.();
  await runCommand(nav, cmd);
  if (!(nav.top() instanceof ListScreen)) throw new Error(`${cmd} did not open: ${fs.session.flashMsg?.text}`);
}

beforeAll(async () => {
  fs = await fleetSession({ clusters: 2, names: ['dev', 'staging'], nodes: 3, pods: 70 });
  nav = new Nav(fs.session, { resource: 'pods', contexts: ['dev'] });
});

afterAll(async () => {
  nav?.dispose();
  await fs?.stop();
});

describe(':pulses', () => {
  it('counts each kind as the API lists it, and the deployments that are not ready as not ok', async () => {
    await open('pulses');
    expect(titleOf(draw(fs.session, list(), 160, 40))).toMatch(/^pulses\(all\)\[\d+\]/);
    await until('pods counted', () => counted('pods') && counted('deployments') && counted('events'), 30_000);
    const pods = await items('/api/v1/pods');
    await until('the pods count as the API has it', () => rowOf('pods')?.[1] === String(pods.length), 30_000);
    const deps = await items('/apis/apps/v1/deployments');
    const notReady = deps.filter((d) => (d.status?.readyReplicas ?? 0) !== (d.spec?.replicas ?? 1)).length;
    const dep = rowOf('deployments')!;
    expect(dep.slice(1, 4)).toEqual([String(deps.length), String(deps.length - notReady), String(notReady)]);
    const nodes = await items('/api/v1/nodes');
    expect(rowOf('nodes')?.[1]).toBe(String(nodes.length));
    // events: warnings are what is not ok (they come and go: read both until they agree)
    await untilAsync('events counted as the API lists them', async () => {
      const events = await items('/api/v1/events');
      const warnings = events.filter((e) => e.type === 'Warning').length;
      const ev = rowOf('events');
      return ev?.[1] === String(events.length) && ev?.[3] === String(warnings);
    }, 30_000);
    // every kind K9s counts that the sim serves, and replica sets
    for (const k of ['namespaces', 'services', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'persistentvolumeclaims', 'serviceaccounts']) expect(rowOf(k), k).toBeDefined();
  });

  it('follows the API live: a pod created shows in the total and in the minute\'s change', async () => {
    await open('pulses');
    await until('pods counted', () => counted('pods'), 30_000);
    const before = Number(rowOf('pods')![1]);
    const made = await request(`${api()}/api/v1/namespaces/default/pods`, { method: 'POST', body: JSON.stringify({ metadata: { name: 'pulse-new' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }) });
    expect(made.status).toBe(201);
    await until('one pod more', () => Number(rowOf('pods')?.[1]) === before + 1, 30_000);
    await until('the minute\'s change says +1', () => rowOf('pods')?.[4] === '+1', 30_000);
    await request(`${api()}/api/v1/namespaces/default/pods/pulse-new?gracePeriodSeconds=0`, { method: 'DELETE' });
    await until('back to before', () => Number(rowOf('pods')?.[1]) === before, 30_000);
  });

  it('changes per minute and the trend come from samples of the stores', async () => {
    const m = await PulseModel.open(fs.session, { contexts: ['dev'], namespace: 'default' });
    try {
      const pods = () => m.rows().find((r) => r.plural === 'pods');
      await until('pods listed', () => pods()?.total !== undefined, 30_000);
      const pods0 = pods()!.total!;
      const t0 = Date.now();
      m.sample(t0);
      for (let i = 0; i < 3; i++) await request(`${api()}/api/v1/namespaces/default/pods`, { method: 'POST', body: JSON.stringify({ metadata: { name: `pulse-rate-${i}` }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }) });
      await until('three pods more', () => m.rows(t0).find((r) => r.plural === 'pods')!.total === pods0 + 3, 30_000);
      m.sample(t0 + 10_000);
      const r = m.rows(t0 + 10_000).find((x) => x.plural === 'pods')!;
      // at least the three creations (the scheduler and kubelet update them too), over ten seconds
      expect(r.perMin).toBeGreaterThanOrEqual(18);
      expect(r.delta).toBe(3);
      expect(r.history.slice(-2)).toEqual([pods0, pods0 + 3]);
      // cluster-scoped kinds say nothing about a namespace
      expect(m.rows().some((x) => x.plural === 'nodes' || x.plural === 'namespaces')).toBe(false);
    } finally {
      m.dispose();
      for (let i = 0; i < 3; i++) await request(`${api()}/api/v1/namespaces/default/pods/pulse-rate-${i}?gracePeriodSeconds=0`, { method: 'DELETE' });
    }
  });

  it('enter on a kind opens its view in the namespace of the pulses; esc comes back', async () => {
    await open('pulses kube-system');
    await until('pods counted', () => counted('pods'), 30_000);
    expect(rowOf('nodes')).toBeUndefined();
    const pods = await items('/api/v1/namespaces/kube-system/pods');
    expect(rowOf('pods')?.[1]).toBe(String(pods.length));
    const pulses = list();
    while (list().current()?.cells[0] !== 'deployments') keys(nav, 'j');
    keys(nav, '<enter>');
    await until('the deployments view', () => nav.top() instanceof TableScreen, 30_000);
    expect(nav.view()!.spec).toMatchObject({ resource: 'deployments', namespace: 'kube-system', contexts: ['dev'] });
    keys(nav, '<esc>');
    expect(nav.top()).toBe(pulses);
  });

  it('across contexts: a CONTEXT column and each context\'s counts', async () => {
    await open('pulses @dev,staging');
    const both = () => drawn().filter((l) => /^\s*(dev|staging)\s+pods\s+\d+/.test(l));
    await until('both contexts counted', () => both().length === 2, 30_000);
    expect(drawn()[0]).toMatch(/^\s*CONTEXT\s+KIND\s+TOTAL\s+OK\s+NOT OK/);
    const staging = await items('/api/v1/pods', 1);
    expect(both().find((l) => l.trim().startsWith('staging'))!.trim().split(/\s{2,}/)[2]).toBe(String(staging.length));
  });

  it('a namespace that does not exist: an error, nothing opened', async () => {
    await open('pulses');
    const depth = nav.stack.length;
    await runCommand(nav, 'pulses no-such-ns');
    expect(fs.session.flashMsg).toMatchObject({ level: 'error', text: expect.stringMatching(/namespaces "no-such-ns" not found/) });
    expect(nav.stack.length).toBe(depth);
  });
});

describe('sparkline', () => {
  it('scales the lowest value to the lowest bar and the highest to the highest; flat is flat', () => {
    expect(sparkline([0, 2, 14])).toBe('▁▂█');
    expect(sparkline([5, 5, 5])).toBe('▄▄▄');
    expect(sparkline([])).toBe('');
    expect(sparkline(Array.from({ length: 50 }, (_x, i) => i), 30)).toHaveLength(30);
  });
});
