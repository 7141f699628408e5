/**
 * What kmux remembers between runs (conf, JSON in kmux's config dir): no secrets here.
 *
 * Which context to open is never remembered: that is the kubeconfig's current-context (or
 * --context), as kubectl does. What is remembered is per context: the last view and namespace
 * there. A wrong-typed value in the file is reported with its key and replaced by its default;
 * a file that is not JSON at all is reported and left as it is (nothing is saved over it).
 */
import Conf from 'conf';
import { join } from 'node:path';
import { kmuxConfigDir } from './paths.js';
import { printable } from '../util/printable.js';

export interface ContextMemory {
  /** the last resource view, e.g. 'pods' or 'deploy' */
  view?: string;
  /** the last namespace; '' is all namespaces */
  namespace?: string;
}

export interface SettingsData {
  /** favorite namespaces, most recent first; key 1..9 picks them, 0 is all namespaces. */
  favorites: string[];
  /** per context name: where the user was last */
  contexts: Record<string, ContextMemory>;
}

const DEFAULTS: SettingsData = { favorites: ['default'], contexts: {} };
const MAX_CONTEXTS = 200;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The stored data checked key by key; what is wrong is reported and replaced by its default. */
export function validateSettings(raw: unknown, file: string): { data: SettingsData; problems: string[] } {
  const problems: string[] = [];
  const data: SettingsData = { favorites: [...DEFAULTS.favorites], contexts: {} };
  if (!isObject(raw)) {
    if (raw !== undefined) problems.push(`${file}: expected a JSON object; using the defaults`);
    return { data, problems };
  }
  if (raw.favorites !== undefined) {
    if (Array.isArray(raw.favorites) && raw.favorites.every((f) => typeof f === 'string' && f.length > 0 && f.length <= 253)) {
      data.favorites = [...new Set(raw.favorites as string[])].slice(0, 9);
    } else problems.push(`${file}: "favorites" must be a list of namespace names; using the default`);
  }
  if (raw.contexts !== undefined) {
    if (!isObject(raw.contexts)) problems.push(`${file}: "contexts" must be an object; forgotten`);
    else {
      for (const [name, mem] of Object.entries(raw.contexts).slice(0, MAX_CONTEXTS)) {
        if (!isObject(mem)) {
          problems.push(`${file}: "contexts.${printable(name, 80)}" must be an object; forgotten`);
          continue;
        }
        const m: ContextMemory = {};
        if (mem.view !== undefined) {
          if (typeof mem.view === 'string' && mem.view.trim() && mem.view.length <= 200) m.view = mem.view;
          else problems.push(`${file}: "contexts.${printable(name, 80)}.view" must be a view name; forgotten`);
        }
        if (mem.namespace !== undefined) {
          if (typeof mem.namespace === 'string' && mem.namespace.length <= 253) m.namespace = mem.namespace;
          else problems.push(`${file}: "contexts.${printable(name, 80)}.namespace" must be a namespace name; forgotten`);
        }
        data.contexts[name] = m;
      }
    }
  }
  return { data, problems };
}

export class Settings {
  private conf?: Conf<SettingsData>;
  data: SettingsData;
  readonly file: string;
  /** what was wrong with the file when it was read, or when saving failed; kmux carries on. */
  problems: string[] = [];

  /** `name`: the file's base name; the demo fleet keeps its own, so its contexts (dev, prod...) never mix with real ones of the same name. */
  constructor(dir = kmuxConfigDir(), name = 'state') {
    this.file = join(dir, `${name}.json`);
    try {
      this.conf = new Conf<SettingsData>({ projectName: 'kmux', projectSuffix: '', cwd: dir, configName: name, clearInvalidConfig: false });
      const { data, problems } = validateSettings(this.conf.store, this.file);
      this.data = data;
      this.problems = problems;
    } catch (e) {
      // not JSON (or not readable): leave the file for the user to look at, save nothing over it
      this.conf = undefined;
      this.problems = [`${this.file}: not loaded (${firstLine((e as Error).message)}); using the defaults and not saving`];
      this.data = { favorites: [...DEFAULTS.favorites], contexts: {} };
    }
  }

  get problem(): string | undefined {
    return this.problems[0];
  }

  private save(): void {
    try {
      if (this.conf) this.conf.store = this.data;
    } catch (e) {
      const p = `${this.file}: not saved (${firstLine((e as Error).message)})`;
      if (!this.problems.includes(p)) this.problems.push(p);
    }
  }

  /** Where the user was last in a context. */
  memory(context: string): ContextMemory {
    return this.data.contexts[context] ?? {};
  }

  /** Remember the view and namespace (undefined = all namespaces) of a context. */
  remember(context: string, m: { view?: string; namespace?: string | null }): void {
    const prev = this.data.contexts[context] ?? {};
    const next: ContextMemory = { ...prev };
    if (m.view !== undefined) next.view = m.view;
    if (m.namespace !== undefined) next.namespace = m.namespace ?? '';
    if (prev.view === next.view && prev.namespace === next.namespace) return;
    const contexts = { ...this.data.contexts };
    delete contexts[context];
    contexts[context] = next;
    // the most recent last; the oldest go when there are too many
    const names = Object.keys(contexts);
    for (const n of names.slice(0, Math.max(0, names.length - MAX_CONTEXTS))) delete contexts[n];
    this.data = { ...this.data, contexts };
    this.save();
  }

  /** Remember a namespace as a favorite (most recent first, nine at most, no duplicates). */
  useNamespace(ns: string): void {
    if (!ns) return;
    const favorites = [ns, ...this.data.favorites.filter((f) => f !== ns)].slice(0, 9);
    this.data = { ...this.data, favorites };
    this.save();
  }
}

function firstLine(s: string): string {
  return printable(s.split('\n')[0]);
}
