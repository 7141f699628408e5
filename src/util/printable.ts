/**
 * Text from a user's file (or a server) made safe to print in a terminal: the same escaping
 * as every config loader's messages (src/config/untrusted.ts), bounded in length.
 */
import { safeText } from '../config/untrusted.js';

export function printable(s: string, max = 200): string {
  return safeText(s, max);
}
