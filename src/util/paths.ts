/**
 * Where kmux's own files are, whether it runs from its TypeScript sources (tests, tsx) or from
 * the compiled bundle in dist/ (bin/kmux.js, an installed package). The bundle is built with
 * __KMUX_BUILD__ defined (scripts/build.mjs); its modules then sit in dist/, not in src/<dir>/.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

declare const __KMUX_BUILD__: boolean | undefined;

/** Running the compiled bundle (dist/), not the sources. */
export const BUILT = typeof __KMUX_BUILD__ !== 'undefined' && __KMUX_BUILD__ === true;

/** The package's root: the nearest folder above this module with kmux's package.json. */
export const PACKAGE_ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'skins'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  // sources: src/util/ -> root; bundle: dist/ -> root
  return join(dirname(fileURLToPath(import.meta.url)), BUILT ? '..' : '../..');
})();

/** A file shipped with kmux, by its path from the package root (skins, plugins, package.json). */
export const shipped = (path: string): string => join(PACKAGE_ROOT, path);

/**
 * A worker thread's entry file: the bundle's dist/NAME.js, or from the sources bin/NAME.js
 * (which loads the TypeScript through tsx).
 */
export const workerEntry = (name: 'demo-worker' | 'readonly-proxy-worker'): string =>
  join(PACKAGE_ROOT, BUILT ? 'dist' : 'bin', `${name}.js`);

/** The simulator's exec credential plugin (a plain .mjs script kubectl runs). */
export const execPluginPath = (): string => join(PACKAGE_ROOT, BUILT ? 'dist' : 'src/sim', 'exec-plugin.mjs');
