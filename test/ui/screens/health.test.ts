/**
 * `:health` and the KMUX_TRACE health line: what kmux holds, read from a real session on an
 * in-process fleet; the figures follow what is open (stores, watches, rows) and go back down
 * when a view is left.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Nav } from '../../../src/ui/nav.js';
import { ListScreen } from '../../../src/ui/screens/list.js';
import { healthLine, readHealth, traceHealth } from '../../../src/app/health.js';
import { bodyOf, titleOf } from '../../helpers/lines.js';
import { draw, fleetSession, keys, openView, typeText, type FleetSession } from '../../helpers/ui.js';
import { until, untilAsync } from '../../helpers/wait.js';

let fs: FleetSession;
let nav: Nav;
const PODS = { resource: 'pods', contexts: ['dev'], namespace: undefined };

beforeAll(async () => {
  fs = await fleetSession({ clusters: 1, names: ['dev'], nodes: 3, pods: 50 });
  nav = new Nav(fs.session, PODS);
  await openView(nav, PODS);
});

afterAll(async () => {
  nav?.dispose();
  await fs?.stop();
});

it('readHealth counts the open stores, their watches and rows, and the sockets to the cluster', async () => {
  const pods = fs.fleet.members[0].cluster.store.count('pods');
  const h = await untilAsync('the pods store watching', async () => {
    const r = readHealth(fs.session);
    return r.watches >= 1 && r.rows.some((s) => s.store === 'dev pods' && s.rows === pods) ? r : undefined;
  }, 30_000);
  expect(h.stores).toBeGreaterThanOrEqual(1);
  expect(h.watches).toBe(h.rows.filter((r) => r.watching).length);
  expect(h.sockets).toBeGreaterThanOrEqual(1);
  expect(h.rssMB).toBeGreaterThan(h.heapUsedMB / 4);
  expect(h.heapUsedMB).toBeGreaterThan(1);
  const line = healthLine(h, 1234);
  expect(line).toMatch(/^health 1234 rss=[\d.]+MB heap=[\d.]+MB external=[\d.]+MB arraybuffers=[\d.]+MB watches=\d+\/\d+ sockets=\d+\+\d+idle listeners=\d+ rows=\d+ loop_p99=[\d.]+ms loop_max=[\d.]+ms stores=/);
  expect(line).toContain(`dev:pods=${pods}`);
});

it(':health lists the figures and each store; leaving a view lets its store go', async () => {
  await openView(nav, { resource: 'deployments', contexts: ['dev'], namespace: undefined });
  keys(nav, ':');
  typeText(nav, 'health');
  keys(nav, '<enter>');
  await until('the health screen', () => nav.top() instanceof ListScreen && (nav.top() as ListScreen).source.title === 'health', 10_000);
  const lines = draw(fs.session, nav.top()!, 120, 30);
  expect(titleOf(lines)).toContain('health');
  const body = bodyOf(lines).join('\n');
  expect(body).toMatch(/memory, resident\s+[\d.]+ MB/);
  expect(body).toMatch(/event-loop delay p99 \/ max.*\s[\d.]+ \/ [\d.]+ ms/);
  expect(body).toMatch(/watches open \/ stores\s+\d+ \/ \d+/);
  expect(body).toContain('dev deployments');
  // the trace writes the same figures on its clock
  const written: string[] = [];
  const stop = traceHealth(fs.session, (l) => written.push(l), 50);
  await until('two trace lines', () => written.length >= 2, 10_000);
  stop();
  expect(written[0]).toMatch(/^health \d+ rss=/);
  // back on pods alone: the deployments store is released
  keys(nav, '<esc>');
  await openView(nav, PODS);
  await until('deployments store released', () => !readHealth(fs.session).rows.some((r) => r.store === 'dev deployments'), 15_000);
});

it('ten rounds of switching views: the stores and watches open are those of the view shown, no more', async () => {
  const specs = ['deployments', 'services', 'configmaps', 'pods'].map((resource) => ({ resource, contexts: ['dev'], namespace: undefined }));
  for (let round = 0; round < 10; round++) {
    for (const spec of specs) await nav.openSpec(spec);
  }
  await openView(nav, specs[3]);
  const shown = nav.view()!.storeStatus().length;
  await until('only the shown view\'s stores', () => fs.session.registry.size === shown, 15_000);
  await until('the server has as many watches', () => fs.fleet.members[0].server.watchCount() === shown, 15_000);
});
