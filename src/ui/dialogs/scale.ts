/** Scale: the number of replicas, typed. */
import type { Dialog, DialogDrawing } from './dialog.js';
import type { Press } from '../keys/keys.js';

export class ScaleDialog implements Dialog {
  readonly kind = 'overlay';
  value: string;

  constructor(private readonly o: { title: string; value: string; onScale: (n: number) => void; close: () => void; error: (msg: string) => void }) {
    this.value = o.value;
  }

  key(input: string, k: Press): void {
    if (k.escape) return this.o.close();
    if (k.backspace || k.delete) this.value = this.value.slice(0, -1);
    else if (/^[0-9]$/.test(input) && this.value.length < 5) this.value += input;
    else if (k.return) {
      const n = Number(this.value);
      if (this.value === '' || !Number.isInteger(n) || n < 0) return this.o.error('replicas: a whole number, 0 or more');
      this.o.close();
      this.o.onScale(n);
    }
  }

  render(): DialogDrawing {
    return { kind: 'overlay', title: this.o.title, lines: [`Replicas: [${this.value}_]`, '', 'type a number   <enter> scale   <esc> cancel'] };
  }
}
