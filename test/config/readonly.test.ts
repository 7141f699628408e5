import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadReadOnlyConfig } from '../../src/config/readonly.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'kmux-ro-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** An XDG tree with the given files (relative path -> text). */
function env(files: Record<string, string>): NodeJS.ProcessEnv {
  const d = path.join(root, `e${++n}`);
  for (const [rel, text] of Object.entries(files)) {
    const f = path.join(d, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, text);
  }
  return { XDG_CONFIG_HOME: path.join(d, 'config'), XDG_DATA_HOME: path.join(d, 'data'), HOME: d };
}

describe('read-only decisions (K9s rules)', () => {
  it('K9s global readOnly: true makes every context read-only, naming the file', () => {
    const e = env({ 'config/k9s/config.yaml': 'k9s:\n  readOnly: true\n' });
    const d = loadReadOnlyConfig({ env: e }).decide('prod', 'prod-cluster');
    expect(d.readOnly).toBe(true);
    expect(d.why).toBe(`${path.join(e.XDG_CONFIG_HOME!, 'k9s', 'config.yaml')} (k9s.readOnly: true)`);
  });

  it("a context's own K9s setting overrides the global one, both ways", () => {
    const e = env({
      'config/k9s/config.yaml': 'k9s:\n  readOnly: true\n',
      'data/k9s/clusters/dev-cluster/dev/config.yaml': 'k9s:\n  cluster: dev-cluster\n  readOnly: false\n',
      'data/k9s/clusters/prod-cluster/prod/config.yaml': 'k9s:\n  readOnly: true\n',
    });
    const c = loadReadOnlyConfig({ env: e });
    expect(c.decide('dev', 'dev-cluster').readOnly).toBe(false);
    expect(c.decide('prod', 'prod-cluster').readOnly).toBe(true);
    expect(c.decide('other', 'x').readOnly).toBe(true);
  });

  it("K9s's directory names: ':' and '/' in cluster and context names become '-'", () => {
    const e = env({ 'data/k9s/clusters/arn-aws-eks-eu-1-cluster-prod/arn-aws-eks-eu-1-cluster-prod/config.yaml': 'k9s:\n  readOnly: true\n' });
    const c = loadReadOnlyConfig({ env: e });
    expect(c.decide('arn:aws:eks:eu-1:cluster/prod', 'arn:aws:eks:eu-1:cluster/prod').readOnly).toBe(true);
  });

  it("kmux's own config: a global and a per-context readOnly", () => {
    const e = env({ 'config/kmux/config.yaml': 'readOnly: false\ncontexts:\n  prod:\n    readOnly: true\n' });
    const c = loadReadOnlyConfig({ env: e });
    expect(c.decide('prod').readOnly).toBe(true);
    expect(c.decide('prod').why).toMatch(/kmux[/\\]config\.yaml \(contexts\.prod\.readOnly: true\)$/);
    expect(c.decide('dev').readOnly).toBe(false);
  });

  it('the flags win: --readonly over everything, --write over the files', () => {
    const e = env({ 'config/k9s/config.yaml': 'k9s:\n  readOnly: true\n' });
    expect(loadReadOnlyConfig({ env: e, flag: false }).decide('prod').readOnly).toBe(false);
    expect(loadReadOnlyConfig({ env: env({}), flag: true }).decide('dev')).toEqual({ readOnly: true, why: '--readonly' });
    expect(loadReadOnlyConfig({ env: env({}) }).decide('dev')).toEqual({ readOnly: false, why: 'default' });
  });

  it('a value that is not a boolean, or a file that cannot be parsed, errs on the safe side and says so', () => {
    const e = env({ 'config/k9s/config.yaml': 'k9s:\n  readOnly: "yes"\n', 'config/kmux/config.yaml': 'readOnly: [\n' });
    const c = loadReadOnlyConfig({ env: e });
    expect(c.decide('dev').readOnly).toBe(true);
    expect(c.problems.join('\n')).toMatch(/k9s[/\\]config\.yaml: "k9s\.readOnly" must be true or false, not "yes"; taken as read-only/);
    expect(c.problems.join('\n')).toMatch(/kmux[/\\]config\.yaml(:\d+)?: not valid YAML; its readOnly setting is unknown, taken as read-only/);
  });
});
