/**
 * The port-forward dialog (shift-f) and the rows of `:pf`, apart from the App so they can be
 * tested alone. The dialog picks one of the pod's container ports and a local port.
 */
import type { Key } from 'ink';
import type { ForwardInfo } from '../actions/portforward.js';
import { humanAge } from '../resources/format.js';

export interface PodPort {
  container: string;
  port: number;
  name?: string;
  protocol: string;
}

export interface PfDialog {
  context: string;
  namespace: string;
  pod: string;
  ports: PodPort[];
  /** index into ports */
  sel: number;
  local: string;
  address: string;
  /** 0 port, 1 local port, 2 address */
  field: number;
  /** free local ports offered for the selected pod port */
  suggested: number[];
  /** the local port was typed by the user (do not replace it with a suggestion) */
  typed: boolean;
  error?: string;
  /** a forward is being started from this dialog */
  busy?: boolean;
}

/** TCP container ports of a pod (UDP cannot be forwarded). Only `container` when given. */
export function podPorts(pod: any, container?: string): PodPort[] {
  const out: PodPort[] = [];
  for (const c of pod?.spec?.containers ?? []) {
    if (container && c.name !== container) continue;
    for (const p of c.ports ?? []) {
      if ((p.protocol ?? 'TCP') !== 'TCP') continue;
      out.push({ container: c.name, port: p.containerPort, name: p.name, protocol: 'TCP' });
    }
  }
  return out;
}

export type PfKeyResult = 'cancel' | 'submit' | 'port-changed' | undefined;

/** One key in the dialog. Mutates `d`; says what the caller should do. */
export function pfKey(d: PfDialog, input: string, key: Key): PfKeyResult {
  if (key.escape) return 'cancel';
  if (key.return) {
    const n = Number(d.local);
    if (!/^\d+$/.test(d.local) || n < 1 || n > 65535) {
      d.error = 'local port: a number from 1 to 65535';
      return undefined;
    }
    if (!d.address.trim()) {
      d.error = 'address: e.g. 127.0.0.1 or 0.0.0.0';
      return undefined;
    }
    d.error = undefined;
    return 'submit';
  }
  if (key.upArrow || (key.shift && key.tab)) {
    d.field = (d.field + 2) % 3;
    return undefined;
  }
  if (key.downArrow || key.tab) {
    d.field = (d.field + 1) % 3;
    return undefined;
  }
  if (d.field === 0) {
    if ((key.leftArrow || key.rightArrow || input === ' ') && d.ports.length > 1) {
      d.sel = (d.sel + (key.leftArrow ? d.ports.length - 1 : 1)) % d.ports.length;
      if (!d.typed) d.local = String(d.ports[d.sel].port);
      return 'port-changed';
    }
    return undefined;
  }
  const edit = (v: string, allowed: RegExp, max: number): string => {
    if (key.backspace || key.delete) return v.slice(0, -1);
    if (input && allowed.test(input) && v.length + input.length <= max) return v + input;
    return v;
  };
  if (d.field === 1) {
    const before = d.local;
    // the first digit typed replaces the suggestion instead of extending it
    if (!d.typed && /^[0-9]+$/.test(input)) d.local = '';
    d.local = edit(d.local, /^[0-9]+$/, 5);
    if (d.local !== before) d.typed = true;
  } else {
    d.address = edit(d.address, /^[0-9a-fA-F.:]+$/, 39);
  }
  return undefined;
}

/** The dialog's lines (the App draws them in its overlay box). */
export function pfDialogLines(d: PfDialog): string[] {
  const p = d.ports[d.sel];
  const mark = (i: number) => (d.field === i ? '>' : ' ');
  const portText = `${p.container}:${p.port}${p.name ? ` (${p.name})` : ''}`;
  return [
    `${mark(0)} Container port  [${portText}]${d.ports.length > 1 ? `  ←/→ ${d.sel + 1} of ${d.ports.length}` : ''}`,
    `${mark(1)} Local port      [${d.local}${d.field === 1 ? '_' : ''}]${d.suggested.length ? `  free: ${d.suggested.join(', ')}` : ''}`,
    `${mark(2)} Address         [${d.address}${d.field === 2 ? '_' : ''}]`,
    ...(d.error ? ['', `! ${d.error}`] : []),
    '',
    '↑/↓ field   ←/→ port   type to edit   <enter> forward   <esc> cancel',
  ];
}

export const PF_COLUMNS = ['CONTEXT', 'NAMESPACE', 'POD', 'CONTAINER', 'PORTS', 'URL', 'STATE', 'CONN', 'IN', 'OUT', 'AGE', 'MESSAGE'];

function bytes(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)}KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)}MiB`;
  return `${(n / 1024 ** 3).toFixed(2)}GiB`;
}

export function pfRowCells(f: ForwardInfo, now = Date.now()): string[] {
  const host = f.address.includes(':') ? `[${f.address}]` : f.address;
  return [
    f.context, f.namespace, f.pod, f.container ?? '', `${f.localPort}:${f.remotePort}`, `http://${host}:${f.localPort}`,
    f.state, `${f.connections}/${f.totalConnections}`, bytes(f.bytesIn), bytes(f.bytesOut), humanAge(now - f.startedAt), f.message,
  ];
}

export function pfRowColor(f: ForwardInfo): 'rowNormal' | 'rowPending' | 'rowError' | 'rowCompleted' {
  return f.state === 'active' ? 'rowNormal' : f.state === 'error' ? 'rowError' : f.state === 'stopped' ? 'rowCompleted' : 'rowPending';
}
