/**
 * kmux as users with limited rights, over TLS: the viewer sees pods and is told up front that
 * it may not delete them (no request is made); team-a works in its two namespaces without
 * errors filling the screen; `:rbac` shows what the server says each may do.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eFleet, KMUX_BIN } from '../helpers/e2e.js';
import { Terminal } from '../helpers/tmux.js';

const e = e2eFleet('rbac', { clusters: 1, names: ['prod'], nodes: 3, pods: 40, seed: 6, cluster: { startDelayMs: [100, 300], stopDelayMs: [100, 300] } });

let runs = 0;
function kmuxAs(context: string, args: string[] = []): Terminal {
  const kc = join(e.dir, 'users.yaml');
  writeFileSync(kc, e.fleet.kubeconfig({ userContexts: true }));
  return new Terminal([process.execPath, KMUX_BIN, '--kubeconfig', kc, '--context', context, ...args], { env: { XDG_CONFIG_HOME: join(e.dir, `rcfg-${++runs}`) } });
}

const podsIn = (ns: string) => [...e.fleet.member('prod').cluster.store.iter('pods', ns)].length;

describe('kmux with limited rights', () => {
  it('as viewer: pods are shown, ctrl-d is refused up front with the reason, and no write is sent', async () => {
    const t = kmuxAs('prod-viewer', ['-n', 'web']);
    try {
      await t.waitFor(new RegExp(`pods\\(web\\)\\[${podsIn('web')}\\]`), 30_000);
      // who the server says we are
      await t.waitFor(/User:\s+viewer\s/);
      const from = e.fleet.member('prod').server.requestLog.length;
      t.keys('C-d');
      await t.waitFor(/not allowed: viewer may not delete pods \(\S+\) in namespace web on prod-viewer \(RBAC\)/);
      expect(t.screen()).not.toMatch(/Delete pods\//);
      t.keys('?');
      await t.waitFor(/<ctrl-d>\s+delete \(not allowed\)/);
      expect(t.screen()).toMatch(/\sd\s+describe\s/);
      expect(e.fleet.member('prod').server.writes(from)).toEqual([]);
      t.keys('Escape');
      t.type(':rbac');
      t.keys('Enter');
      const s = await t.waitFor(/rbac\(prod-viewer: viewer in web\)\[\d+\][\s\S]*pods\s+\[\]\s+\[\]\s+\[get list watch\]/);
      expect(s).not.toMatch(/│ pods\s+\[\]\s+\[\]\s+\[[^\]]*delete/);
    } finally {
      t.kill();
    }
  });

  it('as team-a: works in web and payments, with no flood of errors for what it may not list', async () => {
    const t = kmuxAs('prod-team-a');
    try {
      // the context's namespace (web) opens
      await t.waitFor(new RegExp(`pods\\(web\\)\\[${podsIn('web')}\\]`), 30_000);
      t.type(':ns payments');
      t.keys('Enter');
      await t.waitFor(new RegExp(`pods\\(payments\\)\\[${podsIn('payments')}\\]`));
      t.type(':deploy');
      t.keys('Enter');
      await t.waitFor(/deployments\(payments\)\[\d+\]/);
      // team-a may edit there: the keys are offered
      t.keys('?');
      await t.waitFor(/\ss\s+scale\s/);
      expect(t.screen()).not.toMatch(/scale \(not allowed\)/);
      t.keys('Escape');
      // a few seconds on: the status line is quiet (nodes and namespaces it may not list are not an error of this view)
      const t0 = Date.now();
      while (Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 200));
      const last = t.screen().trimEnd().split('\n').at(-1) ?? '';
      expect(last).not.toMatch(/forbidden|cannot|error/i);
      // but asking for every namespace is refused, and said so
      t.keys('0');
      await t.waitFor(/forbidden: User "team-a" cannot list resource "deployments" in API group "apps" at the cluster scope|deployments\(all\)\[0\] \(prod-team-a forbidden\)/);
    } finally {
      t.kill();
    }
  });

  it('enter on a role shows its rules, on a binding its subjects and the rules of the role it binds', async () => {
    const t = kmuxAs('prod', ['-c', 'clusterroles']);
    try {
      await t.waitFor(/clusterroles\[\d+\]/, 30_000);
      t.type('/view');
      t.keys('Enter');
      // ...-view roles sort first: view itself is the last
      await t.waitFor(/clusterroles\[\d+\/\d+\] <\/view>/);
      t.keys('G');
      t.keys('Enter');
      // an aggregated role: the rules the server filled in
      await t.waitFor(/rules\(clusterrole\/view\)\[\d+\][\s\S]*│ pods\s+\[\]\s+\[\]\s+\[get list watch\]/);
      t.type(':rolebindings web');
      t.keys('Enter');
      await t.waitFor(/rolebindings\(web\)\[\d+\]/);
      t.type('/team-a-edit');
      t.keys('Enter');
      await t.waitFor(/rolebindings\(web\)\[1(\/\d+)?\] <\/team-a-edit>/);
      t.keys('Enter');
      const s = await t.waitFor(/binding\(team-a-edit -> ClusterRole\/edit\)/);
      expect(s).toMatch(/Group team-a\s+subject/);
      await t.waitFor(/│ deployments\.apps\s+\[\]\s+\[\]\s+\[create delete deletecollection patch update\]/);
    } finally {
      t.kill();
    }
  });
});

