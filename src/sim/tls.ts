/**
 * The fleet's certificates: one CA made at start-up, a serving certificate for 127.0.0.1 and
 * localhost that every cluster of the fleet presents, and client certificates issued by the CA
 * (CN = user name, O = groups, as the apiserver's x509 authenticator reads them).
 */
import { certificate, keyPem, newKeyPair, type DistinguishedName, type KeyPair } from '../shared/x509.js';

export interface CertAndKey {
  /** PEM certificate */
  cert: string;
  /** PEM private key (PKCS#8) */
  key: string;
}

export class FleetPki {
  private readonly caKeys: KeyPair = newKeyPair();
  private readonly caName: DistinguishedName;
  /** the CA certificate (PEM): what clients trust (`certificate-authority-data`) */
  readonly ca: string;
  /** what every cluster's server presents */
  readonly serving: CertAndKey;

  constructor(caName = 'kmux-sim-ca') {
    this.caName = { cn: caName };
    this.ca = certificate({ subject: this.caName, keys: this.caKeys, ca: true });
    const keys = newKeyPair();
    this.serving = {
      cert: certificate({
        subject: { cn: 'kube-apiserver' }, keys, issuer: { subject: this.caName, keys: this.caKeys },
        serverAuth: true, ips: ['127.0.0.1'], dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
      }),
      key: keyPem(keys),
    };
  }

  /**
   * A client certificate signed by the fleet's CA: the apiserver takes CN as the user name and
   * each O as a group. `notAfter` makes one that expires (or has expired) then.
   */
  clientCertificate(user: string, groups: string[] = [], o: { notAfter?: Date } = {}): CertAndKey {
    const keys = newKeyPair();
    const cert = certificate({
      subject: { cn: user, o: groups }, keys, issuer: { subject: this.caName, keys: this.caKeys }, clientAuth: true,
      ...(o.notAfter ? { notAfter: o.notAfter } : {}),
    });
    return { cert, key: keyPem(keys) };
  }
}

/** CN and O of a certificate's subject as Node reports it (a repeated attribute is an array). */
export function subjectOf(peer: { subject?: Record<string, string | string[]> }): { cn: string; o: string[] } {
  const s = peer.subject ?? {};
  const arr = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return { cn: arr(s.CN)[0] ?? '', o: arr(s.O) };
}
