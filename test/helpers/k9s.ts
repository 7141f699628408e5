/** K9s's behaviour, written again from its source, for tests that compare kmux with it. */
import type { PluginVars } from '../../src/plugins/vars.js';

/**
 * K9s's substitution of its variables in a plugin's argument or a hotkey's command
 * (internal/view/env.go): `$X`, `$!X`, `${X}`, `${!X}`; names looked up upper-cased; an unknown
 * name is left; the longest matches are replaced first, each everywhere in the text (Go's
 * strings.ReplaceAll); a value Go's ParseBool reads and ParseFloat does not is normalised.
 */
export function k9sSubstitute(arg: string, env: PluginVars): string {
  const rx = /(\$(!?)([\w-]+))|(\$\{(!?)([\w\-%/: ]+)\})/g;
  const matches = [...arg.matchAll(rx)].sort((a, b) => b[0].length - a[0].length);
  let out = arg;
  for (const m of matches) {
    const [key, inverse] = m[1] ? [m[3], m[2] === '!'] : [m[6], m[5] === '!'];
    let v = env[key.toUpperCase()];
    if (v === undefined) continue;
    if (Number.isNaN(Number(v)) || v.trim() === '') {
      const b = /^(t|T|TRUE|true|True)$/.test(v) ? true : /^(f|F|FALSE|false|False)$/.test(v) ? false : undefined;
      if (b !== undefined) v = String(inverse ? !b : b);
    }
    out = out.split(m[0]).join(v);
  }
  return out;
}
