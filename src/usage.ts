/**
 * kmux's flags and sub-commands, once: the help text and shell completion are made from this
 * table, and it loads nothing (`kmux --help` must cost no more than starting Node).
 */

/** What a flag's value is, for completion. */
export type ValueKind = 'file' | 'contexts' | 'namespaces' | 'views' | 'skins' | 'shells' | 'number' | 'text';

export interface FlagSpec {
  long: string;
  short?: string;
  /** the value's name in the help; none: a switch */
  arg?: string;
  values?: ValueKind;
  help: string;
  /** parsed but not listed in the help */
  hidden?: boolean;
}

export const UI_FLAGS: FlagSpec[] = [
  { long: 'kubeconfig', arg: 'FILE', values: 'file', help: 'kubeconfig to use (default: $KUBECONFIG, else ~/.kube/config)' },
  { long: 'context', arg: 'NAME[,NAME]', values: 'contexts', help: 'context(s) to open; several open one merged view' },
  { long: 'namespace', short: 'n', arg: 'NS', values: 'namespaces', help: 'namespace to start in' },
  { long: 'all-namespaces', short: 'A', help: 'start in all namespaces' },
  { long: 'command', short: 'c', arg: 'VIEW', values: 'views', help: 'first view, e.g. pods, nodes, deploy, "pods @all"' },
  { long: 'readonly', help: 'refuse every change (delete, cordon, drain...)' },
  { long: 'write', help: 'allow changes even where the configuration says readOnly', hidden: true },
  { long: 'skin', arg: 'NAME', values: 'skins', help: "a skin (kmux's or K9s's skins dirs, or the shipped ones); :skins lists them" },
  { long: 'headless', help: 'hide the header' },
  { long: 'crumbsless', help: 'hide the crumbs' },
  { long: 'logoless', help: 'hide the logo' },
  { long: 'demo', help: 'open on an embedded simulated fleet (no cluster needed)' },
  { long: 'version', help: "print kmux's version" },
  { long: 'help', short: 'h', help: 'this help' },
];

export const SUBCOMMANDS: { name: string; usage: string; help: string }[] = [
  { name: 'sim', usage: 'kmux sim [options]', help: 'run a simulated fleet (kmux sim --help)' },
  { name: 'version', usage: 'kmux version', help: "print kmux's version" },
  { name: 'completion', usage: 'kmux completion SHELL', help: 'print a completion script for bash, zsh or fish' },
];

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

function flagLabel(f: FlagSpec): string {
  return `${f.short ? `-${f.short}, ` : ''}--${f.long}${f.arg ? ` ${f.arg}` : ''}`;
}

export const UI_USAGE = [
  'Usage: kmux [options]',
  '',
  'Options:',
  ...UI_FLAGS.filter((f) => !f.hidden).map((f) => `  ${flagLabel(f).padEnd(24)}${f.help}`),
  '',
  'Subcommands:',
  ...SUBCOMMANDS.map((s) => `  ${s.usage.padEnd(24)}${s.help}`),
  '',
  'Shell completion, e.g. for bash: source <(kmux completion bash)',
  'As a kubectl plugin: kubectl kmux [options]',
  '',
].join('\n');

/** The sim's flags, read from its help text (one source): [long, short?, takes a value]. */
export function simFlags(usage: string): FlagSpec[] {
  const out: FlagSpec[] = [];
  const options = usage.slice(usage.indexOf('Options:'), usage.indexOf('\n\n', usage.indexOf('Options:')));
  for (const m of options.matchAll(/^ {2}(?:-(\w), )?--([\w-]+)(?: (\S+))?\s{2,}(.*)$/gm)) {
    const [, short, long, arg, help] = m;
    out.push({ long, short, arg, help, values: !arg ? undefined : /FILE/.test(arg) ? 'file' : /^[NRSP]$|MS/.test(arg) ? 'number' : 'text' });
  }
  return out;
}
