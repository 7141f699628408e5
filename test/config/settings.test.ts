import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Settings, validateSettings } from '../../src/config/settings.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'kmux-settings-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function dirWith(state?: string): string {
  const d = path.join(root, `d${++n}`);
  mkdirSync(d, { recursive: true });
  if (state !== undefined) writeFileSync(path.join(d, 'state.json'), state);
  return d;
}

describe('Settings', () => {
  it('remembers the view and namespace per context, never which context to open', () => {
    const d = dirWith();
    const s = new Settings(d);
    s.remember('prod', { view: 'deploy', namespace: 'web' });
    s.remember('dev', { view: 'nodes', namespace: null });
    const again = new Settings(d);
    expect(again.memory('prod')).toEqual({ view: 'deploy', namespace: 'web' });
    expect(again.memory('dev')).toEqual({ view: 'nodes', namespace: '' });
    expect(again.memory('staging')).toEqual({});
    const stored = JSON.parse(readFileSync(path.join(d, 'state.json'), 'utf8'));
    expect(Object.keys(stored).sort()).toEqual(['contexts', 'favorites']);
  });

  it('reports each wrong-typed key with the file and uses its default; nothing throws', () => {
    const d = dirWith(JSON.stringify({ lastContexts: 'prod', favorites: 'web', contexts: { prod: 'deploy', dev: { view: 42, namespace: ['x'] }, ok: { view: 'pods' } } }));
    const s = new Settings(d);
    const file = path.join(d, 'state.json');
    expect(s.data.favorites).toEqual(['default']);
    expect(s.memory('prod')).toEqual({});
    expect(s.memory('dev')).toEqual({});
    expect(s.memory('ok')).toEqual({ view: 'pods' });
    expect(s.problems).toEqual([
      `${file}: "favorites" must be a list of namespace names; using the default`,
      `${file}: "contexts.prod" must be an object; forgotten`,
      `${file}: "contexts.dev.view" must be a view name; forgotten`,
      `${file}: "contexts.dev.namespace" must be a namespace name; forgotten`,
    ]);
    // the next save writes the corrected data
    s.useNamespace('web');
    expect(JSON.parse(readFileSync(file, 'utf8')).favorites).toEqual(['web', 'default']);
  });

  it('a file that is not JSON is reported, used as defaults, and left untouched', () => {
    const garbage = '\u001b[2J{{{ not json';
    const d = dirWith(garbage);
    const s = new Settings(d);
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toMatch(/state\.json: not loaded \(.*\); using the defaults and not saving$/);
    // eslint-disable-next-line no-control-regex
    expect(s.problems[0]).not.toMatch(/[\u0000-\u001f]/);
    s.remember('dev', { view: 'pods' });
    expect(readFileSync(path.join(d, 'state.json'), 'utf8')).toBe(garbage);
  });

  it('validateSettings never throws on any JSON value', () => {
    for (const v of [null, 1, 'x', [], [1], { favorites: [null] }, { contexts: [] }, { contexts: { a: null } }, { favorites: ['a', 'a', 'b'] }]) {
      expect(() => validateSettings(v, 'f')).not.toThrow();
    }
    expect(validateSettings({ favorites: ['a', 'a', 'b'] }, 'f').data.favorites).toEqual(['a', 'b']);
  });
});
