/**
 * Which key a plugin gets, view by view, as K9s gives it: the moving keys (g, ctrl-f, ctrl-b...)
 * are the plugin's without override (K9s leaves them to its table widget); the containers view
 * has no describe, so `d` is free there; a kmux key that K9s has too wins without override and
 * is taken with it, in table views and in the containers view alike.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Nav } from '../../src/ui/nav.js';
import { ListScreen } from '../../src/ui/screens/list.js';
import { dispatch, keyNameOf, withExtensions } from '../../src/ui/keys/keys.js';
import { bindPlugins, parsePluginFile } from '../../src/plugins/load.js';
import { builtinKeysFor, SCOPES_WITH_KEYS } from '../../src/ui/keys/defs.js';
import { fleetSession, keys, openView, press, type FleetSession } from '../helpers/ui.js';
import { until } from '../helpers/wait.js';

const k9s = mkdtempSync(path.join(os.tmpdir(), 'kmux-plugin-keys-'));
let fs: FleetSession;
let nav: Nav;
let ctx: string;

const plugin = (name: string, key: string, scopes: string[], extra = '') =>
  `  ${name}:\n    shortCut: ${key}\n    description: ${name}\n    scopes: [${scopes.join(', ')}]\n    command: "true"\n${extra}`;

beforeAll(async () => {
  writeFileSync(path.join(k9s, 'plugins.yaml'), `plugins:
${plugin('top-taker', 'g', ['pods'])}
${plugin('page-taker', 'Ctrl-F', ['all'])}
${plugin('co-describe', 'd', ['containers'])}
${plugin('all-describe', 'Shift-D', ['all'])}
${plugin('all-on-d', 'y', ['all'])}
${plugin('logs-taker', 'l', ['co', 'pods'], '    override: true\n')}
${plugin('shell-wanted', 's', ['containers'])}
${plugin('line-feed', 'Ctrl-J', ['pods'])}
`);
  writeFileSync(path.join(k9s, 'hotkeys.yaml'), `hotKeys:
  ns-pods:
    shortCut: Shift-1
    description: pods of the row's namespace
    command: pods $NAMESPACE
  kept:
    shortCut: Shift-2
    description: deployments, on top
    keepHistory: true
    command: deploy \${NAMESPACE}
`);
  fs = await fleetSession({
    clusters: 1, nodes: 2, pods: 6, seed: 4,
    env: { K9S_CONFIG_DIR: k9s },
    session: { builtinKeys: { forScope: builtinKeysFor, scopes: SCOPES_WITH_KEYS, everywhere: () => builtinKeysFor('all') } },
  });
  ctx = fs.session.active[0];
  nav = new Nav(fs.session, { resource: 'pods', contexts: [ctx] });
  await openView(nav, { resource: 'pods', contexts: [ctx] });
}, 60_000);
afterAll(async () => {
  await fs?.stop();
  rmSync(k9s, { recursive: true, force: true });
});

/** What a key does on the top screen: its action's id (plugin:NAME for plugins). */
const on = (key: string) => dispatch(nav.actionsOf(nav.top()), ...press(key))?.id;

describe('plugin keys as K9s binds them', () => {
  it('load: clashes only where K9s has the key too; moving keys noted as taken', () => {
    const msgs = fs.session.plugins.problems.map((p) => `${p.kind}: ${p.message}`);
    expect(msgs.filter((m) => m.startsWith('clash'))).toEqual([
      // every view includes :helm's releases, where D is the diff
      expect.stringMatching(/^clash: plugin "all-describe": Shift-D is kmux's key for "diff with the previous revision" in helm; kmux's key wins/),
      expect.stringMatching(/^clash: plugin "all-on-d": y is kmux's key for "yaml" in all; kmux's key wins/),
      expect.stringMatching(/^clash: plugin "shell-wanted": s is kmux's key for "shell" in containers; kmux's key wins/),
    ]);
    expect(msgs).toContainEqual(expect.stringMatching(/^override: plugin "top-taker": g is kmux's key for "top" in pods; the plugin takes it, as in K9s/));
    expect(msgs).toContainEqual(expect.stringMatching(/^override: plugin "page-taker": Ctrl-F is kmux's key for "page down" in all; the plugin takes it, as in K9s/));
    expect(msgs.join('\n')).not.toMatch(/co-describe/);
  });

  it('pods: g and Ctrl-F are the plugins\', <home> still moves; d stays describe; l is the overriding plugin', () => {
    expect(on('g')).toBe('plugin:top-taker');
    expect(on('<ctrl-f>')).toBe('plugin:page-taker');
    expect(on('<home>')).toBe('top');
    expect(on('<pgdn>')).toBe('page-down');
    expect(on('d')).toBe('describe');
    expect(on('y')).toBe('yaml');
    expect(on('l')).toBe('plugin:logs-taker');
    expect(on('D')).toBe('plugin:all-describe');
    // Ctrl-J is not Enter: the plugin has one, enter still drills down
    expect(on('<ctrl-j>')).toBe('plugin:line-feed');
    expect(on('<enter>')).toBe('drill');
  });

  it('deployments: the pods-only plugins are absent; g moves again', async () => {
    await openView(nav, { resource: 'deployments', contexts: [ctx] });
    expect(on('g')).toBe('top');
    expect(on('<ctrl-f>')).toBe('plugin:page-taker');
    expect(on('l')).toBe('logs');
    await openView(nav, { resource: 'pods', contexts: [ctx] });
  });

  it('containers: d and y (no describe nor yaml there, as in K9s) are plugins; l overridden; s stays shell', async () => {
    keys(nav, '<enter>');
    await until('the containers view', () => nav.top() instanceof ListScreen, 20_000);
    expect(nav.top()!.crumb()).toBe('containers');
    expect(on('d')).toBe('plugin:co-describe');
    expect(on('y')).toBe('plugin:all-on-d');
    expect(on('l')).toBe('plugin:logs-taker');
    expect(on('p')).toBe('previous-logs');
    expect(on('s')).toBe('shell');
    expect(on('<ctrl-f>')).toBe('plugin:page-taker');
    expect(on('g')).toBe('top');
    expect(on('D')).toBe('plugin:all-describe');
  });
});

describe("hotkeys as K9s runs them, and a live reload", () => {
  it("K9s's variables in the command come from the cursor row when pressed; a new history unless keepHistory", async () => {
    await openView(nav, { resource: 'deployments', contexts: [ctx] });
    const row = nav.view()!.current()!;
    expect(row.namespace).toBeTruthy();
    // K9s: $FILTER is the view's filter, else the row's name
    expect(fs.session.hotkeyVars(nav.view()!, row)).toMatchObject({ NAME: row.name, NAMESPACE: row.namespace, FILTER: row.name, RESOURCE_NAME: 'deployments', RESOURCE_GROUP: 'apps' });
    keys(nav, '!');
    await until('pods of the namespace', () => nav.view()?.resource.plural === 'pods' && nav.view()?.spec.namespace === row.namespace, 20_000);
    expect(nav.stack.length).toBe(1);
    const pod = nav.view()!;
    await until('pods listed', () => pod.rows().length > 0, 20_000);
    keys(nav, '@');
    await until('deployments on top', () => nav.view()?.resource.plural === 'deployments', 20_000);
    expect(nav.view()!.spec.namespace).toBe(row.namespace);
    // keepHistory: the pods view is still under it, esc goes back to it
    expect(nav.stack.length).toBe(2);
    keys(nav, '<esc>');
    expect(nav.view()?.resource.plural).toBe('pods');
  });

  it('hotkeys.yaml edited while running: the new hotkey works, a broken edit is said and loses nothing else', async () => {
    const file = path.join(k9s, 'hotkeys.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}  nodes-now:\n    shortCut: Shift-3\n    description: nodes\n    command: nodes\n`);
    await until('the new hotkey loaded', () => fs.session.hotkeys.hotkeys.some((h) => h.id === 'nodes-now'), 20_000);
    expect(fs.session.flashMsg?.text).toMatch(/hotkeys reloaded/);
    keys(nav, '#');
    await until('nodes', () => nav.view()?.resource.plural === 'nodes', 20_000);
    writeFileSync(file, `${readFileSync(file, 'utf8')}  broken:\n    shortCut: F13\n    command: pods\n`);
    await until('the broken edit reported', () => /hotkeys reloaded: .*broken.*F13/.test(fs.session.flashMsg?.text ?? ''), 20_000);
    expect(fs.session.hotkeys.hotkeys.map((h) => h.id)).toEqual(['ns-pods', 'kept', 'nodes-now']);
    expect(fs.session.problems.map((p) => p.message)).toContainEqual(expect.stringMatching(/hotkey "broken": bad shortCut/));
  });
});

describe('plugin files changed while running (K9s reads them at each view)', () => {
  it('the next view opened has the new plugin; an unchanged file is not read again', async () => {
    const file = path.join(k9s, 'plugins.yaml');
    const before = fs.session.plugins.plugins.length;
    const loaded = fs.session.plugins;
    await openView(nav, { resource: 'deployments', contexts: [ctx] });
    // nothing changed: the same load result, not a new read
    expect(fs.session.plugins).toBe(loaded);
    writeFileSync(file, `${readFileSync(file, 'utf8')}${plugin('added-later', 'Shift-Z', ['pods'])}`);
    await openView(nav, { resource: 'pods', contexts: [ctx] });
    expect(fs.session.plugins.plugins.map((p) => p.name)).toContain('added-later');
    expect(fs.session.plugins.plugins.length).toBe(before + 1);
    expect(fs.session.flashMsg?.text).toMatch(/plugins reloaded: \d+ plugins \(was \d+\)/);
    expect(on('Z')).toBe('plugin:added-later');
  });
});

describe('override: true takes any of kmux\'s keys, in every view with keys of its own', () => {
  it('each key of each view (table kinds, containers, every table view): bound over the built-in, dispatched to the plugin', () => {
    for (const scope of [...SCOPES_WITH_KEYS, 'all']) {
      // the keys a plugin can name (a-z, 0-9 with Shift or Ctrl): not space, nor Ctrl-\
      const builtin = builtinKeysFor(scope).filter((k) => !k.soft && /^[a-z0-9]$/.test(k.key));
      expect(builtin.length, scope).toBeGreaterThan(5);
      for (const k of builtin) {
        const name = `${k.ctrl ? 'Ctrl-' : k.shift ? 'Shift-' : ''}${k.shift ? k.key.toUpperCase() : k.key}`;
        const [def] = parsePluginFile('x.yaml', `p:\n  shortCut: ${name}\n  description: p\n  scopes: [${scope}]\n  command: x\n  override: true\n`).plugins;
        expect(def, `${scope} ${name}`).toBeDefined();
        const bound = bindPlugins([{ ...def, unboundScopes: [], order: 0 }], { readonly: false, scope: scope === 'all' ? 'x.example' : scope, builtinKeys: builtin });
        expect(bound.map((p) => p.name), `${scope} ${name}`).toEqual(['p']);
        // the view's own action on that key, then the plugin: the plugin wins the key press
        const own = [{ id: 'builtin', keys: [keyNameOf(k)], desc: k.label, section: 'Resource' as const, run: () => {} }];
        const all = withExtensions(own, [{ id: 'plugin:p', keys: [keyNameOf(def.shortCut)], desc: 'p', section: 'Plugins', source: 'plugin', override: true, run: () => {} }]);
        expect(dispatch(all, ...press(keyNameOf(k)))?.id, `${scope} ${name}`).toBe('plugin:p');
      }
    }
  });
});
