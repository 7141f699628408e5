/**
 * Command aliases: kmux's built-ins, then K9s's `aliases.yaml`, then kmux's (later wins).
 * A value may be a whole command: `pp: pods @prod`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { k9sConfigDir, kmuxConfigDir } from './paths.js';

export const BUILTIN_ALIASES: Record<string, string> = {
  dp: 'deployments', sec: 'secrets', jo: 'jobs', cr: 'clusterroles', crb: 'clusterrolebindings',
  ro: 'roles', rb: 'rolebindings', np: 'networkpolicies', contexts: 'ctx', context: 'ctx',
};

export interface AliasSource {
  file: string;
  problem?: string;
}

export function loadAliases(env: NodeJS.ProcessEnv = process.env): { aliases: Record<string, string>; sources: AliasSource[] } {
  const aliases: Record<string, string> = { ...BUILTIN_ALIASES };
  const sources: AliasSource[] = [];
  for (const file of [join(k9sConfigDir(env), 'aliases.yaml'), join(kmuxConfigDir(env), 'aliases.yaml')]) {
    if (!existsSync(file)) continue;
    try {
      const doc = parse(readFileSync(file, 'utf8')) ?? {};
      const map = doc.aliases ?? doc;
      if (typeof map !== 'object' || Array.isArray(map)) throw new Error('expected a map under "aliases:"');
      for (const [k, v] of Object.entries(map)) if (typeof v === 'string') aliases[k] = v;
      sources.push({ file });
    } catch (e) {
      sources.push({ file, problem: (e as Error).message });
    }
  }
  return { aliases, sources };
}
