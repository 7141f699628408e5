/**
 * The prompt bar: `:` commands (Tab or → accepts the suggestion) and `/` filters (applied as
 * typed when they parse; the reason shown when they do not).
 */
import React from 'react';
import { Text } from 'ink';
import type { Dialog, DialogDrawing } from './dialog.js';
import type { Drawing } from '../chrome/frame.js';
import type { Press } from '../keys/keys.js';
import { fit, fitEnd, width } from '../text.js';

export interface PromptOptions {
  icon: ':' | '/';
  text?: string;
  /** the completion of the last word, or '' */
  suggest?: (text: string) => string;
  /** as typed: an error message to show, or undefined when it is fine */
  onChange?: (text: string) => string | undefined;
  onSubmit: (text: string) => void;
  /** esc: what typing changed is undone by the caller if it wants */
  onCancel?: () => void;
  close: () => void;
}

export class PromptDialog implements Dialog {
  readonly kind = 'prompt';
  text: string;
  error = '';

  constructor(private readonly o: PromptOptions) {
    this.text = o.text ?? '';
  }

  get icon(): string {
    return this.o.icon;
  }

  suggestion(): string {
    return this.o.suggest?.(this.text) ?? '';
  }

  key(input: string, k: Press): void {
    if (k.escape) {
      this.o.close();
      this.o.onCancel?.();
      return;
    }
    if (k.return) {
      this.o.close();
      this.o.onSubmit(this.text);
      return;
    }
    if ((k.tab || k.rightArrow) && this.o.suggest) {
      const sug = this.suggestion();
      if (sug) {
        const parts = this.text.split(/\s+/);
        parts[parts.length - 1] = sug;
        this.text = parts.join(' ');
      }
      return;
    }
    if (k.ctrl && input === 'u') this.text = '';
    else if (k.backspace || k.delete) this.text = this.text.slice(0, -1);
    // eslint-disable-next-line no-control-regex
    else if (input && !k.ctrl && !k.meta && !/[\u0000-\u001f]/.test(input)) this.text += input;
    else return;
    if (this.o.onChange) this.error = this.o.onChange(this.text) ?? '';
  }

  render(d: Drawing): DialogDrawing {
    const { W, theme } = d;
    const sug = this.suggestion();
    const typed = this.text;
    const rest = sug ? sug.slice(typed.split(/\s+/).pop()!.length) : '';
    // inside the borders, one cell for the cursor: a text longer than that shows its end (where the typing is)
    const room = W - 5;
    const body = fitEnd(`${this.o.icon}${typed}`, room);
    return {
      kind: 'prompt',
      lines: [
        <Text key="p1" color={theme.promptBorder}>{'┌' + '─'.repeat(W - 2) + '┐'}</Text>,
        <Text key="p2">
          <Text color={theme.promptBorder}>│ </Text>
          <Text color={theme.promptFg}>{body}</Text>
          <Text inverse> </Text>
          <Text color={this.error ? theme.flashError : theme.promptSuggest}>{fit(this.error ? `  ${this.error}` : rest, Math.max(0, room - width(body)))}</Text>
          <Text color={theme.promptBorder}> │</Text>
        </Text>,
        <Text key="p3" color={theme.promptBorder}>{'└' + '─'.repeat(W - 2) + '┘'}</Text>,
      ],
    };
  }
}
