/**
 * `?`: the keys of the screen below, from the same registry that dispatches them, by section,
 * with what stops a key now (read-only, permissions); then favorites and the `:` commands.
 */
import React from 'react';
import { Text } from 'ink';
import { COMMANDS } from '../../app/command.js';
import { SECTIONS, keyLabel, type KeyAction } from '../keys/keys.js';
import type { Nav } from '../nav.js';
import { Viewport } from '../scroll.js';
import { fit } from '../text.js';
import { frame } from '../chrome/frame.js';
import { navigationKeys } from './navigation.js';
import type { RenderCtx, Screen } from './screen.js';

const RESOURCE_FORMS = [
  ':pods, :po, :deploy, :nodes ... (any resource, short name or alias)',
  ':po kube-system   a namespace; all or -A for every namespace',
  ':po app=web   label selector; :po /text filter; :po -f text fuzzy',
  ':pods @all  or  :deploy @dev,prod   several contexts in one view',
];

export class HelpScreen implements Screen {
  readonly vp = new Viewport(false);

  constructor(private readonly nav: Nav, private readonly below: Screen | undefined) {}

  crumb(): string {
    return 'help';
  }

  keys(): KeyAction[] {
    return navigationKeys(this.vp);
  }

  /** The help text as plain lines (tests read these). */
  lines(): { text: string; kind: 'section' | 'key' | 'text'; key?: string }[] {
    const out: { text: string; kind: 'section' | 'key' | 'text'; key?: string }[] = [];
    const list = this.nav.actionsOf(this.below);
    for (const sec of SECTIONS) {
      const items = list.filter((b) => b.section === sec && !b.hidden);
      if (!items.length) continue;
      out.push({ text: ` ${sec.toUpperCase()}`, kind: 'section' });
      for (const b of items) {
        const desc = b.unavailable ? `${b.desc} (${b.unavailable.startsWith('read-only') ? 'read-only' : b.unavailable.startsWith('not allowed') ? 'not allowed' : 'unavailable'})` : b.desc;
        out.push({ text: desc, kind: 'key', key: `   ${keyLabel(b)}` });
      }
    }
    if (this.below?.view?.resource.namespaced) {
      const favs = this.nav.session.favorites();
      out.push({ text: `   favorites: 0 all${favs.map((f, i) => `  ${i + 1} ${f}`).join('')}   (:ns NAME switches and adds one)`, kind: 'text' });
    }
    out.push({ text: ' COMMANDS', kind: 'section' });
    for (const c of RESOURCE_FORMS) out.push({ text: `   ${c}`, kind: 'text' });
    for (const c of COMMANDS) out.push({ text: `   :${c.name}${c.args ? ` ${c.args}` : ''}   ${c.help}`, kind: 'text' });
    return out;
  }

  render(ctx: RenderCtx): React.ReactElement[] {
    const { W, theme } = ctx;
    const all = this.lines();
    const { from, to } = this.vp.layout(all.length, Math.max(1, ctx.height - 2));
    const body = all.slice(from, to).map((l, i) => {
      if (l.kind === 'section') return <Text key={`s${i}`} color={theme.helpSection} bold>{fit(l.text, W - 2)}</Text>;
      if (l.kind === 'key') return <Text key={`k${i}`}><Text color={theme.helpKey}>{fit(l.key ?? '', 24)}</Text><Text color={theme.fg}>{fit(l.text, W - 26)}</Text></Text>;
      return <Text key={`t${i}`} color={theme.fg}>{fit(l.text, W - 2)}</Text>;
    });
    const pct = all.length <= ctx.height - 2 ? '' : ` ${Math.round((to / all.length) * 100)}%`;
    return frame(ctx, ` help${pct} `, body, ctx.height);
  }
}
