/** The moving keys of every scrolling screen, on the one viewport model. */
import type { KeyAction } from '../keys/keys.js';
import type { Viewport } from '../scroll.js';

export function navigationKeys(vp: Viewport, o: { onUp?: () => void } = {}): KeyAction[] {
  const up = (fn: () => void) => () => {
    o.onUp?.();
    fn();
  };
  return [
    { id: 'down', keys: ['j', '<down>'], desc: 'down', section: 'Navigation', run: () => vp.down() },
    { id: 'up', keys: ['k', '<up>'], desc: 'up', section: 'Navigation', run: up(() => vp.up()) },
    { id: 'page-down', keys: ['<pgdn>', '<ctrl-f>'], desc: 'page down', section: 'Navigation', run: () => vp.pageDown() },
    { id: 'page-up', keys: ['<pgup>', '<ctrl-b>'], desc: 'page up', section: 'Navigation', run: up(() => vp.pageUp()) },
    { id: 'top', keys: ['g', '<home>'], desc: 'top', section: 'Navigation', run: up(() => vp.home()) },
    { id: 'bottom', keys: ['G', '<end>'], desc: 'bottom', section: 'Navigation', run: () => vp.end() },
  ];
}
