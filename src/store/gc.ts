/**
 * One full garbage collection after a big list has been loaded. Parsing 50,000 pods leaves
 * hundreds of megabytes of dead JSON that V8 would otherwise keep resident for a long time;
 * collecting it once, right after, brings the process back to what it really holds.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | undefined | null;
let timer: NodeJS.Timeout | undefined;
let last = 0;

function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    if (typeof (globalThis as any).gc === 'function') collect = (globalThis as any).gc;
    else {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    }
  } catch {
    collect = null;
  }
  return collect ?? null;
}

/** Ask for a full collection shortly (coalesced; at most one every 10 s). */
export function compactSoon(delayMs = 500): void {
  if (timer) return;
  const wait = Math.max(delayMs, last + 10_000 - Date.now());
  timer = setTimeout(() => {
    timer = undefined;
    last = Date.now();
    collector()?.();
  }, wait);
  timer.unref?.();
}
