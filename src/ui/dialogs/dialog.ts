/**
 * A dialog takes every key while it is open (the top of the navigator's modal stack) and draws
 * over the screen: as the prompt bar above the body (`:` and `/`), or as a box over it.
 */
import type React from 'react';
import type { Drawing } from '../chrome/frame.js';
import type { Press } from '../keys/keys.js';

export interface Dialog {
  readonly kind: 'prompt' | 'overlay' | 'inline';
  /** a key; the dialog closes itself through the close function it was given */
  key(input: string, k: Press): void;
  /** prompt: the bar's lines; overlay: a title and lines for the box; inline: a status hint */
  render(d: Drawing): DialogDrawing;
}

export type DialogDrawing =
  | { kind: 'prompt'; lines: React.ReactElement[] }
  | { kind: 'overlay'; title: string; lines: string[]; bold?: number[] }
  | { kind: 'inline'; status: string };
