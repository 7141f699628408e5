/** Sort by a column picked with the arrows; the table marks the column while it is open. */
import type { Dialog, DialogDrawing } from './dialog.js';
import type { Press } from '../keys/keys.js';

export class SortColumnDialog implements Dialog {
  readonly kind = 'inline';
  col = 0;

  constructor(private readonly o: { columns: () => string[]; onSort: (name: string) => void; close: () => void }) {}

  key(_input: string, k: Press): void {
    const cols = this.o.columns();
    if (k.escape) this.o.close();
    else if (k.leftArrow) this.col = Math.max(0, this.col - 1);
    else if (k.rightArrow) this.col = Math.min(cols.length - 1, this.col + 1);
    else if (k.return) {
      this.o.close();
      const name = cols[this.col];
      if (name) this.o.onSort(name);
    }
  }

  render(): DialogDrawing {
    return { kind: 'inline', status: 'sort by column: ←/→ to choose, <enter> to sort, <esc> to cancel' };
  }
}
