/**
 * kmux's keys as data: the global ones, the moving ones, and a table view's, which follow
 * from its kind's capabilities (K9s's "extenders"). Screens attach what each does by id; the
 * plugin and hotkey loaders read the same definitions to report clashes.
 */
import type { ApiResource } from '../../kube/discovery.js';
import { capabilitiesFor, type Capabilities } from '../../resources/capabilities.js';
import { canonicalScope } from '../../plugins/load.js';
import type { KeySpec } from '../../plugins/keys.js';
import { takenKeys, type KeyDef } from './keys.js';

export const GLOBAL_DEFS: readonly KeyDef[] = [
  { id: 'command', keys: [':'], desc: 'command', section: 'General', hint: true },
  { id: 'help', keys: ['?'], desc: 'help', section: 'General', hint: true },
  { id: 'back', keys: ['<esc>'], desc: 'back', section: 'General' },
  { id: 'quit', keys: ['<ctrl-c>'], desc: 'quit', section: 'General' },
  { id: 'history-back', keys: ['['], desc: 'history back', section: 'General' },
  { id: 'history-forward', keys: [']'], desc: 'history forward', section: 'General' },
  { id: 'previous', keys: ['-'], desc: 'previous view', section: 'General' },
  { id: 'header', keys: ['<ctrl-e>'], desc: 'toggle header', section: 'View' },
  { id: 'crumbs', keys: ['<ctrl-g>'], desc: 'toggle crumbs', section: 'View' },
  { id: 'refresh', keys: ['<ctrl-r>'], desc: 'refresh', section: 'General' },
  { id: 'aliases', keys: ['<ctrl-a>'], desc: 'aliases', section: 'General' },
];

/** On screens that filter (tables, lists, logs). */
export const FILTER_DEFS: readonly KeyDef[] = [
  { id: 'filter', keys: ['/'], desc: 'filter', section: 'General', hint: true },
  { id: 'clear-filter', keys: ['<ctrl-u>'], desc: 'clear filter', section: 'General' },
];

/** The moving keys of every scrolling screen: soft, as K9s leaves them to plugins and hotkeys. */
export const MOVE_DEFS: readonly KeyDef[] = [
  { id: 'down', keys: ['j', '<down>'], desc: 'down', section: 'Navigation', soft: true },
  { id: 'up', keys: ['k', '<up>'], desc: 'up', section: 'Navigation', soft: true },
  { id: 'page-down', keys: ['<pgdn>', '<ctrl-f>'], desc: 'page down', section: 'Navigation', soft: true },
  { id: 'page-up', keys: ['<pgup>', '<ctrl-b>'], desc: 'page up', section: 'Navigation', soft: true },
  { id: 'top', keys: ['g', '<home>'], desc: 'top', section: 'Navigation', soft: true },
  { id: 'bottom', keys: ['G', '<end>'], desc: 'bottom', section: 'Navigation', soft: true },
];

/**
 * A pod's containers view (K9s's has no describe, yaml, edit or delete: a plugin may take d, y,
 * e and ctrl-d there). Its moving keys and filter come with every list.
 */
export const CONTAINER_DEFS: readonly KeyDef[] = [
  { id: 'shell', keys: ['s'], desc: 'shell', section: 'Resource', hint: true, dangerous: true },
  { id: 'attach', keys: ['a'], desc: 'attach', section: 'Resource', hint: true, dangerous: true },
  { id: 'port-forward', keys: ['<shift-f>'], desc: 'port-forward', section: 'Resource', hint: true },
  { id: 'logs', keys: ['l'], desc: 'logs of the container', section: 'Resource', hint: true },
  { id: 'previous-logs', keys: ['p'], desc: 'previous logs of the container', section: 'Resource', hint: true },
];

/**
 * `:helm`'s releases: enter opens the history (the list draws it), the rest read the release
 * from its storage objects; rollback and uninstall go through the helm CLI. K9s's plugins
 * scoped `helm` run on these rows.
 */
export const HELM_DEFS: readonly KeyDef[] = [
  { id: 'helm-values', keys: ['v'], desc: 'user values', section: 'Resource', hint: true },
  { id: 'helm-all-values', keys: ['a'], desc: 'all values (chart defaults merged)', section: 'Resource', hint: true },
  { id: 'helm-manifest', keys: ['m'], desc: 'manifest', section: 'Resource', hint: true },
  { id: 'helm-notes', keys: ['n'], desc: 'notes', section: 'Resource', hint: true },
  { id: 'describe', keys: ['d'], desc: 'describe (chart, dependencies, hooks)', section: 'Resource', hint: true },
  { id: 'helm-diff', keys: ['D'], desc: 'diff with the previous revision', section: 'Resource', hint: true },
  { id: 'helm-objects', keys: ['r'], desc: 'objects of the release, live (missing, drifted)', section: 'Resource', hint: true },
  { id: 'helm-rollback', keys: ['R'], desc: 'roll back to the previous revision (helm)', section: 'Resource', hint: true, dangerous: true },
  { id: 'helm-uninstall', keys: ['<ctrl-d>'], desc: 'uninstall (helm)', section: 'Resource', hint: true, dangerous: true },
];
const HELM_ENTER: KeyDef = { id: 'enter', keys: ['<enter>'], desc: 'history', section: 'Resource', hint: true };

/** A table view's keys: every kind's, then what its capabilities bring. */
export function tableKeyDefs(res: Pick<ApiResource, 'group' | 'plural' | 'namespaced'> & Partial<Pick<ApiResource, 'subresources'>>, caps: Capabilities = capabilitiesFor(res)): KeyDef[] {
  const d: KeyDef[] = [
    { id: 'drill', keys: ['<enter>'], desc: caps.drill ? 'drill down' : 'describe', section: 'Resource', hint: true },
    { id: 'describe', keys: ['d'], desc: 'describe', section: 'Resource', hint: true },
    { id: 'yaml', keys: ['y'], desc: 'yaml', section: 'Resource', hint: true },
    { id: 'edit', keys: ['e'], desc: 'edit (kubectl edit)', section: 'Resource', hint: true, dangerous: true },
    { id: 'delete', keys: ['<ctrl-d>'], desc: 'delete', section: 'Resource', hint: true, dangerous: true },
    { id: 'mark', keys: ['<space>'], desc: 'mark', section: 'Resource' },
    { id: 'clear-marks', keys: ['<ctrl-\\>'], desc: 'clear marks', section: 'Resource' },
    { id: 'wide', keys: ['<ctrl-w>'], desc: 'wide columns', section: 'View' },
    { id: 'faults', keys: ['<ctrl-z>'], desc: 'faults only', section: 'View' },
    { id: 'sort-name', keys: ['N'], desc: 'sort by name', section: 'Sort' },
    { id: 'sort-age', keys: ['A'], desc: 'sort by age', section: 'Sort' },
    { id: 'sort-status', keys: ['S'], desc: 'sort by status', section: 'Sort' },
    { id: 'sort-column', keys: ['O'], desc: 'sort by column (pick with ←/→, <enter>)', section: 'Sort' },
  ];
  if (caps.logs) d.push({ id: 'logs', keys: ['l'], desc: caps.logs === 'self' ? 'logs' : 'logs of its pods', section: 'Resource', hint: true });
  if (caps.previousLogs) d.push({ id: 'previous-logs', keys: ['p'], desc: 'previous logs', section: 'Resource', hint: true });
  if (caps.shell) d.push({ id: 'shell', keys: ['s'], desc: 'shell', section: 'Resource', hint: true, dangerous: true });
  if (caps.attach) d.push({ id: 'attach', keys: ['a'], desc: 'attach', section: 'Resource', hint: true, dangerous: true });
  if (caps.portForward) d.push({ id: 'port-forward', keys: ['<shift-f>'], desc: 'port-forward', section: 'Resource', hint: true });
  if (caps.kill) d.push({ id: 'kill', keys: ['<ctrl-k>'], desc: 'kill (no grace period)', section: 'Resource', hint: true, dangerous: true });
  if (caps.scale) d.push({ id: 'scale', keys: ['s'], desc: 'scale', section: 'Resource', hint: true, dangerous: true });
  if (caps.restart) d.push({ id: 'restart', keys: ['r'], desc: 'restart', section: 'Resource', hint: true, dangerous: true });
  if (caps.node) {
    d.push(
      { id: 'cordon', keys: ['c'], desc: 'cordon', section: 'Resource', hint: true, dangerous: true },
      { id: 'uncordon', keys: ['u'], desc: 'uncordon', section: 'Resource', hint: true, dangerous: true },
      { id: 'drain', keys: ['r'], desc: 'drain', section: 'Resource', hint: true, dangerous: true },
    );
  }
  if (res.namespaced) d.push({ id: 'favorite', keys: ['0-9'], desc: 'favorite namespace (0 = all; :ns NAME adds one)', section: 'View' });
  return d;
}

/** The kinds whose views have keys of their own (for plugins scoped to every view). */
const KINDS: Record<string, Pick<ApiResource, 'group' | 'plural' | 'namespaced'>> = {
  pods: { group: '', plural: 'pods', namespaced: true },
  services: { group: '', plural: 'services', namespaced: true },
  nodes: { group: '', plural: 'nodes', namespaced: false },
  namespaces: { group: '', plural: 'namespaces', namespaced: false },
  secrets: { group: '', plural: 'secrets', namespaced: true },
  deployments: { group: 'apps', plural: 'deployments', namespaced: true },
  statefulsets: { group: 'apps', plural: 'statefulsets', namespaced: true },
  daemonsets: { group: 'apps', plural: 'daemonsets', namespaced: true },
  replicasets: { group: 'apps', plural: 'replicasets', namespaced: true },
  jobs: { group: 'batch', plural: 'jobs', namespaced: true },
  cronjobs: { group: 'batch', plural: 'cronjobs', namespaced: true },
};

/** Views with keys of their own: the kinds above, and a pod's containers (not a table view). */
export const SCOPES_WITH_KEYS = [...Object.keys(KINDS), 'containers', 'helm'];

/**
 * The keys kmux takes in a plugin scope ('pods', 'po', 'deploy', 'all', 'containers', a CRD's
 * name), with what each does: what the plugin and hotkey loaders check clashes against.
 * 'all' stands for every table view (the containers view has its own entry).
 */
export function builtinKeysFor(scope: string): (KeySpec & { label: string; soft?: boolean })[] {
  const common = [...GLOBAL_DEFS, ...FILTER_DEFS, ...MOVE_DEFS];
  if (scope === 'all') {
    // what every table view has: the keys of a kind with no capabilities of its own
    return takenKeys([...common, ...tableKeyDefs({ group: 'x.example', plural: 'x', namespaced: false })]);
  }
  if (canonicalScope(scope) === 'containers') return takenKeys([...common, ...CONTAINER_DEFS]);
  if (canonicalScope(scope) === 'helm') return takenKeys([...common, ...HELM_DEFS, HELM_ENTER]);
  const kind = KINDS[canonicalScope(scope)] ?? { group: 'x.example', plural: scope, namespaced: true };
  return takenKeys([...common, ...tableKeyDefs(kind)]);
}

/** Keys of every screen, for hotkeys (which work everywhere). */
export function globalKeys(): (KeySpec & { label: string })[] {
  return takenKeys([...GLOBAL_DEFS, ...FILTER_DEFS]);
}
