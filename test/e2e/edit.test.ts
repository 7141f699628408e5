/** Edit in a real terminal: kubectl edit in the foreground with the user's editor, back to the view after. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFleet, type Fleet } from '../../src/sim/fleet.js';
import { Terminal, hasTmux } from '../helpers/tmux.js';
import { onPath, until } from '../helpers/wait.js';

const BIN = resolve(import.meta.dirname, '../../bin/kmux.js');
let fleet: Fleet;
let dir: string;
let kubeconfig: string;
let editor: string;

beforeAll(async () => {
  fleet = await startFleet({ clusters: 1, names: ['dev'], nodes: 3, pods: 20, seed: 8 });
  dir = mkdtempSync(join(tmpdir(), 'kmux-edit-'));
  kubeconfig = join(dir, 'kubeconfig.yaml');
  fleet.writeKubeconfig(kubeconfig);
  // an "editor" that adds a label under metadata.labels of the file kubectl hands it
  editor = join(dir, 'editor.sh');
  writeFileSync(editor, `#!/bin/sh\nexec ${process.execPath} -e 'const f=process.argv[1];const fs=require("fs");const t=fs.readFileSync(f,"utf8").replace(/^  labels:\\n/m, "  labels:\\n    edited: by-kmux-test\\n");fs.writeFileSync(f,t)' "$1"\n`);
  chmodSync(editor, 0o755);
});
afterAll(async () => fleet?.stop());

describe.skipIf(!hasTmux() || !onPath('kubectl'))('edit in a terminal', () => {
  it('runs kubectl edit with KUBE_EDITOR on the row, and comes back to the same view', async () => {
    const c = fleet.member('dev').cluster;
    const t = new Terminal([process.execPath, BIN, '--kubeconfig', kubeconfig, '-n', 'kube-system', '-c', 'deploy'], {
      env: { XDG_CONFIG_HOME: join(dir, 'cfg'), KUBE_EDITOR: editor, KUBECACHEDIR: join(dir, 'kcache') },
    });
    try {
      await t.waitFor(/deployments\(kube-system\)\[1\]/);
      t.keys('e');
      await until('the label from the editor', () => c.store.get('deployments.apps', 'kube-system', 'coredns')?.metadata.labels?.edited === 'by-kmux-test', 30_000);
      const s = await t.waitFor(/edited deployment\/coredns/, 15_000);
      expect(s).toMatch(/deployments\(kube-system\)\[1\]/);
    } finally {
      t.kill();
    }
  });
});
