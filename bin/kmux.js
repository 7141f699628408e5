#!/usr/bin/env node
// Runs kmux's TypeScript sources directly through tsx's loader: no build step to forget.
import { register } from 'tsx/esm/api';

// React's development build checks and logs every render: several times slower, and nothing a
// user of kmux needs. Set before React loads.
process.env.NODE_ENV ??= 'production';
register();
await import('../src/cli.ts');
