/** What `:` commands do in the navigator, and how the prompt completes them. */
import { COMMANDS } from '../app/command.js';
import type { Nav } from './nav.js';
import { HelpScreen } from './screens/help.js';
import { ListScreen } from './screens/list.js';
import { aliasesList, contextsList, forwardsList, pluginsList, problemsList, skinsList } from './screens/lists.js';
import { myRulesList } from './screens/rbac.js';
import { XrayModel } from '../app/xray.js';
import { PulseModel } from '../app/pulse.js';
import { XrayScreen } from './screens/xray.js';
import { pulsesList } from './screens/pulses.js';
import { healthList } from './screens/health.js';
import { HelmModel } from '../app/helm.js';
import { helmList } from './screens/helm.js';

/** keepStack: open a resource view on top of the current ones (a K9s hotkey's keepHistory), not in their place. */
export async function runCommand(nav: Nav, text: string, o: { keepStack?: boolean } = {}): Promise<void> {
  const session = nav.session;
  let cmd;
  try {
    cmd = session.parse(text);
  } catch (e) {
    return nav.flash((e as Error).message, 'error');
  }
  switch (cmd.kind) {
    case 'quit':
      return nav.exit();
    case 'help':
      return nav.push(new HelpScreen(nav, nav.top()));
    case 'aliases':
      return nav.push(new ListScreen(nav, aliasesList(nav)));
    case 'skins':
      if (cmd.name) return session.setSkin(cmd.name);
      return nav.push(new ListScreen(nav, skinsList(nav)));
    case 'plugins':
      return nav.push(new ListScreen(nav, pluginsList(nav)));
    case 'pf':
      return nav.push(new ListScreen(nav, forwardsList(nav)));
    case 'problems':
      return nav.push(new ListScreen(nav, problemsList(nav)));
    case 'rbac':
      return nav.push(new ListScreen(nav, myRulesList(nav)));
    case 'xray':
    case 'helm':
    case 'pulses': {
      let contexts: string[];
      try {
        contexts = session.resolveContexts(cmd.contexts);
      } catch (e) {
        return nav.flash((e as Error).message, 'error');
      }
      const namespace = cmd.namespace === 'all' ? undefined : cmd.namespace ?? session.namespace;
      try {
        // a namespace that does not exist is not an empty one (as for a view)
        if (namespace && cmd.namespace && (await session.missingNamespace(contexts, namespace)).length === contexts.length) {
          return nav.flash(`namespaces "${namespace}" not found`, 'error');
        }
        // releases are few and answer "what runs where": every namespace unless one is named (helm ls -A)
        if (cmd.kind === 'helm') return nav.push(new ListScreen(nav, helmList(nav, await HelmModel.open(session, { contexts, namespace: cmd.namespace === 'all' ? undefined : cmd.namespace }))));
        if (cmd.kind === 'pulses') return nav.push(new ListScreen(nav, pulsesList(nav, await PulseModel.open(session, { contexts, namespace }))));
        return nav.push(new XrayScreen(nav, await XrayModel.open(session, { resource: cmd.resource, contexts, namespace })));
      } catch (e) {
        return nav.flash((e as Error).message, 'error');
      }
    }
    case 'health':
      return nav.push(new ListScreen(nav, healthList(nav)));
    case 'ctx':
      if (cmd.name) return nav.switchContexts([cmd.name]);
      for (const c of session.contexts.values()) if (c.health.state === 'connecting' && !c.health.checkedAt) c.start();
      return nav.push(new ListScreen(nav, contextsList(nav)));
    case 'ns':
      return nav.switchNamespace(cmd.name === 'all' || cmd.name === '-A' ? undefined : cmd.name);
    case 'resource': {
      let spec;
      try {
        spec = session.specFor(cmd);
      } catch (e) {
        return nav.flash((e as Error).message, 'error');
      }
      await nav.openSpec(spec, { reset: !o.keepStack });
    }
  }
}

/** Every name `:` completes first: resources, their short names and aliases, and the commands. */
export function commandNames(nav: Nav): string[] {
  const names = new Set(nav.session.resourceNames());
  for (const c of COMMANDS) {
    names.add(c.name);
    for (const a of c.aliases) if (a.length > 1) names.add(a);
  }
  return [...names].sort();
}

/** Namespaces kmux has seen in the open views (for `:ns` and `:po NS` completion). */
function namespaceNames(nav: Nav): string[] {
  const names = new Set<string>();
  for (const s of nav.stack) for (const store of s.view?.stores ?? []) for (const r of store.rows.values()) if (r.namespace) names.add(r.namespace);
  return [...names].sort();
}

/** The completion of the last word typed, or ''. */
export function suggest(nav: Nav, text: string): string {
  if (!text) return '';
  const parts = text.split(/\s+/);
  const last = parts[parts.length - 1];
  if (parts.length > 1 && last.startsWith('@')) {
    const typed = last.slice(1).split(',');
    const prefix = typed.slice(0, -1).join(',');
    const cands = ['all', ...nav.session.contexts.keys()].filter((c) => c.startsWith(typed[typed.length - 1]) && !typed.slice(0, -1).includes(c));
    return cands.length && typed[typed.length - 1] !== cands[0] ? '@' + (prefix ? `${prefix},` : '') + cands[0] : '';
  }
  const pool = parts.length === 1 ? commandNames(nav) : parts[0] === 'ctx' || parts[0] === 'context' ? [...nav.session.contexts.keys()] : namespaceNames(nav);
  if (!last) return '';
  return pool.find((p) => p.startsWith(last) && p !== last) ?? '';
}
