// The demo fleet's worker thread: the TypeScript loader, then the fleet (src/sim/demo-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('../src/sim/demo-worker.ts');
