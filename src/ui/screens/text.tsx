/**
 * Describe and YAML: lines that scroll (to the very last one, whatever the header takes), YAML
 * keys colored, describe's warnings standing out, and `x` on a secret's YAML for its values.
 */
import React from 'react';
import { Text } from 'ink';
import type { KeyAction } from '../keys/keys.js';
import type { Nav } from '../nav.js';
import { Viewport } from '../scroll.js';
import { fit } from '../text.js';
import { frame } from '../chrome/frame.js';
import { navigationKeys } from './navigation.js';
import type { RenderCtx, Screen } from './screen.js';

export interface TextOptions {
  title: string;
  lines: string[];
  yaml?: boolean;
  /** a unified diff: additions, removals and hunk headers in the skin's colors */
  diff?: boolean;
  /** for secrets: the lines again with values decoded (true) or masked (false) */
  reveal?: (reveal: boolean) => Promise<string[]>;
}

export class TextScreen implements Screen {
  readonly vp = new Viewport(false);
  lines: string[];
  revealed = false;

  constructor(private readonly nav: Nav, private readonly o: TextOptions) {
    this.lines = o.lines;
  }

  crumb(): string {
    return this.o.title.split(' ')[0];
  }

  keys(): KeyAction[] {
    // keys can come before the first drawing: the viewport knows the lines there are
    this.vp.count = this.lines.length;
    const keys = navigationKeys(this.vp);
    const reveal = this.o.reveal;
    if (reveal) {
      keys.push({ id: 'reveal', keys: ['x'], desc: this.revealed ? 'mask secret values' : 'reveal secret values (decoded)', section: 'Resource', hint: true, run: () => {
        const next = !this.revealed;
        reveal(next).then((lines) => {
          this.lines = lines;
          this.revealed = next;
          this.nav.redraw();
        }, (e) => this.nav.flash((e as Error).message, 'error'));
      } });
    }
    return keys;
  }

  render(ctx: RenderCtx): React.ReactElement[] {
    const { W, theme } = ctx;
    const inner = Math.max(1, ctx.height - 2);
    const { from, to } = this.vp.layout(this.lines.length, inner);
    const body = this.lines.slice(from, to).map((l, i) => {
      const t = fit(l, W - 2);
      if (this.o.yaml) {
        const m = t.match(/^(\s*-?\s*)([^:\s][^:]*?)(:)(\s.*|$)/);
        if (m) return <Text key={`t${i}`}><Text color={theme.yamlKey}>{m[1] + m[2]}</Text><Text color={theme.fg}>{m[3]}</Text><Text color={theme.yamlValue}>{m[4]}</Text></Text>;
      }
      if (this.o.diff) {
        const color = /^(\+\+\+|---) /.test(t) ? theme.title : t.startsWith('+') ? theme.healthOk : t.startsWith('-') ? theme.healthBad : t.startsWith('@@') ? theme.titleHighlight : theme.fg;
        return <Text key={`t${i}`} color={color}>{t}</Text>;
      }
      // describe's Events table: warnings stand out
      if (/^\s+Warning\s/.test(t)) return <Text key={`t${i}`} color={theme.flashWarn} bold>{t}</Text>;
      return <Text key={`t${i}`} color={theme.fg}>{t}</Text>;
    });
    const pct = this.lines.length <= inner ? '' : ` ${Math.round((to / this.lines.length) * 100)}%`;
    return frame(ctx, ` ${this.o.title}${this.revealed ? ' (revealed)' : ''}${pct} `, body, ctx.height);
  }
}
