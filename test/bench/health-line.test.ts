/**
 * The soak bench reads kmux's KMUX_TRACE health lines back: what kmux writes (healthLine) must
 * parse into the same figures, or the bench's verdicts would read nothing.
 */
import { expect, it } from 'vitest';
import { healthLine, type Health } from '../../src/app/health.js';
import { parseHealth } from '../../bench/health-line.js';

const h: Health = {
  rssMB: 212.4, heapUsedMB: 97.1, externalMB: 3.2, arrayBuffersMB: 0.4,
  watches: 4, stores: 5, sockets: 3, idleSockets: 2, socketListeners: 84,
  rows: [
    { store: 'dev pods', rows: 10012, watching: true },
    { store: 'staging pods', rows: 9987, watching: true },
    { store: 'staging pods -n web', rows: 40, watching: true },
    { store: 'prod pods', rows: 10020, watching: false },
    { store: 'prod deployments', rows: 350, watching: true },
  ],
  loopP99Ms: 12.5, loopMaxMs: 40.1,
};

it('reads back every figure of the health line kmux writes', () => {
  const p = parseHealth(healthLine(h, 1_700_000_000_123));
  expect(p).toEqual({
    at: 1_700_000_000_123, rss: 212.4, heap: 97.1, watches: 4, stores: 5, sockets: 3, idle: 2, listeners: 84,
    rows: 10012 + 9987 + 40 + 10020 + 350, loopP99: 12.5,
    // pods per context, every pod store of the context counted; deployments are not pods
    pods: new Map([['dev', 10012], ['staging', 9987 + 40], ['prod', 10020]]),
  });
});

it('takes no other line for a health line', () => {
  for (const line of ['ready 1700000000000', 'move 3.20', 'health 12 rss=1MB', '']) expect(parseHealth(line), line).toBeUndefined();
});
