/**
 * Skins on screen: a small Ink frame drawn with each shipped skin, read back as ANSI. The frame
 * is drawn in a child process under FORCE_COLOR=N, so chalk (inside Ink) picks its level as it
 * would in a terminal. At truecolor each skin's own hex colors must appear as 38;2;r;g;b /
 * 48;2;r;g;b; at 256 and 16 colors the adapted theme must give the nearest palette colors;
 * with the monochrome (NO_COLOR) theme no color code at all, yet the cursor and states still show.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { hexToRgb, nearest16, nearest256 } from '../../src/theme/colors.js';
import { loadSkinFile } from '../../src/theme/skin.js';
import { SHIPPED_SKINS_DIR } from '../../src/theme/select.js';
import { STOCK, type Theme } from '../../src/theme/theme.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/render-frame.tsx', import.meta.url));
const SKINS = ['stock', 'light', 'dracula', 'nord', 'solarized-dark', 'solarized-light', 'monokai', 'gruvbox-dark', 'transparent', 'high-contrast'];
const FG_ROLES: (keyof Theme)[] = ['logo', 'infoLabel', 'infoValue', 'menuKey', 'menuDesc', 'border', 'title', 'titleCounter', 'tableHeader', 'sortMarker', 'rowNormal', 'rowNew', 'rowModified', 'rowError', 'rowPending', 'rowCompleted', 'rowTerminating', 'mark', 'cursorFg', 'crumbFg', 'crumbActiveFg', 'yamlKey', 'yamlColon', 'yamlValue', 'flashWarn'];
const BG_ROLES: (keyof Theme)[] = ['cursorBg', 'crumbBg', 'crumbActiveBg'];

type Mode = 'raw' | 'adapted' | 'mono';
const drawn = new Map<number, Record<Mode, Record<string, string>>>();

/** Every shipped skin's frame at a color level: as is, adapted to the level, and monochrome. */
function draw(level: 0 | 1 | 2 | 3, mode: Mode): Record<string, string> {
  if (!drawn.has(level)) {
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: String(level) };
    delete env.NO_COLOR;
    const out = execFileSync(process.execPath, ['--import', 'tsx', SCRIPT], { env, encoding: 'utf8', cwd: path.dirname(SCRIPT) });
    drawn.set(level, JSON.parse(out));
  }
  return drawn.get(level)![mode];
}

const sgr = (out: string): string[] => [...out.matchAll(/\x1b\[([0-9;]*)m/g)].map((m) => m[1]);
const params = (out: string) => new Set(sgr(out).flatMap((c) => c.split(';')));
const truecolor = (hex: string, bg = false) => `${bg ? 48 : 38};2;${hexToRgb(hex).join(';')}`;
const theme = (name: string) => loadSkinFile(path.join(SHIPPED_SKINS_DIR, `${name}.yaml`)).theme;

describe('each shipped skin on screen, truecolor (FORCE_COLOR=3)', () => {
  let frames: Record<string, string>;
  beforeAll(() => {
    frames = draw(3, 'raw');
  });

  for (const name of SKINS) {
    it(`${name}: its colors appear as 24-bit SGR sequences`, () => {
      const t = theme(name);
      const codes = sgr(frames[name]).join(' ');
      let seen = 0;
      for (const role of FG_ROLES) {
        if (!t[role]) continue; // the terminal's own color: nothing to find
        expect(codes, `${name}.${role} ${t[role]}`).toContain(truecolor(t[role]));
        seen++;
      }
      for (const role of BG_ROLES) {
        if (!t[role]) continue;
        expect(codes, `${name}.${role} ${t[role]}`).toContain(truecolor(t[role], true));
        seen++;
      }
      expect(seen).toBeGreaterThan(15);
      expect(codes).not.toMatch(/38;5;/);
      expect(frames[name]).toContain('CrashLoopBackOff');
    });
  }

  it('skins differ on screen', () => {
    expect(new Set(Object.values(frames)).size).toBe(SKINS.length);
    expect(frames.dracula).toContain(truecolor('#ff5555')); // dracula red for errors
  });
});

describe('fewer colors', () => {
  it('256 colors: chalk downsamples hex by itself; the adapted theme gives the nearest index', () => {
    const raw = sgr(draw(2, 'raw').stock).join(' ');
    expect(raw).toMatch(/38;5;\d+/);
    expect(raw).not.toContain('38;2;');
    const adapted = sgr(draw(2, 'adapted').stock).join(' ');
    for (const role of FG_ROLES) expect(adapted, role).toContain(`38;5;${nearest256(STOCK[role] as string)}`);
    for (const role of BG_ROLES) expect(adapted, role).toContain(`48;5;${nearest256(STOCK[role] as string)}`);
  });

  it('16 colors: basic SGR codes of the nearest basic color', () => {
    const out = draw(1, 'adapted');
    for (const name of ['stock', 'dracula']) {
      const t = theme(name);
      expect(sgr(out[name]).join(' ')).not.toMatch(/[34]8;[25];/);
      const p = params(out[name]);
      for (const role of FG_ROLES) {
        const i = nearest16(t[role] as string);
        expect(p.has(String(i < 8 ? 30 + i : 82 + i)), `${name}.${role}`).toBe(true);
      }
      for (const role of BG_ROLES) {
        const i = nearest16(t[role] as string);
        expect(p.has(String(i < 8 ? 40 + i : 92 + i)), `${name}.${role}`).toBe(true);
      }
    }
  });

  it('monochrome (NO_COLOR): no color codes at all; cursor inverse, states bold/underline/dim/strikethrough', () => {
    const out = draw(3, 'mono').stock;
    for (const c of sgr(out)) expect(c, c).not.toMatch(/(^|;)(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;|$)/);
    const p = params(out);
    for (const code of ['7', '1', '4', '2', '9']) expect(p.has(code), code).toBe(true);
  });

  it('FORCE_COLOR=0: chalk emits nothing', () => {
    expect(draw(0, 'raw').stock).not.toContain('\x1b[');
  });
});
