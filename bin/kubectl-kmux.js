#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=65536 node
// kmux as a kubectl plugin: kubectl finds kubectl-kmux on PATH and runs it for `kubectl kmux ...`
// with the arguments after `kmux`. The same program as bin/kmux.js (see there for its #! line).
await import('./kmux.js');
