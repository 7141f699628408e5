/**
 * Each dialog in ink-testing-library: a small host draws it the way the navigator does (a
 * screen's frame under it, the prompt bar above, the hint in the status line, the box over the
 * middle, with kmux's own chrome), keys are written to stdin as a user types them, and the
 * frames and what the dialog hands its caller are read back.
 */
import React, { useReducer, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import { STOCK } from '../../src/theme/theme.js';
import { frame, overlay, type Drawing } from '../../src/ui/chrome/frame.js';
import { fit } from '../../src/ui/text.js';
import type { Dialog } from '../../src/ui/dialogs/dialog.js';
import { ConfirmDialog } from '../../src/ui/dialogs/confirm.js';
import { DeleteDialog } from '../../src/ui/dialogs/delete.js';
import { ScaleDialog } from '../../src/ui/dialogs/scale.js';
import { PortForwardDialog } from '../../src/ui/dialogs/portforward.js';
import { PluginFormDialog, type FormValues } from '../../src/ui/dialogs/form.js';
import { SortColumnDialog } from '../../src/ui/dialogs/sortcol.js';
import { PromptDialog } from '../../src/ui/dialogs/prompt.js';
import type { PfDialog } from '../../src/ui/portforward.js';
import type { Plugin } from '../../src/plugins/load.js';
import { sleep } from '../helpers/wait.js';

const ENTER = '\r';
const ESC = '\x1b';
const TAB = '\t';
const BACKTAB = '\x1b[Z';
const UP = '\x1b[A';
const DOWN = '\x1b[B';
const RIGHT = '\x1b[C';
const LEFT = '\x1b[D';
const BACKSPACE = '\x7f';
const CTRL_U = '\x15';

// eslint-disable-next-line no-control-regex
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

/** Where a dialog is drawn: over a screen, as the navigator's frame does it. */
function Host({ make, W, H }: { make: (close: () => void) => Dialog; W: number; H: number }): React.ReactElement {
  const [open, setOpen] = useState(true);
  const [dialog] = useState(() => make(() => setOpen(false)));
  const [, bump] = useReducer((x: number) => x + 1, 0);
  useInput((input, key) => {
    if (!open) return;
    dialog.key(input, key);
    bump();
  });
  const d: Drawing = { W, theme: STOCK, mono: false };
  const drawn = open ? dialog.render(d) : undefined;
  const lines: React.ReactElement[] = [];
  if (drawn?.kind === 'prompt') lines.push(...drawn.lines);
  lines.push(...frame(d, ' pods(all)[3] ', [' NAME', ' web-1', ' web-2', ' web-3'], H - lines.length - 1));
  const status = drawn?.kind === 'inline' ? ` ${drawn.status}` : open ? '' : ' (closed)';
  lines.push(<Text key="status">{fit(status, W)}</Text>);
  if (drawn?.kind === 'overlay') overlay(d, lines, drawn.title, drawn.lines, drawn.bold);
  return <Box flexDirection="column" width={W} height={H}>{lines}</Box>;
}

let app: ReturnType<typeof render> | undefined;
afterEach(() => {
  app?.unmount();
  app = undefined;
});

function show(make: (close: () => void) => Dialog, W = 100, H = 24) {
  app = render(<Host make={make} W={W} H={H} />);
  Object.defineProperty(app.stdout, 'columns', { value: W, configurable: true });
  Object.defineProperty(app.stdout, 'rows', { value: H, configurable: true });
  app.stdout.emit('resize');
  return app;
}
const screen = () => strip(app?.lastFrame() ?? '');

async function waitFrame(pred: (f: string) => boolean, what: string, ms = 5000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const f = screen();
    if (pred(f)) return f;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; last frame:\n${f}`);
    await sleep(20);
  }
}
const waitFor = (re: RegExp, ms?: number) => waitFrame((f) => re.test(f), String(re), ms);

/** Keys a user presses, one at a time (Ink reads each write as one key). */
async function press(...seqs: string[]): Promise<void> {
  for (const s of seqs) {
    app!.stdin.write(s);
    await sleep(70);
  }
}

/** The lines of the dialog's box, between its │ borders (the box is drawn indented, over the screen's frame). */
function box(f: string): string[] {
  return f.split('\n').filter((l) => /^ +│ .* │ *$/.test(l)).map((l) => l.trim().slice(2, -2).trimEnd());
}

describe('ConfirmDialog', () => {
  const make = (log: string[]) => (close: () => void) => new ConfirmDialog({
    title: 'Restart deployment/web?', lines: ['deployments/web in shop (dev)', '', 'a rollout restart: pods are replaced one set at a time'],
    close: () => { log.push('close'); close(); }, onYes: () => log.push('yes'), onCancel: () => log.push('cancel'),
  });

  it('shows what it will do and the keys; other keys do nothing; y goes ahead', async () => {
    const log: string[] = [];
    show(make(log));
    const f = await waitFor(/─ Restart deployment\/web\? ─/);
    expect(box(f)).toEqual(['deployments/web in shop (dev)', '', 'a rollout restart: pods are replaced one set at a time', '', '<enter> go ahead    <esc> cancel']);
    await press('x', 'j', TAB);
    expect(log).toEqual([]);
    await press('y');
    await waitFor(/\(closed\)/);
    expect(log).toEqual(['close', 'yes']);
  });

  it('<enter> goes ahead too', async () => {
    const log: string[] = [];
    show(make(log));
    await waitFor(/Restart deployment/);
    await press(ENTER);
    await waitFor(/\(closed\)/);
    expect(log).toEqual(['close', 'yes']);
  });

  for (const [name, key] of [['<esc>', ESC], ['n', 'n']] as const) {
    it(`${name} cancels`, async () => {
      const log: string[] = [];
      show(make(log));
      await waitFor(/Restart deployment/);
      await press(key);
      await waitFor(/\(closed\)/);
      expect(log).toEqual(['close', 'cancel']);
    });
  }
});

describe('DeleteDialog', () => {
  const FULL = 'pods/checkout-payments-reconciler-7d9f8c6b5d-x2x9q in payments-eu-west-1-production (prod-eu-west-1-cluster-admin)';
  const make = (got: unknown[], what = [FULL]) => (close: () => void) => new DeleteDialog({
    what, close, onDelete: (propagation, force) => got.push({ propagation, force }), onCancel: () => got.push('cancel'),
  });

  it('shows the full kind/name, namespace and context; tab/p cycle the propagation, f toggles force; enter hands both over', async () => {
    const got: unknown[] = [];
    show(make(got), 160);
    let f = await waitFor(/─ Delete ─/);
    expect(box(f)[0]).toBe(`Delete ${FULL}?`);
    expect(box(f)).toContain('Propagation: Background   (tab/p to change)');
    expect(box(f)).toContain('Force:       no   (f to toggle)');
    expect(box(f)).toContain('<enter> delete    <esc> cancel');
    await press(TAB);
    f = await waitFor(/Propagation: Foreground/);
    await press('p');
    f = await waitFor(/Propagation: Orphan/);
    await press(TAB);
    f = await waitFor(/Propagation: Background/);
    await press('p', 'p');
    await waitFor(/Propagation: Orphan/);
    await press('f');
    f = await waitFor(/Force:\s+yes \(grace period 0\)/);
    await press('f');
    await waitFor(/Force:\s+no /);
    await press('f');
    await waitFor(/Force:\s+yes/);
    expect(got).toEqual([]);
    await press(ENTER);
    await waitFor(/\(closed\)/);
    expect(got).toEqual([{ propagation: 'Orphan', force: true }]);
  });

  it('y deletes with the defaults; esc and n cancel', async () => {
    for (const [key, want] of [['y', { propagation: 'Background', force: false }], [ESC, 'cancel'], ['n', 'cancel']] as const) {
      const got: unknown[] = [];
      show(make(got));
      await waitFor(/─ Delete ─/);
      await press(key);
      await waitFor(/\(closed\)/);
      expect(got).toEqual([want]);
      app!.unmount();
    }
  });

  it('on a narrow terminal the full name wraps over lines instead of being cut', async () => {
    show(make([]), 60, 30);
    const f = await waitFor(/─ Delete ─/);
    expect(f).not.toContain('…');
    const lines = box(f);
    const head = lines.slice(0, lines.indexOf(''));
    expect(head.length).toBeGreaterThan(1);
    // the wrapped pieces, put back together, are the whole of it
    // (a cut at a space drops that space; a word longer than a line is cut inside it)
    expect(head.join('').replace(/\s+/g, '')).toBe(`Delete ${FULL}?`.replace(/\s+/g, ''));
    expect(head[0]).toMatch(/^Delete pods\/checkout-payments-reconciler-/);
    expect(head.join('\n')).toMatch(/payments-eu-west-1-production[\s\S]*\(prod-eu-west-1-cluster-admin\)\?$/);
    // the box stays inside the terminal
    for (const l of f.split('\n')) expect(stringWidth(l)).toBeLessThanOrEqual(60);
  });

  it('several marked objects: each one is listed in full', async () => {
    const what = ['3 marked pods:', '  pods/web-1 in shop (dev)', '  pods/web-2 in shop (dev)', '  pods/api-1 in shop (staging)'];
    show(make([], what));
    const f = await waitFor(/─ Delete ─/);
    expect(box(f).slice(0, 4)).toEqual(['Delete 3 marked pods:', '  pods/web-1 in shop (dev)', '  pods/web-2 in shop (dev)', '  pods/api-1 in shop (staging)?']);
  });
});

describe('ScaleDialog', () => {
  const make = (got: unknown[]) => (close: () => void) => new ScaleDialog({
    title: 'Scale deployment/web in shop (dev)', value: '3', close, onScale: (n) => got.push(n), error: (m) => got.push(`error: ${m}`),
  });

  it('shows the current replicas; digits are typed, letters ignored; enter scales to the number', async () => {
    const got: unknown[] = [];
    show(make(got));
    let f = await waitFor(/─ Scale deployment\/web in shop \(dev\) ─/);
    expect(box(f)).toEqual(['Replicas: [3_]', '', 'type a number   <enter> scale   <esc> cancel']);
    await press(BACKSPACE);
    await waitFor(/Replicas: \[_\]/);
    // enter with nothing typed: said, and the dialog stays
    await press(ENTER);
    expect(got).toEqual(['error: replicas: a whole number, 0 or more']);
    expect(screen()).toMatch(/Replicas: \[_\]/);
    await press('1', 'x', '-', '2');
    f = await waitFor(/Replicas: \[12_\]/);
    await press(ENTER);
    await waitFor(/\(closed\)/);
    expect(got.at(-1)).toBe(12);
  });

  it('five digits at most; 0 is a number; esc leaves without scaling', async () => {
    const got: unknown[] = [];
    show(make(got));
    await waitFor(/Replicas: \[3_\]/);
    await press('4', '5', '6', '7', '8', '9');
    await waitFor(/Replicas: \[34567_\]/);
    await press(ESC);
    await waitFor(/\(closed\)/);
    expect(got).toEqual([]);
    app!.unmount();
    show(make(got));
    await waitFor(/Replicas: \[3_\]/);
    await press(BACKSPACE, '0', ENTER);
    await waitFor(/\(closed\)/);
    expect(got).toEqual([0]);
  });
});

describe('PortForwardDialog', () => {
  const dialog = (): PfDialog => ({
    context: 'dev', namespace: 'shop', pod: 'web-1',
    ports: [{ container: 'web', port: 8080, name: 'http', protocol: 'TCP' }, { container: 'sidecar', port: 9090, protocol: 'TCP' }],
    sel: 0, local: '8080', address: '127.0.0.1', field: 1, suggested: [], typed: false,
  });

  it('picks a port with ←/→, types the local port and address; enter hands the choice over', async () => {
    const pf = dialog();
    const log: string[] = [];
    show((close) => new PortForwardDialog(pf, { close: () => { log.push('close'); close(); }, onPortChanged: () => log.push(`port ${pf.ports[pf.sel].port}`), onSubmit: () => log.push(`submit ${pf.ports[pf.sel].container}:${pf.ports[pf.sel].port} ${pf.address}:${pf.local}`) }));
    let f = await waitFor(/─ Port-forward shop\/web-1 ─/);
    expect(box(f).slice(0, 3)).toEqual([
      '  Container port  [web:8080 (http)]  ←/→ 1 of 2',
      '> Local port      [8080_]',
      '  Address         [127.0.0.1]',
    ]);
    await press(UP, RIGHT);
    f = await waitFor(/Container port\s+\[sidecar:9090\]\s+←\/→ 2 of 2/);
    expect(log).toEqual(['port 9090']);
    // the local port follows the pod port until one is typed
    expect(box(f)[1]).toBe('  Local port      [9090]');
    await press(DOWN, '1', '9', '0', '9', '0');
    await waitFor(/Local port\s+\[19090_\]/);
    await press(TAB, BACKSPACE, BACKSPACE, BACKSPACE, BACKSPACE, BACKSPACE, BACKSPACE, BACKSPACE, BACKSPACE, BACKSPACE, 'x', '0', '.', '0', '.', '0', '.', '0');
    await waitFor(/Address\s+\[0\.0\.0\.0_\]/);
    await press(BACKTAB, BACKTAB, LEFT);
    await waitFor(/\[web:8080 \(http\)\]/);
    // the typed local port stays
    expect(screen()).toMatch(/Local port\s+\[19090\]/);
    await press(ENTER);
    await waitFrame(() => log.length === 3, 'submit');
    expect(log.at(-1)).toBe('submit web:8080 0.0.0.0:19090');
  });

  it('a bad local port is said in the dialog and nothing starts; esc closes it', async () => {
    const pf = dialog();
    const log: string[] = [];
    show((close) => new PortForwardDialog(pf, { close: () => { log.push('close'); close(); }, onPortChanged: () => {}, onSubmit: () => log.push('submit') }));
    await waitFor(/Local port/);
    await press('7', '0', '0', '0', '0', ENTER);
    await waitFor(/! local port: a number from 1 to 65535/);
    expect(log).toEqual([]);
    await press(ESC);
    await waitFor(/\(closed\)/);
    expect(log).toEqual(['close']);
  });
});

describe('PluginFormDialog', () => {
  const plugin = {
    name: 'debug-pod', description: 'debug', scopes: ['pods'], command: 'kubectl', args: [], inputs: [
      { name: 'image', label: 'Image', type: 'string', required: true },
      { name: 'ttl', label: 'TTL (s)', type: 'number', default: 60 },
      { name: 'privileged', label: 'Privileged', type: 'bool' },
      { name: 'shell', label: 'Shell', type: 'dropdown', options: ['sh', 'bash', 'zsh'] },
    ],
  } as unknown as Plugin;

  it('shows each input; types, toggles and picks; a required one left empty is said; enter hands the values over', async () => {
    const got: (FormValues | string)[] = [];
    show((close) => new PluginFormDialog({ plugin, close, onSubmit: (v) => got.push({ ...v }), error: (m) => got.push(`error: ${m}`), onCancel: () => got.push('cancel') }));
    let f = await waitFor(/─ Plugin debug-pod ─/);
    expect(box(f).slice(0, 4).map((l) => l.replace(/(\S)\s{2,}/g, '$1 '))).toEqual(['> Image []', '  TTL (s) [60]', '  Privileged [ ]', '  Shell [sh] ←/→']);
    await press(ENTER);
    expect(got).toEqual(['error: Image is required']);
    await press('b', 'u', 's', 'y', 'b', 'o', 'x', BACKSPACE, 'x');
    await waitFor(/> Image\s+\[busybox\]/);
    await press(DOWN, BACKSPACE, BACKSPACE, '1', '2', '0', 'a');
    await waitFor(/> TTL \(s\)\s+\[120\]/);
    await press(TAB, ' ');
    await waitFor(/> Privileged\s+\[x\]/);
    await press(DOWN, RIGHT, RIGHT);
    await waitFor(/> Shell\s+\[zsh\]/);
    await press(LEFT);
    await waitFor(/> Shell\s+\[bash\]/);
    // down from the last field goes round to the first
    await press(DOWN);
    f = await waitFor(/> Image/);
    await press(ENTER);
    await waitFor(/\(closed\)/);
    expect(got.at(-1)).toEqual({ image: 'busybox', ttl: 120, privileged: true, shell: 'bash' });
  });

  it('esc cancels', async () => {
    const got: unknown[] = [];
    show((close) => new PluginFormDialog({ plugin, close, onSubmit: (v) => got.push(v), error: (m) => got.push(m), onCancel: () => got.push('cancel') }));
    await waitFor(/─ Plugin debug-pod ─/);
    await press(ESC);
    await waitFor(/\(closed\)/);
    expect(got).toEqual(['cancel']);
  });
});

describe('SortColumnDialog', () => {
  it('says how to pick in the status line; ←/→ choose (not past either end); enter sorts by the column', async () => {
    const got: string[] = [];
    let d!: SortColumnDialog;
    show((close) => (d = new SortColumnDialog({ columns: () => ['NAMESPACE', 'NAME', 'STATUS'], onSort: (n) => got.push(n), close })));
    const f = await waitFor(/sort by column/);
    expect(f.split('\n').at(-1)!.trim()).toBe('sort by column: ←/→ to choose, <enter> to sort, <esc> to cancel');
    await press(LEFT, RIGHT, RIGHT, RIGHT, RIGHT);
    await waitFrame(() => d.col === 2, 'the last column');
    await press(LEFT, ENTER);
    await waitFor(/\(closed\)/);
    expect(got).toEqual(['NAME']);
  });

  it('esc leaves without sorting', async () => {
    const got: string[] = [];
    show((close) => new SortColumnDialog({ columns: () => ['NAME', 'AGE'], onSort: (n) => got.push(n), close }));
    await waitFor(/sort by column/);
    await press(RIGHT, ESC);
    await waitFor(/\(closed\)/);
    expect(got).toEqual([]);
  });
});

describe('PromptDialog', () => {
  const NAMES = ['deployments', 'deploy', 'daemonsets', 'pods'];
  const suggest = (t: string) => {
    const last = t.split(/\s+/).pop() ?? '';
    return (last && NAMES.find((n) => n.startsWith(last) && n !== last)) || '';
  };

  it(': shows what is typed and the completion; tab accepts it; enter hands the text over', async () => {
    const got: string[] = [];
    show((close) => new PromptDialog({ icon: ':', suggest, onSubmit: (t) => got.push(t), onCancel: () => got.push('cancel'), close }));
    await waitFor(/│ :/);
    await press('d', 'e', 'p');
    // typed, then the rest of the suggestion
    let f = await waitFor(/│ :dep loyments/);
    expect(f.split('\n')[0]).toMatch(/^┌─+┐$/);
    await press(TAB);
    f = await waitFor(/│ :deployments /);
    await press(BACKSPACE, BACKSPACE, BACKSPACE, BACKSPACE, BACKSPACE, BACKSPACE, ' ');
    await waitFor(/│ :deplo  /);
    await press(CTRL_U, 'p', 'o', 'd', 's', ' ', 'x');
    await waitFor(/│ :pods x /);
    await press(ENTER);
    await waitFor(/\(closed\)/);
    expect(got).toEqual(['pods x']);
  });

  it('/ reports what does not parse in the prompt line, as typed; esc cancels', async () => {
    const got: string[] = [];
    show((close) => new PromptDialog({
      icon: '/', text: 'web', onChange: (t) => (/\[/.test(t) ? `invalid regular expression "${t}"` : undefined),
      onSubmit: (t) => got.push(t), onCancel: () => got.push('cancel'), close,
    }));
    await waitFor(/│ \/web /);
    await press('[');
    await waitFor(/│ \/web\[ +invalid regular expression "web\[" +│/);
    await press(BACKSPACE);
    const f = await waitFor(/│ \/web +│/);
    expect(f).not.toContain('invalid');
    await press(ESC);
    await waitFor(/\(closed\)/);
    expect(got).toEqual(['cancel']);
  });

  it('a text longer than the prompt shows its end, where the typing is, and the bar stays inside the terminal', async () => {
    const got: string[] = [];
    show((close) => new PromptDialog({ icon: ':', onSubmit: (t) => got.push(t), close }), 40);
    await waitFor(/│ :/);
    const text = 'pods kube-system app=a-very-long-selector-value';
    await press(...text.slice(0, 34).split(''));
    // 34 typed and the icon: the room there is (40 - borders - cursor), no cut yet
    let f = await waitFor(/│ :pods kube-system app=a-very-long-s  │/);
    await press(...text.slice(34).split(''));
    f = await waitFor(/│ …/);
    const bar = f.split('\n').slice(0, 3);
    expect(bar[1]).toBe(`│ …${text.slice(-34)}  │`);
    for (const l of bar) expect(stringWidth(l)).toBe(40);
    // the frame below keeps its top border
    expect(f.split('\n')[3]).toMatch(/^┌─+ pods\(all\)\[3\] ─+┐$/);
    await press(ENTER);
    await waitFor(/\(closed\)/);
    expect(got).toEqual([text]);
  });
});
