/**
 * Driving the UI without a terminal: key presses as Ink reports them, a real Session on a small
 * in-process fleet (config directories of its own), and a navigator with screens to press on.
 */
import { defaultConfig } from '../../src/config/app-config.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Key } from 'ink';
import { startFleet, type Fleet, type FleetOptions } from '../../src/sim/fleet.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { Session, type SessionOptions, type ViewSpec } from '../../src/app/session.js';
import { Settings } from '../../src/config/settings.js';
import type { Press } from '../../src/ui/keys/keys.js';
import type { Nav } from '../../src/ui/nav.js';
import type { Screen } from '../../src/ui/screens/screen.js';
import { STOCK } from '../../src/theme/theme.js';
import { linesOf } from './lines.js';
import { until } from './wait.js';

const NONE: Press = {
  ctrl: false, shift: false, meta: false, escape: false, return: false, tab: false, backspace: false, delete: false,
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageUp: false, pageDown: false, home: false, end: false,
};

const NAMED: Record<string, Partial<Key>> = {
  '<enter>': { return: true }, '<esc>': { escape: true }, '<tab>': { tab: true }, '<backtab>': { tab: true, shift: true },
  '<up>': { upArrow: true }, '<down>': { downArrow: true }, '<left>': { leftArrow: true }, '<right>': { rightArrow: true },
  '<pgup>': { pageUp: true }, '<pgdn>': { pageDown: true }, '<home>': { home: true }, '<end>': { end: true },
  '<backspace>': { backspace: true },
};

/**
 * A key as Ink hands it over: `j`, `G` (shift set, as Ink does for capitals), `<enter>`,
 * `<pgdn>`, `<space>`, `<ctrl-w>`, `<shift-f>`.
 */
export function press(name: string): [string, Press] {
  if (NAMED[name]) return ['', { ...NONE, ...NAMED[name] }];
  if (name === '<space>') return [' ', NONE];
  let m: RegExpMatchArray | null;
  if ((m = name.match(/^<ctrl-(.)>$/))) return [m[1], { ...NONE, ctrl: true }];
  if ((m = name.match(/^<shift-(.)>$/))) return [m[1].toUpperCase(), { ...NONE, shift: true }];
  if ([...name].length !== 1) throw new Error(`press: unknown key ${name}`);
  return [name, { ...NONE, shift: name !== name.toLowerCase() }];
}

/** Press keys, one after another, through the navigator (dialogs, fields, then the registry). */
export function keys(nav: Nav, ...names: string[]): void {
  for (const n of names) nav.key(...press(n));
}

/** Type text into whatever has the keys (a prompt, a field). */
export function typeText(nav: Nav, text: string): void {
  for (const c of text) nav.key(c, NONE);
}

/** A screen's drawing as plain lines, at a terminal size. */
export function draw(session: Session, s: Screen, W: number, height: number): string[] {
  const theme = session.themeFor(s.view?.spec.contexts[0] ?? session.active[0]);
  return linesOf(s.render({ W, theme, mono: session.mono, height }));
}

export interface FleetSession {
  fleet: Fleet;
  session: Session;
  dir: string;
  /** the environment the session reads its config files from (no user files) */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** A real Session on an in-process fleet; config files (kmux's and K9s's) in a directory of its own. */
export async function fleetSession(o: FleetOptions & { contexts?: string[]; session?: Partial<SessionOptions>; env?: Record<string, string> } = {}): Promise<FleetSession> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kmux-ui-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg'), XDG_DATA_HOME: path.join(dir, 'data'),
    KMUX_CONFIG_DIR: path.join(dir, 'kmux'), K9S_CONFIG_DIR: path.join(dir, 'k9s'), ...o.env,
  };
  const fleet = await startFleet(o);
  const kc = path.join(dir, 'kubeconfig');
  fleet.writeKubeconfig(kc);
  const session = new Session({
    kubeconfig: loadKubeconfig([kc]), contexts: o.contexts ?? [fleet.members[0].name], batchMs: 20,
    settings: new Settings(path.join(dir, 'kmux')), env, ...o.session,
  });
  session.start();
  return {
    fleet, session, dir, env,
    async stop() {
      session.stop();
      await fleet.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Open a table view on the navigator and wait until every store of it has listed. */
export async function openView(nav: Nav, spec: ViewSpec, timeoutMs = 30_000): Promise<void> {
  const ok = await nav.openSpec(spec, { reset: true });
  if (!ok) throw new Error(`could not open ${JSON.stringify(spec)}: ${nav.openError}`);
  await until(`${spec.resource} listed`, () => nav.view()?.storeStatus().every((s) => s.synced) && nav.view()!.rows().length > 0, timeoutMs);
}

/**
 * The little of a Session that screens without a table view touch: the flash line (kept, for
 * the test to read), no plugins, no hotkeys, the stock colors. Enough for a Nav holding list,
 * text and logs screens; `extra` adds what a test needs; anything else it is asked for throws.
 */
export function fakeSession(extra: Record<string, unknown> = {}): Session & { flashes: { text: string; level: string }[] } {
  const flashes: { text: string; level: string }[] = [];
  const fake = {
    flashes,
    active: ['fake'],
    mono: false,
    flashMsg: undefined as Session['flashMsg'],
    plugins: { plugins: [], problems: [], sources: [], skipped: [] },
    hotkeys: { hotkeys: [], problems: [], sources: [] },
    settings: { data: { favorites: [], contexts: {} } },
    config: { config: defaultConfig(), files: [], problems: [], context: () => ({ from: {} }) },
    configVersion: 0,
    onViewsChanged: () => () => {},
    favorites: () => [],
    themeFor: () => STOCK,
    flash(text: string, level: 'info' | 'warn' | 'error' = 'info') {
      flashes.push({ text, level });
      fake.flashMsg = { text, level, at: Date.now() };
    },
    ...extra,
  };
  return new Proxy(fake, {
    get(t, k) {
      if (k in t || typeof k === 'symbol' || k === 'then') return (t as Record<string | symbol, unknown>)[k];
      throw new Error(`the fake session has no ${String(k)}`);
    },
  }) as unknown as Session & { flashes: { text: string; level: string }[] };
}

export { NONE };
