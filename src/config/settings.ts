/** What kmux remembers between runs (conf, JSON in kmux's config dir): no secrets here. */
import Conf from 'conf';
import { kmuxConfigDir } from './paths.js';

export interface SettingsData {
  lastContexts: string[];
  lastNamespace: string;
  lastView: string;
  /** favorite namespaces, most recent first; key 1..9 picks them, 0 is all namespaces. */
  favorites: string[];
}

const DEFAULTS: SettingsData = { lastContexts: [], lastNamespace: 'default', lastView: 'pods', favorites: ['default'] };

export class Settings {
  private conf?: Conf<SettingsData>;
  data: SettingsData;
  /** set when the settings file could not be read or written; kmux carries on without it. */
  problem?: string;

  constructor(dir = kmuxConfigDir()) {
    try {
      this.conf = new Conf<SettingsData>({ projectName: 'kmux', projectSuffix: '', cwd: dir, configName: 'state', defaults: DEFAULTS });
      this.data = { ...DEFAULTS, ...this.conf.store };
    } catch (e) {
      this.problem = `settings not loaded (${(e as Error).message}); using defaults`;
      this.data = { ...DEFAULTS };
    }
  }

  update(patch: Partial<SettingsData>): void {
    this.data = { ...this.data, ...patch };
    try {
      this.conf?.set(this.data);
    } catch (e) {
      this.problem = `settings not saved: ${(e as Error).message}`;
    }
  }

  /** Remember a namespace as a favorite (most recent first, nine at most, no duplicates). */
  useNamespace(ns: string): void {
    if (!ns) return;
    const favorites = [ns, ...this.data.favorites.filter((f) => f !== ns)].slice(0, 9);
    this.update({ lastNamespace: ns, favorites });
  }
}
