/** The moving keys of every scrolling screen, on the one viewport model. */
import { bind, type KeyAction } from '../keys/keys.js';
import { MOVE_DEFS } from '../keys/defs.js';
import type { Viewport } from '../scroll.js';

export function navigationKeys(vp: Viewport, o: { onUp?: () => void } = {}): KeyAction[] {
  const up = (fn: () => void) => () => {
    o.onUp?.();
    fn();
  };
  return bind(MOVE_DEFS, {
    down: () => vp.down(),
    up: up(() => vp.up()),
    'page-down': () => vp.pageDown(),
    'page-up': up(() => vp.pageUp()),
    top: up(() => vp.home()),
    bottom: () => vp.end(),
  });
}
