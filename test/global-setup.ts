/**
 * Before any test: the compiled kmux in dist/ is what the sources say. Tests that start kmux or
 * `kmux sim` run bin/kmux.js, which runs dist/ (as an installed kmux does); unit tests import the
 * sources. Building once here keeps parallel test files from each building at their first start.
 */
import { build, isStale } from '../scripts/build.mjs';

export default async function setup(): Promise<void> {
  if (isStale()) await build({ quiet: true });
}
