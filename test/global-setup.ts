/**
 * Before any test: the compiled kmux in dist/ is what the sources say. Tests that start kmux or
 * `kmux sim` run bin/kmux.js, which runs dist/ (as an installed kmux does); unit tests import the
 * sources. Building once here keeps parallel test files from each building at their first start.
 * The build runs in a Node process of its own, as npm runs it (not inside vitest's module runner).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function setup(): void {
  const root = resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [resolve(root, 'scripts/build.mjs'), '--if-stale', '--quiet'], { cwd: root, stdio: 'inherit' });
}
