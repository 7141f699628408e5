// The read-only API proxy's worker thread: the TypeScript loader, then the proxy
// (src/kube/readonly-proxy-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('../src/kube/readonly-proxy-worker.ts');
