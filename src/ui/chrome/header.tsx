/**
 * The header: context, cluster, user, versions and usage on the left; the screen's key hints
 * (from the same registry as dispatch and help) and the favorite namespaces in columns; the
 * logo on wide terminals. Hints are never cut: a column is as wide as its longest hint, and
 * what does not fit is left for `?`.
 */
import React from 'react';
import { Text } from 'ink';
import type { Nav } from '../nav.js';
import { keyLabel, type KeyAction } from '../keys/keys.js';
import { clean, fit, width } from '../text.js';
import type { Drawing } from './frame.js';

const LOGO = [' _                        ', '| | ___ __ ___  _   ___ __', '| |/ / \'_ ` _ \\| | | \\ \\/ /', '|   <| | | | | | |_| |>  < ', '|_|\\_\\_| |_| |_|\\__,_/_/\\_\\', '', ''];
export const HEADER_LINES = 7;

export function header(nav: Nav, d: Drawing, o: { version: string; logoless?: boolean; actions: KeyAction[] }): React.ReactElement[] {
  const { W, theme } = d;
  const session = nav.session;
  const view = nav.view();
  const ctxs = view?.spec.contexts ?? session.active;
  const c0 = session.contexts.get(ctxs[0]);
  const healthOf = (n: string) => session.contexts.get(n)?.health;
  const ctxText = ctxs.map((n) => {
    const h = healthOf(n);
    if (h?.state === 'broken') return `${n}(broken)`;
    if (h?.state !== 'error') return n;
    return h.errorKind === 'unauthorized' ? `${n}(unauthorized)` : h.errorKind === 'credentials' ? `${n}(no credentials)` : `${n}(down)`;
  }).join(',');
  const usage = c0 ? session.clusterUsage(c0.name) : undefined;
  // values as K9s colors them: versions in k9sRevColor, CPU and MEM in cpuColor and memColor
  const info: [string, string, string?][] = [
    ['Context:', ctxText],
    ['Cluster:', ctxs.length > 1 ? `${ctxs.length} clusters` : c0?.info.cluster ?? ''],
    // the user as the server sees it (SelfSubjectReview), else the kubeconfig's name for it
    ['User:', ctxs.length > 1 ? '(per context)' : c0?.user?.username ?? c0?.info.user ?? ''],
    ['K8s Rev:', ctxs.map((n) => healthOf(n)?.version ?? (healthOf(n)?.state === 'error' ? 'n/a' : '…')).join(',')],
    ['kmux Rev:', `v${o.version}`, theme.infoVersion],
    ['CPU:', usage ? `${usage.cpuPct !== undefined ? `${usage.cpuPct}% ` : ''}(${(usage.cpu / 1000).toFixed(1)} cores)` : 'n/a', theme.infoCpu],
    ['MEM:', usage ? `${usage.memPct !== undefined ? `${usage.memPct}% ` : ''}(${(usage.mem / 2 ** 30).toFixed(1)} GiB)` : 'n/a', theme.infoMem],
  ];
  // the prompts and help first, as K9s lists them; a hint's description without its parenthesis
  // what the user can do now: a key read-only mode or RBAC refuses is in `?` with its reason
  const hinted = o.actions.filter((a) => a.hint && !a.hidden && !a.unavailable);
  const hintOf = (a: KeyAction) => ({ key: keyLabel(a), desc: a.desc.replace(/\s*\(.*\)\s*$/, ''), num: false });
  // then the favorites, K9s's way (<0> all, <1> default...): before the view's own keys, so
  // they are shown however many keys the view has (what does not fit is in `?`)
  // (number keys in menu.numKeyColor)
  const favorites = view?.resource.namespaced ? [{ key: '<0>', desc: 'all', num: true }, ...session.favorites().map((f, i) => ({ key: `<${i + 1}>`, desc: f, num: true }))] : [];
  const hints = [...hinted.filter((a) => a.section === 'General').map(hintOf), ...favorites, ...hinted.filter((a) => a.section !== 'General').map(hintOf)];
  const leftW = 34;
  const logoW = W >= 120 && !o.logoless ? 28 : 0;
  const keyW = Math.min(12, Math.max(3, ...hints.map((h) => width(h.key))) + 1);
  const colW = keyW + Math.min(18, Math.max(6, ...hints.map((h) => width(h.desc)))) + 2;
  const room = W - leftW - logoW;
  const cols = Math.max(0, Math.floor(room / colW));
  // a hint that does not fit whole is left out (and still in `?`)
  const fits = hints.filter((h) => width(h.key) < keyW && width(h.desc) <= colW - keyW - 2).slice(0, cols * HEADER_LINES);
  const out: React.ReactElement[] = [];
  for (let i = 0; i < HEADER_LINES; i++) {
    const parts: React.ReactElement[] = [];
    parts.push(<Text key="l" color={theme.infoLabel}>{fit(info[i][0], 10)}</Text>);
    parts.push(<Text key="v" color={info[i][2] ?? theme.infoValue} bold>{fit(clean(info[i][1]), leftW - 10)}</Text>);
    for (let c = 0; c < cols; c++) {
      const h = fits[c * HEADER_LINES + i];
      parts.push(h
        ? <Text key={`h${c}`}><Text color={h.num ? theme.menuNumKey : theme.menuKey}>{fit(h.key, keyW)}</Text><Text color={theme.menuDesc}>{fit(clean(h.desc), colW - keyW)}</Text></Text>
        : <Text key={`h${c}`}>{' '.repeat(colW)}</Text>);
    }
    const used = leftW + cols * colW;
    if (logoW) parts.push(<Text key="logo" color={theme.logo}>{fit(LOGO[i], W - used)}</Text>);
    else parts.push(<Text key="pad">{' '.repeat(Math.max(0, W - used))}</Text>);
    out.push(<Text key={`hdr${i}`} wrap="truncate">{parts}</Text>);
  }
  return out;
}
