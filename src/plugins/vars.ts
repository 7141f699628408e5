/**
 * Plugin variables ($NAME, ${COL-%CPU/L}, $!VAR...) and the argument vector a plugin runs
 * with. No shell is ever started by kmux: a plugin gets a shell only when its own command is
 * one (`sh -c '...'`), and values never become shell code even then (see rewriteShellScript).
 *
 * Substitution follows K9s (internal/view/env.go): `$VAR`, `${VAR}`, `$!VAR`, `${!VAR}`;
 * names are looked up upper-cased (`$name` is NAME); `${...}` may hold `-`, `%`, `/`, `:` and
 * spaces (`${COL-%CPU/L}`, `${COL-NOMINATED NODE}`); a variable kmux does not know is left
 * as written (so `$HOME`, `$1`, `$(...)` reach a shell untouched). Forms outside that syntax,
 * such as `${RESOURCE_GROUP:+.x}`, `${NAME:-x}` or `${#NAME}`, are not K9s's either: they reach
 * the shell as written and expand from the environment, which holds none of these names (K9s
 * exports none; see pluginEnv). `$!VAR` inverts what Go's strconv.ParseBool reads as a boolean
 * and is not a number (t, TRUE, False...), as K9s does.
 *
 * Deliberate differences: `$NAME-debug` is NAME followed by "-debug" (K9s looks up "NAME-DEBUG"
 * and leaves the text); `$POD_DATA` stays whole (K9s replaces every "$POD" in the text, the
 * start of "$POD_DATA" too); only `$!VAR` changes a value (K9s also rewrites "True" to "true").
 */
import { basename } from 'node:path';

export type PluginVars = Record<string, string>;

export interface VarContext {
  name: string;
  namespace: string;
  context: string;
  cluster: string;
  user: string;
  groups?: string[] | string;
  kubeconfig: string;
  /** table views only (K9s's containers view has no FILTER nor RESOURCE_*) */
  filter?: string;
  resourceGroup?: string;
  resourceVersion?: string;
  /** the plural resource name, e.g. pods, deployments, or certificates for a CRD */
  resourceName?: string;
  /** container views: the pod (NAME is then the container) */
  pod?: string;
  container?: string;
  /** header -> cell text of the selected row, e.g. { NAME: 'web-1', '%CPU/L': '12' } */
  columns: Record<string, string>;
  /** values from the plugin's input form, by input name */
  inputs?: Record<string, string | number | boolean>;
}

// spawn refuses arguments and environment values holding NUL; no Kubernetes name has one
const clean = (v: unknown): string => String(v ?? '').replace(/\0/g, '');

/** The input's variable name: INPUT_ + the name upper-cased, other characters as '_'. */
export function inputVarName(name: string): string {
  return `INPUT_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/**
 * Every variable for one row, keys upper-cased as K9s looks them up. In a merged
 * multi-context view pass the row's own context, cluster, user and kubeconfig.
 */
export function pluginVars(ctx: VarContext): PluginVars {
  const v: PluginVars = {};
  for (const [header, cell] of Object.entries(ctx.columns ?? {})) v[`COL-${header.toUpperCase()}`] = clean(cell);
  Object.assign(v, {
    NAME: clean(ctx.name),
    NAMESPACE: clean(ctx.namespace),
    CONTEXT: clean(ctx.context),
    CLUSTER: clean(ctx.cluster),
    USER: clean(ctx.user),
    GROUPS: clean(Array.isArray(ctx.groups) ? ctx.groups.join(',') : ctx.groups ?? ''),
    KUBECONFIG: clean(ctx.kubeconfig),
  });
  const table = { FILTER: ctx.filter, RESOURCE_GROUP: ctx.resourceGroup, RESOURCE_VERSION: ctx.resourceVersion, RESOURCE_NAME: ctx.resourceName };
  for (const [k, val] of Object.entries(table)) if (val !== undefined) v[k] = clean(val);
  if (ctx.pod !== undefined) v.POD = clean(ctx.pod);
  if (ctx.container !== undefined) v.CONTAINER = clean(ctx.container);
  for (const [name, value] of Object.entries(ctx.inputs ?? {})) v[inputVarName(name)] = clean(value);
  return v;
}

export function lookupVar(vars: PluginVars, key: string): string | undefined {
  const k = key.toUpperCase();
  return Object.hasOwn(vars, k) ? vars[k] : undefined;
}

/** What Go's strconv.ParseBool reads as a boolean, less "1" and "0" (K9s keeps numbers as they are). */
const TRUE = /^(t|T|true|TRUE|True)$/;
const FALSE = /^(f|F|false|FALSE|False)$/;

function valueOf(vars: PluginVars, key: string, inverse: boolean): string | undefined {
  const v = lookupVar(vars, key);
  if (v === undefined || !inverse) return v;
  if (TRUE.test(v)) return 'false';
  if (FALSE.test(v)) return 'true';
  return v; // K9s: a value that is not a boolean is left as it is
}

export interface VarRef {
  start: number;
  end: number;
  key: string;
  value: string;
}

const BRACED = /\$\{(!?)([\w\-%/: ]+)\}/y;
const BARE = /\$(!?)([\w-]+)/y;

/** The known variable reference starting at s[i] (a '$'), or undefined. */
export function varRefAt(s: string, i: number, vars: PluginVars): VarRef | undefined {
  if (s[i] !== '$') return undefined;
  BRACED.lastIndex = i;
  let m = BRACED.exec(s);
  if (m) {
    const value = valueOf(vars, m[2], m[1] === '!');
    return value === undefined ? undefined : { start: i, end: i + m[0].length, key: m[2].toUpperCase(), value };
  }
  BARE.lastIndex = i;
  m = BARE.exec(s);
  if (!m) return undefined;
  // the longest known name, cutting at '-': $NAME-debug is NAME then "-debug", $COL-NODE stays whole
  let name = m[2];
  for (;;) {
    const value = valueOf(vars, name, m[1] === '!');
    if (value !== undefined) return { start: i, end: i + 1 + m[1].length + name.length, key: name.toUpperCase(), value };
    const cut = name.lastIndexOf('-');
    if (cut <= 0) return undefined;
    name = name.slice(0, cut);
  }
}

/** Replace the variables kmux knows in one argument; everything else stays as written. */
export function substitute(template: string, vars: PluginVars): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const ref = template[i] === '$' ? varRefAt(template, i, vars) : undefined;
    if (ref) {
      out += ref.value;
      i = ref.end;
    } else {
      out += template[i++];
    }
  }
  return out;
}

/** The environment name a variable travels under: KMUX_NAME, KMUX_COL__CPU_L. */
export function envName(key: string): string {
  return `KMUX_${key.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

// ---------------------------------------------------------------------------------------
// Shell scripts

/** Shells whose quoting is POSIX's. fish, nu, pwsh and interpreters (python -c) are not. */
const POSIX_SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'yash', 'posh', 'ksh93', 'oksh']);

export function isPosixShell(command: string): boolean {
  return POSIX_SHELLS.has(basename(command));
}

/**
 * Where the script is when args[0..] follow a POSIX shell word: `-c`, `-ec`, `-o pipefail -c`,
 * `--norc -c`... The script is the first argument after the options, when -c was among them.
 */
export function shellScriptIndex(args: readonly string[], from = 0): number | undefined {
  let sawC = false;
  for (let j = from; j < args.length; j++) {
    const a = args[j];
    if (a === '--' || a === '-') return sawC && j + 1 < args.length ? j + 1 : undefined;
    if (a.startsWith('--')) {
      if (a === '--rcfile' || a === '--init-file') j++;
      continue;
    }
    if ((a.startsWith('-') || a.startsWith('+')) && a.length > 1) {
      const flags = a.slice(1);
      if (a.startsWith('-') && flags.includes('c')) sawC = true;
      if (/[oO]$/.test(flags)) j++; // -o pipefail, +O extglob
      continue;
    }
    return sawC ? j : undefined;
  }
  return undefined;
}

type Mode = 'env' | 'literal';
type Frame =
  | { t: 'code'; end: 'eof' | ')' | '`'; depth: number }
  | { t: 'dq' }
  | { t: 'sq' }
  | { t: 'ansi' }
  | { t: 'brace'; inDq: boolean; depth: number }
  | { t: 'arith'; depth: number; dollar: boolean };

const NUMBER = /^[+-]?\d+$/;
const WORD_START = /[\s;&|()<>]/;

/**
 * Put variables into a POSIX shell script so that no value can become shell code.
 *
 * 'env' (the plugin's own command is the shell): a reference becomes an expansion of an
 * environment variable the child receives, quoted for where it stands (`${KMUX_NAME:+"${KMUX_NAME}"}`
 * unquoted, `${KMUX_NAME}` inside "...", `'"${KMUX_NAME}"'` inside '...'), so the shell sees
 * the value only after parsing: one word, whatever it holds (none when empty, as K9s's text
 * substitution gives). `env` collects name -> value.
 *
 * A difference from K9s that follows: an unquoted value is never split into several words
 * (`$INPUT_FLAGS` holding "-a -b" is one argument); split it in the script if you mean it.
 *
 * 'literal' (a script handed to another program, e.g. `kubectl exec -- sh -c '...'`, where our
 * environment does not reach): the value is pasted quoted for its place: '...' when unquoted,
 * backslash-escaped inside "...", '\'' inside '...'.
 *
 * Both: in $((...)) and ((...)) only a plain integer is pasted (else 0), since bash evaluates
 * arithmetic text; comments are left alone; here-documents get the body's own escaping.
 * What no rewrite can protect: a script that re-parses text itself (eval, ssh, a nested sh -c
 * inside the script's own quotes).
 */
export function rewriteShellScript(script: string, vars: PluginVars, mode: Mode, env: Record<string, string> = {}): string {
  const stack: Frame[] = [{ t: 'code', end: 'eof', depth: 0 }];
  const top = () => stack[stack.length - 1];
  const backticks = () => stack.filter((f) => f.t === 'code' && f.end === '`').length;
  const heredocs: { delim: string; strip: boolean; literal: boolean }[] = [];
  let out = '';
  let i = 0;

  const envRef = (ref: VarRef): string => {
    let name = envName(ref.key);
    for (let n = 2; Object.hasOwn(env, name) && env[name] !== ref.value; n++) name = `${envName(ref.key)}_${n}`;
    env[name] = ref.value;
    return `\${${name}}`;
  };
  // inside backquotes a backslash before \ $ ` is consumed once per level before parsing
  const throughBackticks = (text: string): string => {
    let t = text;
    for (let n = backticks(); n > 0; n--) t = t.replace(/[\\$`]/g, '\\$&');
    return t;
  };
  const sq = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  const emit = (ref: VarRef, where: 'code' | 'dq' | 'sq' | 'ansi' | 'arith' | 'heredoc' | 'heredoc-literal' | 'brace' | 'brace-dq'): string => {
    const v = ref.value;
    if (where === 'arith') return NUMBER.test(v.trim()) ? v.trim() : '0';
    if (where === 'heredoc-literal') return v.replace(/[\r\n]+/g, ' ');
    if (mode === 'env') {
      const e = envRef(ref);
      switch (where) {
        // unquoted, like K9s's text: an empty value is no word at all; any other is one word
        case 'code': return `\${${e.slice(2, -1)}:+"${e}"}`;
        case 'dq': case 'heredoc': case 'brace-dq': return e;
        case 'brace': return `"${e}"`;
        case 'sq': return `'"${e}"'`;
        case 'ansi': return `'"${e}"$'`;
      }
    }
    switch (where) {
      case 'code': return v === '' ? '' : throughBackticks(sq(v));
      case 'dq': return throughBackticks(v.replace(/[\\$`"]/g, '\\$&'));
      case 'sq': return throughBackticks(v.replace(/'/g, `'\\''`));
      case 'ansi': return throughBackticks(v.replace(/[\\']/g, '\\$&'));
      // a command substitution: its text cannot be the delimiter, and a '}' cannot end ${...}
      case 'heredoc': case 'brace-dq': return throughBackticks(`$(printf '%s' ${sq(v)})`);
      case 'brace': return throughBackticks(`"$(printf '%s' ${sq(v)})"`);
    }
    return v;
  };

  const readHeredocBodies = () => {
    for (const h of heredocs.splice(0)) {
      while (i < script.length) {
        const nl = script.indexOf('\n', i);
        const lineEnd = nl < 0 ? script.length : nl;
        const line = script.slice(i, lineEnd);
        if ((h.strip ? line.replace(/^\t+/, '') : line) === h.delim) {
          out += line + (nl < 0 ? '' : '\n');
          i = nl < 0 ? script.length : nl + 1;
          break;
        }
        let j = i;
        let body = '';
        while (j < lineEnd) {
          if (!h.literal && script[j] === '\\' && j + 1 < lineEnd) {
            body += script.slice(j, j + 2);
            j += 2;
            continue;
          }
          const ref = script[j] === '$' ? varRefAt(script, j, vars) : undefined;
          if (ref && ref.end <= lineEnd) {
            body += emit(ref, h.literal ? 'heredoc-literal' : 'heredoc');
            j = ref.end;
          } else {
            body += script[j++];
          }
        }
        // a value must not make a line that ends the document early
        if ((h.strip ? body.replace(/^\t+/, '') : body) === h.delim) body += ' ';
        out += body + (nl < 0 ? '' : '\n');
        i = nl < 0 ? script.length : nl + 1;
      }
    }
  };

  while (i < script.length) {
    const f = top();
    const c = script[i];
    const next = script[i + 1];

    if (f.t === 'sq') {
      if (c === "'") {
        stack.pop();
        out += c;
        i++;
        continue;
      }
    } else if (f.t === 'ansi') {
      if (c === '\\' && next !== undefined) {
        out += c + next;
        i += 2;
        continue;
      }
      if (c === "'") {
        stack.pop();
        out += c;
        i++;
        continue;
      }
    } else {
      // code, dq, brace, arith: backslash escapes, nested quoting, $(...), `...`
      if (c === '\\' && next !== undefined) {
        out += c + next;
        i += 2;
        continue;
      }
      if (c === '`') {
        if (f.t === 'code' && f.end === '`') stack.pop();
        else stack.push({ t: 'code', end: '`', depth: 0 });
        out += c;
        i++;
        continue;
      }
      if (f.t === 'dq' && c === '"') {
        stack.pop();
        out += c;
        i++;
        continue;
      }
      if (c === '$' && next === '(') {
        if (script[i + 2] === '(') {
          stack.push({ t: 'arith', depth: 0, dollar: true });
          out += '$((';
          i += 3;
        } else {
          stack.push({ t: 'code', end: ')', depth: 0 });
          out += '$(';
          i += 2;
        }
        continue;
      }
      if (f.t !== 'dq') {
        // single quotes are plain characters in arithmetic and in "${x:-'a'}"
        if (c === "'" && f.t !== 'arith' && !(f.t === 'brace' && f.inDq)) {
          stack.push({ t: 'sq' });
          out += c;
          i++;
          continue;
        }
        if (c === '"') {
          stack.push({ t: 'dq' });
          out += c;
          i++;
          continue;
        }
        if (c === '$' && next === "'") {
          stack.push({ t: 'ansi' });
          out += "$'";
          i += 2;
          continue;
        }
        if (c === '$' && next === '"') {
          stack.push({ t: 'dq' });
          out += '$"';
          i += 2;
          continue;
        }
      }
      if (f.t === 'arith') {
        if (c === '(') f.depth++;
        if (c === ')') {
          if (f.depth === 0 && next === ')') {
            stack.pop();
            out += '))';
            i += 2;
            continue;
          }
          f.depth = Math.max(0, f.depth - 1);
        }
      }
      if (f.t === 'brace') {
        if (c === '{') f.depth++;
        if (c === '}') {
          if (f.depth === 0) stack.pop();
          else f.depth--;
          out += c;
          i++;
          continue;
        }
      }
      if (f.t === 'code') {
        const atWordStart = i === 0 || WORD_START.test(script[i - 1]);
        if (c === '#' && atWordStart) {
          const nl = script.indexOf('\n', i);
          const end = nl < 0 ? script.length : nl;
          out += script.slice(i, end);
          i = end;
          continue;
        }
        if (c === '(' && next === '(' && atWordStart) {
          stack.push({ t: 'arith', depth: 0, dollar: false });
          out += '((';
          i += 2;
          continue;
        }
        if (f.end === ')' && c === '(') f.depth++;
        if (f.end === ')' && c === ')') {
          if (f.depth === 0) stack.pop();
          else f.depth--;
          out += c;
          i++;
          continue;
        }
        if (c === '<' && next === '<' && script[i + 2] !== '<') {
          // here-document: remember the delimiter, read the body after this line
          let j = i + 2;
          const strip = script[j] === '-';
          if (strip) j++;
          while (script[j] === ' ' || script[j] === '\t') j++;
          let word = '';
          while (j < script.length && !/[\s;&|<>()]/.test(script[j])) word += script[j++];
          if (word) heredocs.push({ delim: word.replace(/['"\\]/g, ''), strip, literal: /['"\\]/.test(word) });
          out += script.slice(i, j);
          i = j;
          continue;
        }
        if (c === '\n' && heredocs.length) {
          out += c;
          i++;
          readHeredocBodies();
          continue;
        }
      }
    }

    if (c === '$') {
      const ref = varRefAt(script, i, vars);
      if (ref) {
        const where = f.t === 'brace' ? (f.inDq ? 'brace-dq' : 'brace') : f.t;
        out += emit(ref, where);
        i = ref.end;
        continue;
      }
      if (next === '{' && f.t !== 'sq' && f.t !== 'ansi') {
        // a shell parameter expansion kmux does not own: ${HOME}, ${1:-x}
        stack.push({ t: 'brace', inDq: f.t === 'dq' || (f.t === 'brace' && f.inDq), depth: 0 });
        out += '${';
        i += 2;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// The argument vector

export interface Argv {
  command: string;
  args: string[];
  /** further pipeline stages, each an argument vector (command first) */
  pipes: string[][];
  /**
   * Environment the command needs besides pluginEnv's: the variables a shell script refers
   * to (KMUX_NAME...). pluginEnv(vars, base, argv) and JobRegistry merge it in.
   */
  env: Record<string, string>;
}

/** Substitute one stage: plain arguments one by one; shell scripts through rewriteShellScript. */
function buildStage(command: string, args: readonly string[], vars: PluginVars, env: Record<string, string>): string[] {
  const cmd = substitute(command, vars);
  const out = args.map((a) => a);
  const done = new Set<number>();
  // the stage's own command is a shell (maybe through env): variables travel in the environment
  let shellAt = -1;
  if (isPosixShell(cmd)) shellAt = 0;
  else if (basename(cmd) === 'env') {
    let j = 0;
    while (j < args.length && (/^-[i0]$|^-$|^--ignore-environment$/.test(args[j]) || /^[A-Za-z_]\w*=/.test(args[j]) || args[j] === '-u')) j += args[j] === '-u' ? 2 : 1;
    if (j < args.length && isPosixShell(args[j])) shellAt = j + 1;
  }
  if (shellAt >= 0) {
    const s = shellScriptIndex(args, shellAt);
    if (s !== undefined) {
      out[s] = rewriteShellScript(args[s], vars, 'env', env);
      done.add(s);
    }
  } else {
    // a script handed on to another program (kubectl exec -- sh -c '...', sudo sh -c ...)
    for (let j = 0; j < args.length; j++) {
      if (done.has(j) || !isPosixShell(args[j])) continue;
      const s = shellScriptIndex(args, j + 1);
      if (s !== undefined && !done.has(s)) {
        out[s] = rewriteShellScript(args[s], vars, 'literal');
        done.add(s);
      }
    }
  }
  return [cmd, ...out.map((a, j) => (done.has(j) ? a : substitute(a, vars)))];
}

/**
 * The command a plugin runs for these variables: an argument vector, never a shell line.
 * Each argument is substituted on its own, so a value stays inside the argument it was
 * written in, whatever characters it holds.
 */
export function buildArgv(plugin: { command: string; args: readonly string[]; pipes?: readonly (readonly string[])[] }, vars: PluginVars): Argv {
  const env: Record<string, string> = {};
  const [command, ...args] = buildStage(plugin.command, plugin.args, vars, env);
  const pipes = (plugin.pipes ?? []).filter((p) => p.length > 0).map((p) => buildStage(p[0], p.slice(1), vars, env));
  return { command, args, pipes, env };
}

/** Split a K9s pipe string ("grep -v foo") into words; '...' and "..." group, \ escapes. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  let q: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === q) q = null;
      else if (c === '\\' && q === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      q = c;
      has = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) words.push(cur);
  return words;
}

/**
 * Quote one word so a POSIX shell reads it back exactly: bare when safe, '...' otherwise,
 * $'...' with escapes when it holds control characters (so a newline or an escape sequence
 * in a name cannot redraw a confirm dialog).
 */
export function shellQuote(word: string): string {
  if (word !== '' && /^[\w@%+=:,./-]+$/.test(word)) return word;
  if (/[\u0000-\u001f\u007f]/.test(word)) {
    const esc = word.replace(/[\\']/g, '\\$&').replace(/[\u0000-\u001f\u007f]/g, (ch) => {
      const named: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\u001b': '\\e' };
      return named[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    });
    return `$'${esc}'`;
  }
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The exact command line for a confirm dialog: every argument quoted as a shell would need it,
 * pipeline stages joined by ' | ', then the environment variables a script refers to.
 */
export function formatCommandLine(argv: Argv, opts: { env?: boolean } = {}): string {
  const stages = [[argv.command, ...argv.args], ...argv.pipes].map((s) => s.map(shellQuote).join(' '));
  let text = stages.join(' | ');
  const refs = Object.entries(argv.env);
  if (opts.env !== false && refs.length) text += `\n  with ${refs.map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')}`;
  return text;
}
