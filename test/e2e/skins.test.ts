/** Skins in a real terminal: K9s skins from K9s's dir, per-context skins, bad skins, NO_COLOR. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { Terminal, hasTmux } from '../helpers/tmux.js';

const BIN = resolve(import.meta.dirname, '../../bin/kmux.js');
let fleet: Fleet;
let dir: string;
let kubeconfig: string;

/** 24-bit SGR for a hex color, as a truecolor terminal receives it. */
const fg = (hex: string) => `38;2;${parseInt(hex.slice(1, 3), 16)};${parseInt(hex.slice(3, 5), 16)};${parseInt(hex.slice(5, 7), 16)}`;

function kmux(args: string[], config: string, env: Record<string, string> = {}): Terminal {
  return new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, ...args], {
    env: { XDG_CONFIG_HOME: config, XDG_DATA_HOME: join(config, 'data'), COLORTERM: 'truecolor', ...env },
  });
}

// a community-style K9s skin: anchors, aliases, a few sections
const K9S_SKIN = `
foreground: &fg "#fafafa"
error: &err "#e01010"
k9s:
  body:
    fgColor: *fg
    logoColor: "#abcdef"
  frame:
    title:
      fgColor: "#12ab34"
    status:
      errorColor: *err
  views:
    table:
      fgColor: *fg
      header:
        fgColor: "#fedcba"
`;

beforeAll(async () => {
  fleet = await startFleet({ clusters: 2, names: ['dev', 'prod'], nodes: 3, pods: 30, seed: 3 });
  dir = mkdtempSync(join(tmpdir(), 'kmux-skins-'));
  kubeconfig = join(dir, 'kubeconfig.yaml');
  fleet.writeKubeconfig(kubeconfig);
});
afterAll(async () => fleet?.stop());

describe.skipIf(!hasTmux())('skins in a terminal', () => {
  it('lists a K9s skin with anchors from K9s\'s skins dir in :skins and applies it', async () => {
    const cfg = join(dir, 'cfg-k9s');
    mkdirSync(join(cfg, 'k9s', 'skins'), { recursive: true });
    writeFileSync(join(cfg, 'k9s', 'skins', 'company.yaml'), K9S_SKIN);
    const t = kmux(['--context', 'dev', '-A'], cfg);
    try {
      await t.waitFor(/pods\(all\)\[\d+\]/);
      t.type(':skins');
      t.keys('Enter');
      await t.waitFor(/company\s+k9s/);
      t.keys('Escape');
      t.type(':skins company');
      t.keys('Enter');
      await t.waitFor(/skin: company/);
      await new Promise((r) => setTimeout(r, 400));
      const ansi = t.screenAnsi();
      expect(ansi).toContain(fg('#12ab34')); // frame title
      expect(ansi).toContain(fg('#fedcba')); // table header
    } finally {
      t.kill();
    }
  });

  it('gives a context its own skin: only that context\'s rows take it', async () => {
    const cfg = join(dir, 'cfg-ctx');
    mkdirSync(join(cfg, 'kmux', 'skins'), { recursive: true });
    writeFileSync(join(cfg, 'kmux', 'skins', 'red.yaml'), 'k9s:\n  views:\n    table:\n      fgColor: "#ff1111"\n  frame:\n    status:\n      newColor: "#ff1111"\n      modifyColor: "#ff1111"\n');
    writeFileSync(join(cfg, 'kmux', 'config.yaml'), 'contexts:\n  prod:\n    skin: red\n');
    const t = kmux(['--context', 'dev,prod', '-A'], cfg);
    try {
      await t.waitFor(/pods\(all\)@dev,prod\[\d+\]/);
      await new Promise((r) => setTimeout(r, 3500)); // past the new-row highlight
      const lines = t.screenAnsi().split('\n');
      const prodLines = lines.filter((l) => /│[^│]*\bprod\s{2,}/.test(l.replace(/\x1b\[[0-9;]*m/g, '')));
      const devLines = lines.filter((l) => /│[^│]*\bdev\s{2,}/.test(l.replace(/\x1b\[[0-9;]*m/g, '')));
      expect(prodLines.length).toBeGreaterThan(0);
      expect(devLines.length).toBeGreaterThan(0);
      expect(prodLines.some((l) => l.includes(fg('#ff1111')))).toBe(true);
      expect(devLines.some((l) => l.includes(fg('#ff1111')))).toBe(false);
    } finally {
      t.kill();
    }
  });

  it('falls back to the stock skin with a message naming the file, line and key when a skin is bad', async () => {
    const cfg = join(dir, 'cfg-bad');
    mkdirSync(join(cfg, 'kmux', 'skins'), { recursive: true });
    writeFileSync(join(cfg, 'kmux', 'skins', 'broken.yaml'), 'k9s:\n  body:\n    fgColor: notacolor\n');
    const t = kmux(['--context', 'dev', '-A', '--skin', 'broken'], cfg);
    try {
      await t.waitFor(/skin: .*broken\.yaml:3.*fgColor/);
      // and kmux works on, in the stock colors
      await t.waitFor(/pods\(all\)\[\d+\]/);
    } finally {
      t.kill();
    }
  });

  it('emits no color codes at all with NO_COLOR, and still shows the cursor', async () => {
    const cfg = join(dir, 'cfg-nocolor');
    const raw = join(dir, 'nocolor.raw');
    const t = kmux(['--context', 'dev', '-A'], cfg, { NO_COLOR: '1' });
    try {
      // every byte kmux writes, before the terminal interprets it
      t.tmux('pipe-pane', '-o', '-t', t.name, `cat >> ${raw}`);
      t.keys('j');
      await t.waitFor(/pods\(all\)\[\d+\]/);
      t.keys('j', 'k');
      await new Promise((r) => setTimeout(r, 800));
      const bytes = readFileSync(raw, 'utf8');
      const sgr = [...bytes.matchAll(/\x1b\[([0-9;]*)m/g)].map((m) => m[1]);
      const colors = sgr.filter((p) => p.split(';').some((n, i, a) => /^(3[0-7]|38|4[0-7]|48|9[0-7]|10[0-7])$/.test(n) && !(i > 0 && (a[i - 1] === '38' || a[i - 1] === '48' || a[i - 1] === '5' || a[i - 1] === '2'))));
      expect(colors).toEqual([]);
      expect(sgr).toContain('7'); // the cursor row, in inverse
    } finally {
      t.kill();
    }
  });
});
