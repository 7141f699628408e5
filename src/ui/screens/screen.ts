/**
 * A screen: a small controller and its drawing. It holds its own state (cursor, scroll,
 * filter), says which keys it offers, draws its lines for a given size, and disposes what it
 * opened. No screen needs a terminal to be tested: keys in, state and lines out.
 */
import type React from 'react';
import type { TableView } from '../../app/session.js';
import type { Drawing } from '../chrome/frame.js';
import type { KeyAction, Press } from '../keys/keys.js';
import type { Plugin } from '../../plugins/load.js';
import type { PluginVars } from '../../plugins/vars.js';

/** Where plugins apply: the names scopes match, the contexts (read-only), and how one runs on the cursor row. */
export interface PluginScope {
  names: string[];
  contexts: string[];
  run(p: Plugin): void;
  /** the cursor row's variables (for hotkeys' commands), when there is a row */
  vars?(): PluginVars | undefined;
}

export interface RenderCtx extends Drawing {
  /** lines for the screen, its frame included */
  height: number;
}

export interface Screen {
  /** what the crumbs call it */
  crumb(): string;
  /** the keys this screen offers now (the navigator adds the global ones, plugins and hotkeys) */
  keys(): KeyAction[];
  render(ctx: RenderCtx): React.ReactElement[];
  /** raw typing for screens with fields (drain options); true when the key was taken */
  input?(input: string, k: Press): boolean;
  /** the table view, for screens that show one */
  readonly view?: TableView;
  /** plugins and hotkeys apply here (table views) */
  readonly extensible?: boolean;
  /** plugins apply here too, though it shows no table view (a pod's containers) */
  pluginScope?(): PluginScope | undefined;
  /** a filter this screen applies from the `/` prompt: as typed, and when entered */
  filter?: { get(): string; set(text: string, final: boolean): string | undefined };
  dispose?(): void;
}
