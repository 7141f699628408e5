/**
 * Text from a user's file (or a server) made safe to print in a terminal: no control
 * characters, escape sequences, bidirectional overrides or lone surrogates, white space folded,
 * bounded in length (cut between characters, never inside one).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function printable(s: string, max = 200): string {
  const t = s.replace(UNSAFE, '?').replace(LONE_SURROGATE, '?').replace(/\s+/g, ' ');
  if (t.length <= max) return t;
  return `${Array.from(t).slice(0, max).join('')}...`;
}
