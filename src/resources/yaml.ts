/**
 * An object as YAML for the `y` view: managedFields dropped, Secret values masked unless the
 * user asked to reveal them (then shown base64-encoded, as kubectl prints them).
 */
import YAML from 'yaml';
import { isSecret } from './describe.js';

export const SECRET_MASK = '********';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function maskValues(m: unknown): unknown {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return m;
  return Object.fromEntries(Object.keys(m).map((k) => [k, SECRET_MASK]));
}

function maskSecret(s: any): any {
  const out = { ...s };
  if ('data' in out) out.data = maskValues(out.data);
  if ('stringData' in out) out.stringData = maskValues(out.stringData);
  // kubectl apply keeps the whole secret, values included, in this annotation
  const ann = out.metadata?.annotations;
  if (ann && typeof ann === 'object' && LAST_APPLIED in ann) {
    let masked: string = SECRET_MASK;
    try {
      const applied = JSON.parse(String(ann[LAST_APPLIED]));
      if (applied && typeof applied === 'object') {
        if ('data' in applied) applied.data = maskValues(applied.data);
        if ('stringData' in applied) applied.stringData = maskValues(applied.stringData);
        masked = JSON.stringify(applied) + (String(ann[LAST_APPLIED]).endsWith('\n') ? '\n' : '');
      }
    } catch {
      // not JSON: hide it whole
    }
    out.metadata = { ...out.metadata, annotations: { ...ann, [LAST_APPLIED]: masked } };
  }
  return out;
}

/** A secret's data values decoded from base64 (text shown as text; anything else said to be binary). */
function decodeSecret(s: any): any {
  if (!s?.data || typeof s.data !== 'object') return s;
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data as Record<string, unknown>)) {
    const buf = typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.alloc(0);
    const text = buf.toString('utf8');
    // eslint-disable-next-line no-control-regex
    data[k] = typeof v !== 'string' ? String(v) : text.includes('\uFFFD') || /[\u0000-\u0008\u000e-\u001f]/.test(text) ? `<binary, ${buf.length} bytes>` : text;
  }
  return { ...s, data };
}

/**
 * YAML as kubectl prints it, without managedFields. Secrets' values are masked unless
 * `revealSecrets`; `decodeSecrets` also shows them decoded from base64 (K9s's `x`).
 */
export function toYaml(obj: any, o: { revealSecrets?: boolean; decodeSecrets?: boolean } = {}): string {
  let out = obj;
  if (out && typeof out === 'object' && out.metadata && typeof out.metadata === 'object' && 'managedFields' in out.metadata) {
    const { managedFields: _dropped, ...metadata } = out.metadata;
    out = { ...out, metadata };
  }
  if (o.revealSecrets && o.decodeSecrets && isSecret(out)) out = decodeSecret(out);
  if (!o.revealSecrets) {
    if (isSecret(out)) out = maskSecret(out);
    else if (Array.isArray(out?.items) && (out.kind === 'SecretList' || out.items.some(isSecret))) {
      const secretList = out.kind === 'SecretList';
      out = { ...out, items: out.items.map((it: any) => (secretList || isSecret(it) ? maskSecret(it) : it)) };
    }
  }
  if (out && typeof out === 'object' && !Array.isArray(out)) {
    // kubectl's order: apiVersion, kind, metadata first, whatever order the server sent
    const { apiVersion, kind, metadata, ...rest } = out;
    out = { ...(apiVersion !== undefined ? { apiVersion } : {}), ...(kind !== undefined ? { kind } : {}), ...(metadata !== undefined ? { metadata } : {}), ...rest };
  }
  return YAML.stringify(out, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
}
