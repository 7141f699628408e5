/**
 * Logs: a ring of lines from one pod or a workload's pods (prefixed per pod and container),
 * K9s's keys for the window (0 tail, 1 head, 2-6 since), timestamps, wrap, autoscroll, marks,
 * save, and a `/` filter whose matches are highlighted. esc clears the filter before leaving.
 */
import React from 'react';
import { Text } from 'ink';
import { LogFilter, splitByRanges, type Ranges } from '../../actions/log-filter.js';
import { logsDir, saveLogLines, type LogFollower, type LogLine, type LogWindow } from '../../actions/logs.js';
import type { KeyAction } from '../keys/keys.js';
import type { Nav } from '../nav.js';
import { Viewport } from '../scroll.js';
import { fit, wrapCuts } from '../text.js';
import { frame } from '../chrome/frame.js';
import { navigationKeys } from './navigation.js';
import type { RenderCtx, Screen } from './screen.js';

export class LogsScreen implements Screen {
  readonly vp = new Viewport(false);
  autoscroll = true;
  wrap = false;
  lf?: LogFilter;
  private filterRaw = '';

  /** `name`: where the logs came from, for the saved file's name; `off`: what to release when closed */
  constructor(private readonly nav: Nav, readonly title: string, readonly follower: LogFollower, readonly name: string, private readonly off: () => void) {
    // config.yaml's logger.textWrap and logger.disableAutoscroll, as K9s opens its logs
    const logger = nav.session.config.config.logger;
    if (logger.textWrap) this.wrap = true;
    if (logger.disableAutoscroll) this.autoscroll = false;
  }

  crumb(): string {
    return 'logs';
  }

  readonly filter = {
    get: () => this.filterRaw,
    set: (text: string, final: boolean): string | undefined => {
      try {
        const lf = new LogFilter(text);
        this.lf = lf.active ? lf : undefined;
        this.filterRaw = lf.raw;
        return undefined;
      } catch (e) {
        if (final) {
          this.lf = undefined;
          this.filterRaw = '';
        }
        return (e as Error).message;
      }
    },
  };

  keys(): KeyAction[] {
    const f = this.follower;
    const win = (w: LogWindow, label: string) => () => {
      f.restart({ window: w });
      this.autoscroll = true;
      this.nav.flash(`logs: ${label}`);
    };
    const stop = () => { this.autoscroll = false; };
    const nav = navigationKeys(this.vp, { onUp: stop }).map((k) => (k.id === 'bottom' ? { ...k, desc: 'bottom (autoscroll)', run: () => { this.autoscroll = true; } } : k));
    return [
      ...nav,
      { id: 'autoscroll', keys: ['s'], desc: 'autoscroll on/off', section: 'View', hint: true, run: () => { this.autoscroll = !this.autoscroll; this.nav.flash(`autoscroll ${this.autoscroll ? 'on' : 'off'}`); } },
      { id: 'wrap', keys: ['w'], desc: 'wrap on/off', section: 'View', hint: true, run: () => { this.wrap = !this.wrap; } },
      { id: 'timestamps', keys: ['t'], desc: 'timestamps on/off', section: 'View', hint: true, run: () => f.restart({ timestamps: !f.opts.timestamps }) },
      { id: 'mark', keys: ['m'], desc: 'mark (a line with the time)', section: 'View', run: () => { f.ring.push('', `mark ${new Date().toTimeString().slice(0, 8)}`, true); this.autoscroll = true; } },
      { id: 'save', keys: ['<ctrl-s>'], desc: 'save to a file', section: 'View', hint: true, run: () => {
        try {
          const lines = f.ring.toArray().filter((l) => l.mark || !this.lf || this.lf.match(l));
          this.nav.flash(`saved ${lines.length} lines to ${saveLogLines(lines, logsDir(), this.name)}`);
        } catch (e) {
          this.nav.flash(`save: ${(e as Error).message}`, 'error');
        }
      } },
      { id: 'clear', keys: ['C'], desc: 'clear', section: 'View', run: () => { f.ring.clear(); this.vp.home(); } },
      { id: 'tail', keys: ['0'], desc: 'tail', section: 'View', run: win('tail', `last ${f.opts.tailLines} lines`) },
      { id: 'head', keys: ['1'], desc: 'head (all kept)', section: 'View', run: win('head', 'from the start') },
      { id: 'since-1m', keys: ['2'], desc: 'since 1m', section: 'View', run: win(60, 'since 1m') },
      { id: 'since-5m', keys: ['3'], desc: 'since 5m', section: 'View', run: win(300, 'since 5m') },
      { id: 'since-15m', keys: ['4'], desc: 'since 15m', section: 'View', run: win(900, 'since 15m') },
      { id: 'since-30m', keys: ['5'], desc: 'since 30m', section: 'View', run: win(1800, 'since 30m') },
      { id: 'since-1h', keys: ['6'], desc: 'since 1h', section: 'View', run: win(3600, 'since 1h') },
    ];
  }

  render(ctx: RenderCtx): React.ReactElement[] {
    const { theme } = ctx;
    const inner = Math.max(1, ctx.height - 2);
    const lf = this.lf;
    // a prefix color per source, from the skin's palette
    const palette = [theme.rowNew, theme.rowModified, theme.rowPending, theme.menuKey, theme.logo, theme.title, theme.yamlKey, theme.mark];
    const colorOf = (src: string) => palette[[...src].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % palette.length];
    const width = Math.max(1, ctx.W - 2);
    // rows: a line, or with wrap one piece of it ([from, to) in the line's string, cut by display
    // width so wide characters and surrogate pairs stay whole); the ring's text is display-clean
    const rows: { l: LogLine; ranges: Ranges; from: number; to: number }[] = [];
    for (const l of this.follower.ring.toArray()) {
      const ranges = l.mark || !lf ? [] : lf.match(l);
      if (!ranges) continue;
      const len = (l.source ? l.source.length + 1 : 0) + l.text.length;
      if (!this.wrap || l.mark) rows.push({ l, ranges, from: 0, to: len });
      else {
        const cuts = wrapCuts(l.source ? `${l.source} ${l.text}` : l.text, width);
        for (let j = 0; j < cuts.length - 1; j++) rows.push({ l, ranges, from: cuts[j], to: cuts[j + 1] });
      }
    }
    if (this.autoscroll) this.vp.top = Number.MAX_SAFE_INTEGER;
    const { from, to } = this.vp.layout(rows.length, inner);
    const fg = theme.logFg || theme.fg;
    const body = rows.slice(from, to).map(({ l, ranges, from: a, to: b }, i) => {
      if (l.mark) {
        const head = `── ${l.text} `;
        return <Text key={`l${i}`} color={theme.mark} bold>{head.slice(0, width) + '─'.repeat(Math.max(0, width - head.length))}</Text>;
      }
      const pre = l.source ? `${l.source} ` : '';
      const t = fit((pre + l.text).slice(a, b), width);
      const parts: React.ReactElement[] = [];
      let k = 0;
      // the prefix (in its own color) when this piece starts inside it
      const preEnd = Math.max(0, Math.min(pre.length - a, t.length));
      if (preEnd > 0) parts.push(<Text key={k++} color={colorOf(l.source)}>{t.slice(0, preEnd)}</Text>);
      for (const piece of splitByRanges(t.slice(preEnd), ranges, pre.length - a - preEnd)) {
        parts.push(piece.hit ? <Text key={k++} color={theme.rowHighlight} bold underline>{piece.text}</Text> : <Text key={k++} color={fg}>{piece.text}</Text>);
      }
      return <Text key={`l${i}`}>{parts}</Text>;
    });
    const f = this.follower;
    const w = f.opts.window;
    const win = w === 'tail' ? `tail ${f.opts.tailLines}` : w === 'head' ? 'head' : w % 60 === 0 ? `since ${w / 60}m` : `since ${w}s`;
    const flags = [win, f.opts.timestamps ? 'timestamps' : '', this.autoscroll ? 'autoscroll' : 'paused', this.wrap ? 'wrap' : '', lf ? `<${lf.describe}>` : '', f.status].filter(Boolean).join(' ');
    return frame(ctx, ` ${this.title} [${rows.length}] ${flags} `, body, ctx.height);
  }

  dispose(): void {
    this.off();
    this.follower.stop();
  }
}
