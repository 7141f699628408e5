/**
 * A self-signed certificate for a loopback server: an ECDSA P-256 key and a certificate for
 * 127.0.0.1 and localhost, its own trust anchor (the DER writing is src/shared/x509.ts, which
 * the simulated fleet uses too). kmux's read-only proxy serves TLS with it because kubectl
 * (client-go) sends no credentials at all to a plain-http server, and the proxy needs its
 * bearer token; the kubeconfig pins this certificate as the cluster's CA.
 */
import { certificate, keyPem, newKeyPair } from '../shared/x509.js';

export interface SelfSigned {
  /** PEM certificate: serve it, and trust it as the CA */
  cert: string;
  /** PEM private key (PKCS#8) */
  key: string;
}

/** A certificate for 127.0.0.1 / localhost, valid from an hour ago for `days` days. */
export function selfSignedCert(commonName: string, days = 3650): SelfSigned {
  const keys = newKeyPair();
  // a CA (it is its own trust anchor) that also serves
  const cert = certificate({ subject: { cn: commonName }, keys, ca: true, serverAuth: true, ips: ['127.0.0.1'], dns: ['localhost'], days });
  return { cert, key: keyPem(keys) };
}
