/**
 * Skins in a real terminal: K9s skins from K9s's dir, per-context skins, bad skins, NO_COLOR,
 * and rows and the cursor in the colors K9s gives them, read back from the terminal's cells.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { Terminal, hasTmux } from '../helpers/tmux.js';

const BIN = resolve(import.meta.dirname, '../../bin/kmux.js');
const FIXTURE_SKINS = resolve(import.meta.dirname, '../fixtures/k9s/skins');
let fleet: Fleet;
let dir: string;
let kubeconfig: string;

/** 24-bit SGR for a hex color, as a truecolor terminal receives it. */
const fg = (hex: string) => `38;2;${parseInt(hex.slice(1, 3), 16)};${parseInt(hex.slice(3, 5), 16)};${parseInt(hex.slice(5, 7), 16)}`;

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(';');

interface Cell {
  fg?: string;
  bg?: string;
  bold: boolean;
  inverse: boolean;
}

/**
 * The attributes a terminal line (as `capture-pane -e` gives it) draws `text` with: the SGR
 * state in force at the text's first character. Colors as "r;g;b".
 */
function styleOf(line: string, text: string): Cell | undefined {
  const st: Cell = { fg: undefined, bg: undefined, bold: false, inverse: false };
  let plain = '';
  let at: Cell | undefined;
  for (let i = 0; i < line.length;) {
    const m = /^\x1b\[([0-9;]*)m/.exec(line.slice(i));
    if (m) {
      const ps = m[1] === '' ? [0] : m[1].split(';').map(Number);
      for (let k = 0; k < ps.length; k++) {
        const p = ps[k];
        if (p === 0) Object.assign(st, { fg: undefined, bg: undefined, bold: false, inverse: false });
        else if (p === 1) st.bold = true;
        else if (p === 22) st.bold = false;
        else if (p === 7) st.inverse = true;
        else if (p === 27) st.inverse = false;
        else if (p === 39) st.fg = undefined;
        else if (p === 49) st.bg = undefined;
        else if ((p === 38 || p === 48) && ps[k + 1] === 2) {
          const c = ps.slice(k + 2, k + 5).join(';');
          if (p === 38) st.fg = c;
          else st.bg = c;
          k += 4;
        } else if ((p === 38 || p === 48) && ps[k + 1] === 5) k += 2;
      }
      i += m[0].length;
      continue;
    }
    if (plain.length === line.replace(/\x1b\[[0-9;]*m/g, '').indexOf(text) && at === undefined) at = { ...st };
    plain += line[i];
    i++;
  }
  return at;
}

/** The line of the screen (with its escapes) that shows `text`. */
const lineWith = (ansi: string, text: string) => ansi.split('\n').find((l) => l.replace(/\x1b\[[0-9;]*m/g, '').includes(text));

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

  it('draws a pod in error in errorColor, a completed one in completedColor and the cursor bar in the row\'s own color (K9s\'s skin roles)', async () => {
    const c = fleet.member('dev').cluster;
    c.store.create('namespaces', { metadata: { name: 'colors' }, spec: {}, status: { phase: 'Active' } });
    const mk = (name: string, behaviour?: string) => c.store.create('pods', {
      metadata: { name, namespace: 'colors', ...(behaviour ? { annotations: { 'sim.kmux.dev/behaviour': behaviour } } : {}) },
      spec: { containers: [{ name: 'main', image: 'busybox' }] },
    });
    mk('a-crash', 'crashloop');
    mk('b-done', 'complete');
    mk('c-run');
    const cfg = join(dir, 'cfg-roles');
    mkdirSync(join(cfg, 'k9s'), { recursive: true });
    cpSync(FIXTURE_SKINS, join(cfg, 'k9s', 'skins'), { recursive: true });
    const t = kmux(['--context', 'dev', '-n', 'colors'], cfg, { K9S_SKIN: 'roles' });
    try {
      // the cursor starts on the first row, a-crash; c-run steady (past its first seconds)
      const rowsIn = (want: (ansi: string) => boolean) => t.waitFor(() => want(t.screenAnsi()), 30_000);
      await rowsIn((a) => /CrashLoopBackOff/.test(a) && /Completed/.test(a) && /c-run\s.*Running/.test(a.replace(/\x1b\[[0-9;]*m/g, '')));
      const roles = { error: '#ee1105', completed: '#8888a8', steady: '#11aa01', cursorFg: '#010203', cursorBg: '#fefdfc', tableFg: '#ff00f9' };
      await rowsIn((a) => styleOf(lineWith(a, 'c-run')!, 'c-run')?.fg === rgb(roles.steady));
      let ansi = t.screenAnsi();
      // the cursor bar on the pod in error: errorColor behind cursorFgColor, bold
      expect(styleOf(lineWith(ansi, 'a-crash')!, 'a-crash')).toEqual({ fg: rgb(roles.cursorFg), bg: rgb(roles.error), bold: true, inverse: false });
      expect(styleOf(lineWith(ansi, 'b-done')!, 'b-done')).toMatchObject({ fg: rgb(roles.completed), bg: undefined });
      expect(styleOf(lineWith(ansi, 'c-run')!, 'c-run')).toMatchObject({ fg: rgb(roles.steady), bg: undefined });
      // neither views.table.fgColor nor cursorBgColor is on screen: K9s draws nothing with them
      expect(ansi).not.toContain(rgb(roles.tableFg));
      expect(ansi).not.toContain(rgb(roles.cursorBg));
      // down one: the bar takes the completed pod's color, the pod in error its own again
      t.keys('j');
      await rowsIn((a) => styleOf(lineWith(a, 'b-done')!, 'b-done')?.bg === rgb(roles.completed));
      ansi = t.screenAnsi();
      expect(styleOf(lineWith(ansi, 'b-done')!, 'b-done')).toEqual({ fg: rgb(roles.cursorFg), bg: rgb(roles.completed), bold: true, inverse: false });
      expect(styleOf(lineWith(ansi, 'a-crash')!, 'a-crash')).toMatchObject({ fg: rgb(roles.error), bg: undefined });
    } finally {
      t.kill();
    }
  });
});
