/**
 * Text from users' files (skins, plugins, hotkeys, aliases, views.yaml, configs) on its way
 * in and on its way into a message.
 *
 * In: `readTextFile` reads a config file without hanging (a FIFO, a device) or filling memory
 * (a huge file), and refuses binary data with a message that says so instead of parsing it.
 *
 * Out: `safeText` and `quote` write control characters, escape sequences, bidi overrides and
 * lone surrogates as visible escapes (`\x1b`, `\u202e`) and cut long values, so nothing a file
 * holds can move the cursor, change colors or flood the message bar when a message quotes it.
 */
import { closeSync, fstatSync, openSync, readSync, constants as fsc } from 'node:fs';

/** The largest config file kmux reads: a skin or plugins.yaml is a few KB. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

// C0 (tab and newline too: a message is one line), DEL, C1 (0x9b is a one-byte CSI), line and
// paragraph separators, bidi embeddings/overrides/isolates, BOM, and surrogates not in a pair.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** True when `s` holds nothing `safeText` would escape. */
export function isSafeText(s: string): boolean {
  UNSAFE.lastIndex = 0;
  const bad = UNSAFE.test(s);
  UNSAFE.lastIndex = 0;
  return !bad;
}

function escapeChar(c: string): string {
  const n = c.charCodeAt(0);
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  if (named[c]) return named[c];
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** The first `max` characters of `s` (a surrogate pair is never split), with `…` when cut. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/**
 * `s` fit for a message on a terminal: every unsafe character written as an escape, cut to
 * `max` characters. Idempotent (an escape is plain text).
 */
export function safeText(s: string, max = 2000): string {
  const shown = cut(String(s), max).replace(UNSAFE, escapeChar);
  // escapes make the text longer: cut again (a cut escape is plain text too)
  return shown.length > max + 1 ? `${shown.slice(0, max)}…` : shown;
}

/** `file:line: key: message` for any loader's problem, each part escaped and cut. */
export function formatLoadProblem(p: { file: string; line?: number; key?: string; message: string }): string {
  return `${safeText(p.file, 500)}${p.line ? `:${p.line}` : ''}: ${p.key ? `${safeText(p.key, 200)}: ` : ''}${safeText(p.message, 1000)}`;
}

/**
 * A value from a file, for a message: a string in double quotes (escaped, cut to `max`), a
 * number or boolean as written, null as `null`, a collection by its kind.
 */
export function quote(v: unknown, max = 60): string {
  if (typeof v === 'string') return `"${safeText(cut(v, max), max + 1).replace(/"/g, '\\"')}"`;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return `binary data (${v.length} bytes)`;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'an invalid date' : v.toISOString();
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return safeText(String(v), max);
}

export type TextRead = { ok: true; text: string } | { ok: false; code: string; message: string };

const READ_MESSAGES: Record<string, string> = {
  ENOENT: 'not found',
  ENOTDIR: 'not found (a parent is not a directory)',
  EACCES: 'not readable (permission denied)',
  EPERM: 'not readable (permission denied)',
  EISDIR: 'a directory, not a file',
  ELOOP: 'not readable (a symbolic link loop)',
  ENAMETOOLONG: 'not readable (the path is too long)',
};

/** A short message for a failed read; never the raw system message (it repeats the path). */
function readFailure(e: unknown): { ok: false; code: string; message: string } {
  const code = String((e as NodeJS.ErrnoException)?.code ?? 'EIO');
  return { ok: false, code, message: READ_MESSAGES[code] ?? `not readable (${safeText(code, 40)})` };
}

/**
 * Read a config file as text. Refuses what is not a regular file (without opening a FIFO for
 * reading, which would wait for a writer), files over `max` bytes, and binary data. Never throws.
 */
export function readTextFile(file: string, max = MAX_CONFIG_BYTES): TextRead {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting
    fd = openSync(file, fsc.O_RDONLY | (fsc.O_NONBLOCK ?? 0));
  } catch (e) {
    return readFailure(e);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { ok: false, code: 'EISDIR', message: READ_MESSAGES.EISDIR };
    if (!st.isFile()) return { ok: false, code: 'ENOTFILE', message: 'not a regular file (a device, pipe or socket)' };
    if (st.size > max) return { ok: false, code: 'EFBIG', message: `too large (${st.size} bytes; kmux reads config files of at most ${max} bytes)` };
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
    }
    return decodeText(buf.subarray(0, n));
  } catch (e) {
    return readFailure(e);
  } finally {
    try {
      closeSync(fd);
    } catch {
      // nothing left to do
    }
  }
}

/**
 * Bytes as text: UTF-8 (a BOM is dropped), or UTF-16 with its BOM. NUL bytes or invalid UTF-8
 * give a message naming the offset and never the bytes.
 */
export function decodeText(buf: Uint8Array): TextRead {
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    try {
      const text = new TextDecoder(buf[0] === 0xff ? 'utf-16le' : 'utf-16be', { fatal: true }).decode(buf);
      if (!text.includes('\u0000')) return { ok: true, text };
    } catch {
      // fall through: not UTF-16 after all
    }
    return { ok: false, code: 'EBINARY', message: 'binary data, not text (a UTF-16 byte-order mark, then bytes that are not UTF-16 text)' };
  }
  const nul = buf.indexOf(0);
  if (nul >= 0) return { ok: false, code: 'EBINARY', message: `binary data, not text (a NUL byte at offset ${nul})` };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(buf) };
  } catch {
    return { ok: false, code: 'EBINARY', message: `binary data, not UTF-8 text (an invalid byte at offset ${firstInvalidUtf8(buf)})` };
  }
}

/** Offset of the first byte that breaks UTF-8. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n = 0;
    let min = 0;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return i;
}

/**
 * A problem record made safe to show, whatever went into it: message and key escaped and cut.
 * The loaders quote values with `quote` as they write messages; this is the last pass.
 */
export function safeProblem<T extends { message: string; key?: string }>(p: T): T {
  const out = { ...p, message: safeText(p.message, 1000) };
  if (p.key !== undefined) out.key = safeText(p.key, 200);
  return out;
}

/** The most problems one file reports (then a count): a broken file needs its first few, not a flood. */
export const MAX_FILE_PROBLEMS = 50;

/** `problems` cut to MAX_FILE_PROBLEMS, the rest counted in one more problem for the same file. */
export function capProblems<T extends { file: string; message: string }>(problems: T[], file: string, extra: Omit<T, 'file' | 'message'>): T[] {
  if (problems.length <= MAX_FILE_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_FILE_PROBLEMS), { ...extra, file, message: `and ${problems.length - MAX_FILE_PROBLEMS} more problems` } as T];
}
