import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogFilter, splitByRanges, toRanges } from '../../src/actions/log-filter.js';
import { LogRing, logsDir, saveLogLines, type LogLine } from '../../src/actions/logs.js';

const line = (text: string, seq = 1): LogLine => ({ source: '', text, seq });

describe('LogFilter', () => {
  it('regex: case-insensitive, every match as a range', () => {
    const f = new LogFilter('err');
    expect(f.match(line('ERROR: err here'))).toEqual([[0, 3], [7, 10]]);
    expect(f.match(line('all good'))).toBeNull();
    expect(f.describe).toBe('/err');
    expect(new LogFilter('-f x').describe).toBe('/-f x');
  });

  it('! inverse shows the lines that do not match, with nothing highlighted', () => {
    const f = new LogFilter('!GET /healthz');
    expect(f.match(line('GET /healthz 200'))).toBeNull();
    expect(f.match(line('POST /orders 201'))).toEqual([]);
  });

  it('-f fuzzy matches scattered characters and returns them as ranges', () => {
    const f = new LogFilter('-f tmout');
    const r = f.match(line('request timeout after 30s'));
    expect(r).not.toBeNull();
    const text = 'request timeout after 30s';
    const hit = splitByRanges(text, r!).filter((p) => p.hit).map((p) => p.text).join('');
    expect(hit.toLowerCase()).toBe('tmout');
    expect(f.match(line('all good'))).toBeNull();
  });

  it('bad input gives a clear error: a broken regex, a label selector', () => {
    expect(() => new LogFilter('a(')).toThrow(/invalid regular expression/);
    expect(() => new LogFilter('-l app=web')).toThrow(/logs have no labels/);
  });

  it('an empty filter is inactive', () => {
    expect(new LogFilter('').active).toBe(false);
    expect(new LogFilter('  ').active).toBe(false);
  });

  it('matches each line object once (cached)', () => {
    const f = new LogFilter('x');
    const l = line('x');
    const a = f.match(l);
    expect(f.match(l)).toBe(a);
  });
});

describe('ranges', () => {
  it('toRanges merges neighbours', () => {
    expect(toRanges([5, 1, 2, 3, 7])).toEqual([[1, 4], [5, 6], [7, 8]]);
  });
  it('splitByRanges with an offset (a piece that starts later in the text)', () => {
    // text "abcdefgh", match [2,5) = "cde"; the piece shown starts at text index 3 ("defgh")
    expect(splitByRanges('defgh', [[2, 5]], -3)).toEqual([{ text: 'de', hit: true }, { text: 'fgh', hit: false }]);
    expect(splitByRanges('abc', [[5, 9]])).toEqual([{ text: 'abc', hit: false }]);
  });
});

describe('marks and saving', () => {
  it('a mark is a line of its own in the ring', () => {
    const r = new LogRing(3);
    r.push('', 'a');
    r.push('', 'mark 10:00', true);
    expect(r.toArray().map((l) => [l.text, !!l.mark])).toEqual([['a', false], ['mark 10:00', true]]);
  });

  it('saves lines with their prefixes to a private file and says where', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmux-logs-'));
    try {
      const file = saveLogLines([{ source: 'web-1', text: 'hello', seq: 1 }, { source: '', text: 'plain', seq: 2 }], join(dir, 'sub'), 'prod-shop-deploy/web', new Date('2026-11-23T10:11:12Z'));
      expect(file).toBe(join(dir, 'sub', 'prod-shop-deploy_web-20261123-101112.log'));
      expect(readFileSync(file, 'utf8')).toBe('web-1 hello\nplain\n');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // a second save in the same second does not overwrite the first
      const again = saveLogLines([{ source: '', text: 'later', seq: 3 }], join(dir, 'sub'), 'prod-shop-deploy/web', new Date('2026-11-23T10:11:12Z'));
      expect(again).toBe(join(dir, 'sub', 'prod-shop-deploy_web-20261123-101112-2.log'));
      expect(readFileSync(file, 'utf8')).toBe('web-1 hello\nplain\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logsDir: KMUX_LOGS_DIR, then XDG_STATE_HOME, then ~/.local/state', () => {
    expect(logsDir({ KMUX_LOGS_DIR: '/x' })).toBe('/x');
    expect(logsDir({ XDG_STATE_HOME: '/s' })).toBe(join('/s', 'kmux', 'logs'));
    expect(logsDir({ HOME: '/h' })).toBe(join('/h', '.local', 'state', 'kmux', 'logs'));
  });
});

describe('displayLine', () => {
  it('removes colors, links and controls, expands tabs; highlights then land on what is shown', async () => {
    const { displayLine } = await import('../../src/actions/logs.js');
    const shown = displayLine('\u001b[31mERROR\u001b[0m\trequest timeout \u001b]8;;http://x\u0007link\u001b]8;;\u0007\u0007');
    expect(shown).toBe('ERROR    request timeout link');
    const f = new LogFilter('timeout');
    const r = f.match({ source: '', text: shown, seq: 1 })!;
    expect(splitByRanges(shown, r).filter((p) => p.hit).map((p) => p.text)).toEqual(['timeout']);
    expect(displayLine('plain line')).toBe('plain line');
  });
});

describe('wrapCuts', () => {
  it('cuts by display width, keeps wide characters and surrogate pairs whole, handles empty and tiny widths', async () => {
    const { wrapCuts } = await import('../../src/ui/text.js');
    expect(wrapCuts('abcdef', 4)).toEqual([0, 4, 6]);
    expect(wrapCuts('', 4)).toEqual([0, 0]);
    // each CJK character is two cells: two per piece of 4
    expect(wrapCuts('日本語です', 4)).toEqual([0, 2, 4, 5]);
    // an emoji is a surrogate pair: never split
    const e = 'a😀b';
    expect(wrapCuts(e, 2)).toEqual([0, 1, 3, 4]);
    // width 1 still makes progress
    expect(wrapCuts('abc', 1)).toEqual([0, 1, 2, 3]);
  });
});
