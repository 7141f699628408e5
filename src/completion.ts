/**
 * Shell completion: `kmux completion bash|zsh|fish` prints a script; the script asks
 * `kmux __complete KIND WORD` for what depends on the machine (contexts and namespaces from the
 * kubeconfig, skins from the skins folders), so a kubeconfig changed after the script was loaded
 * completes as it is now. Commands and flags are written into the script from src/usage.ts.
 */
import { SHELLS, SUBCOMMANDS, UI_FLAGS, simFlags, type FlagSpec, type ValueKind } from './usage.js';
import { SIM_USAGE } from './sim/usage.js';

/** Views -c completes (kubectl's names and short names of the kinds kmux draws itself). */
const VIEWS = [
  'pods', 'po', 'deployments', 'deploy', 'services', 'svc', 'nodes', 'no', 'namespaces', 'ns', 'configmaps', 'cm',
  'secrets', 'events', 'ev', 'persistentvolumeclaims', 'pvc', 'replicasets', 'rs', 'statefulsets', 'sts', 'daemonsets',
  'ds', 'jobs', 'cronjobs', 'cj', 'poddisruptionbudgets', 'pdb', 'customresourcedefinitions', 'crd',
];

/** Candidates for one value kind, starting with `word`. A comma list completes its last item. */
export async function complete(kind: string, word: string, kubeconfigFlag?: string): Promise<string[]> {
  const comma = kind === 'contexts' ? word.lastIndexOf(',') : -1;
  const head = comma >= 0 ? word.slice(0, comma + 1) : '';
  const tail = comma >= 0 ? word.slice(comma + 1) : word;
  let all: string[] = [];
  switch (kind) {
    case 'contexts':
    case 'namespaces': {
      const { kubeconfigPaths, loadKubeconfig } = await import('./kube/kubeconfig.js');
      let kc;
      try {
        kc = loadKubeconfig(kubeconfigPaths({ flag: kubeconfigFlag || undefined }));
      } catch {
        return [];
      }
      if (kind === 'contexts') {
        const taken = new Set(head.split(',').filter(Boolean));
        all = kc.contexts.map((c) => c.name).filter((n) => !taken.has(n));
      } else {
        all = [...new Set(kc.contexts.map((c) => c.namespace).filter((n): n is string => !!n)), 'default', 'kube-system'];
      }
      break;
    }
    case 'skins': {
      const { listSkins } = await import('./theme/select.js');
      all = listSkins().map((s) => s.name);
      break;
    }
    case 'views':
      all = VIEWS;
      break;
    case 'shells':
      all = [...SHELLS];
      break;
  }
  return [...new Set(all)].filter((c) => c.startsWith(tail)).sort().map((c) => head + c);
}

const dynamic = (v?: ValueKind): v is 'contexts' | 'namespaces' | 'views' | 'skins' =>
  v === 'contexts' || v === 'namespaces' || v === 'views' || v === 'skins';

function names(flags: FlagSpec[]): string[] {
  return flags.flatMap((f) => [`--${f.long}`, ...(f.short ? [`-${f.short}`] : [])]);
}

function bash(): string {
  const ui = UI_FLAGS.filter((f) => !f.hidden);
  const sim = simFlags(SIM_USAGE);
  const valueCase = (flags: FlagSpec[]) => flags.filter((f) => f.arg).map((f) => {
    const pat = [`--${f.long}`, ...(f.short ? [`-${f.short}`] : [])].join('|');
    if (f.values === 'file') return `      ${pat}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;`;
    if (dynamic(f.values)) return `      ${pat}) _kmux_dyn ${f.values}; return ;;`;
    return `      ${pat}) return ;;`;
  }).join('\n');
  return `# kmux completion for bash: source <(kmux completion bash), or save it in
# ~/.local/share/bash-completion/completions/kmux
_kmux_dyn() {
  local kc="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    [[ \${COMP_WORDS[i]} == --kubeconfig ]] && kc="\${COMP_WORDS[i+1]}"
  done
  local IFS=$'\\n'
  COMPREPLY=( $("\${COMP_WORDS[0]}" __complete "$1" "$cur" "$kc" 2>/dev/null) )
}
_kmux() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ \${COMP_WORDS[1]} == completion ]]; then
    [[ $COMP_CWORD == 2 ]] && COMPREPLY=( $(compgen -W "${SHELLS.join(' ')}" -- "$cur") )
    return
  fi
  [[ \${COMP_WORDS[1]} == version ]] && return
  if [[ \${COMP_WORDS[1]} == sim ]]; then
    case "$prev" in
${valueCase(sim)}
    esac
    COMPREPLY=( $(compgen -W "${names(sim).join(' ')}" -- "$cur") )
    return
  fi
  case "$prev" in
${valueCase(ui)}
  esac
  local words="${names(ui).join(' ')}"
  [[ $COMP_CWORD == 1 ]] && words="${SUBCOMMANDS.map((s) => s.name).join(' ')} $words"
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _kmux kmux kubectl-kmux
`;
}

function zsh(): string {
  const spec = (f: FlagSpec) => {
    const action = !f.arg ? '' : f.values === 'file' ? ':file:_files' : dynamic(f.values) ? `:${f.values}:{_kmux_dyn ${f.values}}` : `:${f.arg}:`;
    const help = f.help.replace(/[[\]:']/g, ' ');
    return f.short
      ? `    '(-${f.short} --${f.long})'{-${f.short},--${f.long}}'[${help}]${action}'`
      : `    '--${f.long}[${help}]${action}'`;
  };
  return `#compdef kmux kubectl-kmux
# kmux completion for zsh: source <(kmux completion zsh), or save it as _kmux in a folder of $fpath
_kmux_dyn() {
  local kc="" i
  for ((i = 2; i < CURRENT; i++)); do
    [[ \${words[i]} == --kubeconfig ]] && kc="\${words[i+1]}"
  done
  local -a c
  c=("\${(@f)$(\${words[1]} __complete $1 "\${PREFIX}" "$kc" 2>/dev/null)}")
  compadd -Q -U -- \${c:#}
}
_kmux() {
  if [[ \${words[2]} == sim ]]; then
    _arguments -s \\
${simFlags(SIM_USAGE).map(spec).join(' \\\n')}
    return
  fi
  if [[ \${words[2]} == completion ]]; then
    (( CURRENT == 3 )) && compadd ${SHELLS.join(' ')}
    return
  fi
  [[ \${words[2]} == version ]] && return
  _arguments -s \\
${UI_FLAGS.filter((f) => !f.hidden).map(spec).join(' \\\n')} \\
    '1::command:(${SUBCOMMANDS.map((s) => s.name).join(' ')})'
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _kmux "$@"
else
  compdef _kmux kmux kubectl-kmux
fi
`;
}

function fish(): string {
  const line = (cond: string, f: FlagSpec) => {
    const parts = [`complete -c kmux -n '${cond}'`];
    if (f.short) parts.push(`-s ${f.short}`);
    parts.push(`-l ${f.long}`);
    if (f.arg) parts.push(f.values === 'file' ? '-r -F' : '-x');
    if (dynamic(f.values)) parts.push(`-a '(__kmux_dyn ${f.values})'`);
    parts.push(`-d '${f.help.replace(/'/g, "\\'")}'`);
    return parts.join(' ');
  };
  const notSub = `not __fish_seen_subcommand_from ${SUBCOMMANDS.map((s) => s.name).join(' ')}`;
  return `# kmux completion for fish: kmux completion fish | source, or save it in
# ~/.config/fish/completions/kmux.fish
function __kmux_dyn
    set -l tokens (commandline -opc)
    set -l kc ''
    if set -l i (contains -i -- --kubeconfig $tokens)
        set kc $tokens[(math $i + 1)]
    end
    $tokens[1] __complete $argv[1] (commandline -ct) "$kc" 2>/dev/null
end
complete -c kmux -f
${SUBCOMMANDS.map((s) => `complete -c kmux -n '__fish_use_subcommand' -a ${s.name} -d '${s.help.replace(/'/g, "\\'")}'`).join('\n')}
complete -c kmux -n '__fish_seen_subcommand_from completion' -a '${SHELLS.join(' ')}'
${UI_FLAGS.filter((f) => !f.hidden).map((f) => line(notSub, f)).join('\n')}
${simFlags(SIM_USAGE).map((f) => line('__fish_seen_subcommand_from sim', f)).join('\n')}
complete -c kubectl-kmux -w kmux
`;
}

/**
 * kubectl's completion of a plugin (kubectl 1.26+): for `kubectl kmux ARGS<Tab>` kubectl runs
 * `kubectl_complete-kmux ARGS CURRENT` and reads candidates, one a line, then `:DIRECTIVE`
 * (cobra's: 0 default, 4 no file completion).
 */
export async function kubectlPluginCompletion(args: string[]): Promise<string[]> {
  const cur = args.at(-1) ?? '';
  const before = args.slice(0, -1);
  const prev = before.at(-1);
  const sub = SUBCOMMANDS.find((s) => s.name === before[0])?.name;
  const flags = sub === 'sim' ? simFlags(SIM_USAGE) : UI_FLAGS.filter((f) => !f.hidden);
  const kc = before.includes('--kubeconfig') ? before[before.indexOf('--kubeconfig') + 1] : undefined;
  const flag = prev === undefined ? undefined : flags.find((f) => prev === `--${f.long}` || (f.short !== undefined && prev === `-${f.short}`));
  if (flag?.arg) {
    if (flag.values === 'file') return [':0'];
    if (dynamic(flag.values)) return [...(await complete(flag.values, cur, kc)), ':4'];
    return [':4'];
  }
  if (sub === 'completion') return before.length === 1 ? [...SHELLS.filter((s) => s.startsWith(cur)), ':4'] : [':4'];
  if (sub === 'version') return [':4'];
  if (cur.startsWith('-')) return [...names(flags).filter((n) => n.startsWith(cur)), ':4'];
  if (before.length === 0) return [...SUBCOMMANDS.map((s) => s.name).filter((n) => n.startsWith(cur)), ':4'];
  return [':4'];
}

export function completionScript(shell: string): string | undefined {
  switch (shell) {
    case 'bash':
      return bash();
    case 'zsh':
      return zsh();
    case 'fish':
      return fish();
  }
  return undefined;
}
