/** Skin files: the shipped skins, K9s-format skins with anchors, and every kind of bad input. */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblem, loadSkinFile, parseSkin, ROLE_SOURCES, stockTheme } from '../../src/theme/skin.js';
import { SHIPPED_SKINS_DIR } from '../../src/theme/select.js';
import { STOCK, THEME_ROLES, type Theme } from '../../src/theme/theme.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kmux-skin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const f = path.join(tmp, name);
  writeFileSync(f, text);
  return f;
};

const SHIPPED = ['stock', 'light', 'dracula', 'nord', 'solarized-dark', 'solarized-light', 'monokai', 'gruvbox-dark', 'transparent', 'high-contrast'];

function expectResolved(t: Theme): void {
  for (const role of THEME_ROLES) {
    expect(typeof t[role], role).toBe('string');
    expect(t[role], role).toMatch(/^(#[0-9a-f]{6})?$/);
  }
}

describe('shipped skins', () => {
  it('ships the ten skins the issue names', () => {
    const names = readdirSync(SHIPPED_SKINS_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect(names.sort()).toEqual([...SHIPPED].sort());
  });

  for (const name of SHIPPED) {
    it(`${name} loads with no problems and every role resolves`, () => {
      const { theme, problems } = loadSkinFile(path.join(SHIPPED_SKINS_DIR, `${name}.yaml`));
      expect(problems.map(formatProblem)).toEqual([]);
      expectResolved(theme);
      if (name !== 'stock') expect(theme).not.toEqual(stockTheme());
    });
  }

  it('stock.yaml is exactly the STOCK theme', () => {
    const { theme } = loadSkinFile(path.join(SHIPPED_SKINS_DIR, 'stock.yaml'));
    expect(theme).toEqual(stockTheme());
    for (const k of Object.keys(STOCK) as (keyof Theme)[]) expect(theme[k]).toBe(STOCK[k]);
  });

  it('transparent leaves every background to the terminal', () => {
    const { theme } = loadSkinFile(path.join(SHIPPED_SKINS_DIR, 'transparent.yaml'));
    for (const k of THEME_ROLES.filter((r) => /Bg$|^bg$/.test(r) && !['cursorBg', 'crumbBg', 'crumbActiveBg', 'buttonBg', 'buttonFocusBg', 'xrayCursorBg', 'chartFocusBg'].includes(r))) {
      expect(theme[k], k).toBe('');
    }
    expect(theme.fg).toBe('');
    expect(theme.cursorBg).not.toBe('');
  });

  it('every role has a source, and every source is a key the schema knows', () => {
    for (const role of THEME_ROLES) expect(ROLE_SOURCES[role]?.length, role).toBeGreaterThan(0);
  });
});

const COMMUNITY = `# a community-style skin: palette as anchors, sections as aliases
foreground: &foreground "#cdd6f4"
background: &background "#1e1e2e"
accent: &accent "#89b4fa"
warn: &warn "#f9e2af"
red: &red "#f38ba8"
base: &base
  fgColor: *foreground
  bgColor: *background

k9s:
  body:
    <<: *base
    logoColor: *accent
  help:
    <<: *base
    keyColor: *accent
  frame:
    status:
      errorColor: *red
      pendingColor: *warn
      killColor: MediumPurple
  views:
    table:
      fgColor: *foreground
      cursorColor: *accent
      markColor: "-"
    yaml:
      keyColor: *accent
      colonColor: default
`;

describe('K9s-format skins', () => {
  it('anchors, aliases and << merges work, legacy cursorColor too', () => {
    const { theme, problems } = parseSkin(COMMUNITY, 'community.yaml');
    expect(problems).toEqual([]);
    expect(theme.fg).toBe('#cdd6f4');
    expect(theme.bg).toBe('#1e1e2e');
    expect(theme.logo).toBe('#89b4fa');
    expect(theme.helpFg).toBe('#cdd6f4');
    expect(theme.helpBg).toBe('#1e1e2e');
    expect(theme.helpKey).toBe('#89b4fa');
    expect(theme.rowError).toBe('#f38ba8');
    expect(theme.rowPending).toBe('#f9e2af');
    expect(theme.rowTerminating).toBe('#9370db');
    expect(theme.cursorBg).toBe('#89b4fa');
    expect(theme.mark).toBe('');
    expect(theme.yamlColon).toBe('');
    // what the skin leaves out: K9s roles take the stock color, kmux's finer roles the nearest K9s key
    expect(theme.rowNew).toBe(STOCK.rowNew);
    expect(theme.tableBg).toBe('#1e1e2e');
    expect(theme.logFg).toBe('#cdd6f4');
  });

  it('explicit keys win over merged ones', () => {
    const { theme } = parseSkin('b: &b\n  fgColor: red\n  bgColor: blue\nk9s:\n  body:\n    <<: *b\n    fgColor: green\n', 's.yaml');
    expect(theme.fg).toBe('#008000');
    expect(theme.bg).toBe('#0000ff');
  });

  it('kmux extension keys are accepted', () => {
    const { theme, problems } = parseSkin('k9s:\n  dialog:\n    borderColor: gold\n  frame:\n    crumbs:\n      activeFgColor: white\n', 's.yaml');
    expect(problems).toEqual([]);
    expect(theme.dialogBorder).toBe('#ffd700');
    expect(theme.crumbActiveFg).toBe('#ffffff');
  });

  it('K9s keys kmux does not draw (fgStyle, showIcons, resourceColors) are accepted and checked', () => {
    const ok = parseSkin('k9s:\n  frame:\n    menu:\n      fgStyle: dim\n  views:\n    xray:\n      showIcons: true\n    charts:\n      resourceColors:\n        cpu: [red, blue]\n', 's.yaml');
    expect(ok.problems).toEqual([]);
    const bad = parseSkin('k9s:\n  frame:\n    menu:\n      fgStyle: sparkly\n  views:\n    charts:\n      resourceColors:\n        cpu: [red, notacolor]\n', 's.yaml');
    expect(bad.problems.map((p) => p.key)).toEqual(['k9s.frame.menu.fgStyle', 'k9s.views.charts.resourceColors.cpu[1]']);
  });
});

describe('bad skins fall back and say where', () => {
  it('a YAML syntax error gives the stock skin and a problem with file and line', () => {
    const f = write('broken.yaml', 'k9s:\n  body:\n    fgColor: red\n   bgColor: [blue\n  frame: {\n');
    const { theme, problems } = loadSkinFile(f);
    expect(theme).toEqual(stockTheme());
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0].file).toBe(f);
    expect(problems[0].line).toBeGreaterThanOrEqual(3);
    expect(problems[0].message).toMatch(/YAML error/);
    expect(formatProblem(problems[0])).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: YAML error`));
    expect(problems[0].message).toMatch(/stock skin/);
  });

  it('a bad color names the key and line; only that role falls back', () => {
    const text = 'k9s:\n  body:\n    fgColor: "#f8f8f2"\n    logoColor: dodgerblu\n  views:\n    table:\n      cursorBgColor: "#12345"\n';
    const { theme, problems } = parseSkin(text, 'bad-color.yaml');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatchObject({ file: 'bad-color.yaml', line: 4, key: 'k9s.body.logoColor' });
    expect(problems[0].message).toMatch(/did you mean dodgerblue/);
    expect(problems[1]).toMatchObject({ line: 7, key: 'k9s.views.table.cursorBgColor' });
    expect(theme.logo).toBe(STOCK.logo);
    expect(theme.cursorBg).toBe(STOCK.cursorBg);
    expect(theme.fg).toBe('#f8f8f2');
  });

  it('a bad color behind an alias points at the anchor too', () => {
    const { problems } = parseSkin('c: &c "#zzzzzz"\nk9s:\n  body:\n    fgColor: *c\n', 's.yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 4, key: 'k9s.body.fgColor' });
    expect(problems[0].message).toMatch(/via \*c, defined on line 1/);
  });

  it('an unquoted #hex (a YAML comment) gets a hint', () => {
    const { problems, theme } = parseSkin('k9s:\n  body:\n    fgColor: #ff0000\n', 's.yaml');
    expect(problems[0]).toMatchObject({ line: 3, key: 'k9s.body.fgColor' });
    expect(problems[0].message).toMatch(/quotes/);
    expect(theme.fg).toBe(STOCK.fg);
  });

  it('unknown keys are reported with line and a hint, the rest still applies', () => {
    const { theme, problems } = parseSkin('k9s:\n  body:\n    fgcolor: red\n    bgColor: black\n  bogus:\n    x: 1\n', 's.yaml');
    expect(problems.map((p) => [p.key, p.line])).toEqual([['k9s.body.fgcolor', 3], ['k9s.bogus', 5]]);
    expect(problems[0].message).toMatch(/unknown key \(did you mean fgColor\?\)/);
    expect(theme.bg).toBe('#000000');
    expect(theme.fg).toBe(STOCK.fg);
  });

  it('a section that is not a mapping, or a list where a color goes, is reported', () => {
    const { problems } = parseSkin('k9s:\n  body: red\n  frame:\n    border:\n      fgColor: [red]\n', 's.yaml');
    expect(problems.map((p) => [p.key, p.line])).toEqual([['k9s.body', 2], ['k9s.frame.border.fgColor', 5]]);
  });

  it('duplicate keys: reported, the last one wins', () => {
    const { theme, problems } = parseSkin('k9s:\n  body:\n    fgColor: red\n    fgColor: blue\n', 's.yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 4, key: 'k9s.body.fgColor' });
    expect(theme.fg).toBe('#0000ff');
  });

  it('no k9s: key, an empty file, a non-mapping file: stock with a message', () => {
    for (const text of ['skin:\n  body: {}\n', '', '# only a comment\n', '- a\n- b\n', 'just text']) {
      const { theme, problems } = parseSkin(text, 'x.yaml');
      expect(theme, JSON.stringify(text)).toEqual(stockTheme());
      expect(problems.length, JSON.stringify(text)).toBe(1);
      expect(problems[0].message).toMatch(/stock skin/);
    }
  });

  it('a missing file, a directory, an unreadable file: stock with a message naming the file', () => {
    const missing = path.join(tmp, 'nope.yaml');
    const m = loadSkinFile(missing);
    expect(m.theme).toEqual(stockTheme());
    expect(m.problems).toEqual([{ file: missing, message: 'skin file not found; using the stock skin' }]);
    const d = path.join(tmp, 'adir.yaml');
    mkdirSync(d);
    expect(loadSkinFile(d).problems[0].message).toMatch(/directory/);
    if (process.getuid?.() !== 0) {
      const f = write('locked.yaml', 'k9s: {}\n');
      chmodSync(f, 0o000);
      const r = loadSkinFile(f);
      expect(r.theme).toEqual(stockTheme());
      expect(r.problems[0].message).toMatch(/not readable/);
    }
  });

  it('alias cycles and alias bombs do not hang or crash', () => {
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\nk9s:\n  views:\n    charts:\n      defaultDialColors: *d\n';
    const r = parseSkin(bomb, 'bomb.yaml');
    expect(r.problems.length).toBeGreaterThan(0);
    const self = parseSkin('k9s: &k\n  body: *k\n', 'self.yaml');
    expect(self.theme).toBeDefined();
  });
});

describe('garbage skins never crash and never echo raw bytes (issue 11)', () => {
  it('a color named constructor or __proto__ is not a color (Object\'s own names were found)', () => {
    const { theme, problems } = parseSkin('k9s:\n  body:\n    fgColor: constructor\n    bgColor: __proto__\n', 's.yaml');
    expect(theme.fg).toBe(STOCK.fg);
    expect(theme.bg).toBe(STOCK.bg ?? '');
    expect(problems.map((p) => [p.key, p.line])).toEqual([['k9s.body.fgColor', 3], ['k9s.body.bgColor', 4]]);
    expect(problems[0].message).toMatch(/"constructor" is not a known color name/);
  });

  it('escape sequences in values and keys are shown escaped, never raw', () => {
    const { problems } = parseSkin('k9s:\n  body:\n    fgColor: "\\e[31mred\\e[0m"\n    "\\e]0;x\\a\\u009b2J": red\n  help:\n    keyColor: "\\u202ebad"\n', 's.yaml');
    expect(problems).toHaveLength(3);
    for (const p of problems) {
      // eslint-disable-next-line no-control-regex
      expect(formatProblem(p)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    }
    expect(problems[0].message).toBe('"\\x1b[31mred\\x1b[0m" is not a known color name; using the stock color');
    expect(problems[1].key).toBe('k9s.body.\\x1b]0;x\\x07\\x9b2J');
    expect(problems[2].message).toMatch(/^"\\u202ebad"/);
  });

  it('a mapping key holding a bad merge (yaml\'s toJSON throws on it) is reported, not thrown', () => {
    for (const text of ['!!set\n? !!omap\n - <<: 0\n', 'k9s:\n  ? [*nope]\n  : red\n', 'k9s:\n  ? {<<: 1}\n  : red\n']) {
      const r = parseSkin(text, 's.yaml');
      expect(r.theme, text).toEqual(stockTheme());
      expect(r.problems.length, text).toBeGreaterThan(0);
      expect(r.problems.some((p) => /internal error/.test(p.message)), text).toBe(false);
    }
  });

  it('merges of merges (<<: [*a, *a] twenty deep) and thousands of aliases load in linear time', () => {
    let bomb = 'a0: &a0 {fgColor: red}\n';
    for (let i = 1; i <= 25; i++) bomb += `a${i}: &a${i} {<<: [*a${i - 1}, *a${i - 1}]}\n`;
    bomb += 'k9s:\n  body:\n    <<: *a25\n';
    let t0 = Date.now();
    expect(parseSkin(bomb, 'bomb.yaml').theme.fg).toBe('#ff0000');
    expect(Date.now() - t0).toBeLessThan(5000);
    // yaml's Alias.resolve visits the whole document per alias: 20,000 aliases were minutes
    const many = `c: &c red\nk9s:\n  views:\n    charts:\n      resourceColors:\n${Array.from({ length: 20_000 }, (_, i) => `        r${i}: [*c]\n`).join('')}`;
    t0 = Date.now();
    expect(parseSkin(many, 'many.yaml').problems).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('a very long value is cut in the message and costs no edit-distance search', () => {
    const long = 'x'.repeat(200_000);
    const t0 = Date.now();
    const { problems } = parseSkin(`k9s:\n  body:\n    fgColor: ${long}\n    ? ${long}\n    : red\n`, 's.yaml');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(problems).toHaveLength(2);
    for (const p of problems) expect(formatProblem(p).length).toBeLessThan(400);
    expect(problems[0].message).toMatch(/^"x{60}…" is not a known color name; using the stock color$/);
  });

  it('a binary file gives the stock skin and a message naming the offset, not the bytes', () => {
    const f = path.join(tmp, 'binary.yaml');
    writeFileSync(f, Buffer.from([0x6b, 0x39, 0x73, 0x3a, 0x0a, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x00, 0xff, 0xfe, 0x07]));
    const r = loadSkinFile(f);
    expect(r.theme).toEqual(stockTheme());
    expect(r.problems).toEqual([{ file: f, message: 'skin file binary data, not text (a NUL byte at offset 10); using the stock skin' }]);
    const latin1 = path.join(tmp, 'latin1.yaml');
    const bytes = Buffer.from('k9s:\n  body:\n    fgColor: r\xe9d\n', 'latin1');
    writeFileSync(latin1, bytes);
    expect(loadSkinFile(latin1).problems[0].message).toBe(`skin file binary data, not UTF-8 text (an invalid byte at offset ${bytes.indexOf(0xe9)}); using the stock skin`);
  });

  it('a FIFO or a device named as a skin is refused at once, not read forever', () => {
    const fifo = path.join(tmp, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    const r = loadSkinFile(fifo);
    expect(r.theme).toEqual(stockTheme());
    expect(r.problems[0].message).toMatch(/not a regular file/);
    expect(loadSkinFile('/dev/zero').problems[0].message).toMatch(/not a regular file/);
  });

  it('an alias with no anchor before it is reported (yaml reports it only on conversion), not taken silently as empty', () => {
    const { theme, problems } = parseSkin('k9s:\n  body:\n    fgColor: *fg\n    bgColor: red\nfg: &fg blue\n', 's.yaml');
    expect(problems.map(formatProblem)).toEqual(['s.yaml:3: alias *fg has no anchor &fg before it; taken as empty', 's.yaml:3: k9s.body.fgColor: no color given (via *fg); using the stock color']);
    expect(theme.bg).toBe('#ff0000');
  });
});
