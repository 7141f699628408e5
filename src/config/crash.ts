/**
 * When kmux fails in a way it did not foresee: one line for the terminal (what happened and
 * where the details are), the stack in a file. No stack trace ever reaches the user's terminal.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { printable } from '../util/printable.js';

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'kmux');
}

/** Write the error's stack to kmux's crash log and return the line to print. */
export function crashReport(err: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const msg = printable((e.message || e.name).split('\n')[0], 300);
  const file = join(stateDir(env), 'crash.log');
  try {
    mkdirSync(stateDir(env), { recursive: true });
    appendFileSync(file, `--- ${new Date().toISOString()} kmux ${process.argv.slice(2).join(' ')}\n${e.stack ?? msg}\n`);
    return `kmux: unexpected error: ${msg} (details in ${file}; please report it)`;
  } catch {
    return `kmux: unexpected error: ${msg}`;
  }
}
