/**
 * Ink's internal modules kmux patches (ink-cache.ts, ink-log.ts), loaded by their path in Ink's
 * package: they must be the very modules the Ink that renders uses. The build (scripts/build.mjs)
 * replaces this file with static imports of the same files, so a bundle patches the Ink it
 * bundles rather than a second copy from node_modules.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type InkInternal = 'output.js' | 'instances.js';

export async function inkInternal(name: InkInternal): Promise<any> {
  const dir = dirname(fileURLToPath(import.meta.resolve('ink')));
  return import(pathToFileURL(join(dir, name)).href);
}
