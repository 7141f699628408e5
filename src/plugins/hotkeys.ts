/**
 * Hotkeys (K9s's hotkeys.yaml): a key that runs a `:` command, e.g. Shift-1 -> `pods @all`.
 *
 *   hotKeys:
 *     pods-everywhere: { shortCut: Shift-1, description: Pods everywhere, command: pods @all }
 *
 * Files, later wins per id: $K9S_CONFIG_DIR|$XDG_CONFIG_HOME/k9s/hotkeys.yaml, the K9s
 * context's $XDG_DATA_HOME/k9s/clusters/<cluster>/<context>/hotkeys.yaml, then kmux's
 * $XDG_CONFIG_HOME/kmux/hotkeys.yaml and $XDG_CONFIG_HOME/kmux/clusters/<context>/hotkeys.yaml.
 * Problems are reported as for plugins (file, line, which definitions clash and which wins).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { k9sConfigDir, kmuxConfigDir } from '../config/paths.js';
import { quote, readTextFile, safeProblem, safeText } from '../config/untrusted.js';
import { k9sKeyName, keyCaveat, keyId, matchesKey, parseKey, sameKey, type KeySpec } from './keys.js';
import type { BuiltinKey } from './load.js';
import { sanitizePathPart } from './load.js';
import { flagOf, isNull, mapEntries, readYaml, scalarText, type PluginProblem } from './yamlfile.js';

export interface Hotkey {
  id: string;
  shortCut: KeySpec;
  shortCutText: string;
  description: string;
  /** a `:` command line, e.g. "pods @all"; variables ($CONTEXT...) are substituted by the UI */
  command: string;
  override: boolean;
  /** K9s: keep the view history when jumping (default false: start a new history) */
  keepHistory: boolean;
  source: string;
  line: number;
  /** false when a built-in key keeps it off (no override), or a later hotkey took the key */
  bound: boolean;
}

export interface HotkeyLoadResult {
  hotkeys: Hotkey[];
  problems: PluginProblem[];
  sources: string[];
}

const FIELDS = ['shortCut', 'description', 'command', 'override', 'keepHistory'];

/** The hotkey files, in load order; `all`: those that may exist too (to watch for their creation). */
export function hotkeyFiles(o: { env?: NodeJS.ProcessEnv; context?: string; cluster?: string; all?: boolean }): string[] {
  const env = o.env ?? process.env;
  const dataHome = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  const k9sData = env.K9S_CONFIG_DIR || join(dataHome, 'k9s');
  const files = [join(k9sConfigDir(env), 'hotkeys.yaml')];
  if (o.context && o.cluster) files.push(join(k9sData, 'clusters', sanitizePathPart(o.cluster), sanitizePathPart(o.context), 'hotkeys.yaml'));
  files.push(join(kmuxConfigDir(env), 'hotkeys.yaml'));
  if (o.context) files.push(join(kmuxConfigDir(env), 'clusters', sanitizePathPart(o.context), 'hotkeys.yaml'));
  return [...new Set(files.map((f) => resolve(f)))].filter((f) => o.all || existsSync(f));
}

/** Read one hotkeys file (pure). Never throws. */
export function parseHotkeyFile(file: string, text: string): { hotkeys: Omit<Hotkey, 'bound'>[]; problems: PluginProblem[] } {
  let r: { hotkeys: Omit<Hotkey, 'bound'>[]; problems: PluginProblem[] };
  try {
    r = parseHotkeyText(file, text);
  } catch (e) {
    // a last resort: every path below is meant to report, never to throw
    r = { hotkeys: [], problems: [{ file, kind: 'parse', message: `not usable (internal error: ${(e as Error)?.message ?? String(e)}); no hotkey loaded from it` }] };
  }
  return { hotkeys: r.hotkeys, problems: r.problems.map(safeProblem) };
}

function parseHotkeyText(file: string, text: string): { hotkeys: Omit<Hotkey, 'bound'>[]; problems: PluginProblem[] } {
  const { yaml: y, problems } = readYaml(file, text);
  const hotkeys: Omit<Hotkey, 'bound'>[] = [];
  if (!y) return { hotkeys, problems };
  for (const doc of y.docs) {
    const root = y.resolve(doc.contents, doc);
    if (isNull(root)) continue;
    const top = mapEntries(root, doc, y);
    const hk = top?.find((e) => e.key === 'hotKeys' || e.key === 'hotkeys');
    if (!top || !hk) {
      problems.push({ file, line: y.lineOf(root), kind: 'invalid', message: 'expected "hotKeys:" with a map of id -> {shortCut, description, command}' });
      continue;
    }
    const entries = mapEntries(hk.value, doc, y);
    if (!entries) {
      if (!isNull(hk.value)) problems.push({ file, line: y.lineOf(hk.value), kind: 'invalid', message: 'hotKeys must be a map of id -> hotkey' });
      continue;
    }
    for (const e of entries) {
      const line = y.lineOf(e.keyNode) ?? 1;
      const bad = (m: string, node?: unknown) => problems.push({ file, line: (node ? y.lineOf(node) : undefined) ?? line, kind: 'invalid', message: `hotkey ${quote(e.key)}: ${m}` });
      const fields = mapEntries(e.value, doc, y);
      if (!fields) {
        bad('expected a map with shortCut, description, command');
        continue;
      }
      const f = new Map(fields.map((x) => [x.key, x]));
      for (const x of fields) if (!FIELDS.includes(x.key)) bad(`unknown field ${quote(x.key)} (ignored)`, x.keyNode);
      const shortCutText = scalarText(f.get('shortCut')?.value);
      const command = scalarText(f.get('command')?.value);
      const description = scalarText(f.get('description')?.value) ?? command ?? e.key;
      let ok = true;
      let shortCut: KeySpec | undefined;
      if (shortCutText === undefined) {
        bad('missing shortCut');
        ok = false;
      } else {
        try {
          shortCut = parseKey(shortCutText);
          const caveat = keyCaveat(shortCut);
          if (caveat) bad(caveat, f.get('shortCut')?.value);
        } catch (err) {
          bad(`bad shortCut: ${(err as Error).message}`, f.get('shortCut')?.value);
          ok = false;
        }
      }
      if (!command?.trim()) {
        bad('missing command (a : command such as "pods @all")');
        ok = false;
      }
      const flag = (k: string): boolean => {
        const n = f.get(k)?.value ?? null;
        if (isNull(n)) return false;
        const b = flagOf(n);
        if (b) {
          if (b.note) bad(`${k} is ${b.note}`, n);
          return b.value;
        }
        bad(`${k} must be true or false`, n);
        ok = false;
        return false;
      };
      const override = flag('override');
      const keepHistory = flag('keepHistory');
      if (!ok || !shortCut || shortCutText === undefined || !command) continue;
      hotkeys.push({ id: e.key, shortCut, shortCutText, description, command: command.trim(), override, keepHistory, source: file, line });
    }
  }
  return { hotkeys, problems };
}

/**
 * Load hotkeys. builtinKeys: kmux's global keys (a hotkey works in every view); one taken
 * without `override: true` is reported; the hotkey stays bound for the views without that key.
 */
export function loadHotkeys(o: { env?: NodeJS.ProcessEnv; context?: string; cluster?: string; builtinKeys?: BuiltinKey[] } = {}): HotkeyLoadResult {
  const problems: PluginProblem[] = [];
  const sources: string[] = [];
  const byId = new Map<string, Hotkey>();
  for (const file of hotkeyFiles(o)) {
    sources.push(file);
    const read = readTextFile(file);
    if (!read.ok) {
      problems.push({ file, kind: 'parse', message: `cannot read: ${read.message}` });
      continue;
    }
    const r = parseHotkeyFile(file, read.text);
    problems.push(...r.problems);
    for (const h of r.hotkeys) {
      const prev = byId.get(h.id);
      if (prev) {
        problems.push({ file, line: h.line, kind: 'override', message: `hotkey ${quote(h.id)} replaces the one from ${safeText(prev.source, 500)}:${prev.line}` });
        byId.delete(h.id);
      }
      byId.set(h.id, { ...h, bound: true });
    }
  }
  const hotkeys = [...byId.values()];
  for (const h of hotkeys) {
    const hit = o.builtinKeys?.find((k) => sameKey(k, h.shortCut));
    if (!hit) continue;
    const what = `${k9sKeyName(h.shortCut)} is kmux's key${hit.label ? ` for "${hit.label}"` : ''}`;
    if (hit.soft) problems.push({ file: h.source, line: h.line, kind: 'override', message: `hotkey ${quote(h.id)}: ${what}; the hotkey takes it, as in K9s (which leaves moving keys to hotkeys)` });
    else if (h.override) problems.push({ file: h.source, line: h.line, kind: 'override', message: `hotkey ${quote(h.id)}: ${what}; the hotkey takes it (override: true)` });
    else {
      // as in K9s, per view: kmux's key wins where the view has it, the hotkey works elsewhere
      problems.push({ file: h.source, line: h.line, kind: 'clash', message: `hotkey ${quote(h.id)}: ${what}; kmux's key wins in the views that have it, the hotkey works in the others (add override: true to take it)` });
    }
  }
  // the later hotkey takes a key from the one bound before it (one holder per key: linear, not pairs)
  const holder = new Map<string, Hotkey>();
  for (const b of hotkeys) {
    if (!b.bound) continue;
    const id = keyId(b.shortCut);
    const a = holder.get(id);
    if (a) {
      a.bound = false;
      problems.push({ file: b.source, line: b.line, kind: 'clash', message: `${k9sKeyName(b.shortCut)}: hotkey ${quote(a.id)} (${safeText(a.source, 500)}:${a.line}) and hotkey ${quote(b.id)} (${safeText(b.source, 500)}:${b.line}) both take it; ${quote(b.id)} wins (loaded later)` });
    }
    holder.set(id, b);
  }
  return { hotkeys, problems: problems.map(safeProblem), sources };
}

/** The bound hotkey for a keypress from Ink's useInput, if any. */
export function hotkeyForKey(hotkeys: readonly Hotkey[], input: string, key: { ctrl: boolean; shift: boolean; meta?: boolean }): Hotkey | undefined {
  return hotkeys.find((h) => h.bound && matchesKey(h.shortCut, input, key));
}
