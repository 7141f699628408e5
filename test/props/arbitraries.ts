/**
 * fast-check generators for config files that are wrong in every way a person or a disk can
 * make them: structurally plausible YAML with the loaders' real keys and wrong-typed values,
 * anchors, aliases and `<<` merges (cycles too), YAML 1.1 tags, huge numbers, long strings,
 * unicode, control characters and escape sequences, text edits that break the syntax, and
 * binary garbage.
 */
import fc from 'fast-check';
import { Document, isMap, isNode, isScalar, isSeq, Pair, Scalar, visit, type YAMLMap, type YAMLSeq } from 'yaml';

/** A schema: a key maps to a sub-schema, or to an arbitrary of good values for that key. */
export interface Shape {
  [key: string]: Shape | fc.Arbitrary<unknown>;
}

const CONTROL = ['\u001b', '\u0007', '\u0000', '\u0008', '\u009b', '\u0085', '\u007f', '\r', '\n', '\t', '\u202e', '\u2028', '\ufeff', '\ud800', '\udc00'];

/** Strings a file holds where a name or color was expected. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 8, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 8, arbitrary: fc.string({ unit: fc.constantFrom(...CONTROL, '[', '3', '1', 'm', ']', '0', ';', 'a', ' ', '"', '\\'), maxLength: 12 }) },
  { weight: 4, arbitrary: fc.constantFrom('\u001b[31mred\u001b[0m', '\u001b]0;owned\u0007', '\u001b[2J\u001b[H', '\u009b31m', 'red\u0000', '\u202egnp.exe') },
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      '', ' ', 'yes', 'no', 'on', 'off', 'y', 'n', '~', 'null', 'Null', 'true', 'false', '.inf', '-.Inf', '.nan', '0x1F', '0o17', '017', '0b101',
      '1e309', '-0', '1_000', '12:30:45', '2001-12-14t21:59:43.10-05:00', '#ff0000', '#fff', '#12345', '#zzzzzz', 'default', '-', 'DodgerBlue',
      'dodgerblu', '<<', '*a', '&a', '!!binary', '---', '...', '- ', '? ', ': ', '{', '}', '[', ']', '"', "'", '%YAML 1.1', '@', '`', '|', '>',
      'Shift-A', 'Ctrl-X', 'shift-1', 'Ctrl-Shift-A', 'Alt-A', 'F1', 'a', 'Z', '!', 'all', 'pods', 'po', 'v1/pods', 'NAME|WR', 'IP:.status.podIP',
      'AGE:asc', 'AGE:sideways', 'IP:.status[', 'X:{.a}', ':', '|', 'constructor', '__proto__', 'toString', 'hasOwnProperty',
    ),
  },
  // long: a few hundred to a few thousand characters (one case in forty)
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('a', ' ', '\u001b', 'é', '😀', ':', '-', '#', '\\', 'x ', 'a '), fc.integer({ min: 100, max: 4000 })).map(([s, n]) => s.repeat(n)),
  },
);

export const nastyNumber: fc.Arbitrary<number | bigint> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 5e-324, -0, NaN, Infinity, -Infinity, 2 ** 64, 0, 1, 255, 16777215),
);

/** A leaf of any type. */
export const nastyScalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 2, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }) },
  { weight: 1, arbitrary: fc.date() },
);

/** Any value: fc.anything with every option on, kept small. */
export const anyValue: fc.Arbitrary<unknown> = fc.anything({
  maxDepth: 3,
  maxKeys: 4,
  key: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('k9s', 'plugins', 'hotKeys', 'aliases', 'views', 'skin', 'ui', 'contexts', '<<')),
  values: [nastyScalar],
  withBigInt: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withTypedArray: true,
  withNullPrototype: true,
  withSparseArray: true,
  withBoxedValues: true,
});

/** Something where a value of a known type was expected: right, wrong, or any. */
export function valueOr<T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 12, arbitrary: good },
    { weight: 6, arbitrary: nastyScalar },
    { weight: 1, arbitrary: fc.array(fc.oneof(good, nastyScalar), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(nastyString, fc.oneof(good, nastyScalar), { maxKeys: 3 }) },
    { weight: 1, arbitrary: anyValue },
  );
}

/** Keys near a real one: other case, a typo, an extra character. */
function nearKeys(keys: string[]): fc.Arbitrary<string> {
  if (keys.length === 0) return nastyString;
  return fc.tuple(fc.constantFrom(...keys), fc.nat(3), fc.nat(20)).map(([k, how, at]) => {
    const i = at % (k.length + 1);
    if (how === 0) return k.toLowerCase();
    if (how === 1) return k.toUpperCase();
    if (how === 2) return k.slice(0, i) + k.slice(i + 1);
    return `${k.slice(0, i)}x${k.slice(i)}`;
  });
}

/**
 * An object following `shape`: any subset of its keys, each value of the right kind most of
 * the time and wrong otherwise, plus now and then an unknown or misspelt key.
 */
export function shaped(shape: Shape, depth = 0, maxKeys = 5): fc.Arbitrary<unknown> {
  const keys = Object.keys(shape);
  const valueOf = (k: string): fc.Arbitrary<unknown> => {
    const sub = shape[k];
    if (sub instanceof fc.Arbitrary) return valueOr(sub);
    if (depth > 6) return anyValue;
    // a section is mostly a section, so that the deep keys are reached
    return fc.oneof({ weight: 8, arbitrary: shaped(sub, depth + 1, maxKeys) }, { weight: 1, arbitrary: nastyScalar }, { weight: 1, arbitrary: anyValue });
  };
  // a few of the keys (records of every key would make each document large and slow to run)
  const body = fc
    .shuffledSubarray(keys, { maxLength: Math.min(maxKeys, keys.length) })
    .chain((some) => fc.record(Object.fromEntries(some.map((k) => [k, valueOf(k)]))));
  const extra = fc.dictionary(fc.oneof(nearKeys(keys), nastyString), nastyScalar, { maxKeys: 2 });
  return fc.oneof(
    { weight: 6, arbitrary: body },
    { weight: 2, arbitrary: fc.tuple(body, extra).map(([b, e]) => ({ ...e, ...(b as object) })) },
  );
}

/** A map of names (real-looking or nasty) to values from `value`. */
export function namedMap(value: fc.Arbitrary<unknown>, maxKeys = 4): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), nastyString), value, { maxKeys });
}

/** How a value is written: YAML version, styles, indentation, and edits to the tree and the text. */
export interface Writing {
  version: '1.1' | '1.2';
  flow: boolean;
  stringType: 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';
  indent: number;
  /** anchor/alias/merge edits on the document tree, each a pair of node picks */
  links: [number, number, number][];
  /** text edits: [kind, position, length] */
  edits: [number, number, number][];
  insert: string;
  multiDoc: boolean;
}

export const writing: fc.Arbitrary<Writing> = fc.record({
  version: fc.constantFrom('1.1' as const, '1.2' as const),
  flow: fc.boolean(),
  stringType: fc.constantFrom('PLAIN' as const, 'PLAIN' as const, 'QUOTE_DOUBLE' as const, 'QUOTE_SINGLE' as const, 'BLOCK_LITERAL' as const, 'BLOCK_FOLDED' as const),
  indent: fc.integer({ min: 1, max: 4 }),
  links: fc.oneof({ weight: 2, arbitrary: fc.constant<[number, number, number][]>([]) }, { weight: 3, arbitrary: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(3)), { maxLength: 4 }) }),
  edits: fc.oneof({ weight: 4, arbitrary: fc.constant<[number, number, number][]>([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(fc.nat(5), fc.nat(), fc.nat(8)), { minLength: 1, maxLength: 3 }) }),
  insert: nastyString,
  multiDoc: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/** Add anchors, aliases (also ones that make cycles or point forward) and `<<` merges to a document. */
function link(doc: Document, links: [number, number, number][]): void {
  for (const [a, b, kind] of links) {
    const nodes: (Scalar | YAMLMap | YAMLSeq)[] = [];
    const maps: YAMLMap[] = [];
    visit(doc, {
      Node(_k, n) {
        if (isScalar(n) || isMap(n) || isSeq(n)) nodes.push(n);
        if (isMap(n)) maps.push(n);
      },
    });
    if (nodes.length === 0) return;
    const target = nodes[a % nodes.length];
    if (kind === 0 || kind === 1) {
      // replace another node (a map value or a list item) with an alias of the target
      let i = 0;
      const want = b % nodes.length;
      visit(doc, {
        Pair(_k, p) {
          if (isNode(p.value) && i++ === want) {
            p.value = doc.createAlias(target);
            return visit.BREAK;
          }
        },
      });
    } else if (maps.length) {
      // a merge key in some map, pointing at the target (a map, or anything else)
      const into = maps[b % maps.length];
      into.items.splice(kind === 2 ? 0 : into.items.length, 0, new Pair(new Scalar('<<'), doc.createAlias(target)));
    }
  }
}

/** Apply text edits: insert the nasty string, delete a range, repeat a line, dedent or indent a line, cut the file. */
function edit(text: string, edits: [number, number, number][], insert: string): string {
  let t = text;
  for (const [kind, pos, len] of edits) {
    const at = t.length ? pos % (t.length + 1) : 0;
    const lines = t.split('\n');
    const li = lines.length ? pos % lines.length : 0;
    switch (kind) {
      case 0: t = t.slice(0, at) + insert + t.slice(at); break;
      case 1: t = t.slice(0, at) + t.slice(at + len); break;
      case 2: lines.splice(li, 0, lines[li] ?? ''); t = lines.join('\n'); break;
      case 3: lines[li] = (lines[li] ?? '').replace(/^ {1,2}/, ''); t = lines.join('\n'); break;
      case 4: lines[li] = ' '.repeat(len % 5 + 1) + (lines[li] ?? ''); t = lines.join('\n'); break;
      default: t = t.slice(0, at); break;
    }
  }
  return t;
}

/** YAML text for a value, written in one of many ways; never throws. */
export function toYaml(value: unknown, w: Writing): string {
  let text: string;
  try {
    const doc = new Document(value, { version: w.version, aliasDuplicateObjects: true });
    link(doc, w.links);
    text = doc.toString({
      indent: w.indent,
      collectionStyle: w.flow ? 'flow' : 'any',
      defaultStringType: w.stringType,
      lineWidth: 0,
    });
  } catch {
    try {
      text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
    } catch {
      text = String(value);
    }
  }
  if (w.multiDoc) text = `${text}\n---\n${text}`;
  return edit(text, w.edits, w.insert);
}

/** Text a file might hold: YAML for a shaped value (mostly), any value, random text or bytes. */
export function fileText(value: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.tuple(value, writing).map(([v, w]) => toYaml(v, w)) },
    { weight: 2, arbitrary: fc.tuple(anyValue, writing).map(([v, w]) => toYaml(v, w)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('utf8')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')) },
  );
}

// --------------------------------------------------------------------------------------
// What every loader must give back

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Messages and keys hold no control character, escape sequence or bidi override, and stay short. */
export function expectDisplaySafe(s: unknown, what: string): void {
  if (typeof s !== 'string') throw new Error(`${what} is not a string: ${String(s)}`);
  if (RAW_CONTROL.test(s)) throw new Error(`${what} holds a raw control character: ${JSON.stringify(s)}`);
  if (LONE_SURROGATE.test(s)) throw new Error(`${what} holds a lone surrogate: ${JSON.stringify(s)}`);
  if (s.length > 2000) throw new Error(`${what} is ${s.length} characters long: ${JSON.stringify(s.slice(0, 200))}...`);
}

export interface ProblemLike {
  file: string;
  line?: number;
  key?: string;
  message: string;
}

/**
 * Well-formed problem records naming one of `files`; `format` (the display form) is safe too;
 * none is the loaders' last-resort "internal error" (that would be a bug caught, not a file judged).
 * Plain checks, not expect(): they run for every problem of every one of 10,000 inputs.
 */
export function expectProblems(problems: unknown, files: string[], format?: (p: never) => string): void {
  if (!Array.isArray(problems)) throw new Error(`problems is not an array: ${String(problems)}`);
  for (const p of problems as ProblemLike[]) {
    const show = () => JSON.stringify(p);
    if (p === null || typeof p !== 'object') throw new Error(`a problem is not an object: ${show()}`);
    if (!files.includes(p.file)) throw new Error(`problem names no file it read (${files.join(', ')}): ${show()}`);
    if (typeof p.message !== 'string' || p.message.trim() === '') throw new Error(`a problem has no message: ${show()}`);
    if (/internal error/i.test(p.message)) throw new Error(`a loader bug reached the last resort: ${show()}`);
    expectDisplaySafe(p.message, 'message');
    if (p.line !== undefined && !(Number.isInteger(p.line) && p.line >= 1)) throw new Error(`bad line: ${show()}`);
    if (p.key !== undefined) expectDisplaySafe(p.key, 'key');
    if (format) expectDisplaySafe(format(p as never), 'formatted problem');
  }
}

export { fc };
