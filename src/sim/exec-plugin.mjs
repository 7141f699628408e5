#!/usr/bin/env node
/**
 * The simulated fleet's exec credential plugin (client.authentication.k8s.io/v1): what a
 * kubeconfig user's `exec` runs, as `aws eks get-token` or `gke-gcloud-auth-plugin` would. It
 * prints an ExecCredential with a bearer token that the fleet accepts until its
 * expirationTimestamp, then answers 401, so clients must run the plugin again.
 *
 * Plain JavaScript on purpose: the kubeconfig runs it with the node that runs the sim, with no
 * loader. Its inputs come from the kubeconfig's `env`:
 *   KMUX_SIM_EXEC_USER    the user the token is for
 *   KMUX_SIM_EXEC_SECRET  the fleet's signing secret
 *   KMUX_SIM_EXEC_TTL     seconds the token lives (default 600)
 *   KMUX_SIM_EXEC_LOG     optional: a file that gets one line per run (tests count the runs)
 * and KUBERNETES_EXEC_INFO, which client-go and client-node set: the ExecCredential they expect.
 */
import { createHmac } from 'node:crypto';
import { appendFileSync } from 'node:fs';

const API_VERSION = 'client.authentication.k8s.io/v1';

function fail(message) {
  process.stderr.write(`kmux-sim exec plugin: ${message}\n`);
  process.exit(1);
}

const user = process.env.KMUX_SIM_EXEC_USER;
const secret = process.env.KMUX_SIM_EXEC_SECRET;
const ttl = Number(process.env.KMUX_SIM_EXEC_TTL ?? '600');
if (!user || !secret) fail('KMUX_SIM_EXEC_USER and KMUX_SIM_EXEC_SECRET must be set (the kubeconfig user entry\'s exec env)');
if (!Number.isFinite(ttl) || ttl <= 0) fail(`KMUX_SIM_EXEC_TTL must be a number of seconds, got "${process.env.KMUX_SIM_EXEC_TTL}"`);

let info;
if (process.env.KUBERNETES_EXEC_INFO) {
  try {
    info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
  } catch (e) {
    fail(`KUBERNETES_EXEC_INFO is not JSON: ${e.message}`);
  }
  if (info.apiVersion && info.apiVersion !== API_VERSION) fail(`the client asked for ${info.apiVersion}; this plugin speaks ${API_VERSION}`);
}

const exp = Math.floor(Date.now() / 1000) + Math.floor(ttl);
const sig = createHmac('sha256', secret).update(`${user}.${exp}`).digest('base64url');
const token = `kmux-sim-exec.${Buffer.from(user, 'utf8').toString('base64url')}.${exp}.${sig}`;
const expirationTimestamp = new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

if (process.env.KMUX_SIM_EXEC_LOG) {
  appendFileSync(process.env.KMUX_SIM_EXEC_LOG, `${new Date().toISOString()} ${user} interactive=${info?.spec?.interactive ?? ''} expires=${expirationTimestamp}\n`);
}

process.stdout.write(JSON.stringify({ apiVersion: API_VERSION, kind: 'ExecCredential', status: { token, expirationTimestamp } }) + '\n');
