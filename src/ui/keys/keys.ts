/**
 * The key-action registry: every key a screen offers is one entry {keys, description, section,
 * dangerous, run}. The same list dispatches a key press, fills `?` help and the header's hints,
 * and (through keyDefs without `run`) tells plugin and hotkey loading which keys kmux takes.
 *
 * Key names are K9s's display forms: `j`, `G`, `/`, `<ctrl-d>`, `<shift-f>`, `<enter>`,
 * `<esc>`, `<up>`, `<pgdn>`, `<space>`... A plugin's key (`Shift-L`, `Ctrl-X`) maps to one.
 */
import type { Key } from 'ink';
import { SHIFT_DIGIT, type KeySpec } from '../../plugins/keys.js';

export type Section = 'General' | 'Navigation' | 'Resource' | 'Sort' | 'View' | 'Plugins' | 'Hotkeys';
export const SECTIONS: readonly Section[] = ['General', 'Navigation', 'Resource', 'Sort', 'View', 'Plugins', 'Hotkeys'];

/** What a key does, without the doing: enough for help, hints and clash checks. */
export interface KeyDef {
  /** a stable name for the action (tests, overrides) */
  id: string;
  /** the keys that run it; the first is the one shown unless `label` says otherwise */
  keys: string[];
  /** how help shows the keys, e.g. 'j/<down>' (default: the keys joined with '/') */
  label?: string;
  desc: string;
  section: Section;
  /** it changes the cluster: read-only and RBAC may make it unavailable */
  dangerous?: boolean;
  /** shown among the header's key hints */
  hint?: boolean;
  /** dispatched, but not listed in help (e.g. each of 1-9 when 0-9 stands for them) */
  hidden?: boolean;
  /**
   * K9s leaves this key to its table widget (moving: j, k, g, G, ctrl-f, ctrl-b), so a plugin or
   * hotkey on it takes it without `override`; the action keeps its other keys (<home>...).
   */
  soft?: boolean;
}

/** A key a screen offers now. */
export interface KeyAction extends KeyDef {
  run(): void;
  /** why it cannot run now (read-only, not allowed); pressing it says so */
  unavailable?: string;
  source?: 'kmux' | 'plugin' | 'hotkey';
}

export type Press = Pick<Key, 'ctrl' | 'shift' | 'meta' | 'escape' | 'return' | 'tab' | 'backspace' | 'delete' | 'upArrow' | 'downArrow' | 'leftArrow' | 'rightArrow' | 'pageUp' | 'pageDown' | 'home' | 'end'>;

const NAMED: Record<string, (input: string, k: Press) => boolean> = {
  '<enter>': (_i, k) => !!k.return,
  '<esc>': (_i, k) => !!k.escape,
  '<tab>': (_i, k) => !!k.tab && !k.shift,
  '<backtab>': (_i, k) => !!k.tab && !!k.shift,
  '<up>': (_i, k) => !!k.upArrow,
  '<down>': (_i, k) => !!k.downArrow,
  '<left>': (_i, k) => !!k.leftArrow,
  '<right>': (_i, k) => !!k.rightArrow,
  '<pgup>': (_i, k) => !!k.pageUp,
  '<pgdn>': (_i, k) => !!k.pageDown,
  '<home>': (_i, k) => !!k.home,
  '<end>': (_i, k) => !!k.end,
  '<backspace>': (_i, k) => !!k.backspace || !!k.delete,
  '<space>': (i, k) => i === ' ' && !k.ctrl && !k.meta,
  // terminals send ctrl-\ as the file separator character
  '<ctrl-\\>': (i, k) => (!!k.ctrl && i === '\\') || i === '\x1c',
};

/** True when the key press (Ink's input and flags) is the named key. */
export function matches(name: string, input: string, k: Press): boolean {
  const named = NAMED[name];
  if (named) return named(input, k);
  if (k.meta) return false;
  let m: RegExpMatchArray | null;
  if ((m = name.match(/^<ctrl-(.)>$/))) return !!k.ctrl && input.toLowerCase() === m[1];
  if ((m = name.match(/^<shift-(.)>$/))) {
    const c = m[1];
    if (k.ctrl) return false;
    if (/[a-z]/.test(c)) return input === c.toUpperCase() || (input === c && !!k.shift);
    return input === (SHIFT_DIGIT[c] ?? c) || (input === c && !!k.shift);
  }
  if (name === '0-9') return !k.ctrl && /^[0-9]$/.test(input);
  // one character: exactly that character, no Ctrl
  return name.length === 1 && !k.ctrl && input === name;
}

/** The action a key press runs: the first entry whose keys match (later entries never shadow). */
export function dispatch(actions: readonly KeyAction[], input: string, k: Press): KeyAction | undefined {
  return actions.find((a) => a.keys.some((n) => matches(n, input, k)));
}

/** A plugin's or hotkey's key as kmux names it: 'a', '<shift-a>', '<ctrl-x>', '<shift-1>'. */
export function keyNameOf(spec: KeySpec): string {
  if (spec.ctrl) return `<ctrl-${spec.key}>`;
  if (spec.shift) return `<shift-${spec.key}>`;
  return spec.key;
}

/**
 * The plugin key specs a key name stands for (what a plugin could clash with). Named keys with
 * no plugin spelling (arrows, Enter) stand for nothing; an uppercase letter is its shift form.
 */
export function specsOf(name: string): KeySpec[] {
  let m: RegExpMatchArray | null;
  if ((m = name.match(/^<ctrl-(.)>$/))) return [{ key: m[1].toLowerCase(), ctrl: true, shift: false }];
  if ((m = name.match(/^<shift-(.)>$/))) return [{ key: m[1].toLowerCase(), ctrl: false, shift: true }];
  if (name === '0-9') return [...'0123456789'].map((d) => ({ key: d, ctrl: false, shift: false }));
  if (name === '<space>') return [{ key: ' ', ctrl: false, shift: false }];
  if (/^[a-z0-9]$/.test(name)) return [{ key: name, ctrl: false, shift: false }];
  if (/^[A-Z]$/.test(name)) return [{ key: name.toLowerCase(), ctrl: false, shift: true }];
  const digit = Object.entries(SHIFT_DIGIT).find(([, s]) => s === name)?.[0];
  if (digit) return [{ key: digit, ctrl: false, shift: true }];
  return [];
}

/** Every plugin-spelled key a list of definitions takes, with what it does (for clash reports). */
export function takenKeys(defs: readonly KeyDef[]): (KeySpec & { label: string; soft?: boolean })[] {
  const out: (KeySpec & { label: string; soft?: boolean })[] = [];
  for (const d of defs) for (const n of d.keys) for (const s of specsOf(n)) out.push({ ...s, label: d.desc, ...(d.soft ? { soft: true } : {}) });
  return out;
}

/** How help and hints show an action's keys. */
export function keyLabel(d: KeyDef): string {
  return d.label ?? d.keys.join('/');
}

/**
 * A screen's keys with the user's on top: kmux's own first; then plugins and hotkeys. A plugin
 * or hotkey with `override` takes the key from kmux (kmux's action is dropped); one without it
 * never shadows kmux's (the load-time clash check has already said so), but for the soft keys
 * K9s gives away too (moving keys: see KeyDef.soft).
 */
export function withExtensions(own: KeyAction[], extensions: (KeyAction & { override?: boolean })[]): KeyAction[] {
  let out = [...own];
  for (const x of extensions) {
    const specs = x.keys.flatMap(specsOf);
    const taken = (n: string) => specsOf(n).some((s) => specs.some((t) => t.key === s.key && t.ctrl === s.ctrl && t.shift === s.shift));
    const holders = out.filter((a) => a.keys.some(taken));
    const soft = holders.length > 0 && holders.every((a) => a.soft && a.source !== 'plugin' && a.source !== 'hotkey');
    if (x.override || soft) {
      // kmux's action loses that key (and goes when it has no other)
      out = out.flatMap((a) => {
        if (a.source === 'plugin' || a.source === 'hotkey' || !a.keys.some(taken)) return [a];
        const keys = a.keys.filter((n) => !taken(n));
        return keys.length ? [{ ...a, keys, label: undefined }] : [];
      });
      out.unshift(x);
    } else if (!out.some((a) => a.keys.some(taken))) out.push(x);
  }
  return out;
}

/** Definitions made actions: each gets the handler of its id; a definition without one is left out. */
export function bind(defs: readonly KeyDef[], handlers: Partial<Record<string, () => void>>, over: Partial<Record<string, Partial<KeyAction>>> = {}): KeyAction[] {
  const out: KeyAction[] = [];
  for (const d of defs) {
    const run = handlers[d.id];
    if (run) out.push({ ...d, run, ...(over[d.id] ?? {}) });
  }
  return out;
}

