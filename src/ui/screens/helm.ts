/**
 * `:helm` and what opens from it: releases (latest revision each), a release's history, its
 * values, manifest, notes, description and diffs as text, and the live state of the objects
 * its manifest names. Rollback and uninstall go through the `helm` CLI in the foreground.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { HelmModel, ReleaseObject, ReleaseRow, RevisionEntry } from '../../app/helm.js';
import { coalesceValues, toYaml, unifiedDiff, type HelmRelease } from '../../resources/helm.js';
import type { Theme } from '../../theme/theme.js';
import type { Nav } from '../nav.js';
import { ConfirmDialog } from '../dialogs/confirm.js';
import { childForeground } from '../actions/terminal.js';
import { startPlugin } from '../actions/plugins.js';
import { HELM_DEFS } from '../keys/defs.js';
import { scopeNames } from '../../plugins/load.js';
import { ListScreen, type ListRow, type ListSource } from './list.js';
import { TextScreen } from './text.js';
import { ageSince } from '../../resources/format.js';

const when = (t: number | '') => (t === '' ? '' : new Date(t).toISOString().slice(0, 19).replace('T', ' '));
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');

export function statusColor(status: string, error?: string): keyof Theme {
  if (error || status === 'failed' || status === 'unknown') return 'rowError';
  if (status.startsWith('pending') || status === 'uninstalling') return 'rowPending';
  if (status === 'superseded' || status === 'uninstalled') return 'rowCompleted';
  return 'rowNormal';
}

/**
 * The release's cells as `helm ls` names them (an unreadable revision says why in STATUS);
 * UPDATED as an age, which leaves the names room in a narrow terminal (history and describe
 * give the time).
 */
export function releaseCells(r: ReleaseRow, now = Date.now()): string[] {
  return [r.release, r.namespace, String(r.revision), r.error ? `unreadable: ${r.error}` : r.status, r.chart, r.appVersion, r.updated === '' ? '' : ageSince(r.updated, now)];
}

/** `helm` on the PATH kmux was given, or undefined. */
export function helmOnPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, 'helm');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Why a helm command cannot run here, or undefined when it can. */
export function helmRefusal(nav: Nav, what: string, context: string): string | undefined {
  const ro = readOnly(nav, what, [context]);
  if (ro) return ro;
  if (!helmOnPath(nav.session.o.env ?? process.env)) return `${what}: needs the helm CLI (Helm 3) on PATH; kmux reads releases without it but changes them only through it`;
  return undefined;
}

function helmCommand(nav: Nav, r: ReleaseRow, what: string, args: string[], question: string): void {
  const refusal = helmRefusal(nav, what, r.context);
  if (refusal) return nav.flash(refusal, 'error');
  const full = [...args, '--kube-context', r.context, '-n', r.namespace];
  const d: ConfirmDialog = new ConfirmDialog({
    title: question,
    lines: [`helm ${full.join(' ')}`],
    close: () => nav.closeDialog(d),
    onCancel: () => nav.flash('cancelled'),
    onYes: () => void childForeground(nav, r.context, 'helm', full, `${what} ${r.release}`).then((ok) => {
      if (ok) nav.flash(`${what} ${r.release}: done`);
    }),
  });
  nav.openDialog(d);
}

/** A text screen whose lines arrive later; a failure shows as its text (and flashes). */
function openText(nav: Nav, title: string, load: () => Promise<string[]>, o: { yaml?: boolean; diff?: boolean } = {}): void {
  const screen = new TextScreen(nav, { title, lines: ['loading…'], ...o });
  nav.push(screen);
  load().then((lines) => {
    screen.lines = lines.length ? lines : ['(empty)'];
    nav.redraw();
  }, (e) => {
    screen.lines = [`error: ${(e as Error).message}`];
    nav.flash(`${title}: ${(e as Error).message}`, 'error');
    nav.redraw();
  });
}

const lines = (text: string) => text.replace(/\n$/, '').split('\n');

/** What `helm get values` shows (all: chart defaults merged with the user's values, as Helm computes them). */
export function valuesLines(rel: HelmRelease, all: boolean): string[] {
  return lines(toYaml(all ? coalesceValues(rel.chart?.values, rel.config) : (rel.config ?? {})));
}

/** `d` on a release: the release, its chart, the chart's dependencies and its hooks with their last run. */
export function describeRelease(rel: HelmRelease, where: { context: string; driver: string }): string[] {
  const md = rel.chart?.metadata ?? {};
  const info = rel.info ?? {};
  const out = [
    `Name:            ${rel.name ?? ''}`,
    `Namespace:       ${rel.namespace ?? ''}`,
    `Context:         ${where.context}`,
    `Revision:        ${rel.version ?? ''}`,
    `Status:          ${info.status ?? ''}`,
    `Description:     ${oneLine(info.description ?? '')}`,
    `First deployed:  ${info.first_deployed ?? ''}`,
    `Last deployed:   ${info.last_deployed ?? ''}`,
    `Stored in:       ${where.driver === 'configmap' ? 'ConfigMap' : 'Secret'} sh.helm.release.v1.${rel.name}.v${rel.version}`,
    'Chart:',
    `  Name:          ${md.name ?? ''}`,
    `  Version:       ${md.version ?? ''}`,
    `  App version:   ${md.appVersion ?? ''}`,
    `  API version:   ${md.apiVersion ?? ''}`,
    `  Type:          ${md.type ?? 'application'}`,
    `  Description:   ${md.description ?? ''}`,
  ];
  if (md.home) out.push(`  Home:          ${md.home}`);
  if (md.sources?.length) out.push(`  Sources:       ${md.sources.join(', ')}`);
  if (md.kubeVersion) out.push(`  Kube version:  ${md.kubeVersion}`);
  if (md.deprecated) out.push('  Deprecated:    true');
  out.push(`  Templates:     ${(rel.chart?.templates ?? []).map((t) => t.name).join(', ') || '<none>'}`);
  out.push('Dependencies:');
  const deps = md.dependencies ?? [];
  if (!deps.length) out.push('  <none>');
  for (const d of deps) out.push(`  ${d.alias ? `${d.name} (as ${d.alias})` : d.name} ${d.version ?? ''}  ${d.repository ?? ''}${d.condition ? `  condition: ${d.condition}` : ''}`);
  out.push('Hooks:');
  const hooks = rel.hooks ?? [];
  if (!hooks.length) out.push('  <none>');
  for (const h of hooks) {
    const run = h.last_run ?? {};
    const state = run.phase ? `${run.phase}${run.started_at ? ` (started ${run.started_at}${run.completed_at ? `, completed ${run.completed_at}` : ''})` : ''}` : 'not run';
    out.push(`  ${h.kind ?? ''}/${h.name ?? ''}  events: ${(h.events ?? []).join(', ')}  weight: ${h.weight ?? 0}${h.delete_policies?.length ? `  delete policy: ${h.delete_policies.join(', ')}` : ''}`);
    out.push(`    last run: ${state}`);
  }
  return out;
}

/** `D`: values and manifest of two revisions as one unified diff. */
export function diffReleases(a: HelmRelease, b: HelmRelease): string[] {
  const name = (r: HelmRelease) => `${r.name} revision ${r.version}`;
  const values = unifiedDiff(toYaml(a.config ?? {}), toYaml(b.config ?? {}), `${name(a)} values`, `${name(b)} values`);
  const manifest = unifiedDiff(a.manifest ?? '', b.manifest ?? '', `${name(a)} manifest`, `${name(b)} manifest`);
  return [
    ...(values.length ? values : [`values: the same in revisions ${a.version} and ${b.version}`]),
    '',
    ...(manifest.length ? manifest : [`manifest: the same in revisions ${a.version} and ${b.version}`]),
  ];
}

/** The text keys on a release or one of its revisions. */
/** What the text keys do on a release or one of its revisions, by key id (HELM_DEFS). */
function textHandlers(nav: Nav, model: HelmModel, target: (row: ListRow) => { r: ReleaseRow; revision: number } | undefined): Record<string, (row: ListRow) => void> {
  const show = (what: string, fn: (rel: HelmRelease, r: ReleaseRow) => string[], o: { yaml?: boolean } = {}) => (row: ListRow) => {
    const t = target(row);
    if (t) openText(nav, `${what}(${t.r.release}@${t.r.context}#${t.revision})`, async () => fn(await model.revision(t.r, t.revision), t.r), o);
  };
  return {
    'helm-values': show('values', (rel) => valuesLines(rel, false), { yaml: true }),
    'helm-all-values': show('all-values', (rel) => valuesLines(rel, true), { yaml: true }),
    'helm-manifest': show('manifest', (rel) => lines(rel.manifest ?? ''), { yaml: true }),
    'helm-notes': show('notes', (rel) => lines(rel.info?.notes ?? '')),
    describe: show('describe', (rel, r) => describeRelease(rel, r)),
  };
}

/** The keys of HELM_DEFS that have a handler, as a list's actions (a changing one refuses in read-only mode). */
function helmActions(nav: Nav, contexts: string[], handlers: Record<string, (row: ListRow, marked: string[]) => void>, desc: Record<string, string> = {}): NonNullable<ListSource['actions']> {
  return HELM_DEFS.filter((d) => handlers[d.id]).map((d) => ({
    id: d.id, keys: [...d.keys], desc: desc[d.id] ?? d.desc, dangerous: d.dangerous,
    unavailable: d.dangerous ? readOnly(nav, d.id.replace(/^helm-/, ''), contexts) : undefined, run: handlers[d.id],
  }));
}

const diffAgainstPrevious = (nav: Nav, model: HelmModel, r: ReleaseRow, revision: number) => {
  if (revision <= 1) return nav.flash(`${r.release}: revision ${revision} is the first, nothing before it to diff against`, 'warn');
  openText(nav, `diff(${r.release}@${r.context}#${revision - 1}..${revision})`, async () => diffReleases(await model.revision(r, revision - 1), await model.revision(r, revision)), { diff: true });
};

/** The message a change through helm refuses with in read-only mode (help marks the key so), or undefined. */
function readOnly(nav: Nav, what: string, contexts: string[]): string | undefined {
  const all = [...nav.session.active, ...contexts];
  return nav.session.readOnlyFor(all) ? nav.session.readOnlyMessage(what, all) : undefined;
}

export function helmList(nav: Nav, model: HelmModel): ListSource {
  const many = model.contexts.length > 1;
  const byKey = (row: ListRow) => model.rows().find((r) => r.key === row.key);
  const where = `${model.namespace ?? 'all'}${many ? `@${model.contexts.join(',')}` : ''}`;
  const columns = [...(many ? ['CONTEXT'] : []), 'NAME', 'NAMESPACE', 'REVISION', 'STATUS', 'CHART', 'APP-VERSION', 'UPDATED'];
  const columnsOf = (row: ListRow) => Object.fromEntries(columns.map((c, i) => [c, row.cells[i] ?? '']));
  const relOf = (r: ReleaseRow) => ({ context: r.context, namespace: r.namespace, name: r.release });
  return {
    get title() {
      return `helm(${where})`;
    },
    columns,
    get hint() {
      const p = model.problems();
      return p.length ? `not listed: ${p.join('; ')}` : model.loading ? 'loading…' : '<enter> history  v/a values  m manifest  r objects  D diff';
    },
    get empty() {
      return model.loading ? 'loading…' : `no Helm releases${model.namespace ? ` in ${model.namespace} (:helm all for every namespace)` : ''}: no secrets or configmaps labelled owner=helm`;
    },
    rows: () => model.rows().map((r) => ({ key: r.key, cells: [...(many ? [r.context] : []), ...releaseCells(r)], color: statusColor(r.status, r.error) })),
    enterDesc: 'history',
    onEnter: (row) => {
      const r = byKey(row);
      if (r) nav.push(new ListScreen(nav, historyList(nav, model, r)));
    },
    actions: helmActions(nav, model.contexts, {
      ...textHandlers(nav, model, (row) => {
        const r = byKey(row);
        return r && { r, revision: r.revision };
      }),
      'helm-diff': (row) => {
        const r = byKey(row);
        if (r) diffAgainstPrevious(nav, model, r, r.revision);
      },
      'helm-objects': (row) => {
        const r = byKey(row);
        if (r) nav.push(new ListScreen(nav, objectsList(nav, model, r)));
      },
      'helm-rollback': (row) => {
        const r = byKey(row);
        if (!r) return;
        if (r.revision <= 1) return nav.flash(`${r.release}: revision 1 has nothing before it to roll back to`, 'warn');
        helmCommand(nav, r, 'rollback', ['rollback', r.release, String(r.revision - 1)], `Roll back ${r.release} to revision ${r.revision - 1}?`);
      },
      'helm-uninstall': (row) => {
        const r = byKey(row);
        if (r) helmCommand(nav, r, 'uninstall', ['uninstall', r.release], `Uninstall ${r.release} from ${r.context}/${r.namespace}?`);
      },
    }),
    // plugins scoped helm (K9s's): NAME the release, NAMESPACE and CONTEXT its own, COL-* these columns
    plugins: {
      names: scopeNames({ plural: 'helm', kind: 'Helm' }, nav.session.aliases), contexts: model.contexts,
      run: (p, row) => {
        const r = byKey(row);
        if (r) startPlugin(nav, { what: `${r.context}: helm release ${r.namespace}/${r.release}`, launch: (pl, inputs) => nav.session.releasePluginLaunch(relOf(r), pl, { inputs, columns: columnsOf(row) }) }, p);
      },
      vars: (row) => {
        const r = byKey(row);
        return r ? nav.session.releaseVars(relOf(r), { columns: columnsOf(row) }) : {};
      },
    },
    dispose: () => model.dispose(),
  };
}

/** enter on a release: every revision; marks pick two to diff. */
export function historyList(nav: Nav, model: HelmModel, r: ReleaseRow): ListSource {
  let entries: RevisionEntry[] | undefined;
  let error: string | undefined;
  const load = () => model.history(r).then((e) => {
    entries = e;
    error = undefined;
    nav.redraw();
  }, (e) => {
    error = (e as Error).message;
    nav.redraw();
  });
  void load();
  const entryOf = (row: ListRow) => entries?.find((e) => String(e.revision) === row.key);
  const texts = textHandlers(nav, model, (row) => {
    const e = entryOf(row);
    return e && { r, revision: e.revision };
  });
  return {
    title: `history(${r.release}@${r.context}/${r.namespace})`,
    columns: ['REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP-VERSION', 'DESCRIPTION'],
    get hint() {
      return error ? `error: ${error}` : '<space> mark two, D diff them (or with the one before)';
    },
    get empty() {
      return error ? `could not read the history: ${error}` : 'loading…';
    },
    markable: true,
    rows: () => (entries ?? []).map((e) => ({
      key: String(e.revision), cells: [String(e.revision), when(e.updated), e.error ? `unreadable: ${e.error}` : e.status, e.chart, e.appVersion, oneLine(e.description)], color: statusColor(e.status, e.error),
    })),
    enterDesc: 'describe this revision',
    onEnter: (row) => texts.describe(row),
    actions: helmActions(nav, [r.context], {
      ...texts,
      'helm-diff': (row, marks) => {
        const marked = marks.map(Number).sort((a, b) => a - b);
        if (marked.length === 2) {
          const [a, b] = marked;
          return openText(nav, `diff(${r.release}@${r.context}#${a}..${b})`, async () => diffReleases(await model.revision(r, a), await model.revision(r, b)), { diff: true });
        }
        if (marked.length > 2) return nav.flash(`mark two revisions to diff, not ${marked.length}`, 'warn');
        const e = entryOf(row);
        if (e) diffAgainstPrevious(nav, model, r, e.revision);
      },
      'helm-rollback': (row) => {
        const e = entryOf(row);
        if (e) helmCommand(nav, r, 'rollback', ['rollback', r.release, String(e.revision)], `Roll back ${r.release} to revision ${e.revision}?`);
      },
    }, { 'helm-diff': 'diff the two marked revisions (or this one with the one before)', 'helm-rollback': 'roll back to this revision (helm)' }),
  };
}

const OBJECT_COLORS: Record<ReleaseObject['state'], keyof Theme> = { ok: 'rowNormal', MISSING: 'rowError', DRIFTED: 'rowPending', 'UNKNOWN KIND': 'rowCompleted', ERROR: 'rowError' };

/** `r`: the objects the release's manifest names, read again every few seconds. */
export function objectsList(nav: Nav, model: HelmModel, r: ReleaseRow, everyMs = 5000): ListSource {
  let objects: ReleaseObject[] | undefined;
  let errors: string[] = [];
  let failure: string | undefined;
  let busy = false;
  const load = () => {
    if (busy) return;
    busy = true;
    model.objects(r).then((o) => {
      objects = o.objects;
      errors = o.errors;
      failure = undefined;
    }, (e) => {
      failure = (e as Error).message;
    }).finally(() => {
      busy = false;
      nav.redraw();
    });
  };
  load();
  const timer = setInterval(load, everyMs);
  timer.unref?.();
  const count = (s: ReleaseObject['state']) => (objects ?? []).filter((o) => o.state === s).length;
  return {
    get title() {
      return `objects(${r.release}@${r.context}#${r.revision})`;
    },
    get hint() {
      if (failure) return `error: ${failure}`;
      if (!objects) return 'loading…';
      return `${count('ok')} ok, ${count('DRIFTED')} drifted, ${count('MISSING')} missing${errors.length ? `; manifest: ${errors.join('; ')}` : ''}  <enter> what differs`;
    },
    get empty() {
      return failure ? `could not read the release: ${failure}` : objects ? 'the manifest names no objects' : 'loading…';
    },
    columns: ['KIND', 'NAME', 'NAMESPACE', 'STATE', 'DETAIL'],
    rows: () => (objects ?? []).map((o) => ({ key: `${o.kind}|${o.namespace ?? ''}/${o.name}`, cells: [o.kind, o.name, o.namespace ?? '', o.state, o.detail[0] ?? ''], color: OBJECT_COLORS[o.state] })),
    enterDesc: 'what differs from the manifest',
    onEnter: (row) => {
      const o = objects?.find((x) => `${x.kind}|${x.namespace ?? ''}/${x.name}` === row.key);
      if (o) nav.push(new TextScreen(nav, { title: `${o.state.toLowerCase()}(${o.kind}/${o.name})`, lines: [`${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}: ${o.state}${o.source ? `  (from ${o.source})` : ''}`, '', ...(o.detail.length ? o.detail : ['the live object has every field the manifest sets'])] }));
    },
    dispose: () => clearInterval(timer),
  };
}
