/**
 * Small HTTP helpers for tests that talk to the simulated API directly. A URL served by a
 * fleet in this process is reached as that fleet's admin (its CA trusted, the admin client
 * certificate presented) unless `user` names another of its users, or 'anonymous' for none.
 */
import http from 'node:http';
import https from 'node:https';
import { fleetServing } from '../../src/sim/fleet.js';

/** What reaching `url` as `user` takes: the fleet's CA, a client certificate or an Authorization header. */
export interface SimAuth {
  ca?: string;
  cert?: string;
  key?: string;
  headers: Record<string, string>;
}

/**
 * The credentials for `url` as `user` (default admin; 'anonymous': none) when a fleet in this
 * process serves it. On a plain-http fleet the default is no credentials (system:unsecured).
 */
export function simAuth(url: string, user?: string): SimAuth {
  const fleet = fleetServing(url);
  if (!fleet || (!fleet.secure && user === undefined)) return { headers: {} };
  return fleet.tls(user ?? 'admin');
}

/** Node request options for `url` as `user`, extra headers on top. */
export function simRequestOptions(url: string, user?: string, headers: Record<string, string> = {}): https.RequestOptions {
  const a = simAuth(url, user);
  return { headers: { ...a.headers, ...headers }, ...(a.ca ? { ca: a.ca } : {}), ...(a.cert ? { cert: a.cert, key: a.key } : {}) };
}

const modFor = (url: string) => (url.startsWith('https:') ? https : http);

export interface Resp {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): any;
}

/**
 * One exchange, the whole answer read; https URLs trust `ca` when given (then nothing else is
 * added), else a fleet's URL is reached as `user` (see simAuth).
 */
export function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; ca?: string | Buffer; user?: string } = {}): Promise<Resp> {
  return new Promise((resolve, reject) => {
    const o = opts.ca ? { headers: opts.headers, ca: opts.ca } : simRequestOptions(url, opts.user, opts.headers);
    const req = modFor(url).request(url, { method: opts.method ?? 'GET', ...o }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export interface WatchStream {
  status: Promise<number>;
  events: any[];
  ended: Promise<void>;
  isEnded(): boolean;
  /** resolves once at least n events arrived (or rejects after ms). */
  waitFor(n: number, ms?: number): Promise<any[]>;
  until(pred: (ev: any) => boolean, ms?: number): Promise<any>;
  close(): void;
}

/** Opens a watch and collects its newline-delimited events (as `user` of the fleet serving it, see simAuth). */
export function watch(url: string, headers: Record<string, string> = {}, user?: string): WatchStream {
  const events: any[] = [];
  const waiters: (() => void)[] = [];
  let ended = false;
  let endResolve!: () => void;
  let statusResolve!: (n: number) => void;
  const endedP = new Promise<void>((r) => (endResolve = r));
  const statusP = new Promise<number>((r) => (statusResolve = r));
  const req = modFor(url).get(url, simRequestOptions(url, user, headers), (res) => {
    statusResolve(res.statusCode ?? 0);
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) events.push(JSON.parse(line));
      }
      for (const w of waiters.splice(0)) w();
    });
    const finish = () => {
      ended = true;
      endResolve();
      for (const w of waiters.splice(0)) w();
    };
    res.on('end', finish);
    res.on('close', finish);
  });
  req.on('error', () => {
    ended = true;
    endResolve();
  });
  const wait = (check: () => boolean, ms: number, what: string) => new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}; got ${events.length} events: ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name]))}`)), ms);
    const tryIt = () => {
      if (check()) { clearTimeout(t); resolve(); return; }
      if (ended) { clearTimeout(t); reject(new Error(`stream ended while waiting for ${what}`)); return; }
      waiters.push(tryIt);
    };
    tryIt();
  });
  return {
    status: statusP,
    events,
    ended: endedP,
    isEnded: () => ended,
    async waitFor(n, ms = 5000) {
      await wait(() => events.length >= n, ms, `${n} events`);
      return events;
    },
    async until(pred, ms = 5000) {
      let found: any;
      await wait(() => (found = events.find(pred)) !== undefined, ms, 'a matching event');
      return found;
    },
    close() {
      req.destroy();
    },
  };
}
