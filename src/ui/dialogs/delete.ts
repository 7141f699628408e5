/** Delete with kubectl's options: propagation (Background, Foreground, Orphan) and force. */
import type { Dialog, DialogDrawing } from './dialog.js';
import type { Press } from '../keys/keys.js';

export const PROPAGATIONS = ['Background', 'Foreground', 'Orphan'] as const;

export class DeleteDialog implements Dialog {
  readonly kind = 'overlay';
  propagation: (typeof PROPAGATIONS)[number] = 'Background';
  force = false;

  /** `what`: the objects in full (kind/name, namespace, context), as many lines as it takes */
  constructor(private readonly o: { what: string[]; onDelete: (propagation: string, force: boolean) => void; close: () => void; onCancel: () => void }) {}

  key(input: string, k: Press): void {
    if (k.escape || input === 'n') {
      this.o.close();
      this.o.onCancel();
    } else if (k.tab || input === 'p') {
      this.propagation = PROPAGATIONS[(PROPAGATIONS.indexOf(this.propagation) + 1) % PROPAGATIONS.length];
    } else if (input === 'f') {
      this.force = !this.force;
    } else if (k.return || input === 'y') {
      this.o.close();
      this.o.onDelete(this.propagation, this.force);
    }
  }

  render(): DialogDrawing {
    const [first, ...rest] = this.o.what;
    return {
      kind: 'overlay', title: 'Delete', bold: [0],
      lines: [
        `Delete ${first}${rest.length ? '' : '?'}`, ...rest.map((r, i) => (i === rest.length - 1 ? `${r}?` : r)), '',
        `Propagation: ${this.propagation}   (tab/p to change)`,
        `Force:       ${this.force ? 'yes (grace period 0)' : 'no'}   (f to toggle)`, '',
        '<enter> delete    <esc> cancel',
      ],
    };
  }
}
