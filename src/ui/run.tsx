/** Starting the navigator: flags, kubeconfig, the embedded fleet for --demo, the Ink instance. */
import { UI_FLAGS, UI_USAGE } from '../usage.js';
import { traceHealth } from '../app/health.js';
import React from 'react';
import { render } from 'ink';
import { appendFileSync } from 'node:fs';
import type { DemoFleet } from '../sim/demo.js';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { App } from './App.js';
import { builtinKeysFor, SCOPES_WITH_KEYS } from './keys/defs.js';
import { fastLineWriter } from './ink-log.js';
import { shareInkOutputCaches } from './ink-cache.js';
import { Session } from '../app/session.js';
import { kubeconfigPaths, loadKubeconfig, KubeconfigError, type Kubeconfig } from '../kube/kubeconfig.js';
import { CommandError } from '../app/command.js';
import { Settings } from '../config/settings.js';
import { loadAppConfig, startPoint } from '../config/app-config.js';
import { crashReport } from '../config/crash.js';

/** The flags as parseArgs gives them (src/usage.ts lists them). */
interface UiFlags {
  kubeconfig?: string; context?: string; namespace?: string; 'all-namespaces'?: boolean; command?: string; readonly?: boolean;
  write?: boolean; headless?: boolean; crumbsless?: boolean; logoless?: boolean; demo?: boolean; help?: boolean; skin?: string; version?: boolean;
}

export async function uiMain(argv: string[], version: string, demo?: Promise<DemoFleet & { kubeconfig: string }>): Promise<void> {
  let values: UiFlags;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: Object.fromEntries(UI_FLAGS.map((f) => [f.long, { type: f.arg ? 'string' : 'boolean', ...(f.short ? { short: f.short } : {}) }])) as ParseArgsConfig['options'],
    }) as { values: UiFlags });
  } catch (e) {
    process.stderr.write(`kmux: ${(e as Error).message}\n\n${UI_USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(UI_USAGE);
    return;
  }
  if (values.version) {
    process.stdout.write(`kmux ${version} (node ${process.version})\n`);
    return;
  }
  // a full-screen program needs a terminal on both ends: say so in one line, not in React's words
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write(`kmux: needs an interactive terminal (${!process.stdin.isTTY ? 'standard input' : 'standard output'} is not a TTY); run it in a terminal, or use kubectl for scripts\n`);
    process.exit(1);
  }
  let fleetStop: (() => Promise<void>) | undefined;
  let kcPath = values.kubeconfig;
  if (values.demo) {
    // on a thread of its own: kubectl run in the foreground (shell, edit) must still reach it;
    // started by cli.ts while this module loaded
    const fleet = await (demo ?? import('../sim/demo.js').then((m) => m.startDemo()));
    kcPath = fleet.kubeconfig;
    fleetStop = () => fleet.stop();
  }
  let kubeconfig: Kubeconfig;
  try {
    kubeconfig = loadKubeconfig(kubeconfigPaths({ flag: kcPath }));
  } catch (e) {
    if (e instanceof KubeconfigError) {
      process.stderr.write(`kmux: ${e.message}\n\nNo cluster to talk to? Try the embedded simulated fleet:\n  kmux --demo\n`);
      process.exit(1);
    }
    throw e;
  }
  const known = new Set(kubeconfig.contexts.map((c) => c.name));
  const brokenOf = (name: string) => kubeconfig.contexts.find((c) => c.name === name)?.broken;
  const wanted = values.context ? values.context.split(',').map((s) => s.trim()).filter(Boolean) : [];
  for (const w of wanted) {
    if (!known.has(w)) {
      process.stderr.write(`kmux: error: context was not found for specified context: ${w}\n  (known contexts: ${[...known].join(', ')})\n`);
      process.exit(1);
    }
  }
  // the kubeconfig's current-context, as kubectl: never a context remembered from another run
  let current = kubeconfig.currentContext;
  if (current !== undefined && !known.has(current)) {
    process.stderr.write(`kmux: error: context was not found for specified context: ${current}\n  (the current-context of ${kubeconfig.files.join(', ')}; known contexts: ${[...known].join(', ')}; pick one with --context)\n`);
    process.exit(1);
  }
  const startNotes: string[] = [];
  if (current === undefined) {
    current = kubeconfig.contexts.find((c) => !c.broken)?.name ?? kubeconfig.contexts[0].name;
    if (!wanted.length) startNotes.push(`the kubeconfig sets no current-context: opened ${current}`);
  }
  const contexts = wanted.length ? wanted : [current];
  // a broken context the user asked for (by --context or current-context) is an error, as in kubectl
  const asked = contexts.filter((c) => brokenOf(c));
  if (asked.length === contexts.length) {
    const good = kubeconfig.contexts.filter((c) => !c.broken).map((c) => c.name);
    process.stderr.write(`kmux: error: ${asked.map((c) => brokenOf(c)).join('; ')}\n  (context ${asked.join(', ')}${wanted.length ? '' : ', the current-context'}${good.length ? `; usable contexts: ${good.join(', ')}` : ''})\n`);
    process.exit(1);
  }
  // where to open: the flags, kmux's memory of the context, its config (startPoint says the order)
  const settings = new Settings(undefined, values.demo ? 'demo-state' : 'state');
  const memory = settings.memory(contexts[0]);
  const kctx = kubeconfig.contexts.find((c) => c.name === contexts[0]);
  const config = loadAppConfig();
  const own = config.context(contexts[0], kctx?.cluster);
  // the demo opens on every namespace: a new user should see the whole fleet at once
  const { namespace, view: first } = startPoint({
    flags: { allNamespaces: values['all-namespaces'], namespace: values.namespace, command: values.command },
    memory, context: own, defaultView: config.config.defaultView, kubeconfigNamespace: kctx?.namespace, demo: values.demo,
  });
  const readonly = values.readonly ? true : values.write ? false : undefined;
  const session = new Session({
    kubeconfig, contexts, namespace, readonly, settings, skin: values.skin, config,
    // plugins and hotkeys are checked against the keys the UI really binds
    builtinKeys: { forScope: builtinKeysFor, scopes: SCOPES_WITH_KEYS, everywhere: () => builtinKeysFor('all') },
  });
  for (const n of startNotes) session.note(n);
  let initial;
  try {
    const cmd = session.parse(first);
    if (cmd.kind !== 'resource') throw new CommandError(`${values.command ? '-c' : 'the first view'} wants a resource view, e.g. pods or "deploy @all"`);
    initial = session.specFor(cmd);
  } catch (e) {
    if (values.command) {
      process.stderr.write(`kmux: ${(e as Error).message}\n`);
      process.exit(2);
    }
    // a configured or remembered view that does not parse is not worth refusing to start over
    if (first === config.config.defaultView || first === own.view) session.problem('config', `the first view "${first}" (${first === config.config.defaultView ? 'defaultView' : 'view.active'}) cannot be opened: ${(e as Error).message}; opened pods`, false);
    initial = session.specFor({ kind: 'resource', resource: 'pods' });
  }
  session.start();
  const cachesShared = await shareInkOutputCaches();
  const trace = process.env.KMUX_TRACE;
  const instance = render(
    <App
      session={session}
      initial={initial}
      version={version}
      headless={!!values.headless}
      crumbsless={!!values.crumbsless}
      logoless={!!values.logoless}
      onKeyFrame={trace ? (label, ms) => appendFileSync(trace, `${label} ${ms.toFixed(2)}\n`) : undefined}
      onReady={trace ? () => appendFileSync(trace, `ready ${Date.now()}\n`) : undefined}
      onFirstRows={trace ? () => appendFileSync(trace, `first ${Date.now()}\n`) : undefined}
    />,
    // interactive whenever the terminal is one: Ink would otherwise go quiet when a CI variable is set
    {
      alternateScreen: true, exitOnCtrlC: false, maxFps: 60, incrementalRendering: true, patchConsole: true, interactive: process.stdout.isTTY ? true : undefined,
      onRender: process.env.KMUX_TRACE_FRAMES ? (m) => appendFileSync(process.env.KMUX_TRACE_FRAMES!, `frame ${m.renderTime.toFixed(2)}\n`) : undefined,
    },
  );
  const writer = process.env.KMUX_INK_WRITER !== 'ink' && (await fastLineWriter(process.stdout)) ? 'lines' : 'ink';
  if (trace) appendFileSync(trace, `writer ${writer}\ninkcaches ${cachesShared ? 1 : 0}\n`);
  // KMUX_TRACE_HEALTH_MS: how often (default 10 s); the soak bench asks more often
  if (trace) traceHealth(session, (line) => appendFileSync(trace, `${line}\n`), Number(process.env.KMUX_TRACE_HEALTH_MS) || 10_000);
  let shuttingDown = false;
  const shutdown = async (code: number, err?: unknown) => {
    if (shuttingDown) return;
    shuttingDown = true;
    try {
      // Ink's unmount leaves the alternate screen and restores the cursor and the terminal mode
      instance.unmount();
    } catch {
      // already gone
    }
    try {
      session.stop();
      await fleetStop?.();
    } catch {
      // leaving anyway
    }
    if (err) process.stderr.write(`${crashReport(err)}\n`);
    process.exit(code);
  };
  process.on('uncaughtException', (e) => void shutdown(1, e));
  process.on('unhandledRejection', (e) => void shutdown(1, e));
  // the shell's convention: 128 + the signal's number
  process.on('SIGTERM', () => void shutdown(143));
  process.on('SIGHUP', () => void shutdown(129));
  await instance.waitUntilExit();
  await shutdown(0);
}
