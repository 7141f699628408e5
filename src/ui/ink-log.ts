/**
 * Ink's incremental writer rewrites only the lines that changed, but for each one it works out
 * the identical prefix grapheme by grapheme (Intl.Segmenter and string-width on every line that
 * is not pure ASCII: every table line, with its '│' borders). When typing a filter every line
 * changes, and that work cost more than the rest of the frame. This writer keeps the idea
 * (unchanged lines are skipped) and drops the per-line prefix search: a changed line is written
 * whole over its erased row. Frames whose shape changed (line count, terminal width), the
 * first frame and cursor moves go to Ink's own writer, which is kept in step with `sync`.
 * If Ink's internals are not as expected, nothing is patched.
 */
import { inkInternal } from './ink-internals.js';

const ESC = '\u001B[';

export async function fastLineWriter(stdout: NodeJS.WriteStream): Promise<boolean> {
  try {
    const instances = (await inkInternal('instances.js')).default as WeakMap<object, any>;
    const ink = instances.get(stdout);
    const inner = ink?.log;
    if (typeof inner !== 'function' || typeof inner.sync !== 'function' || typeof inner.willRender !== 'function') return false;
    let prev: string[] | undefined;
    let prevText = '';
    let columns = stdout.columns;
    const log = ((text: string) => {
      // Ink marks the cursor dirty before every frame (setCursorPosition(its position)); what
      // matters is whether an app asked for a visible cursor at all
      const noCursor = ink.cursorPosition === undefined && inner.getCursorPosition?.() === undefined;
      if (text === prevText && noCursor) return false;
      const lines = text.split('\n');
      // Ink's frames end with a newline: the cursor then rests at the start of the row below
      const trailing = text.endsWith('\n');
      const sameShape = prev && prev.length === lines.length && trailing === prevText.endsWith('\n') && columns === stdout.columns && noCursor;
      if (!sameShape) {
        const wrote = inner(text);
        prev = lines;
        prevText = text;
        columns = stdout.columns;
        return wrote;
      }
      // from where the last frame left the cursor (the row below it, or its last row) up to the
      // first row, then down row by row, ending where Ink's writer would have
      const visible = trailing ? lines.length - 1 : lines.length;
      const up = trailing ? visible : visible - 1;
      let out = up > 0 ? `\r${ESC}${up}A` : '\r';
      for (let i = 0; i < visible; i++) {
        // erase first, then write: a line as wide as the terminal leaves the cursor in the
        // pending-wrap state, where an erase after it would take the last character
        if (lines[i] !== prev![i]) out += `${ESC}2K${lines[i]}`;
        if (i < visible - 1 || trailing) out += `${ESC}1E`;
      }
      // end where Ink's writer expects the cursor: after the last line's text
      stdout.write(out);
      inner.sync(text);
      prev = lines;
      prevText = text;
      return true;
    }) as any;
    for (const k of Object.keys(inner)) log[k] = inner[k];
    log.clear = (...a: unknown[]) => {
      prev = undefined;
      prevText = '';
      return inner.clear(...a);
    };
    log.reset = (...a: unknown[]) => {
      prev = undefined;
      prevText = '';
      // a reset comes before a full redraw (back from a child that had the terminal, whose
      // output left the cursor at the bottom of the screen): draw from the top, or the frame
      // scrolls its first line away
      stdout.write(`${ESC}H`);
      return inner.reset(...a);
    };
    log.done = (...a: unknown[]) => {
      prev = undefined;
      prevText = '';
      return inner.done(...a);
    };
    log.sync = (text: string) => {
      prev = text.split('\n');
      prevText = text;
      return inner.sync(text);
    };
    log.willRender = (text: string) => text !== prevText || inner.willRender(text);
    ink.log = log;
    return true;
  } catch {
    return false;
  }
}
