/**
 * Whether a context is read-only, as K9s decides it, from every place a user may have said so:
 * - the flags: `--readonly` makes everything read-only, `--write` nothing (K9s: the flag wins);
 * - a context's own setting: kmux's `config.yaml` `contexts: {NAME: {readOnly: true}}` and K9s's
 *   per-context `clusters/<cluster>/<context>/config.yaml` `k9s.readOnly` (it overrides the global);
 * - the global setting: kmux's `config.yaml` `readOnly: true` and K9s's `config.yaml`
 *   `k9s.readOnly: true`.
 * Where two files disagree at the same level, read-only wins; a value that is not a boolean is
 * reported and taken as read-only (a user who wrote `readOnly: "yes"` meant it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { k9sConfigDir, kmuxConfigDir } from './paths.js';
import { k9sClustersDir } from '../theme/select.js';
import { printable } from '../util/printable.js';
import { quote } from './untrusted.js';

export interface ReadOnlyDecision {
  readOnly: boolean;
  /** where the decision comes from, for messages: "--readonly", "k9s config.yaml (readOnly: true)" */
  why: string;
}

export interface ReadOnlyConfig {
  /** the decision for one context (its cluster names K9s's per-context directory) */
  decide(context: string, cluster?: string): ReadOnlyDecision;
  /** problems found in the files (file, key, what was done) */
  problems: string[];
}

type Setting = { value: boolean; file: string } | undefined;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** K9s's file-name cleaning for cluster and context dirs (`:` and `/` become `-`). */
function sanitize(s: string): string {
  return s.replace(/[:/\\]+/g, '-');
}

function readYaml(file: string, problems: string[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') problems.push(`${file}: not readable (${code ?? 'error'}); its readOnly setting is unknown, taken as read-only`);
    return code === 'ENOENT' || code === 'ENOTDIR' ? undefined : { __unreadable: true };
  }
  try {
    return parse(text, { maxAliasCount: 1000, logLevel: 'error' }) ?? undefined;
  } catch (e) {
    const err = e as Error & { linePos?: { line: number }[] };
    const line = err.linePos?.[0]?.line;
    problems.push(`${file}${line ? `:${line}` : ''}: not valid YAML; its readOnly setting is unknown, taken as read-only`);
    return { __unreadable: true };
  }
}

/** A readOnly value at `path` of a document: a boolean, or read-only with a problem when it is anything else. */
function setting(doc: unknown, path: string[], file: string, problems: string[]): Setting {
  if (isObject(doc) && doc.__unreadable === true) return { value: true, file };
  let cur: unknown = doc;
  for (const p of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  if (cur === undefined || cur === null) return undefined;
  if (typeof cur === 'boolean') return { value: cur, file };
  problems.push(`${file}: "${printable(path.join('.'), 80)}" must be true or false, not ${quote(cur, 40)}; taken as read-only`);
  return { value: true, file };
}

/** Two settings at the same level: read-only wins. */
function either(a: Setting, b: Setting): Setting {
  if (!a) return b;
  if (!b) return a;
  return a.value ? a : b;
}

function describe(s: NonNullable<Setting>, key: string): string {
  return `${s.file} (${key}: ${s.value})`;
}

export function loadReadOnlyConfig(opts: { env?: NodeJS.ProcessEnv; flag?: boolean } = {}): ReadOnlyConfig {
  const env = opts.env ?? process.env;
  const problems: string[] = [];
  const kmuxFile = join(kmuxConfigDir(env), 'config.yaml');
  const k9sFile = join(k9sConfigDir(env), 'config.yaml');
  const kmuxDoc = readYaml(kmuxFile, problems);
  const k9sDoc = readYaml(k9sFile, problems);
  const global = either(setting(kmuxDoc, ['readOnly'], kmuxFile, problems), setting(k9sDoc, ['k9s', 'readOnly'], k9sFile, problems));
  const cache = new Map<string, ReadOnlyDecision>();
  const decide = (context: string, cluster?: string): ReadOnlyDecision => {
    if (opts.flag === true) return { readOnly: true, why: '--readonly' };
    if (opts.flag === false) return { readOnly: false, why: '--write' };
    const id = `${context}\u0000${cluster ?? ''}`;
    const hit = cache.get(id);
    if (hit) return hit;
    let own = setting(kmuxDoc, ['contexts', context, 'readOnly'], kmuxFile, problems);
    if (cluster) {
      for (const f of new Set([join(k9sClustersDir(env), sanitize(cluster), sanitize(context), 'config.yaml'), join(k9sClustersDir(env), cluster, context, 'config.yaml')])) {
        own = either(own, setting(readYaml(f, problems), ['k9s', 'readOnly'], f, problems));
      }
    }
    const d: ReadOnlyDecision = own
      ? { readOnly: own.value, why: describe(own, own.file === kmuxFile ? `contexts.${context}.readOnly` : 'k9s.readOnly') }
      : global
        ? { readOnly: global.value, why: describe(global, global.file === kmuxFile ? 'readOnly' : 'k9s.readOnly') }
        : { readOnly: false, why: 'default' };
    cache.set(id, d);
    return d;
  };
  return { decide, problems };
}
