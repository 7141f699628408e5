#!/usr/bin/env -S node --max-semi-space-size=32
// kmux as a kubectl plugin: kubectl finds kubectl-kmux on PATH and runs it for `kubectl kmux ...`
// with the arguments after `kmux`. The same program as bin/kmux.js (see there for the node flag).
await import('./kmux.js');
