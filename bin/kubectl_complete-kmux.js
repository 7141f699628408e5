#!/usr/bin/env node
// kubectl's completion hook for the kmux plugin (kubectl 1.26+): `kubectl kmux --context st<Tab>`
// runs `kubectl_complete-kmux --context st`; kmux answers in cobra's format (src/completion.ts).
process.argv.splice(2, 0, '__kubectl_complete');
await import('./kmux.js');
