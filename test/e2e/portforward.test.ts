/** Port-forward (shift-f, :pf) in a real terminal against the sim: an HTTP GET on the local port answers. */
import { describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { portFree } from '../../src/actions/portforward.js';
import { e2eFleet } from '../helpers/e2e.js';
import { hasTmux } from '../helpers/tmux.js';
import { until } from '../helpers/wait.js';

const e = e2eFleet('pf-e2e', { clusters: 1, names: ['dev'], nodes: 3, pods: 30, seed: 6, cluster: { startDelayMs: [50, 150], stopDelayMs: [50, 150] } });

function get(url: string): Promise<string> {
  return new Promise((res, rej) => {
    http.get(url, { agent: false }, (r) => {
      let b = '';
      r.on('data', (c) => (b += c));
      r.on('end', () => res(b));
    }).on('error', rej);
  });
}

describe.skipIf(!hasTmux())('port-forward in a terminal', () => {
  it('shift-f forwards a pod port; curl-like GETs answer; :pf lists it with bytes; ctrl-d stops it', async () => {
    const pod = [...e.fleet.member('dev').cluster.store.iter('pods', 'monitoring')].find((p) => p.metadata.name.startsWith('grafana') && p.status?.phase === 'Running')!.metadata.name;
    // a local port that is free now; typed into the dialog
    let local = 23000 + (process.pid % 1000);
    while (!(await portFree(local))) local++;
    const t = e.kmux(['-n', 'monitoring', '-c', 'pods']);
    try {
      await t.waitFor(/pods\(monitoring\)\[\d+\]/);
      t.type(`/${pod}`);
      t.keys('Enter');
      await t.waitFor(/pods\(monitoring\)\[1\/\d+\]/);
      t.keys('F');
      await t.waitFor(/Port-forward monitoring\//);
      await t.waitFor(/Container port\s+\[grafana:3000 \(http\)\]/);
      // the local port field: clear the suggestion, type ours
      for (let i = 0; i < 6; i++) t.keys('BSpace');
      t.type(String(local));
      t.keys('Enter');
      await t.waitFor(new RegExp(`forwarding http://127\\.0\\.0\\.1:${local} -> monitoring/${pod}:3000`));
      const body = await get(`http://127.0.0.1:${local}/`);
      expect(body).toContain(`hello from ${pod}`);
      expect((await get(`http://127.0.0.1:${local}/healthz`)).trim()).toBe('ok');
      // the forward outlives the view: go elsewhere, then list forwards
      t.type(':deploy');
      t.keys('Enter');
      await t.waitFor(/deployments\(monitoring\)/);
      t.type(':pf');
      t.keys('Enter');
      const s = await t.waitFor(new RegExp(`${pod}.*${local}:3000.*active`));
      expect(s).toMatch(/port-forwards/);
      // bytes moved are counted (the two answers above)
      await t.waitFor(new RegExp(`${local}:3000.*active\\s+\\d+/2\\s+\\d+(\\.\\d)?(B|KiB)`));
      expect(await get(`http://127.0.0.1:${local}/`)).toContain(pod);
      t.keys('C-d');
      await t.waitFor(new RegExp(`stopped forward ${local} -> monitoring/${pod}:3000`));
      await t.waitFor(/no port-forwards: <shift-f> on a pod/);
      await until('local port released', () => portFree(local), 5000);
    } finally {
      t.kill();
    }
  });

  it('a pod with no TCP port says so; a taken local port is reported in the dialog', async () => {
    const t = e.kmux(['-n', 'kube-system', '-c', 'pods']);
    try {
      await t.waitFor(/pods\(kube-system\)\[\d+\]/);
      t.type('/etcd');
      t.keys('Enter');
      await t.waitFor(/pods\(kube-system\)\[1\/\d+\]/);
      t.keys('F');
      await t.waitFor(/declares no TCP port/);
      // coredns: UDP 53 is left out, TCP 9153 offered; a busy local port keeps the dialog open with the reason
      const busy = net.createServer();
      await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
      const port = (busy.address() as net.AddressInfo).port;
      try {
        t.keys('C-u');
        t.type('/coredns');
        t.keys('Enter');
        await t.waitFor(/pods\(kube-system\)\[2\/\d+\]/);
        t.keys('F');
        await t.waitFor(/Container port\s+\[coredns:9153 \(metrics\)\]/);
        expect(t.screen()).not.toMatch(/coredns:53/);
        for (let i = 0; i < 6; i++) t.keys('BSpace');
        t.type(String(port));
        t.keys('Enter');
        await t.waitFor(new RegExp(`! local port ${port} is in use`));
        t.keys('Escape');
        await t.waitFor((scr) => !/Port-forward kube-system/.test(scr));
      } finally {
        busy.close();
      }
    } finally {
      t.kill();
    }
  });
});
