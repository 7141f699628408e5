/**
 * HTTP helpers that tell a complete answer from one cut short: a response or watch stream
 * whose connection was destroyed mid-body resolves (it does not reject) with `complete: false`
 * and whatever arrived, so tests can check a truncation or a dropped watch.
 */
import http from 'node:http';
import https from 'node:https';
import { simRequestOptions } from './http.js';

const modFor = (url: string) => (url.startsWith('https:') ? https : http);

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** the body as far as it arrived */
  text: string;
  /** the body ended properly (Content-Length reached, or the final chunk of a chunked body) */
  complete: boolean;
}

/** One exchange on its own connection; a fleet's URL is reached as `user` (default admin, see simAuth). */
export function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; user?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = modFor(url).request(url, { method: opts.method ?? 'GET', ...simRequestOptions(url, opts.user, opts.headers), agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let done = false;
      const finish = (complete: boolean) => {
        if (done) return;
        done = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), complete });
      };
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => finish(res.complete));
      res.on('error', () => finish(false));
      res.on('close', () => finish(res.complete));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export interface RawStream {
  status: Promise<number>;
  headers: Promise<http.IncomingHttpHeaders>;
  /** whole lines, parsed */
  events: any[];
  /** what came after the last newline (a line cut in half) */
  rest(): string;
  /** resolves when the stream is over: `clean` when it ended with the final chunk, not cut */
  ended: Promise<{ clean: boolean }>;
  isEnded(): boolean;
  /** resolves once `pred` holds for the events so far, rejects after `ms` or if the stream ends first */
  until(what: string, pred: (events: any[]) => boolean, ms?: number): Promise<any[]>;
  close(): void;
}

/** A watch (or any newline-delimited JSON stream), keeping track of how it ends. */
export function rawStream(url: string, headers: Record<string, string> = {}, user?: string): RawStream {
  const events: any[] = [];
  let buf = '';
  let ended = false;
  const waiters = new Set<() => void>();
  let statusResolve!: (n: number) => void;
  let headersResolve!: (h: http.IncomingHttpHeaders) => void;
  let endResolve!: (r: { clean: boolean }) => void;
  const status = new Promise<number>((r) => (statusResolve = r));
  const hdrs = new Promise<http.IncomingHttpHeaders>((r) => (headersResolve = r));
  const endedP = new Promise<{ clean: boolean }>((r) => (endResolve = r));
  const finish = (clean: boolean) => {
    if (ended) return;
    ended = true;
    endResolve({ clean });
    for (const w of [...waiters]) w();
  };
  const req = modFor(url).get(url, { ...simRequestOptions(url, user, headers), agent: false }, (res) => {
    statusResolve(res.statusCode ?? 0);
    headersResolve(res.headers);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) events.push(JSON.parse(line));
      }
      for (const w of [...waiters]) w();
    });
    res.on('end', () => finish(res.complete));
    res.on('error', () => finish(false));
    res.on('close', () => finish(res.complete));
  });
  req.on('error', () => {
    statusResolve(0);
    finish(false);
  });
  return {
    status,
    headers: hdrs,
    events,
    rest: () => buf,
    ended: endedP,
    isEnded: () => ended,
    until(what, pred, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pred(events)) {
            cleanup();
            resolve(events);
          } else if (ended) {
            cleanup();
            reject(new Error(`the stream ended while waiting for ${what}; got ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name]))}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name]))}`));
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      req.destroy();
    },
  };
}

/** The sim's admin endpoint on one cluster's port. */
export async function simAdmin(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await rawRequest(`${base}/_sim${path}`, {
    method, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
  });
  return { status: r.status, json: r.text ? JSON.parse(r.text) : undefined };
}
