/**
 * Properties: no plugins.yaml text (in any of K9s's three shapes) crashes the plugin parser,
 * and no set of files in plugins/ directories crashes loadPlugins; every plugin that comes
 * back has what running it needs, and every problem is well-formed and safe to show.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { formatProblem, loadPlugins, parsePluginFile, type PluginDefinition } from '../../src/plugins/load.js';
import { expectDisplaySafe, expectProblems, fc, fileText, namedMap, nastyString, shaped, valueOr, type Shape } from './arbitraries.js';

// 10,000 runs take seconds on a quiet machine and over a minute on a 2-core one under heavy load
vi.setConfig({ testTimeout: 300_000 });

const shortCut = fc.constantFrom('a', 'z', '0', 'Shift-A', 'shift-z', 'Ctrl-X', 'ctrl+k', 'Shift-1', 'Shift-0', 'A', '!', 'Ctrl-I', 'Ctrl-C', 'Ctrl-Shift-A', 'Ctrl-1', 'Alt-A', 'F1', 'Shift-', '');
const scope = fc.constantFrom('pods', 'po', 'all', 'nodes', 'no', 'deployments', 'containers', 'Pods', 'v1/pods', '', ' ');
const word = fc.oneof(fc.constantFrom('kubectl', 'sh', '-c', 'logs', '$NAME', '${NAMESPACE}', '$!BOOL', '--context', '$CONTEXT', 'echo "hi there"', 'grep -v foo'), nastyString);

const INPUT: Shape = {
  name: fc.constantFrom('since', 'LEVEL', 'a_b-c', 'bad name', '1x', ''),
  label: nastyString,
  type: fc.constantFrom('string', 'number', 'bool', 'dropdown', 'int', 'text', 'boolean', 'color'),
  required: fc.boolean(),
  default: fc.oneof(fc.constantFrom('1m', '5', 'info', 'true'), fc.integer(), fc.boolean()),
  options: fc.array(fc.constantFrom('info', 'debug', '1m', '5'), { maxLength: 4 }),
};

const PLUGIN: Shape = {
  shortCut,
  description: nastyString,
  scopes: fc.oneof(fc.array(scope, { maxLength: 4 }), scope),
  command: word,
  args: fc.array(fc.oneof(word, fc.integer()), { maxLength: 5 }),
  background: fc.boolean(),
  confirm: fc.boolean(),
  dangerous: fc.boolean(),
  override: fc.boolean(),
  overwriteOutput: fc.boolean(),
  inputs: fc.array(valueOr(shaped(INPUT)), { maxLength: 7 }),
  pipes: fc.array(fc.oneof(word, fc.array(word, { maxLength: 3 })), { maxLength: 3 }),
};

/** A plugin of any make-up, and one that has the required fields right (so the rest is judged on a plugin that loads). */
const anyPlugin = shaped(PLUGIN, 0, 7);
const nearlyGood = fc
  .tuple(
    fc.record({ shortCut: fc.constantFrom('a', 'Shift-B', 'Ctrl-X', '7', 'Shift-2'), scopes: fc.array(fc.constantFrom('pods', 'all', 'no', 'Deployments'), { minLength: 1, maxLength: 3 }), command: fc.constantFrom('kubectl', 'sh', 'stern') }),
    fc.option(
      fc.array(
        fc.record(
          { name: fc.constantFrom('since', 'level', 'dry-run'), type: fc.constantFrom('string', 'number', 'bool', 'dropdown'), options: fc.constant(['1m', '5']), default: fc.constantFrom('1m', '5', true), required: fc.boolean() },
          { requiredKeys: ['name'] },
        ),
        { maxLength: 3 },
      ),
      { nil: undefined },
    ),
    shaped(PLUGIN, 0, 6),
  )
  .map(([req, inputs, rest]) => {
    const good = inputs ? { ...req, inputs } : req;
    return rest && typeof rest === 'object' && !Array.isArray(rest) ? { ...(rest as object), ...good } : good;
  });
const plugin = fc.oneof(anyPlugin, nearlyGood);

/** K9s's three shapes: plugins: {name: plugin}; one plugin; {name: plugin}. */
const PLUGINS_FILE = fc.oneof(
  { weight: 4, arbitrary: fc.record({ plugins: valueOr(namedMap(plugin, 3)) }) },
  { weight: 1, arbitrary: fc.tuple(fc.record({ plugins: namedMap(plugin, 2) }), namedMap(plugin, 1)).map(([a, b]) => ({ ...b, ...a })) },
  { weight: 3, arbitrary: plugin },
  { weight: 3, arbitrary: namedMap(plugin, 3) },
);

const INPUT_TYPES = new Set(['string', 'number', 'bool', 'dropdown']);

/** What the runner relies on: a key it can bind, a command, scopes, string argv, sane inputs. */
export function expectUsablePlugin(p: PluginDefinition, file: string): void {
  const fail = (why: string) => {
    throw new Error(`unusable plugin (${why}): ${JSON.stringify(p)}`);
  };
  if (typeof p.name !== 'string') fail('name');
  const k = p.shortCut;
  if (!k || !/^[a-z0-9]$/.test(k.key) || typeof k.shift !== 'boolean' || typeof k.ctrl !== 'boolean' || (k.ctrl && k.shift)) fail('shortCut');
  if (typeof p.shortCutText !== 'string') fail('shortCutText');
  if (typeof p.description !== 'string') fail('description');
  if (!Array.isArray(p.scopes) || p.scopes.length === 0 || p.scopes.some((s) => typeof s !== 'string' || s === '' || s !== s.trim().toLowerCase())) fail('scopes');
  if (typeof p.command !== 'string' || p.command.trim() === '') fail('command');
  if (!Array.isArray(p.args) || p.args.some((a) => typeof a !== 'string')) fail('args');
  if (!Array.isArray(p.pipes) || p.pipes.some((st) => !Array.isArray(st) || st.length === 0 || st.some((w) => typeof w !== 'string'))) fail('pipes');
  for (const f of [p.background, p.confirm, p.dangerous, p.override, p.overwriteOutput]) if (typeof f !== 'boolean') fail('a flag');
  if (!Array.isArray(p.inputs) || p.inputs.length > 5) fail('inputs');
  const vars = new Set<string>();
  for (const i of p.inputs) {
    if (!/^[A-Za-z_][\w-]*$/.test(i.name) || !INPUT_TYPES.has(i.type) || typeof i.required !== 'boolean' || typeof i.label !== 'string') fail('an input');
    if (!/^INPUT_[A-Z0-9_]+$/.test(i.varName) || vars.has(i.varName)) fail('an input variable');
    vars.add(i.varName);
    if (!Array.isArray(i.options) || i.options.some((o) => typeof o !== 'string')) fail('input options');
    if (i.type === 'dropdown' && (i.options.length === 0 || (i.default !== undefined && !i.options.includes(String(i.default))))) fail('a dropdown');
    if (i.type === 'bool' && i.default !== undefined && typeof i.default !== 'boolean') fail('a bool default');
    if (i.type === 'number' && i.default !== undefined && !Number.isFinite(i.default)) fail('a number default');
  }
  if (p.source !== file || !Number.isInteger(p.line) || p.line < 1) fail('source or line');
}

const FILE = 'plugins/fuzz.yaml';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

describe('plugin loader properties', () => {
  it('any plugins.yaml text, any of the three shapes: no throw, usable plugins, clean problems (10,000 runs)', () => {
    fc.assert(
      fc.property(fileText(PLUGINS_FILE), fc.constantFrom('shipped' as const, 'k9s' as const, 'kmux' as const, 'context' as const), (text, origin) => {
        const { plugins, problems } = parsePluginFile(FILE, text, origin);
        for (const p of plugins) {
          expectUsablePlugin(p, FILE);
          expect(p.origin).toBe(origin);
        }
        expectProblems(problems, [FILE], formatProblem);
      }),
      { numRuns: 10_000 },
    );
  });

  it('the generator reaches the deep paths: plugins load, inputs and pipes are judged, shapes 2 and 3 occur', () => {
    const seen = { loaded: 0, withInputs: 0, inputProblem: 0, pipeProblem: 0, shape2: 0, clash: 0 };
    for (const text of fc.sample(fileText(PLUGINS_FILE), { numRuns: 2000, seed: 5 })) {
      const { plugins, problems } = parsePluginFile(FILE, text);
      if (plugins.length) seen.loaded++;
      if (plugins.some((p) => p.inputs.length)) seen.withInputs++;
      if (problems.some((p) => /inputs item/.test(p.message))) seen.inputProblem++;
      if (problems.some((p) => /pipes/.test(p.message))) seen.pipeProblem++;
      if (plugins.some((p) => p.name === 'fuzz')) seen.shape2++;
    }
    expect(seen.loaded).toBeGreaterThan(40);
    expect(seen.withInputs).toBeGreaterThan(2);
    expect(seen.inputProblem).toBeGreaterThan(20);
    expect(seen.pipeProblem).toBeGreaterThan(20);
    expect(seen.shape2).toBeGreaterThan(5);
  });

  // Files on disk: fewer runs (each writes a tree), every place loadPlugins reads, names of every kind.
  const fileName = fc.oneof(
    fc.constantFrom('a.yaml', 'b.yml', 'Z.YAML', '.hidden.yaml', 'x\u001b[31m.yaml', 'bell\u0007.yml', 'ünï.yaml', 'spaced name.yaml', 'notes.txt'),
    fc.stringMatching(/^[a-z0-9._-]{1,12}\.ya?ml$/),
  );
  const content = fc.oneof(
    { weight: 6, arbitrary: fileText(PLUGINS_FILE).map((t) => Buffer.from(t, 'utf8')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
  );
  const dirs = ['config/k9s/plugins', 'data/k9s/plugins', 'sysdata/k9s/plugins', 'config/kmux/plugins', 'shipped'];
  const singles = ['config/k9s/plugins.yaml', 'config/kmux/plugins.yaml', 'data/k9s/clusters/c1/ctx/plugins.yaml', 'config/kmux/clusters/ctx/plugins.yaml'];

  it('any files in every plugins/ dir and plugins.yaml: loadPlugins never throws (300 runs)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...dirs), fileName, content), { maxLength: 5 }),
        fc.array(fc.tuple(fc.constantFrom(...singles), content), { maxLength: 3 }),
        (inDirs, single) => {
          const root = mkdtempSync(join(tmpdir(), 'kmux-plugprop-'));
          roots.push(root);
          const written = new Set<string>();
          const put = (rel: string, bytes: Buffer) => {
            const f = join(root, rel);
            mkdirSync(join(f, '..'), { recursive: true });
            writeFileSync(f, bytes);
            written.add(resolve(f));
          };
          for (const [d, name, bytes] of inDirs) put(join(d, name), bytes);
          for (const [f, bytes] of single) put(f, bytes);
          const env = { HOME: root, XDG_CONFIG_HOME: join(root, 'config'), XDG_DATA_HOME: join(root, 'data'), XDG_DATA_DIRS: join(root, 'sysdata') };
          const r = loadPlugins({
            env, context: 'ctx', cluster: 'c1', shippedDir: join(root, 'shipped'),
            builtinKeys: (s) => (s === 'pods' ? [{ key: 'l', shift: false, ctrl: false, label: 'logs' }] : [{ key: 'd', shift: false, ctrl: false, label: 'describe' }]),
            builtinScopes: ['pods'],
          });
          for (const p of r.plugins) {
            expectUsablePlugin(p, p.source);
            expect(written.has(p.source)).toBe(true);
          }
          expectProblems(r.problems, [...written], formatProblem);
          for (const s of r.skipped) expectDisplaySafe(s.reason, 'skipped reason');
          rmSync(root, { recursive: true, force: true });
        },
      ),
      { numRuns: 300 },
    );
  });
});
