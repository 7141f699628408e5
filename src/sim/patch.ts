// Patch engines for the simulated API server: JSON merge patch (RFC 7386),
// JSON patch (RFC 6902) and Kubernetes strategic merge patch.
//
// None of them mutates its inputs: the store shares sub-objects between stored
// objects, so every change copies the containers along the patched path and
// shares everything else (structural sharing).

/** Thrown for malformed patches; the message becomes the client-visible reason. */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchError';
  }
}

type Obj = Record<string, unknown>;

const isMap = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Sets an own data property; plain assignment of "__proto__" would replace the prototype instead. */
function put(o: Obj, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

// ---------------------------------------------------------------------------
// RFC 7386 JSON merge patch

export function applyMergePatch(target: unknown, patch: unknown): any {
  if (!isMap(patch)) return patch;
  const out: Obj = isMap(target) ? { ...target } : {};
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) delete out[k];
    else put(out, k, applyMergePatch(out[k], v));
  }
  return out;
}

// ---------------------------------------------------------------------------
// RFC 6902 JSON patch

function parsePointer(p: unknown, what: string): string[] {
  if (typeof p !== 'string') throw new PatchError(`${what} must be a string`);
  if (p === '') return [];
  if (p[0] !== '/') throw new PatchError(`invalid JSON pointer ${JSON.stringify(p)}: must start with "/"`);
  return p
    .slice(1)
    .split('/')
    .map((t) => {
      if (/~[^01]|~$/.test(t)) throw new PatchError(`invalid JSON pointer ${JSON.stringify(p)}: bad escape`);
      return t.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/** Array index token: "0" or no leading zeros; returns -1 when not an index. */
const arrayIndex = (t: string): number => (/^(0|[1-9][0-9]*)$/.test(t) ? Number(t) : -1);

function child(doc: unknown, tok: string, path: string): unknown {
  if (Array.isArray(doc)) {
    const i = arrayIndex(tok);
    if (i < 0 || i >= doc.length) throw new PatchError(`doc is missing path: "${path}": missing value`);
    return doc[i];
  }
  if (isMap(doc) && hasOwn(doc, tok)) return doc[tok];
  throw new PatchError(`doc is missing path: "${path}": missing value`);
}

function getAt(doc: unknown, toks: string[], path: string): unknown {
  let cur = doc;
  for (const t of toks) cur = child(cur, t, path);
  return cur;
}

/** Copy-on-write descent: `leaf` gets the parent container and last token and returns the new parent. */
function modify(doc: unknown, toks: string[], i: number, path: string, leaf: (parent: unknown, tok: string) => unknown): unknown {
  const tok = toks[i]!;
  if (i === toks.length - 1) return leaf(doc, tok);
  const next = modify(child(doc, tok, path), toks, i + 1, path, leaf);
  if (Array.isArray(doc)) {
    const copy = doc.slice();
    copy[arrayIndex(tok)] = next;
    return copy;
  }
  const copy = { ...(doc as Obj) };
  put(copy, tok, next);
  return copy;
}

function addAt(doc: unknown, toks: string[], path: string, value: unknown): unknown {
  if (toks.length === 0) return value;
  return modify(doc, toks, 0, path, (parent, tok) => {
    if (Array.isArray(parent)) {
      const i = tok === '-' ? parent.length : arrayIndex(tok);
      if (i < 0 || i > parent.length) throw new PatchError(`add operation does not apply: index out of bounds at "${path}"`);
      const copy = parent.slice();
      copy.splice(i, 0, value);
      return copy;
    }
    if (!isMap(parent)) throw new PatchError(`add operation does not apply: doc is missing path: "${path}"`);
    const copy = { ...parent };
    put(copy, tok, value);
    return copy;
  });
}

function removeAt(doc: unknown, toks: string[], path: string, op: string): unknown {
  if (toks.length === 0) throw new PatchError(`${op} operation does not apply: cannot remove the document root`);
  return modify(doc, toks, 0, path, (parent, tok) => {
    if (Array.isArray(parent)) {
      const i = arrayIndex(tok);
      if (i < 0 || i >= parent.length) throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
      const copy = parent.slice();
      copy.splice(i, 1);
      return copy;
    }
    if (!isMap(parent) || !hasOwn(parent, tok)) throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    const copy = { ...parent };
    delete copy[tok];
    return copy;
  });
}

export function applyJsonPatch(target: unknown, ops: unknown): any {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array of operations');
  let doc = target;
  ops.forEach((raw, n) => {
    if (!isMap(raw)) throw new PatchError(`json patch operation ${n} is not an object`);
    const op = raw.op;
    const path = raw.path as string;
    const toks = parsePointer(path, `operation ${n}: "path"`);
    const needValue = () => {
      if (!hasOwn(raw, 'value')) throw new PatchError(`${String(op)} operation ${n}: missing "value"`);
      return raw.value;
    };
    switch (op) {
      case 'add':
        doc = addAt(doc, toks, path, needValue());
        break;
      case 'remove':
        doc = removeAt(doc, toks, path, 'remove');
        break;
      case 'replace': {
        const value = needValue();
        if (toks.length === 0) { doc = value; break; }
        getAt(doc, toks, path); // must exist
        doc = modify(doc, toks, 0, path, (parent, tok) => {
          if (Array.isArray(parent)) {
            const copy = parent.slice();
            copy[arrayIndex(tok)] = value;
            return copy;
          }
          const copy = { ...(parent as Obj) };
          put(copy, tok, value);
          return copy;
        });
        break;
      }
      case 'move':
      case 'copy': {
        const from = raw.from as string;
        const ftoks = parsePointer(from, `${op} operation ${n}: "from"`);
        const value = getAt(doc, ftoks, from);
        if (op === 'move') {
          if (from === path) break;
          if (path.startsWith(from + '/')) throw new PatchError(`move operation ${n}: cannot move "${from}" into its own child "${path}"`);
          doc = removeAt(doc, ftoks, from, 'move');
        }
        // Sharing `value` between two places is safe: nothing is ever mutated.
        doc = addAt(doc, toks, path, value);
        break;
      }
      case 'test': {
        const value = needValue();
        let actual: unknown;
        try {
          actual = getAt(doc, toks, path);
        } catch {
          throw new PatchError(`test operation ${n} failed: doc is missing path: "${path}"`);
        }
        if (!deepEqual(actual, value)) throw new PatchError(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${String(op)}`);
    }
  });
  return doc;
}

// ---------------------------------------------------------------------------
// Kubernetes strategic merge patch

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ORDER = '$setElementOrder/';
const isDirective = (k: string) => k === PATCH || k === RETAIN_KEYS || k.startsWith(DELETE_PRIMITIVE) || k.startsWith(SET_ORDER);

// Merge keys from the Kubernetes API types' patchMergeKey tags, by field name
// (path-insensitive: these names mean the same thing wherever they appear in built-in types).
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  resourceClaims: 'name',
  schedulingGates: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  conditions: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};
/** Primitive lists with patchStrategy=merge: set union. */
const PRIMITIVE_MERGE = new Set(['finalizers']);

function mergeKeyFor(field: string, a: unknown[], b: unknown[]): string | undefined {
  // Container ports merge by containerPort, Service ports by port.
  if (field === 'ports') return [...a, ...b].some((e) => isMap(e) && hasOwn(e, 'containerPort')) ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
}

/** Patch value landing where there is nothing to merge into: strip directives and nulls. */
function clean(v: unknown): unknown {
  if (Array.isArray(v)) {
    // Element directives ({$patch: delete|replace}) have nothing to act on here.
    return v.filter((e) => !(isMap(e) && (e[PATCH] === 'delete' || e[PATCH] === 'replace'))).map(clean);
  }
  if (!isMap(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v)) {
    if (isDirective(k) || v[k] === null) continue;
    put(out, k, clean(v[k]));
  }
  return out;
}

const DELETE = Symbol('delete');

function smpMap(target: Obj | undefined, patch: Obj): Obj | typeof DELETE {
  const directive = patch[PATCH];
  if (directive === 'delete') return DELETE;
  if (directive === 'replace') return clean(patch) as Obj;
  if (directive !== undefined && directive !== 'merge') throw new PatchError(`Unknown patch type: ${String(directive)} in map`);

  const out: Obj = target ? { ...target } : {};
  const keys = Object.keys(patch);

  // Deletions from primitive lists apply to the original before the field's own patch merges in.
  for (const k of keys) {
    if (!k.startsWith(DELETE_PRIMITIVE)) continue;
    const field = k.slice(DELETE_PRIMITIVE.length);
    const drop = patch[k];
    if (!Array.isArray(drop)) throw new PatchError(`${k} must be a list`);
    const cur = out[field];
    if (Array.isArray(cur)) put(out, field, cur.filter((x) => !drop.some((d) => deepEqual(d, x))));
  }

  for (const k of keys) {
    if (isDirective(k)) continue;
    const v = patch[k];
    if (v === null) {
      delete out[k];
    } else if (isMap(v)) {
      const cur = out[k];
      const merged = isMap(cur) ? smpMap(cur, v) : v[PATCH] === 'delete' ? DELETE : clean(v);
      if (merged === DELETE) delete out[k];
      else put(out, k, merged);
    } else if (Array.isArray(v)) {
      put(out, k, smpList(k, out[k], v));
    } else {
      put(out, k, v);
    }
  }

  for (const k of keys) {
    if (!k.startsWith(SET_ORDER)) continue;
    const field = k.slice(SET_ORDER.length);
    const order = patch[k];
    if (!Array.isArray(order)) throw new PatchError(`${k} must be a list`);
    const cur = out[field];
    if (Array.isArray(cur)) put(out, field, reorder(field, cur, order, target?.[field]));
  }

  if (hasOwn(patch, RETAIN_KEYS)) {
    const retain = patch[RETAIN_KEYS];
    if (!Array.isArray(retain)) throw new PatchError(`${RETAIN_KEYS} must be a list`);
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  return out;
}

function smpList(field: string, target: unknown, patch: unknown[]): unknown[] {
  // A {$patch: replace} element means "the list is exactly the other elements".
  if (patch.some((e) => isMap(e) && e[PATCH] === 'replace')) {
    return clean(patch.filter((e) => !(isMap(e) && e[PATCH] === 'replace'))) as unknown[];
  }
  const orig = Array.isArray(target) ? target : [];

  if (PRIMITIVE_MERGE.has(field)) {
    const out = orig.slice();
    for (const e of patch) if (!out.some((x) => deepEqual(x, e))) out.push(e);
    return out;
  }

  const key = mergeKeyFor(field, orig, patch);
  // Atomic list (or elements that can't be keyed): the patch replaces it wholesale.
  if (!key || !patch.every((e) => isMap(e) && (hasOwn(e, key) || e[PATCH] === 'delete'))) {
    return clean(patch) as unknown[];
  }

  const out = orig.slice();
  for (const e of patch as Obj[]) {
    const id = e[key];
    const matches = (x: unknown) => isMap(x) && deepEqual(x[key], id);
    if (e[PATCH] === 'delete') {
      for (let i = out.length - 1; i >= 0; i--) if (matches(out[i])) out.splice(i, 1);
      continue;
    }
    const i = out.findIndex(matches);
    if (i < 0) {
      out.push(clean(e));
      continue;
    }
    const merged = smpMap(out[i] as Obj, e);
    if (merged === DELETE) out.splice(i, 1);
    else out[i] = merged;
  }
  return out;
}

/**
 * $setElementOrder: elements named in `order` come in that order; the others
 * ("server-only") keep their relative order and are interleaved by their
 * position in the original list, roughly as the apiserver does.
 */
function reorder(field: string, list: unknown[], order: unknown[], original: unknown): unknown[] {
  const orig = Array.isArray(original) ? original : [];
  const key = PRIMITIVE_MERGE.has(field) ? undefined : mergeKeyFor(field, list, order);
  const idOf = (e: unknown): unknown => (key !== undefined && isMap(e) ? e[key] : e);
  const orderIds = order.map(idOf);
  const rank = (e: unknown) => orderIds.findIndex((o) => deepEqual(o, idOf(e)));
  const origIndex = (e: unknown) => orig.findIndex((o) => deepEqual(idOf(o), idOf(e)));

  const listed = list.filter((e) => rank(e) >= 0).sort((a, b) => rank(a) - rank(b));
  const rest = list.filter((e) => rank(e) < 0);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < listed.length && j < rest.length) {
    const li = origIndex(listed[i]);
    // Elements new to the server go first; otherwise compare original positions.
    if (li < 0 || li < origIndex(rest[j])) out.push(listed[i++]);
    else out.push(rest[j++]);
  }
  return out.concat(listed.slice(i), rest.slice(j));
}

export function applyStrategicMergePatch(target: unknown, patch: unknown): any {
  if (!isMap(patch)) throw new PatchError('strategic merge patch must be a JSON object');
  const merged = smpMap(isMap(target) ? target : undefined, patch);
  return merged === DELETE ? {} : merged;
}
