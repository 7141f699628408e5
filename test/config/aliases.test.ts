/** aliases.yaml: K9s's then kmux's, entry by entry, and every kind of bad file (issue 11). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_ALIASES, formatAliasProblem, loadAliases, parseAliases } from '../../src/config/aliases.js';
import { parseCommand } from '../../src/app/command.js';

let home: string;
let env: NodeJS.ProcessEnv;
const write = (app: 'k9s' | 'kmux', content: string | Buffer): string => {
  const dir = join(home, app);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'aliases.yaml');
  writeFileSync(file, content);
  return file;
};

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'kmux-aliases-'));
  env = { XDG_CONFIG_HOME: home };
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('loading aliases', () => {
  it("built-ins, then K9s's file, then kmux's (later wins); a bare map works too", () => {
    const k9s = write('k9s', 'aliases:\n  pp: pods @prod\n  dp: deploy\n');
    const kmux = write('kmux', 'pp: pods @staging\nnn: nodes\n');
    const r = loadAliases(env);
    expect({ ...r.aliases }).toEqual({ ...BUILTIN_ALIASES, pp: 'pods @staging', dp: 'deploy', nn: 'nodes' });
    expect(r.sources).toEqual([{ file: k9s }, { file: kmux }]);
    expect(r.problems).toEqual([]);
  });

  it('no files: the built-ins and nothing to report', () => {
    const r = loadAliases(env);
    expect({ ...r.aliases }).toEqual(BUILTIN_ALIASES);
    expect(r.sources).toEqual([]);
    expect(r.problems).toEqual([]);
  });

  it('anchors, aliases and << merges work', () => {
    const r = parseAliases('base: &b\n  pp: pods @prod\naliases:\n  <<: *b\n  dd: &d deployments\n  d2: *d\n', 'a.yaml');
    expect({ ...r.aliases }).toEqual({ pp: 'pods @prod', dd: 'deployments', d2: 'deployments' });
    expect(r.problems).toEqual([{ file: 'a.yaml', line: 1, key: 'base', message: 'unknown top-level key (aliases go under aliases:); ignored' }]);
  });
});

describe("K9s's alias forms and per-context files (issue 14)", () => {
  it("K9s's group/version/resource values load as written and open the resource", () => {
    write('k9s', 'aliases:\n  pp: v1/pods\n  dp: apps/v1/deployments\n  ad: apps/deployments\n  crb: rbac.authorization.k8s.io/v1/clusterrolebindings\n  fred: pod fred app=blee\n');
    const r = loadAliases(env);
    expect(r.problems).toEqual([]);
    expect(parseCommand('pp', r.aliases)).toEqual({ kind: 'resource', resource: 'pods.v1' });
    expect(parseCommand('dp', r.aliases)).toEqual({ kind: 'resource', resource: 'deployments.v1.apps' });
    expect(parseCommand('ad', r.aliases)).toEqual({ kind: 'resource', resource: 'deployments.apps' });
    expect(parseCommand('crb', r.aliases)).toEqual({ kind: 'resource', resource: 'clusterrolebindings.v1.rbac.authorization.k8s.io' });
    expect(parseCommand('fred', r.aliases)).toEqual({ kind: 'resource', resource: 'pod', namespace: 'fred', labelSelector: 'app=blee' });
  });

  it("K9s's per-context aliases.yaml (clusters/<cluster>/<context>, names cleaned) wins for its context", () => {
    write('k9s', 'aliases:\n  pp: v1/pods\n  dd: deploy\n');
    const dir = join(home, 'k9s-data', 'k9s', 'clusters', 'arn-aws-c', 'ctx-a');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'aliases.yaml'), 'aliases:\n  pp: v1/services\n');
    const e = { ...env, XDG_DATA_HOME: join(home, 'k9s-data') };
    expect(loadAliases(e, { context: 'ctx/a', cluster: 'arn:aws:c' }).aliases).toMatchObject({ pp: 'v1/services', dd: 'deploy' });
    expect(loadAliases(e, { context: 'other', cluster: 'arn:aws:c' }).aliases).toMatchObject({ pp: 'v1/pods' });
  });
});

describe('bad alias files never crash and say where (issue 11)', () => {
  it('a wrong-typed entry is reported with its line and key, and the good entries still apply', () => {
    const f = write('k9s', 'aliases:\n  ok: pods\n  num: 42\n  list: [pods]\n  "two words": pods\n  empty: ""\n  nul: ~\n');
    const r = loadAliases(env);
    expect(r.aliases.ok).toBe('pods');
    expect(Object.hasOwn(r.aliases, 'num')).toBe(false);
    expect(r.problems.map(formatAliasProblem)).toEqual([
      `${f}:3: aliases.num: expected a command (text such as "pods @prod"), found 42; ignored`,
      `${f}:4: aliases.list: expected a command (text such as "pods @prod"), found a list; ignored`,
      `${f}:5: aliases.two words: an alias is one word; ignored`,
      `${f}:6: aliases.empty: the command is empty; ignored`,
      `${f}:7: aliases.nul: expected a command (text such as "pods @prod"), found null; ignored`,
    ]);
    // what the session shows: one line per file, with lines and keys
    expect(r.sources[0].problem).toMatch(/^line 3: aliases\.num: expected a command .*; line 7: aliases\.nul: /);
  });

  it('a syntax error is one line with its line number, not the pretty-printed source (raw bytes and all)', () => {
    const f = write('kmux', 'aliases:\n  pp: [pods\n  "\u001b[31mx": \u001b]0;t\u0007\n');
    const r = loadAliases(env);
    expect(r.problems.length).toBeGreaterThan(0);
    for (const p of r.problems) {
      expect(p.file).toBe(f);
      expect(p.line).toBeGreaterThanOrEqual(2);
      // eslint-disable-next-line no-control-regex
      expect(formatAliasProblem(p)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
    // eslint-disable-next-line no-control-regex
    expect(r.sources[0].problem).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(r.problems[0].message).toMatch(/^YAML error: .*; its aliases are ignored$/);
  });

  it('control characters in a key or a command are escaped in the message; such a command is refused', () => {
    const r = parseAliases('aliases:\n  "\\e[2J": pods\n  bad: "pods\\e[31m"\n', 'a.yaml');
    expect(r.problems.map(formatAliasProblem)).toEqual(['a.yaml:3: aliases.bad: the command "pods\\x1b[31m" holds control characters; ignored']);
    expect(Object.keys(r.aliases)).toEqual(['\u001b[2J']);
  });

  it('more than 100 uses of anchors is a normal file, not an "alias bomb" that loses every alias', () => {
    const text = `aliases:\n  p: &p pods\n${Array.from({ length: 150 }, (_, i) => `  p${i}: *p\n`).join('')}`;
    const r = parseAliases(text, 'a.yaml');
    expect(r.problems).toEqual([]);
    expect(r.aliases.p149).toBe('pods');
  });

  it('names of Object\'s prototype are plain aliases: __proto__ is kept, constructor is not found unless defined', () => {
    const r = parseAliases('aliases:\n  __proto__: pods\n', 'a.yaml');
    expect(Object.hasOwn(r.aliases, '__proto__')).toBe(true);
    expect(r.aliases.__proto__).toBe('pods');
    expect(loadAliases(env).aliases.constructor).toBeUndefined();
  });

  it('a file that is not a mapping, a list under aliases:, binary data, a FIFO: reported, never thrown or waited on', () => {
    expect(parseAliases('- dp\n- po\n', 'a.yaml').problems[0].message).toBe('expected a mapping with aliases: (alias -> command), found a list; its aliases are ignored');
    expect(parseAliases('aliases: [dp]\n', 'a.yaml').problems[0]).toEqual({ file: 'a.yaml', line: 1, key: 'aliases', message: 'expected a mapping of alias -> command, found a list; ignored' });
    const bin = write('k9s', Buffer.from([0x61, 0x3a, 0x20, 0x1b, 0x00, 0xff]));
    mkdirSync(join(home, 'kmux'), { recursive: true });
    const fifo = join(home, 'kmux', 'aliases.yaml');
    execFileSync('mkfifo', [fifo]);
    const r = loadAliases(env);
    expect(r.problems).toEqual([
      { file: bin, message: 'binary data, not text (a NUL byte at offset 4); its aliases are ignored' },
      { file: fifo, message: 'not a regular file (a device, pipe or socket); its aliases are ignored' },
    ]);
    expect({ ...r.aliases }).toEqual(BUILTIN_ALIASES);
  });
});

describe('an aliases.yaml with thousands of mistakes (issue 11)', () => {
  it('reports the first fifty and counts the rest', () => {
    const r = parseAliases(`aliases:\n${Array.from({ length: 3000 }, (_, i) => `  a${i}: [x]\n`).join('')}`, 'a.yaml');
    expect(r.problems).toHaveLength(51);
    expect(r.problems[50]).toEqual({ file: 'a.yaml', message: 'and 2950 more problems' });
  });
});
