import { describe, expect, it } from 'vitest';
import { CommandError, fromGvr, parseCommand, type Command } from '../../src/app/command.js';
import { BUILTIN_ALIASES } from '../../src/config/aliases.js';

function err(input: string, aliases?: Record<string, string>): CommandError {
  try {
    parseCommand(input, aliases);
  } catch (e) {
    expect(e).toBeInstanceOf(CommandError);
    return e as CommandError;
  }
  throw new Error(`parseCommand(${JSON.stringify(input)}) did not throw`);
}

describe('parseCommand: resources', () => {
  it('a bare resource keeps the current namespace and contexts', () => {
    expect(parseCommand('po')).toEqual({ kind: 'resource', resource: 'po' });
    expect(parseCommand('  :pods  ')).toEqual({ kind: 'resource', resource: 'pods' });
    // resource names are case-insensitive
    expect(parseCommand('PO')).toEqual({ kind: 'resource', resource: 'po' });
  });

  it('a leading colon and a namespace', () => {
    expect(parseCommand(':deploy kube-system')).toEqual({ kind: 'resource', resource: 'deploy', namespace: 'kube-system' });
  });

  it('label selectors, one or several requirements', () => {
    expect(parseCommand('po app=web')).toEqual({ kind: 'resource', resource: 'po', labelSelector: 'app=web' });
    expect(parseCommand('po app=web,tier!=db')).toEqual({ kind: 'resource', resource: 'po', labelSelector: 'app=web,tier!=db' });
    expect(parseCommand('po app==web')).toMatchObject({ labelSelector: 'app==web' });
    expect(parseCommand('po app.kubernetes.io/name=web')).toMatchObject({ labelSelector: 'app.kubernetes.io/name=web' });
    // two selector tokens are joined into one selector
    expect(parseCommand('po app=web tier!=db')).toMatchObject({ labelSelector: 'app=web,tier!=db' });
    // !key alone is a "does not exist" requirement, not a namespace
    expect(parseCommand('po !canary')).toMatchObject({ labelSelector: '!canary' });
    expect(parseCommand('po -l app=web')).toMatchObject({ labelSelector: 'app=web' });
    expect(parseCommand('po kube-system app=web')).toEqual({ kind: 'resource', resource: 'po', namespace: 'kube-system', labelSelector: 'app=web' });
  });

  it('/filter takes the rest of the line, spaces included', () => {
    expect(parseCommand('po /text with spaces')).toEqual({ kind: 'resource', resource: 'po', filter: 'text with spaces' });
    // what follows the filter is filter text, not a namespace or a context
    expect(parseCommand('po kube-system /dns @prod')).toEqual({ kind: 'resource', resource: 'po', namespace: 'kube-system', filter: 'dns @prod' });
    expect(parseCommand('po /!Running')).toMatchObject({ filter: '!Running' });
  });

  it('-f is a fuzzy filter', () => {
    expect(parseCommand('po -f fz')).toEqual({ kind: 'resource', resource: 'po', filter: '-f fz' });
    expect(parseCommand('po -f web api')).toMatchObject({ filter: '-f web api' });
  });

  it('@contexts: all, one, several', () => {
    expect(parseCommand('pods @all')).toEqual({ kind: 'resource', resource: 'pods', contexts: 'all' });
    expect(parseCommand('deploy @dev,prod')).toEqual({ kind: 'resource', resource: 'deploy', contexts: ['dev', 'prod'] });
    expect(parseCommand('deploy @prod')).toEqual({ kind: 'resource', resource: 'deploy', contexts: ['prod'] });
    // all among names means every context
    expect(parseCommand('deploy @dev,all')).toMatchObject({ contexts: 'all' });
    // empty names between commas are dropped
    expect(parseCommand('deploy @dev,,prod,')).toMatchObject({ contexts: ['dev', 'prod'] });
    expect(parseCommand('po kube-system @dev,prod app=web')).toEqual({
      kind: 'resource', resource: 'po', namespace: 'kube-system', contexts: ['dev', 'prod'], labelSelector: 'app=web',
    });
  });

  it('every namespace: -A, all, -all', () => {
    for (const t of ['po -A', 'po all', 'po -all']) expect(parseCommand(t)).toEqual({ kind: 'resource', resource: 'po', namespace: 'all' });
    // the same namespace twice is not an error
    expect(parseCommand('po default default')).toMatchObject({ namespace: 'default' });
  });
});

describe('parseCommand: ctx, ns, quit, help, aliases', () => {
  it('ctx with and without a name', () => {
    expect(parseCommand('ctx')).toEqual({ kind: 'ctx', name: undefined });
    expect(parseCommand('ctx prod')).toEqual({ kind: 'ctx', name: 'prod' });
    expect(parseCommand('context prod')).toEqual({ kind: 'ctx', name: 'prod' });
    expect(err('ctx dev prod').message).toMatch(/one context name/);
  });

  it('ns alone opens the namespaces table; ns NAME switches namespace', () => {
    expect(parseCommand('ns')).toEqual({ kind: 'resource', resource: 'ns' });
    expect(parseCommand('ns default')).toEqual({ kind: 'ns', name: 'default' });
    expect(parseCommand('namespace kube-system')).toEqual({ kind: 'ns', name: 'kube-system' });
    // ns @ctx is the namespaces table of those contexts, not a namespace called "@prod"
    expect(parseCommand('ns @prod')).toEqual({ kind: 'resource', resource: 'ns', contexts: ['prod'] });
  });

  it('quit, help, aliases', () => {
    for (const q of ['q', 'q!', 'quit', 'exit', ':q', 'Q']) expect(parseCommand(q)).toEqual({ kind: 'quit' });
    expect(parseCommand('help')).toEqual({ kind: 'help' });
    expect(parseCommand('?')).toEqual({ kind: 'help' });
    expect(parseCommand('aliases')).toEqual({ kind: 'aliases' });
    expect(parseCommand('a')).toEqual({ kind: 'aliases' });
  });
});

describe('parseCommand: aliases', () => {
  const aliases = { ...BUILTIN_ALIASES, pp: 'pods @prod', web: 'pp app=web', sys: 'po kube-system' };

  it('a simple alias renames the resource', () => {
    expect(parseCommand('dp', aliases)).toEqual({ kind: 'resource', resource: 'deployments' });
    expect(parseCommand('dp kube-system', aliases)).toEqual({ kind: 'resource', resource: 'deployments', namespace: 'kube-system' });
    expect(parseCommand('context', aliases)).toEqual({ kind: 'ctx', name: undefined });
  });

  it('a whole-command alias expands and keeps the extra arguments', () => {
    expect(parseCommand('pp', aliases)).toEqual({ kind: 'resource', resource: 'pods', contexts: ['prod'] });
    expect(parseCommand(':pp kube-system', aliases)).toEqual({ kind: 'resource', resource: 'pods', contexts: ['prod'], namespace: 'kube-system' });
    expect(parseCommand('pp /crash loop', aliases)).toEqual({ kind: 'resource', resource: 'pods', contexts: ['prod'], filter: 'crash loop' });
    // aliases of aliases
    expect(parseCommand('web default', aliases)).toEqual({ kind: 'resource', resource: 'pods', contexts: ['prod'], labelSelector: 'app=web', namespace: 'default' });
  });

  it('the alias head is looked up case-insensitively', () => {
    expect(parseCommand('PP', aliases)).toMatchObject({ resource: 'pods', contexts: ['prod'] });
  });

  it('only the head is expanded, never an argument', () => {
    expect(parseCommand('po pp', aliases)).toEqual({ kind: 'resource', resource: 'po', namespace: 'pp' });
  });

  it('alias loops stop', () => {
    const loop = { x: 'y', y: 'x', self: 'self', grow: 'grow a' };
    const a = parseCommand('x', loop);
    expect(a.kind).toBe('resource');
    expect(['x', 'y']).toContain((a as Extract<Command, { kind: 'resource' }>).resource);
    expect(parseCommand('self', loop)).toEqual({ kind: 'resource', resource: 'self' });
    // an alias that re-expands to itself with more arguments stops after a few levels
    const g = parseCommand('grow', loop) as Extract<Command, { kind: 'resource' }>;
    expect(g.resource).toBe('grow');
    expect(g.namespace).toBe('a');
  });

  it('names that exist on Object.prototype are not aliases', () => {
    // a plain object map must not expand "constructor" to Object's source text
    expect(parseCommand('constructor', aliases)).toEqual({ kind: 'resource', resource: 'constructor' });
    expect(parseCommand('toString', aliases)).toEqual({ kind: 'resource', resource: 'tostring' });
  });
});

describe('parseCommand: errors', () => {
  it('an empty command says what to type', () => {
    expect(err('').message).toMatch(/empty command/);
    expect(err(':  ').message).toMatch(/empty command/);
  });

  it('@ alone wants context names', () => {
    expect(err('po @').message).toMatch(/@ wants context names/);
    expect(err('po @,').message).toMatch(/@ wants context names/);
  });

  it('two namespaces', () => {
    const e = err('po default kube-system');
    expect(e.message).toBe('two namespaces given: default and kube-system');
    expect(err('po -A kube-system').message).toMatch(/two namespaces given: all and kube-system/);
  });

  it('-l without a selector', () => {
    expect(err('po -l').message).toMatch(/-l wants a label selector/);
  });

  it('garbage tokens are named in the message', () => {
    for (const bad of ['Default', 'foo!', 'a=b=c', 'ns_1', '-x', 'app=web,???']) {
      const e = err(`po ${bad}`);
      expect(e.message).toContain(`cannot read "${bad}"`);
      expect(e.message).toMatch(/expected a namespace, @context, a label selector/);
    }
  });

  it('CommandError is an Error', () => {
    const e = err('po @');
    expect(e).toBeInstanceOf(Error);
  });
});

describe(':xray and :pulses', () => {
  it(':xray KIND [namespace] [@contexts], by K9s\'s names (xray, xr, x), the kind through the aliases', () => {
    expect(parseCommand('xray deploy kube-system')).toEqual({ kind: 'xray', resource: 'deploy', namespace: 'kube-system', contexts: undefined });
    expect(parseCommand('x dp @dev,prod', { dp: 'deployments' })).toEqual({ kind: 'xray', resource: 'deployments', namespace: undefined, contexts: ['dev', 'prod'] });
    expect(parseCommand('xr po -A')).toMatchObject({ kind: 'xray', resource: 'po', namespace: 'all' });
    expect(err('xray').message).toMatch(/wants a kind/);
    expect(err('xray deploy app=web').message).toMatch(/filter the tree with \//);
    expect(err('xray ctx').message).toMatch(/draws a kind/);
  });

  it(':pulses [namespace] [@contexts], by K9s\'s names (pulses, pulse, pu, hz)', () => {
    for (const name of ['pulses', 'pulse', 'pu', 'hz']) expect(parseCommand(name)).toEqual({ kind: 'pulses' });
    expect(parseCommand('pu kube-system @all')).toEqual({ kind: 'pulses', namespace: 'kube-system', contexts: 'all' });
    expect(err('pulses /x').message).toMatch(/takes a namespace/);
  });
});

describe("K9s's resource names (issue 14)", () => {
  it('group/version/resource and version/resource become kubectl names; others stay', () => {
    expect(fromGvr('v1/pods')).toBe('pods.v1');
    expect(fromGvr('apps/v1/deployments')).toBe('deployments.v1.apps');
    expect(fromGvr('apps/deployments')).toBe('deployments.apps');
    expect(fromGvr('deployments.apps/v1')).toBe('deployments.apps/v1');
    expect(fromGvr('pods')).toBe('pods');
    expect(fromGvr('a/b/c/d')).toBe('a/b/c/d');
    expect(parseCommand(':v1/pods kube-system')).toEqual({ kind: 'resource', resource: 'pods.v1', namespace: 'kube-system' });
  });
});
