/** The sources of the list screens: contexts, skins, plugins, aliases, port-forwards, problems. */
import { basename } from 'node:path';
import { IGNORED_SOURCE, problemLabel } from '../../app/session.js';
import { describePlugin, formatProblem as pluginProblem } from '../../plugins/load.js';
import { displayText } from '../../plugins/run.js';
import { PREVIEW_ROLES } from '../../theme/theme.js';
import { listSkins, loadTheme } from '../../theme/select.js';
import type { Nav } from '../nav.js';
import { PF_COLUMNS, pfRowCells, pfRowColor } from '../portforward.js';
import { clean, wrapLines } from '../text.js';
import { runCommand } from '../commands.js';
import type { ListRow, ListSource } from './list.js';
import { TextScreen } from './text.js';

export function contextsList(nav: Nav): ListSource {
  const session = nav.session;
  return {
    title: 'contexts', columns: ['NAME', 'CLUSTER', 'USER', 'SERVER', 'STATUS', 'VERSION', 'NODES'], markable: true,
    hint: '<enter> switch  <space> mark (several: one merged view)', enterDesc: 'switch context (the marked ones: merged)',
    initial: (rows) => rows.findIndex((r) => r.key === session.active[0]),
    rows: () => [...session.contexts.values()].map((c) => {
      const h = c.health;
      const status = h.state === 'ok' ? 'reachable' : h.state === 'connecting' ? (h.checkedAt ? 'checking' : 'not checked')
        : h.state === 'broken' ? `broken: ${h.error ?? ''}` : `${problemLabel(h.errorKind ?? 'unreachable')}: ${h.error ?? ''}`;
      return {
        key: c.name,
        cells: [(session.active.includes(c.name) ? '* ' : '  ') + c.name, c.info.cluster, c.info.user, c.info.server ?? '', status, h.version ?? '', h.nodes === undefined ? '' : String(h.nodes)],
        // K9s highlights the context in use (highlightColor); kmux first says which ones fail
        color: h.state === 'error' || h.state === 'broken' ? 'rowError' : session.active.includes(c.name) ? 'rowHighlight' : h.state === 'ok' ? 'rowNormal' : 'rowPending',
      };
    }),
    onEnter: (row, marked) => nav.switchContexts(marked.length ? marked : [row.key]),
  };
}

export function skinsList(nav: Nav): ListSource {
  const session = nav.session;
  const env = session.o.env ?? process.env;
  const current = session.skinChoice(nav.view()?.spec.contexts[0] ?? session.active[0])?.choice.name ?? 'stock';
  const rows: ListRow[] = listSkins(env).map((sk) => {
    const t = loadTheme(sk.file, env).theme;
    return { key: sk.name, cells: [(sk.name === current ? '* ' : '  ') + sk.name, sk.origin, sk.file], swatches: PREVIEW_ROLES.map((r) => t[r] ?? '') };
  });
  return {
    title: 'skins', columns: ['NAME', 'FROM', 'FILE'], hint: `<enter> use it everywhere   (in use: ${current})`,
    rows: () => rows,
    // the cursor starts on the skin in use
    initial: (rs) => rs.findIndex((r) => r.key === current),
    enterDesc: 'use this skin',
    onEnter: (row) => {
      session.setSkin(row.key);
      nav.pop();
    },
  };
}

export function pluginsList(nav: Nav): ListSource {
  const session = nav.session;
  const problems = () => [...session.plugins.problems, ...session.hotkeys.problems];
  return {
    title: 'plugins', columns: ['KEY', 'NAME', 'DESCRIPTION', 'SCOPES', 'SOURCE', 'NOTES'], hint: '<enter> a job: its output',
    rows: () => {
      const rows: ListRow[] = [];
      for (const p of session.plugins.plugins) {
        const d = describePlugin(p);
        rows.push({ key: `p:${p.name}`, cells: [d.key, d.name, d.description, d.scopes, d.source, d.flags].map(clean), color: p.dangerous ? 'rowPending' : 'rowNormal' });
      }
      for (const h of session.hotkeys.hotkeys) rows.push({ key: `h:${h.id}`, cells: [h.shortCutText, h.id, h.description, 'hotkey', h.command, h.bound ? '' : 'not bound'].map(clean), color: 'rowNormal' });
      for (const [i, pr] of problems().entries()) {
        rows.push({ key: `x:${i}`, cells: ['', pr.kind.toUpperCase(), pr.message, '', `${basename(pr.file)}${pr.line ? `:${pr.line}` : ''}`, '<enter>'].map(clean), color: pr.kind === 'override' ? 'rowPending' : 'rowError' });
      }
      for (const sk of session.plugins.skipped) rows.push({ key: `s:${sk.name}`, cells: ['', sk.name, `not loaded: ${sk.reason}`, '', `${sk.file}:${sk.line}`, ''].map(clean), color: 'rowCompleted' });
      for (const j of session.jobs.list()) {
        rows.push({ key: `j:${j.id}`, cells: [`job ${j.id}`, j.plugin, j.commandLine, j.status, j.exitCode === undefined ? '' : `exit ${j.exitCode}`, new Date(j.startedAt).toISOString().slice(11, 19)].map(clean), color: j.status === 'running' ? 'rowPending' : j.status === 'failed' || (j.exitCode ?? 0) !== 0 ? 'rowError' : 'rowCompleted' });
      }
      return rows;
    },
    enterDesc: 'show (a job: its output; a problem: all of it)',
    onEnter: (row) => {
      const w = Math.max(20, nav.W - 4);
      if (row.key.startsWith('x:')) {
        const pr = problems()[Number(row.key.slice(2))];
        if (pr) nav.push(new TextScreen(nav, { title: `plugin problem (${pr.kind})`, lines: wrapLines(clean(pluginProblem(pr)), w) }));
        return;
      }
      if (!row.key.startsWith('j:')) return;
      const job = session.jobs.get(Number(row.key.slice(2)));
      if (!job) return;
      const text = `$ ${job.commandLine}\nstatus: ${job.status}${job.exitCode !== undefined ? `, exit ${job.exitCode}` : ''}\n\n--- stdout ---\n${displayText(job.stdout)}\n--- stderr ---\n${displayText(job.stderr)}`;
      nav.push(new TextScreen(nav, { title: `job ${job.id} ${job.plugin}`, lines: wrapLines(text, w) }));
    },
  };
}

/** The user's aliases (K9s's and kmux's files) and every resource's own short names. */
export function aliasesList(nav: Nav): ListSource {
  const session = nav.session;
  const rows = (): ListRow[] => {
    const out = new Map<string, ListRow>();
    for (const [k, v] of Object.entries(session.aliases)) out.set(k, { key: k, cells: [k, v, 'alias'] });
    for (const ctx of session.active) {
      for (const r of session.contexts.get(ctx)?.resources ?? []) {
        const target = r.group ? `${r.plural}.${r.group}` : r.plural;
        for (const s of [...r.shortNames, r.singular]) if (s && s !== r.plural && !out.has(s)) out.set(s, { key: s, cells: [s, target, r.singular === s ? 'singular' : 'short name'], color: 'rowCompleted' });
      }
    }
    return [...out.values()].sort((a, b) => a.key.localeCompare(b.key));
  };
  return {
    title: 'aliases', columns: ['ALIAS', 'COMMAND', 'FROM'], rows, enterDesc: 'run it',
    onEnter: (row) => void runCommand(nav, row.cells[1]),
  };
}

export function forwardsList(nav: Nav): ListSource {
  const forwards = nav.session.forwards;
  return {
    title: 'port-forwards', columns: PF_COLUMNS, hint: '<ctrl-d> stop',
    empty: 'no port-forwards: <shift-f> on a pod (or a container) starts one',
    rows: () => forwards.list().map((f) => ({ key: String(f.id), cells: pfRowCells(f), color: pfRowColor(f) })),
    actions: [{ id: 'stop', keys: ['<ctrl-d>'], desc: 'stop forward', run: (r) => {
      const f = forwards.get(Number(r.key))?.info;
      if (f && forwards.stop(f.id)) nav.flash(`stopped forward ${f.localPort} -> ${f.namespace}/${f.pod}:${f.remotePort}`);
    } }],
  };
}

/** `:problems`: everything wrong found in the user's files and contexts, oldest first. */
export function problemsList(nav: Nav): ListSource {
  const session = nav.session;
  return {
    title: 'problems', columns: ['SOURCE', 'PROBLEM'], empty: 'no problems found',
    hint: session.problems.length ? 'kmux carries on with defaults for what is wrong' : undefined,
    // K9s settings kmux does not use are not mistakes: listed in the plain color
    rows: () => session.problems.map((p, i) => ({ key: String(i), cells: [p.source, p.message], color: p.source === IGNORED_SOURCE ? ('fg' as const) : ('rowError' as const) })),
    enterDesc: 'show all of it',
    onEnter: (row) => {
      const p = session.problems[Number(row.key)];
      if (p) nav.push(new TextScreen(nav, { title: `problem (${p.source})`, lines: wrapLines(clean(p.message), Math.max(20, nav.W - 4)) }));
    },
  };
}
