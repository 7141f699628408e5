/**
 * The logs screen without Ink: lines in its ring, keys through the navigator. esc clears an
 * active filter before it leaves; scrolling up pauses autoscroll and G resumes it.
 */
import { describe, expect, it } from 'vitest';
import { Nav } from '../../../src/ui/nav.js';
import { LogsScreen } from '../../../src/ui/screens/logs.js';
import { TextScreen } from '../../../src/ui/screens/text.js';
import { PromptDialog } from '../../../src/ui/dialogs/prompt.js';
import { DEFAULT_LOG_OPTIONS, LogFollower } from '../../../src/actions/logs.js';
import { logOptions } from '../../../src/ui/actions/logs.js';
import { defaultConfig } from '../../../src/config/app-config.js';
import type { Connection } from '../../../src/kube/connection.js';
import { bodyOf, titleOf } from '../../helpers/lines.js';
import { draw, fakeSession, keys, typeText } from '../../helpers/ui.js';

/** A connection whose log streams stay open and say nothing: the test fills the ring itself. */
function quietConnection(opened: string[]): Connection {
  return {
    stream(path: string) {
      opened.push(path);
      let end!: () => void;
      const done = new Promise<void>((r) => (end = r));
      return { done, abort: () => end() };
    },
  } as unknown as Connection;
}

function logsNav(lines = 60) {
  const session = fakeSession();
  const nav = new Nav(session, { resource: 'pods', contexts: [] });
  const opened: string[] = [];
  const follower = new LogFollower(quietConnection(opened), [{ namespace: 'web', pod: 'api-1', containers: ['api'] }], { ...DEFAULT_LOG_OPTIONS });
  for (let i = 1; i <= lines; i++) follower.ring.push('', `${i % 10 === 0 ? 'level=error' : 'level=info'} request ${i}`);
  let released = 0;
  const below = new TextScreen(nav, { title: 'below', lines: ['the screen below'] });
  const logs = new LogsScreen(nav, 'logs api-1', follower, 'dev-web-api-1', () => released++);
  nav.push(below);
  nav.push(logs);
  return { session, nav, logs, below, follower, opened, released: () => released };
}

const shown = (lines: string[]) => bodyOf(lines).map((l) => l.trim()).filter(Boolean);

describe('LogsScreen', () => {
  it('esc clears an active filter first (the screen stays); the next esc leaves and releases the streams', () => {
    const { nav, logs, below, session, released } = logsNav();
    expect(shown(draw(session, logs, 80, 20))).toHaveLength(18);
    keys(nav, '/');
    expect(nav.dialog()).toBeInstanceOf(PromptDialog);
    typeText(nav, 'error');
    keys(nav, '<enter>');
    expect(logs.filter.get()).toBe('error');
    let lines = draw(session, logs, 80, 20);
    expect(titleOf(lines)).toMatch(/^logs api-1 \[6\] .*<\/error>/);
    expect(shown(lines)).toEqual([10, 20, 30, 40, 50, 60].map((n) => `level=error request ${n}`));

    keys(nav, '<esc>');
    expect(nav.top()).toBe(logs);
    expect(logs.filter.get()).toBe('');
    expect(logs.lf).toBeUndefined();
    lines = draw(session, logs, 80, 20);
    expect(titleOf(lines)).toMatch(/^logs api-1 \[60\] /);
    expect(titleOf(lines)).not.toContain('</');
    expect(released()).toBe(0);

    keys(nav, '<esc>');
    expect(nav.top()).toBe(below);
    expect(released()).toBe(1);
  });

  it('esc in the filter prompt puts back the filter that was there', () => {
    const { nav, logs } = logsNav();
    keys(nav, '/');
    typeText(nav, 'error');
    keys(nav, '<enter>', '/');
    typeText(nav, 'xyz');
    expect(logs.filter.get()).toBe('errorxyz');
    keys(nav, '<esc>');
    expect(nav.dialog()).toBeUndefined();
    expect(logs.filter.get()).toBe('error');
    expect(nav.top()).toBe(logs);
  });

  it('a filter logs cannot take (labels) is said and not applied', () => {
    const { nav, logs, session } = logsNav();
    keys(nav, '/');
    typeText(nav, '-l app=x');
    keys(nav, '<enter>');
    expect(session.flashes.at(-1)).toEqual({ text: 'logs have no labels: filter with a regex, !regex or -f text', level: 'error' });
    expect(logs.filter.get()).toBe('');
  });

  it('autoscroll follows the end; k pauses it, G resumes it; s toggles it; w wraps', () => {
    const { nav, logs, session, follower } = logsNav();
    let lines = draw(session, logs, 80, 12);
    expect(shown(lines).at(-1)).toBe('level=error request 60');
    expect(titleOf(lines)).toContain('autoscroll');
    keys(nav, 'k', 'k');
    expect(logs.autoscroll).toBe(false);
    lines = draw(session, logs, 80, 12);
    expect(shown(lines).at(-1)).toBe('level=info request 58');
    expect(titleOf(lines)).toContain('paused');
    // new lines do not move a paused view
    follower.ring.push('', 'level=info request 61');
    expect(shown(draw(session, logs, 80, 12)).at(-1)).toBe('level=info request 58');
    keys(nav, 'G');
    expect(logs.autoscroll).toBe(true);
    expect(shown(draw(session, logs, 80, 12)).at(-1)).toBe('level=info request 61');
    keys(nav, 's');
    expect(logs.autoscroll).toBe(false);
    keys(nav, 's');
    expect(logs.autoscroll).toBe(true);
    // wrap: a long line takes several rows, each at most the inner width
    follower.ring.push('', 'x'.repeat(200));
    keys(nav, 'w');
    lines = draw(session, logs, 80, 12);
    expect(titleOf(lines)).toContain('wrap');
    expect(shown(lines).slice(-3)).toEqual(['x'.repeat(78), 'x'.repeat(78), 'x'.repeat(44)]);
  });

  it('0-6 pick the window and restart the streams', () => {
    const { nav, logs, session, opened } = logsNav();
    keys(nav, '2');
    expect(opened).toHaveLength(1);
    expect(titleOf(draw(session, logs, 80, 12))).toMatch(/ since 1m /);
    expect(session.flashes.at(-1)?.text).toBe('logs: since 1m');
    keys(nav, '1');
    expect(titleOf(draw(session, logs, 80, 12))).toMatch(/ head /);
    keys(nav, '0');
    expect(titleOf(draw(session, logs, 80, 12))).toMatch(/ tail 200 /);
    expect(opened).toHaveLength(3);
  });
});

describe("config.yaml's logger keys (issue 14)", () => {
  it('tail, buffer, sinceSeconds and showTime set what the streams ask for; unset keys keep kmux\'s defaults', () => {
    expect(logOptions({}, false)).toEqual({ ...DEFAULT_LOG_OPTIONS, previous: false });
    expect(logOptions({ tail: 50, buffer: 1000, showTime: true }, false)).toMatchObject({ tailLines: 50, maxLines: 1000, timestamps: true, window: 'tail' });
    expect(logOptions({ sinceSeconds: 90 }, true)).toMatchObject({ window: 90, previous: true });
    expect(logOptions({ sinceSeconds: -1 }, false).window).toBe('tail');
  });

  it('textWrap and disableAutoscroll: the screen opens wrapped and paused, and says so; a since window in seconds', () => {
    const session = fakeSession({ config: { config: { ...defaultConfig(), logger: { textWrap: true, disableAutoscroll: true } }, files: [], problems: [], context: () => ({ from: {} }) } });
    const nav = new Nav(session, { resource: 'pods', contexts: [] });
    const follower = new LogFollower(quietConnection([]), [{ namespace: 'web', pod: 'api-1', containers: ['api'] }], { ...DEFAULT_LOG_OPTIONS, window: 90 });
    const logs = new LogsScreen(nav, 'logs api-1', follower, 'dev-web-api-1', () => {});
    nav.push(logs);
    expect(logs.wrap).toBe(true);
    expect(logs.autoscroll).toBe(false);
    expect(titleOf(draw(session, logs, 100, 20))).toMatch(/since 90s paused wrap/);
  });
});
