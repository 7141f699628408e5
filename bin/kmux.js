#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=65536 node
// glibc's malloc, set for a process that runs all day (docs/architecture.md, Memory): each
// thread that allocates (V8's GC and compiler helpers, libuv's pool, the demo fleet's worker)
// gets an arena of its own, up to 8 per core, that keeps what it once held (25-30 MB resident
// on a churning 30,000-pod view; 10 MB with MALLOC_ARENA_MAX=2), and the socket reads' 64 KB
// buffers, once the threshold has drifted up, are carved from the main heap, which fragments
// and is not given back (49 MB; 29 MB with the threshold held at 64 KB, so they are mapped
// and unmapped). V8's young generation is its default 2 x 16 MB. Elsewhere than glibc the
// two variables mean nothing.
//
// Runs the compiled kmux in dist/ (scripts/build.mjs; npm builds it on install and pack). In a
// checkout whose sources changed since the last build, it builds first (a few hundred ms), so
// what runs is always what the sources say.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 20 (a system node ahead of the project's on PATH) fails deep inside execa; say why instead
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`kmux needs Node.js 22 or newer; this is ${process.version}. Run it through npm (npm start, npx kmux), which uses the Node the project installs.\n`);
  process.exit(1);
}
// V8's compiled code for kmux's and its packages' modules, kept on disk between runs: a start
// compiles nothing it compiled before (the cache is in the OS temp dir; NODE_DISABLE_COMPILE_CACHE=1 turns it off)
module.enableCompileCache?.();
// React's development build checks and logs every render: several times slower, and nothing a
// user of kmux needs. Set before React loads.
process.env.NODE_ENV ??= 'production';
// A CI variable makes color detection give up even in a real terminal; kmux draws for the
// terminal it is in, so it judges by the terminal (styles stay on under NO_COLOR: the
// monochrome skin still needs inverse and bold).
if (process.stdout.isTTY && process.env.CI !== undefined && process.env.FORCE_COLOR === undefined) {
  const t = process.env.TERM ?? '';
  process.env.FORCE_COLOR = /truecolor|24bit/i.test(process.env.COLORTERM ?? '') ? '3' : /256/.test(t) ? '2' : '1';
}
const checkout = new URL('../src/cli.ts', import.meta.url);
if (existsSync(checkout)) {
  const { isStale, build } = await import('../scripts/build.mjs');
  if (isStale()) await build({ quiet: true });
}
const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('kmux: dist/cli.js is missing: this copy of kmux was not built (npm run build)\n');
  process.exit(1);
}
await import(entry.href);
