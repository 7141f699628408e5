/** Where skins are found, which one applies (flag, env, context, global, stock), and live reload. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listSkins, loadTheme, readSkinSettings, resolveSkinName, selectTheme, SHIPPED_SKINS_DIR, skinDirs, watchSkin } from '../../src/theme/select.js';
import { formatProblem, stockTheme } from '../../src/theme/skin.js';
import { STOCK } from '../../src/theme/theme.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A fresh XDG config and data home; env never falls through to the real home. */
function home(): { env: NodeJS.ProcessEnv; config: string; data: string; put: (rel: string, text: string) => string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'kmux-select-'));
  roots.push(root);
  const config = path.join(root, 'config');
  const data = path.join(root, 'data');
  mkdirSync(config, { recursive: true });
  mkdirSync(data, { recursive: true });
  const put = (rel: string, text: string) => {
    const f = path.join(root, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, text);
    return f;
  };
  return { env: { XDG_CONFIG_HOME: config, XDG_DATA_HOME: data, HOME: root }, config, data, put };
}

const K9S_COMMUNITY = `# catppuccin-ish community skin, anchors as K9s users write them
foreground: &foreground "#cdd6f4"
background: &background "#1e1e2e"
blue: &blue "#89b4fa"
red: &red "#f38ba8"
k9s:
  body:
    fgColor: *foreground
    bgColor: *background
    logoColor: *blue
  frame:
    status:
      errorColor: *red
  views:
    table:
      fgColor: *foreground
      cursorColor: *blue
`;

describe('skin directories and listing', () => {
  it('looks in kmux\'s config dir, then K9s\'s, then the shipped skins', () => {
    const { env, config } = home();
    expect(skinDirs(env)).toEqual([path.join(config, 'kmux', 'skins'), path.join(config, 'k9s', 'skins'), SHIPPED_SKINS_DIR]);
    expect(skinDirs({ ...env, KMUX_CONFIG_DIR: '/x/kmux', K9S_CONFIG_DIR: '/y/k9s' })).toEqual(['/x/kmux/skins', '/y/k9s/skins', SHIPPED_SKINS_DIR]);
  });

  it('a K9s skin with anchors in $XDG_CONFIG_HOME/k9s/skins is listed and applies', () => {
    const { env, put } = home();
    const file = put('config/k9s/skins/catppuccin.yaml', K9S_COMMUNITY);
    const list = listSkins(env);
    expect(list.find((s) => s.name === 'catppuccin')).toEqual({ name: 'catppuccin', file, dir: path.dirname(file), origin: 'k9s' });
    for (const shipped of ['stock', 'dracula', 'nord', 'transparent']) expect(list.some((s) => s.name === shipped && s.origin === 'shipped')).toBe(true);
    const r = loadTheme('catppuccin', env);
    expect(r.problems).toEqual([]);
    expect(r.file).toBe(file);
    expect(r.theme.fg).toBe('#cdd6f4');
    expect(r.theme.bg).toBe('#1e1e2e');
    expect(r.theme.cursorBg).toBe('#89b4fa');
    expect(r.theme.rowError).toBe('#f38ba8');
  });

  it('the same name: kmux\'s dir wins over K9s\'s over shipped; .yml is found too', () => {
    const { env, put } = home();
    put('config/k9s/skins/dracula.yaml', 'k9s:\n  body:\n    fgColor: red\n');
    const kmuxOne = put('config/kmux/skins/nord.yml', 'k9s:\n  body:\n    fgColor: blue\n');
    put('config/k9s/skins/nord.yaml', 'k9s:\n  body:\n    fgColor: green\n');
    put('config/k9s/skins/notes.txt', 'not a skin');
    const list = listSkins(env);
    expect(list.filter((s) => s.name === 'dracula')).toHaveLength(1);
    expect(list.find((s) => s.name === 'dracula')!.origin).toBe('k9s');
    expect(list.find((s) => s.name === 'nord')!.file).toBe(kmuxOne);
    expect(list.some((s) => s.name === 'notes')).toBe(false);
    expect(loadTheme('nord', env).theme.fg).toBe('#0000ff');
    expect(list.map((s) => s.name)).toEqual([...list.map((s) => s.name)].sort((a, b) => a.localeCompare(b)));
  });

  it('an unknown name gives stock and a problem naming the dirs; a path loads that file', () => {
    const { env, put } = home();
    const r = loadTheme('draculaa', env);
    expect(r.theme).toEqual(stockTheme());
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].message).toMatch(/skin draculaa not found in .*kmux\/skins, .*k9s\/skins, .*skins/);
    expect(r.problems[0].message).toMatch(/available: .*dracula/);
    const f = put('elsewhere/mine.yaml', 'k9s:\n  body:\n    logoColor: gold\n');
    expect(loadTheme(f, env).theme.logo).toBe('#ffd700');
    expect(loadTheme(undefined, env)).toEqual({ theme: stockTheme(), problems: [] });
  });
});

describe('which skin applies', () => {
  it('flag > KMUX_SKIN > K9S_SKIN > context > global > stock', () => {
    const { env, put } = home();
    put('config/kmux/config.yaml', 'skin: nord\ncontexts:\n  prod:\n    skin: high-contrast\n');
    const all = { ...env, KMUX_SKIN: 'monokai', K9S_SKIN: 'dracula' };
    expect(resolveSkinName({ flag: 'light', env: all, context: 'prod' })).toMatchObject({ name: 'light', from: 'flag' });
    expect(resolveSkinName({ env: all, context: 'prod' })).toMatchObject({ name: 'monokai', from: 'KMUX_SKIN' });
    expect(resolveSkinName({ env: { ...env, K9S_SKIN: 'dracula' }, context: 'prod' })).toMatchObject({ name: 'dracula', from: 'K9S_SKIN' });
    expect(resolveSkinName({ env, context: 'prod' })).toMatchObject({ name: 'high-contrast', from: 'context' });
    expect(resolveSkinName({ env, context: 'dev' })).toMatchObject({ name: 'nord', from: 'global' });
    expect(resolveSkinName({ env })).toMatchObject({ name: 'nord', from: 'global' });
    const bare = home();
    expect(resolveSkinName({ env: bare.env, context: 'prod' })).toEqual({ from: 'stock', problems: [] });
    expect(resolveSkinName({ flag: '', env: { ...bare.env, KMUX_SKIN: '' } })).toMatchObject({ from: 'stock' });
  });

  it('the context\'s skin from K9s\'s per-context config, with or without the cluster name', () => {
    const { env, put } = home();
    const f = put('data/k9s/clusters/prod-cluster/prod/config.yaml', 'k9s:\n  cluster: prod-cluster\n  skin: red\n  namespace:\n    active: default\n');
    put('config/k9s/config.yaml', 'k9s:\n  ui:\n    skin: gruvbox-dark\n');
    expect(resolveSkinName({ env, context: 'prod', cluster: 'prod-cluster' })).toEqual({ name: 'red', from: 'context', file: f, problems: [] });
    expect(resolveSkinName({ env, context: 'prod' })).toMatchObject({ name: 'red', from: 'context' });
    expect(resolveSkinName({ env, context: 'dev', cluster: 'dev-cluster' })).toMatchObject({ name: 'gruvbox-dark', from: 'global' });
    // K9s writes arn:aws:eks:... contexts with : and / made into -
    put('data/k9s/clusters/arn-aws-eks-eu-1-cl/arn-aws-eks-eu-1-cl/config.yaml', 'k9s:\n  skin: nord\n');
    expect(resolveSkinName({ env, context: 'arn:aws:eks:eu-1/cl', cluster: 'arn:aws:eks:eu-1/cl' })).toMatchObject({ name: 'nord', from: 'context' });
  });

  it('kmux\'s config wins over K9s\'s at the same level', () => {
    const { env, put } = home();
    put('config/kmux/config.yaml', 'contexts:\n  prod:\n    skin: light\nskin: nord\n');
    put('data/k9s/clusters/c/prod/config.yaml', 'k9s:\n  skin: red\n');
    put('config/k9s/config.yaml', 'k9s:\n  ui:\n    skin: dracula\n');
    expect(resolveSkinName({ env, context: 'prod', cluster: 'c' })).toMatchObject({ name: 'light', from: 'context' });
    expect(resolveSkinName({ env, context: 'x' })).toMatchObject({ name: 'nord', from: 'global' });
  });

  it('a broken config file is reported and skipped', () => {
    const { env, put } = home();
    const f = put('config/kmux/config.yaml', 'skin: [nord\n');
    put('config/k9s/config.yaml', 'k9s:\n  ui:\n    skin: dracula\n');
    const r = resolveSkinName({ env });
    expect(r).toMatchObject({ name: 'dracula', from: 'global' });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].file).toBe(f);
    expect(r.problems[0].message).toMatch(/not valid YAML/);
  });

  it('a context-specific skin colors only that context', () => {
    const { env, put } = home();
    put('config/kmux/config.yaml', 'contexts:\n  prod:\n    skin: prod-red\n');
    put('config/kmux/skins/prod-red.yaml', 'k9s:\n  body:\n    bgColor: darkred\n  views:\n    table:\n      fgColor: red\n');
    const prod = selectTheme({ env, context: 'prod' });
    const dev = selectTheme({ env, context: 'dev' });
    expect(prod.choice).toMatchObject({ name: 'prod-red', from: 'context' });
    expect(prod.problems).toEqual([]);
    expect(prod.theme.bg).toBe('#8b0000');
    expect(prod.theme.rowNormal).toBe(STOCK.rowNormal); // K9s colors no row with views.table.fgColor
    expect(dev.choice.from).toBe('stock');
    expect(dev.theme).toEqual(stockTheme());
    expect(dev.theme.rowNormal).toBe(STOCK.rowNormal);
  });
});

describe('watchSkin', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  async function until(pred: () => boolean, ms: number): Promise<number> {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
      await sleep(10);
    }
    return Date.now() - t0;
  }

  it('fires within a second after a write, and after a rename-replace, and stops when asked', async () => {
    const { put } = home();
    const file = put('config/kmux/skins/live.yaml', 'k9s:\n  body:\n    fgColor: red\n');
    let n = 0;
    const stop = watchSkin(file, () => n++);
    try {
      await sleep(50);
      writeFileSync(file, 'k9s:\n  body:\n    fgColor: blue\n');
      await until(() => n === 1, 1000);
      expect(loadTheme(file).theme.fg).toBe('#0000ff');

      // an editor's safe save: write a temp file, rename it over the skin
      const tmp = `${file}.swp`;
      writeFileSync(tmp, 'k9s:\n  body:\n    fgColor: green\n');
      renameSync(tmp, file);
      await until(() => n === 2, 1000);
      expect(loadTheme(file).theme.fg).toBe('#008000');

      // and again, so the watch survived the replace
      writeFileSync(file, 'k9s:\n  body:\n    fgColor: gold\n');
      await until(() => n === 3, 1000);

      // rewriting the same content does not redraw
      writeFileSync(file, 'k9s:\n  body:\n    fgColor: gold\n');
      await sleep(400);
      expect(n).toBe(3);
    } finally {
      stop();
    }
    writeFileSync(file, 'k9s:\n  body:\n    fgColor: white\n');
    await sleep(400);
    expect(n).toBe(3);
  });

  it('debounces a burst of writes into one call', async () => {
    const { put } = home();
    const file = put('s/burst.yaml', 'k9s: {}\n');
    let n = 0;
    const stop = watchSkin(file, () => n++);
    try {
      await sleep(50);
      for (let i = 0; i < 5; i++) writeFileSync(file, `k9s:\n  body:\n    fgColor: "#00000${i}"\n`);
      await until(() => n >= 1, 1000);
      await sleep(300);
      expect(n).toBe(1);
    } finally {
      stop();
    }
  });

  it('a skin file replaced by a FIFO or named /dev/zero is never read (it would block the UI or fill memory)', async () => {
    const { put } = home();
    const file = put('config/kmux/skins/piped.yaml', 'k9s:\n  body:\n    fgColor: red\n');
    let n = 0;
    const t0 = Date.now();
    const stop = watchSkin(file, () => n++);
    const zero = watchSkin('/dev/zero', () => {});
    try {
      rmSync(file);
      execFileSync('mkfifo', [file]);
      await until(() => n === 1, 1500);
      await sleep(1200); // the next poll reads the FIFO again: it must return
      expect(Date.now() - t0).toBeLessThan(8000);
    } finally {
      stop();
      zero();
    }
  });

  it('watching a file in a missing directory does not throw', () => {
    const stop = watchSkin('/nonexistent/dir/skin.yaml', () => {});
    stop();
  });
});

describe('bad config files never crash, hang or echo raw bytes (issue 11)', () => {
  it('a wrong-typed key on the way to a skin is reported with its line and key; the next source applies', () => {
    const { env, put } = home();
    const kmux = put('config/kmux/config.yaml', 'skin: [nord]\ncontexts:\n  prod: dracula\n');
    const k9s = put('config/k9s/config.yaml', 'k9s:\n  ui:\n    skin: {name: red}\n');
    const r = resolveSkinName({ env, context: 'prod' });
    expect(r).toMatchObject({ from: 'stock' });
    expect(r.problems.map(formatProblem)).toEqual([
      `${kmux}:3: contexts.prod: expected a mapping, found "dracula"; the skin setting under it is ignored`,
      `${kmux}:1: skin: expected a skin name, found a list; ignored`,
      `${k9s}:3: k9s.ui.skin: expected a skin name, found a mapping; ignored`,
    ]);
    put('config/k9s/config.yaml', 'k9s: [ui]\n');
    expect(resolveSkinName({ env }).problems.map((p) => [p.key, p.line])).toEqual([['skin', 1], ['k9s', 1]]);
  });

  it('readSkinSettings reads each kind of config, numbers as their text (as K9s does), anchors and merges', () => {
    expect(readSkinSettings('skin: nord\ncontexts:\n  prod: {skin: red}\n', 'c.yaml', 'kmux', 'prod')).toEqual({ global: 'nord', context: 'red', problems: [] });
    expect(readSkinSettings('base: &b {skin: nord}\nk9s:\n  ui:\n    <<: *b\n', 'c.yaml', 'k9s')).toEqual({ global: 'nord', problems: [] });
    expect(readSkinSettings('k9s:\n  skin: 2077\n', 'c.yaml', 'k9s-context', 'prod')).toEqual({ context: '2077', problems: [] });
    expect(readSkinSettings('', 'c.yaml', 'kmux', 'prod')).toEqual({ problems: [] });
  });

  it('more than 100 uses of an anchor is a normal config, not an alias bomb that drops the skin', () => {
    const text = `n: &n nord\nskin: *n\n${Array.from({ length: 150 }, (_, i) => `x${i}: *n\n`).join('')}`;
    expect(readSkinSettings(text, 'c.yaml', 'kmux')).toEqual({ global: 'nord', problems: [] });
  });

  it('escape sequences in a config or a skin name are shown escaped, never raw', () => {
    // yaml.parse said "Unresolved alias (...): " and the alias name, raw
    const bad = readSkinSettings('skin: *\u001bx\n', 'c.yaml', 'kmux');
    expect(bad.problems.map(formatProblem)).toEqual(['c.yaml:1: alias *\\x1bx has no anchor &\\x1bx before it; taken as empty']);
    expect(bad.global).toBeUndefined();
    const { env } = home();
    const t = loadTheme('\u001b[31mred', env);
    expect(t.problems[0].file).toBe('\u001b[31mred.yaml'); // the name as given; formatProblem shows it escaped
    expect(formatProblem(t.problems[0])).toMatch(/^\\x1b\[31mred\.yaml: skin \\x1b\[31mred not found in /);
  });

  it('a FIFO as config.yaml, binary data, and /dev/zero named as the skin: reported at once', () => {
    const { env, put, config } = home();
    mkdirSync(path.join(config, 'kmux'), { recursive: true });
    const fifo = path.join(config, 'kmux', 'config.yaml');
    execFileSync('mkfifo', [fifo]);
    const bin = put('config/k9s/config.yaml', 'x');
    writeFileSync(bin, Buffer.from([0x6b, 0x39, 0x73, 0x3a, 0xc3, 0x28]));
    const r = resolveSkinName({ env });
    expect(r.problems).toEqual([
      { file: fifo, message: 'config not a regular file (a device, pipe or socket); its skin setting is ignored' },
      { file: bin, message: 'config binary data, not UTF-8 text (an invalid byte at offset 4); its skin setting is ignored' },
    ]);
    const zero = selectTheme({ env, flag: '/dev/zero' });
    expect(zero.theme).toEqual(stockTheme());
    expect(zero.problems.map((p) => p.message)).toEqual(['skin file not a regular file (a device, pipe or socket); using the stock skin']);
  });
});
