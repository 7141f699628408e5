/**
 * `:xray KIND`: the owner tree of a kind, built from the row stores (no request of its own).
 * deployment -> replicaset -> pod -> container, statefulset / daemonset / job -> pod,
 * cronjob -> job -> pod, service -> the pods its selector picks, replicaset -> pod, pod alone;
 * a pod also shows the config maps, secrets, claims and service account it refers to, each
 * marked missing when the store of that kind has listed and does not hold it.
 *
 * Rebuilding is batched twice: the stores tell of changes at most every 100 ms (250 ms past
 * 10,000 rows), and a tree is rebuilt at most once per ten times its last build took, so a
 * 50,000-pod tree never takes more than a tenth of the UI thread, whatever the churn.
 */
import { resolveResource, type ApiResource } from '../kube/discovery.js';
import type { Row, RowStore } from '../store/rows.js';
import { CommandError, type Session } from './session.js';

export type XrayStatus = 'ok' | 'toast' | 'completed' | 'missing' | 'unknown';

export interface XrayNode {
  /** unique in the tree: the path of kinds and names from the top */
  id: string;
  /** context, namespace, deployment, replicaset, pod, container, configmap, secret... */
  kind: string;
  name: string;
  context: string;
  namespace?: string;
  status: XrayStatus;
  /** what the node says after its name (ready counts, a store's error) */
  info?: string;
  children: XrayNode[];
  /** the object's plural, to describe it and show its YAML (not for contexts, namespaces, containers) */
  plural?: string;
  /** the object's row, when a store holds it */
  row?: Row;
  /** a container's pod */
  pod?: Row;
  /** children, known without making them (a pod's are made when first asked for) */
  count?: number;
  /** lines of the whole subtree unfolded, known without making it */
  lines?: number;
}

/**
 * A pod's node: its containers and references are made when something asks for them (a line in
 * view, a filter), not for every pod of a 50,000-pod tree at each rebuild.
 */
class PodNode implements XrayNode {
  readonly kind = 'pod';
  readonly plural = 'pods';
  private made?: XrayNode[];

  constructor(
    readonly id: string, readonly context: string, readonly row: Row, readonly status: XrayStatus, readonly info: string | undefined,
    readonly count: number, readonly lines: number, private readonly make: (n: PodNode) => XrayNode[],
  ) {}

  get name(): string {
    return this.row.name;
  }

  get namespace(): string | undefined {
    return this.row.namespace;
  }

  get children(): XrayNode[] {
    return (this.made ??= this.make(this));
  }
}

/** The kinds xray draws, by plural: the singular its nodes are called and what hangs below. */
const ROOTS: Record<string, { label: string; via?: string }> = {
  deployments: { label: 'deployment', via: 'replicasets' },
  replicasets: { label: 'replicaset' },
  statefulsets: { label: 'statefulset' },
  daemonsets: { label: 'daemonset' },
  jobs: { label: 'job' },
  cronjobs: { label: 'cronjob', via: 'jobs' },
  services: { label: 'service' },
  pods: { label: 'pod' },
};
export const XRAY_KINDS = Object.keys(ROOTS);
const REF_KINDS: Record<string, string> = { configmap: 'configmaps', secret: 'secrets', pvc: 'persistentvolumeclaims', serviceaccount: 'serviceaccounts' };

interface PodRefs {
  sa?: string;
  volumes?: { kind: string; name: string; optional?: boolean }[];
}

interface PodExtra {
  containers?: { name: string; refs?: PodRefs['volumes'] }[];
  initContainers?: string[];
  refs?: PodRefs;
}

interface CtxStores {
  context: string;
  root?: RowStore;
  via?: RowStore;
  pods?: RowStore;
  refs: Map<string, RowStore>;
}

export interface XraySpec {
  /** what the user typed: deploy, dp, sts, svc, po... */
  resource: string;
  contexts: string[];
  namespace?: string;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Names in natural order (web-9 before web-10), without a collator: a tree sorts every rebuild. */
export function natural(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  let s = i;
  while (s > 0 && isDigit(a.charCodeAt(s - 1))) s--;
  let ea = i;
  while (ea < a.length && isDigit(a.charCodeAt(ea))) ea++;
  let eb = i;
  while (eb < b.length && isDigit(b.charCodeAt(eb))) eb++;
  // both differ inside a number: the longer number is the bigger one
  if (ea > s && eb > s && ea - s !== eb - s) return ea - s < eb - s ? -1 : 1;
  return a < b ? -1 : 1;
}

/** The cell of a row under a column name ('' when the kind has no such column). */
function cellOf(store: RowStore | undefined, row: Row, column: string): string {
  const i = store?.columns.columns.findIndex((c) => c.name === column) ?? -1;
  return i >= 0 ? String(row.cells[i] ?? '') : '';
}

function statusOf(row: Row): XrayStatus {
  if (row.state === 'completed') return 'completed';
  // a running pod is 'steady' (it keeps newColor), 'highlight' is an Initialized pod
  return row.state === 'normal' || row.state === 'steady' || row.state === 'new' || row.state === 'modified' || row.state === 'highlight' ? 'ok' : 'toast';
}

/** `a=b,c=d` (a service's selector as its row keeps it) matched against labels. */
function selects(selector: string, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  for (const part of selector.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0 || labels?.[part.slice(0, eq)] !== part.slice(eq + 1)) return false;
  }
  return true;
}

export class XrayModel {
  readonly label: string;
  /** trees built so far (tests read it: a burst of changes is one rebuild, not one per event) */
  builds = 0;
  private readonly stores: CtxStores[] = [];
  private readonly unsubs: (() => void)[] = [];
  private built?: { key: string; roots: XrayNode[] };
  private lastBuildAt = 0;
  private lastBuildMs = 0;
  private timer?: NodeJS.Timeout;

  private constructor(readonly session: Session, readonly spec: XraySpec, readonly plural: string, readonly broken: Map<string, string>) {
    this.label = ROOTS[plural].label;
  }

  /** Resolve the kind in each context (waiting for discovery) and acquire the stores the tree needs. */
  static async open(session: Session, spec: XraySpec): Promise<XrayModel> {
    const broken = new Map<string, string>();
    let plural: string | undefined;
    const found = new Map<string, ApiResource[]>();
    for (const ctx of spec.contexts) {
      const c = session.client(ctx);
      if (c.broken) {
        broken.set(ctx, c.health.error ?? 'broken');
        continue;
      }
      if (c.health.state === 'connecting' || !c.resources) c.start();
    }
    await Promise.all(spec.contexts.filter((c) => !broken.has(c)).map(async (ctx) => {
      const all = await session.client(ctx).ensureResources();
      if (!all) {
        broken.set(ctx, session.client(ctx).health.error ?? 'no answer');
        return;
      }
      found.set(ctx, all);
      const res = resolveResource(all, spec.resource);
      if (res && (res.group === '' || res.group === 'apps' || res.group === 'batch') && ROOTS[res.plural]) plural ??= res.plural;
      else if (res) throw new CommandError(`xray does not draw ${res.plural}: it draws ${XRAY_KINDS.join(', ')}`);
    }));
    if (!plural) {
      if (found.size === 0) throw new CommandError([...broken].map(([c, why]) => `${c}: ${why}`).join('; ') || 'no context to draw');
      throw new CommandError(`unknown resource "${spec.resource}" for xray: use one of ${XRAY_KINDS.join(', ')}`);
    }
    const m = new XrayModel(session, spec, plural, broken);
    for (const [ctx, all] of found) m.acquire(ctx, all);
    return m;
  }

  private acquire(ctx: string, all: ApiResource[]): void {
    const s: CtxStores = { context: ctx, refs: new Map() };
    const get = (plural: string): RowStore | undefined => {
      const res = all.find((r) => r.plural === plural && (r.group === '' || r.group === 'apps' || r.group === 'batch'));
      if (!res) return undefined;
      const store = this.session.registry.acquire({ context: ctx, resource: res, namespace: res.namespaced ? this.spec.namespace : undefined });
      this.unsubs.push(store.subscribe(() => this.session.changed()), () => this.session.registry.release(store));
      return store;
    };
    s.root = get(this.plural);
    const via = ROOTS[this.plural].via;
    if (via) s.via = get(via);
    s.pods = this.plural === 'pods' ? s.root : get('pods');
    for (const [kind, plural] of Object.entries(REF_KINDS)) {
      const st = get(plural);
      if (st) s.refs.set(kind, st);
    }
    this.stores.push(s);
  }

  private dataKey(): string {
    return this.stores.map((s) => [s.root, s.via, s.pods, ...s.refs.values()].map((x) => x?.version ?? -1).join(',')).join('|');
  }

  /**
   * The tree now: rebuilt when the stores moved, but not more often than once per ten times the
   * last build took (a later call, or a timer, picks up what was held back).
   */
  tree(now = Date.now()): XrayNode[] {
    const key = this.dataKey();
    if (this.built && this.built.key === key) return this.built.roots;
    const wait = Math.min(2000, Math.max(100, this.lastBuildMs * 10));
    if (this.built && now - this.lastBuildAt < wait) {
      if (!this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.session.changed();
        }, wait - (now - this.lastBuildAt));
        this.timer.unref?.();
      }
      return this.built.roots;
    }
    const t0 = performance.now();
    const roots = this.build();
    this.lastBuildMs = performance.now() - t0;
    this.lastBuildAt = now;
    this.builds++;
    this.built = { key, roots };
    return roots;
  }

  /** The stores have moved since the tree was built (a rebuild is due, or held back). */
  stale(): boolean {
    return !this.built || this.built.key !== this.dataKey();
  }

  /** A store of a context that is not the cluster's truth, said on the context's line. */
  private storeProblem(s: CtxStores): string | undefined {
    for (const st of [s.root, s.via, s.pods]) if (st?.status.error) return `${st.key.resource.plural}: ${st.status.error}`;
    if ([s.root, s.via, s.pods].some((st) => st && !st.status.synced)) return 'loading...';
    return undefined;
  }

  private build(): XrayNode[] {
    const perContext = this.stores.map((s) => this.buildContext(s));
    for (const [ctx, why] of this.broken) perContext.push({ id: `ctx:${ctx}`, kind: 'context', name: ctx, context: ctx, status: 'toast', info: why, children: [] });
    // one context: its namespaces are the top; several (a merged view): one top level per context
    return this.spec.contexts.length > 1 ? perContext : perContext.flatMap((c) => (c.children.length || !c.info ? c.children : [c]));
  }

  private buildContext(s: CtxStores): XrayNode {
    const ctx = s.context;
    const top: XrayNode = { id: `ctx:${ctx}`, kind: 'context', name: ctx, context: ctx, status: 'ok', children: [] };
    const problem = this.storeProblem(s);
    if (problem) {
      top.info = problem;
      if (problem !== 'loading...') top.status = 'toast';
    }
    const byOwner = (store?: RowStore): Map<string, Row[]> => {
      const m = new Map<string, Row[]>();
      for (const r of store?.rows.values() ?? []) {
        const o = (r.extra as { owner?: { kind: string; name: string } } | undefined)?.owner;
        if (!o) continue;
        const k = `${r.namespace}/${o.kind}/${o.name}`;
        const list = m.get(k);
        if (list) list.push(r);
        else m.set(k, [r]);
      }
      return m;
    };
    const podsByOwner = this.plural === 'services' || this.plural === 'pods' ? undefined : byOwner(s.pods);
    const viaByOwner = s.via ? byOwner(s.via) : undefined;
    const podsByNs = new Map<string, Row[]>();
    if (this.plural === 'services') {
      for (const p of s.pods?.rows.values() ?? []) {
        const ns = p.namespace ?? '';
        const list = podsByNs.get(ns);
        if (list) list.push(p);
        else podsByNs.set(ns, [p]);
      }
    }
    const sorted = (rows: Iterable<Row>) => [...rows].sort((a, b) => natural(a.name, b.name));
    const readyAt = s.pods?.columns.columns.findIndex((c) => c.name === 'READY') ?? -1;
    const podChildren = (n: PodNode): XrayNode[] => {
      const p = n.row;
      const extra = p.extra as PodExtra | undefined;
      const out: XrayNode[] = [];
      for (const c of extra?.initContainers ?? []) out.push({ id: `${n.id}/co:${c}`, kind: 'container', name: c, context: ctx, namespace: p.namespace, status: 'ok', info: 'init', children: [], pod: p });
      for (const c of extra?.containers ?? []) {
        const co: XrayNode = { id: `${n.id}/co:${c.name}`, kind: 'container', name: c.name, context: ctx, namespace: p.namespace, status: 'ok', children: [], pod: p };
        for (const ref of c.refs ?? []) co.children.push(this.refNode(s, co.id, p.namespace, ref));
        out.push(co);
      }
      for (const ref of extra?.refs?.volumes ?? []) out.push(this.refNode(s, n.id, p.namespace, ref));
      if (extra?.refs?.sa) out.push(this.refNode(s, n.id, p.namespace, { kind: 'serviceaccount', name: extra.refs.sa }));
      return out;
    };
    const podNode = (parent: string, p: Row): XrayNode => {
      const extra = p.extra as PodExtra | undefined;
      const inits = extra?.initContainers?.length ?? 0;
      const containers = extra?.containers ?? [];
      const count = inits + containers.length + (extra?.refs?.volumes?.length ?? 0) + (extra?.refs?.sa ? 1 : 0);
      let lines = 1 + count;
      for (const c of containers) lines += c.refs?.length ?? 0;
      const info = readyAt >= 0 ? String(p.cells[readyAt] ?? '') : '';
      return new PodNode(`${parent}/pod:${p.name}`, ctx, p, statusOf(p), info || undefined, count, lines, podChildren);
    };
    const objNode = (parent: string, kind: string, plural: string, store: RowStore | undefined, r: Row): XrayNode => {
      const info = plural === 'replicasets' ? `${cellOf(store, r, 'CURRENT')}/${cellOf(store, r, 'DESIRED')}`
        : plural === 'jobs' ? cellOf(store, r, 'COMPLETIONS')
          : plural === 'daemonsets' ? `${cellOf(store, r, 'READY')}/${cellOf(store, r, 'DESIRED')}`
            : plural === 'services' || plural === 'cronjobs' ? '' : cellOf(store, r, 'READY');
      return { id: `${parent}/${kind}:${r.name}`, kind, name: r.name, context: ctx, namespace: r.namespace, status: plural === 'services' ? 'ok' : statusOf(r), info: info && info !== '/' ? info : undefined, children: [], plural, row: r };
    };
    const ownedPods = (parent: XrayNode, ownerKind: string, r: Row) => {
      for (const p of sorted(podsByOwner?.get(`${r.namespace}/${ownerKind}/${r.name}`) ?? [])) parent.children.push(podNode(parent.id, p));
    };
    const nsNodes = new Map<string, XrayNode>();
    const nsNode = (ns: string): XrayNode => {
      let n = nsNodes.get(ns);
      if (!n) {
        n = { id: `${top.id}/ns:${ns}`, kind: 'namespace', name: ns, context: ctx, namespace: ns, status: 'ok', children: [] };
        nsNodes.set(ns, n);
      }
      return n;
    };
    for (const r of sorted(s.root?.rows.values() ?? [])) {
      const parent = nsNode(r.namespace ?? '');
      if (this.plural === 'pods') {
        parent.children.push(podNode(parent.id, r));
        continue;
      }
      const n = objNode(parent.id, this.label, this.plural, s.root, r);
      parent.children.push(n);
      if (this.plural === 'deployments' || this.plural === 'cronjobs') {
        const viaKind = this.plural === 'deployments' ? 'ReplicaSet' : 'Job';
        const ownerKind = this.plural === 'deployments' ? 'Deployment' : 'CronJob';
        for (const v of sorted(viaByOwner?.get(`${r.namespace}/${ownerKind}/${r.name}`) ?? [])) {
          const vn = objNode(n.id, this.plural === 'deployments' ? 'replicaset' : 'job', this.plural === 'deployments' ? 'replicasets' : 'jobs', s.via, v);
          ownedPods(vn, viaKind, v);
          n.children.push(vn);
        }
      } else if (this.plural === 'services') {
        const sel = String((r.extra as { selector?: string } | undefined)?.selector ?? '');
        for (const p of sorted((podsByNs.get(r.namespace ?? '') ?? []).filter((p) => selects(sel, p.labels)))) n.children.push(podNode(n.id, p));
      } else {
        const ownerKind = { replicasets: 'ReplicaSet', statefulsets: 'StatefulSet', daemonsets: 'DaemonSet', jobs: 'Job' }[this.plural] ?? '';
        ownedPods(n, ownerKind, r);
      }
    }
    top.children = [...nsNodes.values()].sort((a, b) => natural(a.name, b.name));
    return top;
  }

  private refNode(s: CtxStores, parent: string, ns: string | undefined, ref: { kind: string; name: string; optional?: boolean }): XrayNode {
    const store = s.refs.get(ref.kind);
    const row = store?.rows.get(`${s.context}|${ns ? `${ns}/` : ''}${ref.name}`);
    // missing only when the store has listed and does not hold it (and the reference is not optional)
    const status: XrayStatus = row ? 'ok' : !store || !store.status.synced || store.status.error ? 'unknown' : ref.optional ? 'ok' : 'missing';
    return { id: `${parent}/${ref.kind}:${ref.name}`, kind: ref.kind, name: ref.name, context: s.context, namespace: ns, status, info: ref.optional && !row ? 'optional' : undefined, children: [], plural: REF_KINDS[ref.kind], row };
  }

  /** Objects of the kind drawn, over every context (the title's count). */
  count(): number {
    return this.stores.reduce((n, s) => n + (s.root?.rows.size ?? 0), 0);
  }

  /** The resource a node's plural names in its context, to describe it or show its YAML. */
  resourceOf(node: XrayNode): ApiResource | undefined {
    if (!node.plural) return undefined;
    return resolveResource(this.session.client(node.context).resources ?? [], node.plural);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const u of this.unsubs.splice(0)) u();
  }
}
