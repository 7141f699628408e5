/**
 * The session with a K9s config dir (issue 14): refreshRate paces metrics, the context's
 * favorites come first, the context's aliases.yaml applies, K9s keys kmux does not use are listed
 * apart from the problems.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IGNORED_SOURCE } from '../../src/app/session.js';
import { fleetSession, type FleetSession } from '../helpers/ui.js';

let fs: FleetSession;
const k9s = mkdtempSync(join(tmpdir(), 'kmux-k9s-'));

beforeAll(async () => {
  const ctxDir = join(k9s, 'clusters', 'kmux-sim-dev', 'dev');
  mkdirSync(ctxDir, { recursive: true });
  writeFileSync(join(k9s, 'config.yaml'), 'k9s:\n  refreshRate: 3\n  maxConnRetry: 9\n  bogus: true\n');
  writeFileSync(join(ctxDir, 'config.yaml'), 'k9s:\n  namespace:\n    favorites: [kube-system, web]\n');
  writeFileSync(join(ctxDir, 'aliases.yaml'), 'aliases:\n  kk: v1/pods kube-system\n');
  fs = await fleetSession({ clusters: 1, names: ['dev'], nodes: 2, pods: 10, env: { K9S_CONFIG_DIR: k9s } });
});

afterAll(async () => {
  await fs?.stop();
  rmSync(k9s, { recursive: true, force: true });
});

describe('a session with K9s config files', () => {
  it('refreshRate sets how often metrics are asked for', () => {
    const p = fs.session.metricsFor('dev', 'pods', undefined);
    try {
      expect((p as unknown as { everyMs: number }).everyMs).toBe(3000);
    } finally {
      fs.session.releaseMetrics(p);
    }
  });

  it("the context's favorites first, then the remembered ones", () => {
    expect(fs.session.favorites()).toEqual(['kube-system', 'web', 'default']);
  });

  it("the context's aliases.yaml applies", () => {
    expect(fs.session.parse('kk')).toEqual({ kind: 'resource', resource: 'pods.v1', namespace: 'kube-system' });
  });

  it('an unknown key is a problem; a K9s key kmux does not use is listed as ignored', () => {
    const mine = fs.session.problems.filter((p) => p.message.includes('config.yaml'));
    expect(mine).toEqual([
      expect.objectContaining({ source: IGNORED_SOURCE, message: expect.stringMatching(/k9s\.maxConnRetry: ignored: kmux never gives up/) }),
      expect.objectContaining({ source: 'config', message: expect.stringMatching(/k9s\.bogus: unknown key/) }),
    ]);
  });
});
