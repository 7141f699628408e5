/** Reading config files safely and quoting their contents safely in messages (issue 11). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cut, decodeText, formatLoadProblem, isSafeText, quote, readTextFile, safeText } from '../../src/config/untrusted.js';

const dir = mkdtempSync(join(tmpdir(), 'kmux-untrusted-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('safeText and quote', () => {
  it('writes C0, DEL, C1, bidi controls, separators, BOM and lone surrogates as escapes', () => {
    expect(safeText('a\u001b[31mb\u0007\u0000\u007f\u009b\u202e\u2066\u2028\ufeff\n\t\r')).toBe('a\\x1b[31mb\\x07\\x00\\x7f\\x9b\\u202e\\u2066\\u2028\\ufeff\\n\\t\\r');
    expect(safeText('x\ud800y\udc00')).toBe('x\\ud800y\\udc00');
    expect(safeText('ok 😀 é 漢')).toBe('ok 😀 é 漢');
    expect(isSafeText(safeText('\u001b\u009b\u202e'))).toBe(true);
    expect(safeText(safeText('\u001b'))).toBe('\\x1b');
  });

  it('stays within its bound after escaping (each control character becomes four)', () => {
    const s = safeText('\u001b'.repeat(10_000), 100);
    expect(s.length).toBeLessThanOrEqual(101);
    expect(s.endsWith('…')).toBe(true);
    expect(isSafeText(s)).toBe(true);
  });

  it('cut never splits a surrogate pair', () => {
    expect(cut('ab😀c', 3)).toBe('ab…');
    expect(cut('abc', 3)).toBe('abc');
  });

  it('quote: strings quoted, escaped and cut; other values by kind', () => {
    expect(quote('red')).toBe('"red"');
    expect(quote('say "hi"\u001b')).toBe('"say \\"hi\\"\\x1b"');
    expect(quote('x'.repeat(100), 10)).toBe(`"${'x'.repeat(10)}…"`);
    expect([quote(42), quote(NaN), quote(true), quote(null), quote(undefined), quote(10n)]).toEqual(['42', 'NaN', 'true', 'null', 'null', '10']);
    expect([quote([1]), quote({ a: 1 }), quote(new Uint8Array(3)), quote(new Date(Number.NaN))]).toEqual(['a list', 'a mapping', 'binary data (3 bytes)', 'an invalid date']);
  });

  it('formatLoadProblem escapes and bounds the file name, key and message', () => {
    const shown = formatLoadProblem({ file: `/x/\u001b[2J${'a'.repeat(5000)}.yaml`, line: 3, key: 'k\u0007', message: '\u009b'.repeat(5000) });
    expect(isSafeText(shown)).toBe(true);
    expect(shown.length).toBeLessThan(1800);
    expect(shown.startsWith('/x/\\x1b[2Jaaa')).toBe(true);
  });
});

describe('readTextFile and decodeText', () => {
  it('reads UTF-8 (BOM dropped) and UTF-16 with a BOM', () => {
    expect(decodeText(Buffer.from('\ufeffk9s: {}\n', 'utf8'))).toEqual({ ok: true, text: 'k9s: {}\n' });
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('skin: nord\n', 'utf16le')]);
    expect(decodeText(le)).toEqual({ ok: true, text: 'skin: nord\n' });
    const be = Buffer.from(le.subarray(2)).swap16();
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toEqual({ ok: true, text: 'skin: nord\n' });
    expect(decodeText(Buffer.from([0xff, 0xfe, 0x00, 0x00]))).toMatchObject({ ok: false, code: 'EBINARY' });
  });

  it('binary data: a message with the offset of the first NUL or invalid byte, never the bytes', () => {
    expect(decodeText(Buffer.from([0x61, 0x62, 0x00, 0x1b]))).toEqual({ ok: false, code: 'EBINARY', message: 'binary data, not text (a NUL byte at offset 2)' });
    expect(decodeText(Buffer.from([0x61, 0xe2, 0x82, 0xac, 0x62, 0xc3, 0x28]))).toMatchObject({ ok: false, message: 'binary data, not UTF-8 text (an invalid byte at offset 5)' });
    expect(decodeText(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toMatchObject({ ok: false, message: 'binary data, not UTF-8 text (an invalid byte at offset 1)' });
    expect(decodeText(Buffer.from([0x61, 0xf0, 0x9f]))).toMatchObject({ ok: false, message: 'binary data, not UTF-8 text (an invalid byte at offset 1)' });
  });

  it('a missing file, a directory, a file over the size limit: a code and a short message without the path', () => {
    expect(readTextFile(join(dir, 'none.yaml'))).toEqual({ ok: false, code: 'ENOENT', message: 'not found' });
    mkdirSync(join(dir, 'd.yaml'));
    expect(readTextFile(join(dir, 'd.yaml'))).toMatchObject({ ok: false, code: 'EISDIR' });
    const big = join(dir, 'big.yaml');
    writeFileSync(big, 'a'.repeat(2000));
    expect(readTextFile(big, 1000)).toEqual({ ok: false, code: 'EFBIG', message: 'too large (2000 bytes; kmux reads config files of at most 1000 bytes)' });
    expect(readTextFile(big)).toEqual({ ok: true, text: 'a'.repeat(2000) });
  });
});
