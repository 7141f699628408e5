/**
 * The navigator's frame: the header, the prompt, the screen on top of the stack, crumbs, the
 * status line and dialogs over them. Screens (src/ui/screens/) draw themselves and say which
 * keys they take; the navigator (nav.ts) holds the stacks and routes keys.
 */
import React, { useEffect, useReducer, useRef } from 'react';
import { Box, Text, useApp, useInput, useWindowSize, type Key } from 'ink';
import type { Session, ViewSpec } from '../app/session.js';
import type { Theme } from '../theme/theme.js';
import { Nav } from './nav.js';
import { userActive } from '../store/gc.js';
import { clean, fit } from './text.js';
import { frame, overlay, type Drawing } from './chrome/frame.js';
import { header, HEADER_LINES } from './chrome/header.js';
import { crumbs, status } from './chrome/status.js';

export { selectorString } from '../app/queries.js';

export interface AppProps {
  session: Session;
  initial: ViewSpec;
  version: string;
  theme?: Theme;
  /** called when a key press has been drawn (benchmarks): label, ms from key to frame. */
  onKeyFrame?: (label: string, ms: number) => void;
  /** called once, after the first frame that shows the first table view with every store synced (benchmarks). */
  onReady?: () => void;
  /** called once, after the first frame that shows a row of the first table view (benchmarks: time to first rows). */
  onFirstRows?: () => void;
  headless?: boolean;
  crumbsless?: boolean;
  logoless?: boolean;
}

/** Below this, kmux draws nothing but a note and waits for the terminal to grow. */
const MIN_W = 30;
const MIN_H = 6;
/** How long kmux may hold its first real frame while the first view is coming (see App). */
const START_HOLD_MS = 400;
/** While a first list comes in page by page, data draws a frame at most this often. */
const LOADING_FRAME_MS = 250;

export function App({ session, initial, version, theme: themeProp, onKeyFrame, onReady, onFirstRows, headless, crumbsless, logoless }: AppProps): React.ReactElement {
  const { exit, suspendTerminal } = useApp();
  const { columns: W, rows: Hraw } = useWindowSize();
  const H = Hraw || 40;
  const [, bump] = useReducer((x: number) => x + 1, 0);
  const navRef = useRef<Nav | undefined>(undefined);
  navRef.current ??= new Nav(session, initial, { headless, crumbsless, logoless });
  const nav = navRef.current;
  nav.applyConfig();
  // While the first view is still coming (for at most START_HOLD_MS), kmux draws a blank screen
  // and nothing else: the header's cluster facts, discovery, the list and the metrics land within
  // a few milliseconds of each other on a near cluster, each redraw costs the whole screen (more
  // while the code is cold), and every frame drawn then delays the requests in flight. The hold
  // ends when the first view has its first rows, has synced or failed, at the first key, or
  // after START_HOLD_MS (then "connecting..." shows, as on a slow cluster).
  const boot = useRef<{ holding: boolean; t0: number; timer?: NodeJS.Timeout }>({ holding: true, t0: performance.now() });
  const settled = () => {
    if (nav.openError) return true;
    const v = nav.stack[0]?.view;
    return !!v && (v.rows().length > 0 || v.storeStatus().every((x) => x.synced || !!x.error));
  };
  const release = () => {
    const b = boot.current;
    if (!b.holding) return;
    b.holding = false;
    clearTimeout(b.timer);
    bump();
  };
  /** a redraw: at once, or once the hold ends */
  const redraw = () => {
    const b = boot.current;
    if (!b.holding) return bump();
    if (performance.now() - b.t0 >= START_HOLD_MS || settled()) return release();
    b.timer ??= setTimeout(redraw, START_HOLD_MS - (performance.now() - b.t0));
  };
  nav.redraw = redraw;
  nav.exit = exit;
  nav.suspend = async (fn) => {
    await suspendTerminal(fn);
  };
  nav.W = W;
  nav.H = H;

  // redraw on data (stores batch their notices) and once a second for ages and fading colors.
  // While the shown view's first list is coming in page by page, data draws at most every
  // LOADING_FRAME_MS: each page would otherwise cost a frame of the whole table, CPU the list
  // itself needs (keys still draw at once).
  useEffect(() => {
    let last = 0;
    let later: NodeJS.Timeout | undefined;
    const onData = () => {
      if (!nav.view()?.loading()) {
        clearTimeout(later);
        later = undefined;
        last = performance.now();
        return redraw();
      }
      const wait = LOADING_FRAME_MS - (performance.now() - last);
      if (wait <= 0) {
        last = performance.now();
        return redraw();
      }
      later ??= setTimeout(() => {
        later = undefined;
        onData();
      }, wait);
    };
    const off = session.onChange(onData);
    const offPf = session.forwards.onChange(redraw);
    const t = setInterval(redraw, 1000);
    return () => {
      off();
      offPf();
      clearInterval(t);
      clearTimeout(boot.current.timer);
      clearTimeout(later);
    };
  }, [session]);

  // the first view; everything open is closed when kmux leaves
  useEffect(() => {
    void nav.openSpec(initial);
    return () => nav.dispose();
  }, []);

  // the key-to-frame measure: the frame after a key press is the one that shows it
  useEffect(() => {
    if (nav.pendingKey && onKeyFrame) {
      const p = nav.pendingKey;
      nav.pendingKey = undefined;
      setImmediate(() => onKeyFrame(p.label, performance.now() - p.t));
    }
  });

  // the launch measure: decided at render time, reported once that frame is committed
  const readySent = useRef(false);
  const first = nav.stack[0]?.view;
  const holding = boot.current.holding;
  const readyNow = !holding && !!onReady && !readySent.current && !!first && first.storeStatus().every((x) => x.synced);
  useEffect(() => {
    if (!readyNow || readySent.current) return;
    readySent.current = true;
    setImmediate(() => onReady!());
  });
  // the same for the first rows (a first list shows its pages as they arrive)
  const firstRowsSent = useRef(false);
  const firstRowsNow = !holding && !!onFirstRows && !firstRowsSent.current && !!first && nav.view() === first && first.rows().length > 0;
  useEffect(() => {
    if (!firstRowsNow || firstRowsSent.current) return;
    firstRowsSent.current = true;
    setImmediate(() => onFirstRows!());
  });

  useInput((input, key) => {
    release();
    // keys coming: V8's own heap growth (latency first) until the user pauses
    userActive();
    // Ctrl-J: the terminal sends a line feed (Enter is a carriage return), which Ink passes as text
    if (input === '\n' && !key.meta) return nav.key('j', { ...key, ctrl: true });
    // esc followed quickly by a key reaches us as meta+key; kmux binds no meta keys, so it is both
    if (key.meta && !key.escape && input.length === 1 && input >= ' ') {
      const none: Key = { ...key, meta: false };
      nav.key('', { ...none, escape: true });
      nav.key(input, none);
      return;
    }
    // Keys typed faster than a read (or pasted) arrive together, e.g. "/coredns\r": replay them
    // one by one so each sees the dialog the previous one left.
    if (input.length > 1 && !key.meta && !input.startsWith('\x1b')) {
      const none: Key = { ...key, return: false, backspace: false, delete: false, tab: false, escape: false, ctrl: false };
      for (const c of input) {
        const code = c.charCodeAt(0);
        if (c === '\r' || c === '\n') nav.key('', { ...none, return: true });
        else if (c === '\t') nav.key('', { ...none, tab: true });
        else if (code === 0x7f || code === 0x08) nav.key('', { ...none, backspace: true });
        else if (code < 0x20) nav.key(String.fromCharCode(code + 96), { ...none, ctrl: true });
        else nav.key(c, none);
      }
      return;
    }
    nav.key(input, key);
  });

  // a terminal too small to draw in (a 1x1 pane, a split being dragged): wait for a usable size
  if (W < MIN_W || H < MIN_H) {
    const msg = `kmux: terminal too small (${W}x${H}); needs ${MIN_W}x${MIN_H}`;
    return <Box width={Math.max(1, W)} height={Math.max(1, H)}><Text wrap="truncate">{W >= 10 ? msg.slice(0, W) : ''}</Text></Box>;
  }

  if (holding) return <Box width={W} height={H} />;

  const s = nav.top();
  // the focused context's skin draws the frame; in a merged view each row takes its own context's
  const theme = themeProp ?? session.themeFor(s?.view?.spec.contexts[0] ?? session.active[0]);
  const dialog = nav.dialog();
  const d: Drawing = { W, theme, mono: session.mono, blurred: !!dialog };
  const drawn = dialog?.render(d);
  const lines: React.ReactElement[] = [];
  // compact mode: under 24 rows or 80 columns the header gives its room to the table
  if (nav.showHeader && H >= 24 && W >= 80) lines.push(...header(nav, d, { version, logoless: nav.logoless, actions: nav.actionsOf(s) }));
  if (drawn?.kind === 'prompt') lines.push(...drawn.lines);
  const height = H - lines.length - (nav.showCrumbs ? 1 : 0) - 1;
  if (s) lines.push(...s.render({ ...d, height }));
  else {
    // no view yet: still opening the first one, or it could not be opened (say why and what to do)
    const body = nav.openError
      ? [fit(`  ${clean(nav.openError)}`, W - 2), '', fit('  :ns NAME or :ns all for another namespace, :ctx for another context, :q to quit', W - 2)]
      : [fit('  connecting...', W - 2)];
    lines.push(...frame(d, ' kmux ', body, height));
  }
  if (nav.showCrumbs) lines.push(crumbs(nav, d));
  lines.push(status(nav, d, drawn?.kind === 'inline' ? drawn.status : undefined));
  if (drawn?.kind === 'overlay') overlay(d, lines, drawn.title, drawn.lines, drawn.bold);
  // a skin with a body background paints every line (the cursor and dialogs keep their own)
  const painted = theme.bg ? lines.map((l) => ((l.props as { backgroundColor?: string }).backgroundColor || l.type === Box ? l : React.cloneElement(l as React.ReactElement<{ backgroundColor?: string }>, { backgroundColor: theme.bg }))) : lines;
  return <Box flexDirection="column" width={W} height={H}>{painted}</Box>;
}

export { HEADER_LINES };
