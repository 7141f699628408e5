/**
 * planDrain as a pure function: kubectl drain's filters (kubectl/pkg/drain/filters.go), in
 * kubectl's order, with kubectl's words, on hand-made pods.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DRAIN_OPTIONS, planDrain, refusalMessage, warningMessages, REASON_DAEMONSET, REASON_LOCAL_STORAGE, REASON_UNREPLICATED,
  WARN_DAEMONSET, WARN_LOCAL_STORAGE, WARN_UNREPLICATED, type DrainOptions, type DrainPlan, type PlanEntry,
} from '../../src/actions/drain-plan.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

interface PodSpec {
  ns?: string;
  /** the controller owner; `controller: false` makes it a plain owner reference */
  owner?: { kind: string; name: string; controller?: boolean };
  emptyDir?: boolean;
  phase?: string;
  mirror?: boolean;
  /** deletionTimestamp, in ms before NOW (negative: in the future, as a graceful delete sets it) */
  deletedAgoMs?: number;
}

let uidSeq = 0;
function pod(name: string, s: PodSpec = {}): any {
  const ns = s.ns ?? 'default';
  const metadata: any = { name, namespace: ns, uid: `uid-${name}-${++uidSeq}` };
  if (s.owner) {
    metadata.ownerReferences = [{
      apiVersion: s.owner.kind === 'DaemonSet' || s.owner.kind === 'ReplicaSet' || s.owner.kind === 'StatefulSet' ? 'apps/v1' : 'v1',
      kind: s.owner.kind, name: s.owner.name, uid: `owner-${s.owner.name}`, controller: s.owner.controller ?? true, blockOwnerDeletion: true,
    }];
  }
  if (s.mirror) metadata.annotations = { 'kubernetes.io/config.mirror': 'abc123', 'kubernetes.io/config.source': 'file' };
  if (s.deletedAgoMs !== undefined) metadata.deletionTimestamp = new Date(NOW - s.deletedAgoMs).toISOString();
  const volumes: any[] = [{ name: 'config', configMap: { name: 'cfg' } }];
  if (s.emptyDir) volumes.push({ name: 'scratch', emptyDir: {} });
  return {
    metadata,
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }], volumes },
    status: { phase: s.phase ?? 'Running' },
  };
}

const ds = (name: string, s: PodSpec = {}) => pod(name, { ns: 'kube-system', owner: { kind: 'DaemonSet', name: 'kube-proxy' }, ...s });
const rs = (name: string, s: PodSpec = {}) => pod(name, { ns: 'web', owner: { kind: 'ReplicaSet', name: 'frontend-5d8f' }, ...s });
const opts = (o: Partial<DrainOptions> = {}): DrainOptions => ({ ...DEFAULT_DRAIN_OPTIONS, ...o });
const dsExists = () => true;
const dsGone = () => false;

function plan(pods: any[], o: Partial<DrainOptions> = {}, exists: (ns: string, name: string) => boolean = dsExists): DrainPlan {
  return planDrain('n1', pods, exists, opts(o), NOW);
}

function entry(p: DrainPlan, name: string): PlanEntry {
  const e = p.entries.find((x) => x.name === name);
  if (!e) throw new Error(`no entry for ${name}`);
  return e;
}

const mapOf = (m: Map<string, string[]>) => Object.fromEntries(m);

describe('DEFAULT_DRAIN_OPTIONS', () => {
  it('are kubectl drain\'s defaults', () => {
    expect(DEFAULT_DRAIN_OPTIONS).toEqual({
      gracePeriodSeconds: -1, timeoutSeconds: 0, ignoreDaemonSets: false, deleteEmptyDirData: false, force: false,
      disableEviction: false, podSelector: '', dryRun: false, skipWaitForDeleteTimeoutSeconds: 0,
    });
  });
});

describe('planDrain: a plain replicated pod', () => {
  it('is evicted with no warning, and the plan carries node, ns, name and uid', () => {
    const p0 = rs('frontend-5d8f-abcde');
    const p = plan([p0]);
    expect(p.node).toBe('n1');
    expect(p.ok).toBe(true);
    expect(p.entries).toEqual([{ namespace: 'web', name: 'frontend-5d8f-abcde', uid: p0.metadata.uid, kind: 'evict', warning: undefined }]);
    expect(p.refusals.size).toBe(0);
    expect(p.warnings.size).toBe(0);
  });

  it('an empty node plans nothing and is ok', () => {
    const p = plan([]);
    expect(p).toMatchObject({ node: 'n1', entries: [], ok: true });
    expect(warningMessages(p)).toEqual([]);
  });
});

describe('planDrain: DaemonSet-managed pods', () => {
  it('refuses while the DaemonSet exists, without --ignore-daemonsets', () => {
    const seen: string[] = [];
    const p = plan([ds('kube-proxy-x1')], {}, (ns, name) => {
      seen.push(`${ns}/${name}`);
      return true;
    });
    expect(seen).toEqual(['kube-system/kube-proxy']);
    expect(p.ok).toBe(false);
    expect(entry(p, 'kube-proxy-x1')).toMatchObject({ kind: 'refuse', reason: 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)' });
    expect(REASON_DAEMONSET).toBe('DaemonSet-managed Pods (use --ignore-daemonsets to ignore)');
    expect(mapOf(p.refusals)).toEqual({ [REASON_DAEMONSET]: ['kube-system/kube-proxy-x1'] });
    expect(refusalMessage(p)).toBe('unable to drain node "n1" due to error: cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/kube-proxy-x1');
  });

  it('skips with a warning (not evicted) with --ignore-daemonsets', () => {
    const p = plan([ds('kube-proxy-x1'), rs('frontend-5d8f-abcde')], { ignoreDaemonSets: true });
    expect(p.ok).toBe(true);
    expect(entry(p, 'kube-proxy-x1')).toMatchObject({ kind: 'skip', warning: 'ignoring DaemonSet-managed Pods' });
    expect(entry(p, 'frontend-5d8f-abcde').kind).toBe('evict');
    expect(WARN_DAEMONSET).toBe('ignoring DaemonSet-managed Pods');
    expect(mapOf(p.warnings)).toEqual({ [WARN_DAEMONSET]: ['kube-system/kube-proxy-x1'] });
    expect(warningMessages(p)).toEqual(['Warning: ignoring DaemonSet-managed Pods: kube-system/kube-proxy-x1']);
  });

  it('a pod whose DaemonSet is gone is refused without --force, even with --ignore-daemonsets', () => {
    for (const ignoreDaemonSets of [false, true]) {
      const p = plan([ds('kube-proxy-x1')], { ignoreDaemonSets }, dsGone);
      expect(p.ok).toBe(false);
      expect(entry(p, 'kube-proxy-x1')).toMatchObject({ kind: 'refuse', reason: 'daemonsets.apps "kube-proxy" not found' });
      expect(refusalMessage(p)).toBe('unable to drain node "n1" due to error: cannot delete daemonsets.apps "kube-proxy" not found: kube-system/kube-proxy-x1');
    }
  });

  it('a pod whose DaemonSet is gone is evicted with --force; its warning is dropped by the later filters, as kubectl drops it', () => {
    // daemonSetFilter answers "delete, with a warning"; kubectl's loop then runs the later
    // filters and keeps the last status (unreplicatedFilter: okay, the pod has a controller),
    // so kubectl 1.32 evicts such a pod without a word. The referee checks this against kubectl.
    const p = plan([ds('kube-proxy-x1')], { force: true }, dsGone);
    expect(p.ok).toBe(true);
    expect(entry(p, 'kube-proxy-x1')).toMatchObject({ kind: 'evict', warning: undefined });
    expect(warningMessages(p)).toEqual([]);
    // with --ignore-daemonsets too: evicted (a gone DaemonSet's pod is not "ignored")
    expect(entry(plan([ds('kube-proxy-x1')], { force: true, ignoreDaemonSets: true }, dsGone), 'kube-proxy-x1').kind).toBe('evict');
  });

  it('a finished DaemonSet pod is evicted without asking about its DaemonSet', () => {
    for (const phase of ['Succeeded', 'Failed']) {
      let asked = 0;
      const p = plan([ds('kube-proxy-done', { phase })], {}, () => {
        asked++;
        return true;
      });
      expect(asked).toBe(0);
      expect(p.ok).toBe(true);
      expect(entry(p, 'kube-proxy-done')).toMatchObject({ kind: 'evict', warning: undefined });
      expect(p.warnings.size).toBe(0);
    }
  });

  it('only the controller owner counts: a non-controller DaemonSet reference is no controller at all', () => {
    const p = plan([pod('adopted', { owner: { kind: 'DaemonSet', name: 'kube-proxy', controller: false } })]);
    expect(entry(p, 'adopted')).toMatchObject({ kind: 'refuse', reason: REASON_UNREPLICATED });
  });
});

describe('planDrain: mirror (static) pods', () => {
  it('are skipped silently, whatever else they are (no controller, emptyDir)', () => {
    const p = plan([pod('etcd-n1', { ns: 'kube-system', mirror: true, emptyDir: true })]);
    expect(p.ok).toBe(true);
    expect(entry(p, 'etcd-n1')).toMatchObject({ kind: 'skip', warning: undefined });
    expect(p.refusals.size).toBe(0);
    expect(p.warnings.size).toBe(0);
    expect(warningMessages(p)).toEqual([]);
  });

  it('are skipped silently when a Node owns them, as kubelet-made mirror pods are', () => {
    const p = plan([pod('kube-apiserver-n1', { ns: 'kube-system', mirror: true, owner: { kind: 'Node', name: 'n1' } })], { force: true });
    expect(entry(p, 'kube-apiserver-n1')).toMatchObject({ kind: 'skip', warning: undefined });
    expect(p.warnings.size).toBe(0);
  });
});

describe('planDrain: pods with local storage (emptyDir)', () => {
  it('refuse without --delete-emptydir-data', () => {
    const p = plan([rs('cache-1', { emptyDir: true })]);
    expect(p.ok).toBe(false);
    expect(entry(p, 'cache-1')).toMatchObject({ kind: 'refuse', reason: 'Pods with local storage (use --delete-emptydir-data to override)' });
    expect(REASON_LOCAL_STORAGE).toBe('Pods with local storage (use --delete-emptydir-data to override)');
    expect(refusalMessage(p)).toBe('unable to drain node "n1" due to error: cannot delete Pods with local storage (use --delete-emptydir-data to override): web/cache-1');
  });

  it('are evicted with --delete-emptydir-data; the local-storage warning is dropped by the next filter, as kubectl drops it', () => {
    // kubectl's filter loop keeps only the last filter's status; unreplicatedFilter answers
    // "okay" for a pod with a controller, so kubectl 1.32 prints no "deleting Pods with local
    // storage" warning (filters.go: "TODO: this warning gets dropped by subsequent filters").
    // The referee (drain-kubectl.test.ts) checks this against the real kubectl.
    const p = plan([rs('cache-1', { emptyDir: true })], { deleteEmptyDirData: true });
    expect(p.ok).toBe(true);
    expect(entry(p, 'cache-1')).toMatchObject({ kind: 'evict', warning: undefined });
    expect(p.warnings.size).toBe(0);
    expect(WARN_LOCAL_STORAGE).toBe('deleting Pods with local storage');
  });

  it('a finished pod with emptyDir is evicted without --delete-emptydir-data', () => {
    const p = plan([rs('job-like', { emptyDir: true, phase: 'Succeeded' })]);
    expect(p.ok).toBe(true);
    expect(entry(p, 'job-like')).toMatchObject({ kind: 'evict', warning: undefined });
  });
});

describe('planDrain: pods that declare no controller', () => {
  it('refuse without --force', () => {
    const p = plan([pod('bare')]);
    expect(p.ok).toBe(false);
    expect(entry(p, 'bare')).toMatchObject({ kind: 'refuse', reason: 'Pods that declare no controller (use --force to override)' });
    expect(mapOf(p.refusals)).toEqual({ [REASON_UNREPLICATED]: ['default/bare'] });
    expect(refusalMessage(p)).toBe('unable to drain node "n1" due to error: cannot delete Pods that declare no controller (use --force to override): default/bare');
  });

  it('are evicted with a warning with --force', () => {
    const p = plan([pod('bare')], { force: true });
    expect(p.ok).toBe(true);
    expect(entry(p, 'bare')).toMatchObject({ kind: 'evict', warning: 'deleting Pods that declare no controller' });
    expect(WARN_UNREPLICATED).toBe('deleting Pods that declare no controller');
    expect(warningMessages(p)).toEqual(['Warning: deleting Pods that declare no controller: default/bare']);
  });

  it('a finished unowned pod is evicted with neither refusal nor warning', () => {
    for (const phase of ['Succeeded', 'Failed']) {
      const p = plan([pod('done', { phase, emptyDir: true })]);
      expect(p.ok).toBe(true);
      expect(p.refusals.size).toBe(0);
      expect(entry(p, 'done')).toMatchObject({ kind: 'evict', warning: undefined });
      expect(p.warnings.size).toBe(0);
    }
  });

  it('a Pending unowned pod is not finished: refused', () => {
    const p = plan([pod('waiting', { phase: 'Pending' })]);
    expect(entry(p, 'waiting')).toMatchObject({ kind: 'refuse', reason: REASON_UNREPLICATED });
  });

  it('with emptyDir: the local-storage reason comes first; past it (--delete-emptydir-data), the no-controller one', () => {
    let p = plan([pod('bare', { emptyDir: true })]);
    expect(mapOf(p.refusals)).toEqual({ [REASON_LOCAL_STORAGE]: ['default/bare'] });
    p = plan([pod('bare', { emptyDir: true })], { deleteEmptyDirData: true });
    expect(mapOf(p.refusals)).toEqual({ [REASON_UNREPLICATED]: ['default/bare'] });
    p = plan([pod('bare', { emptyDir: true })], { deleteEmptyDirData: true, force: true });
    expect(p.ok).toBe(true);
    expect(entry(p, 'bare')).toMatchObject({ kind: 'evict', warning: WARN_UNREPLICATED });
    // --force alone does not get past local storage
    p = plan([pod('bare', { emptyDir: true })], { force: true });
    expect(mapOf(p.refusals)).toEqual({ [REASON_LOCAL_STORAGE]: ['default/bare'] });
  });
});

describe('planDrain: kubectl\'s filter order', () => {
  it('a DaemonSet pod that also has emptyDir reports only the DaemonSet reason', () => {
    const p = plan([ds('fluentd-x1', { emptyDir: true })]);
    expect(mapOf(p.refusals)).toEqual({ [REASON_DAEMONSET]: ['kube-system/fluentd-x1'] });
    expect(entry(p, 'fluentd-x1').reason).toBe(REASON_DAEMONSET);
  });

  it('with --ignore-daemonsets, a DaemonSet pod with emptyDir is skipped, not refused for its storage', () => {
    const p = plan([ds('fluentd-x1', { emptyDir: true })], { ignoreDaemonSets: true });
    expect(p.ok).toBe(true);
    expect(entry(p, 'fluentd-x1')).toMatchObject({ kind: 'skip', warning: WARN_DAEMONSET });
  });

  it('the first refusing filter decides: DaemonSet before mirror before local storage before no controller', () => {
    // a mirror pod with emptyDir and no controller: skipped (mirror) before storage or controller are looked at
    const p = plan([pod('static', { mirror: true, emptyDir: true }), pod('bare', { emptyDir: true })]);
    expect(entry(p, 'static').kind).toBe('skip');
    expect(entry(p, 'bare').reason).toBe(REASON_LOCAL_STORAGE);
  });
});

describe('planDrain: refusals are grouped by reason, in kubectl\'s words', () => {
  const pods = () => [
    ds('kube-proxy-a'),
    rs('cache-1', { emptyDir: true }),
    pod('bare-1'),
    rs('frontend-1'),
    ds('node-exporter-b', { ns: 'monitoring', owner: { kind: 'DaemonSet', name: 'node-exporter' } }),
    rs('cache-2', { ns: 'payments', emptyDir: true }),
    pod('bare-2', { ns: 'tools' }),
    pod('etcd-n1', { ns: 'kube-system', mirror: true }),
  ];

  it('each reason lists its pods in the order the node\'s pods were listed; nothing is ok to evict', () => {
    const p = plan(pods());
    expect(p.ok).toBe(false);
    expect([...p.refusals]).toEqual([
      [REASON_DAEMONSET, ['kube-system/kube-proxy-a', 'monitoring/node-exporter-b']],
      [REASON_LOCAL_STORAGE, ['web/cache-1', 'payments/cache-2']],
      [REASON_UNREPLICATED, ['default/bare-1', 'tools/bare-2']],
    ]);
    expect(p.entries.map((e) => `${e.kind} ${e.namespace}/${e.name}`)).toEqual([
      'refuse kube-system/kube-proxy-a', 'refuse web/cache-1', 'refuse default/bare-1', 'evict web/frontend-1',
      'refuse monitoring/node-exporter-b', 'refuse payments/cache-2', 'refuse tools/bare-2', 'skip kube-system/etcd-n1',
    ]);
  });

  it('several reasons: kubectl\'s bracketed aggregate', () => {
    expect(refusalMessage(plan(pods()))).toBe('unable to drain node "n1" due to error: ['
      + 'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/kube-proxy-a, monitoring/node-exporter-b, '
      + 'cannot delete Pods with local storage (use --delete-emptydir-data to override): web/cache-1, payments/cache-2, '
      + 'cannot delete Pods that declare no controller (use --force to override): default/bare-1, tools/bare-2]');
  });

  it('one reason left (the others overridden): no brackets', () => {
    const p = plan(pods(), { ignoreDaemonSets: true, deleteEmptyDirData: true });
    expect(refusalMessage(p)).toBe('unable to drain node "n1" due to error: cannot delete Pods that declare no controller (use --force to override): default/bare-1, tools/bare-2');
  });

  it('nothing refused: warnings grouped the same way, one line each', () => {
    const p = plan(pods(), { ignoreDaemonSets: true, deleteEmptyDirData: true, force: true });
    expect(p.ok).toBe(true);
    expect(p.entries.filter((e) => e.kind === 'evict').map((e) => e.name)).toEqual(['cache-1', 'bare-1', 'frontend-1', 'cache-2', 'bare-2']);
    expect(warningMessages(p)).toEqual([
      'Warning: ignoring DaemonSet-managed Pods: kube-system/kube-proxy-a, monitoring/node-exporter-b',
      'Warning: deleting Pods that declare no controller: default/bare-1, tools/bare-2',
    ]);
  });
});

describe('planDrain: --skip-wait-for-delete-timeout', () => {
  it('skips, silently, pods whose deletionTimestamp is older than the timeout, whatever they are', () => {
    const p = plan([pod('bare-deleted', { deletedAgoMs: 60_000 }), ds('ds-deleted', { deletedAgoMs: 60_000 })], { skipWaitForDeleteTimeoutSeconds: 30 });
    expect(p.ok).toBe(true);
    expect(p.entries.map((e) => [e.name, e.kind, e.warning])).toEqual([['bare-deleted', 'skip', undefined], ['ds-deleted', 'skip', undefined]]);
    expect(p.warnings.size).toBe(0);
  });

  it('pods deleted more recently than the timeout, or not yet due, go through the other filters', () => {
    const p = plan([rs('recent', { deletedAgoMs: 10_000 }), rs('future', { deletedAgoMs: -30_000 }), pod('bare-recent', { deletedAgoMs: 10_000 })], { skipWaitForDeleteTimeoutSeconds: 30 });
    expect(entry(p, 'recent').kind).toBe('evict');
    expect(entry(p, 'future').kind).toBe('evict');
    expect(entry(p, 'bare-recent')).toMatchObject({ kind: 'refuse', reason: REASON_UNREPLICATED });
  });

  it('0 (the default) never skips', () => {
    const p = plan([rs('long-ago', { deletedAgoMs: 3_600_000 }), pod('bare-long-ago', { deletedAgoMs: 3_600_000 })]);
    expect(entry(p, 'long-ago').kind).toBe('evict');
    expect(entry(p, 'bare-long-ago').kind).toBe('refuse');
  });

  it('counts whole seconds as kubectl does: int(elapsed.Seconds()) > timeout', () => {
    const o = { skipWaitForDeleteTimeoutSeconds: 5 };
    expect(entry(plan([rs('p', { deletedAgoMs: 5_000 })], o), 'p').kind).toBe('evict');
    expect(entry(plan([rs('p', { deletedAgoMs: 5_999 })], o), 'p').kind).toBe('evict');
    expect(entry(plan([rs('p', { deletedAgoMs: 6_000 })], o), 'p').kind).toBe('skip');
  });
});
