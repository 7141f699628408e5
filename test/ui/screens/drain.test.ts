/**
 * The drain screen without Ink, against the sim's nodes through a real Session: the options
 * form takes typing, the plan comes before anything changes, a cancelled drain says so and its
 * clock stops, and with eviction disabled pods are said to be deleted, not evicted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Nav } from '../../../src/ui/nav.js';
import { DrainScreen } from '../../../src/ui/screens/drain.js';
import { TableScreen } from '../../../src/ui/screens/table.js';
import { NODE, PDB, POD } from '../../../src/sim/cluster.js';
import { controllerOf } from '../../../src/sim/pods.js';
import { bodyOf, titleOf } from '../../helpers/lines.js';
import { draw, fleetSession, keys, openView, typeText, type FleetSession } from '../../helpers/ui.js';
import { until } from '../../helpers/wait.js';

let fs: FleetSession;
let nav: Nav;
const NODES = { resource: 'nodes', contexts: ['dev'] };
const cluster = () => fs.fleet.members[0].cluster;
const drawn = (s: DrainScreen, W = 140, h = 30) => draw(fs.session, s, W, h);

beforeAll(async () => {
  fs = await fleetSession({ clusters: 1, names: ['dev'], nodes: 4, pods: 50, cluster: { startDelayMs: [50, 150], stopDelayMs: [50, 200] } });
  nav = new Nav(fs.session, NODES);
  await openView(nav, NODES);
});

afterEach(async () => {
  // back to the nodes view, every node schedulable again, no budget of ours left
  while (nav.stack.length > 1) nav.pop();
  for (const pdb of [...cluster().store.iter(PDB)]) if (pdb.metadata.name.startsWith('test-')) cluster().store.remove(PDB, pdb.metadata.namespace, pdb.metadata.name);
  for (const n of [...cluster().store.iter(NODE)]) if (n.spec.unschedulable) cluster().store.mutate(NODE, undefined, n.metadata.name, (x) => ({ ...x, spec: { ...x.spec, unschedulable: undefined } }));
});

afterAll(async () => {
  nav?.dispose();
  await fs?.stop();
});

/** Put the nodes view's cursor on a node and press r: the drain screen for it. */
async function drainScreenFor(node: string): Promise<DrainScreen> {
  const at = nav.view()!.rows().findIndex((r) => r.name === node);
  expect(at).toBeGreaterThanOrEqual(0);
  keys(nav, 'g');
  for (let i = 0; i < at; i++) keys(nav, 'j');
  expect(nav.view()!.current()?.name).toBe(node);
  keys(nav, 'r');
  // the key first asks the server whether the user may drain (RBAC), then opens the screen
  await until('the drain screen', () => nav.top() instanceof DrainScreen, 10_000);
  const s = nav.top() as DrainScreen;
  expect(s).toBeInstanceOf(DrainScreen);
  return s;
}

/** The options field with the cursor (read through a call: each key moves it). */
const fieldOf = (s: DrainScreen) => s.field;

/** The options form: ignore DaemonSets, delete emptyDir data, force (what the sim's nodes need). */
function allowAll(s: DrainScreen): void {
  while (fieldOf(s) !== 2) keys(nav, '<down>');
  keys(nav, '<space>', '<down>', '<space>', '<down>', '<space>');
  expect(s.opts).toMatchObject({ ignoreDaemonSets: true, deleteEmptyDirData: true, force: true });
}

const workers = () => [...cluster().store.iter(NODE)].map((n) => n.metadata.name as string).filter((n) => /worker/.test(n)).sort();
const victims = (node: string) => [...cluster().store.iter(POD)].filter((p) => p.spec.nodeName === node && controllerOf(p)?.kind !== 'DaemonSet');

describe('DrainScreen: options', () => {
  it('the fields take digits, toggles and text; ↑/↓ and tab move between them; esc leaves', async () => {
    const node = workers()[0];
    const s = await drainScreenFor(node);
    let lines = drawn(s);
    expect(titleOf(lines)).toBe(`drain ${node}`);
    expect(bodyOf(lines)[0].trim()).toBe(`Drain ${node}: kubectl drain's options`);
    const field = (label: string) => bodyOf(drawn(s)).find((l) => l.includes(label))!.trim();
    expect(field('Grace period')).toMatch(/^> Grace period \(s, -1 = the pod's own\)\s+\[-1\]$/);
    // digits replace the default, then add up; backspace takes one off
    typeText(nav, '5');
    expect(s.opts.gracePeriodSeconds).toBe(5);
    typeText(nav, '0');
    expect(field('Grace period')).toMatch(/\[50\]$/);
    keys(nav, '<backspace>');
    expect(s.opts.gracePeriodSeconds).toBe(5);
    // letters do nothing in a number field (and are no key here)
    typeText(nav, 'x');
    expect(s.opts.gracePeriodSeconds).toBe(5);
    keys(nav, '<down>');
    typeText(nav, '30');
    expect(field('Timeout')).toMatch(/^> Timeout \(s, 0 = none\)\s+\[30\]$/);
    keys(nav, '<tab>', '<space>');
    expect(field('Ignore DaemonSets')).toMatch(/^> Ignore DaemonSets\s+\[x\]$/);
    keys(nav, '<space>');
    expect(s.opts.ignoreDaemonSets).toBe(false);
    keys(nav, '<backtab>');
    expect(s.field).toBe(1);
    // the text field: the pod selector, typed with the cursor shown
    while (fieldOf(s) !== 6) keys(nav, '<down>');
    typeText(nav, 'app=web');
    expect(field('Pod selector')).toMatch(/^> Pod selector\s+\[app=web_\]$/);
    keys(nav, '<backspace>', '<backspace>', '<backspace>');
    expect(s.opts.podSelector).toBe('app=');
    // ↑ from the first field goes round to the last
    while (fieldOf(s) !== 0) keys(nav, '<up>');
    keys(nav, '<up>');
    expect(s.field).toBe(7);
    lines = drawn(s);
    expect(bodyOf(lines).filter((l) => l.trimStart().startsWith('>'))).toHaveLength(1);
    keys(nav, '<esc>');
    expect(nav.top()).toBeInstanceOf(TableScreen);
    // nothing was changed on the cluster
    expect(cluster().store.get(NODE, undefined, node).spec.unschedulable).toBeFalsy();
  });
});

describe('DrainScreen: running', () => {
  it('cancelled while a budget holds a pod: the title says cancelled, the clock stops, the node stays cordoned', async () => {
    const node = workers()[0];
    // a budget no eviction can satisfy, over one pod of a deployment on the node
    const held = victims(node).find((p) => controllerOf(p)?.kind === 'ReplicaSet' && p.metadata.labels?.app)!;
    expect(held).toBeDefined();
    cluster().store.create(PDB, { metadata: { name: 'test-hold', namespace: held.metadata.namespace }, spec: { minAvailable: 1000, selector: { matchLabels: { app: held.metadata.labels.app } } } });
    await until('the budget allowing no disruption', () => cluster().store.get(PDB, held.metadata.namespace, 'test-hold')?.status?.observedGeneration === 1, 10_000);

    const s = await drainScreenFor(node);
    allowAll(s);
    keys(nav, '<enter>');
    await until('the plan', () => s.stage === 'plan', 15_000);
    let lines = drawn(s);
    expect(titleOf(lines)).toBe(`drain ${node}: plan`);
    expect(bodyOf(lines).some((l) => l.trim().startsWith(`evict    ${held.metadata.namespace}/${held.metadata.name}`))).toBe(true);
    expect(bodyOf(lines).some((l) => /^\d+ to evict, \d+ skipped, 0 refusing$/.test(l.trim()))).toBe(true);

    keys(nav, '<enter>');
    await until('the held pod blocked', () => [...s.progress.values()].some((p) => p.entry.name === held.metadata.name && p.phase === 'blocked'), 20_000);
    lines = drawn(s);
    expect(titleOf(lines)).toBe(`drain ${node}`);
    expect(bodyOf(lines).some((l) => l.includes(`${held.metadata.namespace}/${held.metadata.name}`) && /blocked by PodDisruptionBudget test-hold/.test(l))).toBe(true);

    keys(nav, '<esc>');
    expect(nav.top()).toBe(s);
    await until('the drain to end', () => s.stage === 'done', 20_000);
    lines = drawn(s);
    expect(titleOf(lines)).toBe(`drain ${node}: cancelled`);
    const bar = bodyOf(lines)[0];
    expect(bar).toMatch(/\d+\/\d+ evicted\s+\d+s\s+cancelled/);
    expect(bodyOf(lines).some((l) => l.includes(`${node}: cancelled: drain of ${node} cancelled; node stays cordoned`))).toBe(true);
    // the clock stopped: a minute later it shows the same time
    const elapsed = bar.match(/(\d+)s\s+cancelled/)![1];
    const later = Date.now() + 60_000;
    const spy = vi.spyOn(Date, 'now').mockReturnValue(later);
    try {
      expect(bodyOf(drawn(s))[0]).toMatch(new RegExp(`\\s${elapsed}s\\s+cancelled`));
    } finally {
      spy.mockRestore();
    }
    expect(cluster().store.get(NODE, undefined, node).spec.unschedulable).toBe(true);
    expect(cluster().store.get(POD, held.metadata.namespace, held.metadata.name)?.metadata.uid).toBe(held.metadata.uid);
    // enter closes it
    keys(nav, '<enter>');
    expect(nav.top()).toBeInstanceOf(TableScreen);
  });

  it('with eviction disabled the plan and the progress say delete and deleted, never evict', async () => {
    const node = workers()[1];
    const pods = victims(node).length;
    expect(pods).toBeGreaterThan(0);
    const s = await drainScreenFor(node);
    allowAll(s);
    keys(nav, '<down>', '<space>');
    expect(s.opts.disableEviction).toBe(true);
    keys(nav, '<enter>');
    await until('the plan', () => s.stage === 'plan', 15_000);
    let body = bodyOf(drawn(s)).map((l) => l.trim());
    expect(body.some((l) => /^\d+ to delete, \d+ skipped, 0 refusing$/.test(l))).toBe(true);
    expect(body.some((l) => /^delete\s+\S+\/\S+/.test(l))).toBe(true);
    expect(body.join('\n')).not.toMatch(/evict/);
    keys(nav, '<enter>');
    await until('the drain to end', () => s.stage === 'done', 30_000);
    const lines = drawn(s);
    body = bodyOf(lines);
    expect(titleOf(lines)).toBe(`drain ${node}: done`);
    expect(body[0]).toMatch(new RegExp(`\\[#+\\] (\\d+)/\\1 deleted\\s+\\d+s`));
    expect(body.join('\n')).not.toMatch(/evict/);
    expect(body.some((l) => l.includes(`${node}: drained`))).toBe(true);
  });
});
