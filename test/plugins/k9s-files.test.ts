/**
 * K9s's plugin and hotkey files as K9s reads them: the fixture (a K9s config dir written in
 * K9s's documented formats) loads whole, sub-folders of plugins/ included; quoted booleans are
 * taken where K9s takes them; Ctrl-J is a key of its own.
 */
import { cpSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyCaveat, matchesKey, parseKey } from '../../src/plugins/keys.js';
import { inScope, loadPlugins, parsePluginFile, pluginFiles, scopeNames } from '../../src/plugins/load.js';
import { loadHotkeys, parseHotkeyFile } from '../../src/plugins/hotkeys.js';
import { tree, type Tree } from './helpers.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/k9s');

let t: Tree;
beforeEach(() => {
  t = tree();
  for (const f of ['plugins.yaml', 'plugins', 'hotkeys.yaml']) cpSync(join(FIXTURE, f), join(t.config, 'k9s', f), { recursive: true });
});
afterEach(() => t.cleanup());

describe('plugins/ is read whole, as K9s walks it', () => {
  it('loads the fixture: plugins.yaml, plugins/community/*.yaml and plugins/team/nested/*.yaml', () => {
    const r = loadPlugins({ env: t.env, shippedDir: t.shipped });
    expect(r.problems).toEqual([]);
    const byName = new Map(r.plugins.map((p) => [p.name, p]));
    expect([...byName.keys()].sort()).toEqual(['container-names', 'pod-node', 'scale-to', 'watch-events']);
    // a single-plugin file is named after the file, two folders down
    expect(byName.get('pod-node')).toMatchObject({ scopes: ['pods'], source: join(t.config, 'k9s', 'plugins', 'team', 'nested', 'pod-node.yaml') });
  });

  it('in name order, depth first; a symlink loop is read once and never hangs', () => {
    t.write('config/k9s/plugins/a.yaml', 'a: {shortCut: Shift-Q, description: a, scopes: [pods], command: echo}\n');
    t.write('config/k9s/plugins/b/deeper/c.yml', 'c: {shortCut: Shift-V, description: c, scopes: [pods], command: echo}\n');
    t.write('config/k9s/plugins/b/not-yaml.txt', 'x');
    symlinkSync(join(t.config, 'k9s', 'plugins'), join(t.config, 'k9s', 'plugins', 'b', 'loop'));
    const files = pluginFiles({ env: t.env, shippedDir: t.shipped }).map((f) => f.file.slice(join(t.config, 'k9s').length + 1));
    expect(files).toEqual([
      'plugins.yaml',
      'plugins/a.yaml',
      'plugins/b/deeper/c.yml',
      'plugins/community/watch-events.yaml',
      'plugins/team/nested/pod-node.yaml',
    ]);
  });
});

describe('quoted booleans', () => {
  it('a bool input\'s default may be quoted, as K9s keeps defaults as text ("false")', () => {
    const r = loadPlugins({ env: t.env, shippedDir: t.shipped });
    const dry = r.plugins.find((p) => p.name === 'scale-to')!.inputs.find((i) => i.name === 'dry');
    expect(dry).toMatchObject({ type: 'bool', default: false });
    const bad = parsePluginFile('x.yaml', 'p: {shortCut: Shift-Q, description: d, scopes: [all], command: echo, inputs: [{name: f, type: bool, default: "maybe"}]}\n');
    expect(bad.plugins).toEqual([]);
    expect(bad.problems.map((p) => p.message)).toEqual([expect.stringMatching(/default of a bool input must be true or false, not "maybe"/)]);
  });

  it('a quoted flag in a plugin is read, with a note that K9s refuses it', () => {
    const r = parsePluginFile('x.yaml', 'p: {shortCut: Shift-Q, description: d, scopes: [all], command: echo, background: "true", confirm: "False"}\n');
    expect(r.plugins[0]).toMatchObject({ background: true, confirm: false });
    expect(r.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/background is the string "true" \(quoted\); K9s refuses it, kmux reads it as true/),
      expect.stringMatching(/confirm is the string "False" \(quoted\); K9s refuses it, kmux reads it as false/),
    ]);
  });

  it('hotkeys take the quoted words K9s\'s YAML reader takes ("yes", "off") silently', () => {
    const r = parseHotkeyFile('h.yaml', 'hotKeys:\n  a: {shortCut: Shift-3, command: pods, override: "yes", keepHistory: "off"}\n  b: {shortCut: Shift-4, command: pods, keepHistory: "true"}\n  c: {shortCut: Shift-5, command: pods, override: "sometimes"}\n');
    expect(r.hotkeys.map((h) => [h.id, h.override, h.keepHistory])).toEqual([['a', true, false], ['b', false, true]]);
    expect(r.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/keepHistory is the string "true" \(quoted\); K9s refuses it/),
      expect.stringMatching(/"c": override must be true or false/),
    ]);
  });

  it('the fixture\'s hotkeys load without a problem', () => {
    const r = loadHotkeys({ env: t.env });
    expect(r.problems).toEqual([]);
    expect(r.hotkeys.map((h) => [h.id, h.shortCutText, h.command, h.keepHistory])).toEqual([
      ['pods-of-namespace', 'Shift-1', 'pods $NAMESPACE', false],
      ['deployments-here', 'Shift-2', 'deploy', true],
      ['nodes-view', 'Ctrl-J', 'nodes', false],
    ]);
  });
});

describe('Ctrl-J', () => {
  it('is a key of its own: no warning, matched as ctrl+j (the line feed the terminal sends)', () => {
    const spec = parseKey('Ctrl-J');
    expect(keyCaveat(spec)).toBeUndefined();
    expect(matchesKey(spec, 'j', { ctrl: true, shift: false })).toBe(true);
    expect(matchesKey(spec, 'j', { ctrl: false, shift: false })).toBe(false);
    // Ctrl-M is still Enter for a terminal, and said so
    expect(keyCaveat(parseKey('Ctrl-M'))).toMatch(/Enter/);
  });
});

describe('scopes as K9s matches them', () => {
  const deploy = { plural: 'deployments', singular: 'deployment', kind: 'Deployment', shortNames: ['deploy'], group: 'apps', version: 'v1' };
  const crd = { plural: 'certificates', singular: 'certificate', kind: 'Certificate', shortNames: ['cert', 'certs'], group: 'cert-manager.io', version: 'v1' };
  const pods = { plural: 'pods', singular: 'pod', kind: 'Pod', shortNames: ['po'], group: '', version: 'v1' };
  const aliases = { dp: 'apps/v1/deployments', pp: 'v1/pods', crt: 'certificates' };
  const matches = (scopes: string[], r: typeof deploy) => inScope({ scopes }, scopeNames(r, aliases));

  it('all, plural, singular, short name, kind, plural.group, group/version/plural, an alias of either form', () => {
    for (const s of ['all', 'deployments', 'deployment', 'deploy', 'dp', 'deployments.apps', 'apps/v1/deployments']) expect(matches([s], deploy), s).toBe(true);
    for (const s of ['pods', 'pod', 'po', 'pp', 'v1/pods']) expect(matches([s], pods), s).toBe(true);
    for (const s of ['certificates', 'certificate', 'cert', 'certs', 'crt', 'certificates.cert-manager.io', 'cert-manager.io/v1/certificates']) expect(matches([s], crd), s).toBe(true);
  });

  it('and nothing else', () => {
    for (const s of ['pods', 'po', 'pp', 'replicasets', 'apps/v1/statefulsets', 'v1/deployments']) expect(matches([s], deploy), s).toBe(false);
    expect(matches(['deploy'], pods)).toBe(false);
    expect(matches(['containers'], pods)).toBe(false);
  });
});
