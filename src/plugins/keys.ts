/**
 * K9s key names (`a`, `Shift-A`, `Ctrl-X`, `Shift-1`) as kmux binds them, and the test that
 * matches one against what Ink's useInput reports.
 */

import { quote } from '../config/untrusted.js';

export interface KeySpec {
  /** one lowercase letter a-z or one digit 0-9 */
  key: string;
  shift: boolean;
  ctrl: boolean;
}

export class KeyNameError extends Error {}

/** What Shift-digit types on a US keyboard (K9s binds Shift-1 to the '!' key, and so on). */
export const SHIFT_DIGIT: Readonly<Record<string, string>> = {
  '0': ')', '1': '!', '2': '@', '3': '#', '4': '$', '5': '%', '6': '^', '7': '&', '8': '*', '9': '(',
};
const DIGIT_OF_SYMBOL: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(SHIFT_DIGIT).map(([d, s]) => [s, d]));

const HELP = 'use a-z, 0-9, Shift-A..Shift-Z, Shift-0..Shift-9 or Ctrl-A..Ctrl-Z';

/**
 * Parse a key name. Accepts K9s's spellings (`a`, `Shift-A`, `Ctrl-X`, `Shift-1`) in any case
 * and with `+` or `-` (`ctrl+x`), plus the typed forms `A` (= Shift-A) and `!` (= Shift-1).
 * Throws KeyNameError with a message fit for the user.
 */
export function parseKey(name: string): KeySpec {
  if (typeof name !== 'string') throw new KeyNameError(`shortCut must be a string (${HELP})`);
  const text = name.trim();
  if (!text) throw new KeyNameError(`shortCut is empty (${HELP})`);
  if (text.length === 1) {
    if (/^[a-z0-9]$/.test(text)) return { key: text, shift: false, ctrl: false };
    if (/^[A-Z]$/.test(text)) return { key: text.toLowerCase(), shift: true, ctrl: false };
    if (DIGIT_OF_SYMBOL[text]) return { key: DIGIT_OF_SYMBOL[text], shift: true, ctrl: false };
    throw new KeyNameError(`${quote(text)} cannot be a plugin key (${HELP})`);
  }
  const parts = text.split(/[-+]/);
  const base = parts.pop() ?? '';
  let shift = false;
  let ctrl = false;
  for (const p of parts) {
    const m = p.toLowerCase();
    if (m === 'shift' && !shift) shift = true;
    else if ((m === 'ctrl' || m === 'control') && !ctrl) ctrl = true;
    else throw new KeyNameError(`${quote(text)}: unknown modifier ${quote(p)} (${HELP})`);
  }
  if (parts.length === 0 || !/^[a-z0-9]$/i.test(base)) throw new KeyNameError(`${quote(text)} is not a key kmux can bind (${HELP})`);
  const key = base.toLowerCase();
  if (ctrl && shift) throw new KeyNameError(`${quote(text)}: a terminal cannot tell Ctrl-Shift-${key.toUpperCase()} from Ctrl-${key.toUpperCase()}; use one modifier`);
  if (ctrl && /[0-9]/.test(key)) throw new KeyNameError(`${quote(text)}: terminals do not send Ctrl with a digit (${HELP})`);
  return { key, shift, ctrl };
}

/** parseKey without the throw: the spec, or the reason it is not a key. */
export function tryParseKey(name: unknown): { spec: KeySpec } | { error: string } {
  try {
    return { spec: parseKey(name as string) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * Keys a terminal sends as something else: Ctrl-I is Tab, Ctrl-M is Enter, Ctrl-H is
 * Backspace, Ctrl-C quits kmux. A warning, not an error (K9s allows them). Ctrl-J is a key of
 * its own: the terminal sends a line feed for it and a carriage return for Enter.
 */
export function keyCaveat(spec: KeySpec): string | undefined {
  if (!spec.ctrl) return undefined;
  const same: Record<string, string> = { i: 'Tab', m: 'Enter', h: 'Backspace', c: 'quit (kmux exits on Ctrl-C)' };
  return same[spec.key] ? `${formatKey(spec)} arrives in a terminal as ${same[spec.key]}; the plugin may never run` : undefined;
}

/** A stable id for maps and comparisons: 'a', 'shift-a', 'ctrl-x', 'shift-1'. */
export function keyId(spec: KeySpec): string {
  return `${spec.ctrl ? 'ctrl-' : ''}${spec.shift ? 'shift-' : ''}${spec.key}`;
}

export function sameKey(a: KeySpec, b: KeySpec): boolean {
  return a.key === b.key && a.shift === b.shift && a.ctrl === b.ctrl;
}

/** kmux's display form, like its built-in keys: 'a', '<shift-a>', '<ctrl-x>', '<shift-1>'. */
export function formatKey(spec: KeySpec): string {
  return spec.shift || spec.ctrl ? `<${keyId(spec)}>` : spec.key;
}

/** K9s's spelling, for messages that quote the file: 'a', 'Shift-A', 'Ctrl-X', 'Shift-1'. */
export function k9sKeyName(spec: KeySpec): string {
  if (spec.ctrl) return `Ctrl-${spec.key.toUpperCase()}`;
  if (spec.shift) return `Shift-${spec.key.toUpperCase()}`;
  return spec.key;
}

/**
 * True when Ink's useInput (input, key) is this key. Ink reports an uppercase letter with
 * shift set, Ctrl-X as input 'x' with ctrl set, and Shift-1 as the character '!' (US layout;
 * with the kitty protocol it may arrive as '1' with shift set: both match).
 */
export function matchesKey(spec: KeySpec, input: string, key: { ctrl: boolean; shift: boolean; meta?: boolean }): boolean {
  if (key.meta || input.length !== 1) return false;
  if (spec.ctrl) return key.ctrl && input.toLowerCase() === spec.key;
  if (key.ctrl) return false;
  if (/[a-z]/.test(spec.key)) {
    if (spec.shift) return input === spec.key.toUpperCase() || (input === spec.key && key.shift);
    return input === spec.key && !key.shift;
  }
  // digits
  if (spec.shift) return input === SHIFT_DIGIT[spec.key] || (input === spec.key && key.shift);
  return input === spec.key && !key.shift;
}
