/**
 * `:helm` in a real terminal against a fleet holding Helm releases: the merged list, history,
 * diff, values, the objects with the drifted one; rollback and uninstall through a stand-in
 * `helm` that records its arguments, refused in read-only mode and when no helm is on PATH.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { e2eFleet } from '../helpers/e2e.js';
import { hasTmux } from '../helpers/tmux.js';

const e = e2eFleet('helm', { nodes: 2, pods: 30, seed: 18, helm: true });

/** A `helm` that appends its arguments (and the kubeconfig it was given) to a log. */
function standInHelm(name: string): { path: string; log: string } {
  const bin = join(e.dir, `bin-${name}`);
  mkdirSync(bin, { recursive: true });
  const log = join(e.dir, `helm-${name}.log`);
  writeFileSync(join(bin, 'helm'), `#!/bin/sh\necho "$*" >> '${log}'\necho "KUBECONFIG=$KUBECONFIG" >> '${log}'\n`);
  chmodSync(join(bin, 'helm'), 0o755);
  return { path: `${bin}${delimiter}${process.env.PATH}`, log };
}

/** kmux on dev with `:helm web` open and its podinfo row shown. */
async function helmOnWeb(args: string[], env: Record<string, string>) {
  const t = e.kmux(['--context', 'dev', '-c', 'deploy', ...args], env);
  await t.waitFor(/deployments\(\w+\)\[\d+\]/);
  t.type(':helm web');
  t.keys('Enter');
  await t.waitFor(/podinfo\s+web\s+3\s+deployed/, 20_000);
  return t;
}

describe.skipIf(!hasTmux())(':helm in a terminal', () => {
  it(':helm @all lists the releases of the three clusters; enter, D, v and r show history, the last upgrade\'s diff, values and the drifted object', async () => {
    const t = e.kmux(['--context', 'dev', '-c', 'deploy']);
    try {
      await t.waitFor(/deployments\(\w+\)\[\d+\]/);
      t.type(':helm @all');
      t.keys('Enter');
      const screen = await t.waitFor((s) => /staging\s+podinfo\s+web\s+3\s+pending-upgrade\s+podinfo-6\.7\.1/.test(s) && /prod\s+metrics-server\s+kube-system\s+1\s+deployed/.test(s), 20_000);
      expect(screen).toMatch(/helm\(all@dev,staging,prod\)\[8\]/);
      expect(screen).toMatch(/CONTEXT\s+NAME\s+NAMESPACE\s+REVISION\s+STATUS\s+CHART\s+APP-VERSION\s+UPDATED/);
      expect(screen).toMatch(/dev\s+session-cache\s+payments\s+2\s+failed\s+redis-20\.6\.2\s+7\.4\.1/);
      expect(screen).toMatch(/prod\s+storefront\s+checkout\s+3\s+deployed\s+storefront-2\.4\.0\s+2024\.11\.3/);
      // the cursor to dev's podinfo
      t.keys('/');
      t.type('podinfo');
      t.keys('Enter');
      await t.waitFor(/helm\(all@dev,staging,prod\)\[3\/8\]/);
      t.keys('Enter');
      const history = await t.waitFor(/3\s+\S+ \S+\s+deployed\s+podinfo-6\.7\.1\s+6\.7\.1\s+Upgrade complete/);
      expect(history).toMatch(/history\(podinfo@dev\/web\)\[3\]/);
      expect(history).toMatch(/1\s+\S+ \S+\s+superseded\s+podinfo-6\.6\.0\s+6\.6\.0\s+Install complete/);
      // two marked revisions: their diff
      t.keys('Space');
      t.keys('j', 'j', 'Space');
      t.keys('D');
      const marked = await t.waitFor(/diff\(podinfo@dev#1\.\.3\)[\s\S]*-replicaCount: 1/);
      expect(marked).toContain('+replicaCount: 2');
      t.keys('Escape');
      await t.waitFor(/history\(podinfo@dev\/web\)/);
      t.keys('Escape');
      await t.waitFor(/helm\(all@dev,staging,prod\)/);
      t.keys('D');
      const diff = await t.waitFor(/diff\(podinfo@dev#2\.\.3\)[\s\S]*\+\+\+ podinfo revision 3 values/);
      expect(diff).toContain('+logLevel: debug');
      // additions, removals, hunk headers and context each in their own color of the skin
      const ansi = t.screenAnsi().split('\n');
      // the last foreground color set before the text on its line
      const colorOf = (text: string) => {
        const line = ansi.find((l) => l.includes(text)) ?? '';
        return [...line.slice(0, line.indexOf(text)).matchAll(/\x1b\[([\d;]*)m/g)].map((m) => /(?:^|;)(38;[25];[\d;]+)/.exec(m[1])?.[1]).filter(Boolean).at(-1);
      };
      const [plus, minus, hunk] = [colorOf('+logLevel: debug'), colorOf('-    helm.sh/chart: podinfo-6.7.0'), colorOf('@@ -1,3 +1,5 @@')];
      expect(plus).toBeDefined();
      expect(new Set([plus, minus, hunk]).size).toBe(3);
      expect(colorOf(' replicaCount: 2')).not.toBe(plus);
      t.keys('Escape');
      await t.waitFor(/helm\(all@dev,staging,prod\)/);
      t.keys('v');
      await t.waitFor(/values\(podinfo@dev#3\)[\s\S]*message: hello from dev/);
      t.keys('Escape');
      await t.waitFor(/helm\(all@dev,staging,prod\)/);
      t.keys('r');
      const objects = await t.waitFor(/Deployment\s+podinfo\s+web\s+DRIFTED\s+spec\.replicas: 2 in the manifest, 3 live/, 20_000);
      expect(objects).toMatch(/Service\s+podinfo\s+web\s+ok/);
      expect(objects).toMatch(/2 ok, 1 drifted, 0 missing/);
    } finally {
      t.kill();
    }
  });

  it('runs a K9s plugin scoped helm with the release\'s own variables', async () => {
    const cfg = join(e.dir, 'cfg-plugins');
    const out = join(e.dir, 'plugin-args.jsonl');
    const recorder = join(e.dir, 'record.cjs');
    writeFileSync(recorder, "require('fs').appendFileSync(process.argv[2], JSON.stringify(process.argv.slice(3)) + '\\n');\n");
    mkdirSync(join(cfg, 'k9s'), { recursive: true });
    writeFileSync(join(cfg, 'k9s', 'plugins.yaml'), `plugins:
  helm-record:
    shortCut: Shift-V
    description: Record the release
    scopes: [helm]
    command: ${process.execPath}
    background: false
    args: [${recorder}, ${out}, $NAME, $NAMESPACE, $CONTEXT, $COL-CHART]
`);
    const t = e.kmux(['--context', 'dev', '-c', 'deploy'], { XDG_CONFIG_HOME: cfg });
    try {
      await t.waitFor(/deployments\(\w+\)\[\d+\]/);
      t.type(':helm @all');
      t.keys('Enter');
      await t.waitFor(/prod\s+storefront\s+checkout/, 20_000);
      t.keys('?');
      await t.waitFor(/ help /);
      // the plugins come last
      t.keys('G');
      await t.waitFor(/PLUGINS[\s\S]*<shift-v>\s+Record the release/);
      t.keys('Escape');
      t.keys('/');
      t.type('storefront');
      t.keys('Enter');
      await t.waitFor(/helm\(all@dev,staging,prod\)\[1\/8\]/);
      t.keys('V');
      await t.waitFor(/plugin helm-record finished/, 20_000);
      expect(readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual([['storefront', 'checkout', 'prod', 'storefront-2.4.0']]);
    } finally {
      t.kill();
    }
  });

  it('rollback and uninstall run helm with the row\'s context and namespace', async () => {
    const helm = standInHelm('rw');
    const t = await helmOnWeb([], { PATH: helm.path });
    try {
      t.keys('R');
      await t.waitFor(/helm rollback podinfo 2 --kube-context dev -n web/);
      t.keys('Enter');
      await t.waitFor(/rollback podinfo: done/, 20_000);
      t.keys('C-d');
      await t.waitFor(/helm uninstall podinfo --kube-context dev -n web/);
      t.keys('Enter');
      await t.waitFor(/uninstall podinfo: done/, 20_000);
      const log = readFileSync(helm.log, 'utf8').split('\n');
      expect(log[0]).toBe('rollback podinfo 2 --kube-context dev -n web');
      expect(log[1]).toBe(`KUBECONFIG=${e.kubeconfig}`);
      expect(log[2]).toBe('uninstall podinfo --kube-context dev -n web');
    } finally {
      t.kill();
    }
  });

  it('refuses rollback in read-only mode, and without helm on PATH says what is needed', async () => {
    const helm = standInHelm('ro');
    const ro = await helmOnWeb(['--readonly'], { PATH: helm.path });
    try {
      ro.keys('R');
      await ro.waitFor(/read-only mode: rollback is disabled \(start kmux without --readonly/);
      ro.keys('C-d');
      await ro.waitFor(/read-only mode: uninstall is disabled/);
      expect(existsSync(helm.log)).toBe(false);
    } finally {
      ro.kill();
    }
    // PATH without any helm (this machine's, if it has one)
    const noHelm = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !existsSync(join(d, 'helm'))).join(delimiter);
    const t = await helmOnWeb([], { PATH: noHelm });
    try {
      t.keys('R');
      await t.waitFor(/rollback: needs the helm CLI \(Helm 3\) on PATH/);
      expect(t.screen()).not.toMatch(/Roll back podinfo/);
    } finally {
      t.kill();
    }
  });
});
