import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildArgv, formatCommandLine, pluginVars, rewriteShellScript, shellQuote, shellScriptIndex, splitWords, substitute, type PluginVars } from '../../src/plugins/vars.js';

const row = {
  name: 'web-1',
  namespace: 'shop',
  context: 'prod',
  cluster: 'prod-cluster',
  user: 'admin',
  groups: ['system:masters', 'devs'],
  kubeconfig: '/home/me/.kube/config',
  filter: 'web',
  resourceGroup: '',
  resourceVersion: 'v1',
  resourceName: 'pods',
  columns: { NAME: 'web-1', READY: '1/1', '%CPU/L': '12', 'NOMINATED NODE': '<none>', NODE: 'node-a' },
  inputs: { replicas: 3, force: true, 'log-level': 'debug' },
};

describe('variables', () => {
  const vars = pluginVars(row);

  it('has every K9s variable, columns as COL-<HEADER>, inputs as INPUT_<NAME>', () => {
    expect(vars).toMatchObject({
      NAME: 'web-1', NAMESPACE: 'shop', CONTEXT: 'prod', CLUSTER: 'prod-cluster', USER: 'admin', GROUPS: 'system:masters,devs',
      KUBECONFIG: '/home/me/.kube/config', FILTER: 'web', RESOURCE_GROUP: '', RESOURCE_VERSION: 'v1', RESOURCE_NAME: 'pods',
      'COL-NAME': 'web-1', 'COL-READY': '1/1', 'COL-%CPU/L': '12', 'COL-NOMINATED NODE': '<none>', 'COL-NODE': 'node-a',
      INPUT_REPLICAS: '3', INPUT_FORCE: 'true', INPUT_LOG_LEVEL: 'debug',
    });
    expect(vars.POD).toBeUndefined();
    expect(pluginVars({ ...row, name: 'nginx', pod: 'web-1', container: 'nginx' })).toMatchObject({ NAME: 'nginx', POD: 'web-1', CONTAINER: 'nginx' });
  });

  it('substitutes $VAR, ${VAR}, $!VAR and column headers with %, / and spaces', () => {
    expect(substitute('$NAME', vars)).toBe('web-1');
    expect(substitute('pod/${NAME}.log', vars)).toBe('pod/web-1.log');
    expect(substitute('${COL-%CPU/L}%', vars)).toBe('12%');
    expect(substitute('$COL-READY', vars)).toBe('1/1');
    expect(substitute('${COL-NOMINATED NODE}', vars)).toBe('<none>');
    expect(substitute('--force=$INPUT_FORCE --dry=$!INPUT_FORCE --x=${!INPUT_FORCE}', vars)).toBe('--force=true --dry=false --x=false');
    expect(substitute('$name in $Namespace', vars)).toBe('web-1 in shop'); // K9s looks names up upper-cased
    expect(substitute('$NAMESPACE/$NAME', vars)).toBe('shop/web-1'); // the longer name is not eaten by the shorter
  });

  it('$NAME-suffix is NAME then the suffix', () => {
    expect(substitute('$NAME-debug', vars)).toBe('web-1-debug');
    expect(substitute('$COL-NODE-x', vars)).toBe('node-a-x');
  });

  it('leaves unknown variables as written, for the shell', () => {
    expect(substitute('$HOME ${PATH} $1 $@ $$ $(date) ${x:-y} $ $!', vars)).toBe('$HOME ${PATH} $1 $@ $$ $(date) ${x:-y} $ $!');
    expect(substitute('$COL-MISSING ${COL-%MEM}', vars)).toBe('$COL-MISSING ${COL-%MEM}');
    // $COL-%CPU/L needs the braces, as in K9s
    expect(substitute('$COL-%CPU/L', vars)).toBe('$COL-%CPU/L');
  });

  it('$!VAR inverts what K9s reads as a boolean: Go ParseBool words, never numbers', () => {
    const v: PluginVars = { A: 'true', B: 'False', C: 'web', D: '0', E: 'T', F: 'yes', G: '1' };
    expect(substitute('$!A $!B $!C $!D $D $!E $!F $!G', v)).toBe('false true web 0 0 false yes 1');
  });

  it('does not substitute inside a value it just inserted', () => {
    expect(substitute('$NAME', { NAME: '$NAMESPACE', NAMESPACE: 'x' })).toBe('$NAMESPACE');
  });
});

describe('argument vectors', () => {
  const vars = pluginVars({ ...row, name: 'a b;c' });

  it('substitutes each argument alone, without a shell', () => {
    const argv = buildArgv({ command: 'kubectl', args: ['logs', '$NAME', '-n', '$NAMESPACE', '--context=$CONTEXT'], pipes: [['grep', '-i', '$FILTER']] }, vars);
    expect(argv).toEqual({ command: 'kubectl', args: ['logs', 'a b;c', '-n', 'shop', '--context=prod'], pipes: [['grep', '-i', 'web']], env: {} });
    expect(formatCommandLine(argv)).toBe("kubectl logs 'a b;c' -n shop --context=prod | grep -i web");
  });

  it('a local shell script refers to the values through its environment', () => {
    const argv = buildArgv({ command: '/bin/bash', args: ['-ec', 'kubectl logs $NAME -n "$NAMESPACE"', 'kmux', '$NAME'] }, vars);
    expect(argv.args).toEqual(['-ec', 'kubectl logs ${KMUX_NAME:+"${KMUX_NAME}"} -n "${KMUX_NAMESPACE}"', 'kmux', 'a b;c']);
    expect(argv.env).toEqual({ KMUX_NAME: 'a b;c', KMUX_NAMESPACE: 'shop' });
    expect(formatCommandLine(argv)).toBe(`/bin/bash -ec 'kubectl logs \${KMUX_NAME:+"\${KMUX_NAME}"} -n "\${KMUX_NAMESPACE}"' kmux 'a b;c'\n  with KMUX_NAME='a b;c' KMUX_NAMESPACE=shop`);
    // through env too
    expect(buildArgv({ command: 'env', args: ['FOO=1', 'sh', '-c', 'echo "$NAME"'] }, vars).args[3]).toBe('echo "${KMUX_NAME}"');
  });

  it('a script handed to another program gets the values pasted, quoted', () => {
    const argv = buildArgv({ command: 'kubectl', args: ['exec', '$NAME', '--', 'sh', '-c', 'ls /proc/$COL-NODE; echo $NAME'] }, vars);
    expect(argv.args).toEqual(['exec', 'a b;c', '--', 'sh', '-c', "ls /proc/'node-a'; echo 'a b;c'"]);
    expect(argv.env).toEqual({});
  });

  it('finds the script after shell options', () => {
    expect(shellScriptIndex(['-c', 's'])).toBe(1);
    expect(shellScriptIndex(['-o', 'pipefail', '-c', 's'])).toBe(3);
    expect(shellScriptIndex(['--norc', '-xc', 's', 'arg0'])).toBe(2);
    expect(shellScriptIndex(['-c', '--', 's'])).toBe(2);
    expect(shellScriptIndex(['script.sh', '-c'])).toBeUndefined();
    expect(shellScriptIndex(['-e'])).toBeUndefined();
  });

  it('splits K9s pipe strings into words', () => {
    expect(splitWords(`grep -v "two words"  'x y' a\\ b`)).toEqual(['grep', '-v', 'two words', 'x y', 'a b']);
    expect(splitWords('sort')).toEqual(['sort']);
    expect(splitWords(`jq ''`)).toEqual(['jq', '']);
  });

  it('quotes for display so newlines and escapes cannot redraw a dialog', () => {
    expect(shellQuote('web-1')).toBe('web-1');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a\nb\u001b[2J')).toBe("$'a\\nb\\e[2J'");
  });
});

// ---------------------------------------------------------------------------------------
// Real shells: whatever a value holds, it arrives as itself and never runs.

const dir = mkdtempSync(join(tmpdir(), 'kmux-sh-'));
const marker = join(dir, 'pwned');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOSTILE = [
  'web-1',
  '',
  `a;touch ${marker}`,
  `$(touch ${marker})`,
  `\`touch ${marker}\``,
  `'"; touch ${marker}; echo "'`,
  `x\ntouch ${marker}\n`,
  'two  spaces\tand tab',
  '*',
  '\\',
  "'",
  '-n',
  '${IFS}$HOME',
  `'$(touch ${marker})'`,
  '"',
  'EOF',
];

// each template prints the value it holds; RS separates them
const RS = '\u001e';
const TEMPLATES: [string, (v: string) => string][] = [
  [`printf '%s' $NAME`, (v) => v],
  [`printf '%s' "$NAME"`, (v) => v],
  [`printf '%s' '$NAME'`, (v) => v],
  [`printf '%s' "<\${NAME}>"`, (v) => `<${v}>`],
  [`printf '%s' pre-$NAME-post`, (v) => `pre-${v}-post`],
  [`x=$(printf '%s' "$NAME"; printf .); printf '%s' "\${x%.}"`, (v) => v],
  [`x="$(printf '%s' $NAME; printf .)"; printf '%s' "\${x%.}"`, (v) => v],
  [`x=\`printf '%s' $NAME; printf .\`; printf '%s' "\${x%.}"`, (v) => v],
  [`printf '%s' "\${UNSET_VAR:-$NAME}"`, (v) => v],
  [`# a comment with $NAME\nprintf '%s' ok`, () => 'ok'],
  [`cat <<EOF\n$NAME\nEOF`, (v) => `${v}\n`],
  [`cat <<'EOF'\n<$NAME>\nEOF`, (v) => `<${v.replace(/[\r\n]+/g, ' ')}>\n`],
  [`printf '%s' $(( \${COL-N} + 1 ))`, () => '1'],
];

function runShell(shell: string, script: string, env: Record<string, string>): string {
  return execFileSync(shell, ['-c', script], { env: { PATH: process.env.PATH, HOME: dir, ...env }, encoding: 'utf8' });
}

describe.each(['sh', 'bash', 'dash'].filter((s) => existsSync(`/bin/${s}`) || existsSync(`/usr/bin/${s}`)))('scripts under %s', (shell) => {
  const script = TEMPLATES.map(([t]) => t).join(`\nprintf '${RS}'\n`);

  it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))('env mode: %s arrives as itself', (_, value) => {
    const vars: PluginVars = { NAME: value, 'COL-N': value };
    const env: Record<string, string> = {};
    const out = runShell(shell, rewriteShellScript(script, vars, 'env', env), env).split(RS);
    expect(out).toEqual(TEMPLATES.map(([, want]) => want(value)));
    expect(existsSync(marker)).toBe(false);
  });

  it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))('literal mode: %s arrives as itself', (_, value) => {
    const vars: PluginVars = { NAME: value, 'COL-N': value };
    const out = runShell(shell, rewriteShellScript(script, vars, 'literal'), {}).split(RS);
    // in an unquoted here-document and in ${x:-...} the value comes from $(printf ...), which drops trailing newlines
    const trimmed = value.replace(/\n+$/, '');
    const want = TEMPLATES.map(([t, w]) => (t.startsWith('cat <<EOF') ? `${trimmed}\n` : t.includes('UNSET_VAR') ? trimmed : w(value)));
    expect(out).toEqual(want);
    expect(existsSync(marker)).toBe(false);
  });

  it('an empty value unquoted is no argument, as with K9s', () => {
    for (const mode of ['env', 'literal'] as const) {
      const env: Record<string, string> = {};
      const s = rewriteShellScript('printf "<%s>" a $FILTER b "$FILTER"', { FILTER: '' }, mode, env);
      expect(runShell(shell, s, env)).toBe('<a><b><>');
    }
  });

  it('arithmetic gets numbers only', () => {
    const env: Record<string, string> = {};
    const s = rewriteShellScript('printf %s $(( ${COL-N} * 2 ))', { 'COL-N': '21' }, 'env', env);
    expect(runShell(shell, s, env)).toBe('42');
  });
});

describe('bash-only quoting', () => {
  it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))("$'...' and (( )) with %s", (_, value) => {
    const vars: PluginVars = { NAME: value, 'COL-N': `a[$(touch ${marker})]` };
    const script = `printf '%s' $'<$NAME>'; (( \${COL-N} + 1 )); printf '${RS}%s' $(( $COL-N ))`;
    for (const mode of ['env', 'literal'] as const) {
      const env: Record<string, string> = {};
      const out = runShell('bash', rewriteShellScript(script, vars, mode, env), env);
      expect(out).toBe(`<${value}>${RS}0`);
    }
    expect(existsSync(marker)).toBe(false);
  });
});
