/**
 * A cluster's proxy-url when it is an HTTP or HTTPS proxy: every connection to the server is
 * a tunnel opened with CONNECT host:port (as client-go does for an https server), then TLS to
 * the server through it with the context's own TLS material. Keep-alive works through the
 * tunnel, and a tunnel's socket goes when the connection over it does. SOCKS proxies are
 * client-node's (see kubeconfig.ts `proxyAgent`).
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/** Whether kmux tunnels through this proxy URL itself (http:// and https:// proxies). */
export function isHttpProxy(proxyUrl: string): boolean {
  return /^https?:\/\//i.test(proxyUrl);
}

type ConnectCallback = (err: Error | null, socket?: Duplex) => void;
/** what Node's Agent passes to createConnection (on an error the socket is not looked at) */
type AgentCallback = (err: Error | null, stream: Duplex) => void;
const failed = (cb: AgentCallback | undefined, err: Error) => cb?.(err, undefined as unknown as Duplex);

/** Open a CONNECT tunnel through `proxy` to host:port; calls back with the raw tunnel socket. */
function openTunnel(proxy: URL, host: string, port: number, timeoutMs: number, cb: ConnectCallback): void {
  const target = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { Host: target };
  if (proxy.username || proxy.password) {
    headers['Proxy-Authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
  }
  const secure = proxy.protocol === 'https:';
  const req = (secure ? https : http).request({
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: proxy.port || (secure ? 443 : 80),
    method: 'CONNECT',
    path: target,
    headers,
    setHost: false,
    agent: false,
    ...(secure ? { servername: net.isIP(proxy.hostname) ? undefined : proxy.hostname } : {}),
  });
  let done = false;
  const finish = (err: Error | null, socket?: Duplex) => {
    if (done) {
      socket?.destroy();
      return;
    }
    done = true;
    if (timer) clearTimeout(timer);
    cb(err, socket);
  };
  const timer = timeoutMs > 0 ? setTimeout(() => {
    req.destroy();
    finish(Object.assign(new Error(`proxy ${proxy.host} did not open a tunnel to ${target} in ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
  }, timeoutMs) : undefined;
  req.once('connect', (res, socket, head) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      return finish(Object.assign(new Error(`proxy ${proxy.host} refused the tunnel to ${target}: ${res.statusCode} ${res.statusMessage ?? ''}`.trim()), { code: 'EPROXY' }));
    }
    if (head.length) socket.unshift(head);
    finish(null, socket);
  });
  req.once('response', (res) => {
    // a proxy that answers CONNECT with a body instead of switching (an error page)
    res.resume();
    finish(Object.assign(new Error(`proxy ${proxy.host} refused the tunnel to ${target}: ${res.statusCode} ${res.statusMessage ?? ''}`.trim()), { code: 'EPROXY' }));
  });
  req.once('error', (e) => finish(e));
  req.end();
}

/** The https.Agent for a server behind an HTTP(S) proxy: CONNECT, then TLS over the tunnel. */
export class HttpsTunnelAgent extends https.Agent {
  constructor(private readonly proxy: URL, opts: https.AgentOptions, private readonly tunnelTimeoutMs = 30_000) {
    super(opts);
  }

  // Node's Agent calls createConnection(options, callback) and waits for the callback when nothing is returned
  createConnection(options: any, cb?: AgentCallback): Duplex | null | undefined {
    openTunnel(this.proxy, options.host, Number(options.port), this.tunnelTimeoutMs, (err, raw) => {
      if (err || !raw) return failed(cb, err ?? new Error('no tunnel'));
      let tlsSocket: Duplex;
      try {
        tlsSocket = super.createConnection({ ...options, socket: raw }) as unknown as Duplex;
      } catch (e) {
        raw.destroy();
        return failed(cb, e as Error);
      }
      // the TLS socket does not always take the tunnel's socket down with it
      tlsSocket.once('close', () => raw.destroy());
      cb?.(null, tlsSocket);
    });
    return undefined;
  }
}

/** The http.Agent for a plain-http server behind an HTTP(S) proxy: the same CONNECT tunnel, no TLS. */
export class HttpTunnelAgent extends http.Agent {
  constructor(private readonly proxy: URL, opts: http.AgentOptions, private readonly tunnelTimeoutMs = 30_000) {
    super(opts);
  }

  createConnection(options: any, cb?: AgentCallback): Duplex | null | undefined {
    openTunnel(this.proxy, options.host, Number(options.port), this.tunnelTimeoutMs, (err, raw) => (err || !raw ? failed(cb, err ?? new Error('no tunnel')) : cb?.(null, raw)));
    return undefined;
  }
}
