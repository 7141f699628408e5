/** The crumbs (where the user is) and the status line (the flash, or what keeps the view from the truth). */
import React from 'react';
import { Text } from 'ink';
import { problemLabel } from '../../app/session.js';
import type { Nav } from '../nav.js';
import { clean, fit } from '../text.js';
import type { Drawing } from './frame.js';

export function crumbs(nav: Nav, d: Drawing): React.ReactElement {
  const { theme } = d;
  const ctx = (nav.view()?.spec.contexts ?? nav.session.active).join(',');
  const parts: React.ReactElement[] = [<Text key="ctx" color={theme.crumbFg} backgroundColor={theme.crumbBg}>{` ${ctx} `}</Text>, <Text key="sp0"> </Text>];
  nav.stack.forEach((s, i) => {
    const last = i === nav.stack.length - 1;
    parts.push(<Text key={`c${i}`} color={last ? theme.crumbActiveFg : theme.crumbFg} backgroundColor={last ? theme.crumbActiveBg : theme.crumbBg} bold>{` <${s.crumb()}> `}</Text>);
    parts.push(<Text key={`s${i}`}> </Text>);
  });
  return <Text key="crumbs" wrap="truncate">{parts}</Text>;
}

export function status(nav: Nav, d: Drawing, inline?: string): React.ReactElement {
  const { W, theme } = d;
  const session = nav.session;
  const f = session.flashMsg;
  // a message is read from when it is first drawn: a frame late after a child or under load
  // must not find it already expired
  if (f && f.shownAt === undefined && !inline) f.shownAt = Date.now();
  const fresh = f && Date.now() - (f.shownAt ?? f.at) < (f.level === 'error' ? 10_000 : 5_000);
  if (inline) return <Text key="status" color={theme.flashInfo}>{fit(` ${inline}`, W)}</Text>;
  if (fresh) return <Text key="status" color={f.level === 'error' ? theme.flashError : f.level === 'warn' ? theme.flashWarn : theme.flashInfo}>{fit(' ' + clean(f.text), W)}</Text>;
  // what keeps the view from the truth, with the server's own words
  const view = nav.view();
  const said = new Set<string>();
  const msgs: string[] = [];
  for (const p of view?.sourceProblems() ?? []) {
    if (said.has(p.context)) continue;
    said.add(p.context);
    const retry = p.kind === 'broken' ? '' : p.retryInMs !== undefined ? `; retrying in ${Math.max(1, Math.round(p.retryInMs / 1000))}s` : '; retrying';
    msgs.push(`${p.context}: ${p.message}${retry}`);
  }
  for (const c of session.contexts.values()) {
    if (said.has(c.name) || !(view?.spec.contexts ?? session.active).includes(c.name)) continue;
    if (c.health.state === 'error') msgs.push(`${c.name} ${problemLabel(c.health.errorKind ?? 'unreachable')} (${c.health.error}), retrying`);
    else if (c.health.state === 'broken') msgs.push(`${c.name} broken: ${c.health.error}`);
  }
  if (msgs.length) return <Text key="status" color={theme.flashWarn}>{fit(` ${clean(msgs.join('; '))}`, W)}</Text>;
  return <Text key="status">{' '.repeat(W)}</Text>;
}
