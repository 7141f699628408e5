/**
 * `:xray KIND` without Ink: a real Session on an in-process fleet, the command run through the
 * navigator, keys pressed, the tree's lines read back while pods are deleted and created over
 * the API.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Nav } from '../../../src/ui/nav.js';
import { runCommand } from '../../../src/ui/commands.js';
import { XrayScreen } from '../../../src/ui/screens/xray.js';
import { natural } from '../../../src/app/xray.js';
import { TextScreen } from '../../../src/ui/screens/text.js';
import { LogsScreen } from '../../../src/ui/screens/logs.js';
import { TableScreen } from '../../../src/ui/screens/table.js';
import React from 'react';
import { bodyOf, textOf, titleOf } from '../../helpers/lines.js';
import { request } from '../../helpers/http.js';
import { draw, fleetSession, keys, typeText, type FleetSession } from '../../helpers/ui.js';
import { until, untilAsync } from '../../helpers/wait.js';

let fs: FleetSession;
let nav: Nav;
const PODS = { resource: 'pods', contexts: ['dev'], namespace: undefined };
const api = (ctx = 0) => fs.fleet.members[ctx].server.url;
const xray = () => nav.top() as XrayScreen;
const drawn = (h = 60, W = 140) => bodyOf(draw(fs.session, xray(), W, h)).map((l) => l.trimEnd()).filter((l) => l.trim() !== '');

/** Each piece of a line with its own color: [text, color, background]. */
function colored(node: React.ReactNode, inherited: { color?: string; bg?: string } = {}): [string, string | undefined, string | undefined][] {
  if (typeof node === 'string') return node ? [[node, inherited.color, inherited.bg]] : [];
  if (Array.isArray(node)) return node.flatMap((n) => colored(n, inherited));
  if (!React.isValidElement(node)) return [];
  const p = node.props as { color?: string; backgroundColor?: string; children?: React.ReactNode };
  return colored(p.children, { color: p.color ?? inherited.color, bg: p.backgroundColor ?? inherited.bg });
}

/** The colored pieces of the drawn line that holds `text`. */
function piecesOf(text: string) {
  const els = xray().render({ W: 140, theme: fs.session.themeFor('dev'), mono: false, height: 60 });
  const el = els.find((e) => textOf(e).includes(text));
  if (!el) throw new Error(`no line with ${text}`);
  return colored(el).filter(([t]) => t !== '│');
}

async function open(cmd: string): Promise<void> {
  while (nav.stack.length) nav.stack.pop()?.dispose?.();
  await runCommand(nav, cmd);
  if (!(nav.top() instanceof XrayScreen)) throw new Error(`${cmd} did not open: ${fs.session.flashMsg?.text}`);
}

async function pods(ns: string, sel: string, ctx = 0): Promise<any[]> {
  const r = await request(`${api(ctx)}/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(sel)}`);
  return r.json().items;
}

beforeAll(async () => {
  fs = await fleetSession({ clusters: 2, names: ['dev', 'staging'], nodes: 3, pods: 70 });
  nav = new Nav(fs.session, PODS);
});

afterAll(async () => {
  nav?.dispose();
  await fs?.stop();
});

beforeEach(() => {
  if (nav.dialog()) keys(nav, '<esc>');
});

describe(':xray deploy', () => {
  it('draws namespace -> deployment -> replica set -> pods -> containers and the service account, as the API has them', async () => {
    await open('xray deploy kube-system');
    await until('the coredns pods', () => drawn().some((l) => l.includes('pod/coredns-')), 30_000);
    const want = await pods('kube-system', 'app=coredns');
    expect(want.length).toBe(2);
    const lines = drawn();
    expect(titleOf(draw(fs.session, xray(), 140, 60))).toMatch(/^xray deployments\(kube-system\)\[\d+\]$/);
    expect(lines[0]).toBe(' namespace/kube-system(1)');
    const dep = lines.findIndex((l) => /deployment\/coredns\(1\) \[2\/2\]$/.test(l));
    expect(dep).toBeGreaterThan(0);
    const rsName = want[0].metadata.ownerReferences[0].name;
    expect(lines[dep + 1]).toBe(`    └─ replicaset/${rsName}(2) [2/2]`);
    const names = want.map((p) => p.metadata.name).sort();
    expect(lines[dep + 2]).toBe(`       ├─ pod/${names[0]}(2) [1/1]`);
    expect(lines[dep + 3]).toBe('       │  ├─ container/coredns');
    expect(lines[dep + 4]).toBe('       │  └─ serviceaccount/default');
    expect(lines[dep + 5]).toBe(`       └─ pod/${names[1]}(2) [1/1]`);
  });

  it('follows the API live: a deleted pod goes, its replacement comes, without a rebuild per event', async () => {
    await open('xray deploy kube-system');
    await until('the coredns pods', () => drawn().filter((l) => l.includes('pod/coredns-')).length === 2, 30_000);
    const [victim] = await pods('kube-system', 'app=coredns');
    const name = victim.metadata.name;
    expect(drawn().some((l) => l.includes(`pod/${name}`))).toBe(true);
    const del = await request(`${api()}/api/v1/namespaces/kube-system/pods/${name}?gracePeriodSeconds=0`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    await until('the deleted pod gone from the tree', () => !drawn().some((l) => l.includes(`pod/${name}`)), 30_000);
    const after = await untilAsync('a replacement pod', async () => {
      const now = (await pods('kube-system', 'app=coredns')).map((p) => p.metadata.name);
      return now.length === 2 && !now.includes(name) ? now : undefined;
    }, 30_000);
    for (const p of after) await until(`${p} in the tree`, () => drawn().some((l) => l.includes(`pod/${p}`)), 30_000);
  });

  it('holds a rebuild back while the last one is recent, and a timer draws what was held back', async () => {
    await open('xray deploy');
    const s = xray();
    await until('the tree', () => drawn().length > 5, 30_000);
    // times of our own: a build at T, store changes right after
    const T = Date.now() + 60_000;
    let redraws = 0;
    const off = fs.session.onChange(() => redraws++);
    const make = (name: string) => request(`${api()}/api/v1/namespaces/default/pods`, { method: 'POST', body: JSON.stringify({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }) });
    try {
      await make('xray-held-1');
      await until('the stores moved', () => s.model.stale(), 30_000);
      const roots = s.model.tree(T);
      const builds = s.model.builds;
      expect(s.model.stale()).toBe(false);
      await make('xray-held-2');
      await until('the stores moved again', () => s.model.stale(), 30_000);
      // 10 ms after a build: the same tree, no build
      expect(s.model.tree(T + 10)).toBe(roots);
      expect(s.model.builds).toBe(builds);
      const before = redraws;
      // a timer asks for a drawing once the wait is over
      await until('a redraw from the timer', () => redraws > before, 5_000);
      // past the longest wait: built again
      const next = s.model.tree(T + 2001);
      expect(next).not.toBe(roots);
      expect(s.model.builds).toBe(builds + 1);
    } finally {
      off();
      for (const n of ['xray-held-1', 'xray-held-2']) await request(`${api()}/api/v1/namespaces/default/pods/${n}?gracePeriodSeconds=0`, { method: 'DELETE' });
    }
  });
});

describe('xray keys', () => {
  it('moves, folds a node and all, filters with / and !, and enter goes to the object in its view', async () => {
    await open('xray deploy kube-system');
    // the whole tree: both pods ready, and each with its container and service account (the
    // deployment's line can say [2/2] before the pods' stores have listed)
    await until('both coredns pods ready, with their children', () => drawn().some((l) => l.endsWith('deployment/coredns(1) [2/2]'))
      && drawn().filter((l) => l.includes('container/coredns')).length === 2 && drawn().filter((l) => l.includes('serviceaccount/')).length === 2, 30_000);
    const s = xray();
    const full = drawn().length;
    keys(nav, 'j');
    expect(s.current()?.kind).toBe('deployment');
    expect(s.current()?.name).toBe('coredns');
    keys(nav, '<space>');
    expect(drawn().length).toBe(full - 7);
    expect(drawn()[1]).toMatch(/^ └─ deployment\/coredns\(\+1\) \[\d\/2\]/);
    keys(nav, '<space>', 'x');
    expect(drawn()).toEqual([' namespace/kube-system(1)', expect.stringMatching(/^ └─ deployment\/coredns\(\+1\)/)]);
    keys(nav, 'x');
    expect(drawn().length).toBe(full);
    // a filter keeps what matches, what is below it and what leads to it
    keys(nav, '/');
    typeText(nav, 'container/');
    keys(nav, '<enter>');
    const f = drawn();
    expect(f.filter((l) => l.includes('container/coredns'))).toHaveLength(2);
    expect(f.some((l) => l.includes('serviceaccount/'))).toBe(false);
    expect(f.some((l) => l.includes('replicaset/coredns-'))).toBe(true);
    expect(titleOf(draw(fs.session, s, 140, 60))).toContain('</container/>');
    s.filter.set('!serviceaccount');
    expect(drawn().some((l) => l.includes('serviceaccount/'))).toBe(false);
    expect(drawn().filter((l) => l.includes('pod/coredns-'))).toHaveLength(2);
    expect(s.filter.set('(')).toMatch(/invalid regular expression/);
    s.filter.set('');
    // enter on a pod: the pods view of its namespace, the cursor on it
    keys(nav, 'g', 'j', 'j', 'j');
    const pod = s.current()!;
    expect(pod.kind).toBe('pod');
    keys(nav, '<enter>');
    await until('the pods view', () => nav.top() instanceof TableScreen && nav.view()!.current()?.name === pod.name, 30_000);
    expect(nav.view()!.spec).toMatchObject({ resource: 'pods', namespace: 'kube-system', contexts: ['dev'] });
    keys(nav, '<esc>');
    expect(nav.top()).toBe(s);
  });

  it('d describes the node under the cursor, y shows its YAML, l follows a container\'s logs', async () => {
    await open('xray deploy kube-system');
    await until('the coredns pods', () => drawn().some((l) => l.includes('container/coredns')), 30_000);
    const s = xray();
    keys(nav, 'j');
    keys(nav, 'd');
    await until('describe', () => nav.top() instanceof TextScreen, 30_000);
    expect(bodyOf(draw(fs.session, nav.top()!, 140, 40)).join('\n')).toMatch(/Name:\s+coredns/);
    keys(nav, '<esc>');
    keys(nav, 'y');
    await until('yaml', () => nav.top() instanceof TextScreen, 30_000);
    expect(bodyOf(draw(fs.session, nav.top()!, 140, 40)).join('\n')).toMatch(/kind: Deployment/);
    keys(nav, '<esc>');
    while (s.current()?.kind !== 'container') keys(nav, 'j');
    const co = s.current()!;
    keys(nav, 'l');
    await until('logs', () => nav.top() instanceof LogsScreen, 30_000);
    expect(titleOf(draw(fs.session, nav.top()!, 140, 40))).toContain(`${co.pod!.name}/coredns`);
    keys(nav, '<esc>');
    // a namespace is not an object xray can describe: said, nothing opened
    keys(nav, 'g', 'd');
    expect(nav.top()).toBe(s);
    expect(fs.session.flashMsg?.text).toMatch(/namespace\/kube-system: nothing to describe/);
  });
});

describe('xray of other kinds', () => {
  it('svc: a service over the pods its selector picks', async () => {
    await open('xray svc kube-system');
    await until('kube-dns pods', () => drawn().filter((l) => l.includes('pod/coredns-')).length === 2, 30_000);
    const lines = drawn();
    const svc = lines.findIndex((l) => l.includes('service/kube-dns(2)'));
    expect(svc).toBeGreaterThan(0);
    expect(lines[svc + 1]).toMatch(/├─ pod\/coredns-/);
  });

  it('sts: a stateful set, its pods and the claims they mount', async () => {
    await open('xray sts monitoring');
    // the claims' store lists too: until then a claim is unknown (?)
    await until('prometheus and its claim', () => drawn().some((l) => /pvc\/data-prometheus-0$/.test(l)), 30_000);
    expect(drawn().some((l) => /statefulset\/prometheus/.test(l))).toBe(true);
    expect(drawn().some((l) => /pvc\/data-prometheus-0$/.test(l))).toBe(true);
  });

  it('po: a pod that refers to a config map and a secret that do not exist says so; optional ones do not count', async () => {
    const body = {
      metadata: { name: 'xray-refs' },
      spec: {
        containers: [{ name: 'app', image: 'busybox', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'xray-nope', key: 'a' } } }], envFrom: [{ secretRef: { name: 'xray-maybe', optional: true } }] }],
        volumes: [{ name: 'v', secret: { secretName: 'xray-gone' } }, { name: 'w', configMap: { name: 'kube-root-ca.crt' } }],
      },
    };
    expect((await request(`${api()}/api/v1/namespaces/default/pods`, { method: 'POST', body: JSON.stringify(body) })).status).toBe(201);
    await open('xray po default');
    xray().filter.set('xray-refs');
    // the reference stores list too: until then a reference is unknown (?), not missing
    await until('xray-refs', () => drawn().some((l) => l.includes('secret/xray-gone  MISSING')) && drawn().some((l) => l.includes('configmap/xray-nope  MISSING')), 30_000);
    const lines = drawn();
    expect(lines).toContain('    │  ├─ configmap/xray-nope  MISSING');
    expect(lines).toContain('    │  └─ secret/xray-maybe [optional]');
    expect(lines).toContain('    ├─ secret/xray-gone  MISSING');
    expect(lines).toContain('    ├─ configmap/kube-root-ca.crt');
    // the skin's xray colors: the tree's lines, an ok node; a missing reference in its state's color
    const th = fs.session.themeFor('dev');
    expect(piecesOf('configmap/kube-root-ca.crt')).toEqual([['    ├─ ', th.xrayGraphic, undefined], [expect.stringMatching(/^configmap\/kube-root-ca\.crt\s*$/), th.xrayFg, undefined]]);
    expect(piecesOf('secret/xray-gone')[1]).toEqual([expect.stringMatching(/^secret\/xray-gone  MISSING/), th.rowPending, undefined]);
    keys(nav, 'g');
    expect(piecesOf('namespace/default')).toEqual([[expect.stringMatching(/^ namespace\/default/), th.xrayCursorFg, th.xrayCursorBg]]);
    // fold the container: its references go, the rest of the pod stays (a pod's lines are counted, not made)
    const before = drawn().length;
    while (xray().current()?.kind !== 'container') keys(nav, 'j');
    keys(nav, '<space>');
    expect(drawn().length).toBe(before - 2);
    expect(drawn()).toContain('    ├─ container/app(+2)');
    expect(drawn()).toContain('    ├─ secret/xray-gone  MISSING');
    keys(nav, '<space>');
    expect(drawn().length).toBe(before);
    await request(`${api()}/api/v1/namespaces/default/pods/xray-refs?gracePeriodSeconds=0`, { method: 'DELETE' });
  });

  it('a kind xray does not draw, no kind, a namespace that does not exist: an error, nothing pushed', async () => {
    await open('xray deploy kube-system');
    const depth = nav.stack.length;
    await runCommand(nav, 'xray nodes');
    expect(fs.session.flashMsg).toMatchObject({ level: 'error', text: expect.stringMatching(/xray does not draw nodes/) });
    await runCommand(nav, 'xray');
    expect(fs.session.flashMsg).toMatchObject({ level: 'error', text: expect.stringMatching(/wants a kind/) });
    await runCommand(nav, 'xray bogus');
    expect(fs.session.flashMsg).toMatchObject({ level: 'error', text: expect.stringMatching(/unknown resource "bogus"/) });
    await runCommand(nav, 'xray deploy no-such-ns');
    expect(fs.session.flashMsg).toMatchObject({ level: 'error', text: expect.stringMatching(/namespaces "no-such-ns" not found/) });
    expect(nav.stack.length).toBe(depth);
  });

  it('across contexts: one top level per context of the merged view', async () => {
    fs.session.setActive(['dev', 'staging']);
    try {
      await open('xray deploy kube-system');
      await until('both contexts', () => drawn().filter((l) => l.includes('pod/coredns-')).length === 4, 30_000);
      const lines = drawn();
      expect(lines[0]).toBe(' context/dev(1)');
      const st = lines.indexOf(' context/staging(1)');
      expect(st).toBeGreaterThan(0);
      expect(lines[1]).toBe(' └─ namespace/kube-system(1)');
      expect(lines[st + 1]).toBe(' └─ namespace/kube-system(1)');
      expect(titleOf(draw(fs.session, xray(), 140, 60))).toMatch(/@dev,staging/);
    } finally {
      fs.session.setActive(['dev']);
    }
  });
});

describe('natural order', () => {
  it('puts web-9 before web-10 and compares the rest as text', () => {
    expect(['web-10', 'web-9', 'web-1', 'api', 'web-2a', 'web-2'].sort(natural)).toEqual(['api', 'web-1', 'web-2', 'web-2a', 'web-9', 'web-10']);
    expect(['a10b', 'a9c', 'a9b'].sort(natural)).toEqual(['a9b', 'a9c', 'a10b']);
  });
});
