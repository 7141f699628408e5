/**
 * SPDY/3.1, the server side, as much of it as kubectl's port-forward and exec need: the frame
 * codec, header blocks compressed with zlib over the SPDY/3 dictionary, and a session of
 * peer-initiated streams. The session only reads and writes bytes, so it runs on a raw upgraded
 * socket as well as inside the binary messages of a WebSocket tunnel.
 *
 * Flow control: the session acknowledges what it receives with WINDOW_UPDATE frames (per stream
 * and for the session). What it sends is not held back by the peer's window: the SPDY library on
 * both ends of real kubectl/kubelet traffic neither grants nor honours windows, so a server that
 * waited for them would stall every transfer past 64 KiB.
 */
import { Duplex } from 'node:stream';
import zlib from 'node:zlib';

export const SPDY_VERSION = 3;

export const CONTROL = {
  SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RST = {
  PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, UNSUPPORTED_VERSION: 4, CANCEL: 5, INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7, STREAM_IN_USE: 8, STREAM_ALREADY_CLOSED: 9, FRAME_TOO_LARGE: 11,
} as const;

/** GOAWAY status codes. */
export const GOAWAY = { OK: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2 } as const;

export const SETTINGS_INITIAL_WINDOW_SIZE = 7;
export const DEFAULT_WINDOW = 65536;
/** The largest data frame this side writes (the format allows 16 MiB). */
export const MAX_DATA_CHUNK = 32 * 1024;

/**
 * The zlib dictionary of SPDY/3 header blocks: length-prefixed header names and values, then a
 * run of status codes, reason phrases, dates and common values.
 */
export const HEADER_DICTIONARY: Buffer = (() => {
  const words = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
    'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
    'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
    'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
    'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
    'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
    'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive',
    'origin',
  ];
  const tail = '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505'
    + '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized'
    + '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable'
    + 'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT'
    + 'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,'
    + 'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts: Buffer[] = [];
  for (const w of words) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    parts.push(len, Buffer.from(w, 'latin1'));
  }
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
})();

/** Header names (lower case) to their values; SPDY joins repeated values with NUL. */
export type SpdyHeaders = Record<string, string[]>;

export type SpdyFrame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedId: number; priority: number; slot: number; flags: number; headerBlock: Buffer }
  | { type: 'syn_reply'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; version: number; controlType: number; flags: number; payload: Buffer };

export class SpdyProtocolError extends Error {}

function controlFrame(kind: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(kind, 2);
  h.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4);
  return Buffer.concat([h, payload]);
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** One frame as bytes. Header blocks go in already compressed. */
export function encodeFrame(f: SpdyFrame): Buffer {
  switch (f.type) {
    case 'data': {
      if (f.data.length > 0xffffff) throw new SpdyProtocolError('data frame too large');
      const h = u32s(f.streamId & 0x7fffffff, ((f.flags & 0xff) << 24 | f.data.length) >>> 0);
      return Buffer.concat([h, f.data]);
    }
    case 'syn_stream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      fixed.writeUInt32BE(f.associatedId & 0x7fffffff, 4);
      fixed[8] = (f.priority & 0x7) << 5;
      fixed[9] = f.slot & 0xff;
      return controlFrame(CONTROL.SYN_STREAM, f.flags, Buffer.concat([fixed, f.headerBlock]));
    }
    case 'syn_reply':
      return controlFrame(CONTROL.SYN_REPLY, f.flags, Buffer.concat([u32s(f.streamId & 0x7fffffff), f.headerBlock]));
    case 'headers':
      return controlFrame(CONTROL.HEADERS, f.flags, Buffer.concat([u32s(f.streamId & 0x7fffffff), f.headerBlock]));
    case 'rst_stream':
      return controlFrame(CONTROL.RST_STREAM, 0, u32s(f.streamId & 0x7fffffff, f.status));
    case 'settings':
      return controlFrame(CONTROL.SETTINGS, f.flags, u32s(f.entries.length, ...f.entries.flatMap((e) => [(e.flags & 0xff) << 24 | (e.id & 0xffffff), e.value])));
    case 'ping':
      return controlFrame(CONTROL.PING, 0, u32s(f.id));
    case 'goaway':
      return controlFrame(CONTROL.GOAWAY, 0, u32s(f.lastGoodStreamId & 0x7fffffff, f.status));
    case 'window_update':
      return controlFrame(CONTROL.WINDOW_UPDATE, 0, u32s(f.streamId & 0x7fffffff, f.delta & 0x7fffffff));
    case 'unknown':
      return controlFrame(f.controlType, f.flags, f.payload);
  }
}

function needLength(p: Buffer, min: number, what: string): void {
  if (p.length < min) throw new SpdyProtocolError(`${what} frame too short (${p.length} bytes)`);
}

function decodeControl(version: number, kind: number, flags: number, p: Buffer): SpdyFrame {
  if (version !== SPDY_VERSION) return { type: 'unknown', version, controlType: kind, flags, payload: p };
  const id31 = (at: number) => p.readUInt32BE(at) & 0x7fffffff;
  switch (kind) {
    case CONTROL.SYN_STREAM:
      needLength(p, 10, 'SYN_STREAM');
      return { type: 'syn_stream', streamId: id31(0), associatedId: id31(4), priority: p[8] >> 5, slot: p[9], flags, headerBlock: p.subarray(10) };
    case CONTROL.SYN_REPLY:
      needLength(p, 4, 'SYN_REPLY');
      return { type: 'syn_reply', streamId: id31(0), flags, headerBlock: p.subarray(4) };
    case CONTROL.HEADERS:
      needLength(p, 4, 'HEADERS');
      return { type: 'headers', streamId: id31(0), flags, headerBlock: p.subarray(4) };
    case CONTROL.RST_STREAM:
      needLength(p, 8, 'RST_STREAM');
      return { type: 'rst_stream', streamId: id31(0), status: p.readUInt32BE(4) };
    case CONTROL.SETTINGS: {
      needLength(p, 4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      if (p.length < 4 + n * 8) throw new SpdyProtocolError('SETTINGS frame shorter than its entry count');
      const entries = [];
      for (let i = 0; i < n; i++) {
        const w = p.readUInt32BE(4 + i * 8);
        entries.push({ flags: w >>> 24, id: w & 0xffffff, value: p.readUInt32BE(8 + i * 8) });
      }
      return { type: 'settings', flags, entries };
    }
    case CONTROL.PING:
      needLength(p, 4, 'PING');
      return { type: 'ping', id: p.readUInt32BE(0) };
    case CONTROL.GOAWAY:
      needLength(p, 4, 'GOAWAY');
      return { type: 'goaway', lastGoodStreamId: id31(0), status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
    case CONTROL.WINDOW_UPDATE:
      needLength(p, 8, 'WINDOW_UPDATE');
      return { type: 'window_update', streamId: id31(0), delta: p.readUInt32BE(4) & 0x7fffffff };
    default:
      return { type: 'unknown', version, controlType: kind, flags, payload: p };
  }
}

/** Cuts a byte stream into frames, however the bytes arrive. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrame = 0xffffff) {}

  /** The frames completed by `chunk`, in order. */
  push(chunk: Buffer): SpdyFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: SpdyFrame[] = [];
    let at = 0;
    while (this.buf.length - at >= 8) {
      const w0 = this.buf.readUInt32BE(at);
      const w1 = this.buf.readUInt32BE(at + 4);
      const len = w1 & 0xffffff;
      if (len > this.maxFrame) throw new SpdyProtocolError(`frame of ${len} bytes is larger than ${this.maxFrame}`);
      if (this.buf.length - at < 8 + len) break;
      const payload = this.buf.subarray(at + 8, at + 8 + len);
      const flags = w1 >>> 24;
      out.push(w0 & 0x80000000
        ? decodeControl((w0 >>> 16) & 0x7fff, w0 & 0xffff, flags, payload)
        : { type: 'data', streamId: w0 & 0x7fffffff, flags, data: payload });
      at += 8 + len;
    }
    this.buf = at === this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(at));
    return out;
  }
}

/** A name/value header block before compression. */
export function encodeHeaderBlock(h: SpdyHeaders): Buffer {
  const parts: Buffer[] = [u32s(Object.keys(h).length)];
  for (const [name, values] of Object.entries(h)) {
    const n = Buffer.from(name.toLowerCase());
    const v = Buffer.from(values.join('\0'));
    parts.push(u32s(n.length), n, u32s(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(b: Buffer): SpdyHeaders {
  const out: SpdyHeaders = {};
  let at = 0;
  const take = (n: number) => {
    if (at + n > b.length) throw new SpdyProtocolError('header block ends early');
    const s = b.subarray(at, at + n);
    at += n;
    return s;
  };
  const count = take(4).readUInt32BE(0);
  for (let i = 0; i < count; i++) {
    const name = take(take(4).readUInt32BE(0)).toString().toLowerCase();
    const value = take(take(4).readUInt32BE(0)).toString();
    (out[name] ??= []).push(...value.split('\0'));
  }
  return out;
}

/**
 * One direction's header compression: a single zlib stream over the SPDY dictionary for the life
 * of the session, each header block ending in a sync flush. Blocks are processed one at a time,
 * in the order given.
 */
export class HeaderZlib {
  private readonly z: zlib.Deflate | zlib.Inflate;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(kind: 'deflate' | 'inflate') {
    const opts = { dictionary: HEADER_DICTIONARY, flush: zlib.constants.Z_SYNC_FLUSH };
    this.z = kind === 'deflate' ? zlib.createDeflate(opts) : zlib.createInflate(opts);
    // errors reach the caller through the write callback
    this.z.on('error', () => {});
  }

  /** The compressed (or inflated) form of one header block. */
  run(block: Buffer): Promise<Buffer> {
    const next = this.tail.then(() => new Promise<Buffer>((resolve, reject) => {
      if (this.z.destroyed) return reject(new SpdyProtocolError('header compression closed'));
      // zlib reports bad input as an 'error' event and never calls the write back
      const onError = (err: Error) => {
        this.z.off('close', onClose);
        reject(new SpdyProtocolError(`header block: ${err.message}`));
      };
      const onClose = () => onError(new Error('closed'));
      this.z.once('error', onError);
      this.z.once('close', onClose);
      // each write is sync-flushed: by its callback every byte of output is in the readable buffer
      this.z.write(block, (err) => {
        this.z.off('error', onError);
        this.z.off('close', onClose);
        if (err) return reject(new SpdyProtocolError(`header block: ${err.message}`));
        const out: Buffer[] = [];
        for (let c: Buffer | null; (c = this.z.read() as Buffer | null) !== null;) out.push(c);
        resolve(Buffer.concat(out));
      });
    }));
    this.tail = next.catch(() => {});
    return next;
  }

  close(): void {
    this.z.destroy();
  }
}

export interface SpdyTransport {
  write(bytes: Buffer): void;
  /** no more bytes will be written; close the transport. */
  end(): void;
}

/** A stream the peer opened. Readable: its data; writable: ours (end() sends FIN). */
export class SpdyStream extends Duplex {
  /** the peer sent FIN (or the stream was reset). */
  remoteClosed = false;
  /** this side sent FIN (or the stream was reset). */
  localClosed = false;
  /** why the stream was reset, when it was. */
  resetReason?: Error;
  private replied = false;
  private unacked = 0;

  constructor(private readonly session: SpdySession, readonly id: number, readonly headers: SpdyHeaders) {
    super({ allowHalfOpen: true });
    // a write racing a reset is dropped; the reset itself is the news
    this.on('error', () => {});
  }

  /** The first value of a header. */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  /** SYN_REPLY; data written before it waits behind it. */
  reply(headers: SpdyHeaders = {}, fin = false): void {
    if (this.replied || this.localClosed) return;
    this.replied = true;
    this.session.sendHeaders('syn_reply', this.id, headers, fin);
    if (fin) this.closeLocal();
  }

  /** RST_STREAM to the peer, and the stream is gone on both sides. */
  reset(status: number = RST.CANCEL): void {
    if (this.localClosed && this.remoteClosed) return;
    this.session.sendFrame({ type: 'rst_stream', streamId: this.id, status });
    this.gone(new Error(`stream reset by this side (status ${status})`));
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.localClosed) return cb(new Error('write after the stream was closed'));
    this.reply();
    for (let at = 0; at < chunk.length; at += MAX_DATA_CHUNK) {
      this.session.sendFrame({ type: 'data', streamId: this.id, flags: 0, data: chunk.subarray(at, at + MAX_DATA_CHUNK) });
    }
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.localClosed) {
      this.reply();
      this.session.sendFrame({ type: 'data', streamId: this.id, flags: FLAG_FIN, data: Buffer.alloc(0) });
      this.closeLocal();
    }
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // torn down before both sides finished: tell the peer
    if (!(this.localClosed && this.remoteClosed)) {
      this.session.sendFrame({ type: 'rst_stream', streamId: this.id, status: RST.CANCEL });
      this.localClosed = this.remoteClosed = true;
    }
    this.session.forget(this);
    cb(err);
  }

  /** @internal data from the peer */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteClosed) {
      this.session.sendFrame({ type: 'rst_stream', streamId: this.id, status: RST.STREAM_ALREADY_CLOSED });
      return;
    }
    if (data.length) {
      this.push(data);
      this.unacked += data.length;
      if (this.unacked >= DEFAULT_WINDOW / 4 && !fin) {
        this.session.sendFrame({ type: 'window_update', streamId: this.id, delta: this.unacked });
        this.unacked = 0;
      }
    }
    if (fin) {
      this.remoteClosed = true;
      this.push(null);
      this.maybeDone();
    }
  }

  /** @internal the stream was reset (by either side), or the session ended */
  gone(reason?: Error): void {
    this.resetReason ??= reason;
    this.localClosed = this.remoteClosed = true;
    this.session.forget(this);
    // no error argument: a reset is how streams end here, not something to throw at listeners
    this.destroy();
  }

  private closeLocal(): void {
    this.localClosed = true;
    this.maybeDone();
  }

  private maybeDone(): void {
    if (this.localClosed && this.remoteClosed) this.session.forget(this);
  }
}

export interface SpdySessionOptions {
  /** a new stream from the peer; call stream.reply() (or reset()) to answer it. */
  onStream(stream: SpdyStream): void;
  /** the session is over (GOAWAY, transport closed, protocol error). */
  onClose?(err?: Error): void;
}

/**
 * The server end of a SPDY/3.1 session: streams are opened by the peer (odd ids), PINGs from the
 * peer are echoed, WINDOW_UPDATEs acknowledge received data, GOAWAY ends the session.
 */
export class SpdySession {
  readonly streams = new Map<number, SpdyStream>();
  /** the peer's initial stream window from SETTINGS (recorded; see the file comment on flow control). */
  peerInitialWindow = DEFAULT_WINDOW;
  private readonly reader = new FrameReader();
  private readonly inflate = new HeaderZlib('inflate');
  private readonly deflate = new HeaderZlib('deflate');
  private inbox: SpdyFrame[] = [];
  private pumping = false;
  /** pending output when a compressed header block is being made; later frames wait behind it. */
  private outTail: Promise<void> | null = null;
  private lastPeerStream = 0;
  private sessionUnacked = 0;
  /** no new streams or frames from the peer are taken. */
  private closed = false;
  /** the transport is ended or gone: nothing more is written. */
  private ended = false;

  constructor(private readonly transport: SpdyTransport, private readonly opts: SpdySessionOptions) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes from the peer. */
  feed(chunk: Buffer): void {
    if (this.closed) return;
    try {
      this.inbox.push(...this.reader.push(chunk));
    } catch (e) {
      return this.fail(e as Error);
    }
    void this.pump();
  }

  /** Send GOAWAY, reset what is open and close the transport once the output is written. */
  goAway(status: number = GOAWAY.OK, err?: Error): void {
    if (this.closed) return;
    this.sendFrame({ type: 'goaway', lastGoodStreamId: this.lastPeerStream, status });
    this.finish(err, true);
  }

  /** The transport is gone: drop everything without writing. */
  destroy(err?: Error): void {
    this.finish(err, false);
  }

  /** @internal */
  sendFrame(f: SpdyFrame): void {
    this.emit(encodeFrame(f));
  }

  /** @internal SYN_REPLY or HEADERS, whose header block must be compressed in order. */
  sendHeaders(type: 'syn_reply' | 'headers', streamId: number, headers: SpdyHeaders, fin: boolean): void {
    if (this.closed) return;
    const frame = this.deflate.run(encodeHeaderBlock(headers))
      .then((headerBlock) => encodeFrame({ type, streamId, flags: fin ? FLAG_FIN : 0, headerBlock }));
    this.emit(frame);
  }

  /** @internal */
  forget(s: SpdyStream): void {
    if (this.streams.get(s.id) === s) this.streams.delete(s.id);
  }

  private emit(bytes: Buffer | Promise<Buffer>): void {
    if (this.ended) return;
    if (!this.outTail && Buffer.isBuffer(bytes)) {
      this.transport.write(bytes);
      return;
    }
    const next: Promise<void> = (this.outTail ?? Promise.resolve()).then(() => bytes).then((b) => {
      if (!this.ended) this.transport.write(b);
    });
    this.outTail = next;
    next.then(() => {
      if (this.outTail === next) this.outTail = null;
    }, (e) => this.fail(e));
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.inbox.length && !this.closed) {
        const f = this.inbox.shift()!;
        if (f.type === 'syn_stream' || f.type === 'syn_reply' || f.type === 'headers') {
          const headers = decodeHeaderBlock(await this.inflate.run(f.headerBlock));
          if (!this.closed) this.handleHeaders(f, headers);
        } else this.handle(f);
      }
    } catch (e) {
      this.fail(e as Error);
    } finally {
      this.pumping = false;
    }
  }

  private handleHeaders(f: Extract<SpdyFrame, { headerBlock: Buffer }>, headers: SpdyHeaders): void {
    if (f.type !== 'syn_stream') {
      // this side opens no streams, so a SYN_REPLY is out of place; HEADERS on a known stream carry nothing we use
      if (f.type === 'syn_reply' || !this.streams.has(f.streamId)) this.sendFrame({ type: 'rst_stream', streamId: f.streamId, status: RST.INVALID_STREAM });
      else if (f.flags & FLAG_FIN) this.streams.get(f.streamId)!.receive(Buffer.alloc(0), true);
      return;
    }
    const id = f.streamId;
    // a second SYN_STREAM for an open stream ends that stream
    const open = this.streams.get(id);
    if (open) return open.reset(RST.PROTOCOL_ERROR);
    // otherwise the peer's stream ids are odd and only grow, or the session is broken
    if (id === 0 || id % 2 === 0 || id <= this.lastPeerStream) {
      return this.fail(new SpdyProtocolError(`SYN_STREAM with stream id ${id} after ${this.lastPeerStream}`));
    }
    this.lastPeerStream = id;
    const s = new SpdyStream(this, id, headers);
    this.streams.set(id, s);
    if (f.flags & FLAG_FIN) s.receive(Buffer.alloc(0), true);
    if (f.flags & FLAG_UNIDIRECTIONAL) s.end();
    this.opts.onStream(s);
  }

  private handle(f: SpdyFrame): void {
    switch (f.type) {
      case 'data': {
        this.sessionUnacked += f.data.length;
        if (this.sessionUnacked >= DEFAULT_WINDOW / 4) {
          this.sendFrame({ type: 'window_update', streamId: 0, delta: this.sessionUnacked });
          this.sessionUnacked = 0;
        }
        // data for a stream already closed here is dropped: it crossed our FIN or RST on the wire
        this.streams.get(f.streamId)?.receive(f.data, (f.flags & FLAG_FIN) !== 0);
        return;
      }
      case 'rst_stream':
        this.streams.get(f.streamId)?.gone(new Error(`stream reset by the peer (status ${f.status})`));
        return;
      case 'settings':
        for (const e of f.entries) if (e.id === SETTINGS_INITIAL_WINDOW_SIZE) this.peerInitialWindow = e.value;
        return;
      case 'ping':
        // the peer's pings have odd ids; ours (none) would be even
        if (f.id % 2 === 1) this.sendFrame(f);
        return;
      case 'goaway':
        // the peer is done (kubectl on exit): what is still open goes with it
        this.finish(undefined, true);
        return;
      case 'window_update':
      case 'unknown':
        return;
    }
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.goAway(GOAWAY.PROTOCOL_ERROR, err);
  }

  private finish(err: Error | undefined, flush: boolean): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.streams.values()]) s.gone(err);
    this.streams.clear();
    const done = () => {
      if (this.ended) return;
      this.ended = true;
      this.inflate.close();
      this.deflate.close();
      if (flush) this.transport.end();
      this.opts.onClose?.(err);
    };
    // output already queued (a SYN_REPLY being compressed) still goes out before the end
    const tail = this.outTail;
    if (tail && flush) tail.then(done, done);
    else done();
  }
}
