#!/usr/bin/env node
/**
 * Builds kmux's TypeScript sources into dist/: ES modules bundled by esbuild, one entry for the
 * command line and one per worker thread, shared code split into chunks that load only when a
 * path needs them (`kmux --help` loads a few kilobytes; the UI, the simulator and the client load
 * when used). The packages kmux uses are bundled too: a start then resolves and links a handful
 * of files instead of hundreds (half the time to the first frame, measured). Left out:
 * @kubernetes/client-node (loaded only for auth-provider and SOCKS contexts) and Ink's optional
 * devtools. Ink's internal modules that kmux patches are imported statically (see
 * src/ui/ink-internals.ts) so the patches reach the Ink in the bundle.
 *
 * Run by npm's `prepare` (so `npm ci`, `npm install` in a checkout and `npm pack` build it), by
 * the test suite's global setup when the sources are newer, and by bin/kmux.js in a checkout whose
 * sources changed since the last build. Usage: node scripts/build.mjs [--if-stale] [--quiet]
 *
 * Files are written chunks first, entries last, each by a rename: a kmux running while another
 * build lands keeps finding the chunks it was built with (names carry a content hash); chunks no
 * build has written for an hour are removed.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, 'build.json');
const ENTRIES = {
  cli: 'src/cli.ts',
  'demo-worker': 'src/sim/demo-worker.ts',
  'readonly-proxy-worker': 'src/kube/readonly-proxy-worker.ts',
};
/** copied as they are (a script kubectl runs as an exec credential plugin) */
const ASSETS = { 'exec-plugin.mjs': 'src/sim/exec-plugin.mjs' };
const OLD_CHUNK_MS = 3600_000;
/** loaded from node_modules at run time, never bundled */
const EXTERNAL = ['@kubernetes/client-node', 'react-devtools-core'];

/**
 * Node's built-in modules through require(), not `import`: an import of a built-in builds an ES
 * module facade that reads every export, and node:http's include getters that load Node's
 * bundled undici (fetch, WebSocket), tens of milliseconds at every start for nothing kmux uses.
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    const names = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (a) => (names.has(a.path) && a.kind === 'import-statement' ? { path: a.path, namespace: 'builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path.startsWith('node:') ? a.path : `node:${a.path}`)});`, loader: 'js' }));
  },
};

/**
 * Yoga (Ink's layout engine) loads its WebAssembly from a base64 data URL with fetch() whenever
 * fetch exists, and the first fetch() loads Node's undici: tens of milliseconds at every start.
 * Its loader decodes the same data synchronously when fetch is missing; the bundle takes that path.
 * (Yoga changed and the text is not there: nothing is replaced, and it loads as before.)
 */
const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(b) {
    b.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, async (a) => ({
      contents: readFileSync(a.path, 'utf8').replaceAll('"function"!=typeof fetch', 'true'),
      loader: 'js',
    }));
  },
};

/** src/ui/ink-internals.ts, bundled: Ink's internal modules by static import (the same files Ink's index imports). */
const inkInternals = {
  name: 'ink-internals',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]ui[\\/]ink-internals\.ts$/ }, async () => {
      const dir = dirname(createRequire(join(ROOT, 'package.json')).resolve('ink'));
      const path = (f) => JSON.stringify(join(dir, f));
      return {
        loader: 'js',
        resolveDir: ROOT,
        contents: `import * as output from ${path('output.js')};\nimport * as instances from ${path('instances.js')};\n` +
          `const mods = { 'output.js': output, 'instances.js': instances };\nexport async function inkInternal(name) { return mods[name]; }\n`,
      };
    });
  },
};

/** What the build depends on: every file under src/, this script, package.json; newest mtime and a count. */
export function sourcesState(root = ROOT) {
  let newest = 0;
  let files = 0;
  const see = (p) => {
    const m = statSync(p).mtimeMs;
    if (m > newest) newest = m;
    files++;
  };
  for (const f of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
    if (f.isFile()) see(join(f.parentPath ?? f.path, f.name));
  }
  see(join(root, 'scripts/build.mjs'));
  see(join(root, 'package.json'));
  return { newest, files };
}

/** Whether dist/ is missing or older than the sources (a checkout only: a package has no src/). */
export function isStale(root = ROOT) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, 'dist/build.json'), 'utf8'));
  } catch {
    return true;
  }
  const now = sourcesState(root);
  return now.newest > stamp.sources?.newest || now.files !== stamp.sources?.files;
}

export async function build({ quiet = false } = {}) {
  const t0 = performance.now();
  // measured before reading anything: a file saved during the build makes the next check rebuild
  const sources = sourcesState();
  const { build: esbuild } = await import('esbuild');
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    external: EXTERNAL,
    plugins: [inkInternals, builtinsByRequire, yogaWithoutFetch],
    jsx: 'automatic',
    // React's production build (the development one checks and logs every render)
    define: { __KMUX_BUILD__: 'true', 'process.env.NODE_ENV': '"production"' },
    // CommonJS packages in an ES module bundle still call require() (Node's built-ins)
    banner: { js: "import { createRequire as __kmuxRequire } from 'node:module'; const require = __kmuxRequire(import.meta.url);" },
    sourcemap: 'linked',
    sourcesContent: false,
    outdir: DIST,
    write: false,
    logLevel: 'warning',
  });
  mkdirSync(DIST, { recursive: true });
  const entryFiles = new Set(Object.keys(ENTRIES).flatMap((n) => [`${n}.js`, `${n}.js.map`]));
  const files = [...result.outputFiles].sort((a, b) => Number(entryFiles.has(relative(DIST, a.path))) - Number(entryFiles.has(relative(DIST, b.path))));
  const written = new Set();
  const put = (path, data) => {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
    written.add(relative(DIST, path));
  };
  for (const f of files) put(f.path, f.contents);
  for (const [name, src] of Object.entries(ASSETS)) {
    const tmp = join(DIST, `${name}.${process.pid}.tmp`);
    copyFileSync(join(ROOT, src), tmp);
    renameSync(tmp, join(DIST, name));
    written.add(name);
  }
  put(STAMP, `${JSON.stringify({ sources }, null, 2)}\n`);
  // chunks of earlier builds: kept for a running kmux for an hour, then removed
  for (const name of readdirSync(DIST)) {
    if (written.has(name)) continue;
    const p = join(DIST, name);
    try {
      if (Date.now() - statSync(p).mtimeMs > OLD_CHUNK_MS) rmSync(p, { force: true });
    } catch {
      // another build removed it
    }
  }
  const ms = performance.now() - t0;
  if (!quiet) process.stderr.write(`kmux: built dist/ (${files.length} files) in ${ms.toFixed(0)} ms\n`);
  return ms;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  if (args.includes('--if-stale') && !isStale()) process.exit(0);
  await build({ quiet: args.includes('--quiet') });
}
