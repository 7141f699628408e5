/** A plugin's inputs (K9s's `inputs`): string, number, bool and dropdown fields. */
import type { Dialog, DialogDrawing } from './dialog.js';
import type { Press } from '../keys/keys.js';
import type { Plugin } from '../../plugins/load.js';
import { fit } from '../text.js';

export type FormValues = Record<string, string | number | boolean>;

export class PluginFormDialog implements Dialog {
  readonly kind = 'overlay';
  readonly values: FormValues = {};
  field = 0;

  constructor(private readonly o: { plugin: Plugin; onSubmit: (v: FormValues) => void; close: () => void; error: (msg: string) => void; onCancel: () => void }) {
    for (const i of o.plugin.inputs) this.values[i.name] = i.default ?? (i.type === 'bool' ? false : i.type === 'number' ? 0 : i.type === 'dropdown' ? (i.options?.[0] ?? '') : '');
  }

  key(input: string, k: Press): void {
    const inputs = this.o.plugin.inputs;
    const def = inputs[this.field];
    if (k.escape) {
      this.o.close();
      return this.o.onCancel();
    }
    if (k.upArrow) this.field = (this.field + inputs.length - 1) % inputs.length;
    else if (k.downArrow || k.tab) this.field = (this.field + 1) % inputs.length;
    else if (k.return) {
      const missing = inputs.find((i) => i.required && (this.values[i.name] === '' || this.values[i.name] === undefined));
      if (missing) return this.o.error(`${missing.label || missing.name} is required`);
      this.o.close();
      this.o.onSubmit(this.values);
    } else if (def.type === 'bool' && input === ' ') this.values[def.name] = !this.values[def.name];
    else if (def.type === 'dropdown' && (k.leftArrow || k.rightArrow || input === ' ')) {
      const opts = def.options ?? [];
      const at = opts.indexOf(String(this.values[def.name]));
      this.values[def.name] = opts[(at + (k.leftArrow ? opts.length - 1 : 1)) % Math.max(1, opts.length)] ?? '';
    } else if (def.type === 'number' || def.type === 'string') {
      const cur = String(this.values[def.name] ?? '');
      let next = cur;
      if (k.backspace || k.delete) next = cur.slice(0, -1);
      else if (input && !k.ctrl && input >= ' ') next = cur + input;
      if (def.type === 'number') {
        if (next === '' || next === '-' || /^-?\d*\.?\d*$/.test(next)) this.values[def.name] = next === '' || next === '-' ? next : Number(next);
      } else this.values[def.name] = next;
    }
  }

  render(): DialogDrawing {
    const f = this;
    return {
      kind: 'overlay', title: `Plugin ${this.o.plugin.name}`,
      lines: [
        ...this.o.plugin.inputs.map((i, n) => `${n === f.field ? '>' : ' '} ${fit(i.label || i.name, 24)} ${i.type === 'bool' ? (f.values[i.name] ? '[x]' : '[ ]') : `[${f.values[i.name] ?? ''}]`}${i.type === 'dropdown' ? '  ←/→' : ''}`),
        '', '↑/↓ field   type to edit   <space> toggle   <enter> run   <esc> cancel',
      ],
    };
  }
}
