/** Label and field selectors as the API server parses them (the simulator's own copy). */

export class SelectorError extends Error {}

type LabelReq =
  | { op: 'exists' | '!'; key: string }
  | { op: '=' | '!='; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'gt' | 'lt'; key: string; num: number };

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

const KEY_RE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE_RE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

function checkKey(key: string, whole: string): string {
  if (!KEY_RE.test(key) || key.length > 317) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
  return key;
}
function checkValue(v: string, whole: string): string {
  if (!VALUE_RE.test(v) || v.length > 63) throw new SelectorError(`unable to parse requirement: invalid label value: "${v}" in "${whole}"`);
  return v;
}

export function parseLabelSelector(sel: string | undefined | null): LabelMatcher {
  if (!sel || !sel.trim()) return () => true;
  const reqs: LabelReq[] = splitTopLevel(sel).map((part) => {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^(\S+)\s+(in|notin)\s*\((.*)\)$/))) {
      const values = m[3].split(',').map((v) => checkValue(v.trim(), part));
      return { op: m[2] as 'in' | 'notin', key: checkKey(m[1], part), values };
    }
    if ((m = part.match(/^([^=!<>\s]+)\s*(==|=|!=)\s*(.*)$/))) {
      return { op: m[2] === '!=' ? '!=' : '=', key: checkKey(m[1], part), value: checkValue(m[3].trim(), part) };
    }
    if ((m = part.match(/^([^=!<>\s]+)\s*(>|<)\s*(-?\d+)$/))) {
      return { op: m[2] === '>' ? 'gt' : 'lt', key: checkKey(m[1], part), num: Number(m[3]) };
    }
    if ((m = part.match(/^!\s*(\S+)$/))) return { op: '!', key: checkKey(m[1], part) };
    if (/^\S+$/.test(part)) return { op: 'exists', key: checkKey(part, part) };
    throw new SelectorError(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
  });
  return (labels) => {
    const l = labels ?? {};
    for (const r of reqs) {
      const has = Object.prototype.hasOwnProperty.call(l, r.key);
      const v = l[r.key];
      switch (r.op) {
        case 'exists': if (!has) return false; break;
        case '!': if (has) return false; break;
        case '=': if (!has || v !== r.value) return false; break;
        case '!=': if (has && v === r.value) return false; break;
        case 'in': if (!has || !r.values.includes(v)) return false; break;
        case 'notin': if (has && r.values.includes(v)) return false; break;
        case 'gt': if (!has || !(Number(v) > r.num)) return false; break;
        case 'lt': if (!has || !(Number(v) < r.num)) return false; break;
      }
    }
    return true;
  };
}

/** Label selector object (matchLabels + matchExpressions) as in Deployments and PDBs. */
export function matchesLabelSelectorObject(selector: any, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    switch (e.operator) {
      case 'In': if (!has || !(e.values ?? []).includes(l[e.key])) return false; break;
      case 'NotIn': if (has && (e.values ?? []).includes(l[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/**
 * The objects a selector object matches, from a list indexed once by label: a selector with
 * matchLabels looks only at the objects carrying its rarest label (k=v), not at every object.
 * Same result, same order as filtering the whole list with matchesLabelSelectorObject.
 */
export class LabelIndex<T extends { metadata: { labels?: Record<string, string> } }> {
  private readonly byLabel = new Map<string, T[]>();

  constructor(readonly items: T[]) {
    for (const o of items) {
      const labels = o.metadata.labels;
      if (!labels) continue;
      for (const k in labels) {
        const key = `${k}=${labels[k]}`;
        let list = this.byLabel.get(key);
        if (!list) this.byLabel.set(key, (list = []));
        list.push(o);
      }
    }
  }

  matching(selector: any): T[] {
    let pool = this.items;
    for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) {
      const list = this.byLabel.get(`${k}=${v}`) ?? [];
      if (list.length < pool.length) pool = list;
    }
    return pool.filter((o) => matchesLabelSelectorObject(selector, o.metadata.labels));
  }
}

export function isEmptySelectorObject(selector: any): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

export type FieldMatcher = (obj: any) => boolean;
export interface FieldReq { path: string; op: '=' | '!='; value: string }

function fieldValue(obj: any, path: string): string {
  let cur = obj;
  for (const p of path.split('.')) {
    if (cur == null) return '';
    cur = cur[p];
  }
  return cur == null ? '' : String(cur);
}

/** Splits on unescaped commas and unescapes `\,` `\=` `\\` as the apiserver does. */
export function parseFieldSelectorReqs(sel: string | undefined | null): FieldReq[] {
  if (!sel || !sel.trim()) return [];
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < sel.length; i++) {
    const ch = sel[i];
    if (ch === '\\' && i + 1 < sel.length) { cur += ch + sel[++i]; continue; }
    if (ch === ',') { parts.push(cur); cur = ''; continue; }
    cur += ch;
  }
  parts.push(cur);
  const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
  return parts.filter((p) => p.trim() !== '').map((p) => {
    const m = p.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw new SelectorError(`invalid selector: '${sel}'; can't understand '${p}'`);
    return { path: m[1].trim(), op: m[2] === '!=' ? '!=' : '=', value: unescape(m[3]) };
  });
}

export function parseFieldSelector(sel: string | undefined | null): FieldMatcher {
  const reqs = parseFieldSelectorReqs(sel);
  if (reqs.length === 0) return () => true;
  return (obj) => {
    for (const r of reqs) {
      const v = fieldValue(obj, r.path);
      if (r.op === '=' ? v !== r.value : v === r.value) return false;
    }
    return true;
  };
}

/** The fields the real apiserver accepts in fieldSelector per kind (others are a 400). */
const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];
const FIELDS: Record<string, string[]> = {
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
  Event: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  Node: ['spec.unschedulable'],
  Namespace: ['status.phase'],
  Secret: ['type'],
  ReplicaSet: ['status.replicas'],
  Job: ['status.successful'],
};

export function checkFieldSelector(kind: string, sel: string | undefined | null, crdSelectable: string[] = []): void {
  for (const r of parseFieldSelectorReqs(sel)) {
    const allowed = [...COMMON_FIELDS, ...(FIELDS[kind] ?? []), ...crdSelectable];
    if (!allowed.includes(r.path)) {
      throw new SelectorError(`field label not supported: ${r.path}`);
    }
  }
}
