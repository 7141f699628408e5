import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKey } from '../../src/plugins/keys.js';
import { bindPlugins, formatProblem, inScope, loadPlugins, parsePluginFile, pluginFiles, pluginForKey, scopeNames, visiblePlugins, type Plugin } from '../../src/plugins/load.js';
import { tree, type Tree } from './helpers.js';

let t: Tree;
beforeEach(() => {
  t = tree();
});
afterEach(() => t.cleanup());

const load = (extra: Partial<Parameters<typeof loadPlugins>[0]> = {}) => loadPlugins({ env: t.env, shippedDir: t.shipped, ...extra });
const names = (ps: Plugin[]) => ps.map((p) => p.name);

describe('file shapes', () => {
  it('loads `plugins:` maps, single plugins named after their file, and bare maps', () => {
    t.write('config/k9s/plugins.yaml', `
plugins:
  one:
    shortCut: Shift-O
    description: first
    scopes: [pods]
    command: echo
    args: [one, 2, 1.10, yes]
`);
    t.write('config/k9s/plugins/single.yaml', `
shortCut: Ctrl-T
description: a single plugin
scopes: [all]
command: kubectl
args: [get, $RESOURCE_NAME]
background: true
`);
    t.write('data/k9s/plugins/bare.yml', `
bare-a:
  shortCut: b
  description: bare a
  scopes: [deploy]
  command: echo
bare-b:
  shortCut: Shift-1
  description: bare b
  scopes: [no]
  command: echo
`);
    const r = load();
    expect(r.problems).toEqual([]);
    expect(names(r.plugins).sort()).toEqual(['bare-a', 'bare-b', 'one', 'single']);
    const one = r.plugins.find((p) => p.name === 'one')!;
    // K9s reads args as written: 1.10 stays "1.10", yes stays "yes"
    expect(one).toMatchObject({ args: ['one', '2', '1.10', 'yes'], shortCut: parseKey('Shift-O'), shortCutText: 'Shift-O', scopes: ['pods'], line: 3, origin: 'k9s', background: false, confirm: false });
    expect(one.source).toBe(join(t.config, 'k9s', 'plugins.yaml'));
    const single = r.plugins.find((p) => p.name === 'single')!;
    expect(single).toMatchObject({ background: true, command: 'kubectl', args: ['get', '$RESOURCE_NAME'], line: 2 });
    expect(r.plugins.find((p) => p.name === 'bare-b')!.line).toBe(7);
    expect(r.sources).toHaveLength(3);
  });

  it('reads every field, K9s YAML 1.1 booleans, anchors and pipes', () => {
    const { plugins, problems } = parsePluginFile('/x/p.yaml', `
common: &common
  scopes: [pods, deployments]
  dangerous: yes
plugins:
  full:
    <<: *common
    shortCut: Shift-F
    description: everything
    command: sh
    args: [-c, 'echo "$1"', kmux, $NAME]
    background: false
    override: true
    overwriteOutput: on
    pipes:
      - grep -v "two words"
      - [sort, -r]
    inputs:
      - name: replicas
        label: How many
        type: number
        default: 3
      - name: mode
        type: dropdown
        options: [fast, slow]
        default: slow
      - name: force
        type: bool
        required: true
`);
    expect(problems).toEqual([{ file: '/x/p.yaml', line: 2, kind: 'invalid', message: expect.stringMatching(/unknown top-level key "common"/) }]);
    expect(plugins).toHaveLength(1);
    expect(plugins[0]).toMatchObject({
      name: 'full',
      scopes: ['pods', 'deployments'],
      dangerous: true,
      override: true,
      overwriteOutput: true,
      // a plugin with inputs confirms through its form unless it says otherwise
      confirm: true,
      pipes: [['grep', '-v', 'two words'], ['sort', '-r']],
      inputs: [
        { name: 'replicas', label: 'How many', type: 'number', default: 3, required: false, options: [], varName: 'INPUT_REPLICAS' },
        { name: 'mode', label: 'mode', type: 'dropdown', default: 'slow', options: ['fast', 'slow'], varName: 'INPUT_MODE' },
        { name: 'force', type: 'bool', required: true, varName: 'INPUT_FORCE' },
      ],
    });
  });

  it('a name twice in one file: the later definition replaces the earlier, reported', () => {
    const f = t.write('config/kmux/plugins.yaml', 'plugins:\n  twice: {shortCut: a, description: one, scopes: [all], command: x}\n  twice: {shortCut: b, description: two, scopes: [all], command: y}\n');
    const r = load();
    expect(r.plugins.map((p) => [p.name, p.description, p.line])).toEqual([['twice', 'two', 3]]);
    expect(r.problems).toEqual([{ file: f, line: 3, kind: 'override', message: `plugin "twice" replaces the one from ${f}:2` }]);
  });

  it('takes several YAML documents and empty files', () => {
    expect(parsePluginFile('/x/e.yaml', '').problems).toEqual([]);
    const r = parsePluginFile('/x/m.yaml', 'a: {shortCut: a, description: A, scopes: [all], command: x}\n---\nb: {shortCut: b, description: B, scopes: [all], command: y}\n');
    expect(r.plugins.map((p) => [p.name, p.line])).toEqual([['a', 1], ['b', 3]]);
  });
});

describe('load order', () => {
  const plugin = (desc: string, key = 'Shift-X') => `plugins:\n  same:\n    shortCut: ${key}\n    description: ${desc}\n    scopes: [pods]\n    command: echo\n`;

  it('later files replace a plugin of the same name: shipped < K9s < kmux < context', () => {
    t.write('shipped/a.yaml', plugin('shipped'));
    t.write('sysdata/k9s/plugins/a.yaml', plugin('system'));
    t.write('config/k9s/plugins.yaml', plugin('k9s file'));
    t.write('data/k9s/plugins/a.yaml', plugin('k9s data dir'));
    t.write('config/k9s/plugins/a.yaml', plugin('k9s config dir'));
    t.write('config/kmux/plugins.yaml', plugin('kmux file'));
    t.write('config/kmux/plugins/a.yaml', plugin('kmux dir'));
    t.write('data/k9s/clusters/arn-aws-eks-cl/arn-aws-eks-ctx-prod/plugins.yaml', plugin('k9s context'));
    t.write('config/kmux/clusters/arn-aws-eks-ctx-prod/plugins.yaml', plugin('kmux context'));

    const files = pluginFiles({ env: t.env, shippedDir: t.shipped, context: 'arn:aws:eks:ctx/prod', cluster: 'arn:aws:eks:cl' });
    expect(files.map((f) => f.file.slice(t.root.length + 1))).toEqual([
      'shipped/a.yaml',
      'sysdata/k9s/plugins/a.yaml',
      'config/k9s/plugins.yaml',
      'data/k9s/plugins/a.yaml',
      'config/k9s/plugins/a.yaml',
      'config/kmux/plugins.yaml',
      'config/kmux/plugins/a.yaml',
      'data/k9s/clusters/arn-aws-eks-cl/arn-aws-eks-ctx-prod/plugins.yaml',
      'config/kmux/clusters/arn-aws-eks-ctx-prod/plugins.yaml',
    ]);
    const r = load({ context: 'arn:aws:eks:ctx/prod', cluster: 'arn:aws:eks:cl' });
    expect(r.plugins).toHaveLength(1);
    expect(r.plugins[0]).toMatchObject({ description: 'kmux context', origin: 'context' });
    const overrides = r.problems.filter((p) => p.kind === 'override');
    expect(overrides).toHaveLength(8);
    expect(formatProblem(overrides[7])).toBe(
      `${join(t.config, 'kmux/clusters/arn-aws-eks-ctx-prod/plugins.yaml')}:2: plugin "same" replaces the one from ${join(t.data, 'k9s/clusters/arn-aws-eks-cl/arn-aws-eks-ctx-prod/plugins.yaml')}:2`,
    );
    // without a context the per-context files are not read
    expect(load().plugins[0].description).toBe('kmux dir');
  });

  it('enables only the safe shipped plugins and says which were left out', () => {
    t.write('shipped/mixed.yaml', `plugins:
  safe: {shortCut: Shift-Q, description: safe, scopes: [pods], command: echo}
  risky: {shortCut: Shift-W, description: risky, scopes: [nodes], command: echo, dangerous: true}
`);
    t.write('config/kmux/plugins/mine.yaml', 'mine: {shortCut: Shift-W, description: my own, scopes: [nodes], command: echo, dangerous: true}\n');
    const r = load();
    expect(names(r.plugins)).toEqual(['safe', 'mine']);
    expect(r.skipped).toEqual([{ name: 'risky', file: join(t.shipped, 'mixed.yaml'), line: 3, reason: expect.stringMatching(/dangerous/) }]);
    expect(r.sources[0]).toBe(`${join(t.shipped, 'mixed.yaml')} (shipped; dangerous examples not enabled: risky)`);
    expect(r.problems).toEqual([]);
  });
});

describe('problems', () => {
  it('reports broken YAML with file and line, and still loads the other files', () => {
    const broken = t.write('config/kmux/plugins/broken.yaml', 'plugins:\n  x:\n    shortCut: a\n    args: [unclosed\n  y: 1\n');
    t.write('config/kmux/plugins/good.yaml', 'good: {shortCut: Shift-G, description: fine, scopes: [all], command: echo}\n');
    const r = load();
    expect(names(r.plugins)).toEqual(['good']);
    const parse = r.problems.filter((p) => p.kind === 'parse');
    expect(parse.length).toBeGreaterThan(0);
    expect(parse[0]).toMatchObject({ file: broken, line: expect.any(Number) });
    expect(parse[0].line).toBeGreaterThanOrEqual(4);
    expect(parse[0].message).toMatch(/YAML syntax/);
  });

  it('reports invalid fields with their lines and drops only the plugins that cannot run', () => {
    const file = '/p/bad.yaml';
    const r = parsePluginFile(file, `plugins:
  no-command:
    shortCut: a
    description: no command
    scopes: [pods]
  bad-key:
    shortCut: Alt-Q
    description: bad key
    scopes: [pods]
    command: echo
  bad-scope:
    shortCut: b
    description: bad scope
    scopes: [pods, {kind: Pod}, [x]]
    command: echo
  bad-bool:
    shortCut: c
    description: x
    scopes: [all]
    command: echo
    background: maybe
  typo:
    shortcut: d
    description: typo
    scopes: [all]
    command: echo
  bad-args:
    shortCut: e
    description: args
    scopes: [all]
    command: echo
    args: [a, {b: c}]
  too-many-inputs:
    shortCut: f
    description: inputs
    scopes: [all]
    command: echo
    inputs: [{name: a}, {name: b}, {name: c}, {name: d}, {name: e}, {name: f}]
  bad-dropdown:
    shortCut: g
    description: x
    scopes: [all]
    command: echo
    inputs: [{name: pick, type: dropdown}]
  no-description:
    shortCut: h
    scopes: [all]
    command: echo
`);
    // only the last survives, described by its name
    expect(r.plugins.map((p) => [p.name, p.description])).toEqual([['no-description', 'no-description']]);
    const msg = r.problems.map((p) => `${p.line}: ${p.message}`);
    expect(msg).toContain('2: plugin "no-command": missing command');
    expect(msg).toContainEqual(expect.stringMatching(/^7: plugin "bad-key": bad shortCut: "Alt-Q": unknown modifier/));
    expect(msg).toContainEqual(expect.stringMatching(/^14: plugin "bad-scope": scopes item 2 must be a resource name \(a string\), not a map/));
    expect(msg).toContainEqual(expect.stringMatching(/^14: plugin "bad-scope": scopes item 3 must be a resource name \(a string\), not a list/));
    expect(msg).toContainEqual(expect.stringMatching(/^21: plugin "bad-bool": background must be true or false/));
    expect(msg).toContainEqual(expect.stringMatching(/^23: plugin "typo": unknown field "shortcut" \(did you mean "shortCut"\?/));
    expect(msg).toContainEqual('22: plugin "typo": missing shortCut');
    expect(msg).toContainEqual(expect.stringMatching(/^32: plugin "bad-args": args item 2 must be a string or a number, not a map/));
    expect(msg).toContainEqual(expect.stringMatching(/^38: plugin "too-many-inputs": at most 5 inputs/));
    expect(msg).toContainEqual(expect.stringMatching(/^44: plugin "bad-dropdown": inputs item 1: a dropdown needs options/));
    expect(msg).toContainEqual(expect.stringMatching(/^45: plugin "no-description": missing description/));
    expect(r.problems.every((p) => p.file === file && p.kind === 'invalid')).toBe(true);
  });

  it('reports a file that is not a map', () => {
    const r = parsePluginFile('/p/list.yaml', '- a\n- b\n');
    expect(r.problems).toEqual([{ file: '/p/list.yaml', line: 1, kind: 'invalid', message: expect.stringMatching(/expected a map/) }]);
  });
});

describe('key clashes', () => {
  it('two plugins on one key with overlapping scopes: both named, the later wins', () => {
    const a = t.write('config/k9s/plugins.yaml', 'plugins:\n  first:\n    shortCut: Shift-K\n    description: first\n    scopes: [po, nodes]\n    command: echo\n');
    const b = t.write('config/kmux/plugins/b.yaml', 'plugins:\n  second:\n    shortCut: Shift-K\n    description: second\n    scopes: [pods]\n    command: echo\n  apart:\n    shortCut: Shift-K\n    description: other scope\n    scopes: [services]\n    command: echo\n');
    const r = load();
    const clashes = r.problems.filter((p) => p.kind === 'clash');
    expect(clashes).toEqual([
      { file: b, line: 2, kind: 'clash', message: `Shift-K in pods: plugin "first" (${a}:2) and plugin "second" (${b}:2) both take it; "second" wins (loaded later)` },
    ]);
    expect(bindPlugins(r.plugins, { readonly: false, scope: 'pods' }).map((p) => p.name)).toEqual(['second']);
    expect(bindPlugins(r.plugins, { readonly: false, scope: 'nodes' }).map((p) => p.name)).toEqual(['first']);
    expect(bindPlugins(r.plugins, { readonly: false, scope: 'svc' }).map((p) => p.name)).toEqual(['apart']);
  });

  it('a plugin on a built-in key without override is reported and left unbound there', () => {
    const f = t.write('config/kmux/plugins.yaml', `plugins:
  my-logs:
    shortCut: l
    description: my logs
    scopes: [pods, deployments]
    command: echo
  taker:
    shortCut: d
    description: takes describe
    scopes: [pods]
    override: true
    command: echo
  everywhere:
    shortCut: Shift-N
    description: everywhere
    scopes: [all]
    command: echo
  on-pod-key:
    shortCut: s
    description: all but pods
    scopes: [all]
    command: echo
`);
    const builtin: Record<string, { key: string; shift: boolean; ctrl: boolean; label?: string }[]> = {
      all: [{ ...parseKey('Shift-N'), label: 'sort by name' }, { ...parseKey('d'), label: 'describe' }],
      pods: [{ ...parseKey('l'), label: 'logs' }, { ...parseKey('s'), label: 'shell' }],
    };
    const r = load({ builtinKeys: (s) => [...(builtin[s] ?? []), ...(s === 'all' ? [] : builtin.all)], builtinScopes: ['pods'] });
    const lines = r.problems.map((p) => `${p.kind} ${p.file === f ? '' : p.file}${p.line}: ${p.message}`);
    expect(lines).toEqual([
      `clash 2: plugin "my-logs": l is kmux's key for "logs" in pods; kmux's key wins and the plugin is not bound there (add override: true to take the key)`,
      `override 7: plugin "taker": d is kmux's key for "describe" in pods; the plugin takes it (override: true)`,
      `clash 13: plugin "everywhere": Shift-N is kmux's key for "sort by name" in all; kmux's key wins and the plugin is not bound there (add override: true to take the key)`,
      `clash 18: plugin "on-pod-key": s is kmux's key for "shell" in pods; kmux's key wins and the plugin is not bound there (add override: true to take the key)`,
    ]);
    // still listed...
    expect(names(r.plugins)).toEqual(['my-logs', 'taker', 'everywhere', 'on-pod-key']);
    // ...but bound only where the key is free
    expect(bindPlugins(r.plugins, { readonly: false, scope: 'pods' }).map((p) => p.name)).toEqual(['taker']);
    expect(bindPlugins(r.plugins, { readonly: false, scope: 'deploy' }).map((p) => p.name)).toEqual(['my-logs', 'on-pod-key']);
    // the view's own keys guard at run time too
    expect(bindPlugins(r.plugins, { readonly: false, scope: 'nodes', builtinKeys: [parseKey('s')] }).map((p) => p.name)).toEqual([]);
  });
});

describe('views', () => {
  const ps = parsePluginFile('/p.yaml', `plugins:
  safe: {shortCut: Shift-A, description: safe, scopes: [pods], command: echo}
  risky: {shortCut: Shift-B, description: risky, scopes: [pods], command: echo, dangerous: true}
  everywhere: {shortCut: Shift-C, description: all, scopes: [all], command: echo, dangerous: true}
  nodes-only: {shortCut: Shift-D, description: nodes, scopes: [Node], command: echo}
`).plugins.map((p, order) => ({ ...p, order, unboundScopes: [] }));

  it('read-only mode hides dangerous plugins', () => {
    expect(names(visiblePlugins(ps, { readonly: false, scope: 'pods' }))).toEqual(['safe', 'risky', 'everywhere']);
    expect(names(visiblePlugins(ps, { readonly: true, scope: 'pods' }))).toEqual(['safe']);
    expect(names(visiblePlugins(ps, { readonly: true, scope: 'nodes' }))).toEqual(['nodes-only']);
  });

  it('matches scopes by resource names, short names, kinds and aliases', () => {
    const podNames = scopeNames({ plural: 'pods', singular: 'pod', kind: 'Pod', shortNames: ['po'] }, { pp: 'pods @prod', dp: 'deployments' });
    expect(podNames.sort()).toEqual(['pod', 'pods', 'po', 'pp'].sort());
    for (const scope of ['po', 'pod', 'Pods', 'pp']) expect(inScope({ scopes: [scope.toLowerCase()] }, podNames), scope).toBe(true);
    expect(inScope({ scopes: ['deploy'] }, podNames)).toBe(false);
    expect(inScope({ scopes: ['certificates.cert-manager.io'] }, scopeNames({ plural: 'certificates', group: 'cert-manager.io', kind: 'Certificate' }))).toBe(true);
  });

  it('finds the plugin for a key press', () => {
    const bound = bindPlugins(ps, { readonly: false, scope: 'pods' });
    expect(pluginForKey(bound, 'B', { ctrl: false, shift: true })?.name).toBe('risky');
    expect(pluginForKey(bound, 'b', { ctrl: false, shift: false })).toBeUndefined();
  });
});

describe("kmux's shipped plugins", () => {
  it('all load without problems; only the safe ones are enabled', () => {
    const r = loadPlugins({ env: t.env, shippedDir: join(import.meta.dirname, '../../plugins') });
    expect(r.problems).toEqual([]);
    expect(names(r.plugins).sort()).toEqual(['save-yaml', 'stern', 'watch-events']);
    expect(r.skipped.map((s) => s.name).sort()).toEqual(['debug-container', 'debug-pod', 'kubectl-drain', 'kubectl-uncordon', 'node-shell']);
    // copied to the user's plugins dir, the dangerous ones load too, without clashing
    for (const f of ['node-shell', 'drain', 'debug', 'stern', 'watch-events', 'save-yaml']) {
      t.write(`config/kmux/plugins/${f}.yaml`, readFileSync(join(import.meta.dirname, '../../plugins', `${f}.yaml`), 'utf8'));
    }
    const mine = loadPlugins({ env: t.env, shippedDir: join(t.root, 'none') });
    expect(mine.problems).toEqual([]);
    expect(mine.plugins).toHaveLength(8);
    expect(mine.plugins.every((p) => !p.dangerous || p.confirm)).toBe(true);
  });
});

describe('garbage plugin files never crash and never echo raw bytes (issue 11)', () => {
  it('a map that merges itself (<<: *self) is read once, not recursed into until the stack overflows', () => {
    for (const text of ['&a1\n<<: *a1\nplugins: 0\n', 'plugins: &p\n  <<: *p\n  x: {shortCut: a, description: d, scopes: [pods], command: echo}\n', 'x: &x\n  <<: [*x, *x]\n  shortCut: a\n']) {
      const r = parsePluginFile('self.yaml', text);
      expect(r.problems.some((p) => /internal error/.test(p.message)), text).toBe(false);
    }
    expect(parsePluginFile('self.yaml', 'plugins: &p\n  <<: *p\n  x: {shortCut: a, description: d, scopes: [pods], command: echo}\n').plugins.map((p) => p.name)).toEqual(['x']);
  });

  it('merges of merges twenty-five deep load in linear time, explicit keys still win', () => {
    const chain = Array.from({ length: 25 }, (_, i) => `b${i + 1}: &b${i + 1} {<<: [*b${i}, *b${i}]}`);
    const t0 = Date.now();
    // shape 3: every bN is a plugin; b25 merges b24 twice, which merges b23 twice...
    const r = parsePluginFile('bomb.yaml', ['b0: &b0 {shortCut: a, description: d, scopes: [pods], command: echo, background: true}', ...chain, ''].join('\n'));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.plugins.find((p) => p.name === 'b25')).toMatchObject({ command: 'echo', background: true });
    // shape 1, the chain kept under another key: the explicit command wins over the merged one
    const indented = ['defs:', '  b0: &b0 {shortCut: a, description: d, scopes: [pods], command: echo}', ...chain.map((l) => `  ${l}`), 'plugins:', '  top:', '    <<: *b25', '    command: kubectl', ''].join('\n');
    const top = parsePluginFile('bomb.yaml', indented);
    expect(top.plugins.map((p) => [p.name, p.command])).toEqual([['top', 'kubectl']]);
  });

  it('a collection where a flag goes is described, not stringified (yaml\'s toJSON throws on a bad merge)', () => {
    const r = parsePluginFile('p.yaml', 'plugins:\n  x:\n    shortCut: a\n    description: d\n    scopes: [pods]\n    command: echo\n    background: !!omap\n      - <<: 0\n');
    expect(r.plugins).toEqual([]);
    expect(r.problems.map((p) => p.message)).toEqual(['plugin "x": background must be true or false, not a list']);
  });

  it('escape sequences in names, fields and keys are shown escaped, never raw', () => {
    const r = parsePluginFile('p.yaml', 'plugins:\n  "\\e[2Jevil":\n    shortCut: "\\e[31mX"\n    "\\u009bdescription": d\n    scopes: [pods]\n    command: echo\n');
    const shown = r.problems.map(formatProblem);
    expect(shown).toEqual([
      'p.yaml:4: plugin "\\x1b[2Jevil": unknown field "\\x9bdescription" (ignored)',
      'p.yaml:3: plugin "\\x1b[2Jevil": bad shortCut: "\\x1b[31mX" is not a key kmux can bind (use a-z, 0-9, Shift-A..Shift-Z, Shift-0..Shift-9 or Ctrl-A..Ctrl-Z)',
      'p.yaml:2: plugin "\\x1b[2Jevil": missing description (K9s requires one; kmux shows the name)',
    ]);
  });

  it('binary data: one message with the offset, not a screenful of syntax errors or the bytes', () => {
    const f = t.write('config/k9s/plugins.yaml', '');
    writeFileSync(f, Buffer.from([0x70, 0x6c, 0x75, 0x67, 0x3a, 0x1b, 0x5b, 0x32, 0x4a, 0x00, 0xff, 0x07]));
    const r = load();
    expect(r.problems).toEqual([{ file: f, kind: 'parse', message: 'cannot read: binary data, not text (a NUL byte at offset 9)' }]);
    // text that is all syntax errors: the first ten, then a count
    const many = parsePluginFile('e.yaml', Array.from({ length: 300 }, () => 'a: b: c\n').join(''));
    expect(many.problems.length).toBeLessThanOrEqual(11);
    expect(many.problems.at(-1)?.message).toMatch(/^and \d+ more YAML syntax errors$/);
  });

  it('an alias with no anchor before it is reported with its line', () => {
    const r = parsePluginFile('p.yaml', 'plugins:\n  x:\n    shortCut: a\n    description: *d\n    scopes: [pods]\n    command: echo\n');
    expect(r.problems.map(formatProblem)).toEqual(['p.yaml:4: alias *d has no anchor &d before it; taken as empty']);
    expect(r.plugins.map((p) => p.description)).toEqual(['x']);
  });
});

describe('thousands of plugins on one key (issue 11)', () => {
  it('each names at most five earlier ones: problems grow with the file, not with its square', () => {
    const n = 3000;
    t.write('config/kmux/plugins.yaml', `plugins:\n${Array.from({ length: n }, (_, i) => `  p${i}: {shortCut: a, description: d, scopes: [all], command: echo}\n`).join('')}`);
    const t0 = Date.now();
    const r = load();
    expect(Date.now() - t0).toBeLessThan(10_000);
    const clashes = r.problems.filter((p) => p.kind === 'clash');
    // p1 names p0; p2 names p0, p1; ... p5 names five; from p6 on, five and a count
    expect(clashes.length).toBe(1 + 2 + 3 + 4 + 5 + (n - 6) * 6);
    const ofLast = clashes.filter((p) => /plugin "p2999" \(/.test(p.message) || /before "p2999"/.test(p.message)).map((p) => p.message);
    expect(ofLast[0]).toMatch(/plugin "p2994" .* and plugin "p2999" .* both take it; "p2999" wins/);
    expect(ofLast.at(-1)).toBe('a: more plugins loaded before "p2999" take it too; "p2999" wins');
    expect(bindPlugins(r.plugins, { readonly: false, scope: 'pods' }).map((p) => p.name)).toEqual(['p2999']);
  });
});
