/**
 * The churn's admin endpoint: GET /_sim/churn reads a cluster's rate, POST /_sim/churn
 * {"rate":N} sets it (0 pauses it, so a bench can compare a client's rows with the server's
 * count), a bad rate is refused and changes nothing. GET /_sim/health counts the pods.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { rawRequest, simAdmin } from '../helpers/stream.js';

let fleet: Fleet;
const url = () => fleet.member('a').server.url;
const rv = () => fleet.member('a').cluster.store.rv;

/** How many writes the cluster makes in `ms`. */
async function writesIn(ms: number): Promise<number> {
  const before = rv();
  await new Promise((r) => setTimeout(r, ms));
  return rv() - before;
}

/** Waits for a second without a write (what the churn started, finished). */
async function quiet(): Promise<void> {
  const t0 = Date.now();
  let last = -1;
  while ((last = await writesIn(1000)) > 0) if (Date.now() - t0 > 60_000) throw new Error(`still ${last} writes a second a minute after the churn paused`);
}

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, names: ['a'], nodes: 3, pods: 200, churn: 400, insecureHttp: true });
});
afterAll(async () => fleet?.stop());

describe('/_sim/churn', () => {
  it('reads the rate, pauses it with rate 0 and sets it again', async () => {
    expect(await simAdmin(url(), 'GET', '/churn')).toEqual({ status: 200, json: { cluster: 'a', rate: 400 } });
    // 400 changes a second, each one write or more
    expect(await writesIn(1000)).toBeGreaterThan(150);
    expect(await simAdmin(url(), 'POST', '/churn', { rate: 0 })).toEqual({ status: 200, json: { cluster: 'a', rate: 0 } });
    // the controllers finish what the churn started (replaced pods' successors starting,
    // deployments scaled), then the cluster is quiet: a second without a write
    await quiet();
    expect((await simAdmin(url(), 'POST', '/churn', { rate: 400 })).json.rate).toBe(400);
    expect(await writesIn(1000)).toBeGreaterThan(150);
  });

  it('refuses a rate that is not a number >= 0 and keeps the one it had', async () => {
    for (const body of [{ rate: -1 }, { rate: 'fast' }, {}, { rate: null }]) {
      const r = await simAdmin(url(), 'POST', '/churn', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error).toMatch(/rate must be a number >= 0/);
    }
    expect((await simAdmin(url(), 'POST', '/churn', 'not json')).status).toBe(400);
    expect((await simAdmin(url(), 'PUT', '/churn', { rate: 1 })).status).toBe(405);
    expect((await simAdmin(url(), 'GET', '/churn')).json.rate).toBe(400);
  });

  it('GET /_sim/health counts the pods a list returns', async () => {
    await simAdmin(url(), 'POST', '/churn', { rate: 0 });
    await quiet();
    const health = (await simAdmin(url(), 'GET', '/health')).json;
    const list = JSON.parse((await rawRequest(`${url()}/api/v1/pods`)).text);
    expect(health.pods).toBe(list.items.length);
    expect(health.pods).toBeGreaterThan(150);
    expect(health.objects).toBeGreaterThan(health.pods);
  });
});
