/** The `:` command language, K9s style, plus kmux's `@context` multiplexing. */

export class CommandError extends Error {}

export type Command =
  | {
      kind: 'resource';
      resource: string;
      /** undefined: keep the current namespace; 'all': every namespace */
      namespace?: string;
      /** undefined: the current contexts; 'all': every context */
      contexts?: string[] | 'all';
      labelSelector?: string;
      filter?: string;
    }
  | { kind: 'ctx'; name?: string }
  | { kind: 'ns'; name?: string }
  | { kind: 'aliases' }
  | { kind: 'skins'; name?: string }
  | { kind: 'plugins' }
  | { kind: 'pf' }
  | { kind: 'problems' }
  | { kind: 'rbac' }
  | { kind: 'xray'; resource: string; namespace?: string; contexts?: string[] | 'all' }
  | { kind: 'pulses'; namespace?: string; contexts?: string[] | 'all' }
  | { kind: 'health' }
  | { kind: 'helm'; namespace?: string; contexts?: string[] | 'all' }
  | { kind: 'help' }
  | { kind: 'quit' };

/**
 * The commands that are not resource views: one table for completion and help (parseCommand
 * reads the same names).
 */
export const COMMANDS: readonly { name: string; aliases: string[]; args?: string; help: string }[] = [
  { name: 'ctx', aliases: ['context', 'contexts'], args: '[name]', help: 'contexts (space marks several: a merged view)' },
  { name: 'ns', aliases: ['namespace', 'namespaces'], args: '[name|all]', help: 'namespaces, or switch to one' },
  { name: 'aliases', aliases: ['alias', 'a'], help: 'aliases and short names' },
  { name: 'skins', aliases: ['skin'], args: '[name]', help: 'skins, or use one' },
  { name: 'plugins', aliases: ['plugin', 'jobs'], help: 'plugins, hotkeys, their problems and jobs' },
  { name: 'pf', aliases: ['portforward', 'portforwards', 'port-forward', 'port-forwards'], help: 'port-forwards' },
  { name: 'problems', aliases: ['problem'], help: 'problems found in your files and contexts' },
  { name: 'rbac', aliases: ['can-i', 'whoami'], help: 'what you may do here, as the server says (your rules)' },
  { name: 'xray', aliases: ['xr', 'x'], args: 'KIND [namespace]', help: 'the owner tree of deploy, sts, ds, rs, svc, job, cronjob or po, live' },
  { name: 'pulses', aliases: ['pulse', 'pu', 'hz'], args: '[namespace]', help: 'counts per kind, ok and not, with their trend, live' },
  { name: 'health', aliases: ['stats'], help: "kmux's own memory, watches, sockets, rows and event-loop delay" },
  { name: 'helm', aliases: ['releases'], args: '[namespace]', help: 'Helm releases, every namespace unless one is named (latest revision each, read from the cluster): history, values, manifest, diff, objects' },
  { name: 'help', aliases: ['?'], help: 'keys and commands' },
  { name: 'quit', aliases: ['q', 'q!', 'exit'], help: 'leave kmux' },
];

const LABEL_REQ = /^[\w./-]+\s*(=|==|!=)\s*[\w.-]*$|^!?[\w./-]+$/;

function looksLikeSelector(tok: string): boolean {
  return /[=!]/.test(tok) && tok.split(',').every((p) => LABEL_REQ.test(p.trim()));
}

const VERSION = /^v\d+((alpha|beta)\d+)?$/;

/**
 * K9s's group/version/resource names as kubectl's: `v1/pods` -> `pods.v1` (the core group),
 * `apps/v1/deployments` -> `deployments.v1.apps`, and (kmux) `apps/deployments` ->
 * `deployments.apps` (the group's preferred version). kubectl's own `deployments.apps/v1` and
 * every name without a slash are left as they are.
 */
export function fromGvr(name: string): string {
  const parts = name.split('/');
  if (parts.length === 3 && parts.every(Boolean)) return `${parts[2]}.${parts[1]}.${parts[0]}`;
  if (parts.length !== 2 || !parts[0] || !parts[1] || VERSION.test(parts[1])) return name;
  // a version first is the core group's (pods.v1); anything else is a group (deployments.apps)
  return `${parts[1]}.${parts[0]}`;
}

export function parseCommand(input: string, aliases: Record<string, string> = {}): Command {
  let text = input.trim().replace(/^:/, '').trim();
  if (!text) throw new CommandError('empty command: type a resource (pods, deploy...), ctx, ns or q');
  // aliases may expand to whole commands; follow a few levels, not forever
  for (let i = 0; i < 5; i++) {
    const [head, ...rest] = text.split(/\s+/);
    // own keys only: a plain object would otherwise "expand" constructor, toString...
    const own = (k: string) => (Object.hasOwn(aliases, k) && typeof aliases[k] === 'string' ? aliases[k] : undefined);
    const a = own(head) ?? own(head.toLowerCase());
    if (!a || a === head) break;
    text = [a, ...rest].join(' ');
  }
  const [head, ...args] = text.split(/\s+/);
  const h = fromGvr(head.toLowerCase());
  if (h === 'q' || h === 'q!' || h === 'quit' || h === 'exit') return { kind: 'quit' };
  if (h === 'help' || h === '?') return { kind: 'help' };
  if (h === 'aliases' || h === 'alias' || h === 'a') return { kind: 'aliases' };
  if (h === 'skins' || h === 'skin') {
    if (args.length > 1) throw new CommandError(':skins takes one skin name');
    return { kind: 'skins', name: args[0] };
  }
  if (h === 'plugins' || h === 'plugin' || h === 'jobs') return { kind: 'plugins' };
  if (h === 'problems' || h === 'problem') return { kind: 'problems' };
  if (h === 'rbac' || h === 'can-i' || h === 'whoami') return { kind: 'rbac' };
  if (h === 'xray' || h === 'xr' || h === 'x') {
    if (!args.length) throw new CommandError(':xray wants a kind: deploy, sts, ds, rs, svc, job, cronjob or po (and a namespace)');
    const inner = parseCommand(args.join(' '), aliases);
    if (inner.kind !== 'resource') throw new CommandError(`:xray draws a kind (deploy, sts, ds, rs, svc, job, cronjob, po), not "${args[0]}"`);
    if (inner.labelSelector || inner.filter) throw new CommandError(':xray takes a kind, a namespace and @contexts; filter the tree with / once it is open');
    return { kind: 'xray', resource: inner.resource, namespace: inner.namespace, contexts: inner.contexts };
  }
  if (h === 'pulses' || h === 'pulse' || h === 'pu' || h === 'hz') {
    const inner = args.length ? parseCommand(['pods', ...args].join(' ')) : undefined;
    if (inner?.kind === 'resource' && (inner.labelSelector || inner.filter)) throw new CommandError(':pulses takes a namespace and @contexts');
    return { kind: 'pulses', ...(inner?.kind === 'resource' ? { namespace: inner.namespace, contexts: inner.contexts } : {}) };
  }
  if (h === 'health' || h === 'stats') return { kind: 'health' };
  if (h === 'helm' || h === 'releases') {
    const inner = args.length ? parseCommand(['pods', ...args].join(' ')) : undefined;
    if (inner?.kind === 'resource' && (inner.labelSelector || inner.filter)) throw new CommandError(':helm takes a namespace and @contexts; filter the list with / once it is open');
    return { kind: 'helm', ...(inner?.kind === 'resource' ? { namespace: inner.namespace, contexts: inner.contexts } : {}) };
  }
  if (['pf', 'portforward', 'portforwards', 'port-forward', 'port-forwards'].includes(h)) return { kind: 'pf' };
  if (h === 'ctx' || h === 'context' || h === 'contexts') {
    if (args.length > 1) throw new CommandError(':ctx takes one context name');
    return { kind: 'ctx', name: args[0] };
  }
  if ((h === 'ns' || h === 'namespace' || h === 'namespaces') && args.length === 1 && !args[0].startsWith('@')) {
    return { kind: 'ns', name: args[0] };
  }
  const cmd: Command = { kind: 'resource', resource: h };
  for (let i = 0; i < args.length; i++) {
    const tok = args[i];
    if (tok.startsWith('@')) {
      const names = tok.slice(1).split(',').map((s) => s.trim()).filter(Boolean);
      if (names.length === 0) throw new CommandError('@ wants context names, e.g. @prod or @dev,prod or @all');
      cmd.contexts = names.includes('all') ? 'all' : names;
    } else if (tok.startsWith('/')) {
      cmd.filter = [tok.slice(1), ...args.slice(i + 1)].join(' ');
      break;
    } else if (tok === '-f') {
      cmd.filter = `-f ${args.slice(i + 1).join(' ')}`;
      break;
    } else if (tok === '-l') {
      if (!args[i + 1]) throw new CommandError('-l wants a label selector');
      cmd.labelSelector = args[++i];
    } else if (tok === '-A' || tok === 'all' || tok === '-all') {
      cmd.namespace = 'all';
    } else if (looksLikeSelector(tok)) {
      cmd.labelSelector = cmd.labelSelector ? `${cmd.labelSelector},${tok}` : tok;
    } else if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(tok)) {
      if (cmd.namespace && cmd.namespace !== tok) throw new CommandError(`two namespaces given: ${cmd.namespace} and ${tok}`);
      cmd.namespace = tok;
    } else {
      throw new CommandError(`cannot read "${tok}": expected a namespace, @context, a label selector (app=web), /filter or -f text`);
    }
  }
  return cmd;
}
