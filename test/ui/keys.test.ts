/**
 * What a kind can do, as keys: one table of every built-in kind (and a CRD without and with a
 * scale subresource) and the exact keys its view offers. The same definitions feed dispatch,
 * help, the header's hints and the plugin clash checks, so they are checked here once.
 */
import { describe, expect, it } from 'vitest';
import type { ApiResource } from '../../src/kube/discovery.js';
import { capabilitiesFor } from '../../src/resources/capabilities.js';
import { builtinKeysFor, FILTER_DEFS, GLOBAL_DEFS, MOVE_DEFS, tableKeyDefs } from '../../src/ui/keys/defs.js';
import { dispatch, withExtensions, type KeyAction } from '../../src/ui/keys/keys.js';
import { Nav } from '../../src/ui/nav.js';
import { TableScreen } from '../../src/ui/screens/table.js';
import type { TableView } from '../../src/app/session.js';
import { fakeSession, press } from '../helpers/ui.js';

type Kind = Pick<ApiResource, 'group' | 'plural' | 'namespaced'> & { subresources?: string[] };

/** Every table view has these; namespaced kinds add 0-9 (favorite namespaces). */
const COMMON = ['<enter>', 'd', 'y', 'e', '<ctrl-d>', '<space>', '<ctrl-\\>', '<ctrl-w>', '<ctrl-z>', 'N', 'A', 'S', 'O'];

/** kind -> the keys its capabilities add, each with the action it runs. */
const KINDS: { name: string; kind: Kind; adds: Record<string, string> }[] = [
  { name: 'pods', kind: { group: '', plural: 'pods', namespaced: true }, adds: { l: 'logs', p: 'previous-logs', s: 'shell', a: 'attach', '<shift-f>': 'port-forward', '<ctrl-k>': 'kill' } },
  { name: 'services', kind: { group: '', plural: 'services', namespaced: true }, adds: { l: 'logs' } },
  { name: 'nodes', kind: { group: '', plural: 'nodes', namespaced: false }, adds: { c: 'cordon', u: 'uncordon', r: 'drain' } },
  { name: 'namespaces', kind: { group: '', plural: 'namespaces', namespaced: false }, adds: {} },
  { name: 'secrets', kind: { group: '', plural: 'secrets', namespaced: true }, adds: {} },
  { name: 'configmaps', kind: { group: '', plural: 'configmaps', namespaced: true }, adds: {} },
  { name: 'deployments', kind: { group: 'apps', plural: 'deployments', namespaced: true, subresources: ['status', 'scale'] }, adds: { l: 'logs', s: 'scale', r: 'restart' } },
  { name: 'statefulsets', kind: { group: 'apps', plural: 'statefulsets', namespaced: true, subresources: ['status', 'scale'] }, adds: { l: 'logs', s: 'scale', r: 'restart' } },
  { name: 'daemonsets', kind: { group: 'apps', plural: 'daemonsets', namespaced: true, subresources: ['status'] }, adds: { l: 'logs', r: 'restart' } },
  { name: 'replicasets', kind: { group: 'apps', plural: 'replicasets', namespaced: true, subresources: ['status', 'scale'] }, adds: { l: 'logs', s: 'scale' } },
  { name: 'jobs', kind: { group: 'batch', plural: 'jobs', namespaced: true }, adds: { l: 'logs' } },
  { name: 'cronjobs', kind: { group: 'batch', plural: 'cronjobs', namespaced: true }, adds: {} },
  { name: 'events', kind: { group: '', plural: 'events', namespaced: true }, adds: {} },
  { name: 'events.k8s.io', kind: { group: 'events.k8s.io', plural: 'events', namespaced: true }, adds: {} },
  { name: 'persistentvolumeclaims', kind: { group: '', plural: 'persistentvolumeclaims', namespaced: true, subresources: ['status'] }, adds: {} },
  { name: 'poddisruptionbudgets', kind: { group: 'policy', plural: 'poddisruptionbudgets', namespaced: true, subresources: ['status'] }, adds: {} },
  { name: 'a CRD without scale', kind: { group: 'sim.kmux.dev', plural: 'databases', namespaced: true, subresources: ['status'] }, adds: {} },
  { name: 'a CRD with scale', kind: { group: 'sim.kmux.dev', plural: 'databases', namespaced: true, subresources: ['status', 'scale'] }, adds: { s: 'scale' } },
  { name: 'a cluster-scoped CRD with scale', kind: { group: 'x.example', plural: 'widgets', namespaced: false, subresources: ['scale'] }, adds: { s: 'scale' } },
];

/** A TableScreen over a view of the kind: only its keys are asked for, nothing is run. */
function tableScreenOf(kind: Kind): TableScreen {
  const session = fakeSession({ readOnlyFor: () => undefined, readOnlyMessage: () => '' });
  const nav = new Nav(session, { resource: kind.plural, contexts: ['c'] });
  const view = { resource: { ...kind, singular: kind.plural, version: 'v1', kind: 'X', shortNames: [], verbs: [], categories: [] }, spec: { resource: kind.plural, contexts: ['c'] }, marks: new Set(), rows: () => [], current: () => undefined, perContext: new Map() } as unknown as TableView;
  return new TableScreen(nav, view);
}

describe('kind -> keys', () => {
  for (const { name, kind, adds } of KINDS) {
    it(`${name}: ${Object.keys(adds).join(' ') || 'nothing beyond the common keys'}${kind.namespaced ? ', 0-9' : ''}`, () => {
      const defs = tableKeyDefs(kind, capabilitiesFor(kind));
      const byKey = new Map(defs.flatMap((d) => d.keys.map((k) => [k, d.id] as const)));
      const expected = [...COMMON, ...Object.keys(adds), ...(kind.namespaced ? ['0-9'] : [])];
      expect([...byKey.keys()].sort()).toEqual([...expected].sort());
      for (const [k, id] of Object.entries(adds)) expect(byKey.get(k), `${k} on ${name}`).toBe(id);

      // the view binds every one of them (a definition without a handler would vanish silently)
      const bound = tableScreenOf(kind).keys();
      const boundIds = new Set(bound.map((a) => a.id));
      for (const d of defs) expect(boundIds.has(d.id), `${d.id} bound on ${name}`).toBe(true);
      // and dispatch finds each added key's action
      for (const [k, id] of Object.entries(adds)) expect(dispatch(bound, ...press(k))?.id, `${k} dispatched on ${name}`).toBe(id);
      if (kind.namespaced) for (const d of '0123456789') expect(dispatch(bound, ...press(d))?.id).toBe(d === '0' ? 'favorite' : `favorite-${d}`);
      else expect(dispatch(bound, ...press('1'))).toBeUndefined();

      // no key means two things on one view
      const all = [...GLOBAL_DEFS, ...FILTER_DEFS, ...MOVE_DEFS, ...defs].flatMap((d) => d.keys);
      expect(all.filter((k, i) => all.indexOf(k) !== i)).toEqual([]);
    });
  }

  it('descriptions say what the key does on that kind', () => {
    const desc = (kind: Kind, id: string) => tableKeyDefs(kind).find((d) => d.id === id)?.desc;
    expect(desc(KINDS[0].kind, 'logs')).toBe('logs');
    expect(desc(KINDS[6].kind, 'logs')).toBe('logs of its pods');
    expect(desc(KINDS[0].kind, 'drill')).toBe('drill down');
    expect(desc(KINDS[4].kind, 'drill')).toBe('describe');
    // the keys that change things are marked dangerous (read-only and RBAC refuse them)
    const dangerous = new Set(KINDS.flatMap((k) => tableKeyDefs(k.kind)).filter((d) => d.dangerous).map((d) => d.id));
    expect([...dangerous].sort()).toEqual(['attach', 'cordon', 'delete', 'drain', 'edit', 'kill', 'restart', 'scale', 'shell', 'uncordon']);
  });

  it('the plugin clash check of a scope knows the keys that scope\'s view takes', () => {
    const has = (scope: string, key: string, shift = false, ctrl = false) => builtinKeysFor(scope).some((k) => k.key === key && k.shift === shift && k.ctrl === ctrl);
    for (const scope of ['pods', 'po', 'pod']) {
      for (const k of ['l', 'p', 's', 'a']) expect(has(scope, k), `${k} in ${scope}`).toBe(true);
      expect(has(scope, 'f', true)).toBe(true);
      expect(has(scope, 'k', false, true)).toBe(true);
    }
    for (const scope of ['deployments', 'deploy']) for (const k of ['l', 's', 'r']) expect(has(scope, k), `${k} in ${scope}`).toBe(true);
    for (const k of ['c', 'u', 'r']) expect(has('nodes', k)).toBe(true);
    // not what another kind has
    expect(has('nodes', 'l')).toBe(false);
    expect(has('services', 's')).toBe(false);
    expect(has('configmaps', 'l')).toBe(false);
    // every view: the global, moving and common table keys a plugin can spell
    for (const k of ['j', 'k', 'g', 'd', 'y', 'e']) expect(has('all', k), k).toBe(true);
    expect(has('all', 'g', true)).toBe(true); // G
    expect(has('all', 'd', false, true)).toBe(true);
    expect(has('all', 'l')).toBe(false);
    // :helm's releases (K9s's helm scope): its own keys, not a table's
    for (const k of ['v', 'a', 'm', 'n', 'd', 'r']) expect(has('helm', k), `${k} in helm`).toBe(true);
    expect(has('helm', 'd', true)).toBe(true); // D
    expect(has('helm', 'r', true)).toBe(true); // R
    expect(has('helm', 'd', false, true)).toBe(true);
    expect(has('helm', 'y')).toBe(false);
    expect(has('helm', 'v', true)).toBe(false);
  });
});

describe('plugins and hotkeys over kmux\'s keys', () => {
  const ran: string[] = [];
  const own: KeyAction[] = [
    { id: 'logs', keys: ['l'], desc: 'logs', section: 'Resource', run: () => ran.push('logs') },
    { id: 'down', keys: ['j', '<down>'], desc: 'down', section: 'Navigation', run: () => ran.push('down') },
  ];
  const ext = (key: string, override: boolean, id = 'plugin:x') => ({ id, keys: [key], desc: 'x', section: 'Plugins' as const, source: 'plugin' as const, override, run: () => ran.push(id) });

  it('with override the plugin takes the key: pressing it runs the plugin, kmux\'s action has no key left', () => {
    ran.length = 0;
    const keys = withExtensions(own, [ext('l', true)]);
    dispatch(keys, ...press('l'))?.run();
    expect(ran).toEqual(['plugin:x']);
    expect(keys.some((a) => a.id === 'logs')).toBe(false);
    // a key of several: only that one goes
    const moved = withExtensions(own, [ext('j', true)]);
    expect(moved.find((a) => a.id === 'down')?.keys).toEqual(['<down>']);
    dispatch(moved, ...press('<down>'))?.run();
    expect(ran).toEqual(['plugin:x', 'down']);
  });

  it('without override kmux\'s key wins; a free key is the plugin\'s', () => {
    ran.length = 0;
    const keys = withExtensions(own, [ext('l', false), ext('<shift-l>', false, 'plugin:y')]);
    dispatch(keys, ...press('l'))?.run();
    dispatch(keys, ...press('L'))?.run();
    expect(ran).toEqual(['logs', 'plugin:y']);
    expect(keys.some((a) => a.id === 'plugin:x')).toBe(false);
  });
});
