/**
 * kmux as its installed bin runs it: the environment and node flags of bin/kmux.js's #! line
 * (`#!/usr/bin/env -S NAME=VALUE... node FLAGS`). The benches apply the environment to
 * themselves, so every kmux (and node baseline) they start inherits it, and pass the flags.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const BIN = join(resolve(import.meta.dirname, '..'), 'bin/kmux.js');
const line = readFileSync(BIN, 'utf8').split('\n')[0];
const words = (/^#!\S*env\s+-S\s+(.*)$/.exec(line)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
const at = words.indexOf('node');
/** NAME=VALUE pairs before `node` */
export const BIN_ENV: Record<string, string> = Object.fromEntries(words.slice(0, Math.max(0, at)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
/** the flags after `node` */
export const BIN_NODE_FLAGS: string[] = at < 0 ? [] : words.slice(at + 1);
for (const [k, v] of Object.entries(BIN_ENV)) process.env[k] ??= v;
/** how the bench says it runs kmux */
export const BIN_COMMAND = [...Object.entries(BIN_ENV).map(([k, v]) => `${k}=${v}`), 'node', ...BIN_NODE_FLAGS, 'bin/kmux.js'].join(' ');
