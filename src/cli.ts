/**
 * kmux's entry point: flags and sub-commands, nothing else. What needs no terminal (help,
 * version, completion) is answered here before the UI or the simulator is loaded.
 */
import { readFileSync } from 'node:fs';
import { shipped } from './util/paths.js';

/** kmux's version, from its package.json. */
export function version(): string {
  try {
    return JSON.parse(readFileSync(shipped('package.json'), 'utf8')).version;
  } catch {
    return '0.0.0';
  }
}

async function main(argv: string[]): Promise<void> {
  const sub = argv[0];
  if (sub === 'sim') {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write((await import('./sim/usage.js')).SIM_USAGE);
      return;
    }
    const { simMain } = await import('./sim/cli.js');
    return simMain(argv.slice(1));
  }
  if (sub === 'version' || (sub === '--version' && argv.length === 1)) {
    process.stdout.write(`kmux ${version()} (node ${process.version})\n`);
    return;
  }
  if (sub === 'completion') {
    const { completionScript } = await import('./completion.js');
    const script = argv.length === 2 ? completionScript(argv[1]) : undefined;
    if (!script) {
      process.stderr.write(`kmux completion: wants one shell: bash, zsh or fish, e.g.\n  source <(kmux completion bash)\n`);
      process.exit(2);
    }
    process.stdout.write(script);
    return;
  }
  if (sub === '__kubectl_complete') {
    const { kubectlPluginCompletion } = await import('./completion.js');
    process.stdout.write(`${(await kubectlPluginCompletion(argv.slice(1))).join('\n')}\n`);
    return;
  }
  if (sub === '__complete') {
    const { complete } = await import('./completion.js');
    const out = await complete(argv[1] ?? '', argv[2] ?? '', argv[3]);
    if (out.length) process.stdout.write(`${out.join('\n')}\n`);
    return;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write((await import('./usage.js')).UI_USAGE);
    return;
  }
  // --demo: the fleet's worker thread starts while the UI loads (each takes a few hundred ms)
  let demo;
  if (argv.includes('--demo') && process.stdin.isTTY && process.stdout.isTTY) {
    demo = import('./sim/demo.js').then((m) => m.startDemo());
    // awaited by uiMain; a flag error may end the process before that
    demo.catch(() => {});
  }
  const { uiMain } = await import('./ui/run.js');
  return uiMain(argv, version(), demo);
}

main(process.argv.slice(2)).catch(async (e) => {
  const { crashReport } = await import('./config/crash.js');
  process.stderr.write(`${crashReport(e)}\n`);
  process.exit(1);
});
