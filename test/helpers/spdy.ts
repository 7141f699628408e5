/** The client end of a SPDY/3.1 session for tests, built on the sim's codec, plus a small HTTP/1.1 response parser. */
import {
  FrameReader, HeaderZlib, FLAG_FIN, decodeHeaderBlock, encodeFrame, encodeHeaderBlock, type SpdyFrame, type SpdyHeaders,
} from '../../src/sim/spdy.js';
import { until } from './wait.js';

export type Received = SpdyFrame & { headers?: SpdyHeaders };

export class SpdyClient {
  readonly received: Received[] = [];
  private readonly reader = new FrameReader();
  private readonly inflate = new HeaderZlib('inflate');
  private readonly deflate = new HeaderZlib('deflate');
  private chain: Promise<void> = Promise.resolve();
  private nextId = 1;

  constructor(private readonly send: (b: Buffer) => void) {}

  /** bytes from the server */
  feed(b: Buffer): void {
    for (const f of this.reader.push(b)) {
      this.chain = this.chain.then(async () => {
        const headers = 'headerBlock' in f ? decodeHeaderBlock(await this.inflate.run(f.headerBlock)) : undefined;
        this.received.push({ ...f, ...(headers ? { headers } : {}) });
      });
    }
  }

  /** SYN_STREAM with the next odd id (or the given one); resolves to the id once the frame is sent. */
  async open(headers: Record<string, string>, fin = false, id = this.nextId): Promise<number> {
    this.nextId = Math.max(this.nextId, id + 2);
    const block = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
    const headerBlock = await this.deflate.run(encodeHeaderBlock(block));
    this.send(encodeFrame({ type: 'syn_stream', streamId: id, associatedId: 0, priority: 0, slot: 0, flags: fin ? FLAG_FIN : 0, headerBlock }));
    return id;
  }

  data(id: number, data: Buffer | string, fin = false): void {
    this.send(encodeFrame({ type: 'data', streamId: id, flags: fin ? FLAG_FIN : 0, data: Buffer.from(data) }));
  }

  frame(f: SpdyFrame): void {
    this.send(encodeFrame(f));
  }

  /** The first received frame that matches, waiting for it. */
  waitFor(what: string, pred: (f: Received) => boolean, ms = 5000): Promise<Received> {
    return until(what, () => this.received.find(pred), ms, 5);
  }

  /** Everything received on a stream's data frames so far. */
  dataOf(id: number): Buffer {
    return Buffer.concat(this.received.filter((f) => f.type === 'data' && f.streamId === id).map((f) => (f as { data: Buffer }).data));
  }

  /** Whether the server finished its side of the stream (FIN). */
  finished(id: number): boolean {
    return this.received.some((f) => (f.type === 'data' || f.type === 'syn_reply') && f.streamId === id && (f.flags & FLAG_FIN) !== 0);
  }

  close(): void {
    this.inflate.close();
    this.deflate.close();
  }
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The complete HTTP/1.1 responses (Content-Length framed) at the start of `buf`. */
export function parseResponses(buf: Buffer): HttpResponse[] {
  const out: HttpResponse[] = [];
  let at = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const [statusLine, ...lines] = buf.subarray(at, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const len = Number(headers['content-length'] ?? 0);
    if (buf.length < end + 4 + len) break;
    out.push({ status: Number(statusLine.split(' ')[1]), headers, body: buf.subarray(end + 4, end + 4 + len) });
    at = end + 4 + len;
  }
  return out;
}
