/** Runs a program in a real terminal (a detached tmux session): type keys, read the screen. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * How long the first screen of a program just started may take: node starting, kmux loading
 * and its first lists, on a loaded two-core machine where another suite runs too. Waiting
 * returns as soon as the screen shows what is wanted: a passing run is no slower for it.
 */
export const FIRST_SCREEN_MS = 30_000;

export class Terminal {
  readonly socket = `kmux-test-${process.pid}`;
  readonly name = `t${randomBytes(4).toString('hex')}`;
  /** a wait has been met: the program has drawn its first screen */
  private started = false;

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  constructor(argv: string[], opts: { width?: number; height?: number; env?: Record<string, string> } = {}) {
    const env = Object.entries({ TERM: 'xterm-256color', ...opts.env }).map(([k, v]) => `${k}=${quote(v)}`).join(' ');
    // a terminal program in a real terminal: CI (set by the CI runner, inherited through tmux)
    // would make color libraries go monochrome
    const cmd = `env -u CI -u FORCE_COLOR ${env} ${argv.map(quote).join(' ')}; echo "[exited $?]"; sleep 30`;
    // the server of a socket whose last session just ended may still be exiting: try again
    for (let i = 0; ; i++) {
      try {
        this.tmux('new-session', '-d', '-s', this.name, '-x', String(opts.width ?? 160), '-y', String(opts.height ?? 45), cmd);
        break;
      } catch (e) {
        if (i >= 4) throw e;
        execFileSync('sleep', ['0.2']);
      }
    }
  }

  /** Named keys as tmux knows them: Enter, Escape, Up, Down, C-d, PPage... */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  /** Literal text. */
  type(text: string): void {
    this.tmux('send-keys', '-t', this.name, '-l', '--', text);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }

  /** Screen with colors (SGR escapes), for checks on row states. */
  screenAnsi(): string {
    return this.tmux('capture-pane', '-p', '-e', '-t', this.name);
  }

  /**
   * Wait until the screen shows `test`. The first wait of a terminal (the program's first
   * screen) gets at least FIRST_SCREEN_MS, whatever the caller asked for.
   */
  async waitFor(test: RegExp | ((screen: string) => boolean), timeoutMs = 10_000): Promise<string> {
    const limit = this.started ? timeoutMs : Math.max(timeoutMs, FIRST_SCREEN_MS);
    const t0 = Date.now();
    let last = '';
    for (;;) {
      last = this.screen();
      if (typeof test === 'function' ? test(last) : test.test(last)) {
        this.started = true;
        return last;
      }
      if (Date.now() - t0 >= limit) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`screen did not show ${test} within ${limit} ms${this.started ? '' : ' (its first screen)'}; it shows:\n${last}`);
  }

  kill(): void {
    try {
      this.tmux('kill-session', '-t', this.name);
    } catch {
      // already gone
    }
    // the last session of this worker's socket: leave no server or socket file behind
    try {
      if (this.tmux('list-sessions').trim() === '') this.tmux('kill-server');
    } catch {
      try {
        const uid = process.getuid?.() ?? 0;
        rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${uid}`, this.socket), { force: true });
      } catch {
        // nothing to clean
      }
    }
  }
}
