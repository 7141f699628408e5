/** Port-forward: which of the pod's ports, to which local port and address. */
import type { Dialog, DialogDrawing } from './dialog.js';
import type { Press } from '../keys/keys.js';
import { pfDialogLines, pfKey, type PfDialog } from '../portforward.js';

export class PortForwardDialog implements Dialog {
  readonly kind = 'overlay';

  constructor(readonly d: PfDialog, private readonly o: { onPortChanged: () => void; onSubmit: () => void; close: () => void }) {}

  key(input: string, k: Press): void {
    const r = pfKey(this.d, input, k as Parameters<typeof pfKey>[2]);
    if (r === 'cancel') this.o.close();
    else if (r === 'port-changed') this.o.onPortChanged();
    else if (r === 'submit' && !this.d.busy) this.o.onSubmit();
  }

  render(): DialogDrawing {
    return { kind: 'overlay', title: `Port-forward ${this.d.namespace}/${this.d.pod}`, lines: pfDialogLines(this.d) };
  }
}
