/**
 * Properties: no kubeconfig text crashes kmux. loadKubeconfig either gives contexts (each
 * usable, or broken with a reason that is safe to show) or refuses the file with a
 * KubeconfigError naming it; a context it calls usable gets a connection without throwing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KubeconfigError, loadClientNode, loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { Connection } from '../../src/kube/connection.js';
import { expectDisplaySafe, fc, fileText, nastyString, shaped, valueOr, type Shape } from './arbitraries.js';

// 10,000 runs take seconds on a quiet machine and over a minute on a 2-core one under heavy load
vi.setConfig({ testTimeout: 300_000 });

const dir = mkdtempSync(join(tmpdir(), 'kmux-kc-prop-'));
const file = join(dir, 'config');
writeFileSync(join(dir, 'ca.crt'), 'not a certificate\n');
beforeAll(() => loadClientNode());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Names drawn from a few, so that contexts name clusters and users that exist (or nearly). */
const name = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('a', 'b', 'prod', 'dev-admin', 'arn:aws:eks:eu-1:1:cluster/x') }, { weight: 1, arbitrary: nastyString });
const server = fc.oneof(
  fc.constantFrom('https://127.0.0.1:6443', 'http://127.0.0.1:1', 'kube.example:6443', 'https://[::1]:6443/', 'https://h/path/', 'ht!tp://bad url', 'ftp://x', 'https://', '//x', 'http://:80', 'localhost', ' '),
  nastyString,
);
const filePath = fc.oneof(fc.constantFrom('ca.crt', 'missing.crt', '/nonexistent/x', '', '.', dir), nastyString);

const CLUSTER: Shape = {
  server, 'certificate-authority': filePath, 'certificate-authority-data': fc.constantFrom('bm90IGEgY2VydA==', '!!'),
  'insecure-skip-tls-verify': fc.boolean(), 'proxy-url': fc.constantFrom('http://proxy:3128', 'socks5://x:1080', 'bad'), 'tls-server-name': nastyString,
};
const USER: Shape = {
  token: nastyString, 'token-file': filePath, 'client-certificate': filePath, 'client-key': filePath,
  'client-certificate-data': fc.constantFrom('bm90', ''), 'client-key-data': fc.constantFrom('bm90', ''),
  username: nastyString, password: nastyString, as: nastyString,
  exec: fc.record({ apiVersion: fc.constantFrom('client.authentication.k8s.io/v1', 'v0'), command: fc.constantFrom('aws', './bin/x', ''), args: fc.array(nastyString, { maxLength: 2 }), interactiveMode: fc.constantFrom('Never', 'Always', 'x') }, { requiredKeys: [] }),
};
const CONTEXT: Shape = { cluster: name, user: name, namespace: nastyString };

const entry = (inner: string, body: Shape) => valueOr(fc.record({ name: valueOr(name), [inner]: valueOr(shaped(body, 1, 6)) }, { requiredKeys: ['name'] }));
const KUBECONFIG: Shape = {
  apiVersion: fc.constantFrom('v1', 'v2'),
  kind: fc.constantFrom('Config', 'Pod'),
  'current-context': name,
  clusters: fc.array(entry('cluster', CLUSTER), { maxLength: 4 }),
  users: fc.array(entry('user', USER), { maxLength: 4 }),
  contexts: fc.array(entry('context', CONTEXT), { maxLength: 5 }),
  preferences: fc.constant({}),
};

/** A kubeconfig that is mostly right (entries that name each other), so usable contexts come out too. */
const small = fc.constantFrom('a', 'b');
const nearlyGood = fc.record({
  'current-context': small,
  clusters: fc.array(fc.record({ name: small, cluster: fc.record({ server: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('https://127.0.0.1:6443', 'http://127.0.0.1:1', 'kube.example:6443') }, { weight: 1, arbitrary: server }), 'certificate-authority': fc.option(filePath, { nil: undefined }), 'insecure-skip-tls-verify': fc.boolean() }) }), { minLength: 1, maxLength: 3 }),
  users: fc.array(fc.record({ name: small, user: fc.oneof(fc.constant({}), fc.record({ token: nastyString }), fc.record({ 'token-file': filePath }), fc.record({ 'client-certificate': filePath, 'client-key': filePath }), shaped(USER, 1, 3)) }), { maxLength: 3 }),
  contexts: fc.array(fc.record({ name: fc.oneof(small, nastyString), context: fc.record({ cluster: small, user: fc.option(small, { nil: undefined }), namespace: fc.option(nastyString, { nil: undefined }) }, { requiredKeys: ['cluster'] }) }), { minLength: 1, maxLength: 4 }),
});

describe('kubeconfig loader', () => {
  it('never crashes: contexts usable or broken with a safe reason, or the file refused by name (10,000 inputs)', () => {
    const seen = { refused: 0, usable: 0, broken: 0 };
    fc.assert(
      fc.property(fileText(fc.oneof({ weight: 1, arbitrary: shaped(KUBECONFIG, 0, 7) }, { weight: 2, arbitrary: nearlyGood })), (text) => {
        writeFileSync(file, text);
        let kc;
        try {
          kc = loadKubeconfig([file]);
        } catch (e) {
          if (!(e instanceof KubeconfigError)) throw e;
          if (!e.message.includes(file)) throw new Error(`the error does not name the file: ${e.message}`);
          expectDisplaySafe(e.message, 'error');
          seen.refused++;
          return;
        }
        for (const p of kc.problems) {
          if (!p.startsWith(file)) throw new Error(`a problem does not name the file: ${p}`);
          expectDisplaySafe(p, 'problem');
        }
        for (const c of kc.contexts) {
          kc.endpoint(c.name);
          if (c.broken !== undefined) {
            expectDisplaySafe(c.broken, 'broken reason');
            seen.broken++;
            continue;
          }
          seen.usable++;
          // usable: its entries, a connection and client-node's config come without throwing
          kc.entries(c.name);
          new Connection(kc, c.name).close();
          try {
            kc.clientConfig(c.name);
          } catch (e) {
            if (!(e instanceof KubeconfigError)) throw e;
          }
        }
      }),
      { numRuns: 10_000 },
    );
    // the generator reaches every outcome, not just refusals
    expect(seen.usable).toBeGreaterThan(400);
    expect(seen.broken).toBeGreaterThan(500);
    expect(seen.refused).toBeGreaterThan(500);
  });
});
