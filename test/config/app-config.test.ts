import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, formatConfigProblem, loadAppConfig, startPoint } from '../../src/config/app-config.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'kmux-cfg-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** An XDG tree with the given files (relative path -> text). */
function env(files: Record<string, string>, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const d = path.join(root, `e${++n}`);
  for (const [rel, text] of Object.entries(files)) {
    const f = path.join(d, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, text);
  }
  return { XDG_CONFIG_HOME: path.join(d, 'config'), XDG_DATA_HOME: path.join(d, 'data'), HOME: d, ...extra };
}

const messages = (e: NodeJS.ProcessEnv) => loadAppConfig(e).problems.map(formatConfigProblem);

describe("K9s's config.yaml and kmux's", () => {
  it('no files: the defaults, no problems', () => {
    const c = loadAppConfig(env({}));
    expect(c.config).toEqual(defaultConfig());
    expect(c.problems).toEqual([]);
  });

  it('reads every key kmux uses from K9s\'s k9s: section', () => {
    const e = env({
      'config/k9s/config.yaml': [
        'k9s:', '  noExitOnCtrlC: true', '  defaultView: deploy', '  refreshRate: 5',
        '  ui:', '    headless: true', '    logoless: true', '    crumbsless: true', '    noIcons: true', '    reactive: true',
        '  logger:', '    tail: 250', '    buffer: 3000', '    sinceSeconds: 300', '    textWrap: true', '    showTime: true', '    disableAutoscroll: true', '',
      ].join('\n'),
    });
    const c = loadAppConfig(e);
    expect(c.problems).toEqual([]);
    expect(c.config).toEqual({
      noExitOnCtrlC: true, defaultView: 'deploy', refreshRate: 5,
      ui: { headless: true, logoless: true, crumbsless: true, noIcons: true, reactive: true },
      logger: { tail: 250, buffer: 3000, sinceSeconds: 300, textWrap: true, showTime: true, disableAutoscroll: true },
    });
  });

  it('K9S_CONFIG_DIR moves K9s\'s file', () => {
    const e = env({ 'elsewhere/config.yaml': 'k9s:\n  ui:\n    headless: true\n' });
    e.K9S_CONFIG_DIR = path.join(e.HOME!, 'elsewhere');
    expect(loadAppConfig(e).config.ui.headless).toBe(true);
  });

  it("kmux's config.yaml uses the same keys at its top level and wins where both set one", () => {
    const e = env({
      'config/k9s/config.yaml': 'k9s:\n  defaultView: deploy\n  ui:\n    logoless: true\n    headless: true\n  logger:\n    tail: 50\n',
      'config/kmux/config.yaml': 'defaultView: nodes\nui:\n  headless: false\nlogger:\n  showTime: true\n',
    });
    const c = loadAppConfig(e).config;
    expect(c.defaultView).toBe('nodes');
    expect(c.ui.headless).toBe(false); // kmux's
    expect(c.ui.logoless).toBe(true); // K9s's, kmux's says nothing
    expect(c.logger.tail).toBe(50);
    expect(c.logger.showTime).toBe(true);
  });

  it('keys K9s knows and kmux does not use are listed as ignored, with the reason', () => {
    const e = env({ 'config/k9s/config.yaml': 'k9s:\n  maxConnRetry: 3\n  shellPod:\n    image: busybox\n  ui:\n    enableMouse: true\n  logger:\n    columnLock: true\n' });
    const m = messages(e);
    expect(m).toHaveLength(4);
    expect(m[0]).toMatch(/config\.yaml:2: k9s\.maxConnRetry: ignored: kmux never gives up on a context/);
    expect(m[1]).toMatch(/:3: k9s\.shellPod: ignored: kmux has no node shell/);
    expect(m[2]).toMatch(/:6: k9s\.ui\.enableMouse: ignored: kmux takes no mouse input/);
    expect(m[3]).toMatch(/:8: k9s\.logger\.columnLock: ignored/);
  });

  it('readOnly, skins and what kmux always does are known, not reported', () => {
    const e = env({ 'config/k9s/config.yaml': 'k9s:\n  readOnly: true\n  skipLatestRevCheck: true\n  ui:\n    skin: dracula\n    splashless: true\n' });
    expect(messages(e)).toEqual([]);
  });

  it('unknown keys and wrong types are reported; the defaults stay', () => {
    const e = env({ 'config/k9s/config.yaml': 'k9s:\n  bogus: 1\n  ui:\n    headless: "yes"\n  logger:\n    tail: lots\nother: 1\n' });
    const c = loadAppConfig(e);
    const m = c.problems.map(formatConfigProblem);
    expect(m).toEqual([
      expect.stringMatching(/:7: other: unknown top-level key/),
      expect.stringMatching(/:2: k9s\.bogus: unknown key \(not a K9s setting\); ignored/),
      expect.stringMatching(/:4: k9s\.ui\.headless: expected true or false, found "yes"; ignored/),
      expect.stringMatching(/:6: k9s\.logger\.tail: expected a whole number, found "lots"; ignored/),
    ]);
    expect(c.config.ui.headless).toBe(false);
    expect(c.config.logger.tail).toBeUndefined(); // kmux's own default
  });

  it('values out of range are brought in range as K9s does, and said', () => {
    const e = env({ 'config/k9s/config.yaml': 'k9s:\n  refreshRate: 0.5\n  logger:\n    tail: 9000\n    buffer: 0\n    sinceSeconds: 0\n' });
    const c = loadAppConfig(e);
    expect(c.config.refreshRate).toBe(2);
    expect(c.config.logger).toMatchObject({ tail: 5000, buffer: 5000, sinceSeconds: -1 });
    expect(c.problems.map((p) => p.key)).toEqual(['refreshRate', 'logger.tail', 'logger.buffer']);
  });

  it('a file that is not YAML is reported and changes nothing', () => {
    const e = env({ 'config/k9s/config.yaml': 'k9s: [\n' });
    const c = loadAppConfig(e);
    expect(c.config).toEqual(defaultConfig());
    expect(messages(e)[0]).toMatch(/not valid YAML/);
  });
});

describe('per-context settings', () => {
  it("K9s's clusters/<cluster>/<context>/config.yaml (data dir, names sanitized): namespace, favorites, view", () => {
    const e = env({
      'data/k9s/clusters/arn-aws-x-cluster-a/ctx-a/config.yaml': 'k9s:\n  cluster: arn:aws:x/cluster-a\n  readOnly: false\n  namespace:\n    active: kube-system\n    favorites: [kube-system, default, all]\n    lockFavorites: true\n  view:\n    active: svc\n',
    });
    const l = loadAppConfig(e);
    const c = l.context('ctx/a', 'arn:aws:x/cluster-a');
    expect(c).toMatchObject({ namespace: 'kube-system', favorites: ['kube-system', 'default'], view: 'svc' });
    expect(l.problems.map(formatConfigProblem)).toEqual([expect.stringMatching(/:7: k9s\.namespace\.lockFavorites: ignored/)]);
    expect(l.context('other', 'x')).toEqual({ from: {} });
  });

  it('"all" is every namespace; a blank one is no setting (K9s: default)', () => {
    const e = env({
      'data/k9s/clusters/c/a/config.yaml': 'k9s:\n  namespace:\n    active: all\n',
      'data/k9s/clusters/c/b/config.yaml': 'k9s:\n  namespace:\n    active: ""\n',
    });
    const l = loadAppConfig(e);
    expect(l.context('a', 'c').namespace).toBe('');
    expect(l.context('b', 'c').namespace).toBeUndefined();
  });

  it("kmux's contexts.NAME wins over K9s's per-context file", () => {
    const e = env({
      'data/k9s/clusters/c/a/config.yaml': 'k9s:\n  namespace:\n    active: kube-system\n    favorites: [x]\n  view:\n    active: svc\n',
      'config/kmux/config.yaml': 'contexts:\n  a:\n    view:\n      active: deploy\n    readOnly: true\n',
    });
    const c = loadAppConfig(e).context('a', 'c');
    expect(c).toMatchObject({ namespace: 'kube-system', favorites: ['x'], view: 'deploy' });
    expect(c.from.view).toMatch(/kmux/);
  });
});

describe('where kmux opens (startPoint)', () => {
  const none = { flags: {}, memory: {}, context: { from: {} } };
  it('nothing said: pods in the kubeconfig\'s namespace, else default; the demo in every namespace', () => {
    expect(startPoint({ ...none, kubeconfigNamespace: 'team-a' })).toEqual({ namespace: 'team-a', view: 'pods' });
    expect(startPoint(none)).toEqual({ namespace: 'default', view: 'pods' });
    expect(startPoint({ ...none, demo: true }).namespace).toBeUndefined();
  });

  it("the context's config (K9s's namespace.active, view.active) when kmux has no memory of the context", () => {
    const context = { namespace: 'kube-system', view: 'svc', from: {} };
    expect(startPoint({ ...none, context, kubeconfigNamespace: 'team-a' })).toEqual({ namespace: 'kube-system', view: 'svc' });
    expect(startPoint({ ...none, context: { namespace: '', from: {} } }).namespace).toBeUndefined(); // K9s's "all"
  });

  it("kmux's memory wins over the context's config; defaultView wins over both; the flags over everything", () => {
    const context = { namespace: 'kube-system', view: 'svc', from: {} };
    const memory = { namespace: 'web', view: 'deploy' };
    expect(startPoint({ ...none, context, memory })).toEqual({ namespace: 'web', view: 'deploy' });
    expect(startPoint({ ...none, context, memory: { namespace: '' } }).namespace).toBeUndefined(); // remembered: all
    expect(startPoint({ ...none, context, memory, defaultView: 'nodes' }).view).toBe('nodes');
    expect(startPoint({ ...none, context, memory, defaultView: 'nodes', flags: { command: 'cm', namespace: 'x' } })).toEqual({ namespace: 'x', view: 'cm' });
    expect(startPoint({ ...none, context, memory, flags: { allNamespaces: true } }).namespace).toBeUndefined();
  });
});
