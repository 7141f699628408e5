/** Yes or no before something happens: enter or y goes ahead, esc or n cancels. */
import type { Dialog, DialogDrawing } from './dialog.js';
import type { Press } from '../keys/keys.js';

export class ConfirmDialog implements Dialog {
  readonly kind = 'overlay';
  constructor(private readonly o: { title: string; lines: string[]; onYes: () => void; close: () => void; onCancel?: () => void }) {}

  key(input: string, k: Press): void {
    if (k.escape || input === 'n') {
      this.o.close();
      this.o.onCancel?.();
    } else if (k.return || input === 'y') {
      this.o.close();
      this.o.onYes();
    }
  }

  render(): DialogDrawing {
    return { kind: 'overlay', title: this.o.title, lines: [...this.o.lines, '', '<enter> go ahead    <esc> cancel'] };
  }
}
