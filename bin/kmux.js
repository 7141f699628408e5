#!/usr/bin/env node
// Runs kmux's TypeScript sources directly through tsx's loader: no build step to forget.
import { register } from 'tsx/esm/api';

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
register();
await import('../src/cli.ts');
