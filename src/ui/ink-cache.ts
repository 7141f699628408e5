/**
 * Ink turns every line it writes back into styled characters (an ANSI tokenizer per character)
 * with caches that live for one frame only, so a frame costs as much as the whole screen even
 * when only the cursor moved. Sharing those caches between frames makes an unchanged line free.
 * The cached cells are only ever read (Ink copies or replaces cells, never mutates them); the
 * caches are dropped when they grow, so memory stays bounded. If Ink's internals change shape,
 * this does nothing and Ink works as it always did.
 */
import { inkInternal } from './ink-internals.js';

const MAX_LINES = 400;
const MAX_WIDTHS = 20_000;

export async function shareInkOutputCaches(): Promise<boolean> {
  try {
    const mod = await inkInternal('output.js');
    const Output = mod.default;
    const probe = new Output({ width: 1, height: 1 });
    const Caches = probe.caches?.constructor;
    const origGet = Output.prototype?.get;
    if (typeof Caches !== 'function' || typeof origGet !== 'function') return false;
    let shared = new Caches();
    if (!(shared.styledChars instanceof Map) || !(shared.widths instanceof Map)) return false;
    Output.prototype.get = function get(this: any, ...args: unknown[]) {
      if (shared.styledChars.size > MAX_LINES || shared.widths.size > MAX_WIDTHS) shared = new Caches();
      this.caches = shared;
      return origGet.apply(this, args);
    };
    return true;
  } catch {
    return false;
  }
}
