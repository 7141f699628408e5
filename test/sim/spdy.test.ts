/** The SPDY/3.1 codec and server session the sim's port-forward (and kubectl's protocols) ride on. */
import { describe, it, expect, afterEach } from 'vitest';
import {
  CONTROL, DEFAULT_WINDOW, FLAG_FIN, FrameReader, GOAWAY, HEADER_DICTIONARY, HeaderZlib, MAX_DATA_CHUNK, RST, SpdySession,
  decodeHeaderBlock, encodeFrame, encodeHeaderBlock, type SpdyFrame, type SpdyStream,
} from '../../src/sim/spdy.js';
import { SpdyClient } from '../helpers/spdy.js';
import { until } from '../helpers/wait.js';

function adler32(b: Buffer): number {
  let a = 1, s = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

const FRAMES: SpdyFrame[] = [
  { type: 'data', streamId: 7, flags: FLAG_FIN, data: Buffer.from('hello') },
  { type: 'data', streamId: 0x7fffffff, flags: 0, data: Buffer.alloc(0) },
  { type: 'syn_stream', streamId: 3, associatedId: 1, priority: 5, slot: 0, flags: FLAG_FIN, headerBlock: Buffer.from([1, 2, 3]) },
  { type: 'syn_reply', streamId: 3, flags: 0, headerBlock: Buffer.from([9, 9]) },
  { type: 'headers', streamId: 5, flags: FLAG_FIN, headerBlock: Buffer.from([4]) },
  { type: 'rst_stream', streamId: 3, status: RST.CANCEL },
  { type: 'settings', flags: 1, entries: [{ flags: 0, id: 7, value: 1 << 20 }, { flags: 1, id: 4, value: 100 }] },
  { type: 'ping', id: 0xfffffffe },
  { type: 'goaway', lastGoodStreamId: 9, status: GOAWAY.INTERNAL_ERROR },
  { type: 'window_update', streamId: 0, delta: 123456 },
];

describe('SPDY/3.1 frames', () => {
  it('every frame type decodes to what was encoded, however the bytes are cut', () => {
    const bytes = Buffer.concat(FRAMES.map(encodeFrame));
    expect(new FrameReader().push(bytes)).toEqual(FRAMES);
    const reader = new FrameReader();
    const got: SpdyFrame[] = [];
    for (const b of bytes) got.push(...reader.push(Buffer.from([b])));
    expect(got).toEqual(FRAMES);
  });

  it('lays out control and data frame headers as the spec draws them', () => {
    const reply = encodeFrame({ type: 'syn_reply', streamId: 3, flags: FLAG_FIN, headerBlock: Buffer.from([0xaa, 0xbb]) });
    // C=1, version 3, type 2; flags 1, length 6; stream id; header block
    expect([...reply]).toEqual([0x80, 0x03, 0x00, 0x02, 0x01, 0x00, 0x00, 0x06, 0, 0, 0, 3, 0xaa, 0xbb]);
    const data = encodeFrame({ type: 'data', streamId: 5, flags: FLAG_FIN, data: Buffer.from('ab') });
    expect([...data]).toEqual([0, 0, 0, 5, 0x01, 0, 0, 2, 0x61, 0x62]);
    const wu = encodeFrame({ type: 'window_update', streamId: 1, delta: 65536 });
    expect([...wu]).toEqual([0x80, 3, 0, CONTROL.WINDOW_UPDATE, 0, 0, 0, 8, 0, 0, 0, 1, 0, 1, 0, 0]);
  });

  it('refuses a frame longer than the reader allows', () => {
    const big = encodeFrame({ type: 'data', streamId: 1, flags: 0, data: Buffer.alloc(100) });
    expect(() => new FrameReader(50).push(big)).toThrow(/larger than 50/);
  });

  it('header blocks: lower-case names, repeated values joined by NUL', () => {
    const block = encodeHeaderBlock({ StreamType: ['data'], port: ['8080'], multi: ['a', 'b'] });
    expect(block.readUInt32BE(0)).toBe(3);
    expect(block.includes(Buffer.from('a\0b'))).toBe(true);
    expect(decodeHeaderBlock(block)).toEqual({ streamtype: ['data'], port: ['8080'], multi: ['a', 'b'] });
    expect(() => decodeHeaderBlock(block.subarray(0, block.length - 1))).toThrow(/ends early/);
  });
});

describe('SPDY/3 header compression', () => {
  it('the dictionary is the 1423 bytes of SPDY/3, named in the zlib header by its Adler-32', async () => {
    expect(HEADER_DICTIONARY.length).toBe(1423);
    expect(HEADER_DICTIONARY.subarray(0, 11).toString('latin1')).toBe('\0\0\0\u0007options');
    expect(HEADER_DICTIONARY.subarray(-8).toString('latin1')).toBe('*,enq=0.');
    const z = new HeaderZlib('deflate');
    const out = await z.run(encodeHeaderBlock({ streamtype: ['error'] }));
    z.close();
    expect(out[1] & 0x20).toBe(0x20); // FDICT
    expect(out.readUInt32BE(2)).toBe(adler32(HEADER_DICTIONARY));
    // each block ends in a sync flush
    expect([...out.subarray(-4)]).toEqual([0, 0, 0xff, 0xff]);
  });

  it('each direction is one zlib stream: later blocks lean on earlier ones and only inflate in order', async () => {
    const d = new HeaderZlib('deflate');
    const i = new HeaderZlib('inflate');
    const blocks = [
      { streamtype: ['error'], port: ['8080'], requestid: ['0'] },
      { streamtype: ['data'], port: ['8080'], requestid: ['0'] },
      { streamtype: ['data'], port: ['8080'], requestid: ['0'] },
    ];
    const packed = await Promise.all(blocks.map((b) => d.run(encodeHeaderBlock(b))));
    expect(packed[2].length).toBeLessThan(packed[0].length);
    for (const [n, p] of packed.entries()) expect(decodeHeaderBlock(await i.run(p))).toEqual(blocks[n]);
    // a fresh inflater cannot read a block from the middle of the stream
    const fresh = new HeaderZlib('inflate');
    await expect(fresh.run(packed[1])).rejects.toThrow();
    for (const z of [d, i, fresh]) z.close();
  });
});

describe('SPDY/3.1 server session', () => {
  let client: SpdyClient;
  let session: SpdySession;
  let streams: SpdyStream[];
  let ended: boolean;
  let closedWith: Error | undefined | 'open';

  function start(onStream: (s: SpdyStream) => void = (s) => s.reply()) {
    streams = [];
    ended = false;
    closedWith = 'open';
    client = new SpdyClient((b) => session.feed(b));
    session = new SpdySession(
      { write: (b) => client.feed(b), end: () => (ended = true) },
      { onStream: (s) => { streams.push(s); onStream(s); }, onClose: (err) => (closedWith = err) },
    );
  }

  const opened = (n: number) => until(`${n} stream(s) opened`, () => streams.length >= n);

  afterEach(() => {
    session.destroy();
    client.close();
  });

  it('answers a SYN_STREAM with SYN_REPLY and carries data both ways, FIN included', async () => {
    start();
    const id = await client.open({ streamtype: 'data', port: '80', requestid: '0' });
    await opened(1);
    const reply = await client.waitFor('SYN_REPLY', (f) => f.type === 'syn_reply' && f.streamId === id);
    expect(reply.headers).toEqual({});
    expect(streams[0].headers).toEqual({ streamtype: ['data'], port: ['80'], requestid: ['0'] });
    expect(streams[0].header('Port')).toBe('80');
    let got = '';
    streams[0].on('data', (b: Buffer) => (got += b));
    client.data(id, 'ping ');
    client.data(id, 'pong', true);
    await until('the stream to end', () => streams[0].readableEnded || undefined);
    expect(got).toBe('ping pong');
    streams[0].end('answer');
    await until('FIN from the server', () => client.finished(id));
    expect(client.dataOf(id).toString()).toBe('answer');
    // both sides finished: the session forgets the stream
    await until('the stream to be forgotten', () => session.streams.size === 0);
  });

  it('writes data before the reply only after it, and splits big writes into frames', async () => {
    start(() => {});
    const id = await client.open({ streamtype: 'data' });
    await opened(1);
    const big = Buffer.alloc(MAX_DATA_CHUNK * 2 + 10, 7);
    streams[0].write(big);
    await until('all data', () => client.dataOf(id).length === big.length);
    const ofStream = client.received.filter((f) => 'streamId' in f && f.streamId === id);
    expect(ofStream[0].type).toBe('syn_reply');
    expect(ofStream.filter((f) => f.type === 'data').map((f) => (f as { data: Buffer }).data.length)).toEqual([MAX_DATA_CHUNK, MAX_DATA_CHUNK, 10]);
  });

  it('echoes the peer\'s PINGs (odd ids) and ignores even ones', async () => {
    start();
    client.frame({ type: 'ping', id: 2 });
    client.frame({ type: 'ping', id: 7 });
    const pong = await client.waitFor('PING echo', (f) => f.type === 'ping');
    expect(pong).toEqual({ type: 'ping', id: 7 });
    expect(client.received.filter((f) => f.type === 'ping')).toHaveLength(1);
  });

  it('acknowledges received data with WINDOW_UPDATE for the stream and the session', async () => {
    start();
    const id = await client.open({ streamtype: 'data' });
    await opened(1);
    streams[0].resume();
    for (let i = 0; i < 8; i++) client.data(id, Buffer.alloc(4096));
    const perStream = await client.waitFor('stream WINDOW_UPDATE', (f) => f.type === 'window_update' && f.streamId === id);
    const perSession = await client.waitFor('session WINDOW_UPDATE', (f) => f.type === 'window_update' && f.streamId === 0);
    expect((perStream as { delta: number }).delta).toBeGreaterThanOrEqual(DEFAULT_WINDOW / 4);
    expect((perSession as { delta: number }).delta).toBeGreaterThanOrEqual(DEFAULT_WINDOW / 4);
    const acked = (sid: number) => client.received.filter((f) => f.type === 'window_update' && f.streamId === sid).reduce((n, f) => n + (f as { delta: number }).delta, 0);
    expect(acked(id)).toBeLessThanOrEqual(8 * 4096);
    expect(acked(0)).toBe(8 * 4096);
  });

  it('a RST_STREAM from the peer ends the stream here without an answer', async () => {
    start();
    const id = await client.open({ streamtype: 'data' });
    await client.waitFor('SYN_REPLY', (f) => f.type === 'syn_reply');
    client.frame({ type: 'rst_stream', streamId: id, status: RST.CANCEL });
    await until('stream destroyed', () => streams[0].destroyed);
    expect(streams[0].resetReason?.message).toMatch(/reset by the peer/);
    expect(session.streams.size).toBe(0);
    expect(client.received.some((f) => f.type === 'rst_stream')).toBe(false);
  });

  it('reset() sends RST_STREAM with the status', async () => {
    start((s) => s.reset(RST.REFUSED_STREAM));
    const id = await client.open({ streamtype: 'bogus' });
    expect(await client.waitFor('RST', (f) => f.type === 'rst_stream')).toEqual({ type: 'rst_stream', streamId: id, status: RST.REFUSED_STREAM });
    expect(client.received.some((f) => f.type === 'syn_reply')).toBe(false);
  });

  it('GOAWAY from the peer closes every stream and the transport', async () => {
    start();
    await client.open({ streamtype: 'data' });
    await opened(1);
    client.frame({ type: 'goaway', lastGoodStreamId: 0, status: GOAWAY.OK });
    await until('transport ended', () => ended);
    expect(streams[0].destroyed).toBe(true);
    expect(closedWith).toBeUndefined();
    expect(session.isClosed).toBe(true);
  });

  it('a second SYN_STREAM for an open stream resets that stream; an id going backwards ends the session', async () => {
    start();
    await client.open({ streamtype: 'data' }); // id 1
    await client.open({ streamtype: 'data' }, false, 5);
    await opened(2);
    await client.open({ streamtype: 'data' }, false, 5);
    expect(await client.waitFor('RST', (f) => f.type === 'rst_stream')).toEqual({ type: 'rst_stream', streamId: 5, status: RST.PROTOCOL_ERROR });
    expect(streams[1].destroyed).toBe(true);
    expect(session.isClosed).toBe(false);
    await client.open({ streamtype: 'data' }, false, 3);
    const goaway = await client.waitFor('GOAWAY', (f) => f.type === 'goaway');
    expect(goaway).toEqual({ type: 'goaway', lastGoodStreamId: 5, status: GOAWAY.PROTOCOL_ERROR });
    await until('transport ended', () => ended);
    expect(String(closedWith)).toMatch(/stream id 3 after 5/);
    expect(streams[0].destroyed).toBe(true);
    expect(streams).toHaveLength(2);
  });

  it('a header block that does not inflate is a protocol error too', async () => {
    start();
    await client.open({ streamtype: 'data' });
    await opened(1);
    // compressed on a stream of its own: not a continuation of the session's zlib stream
    const z = new HeaderZlib('deflate');
    client.frame({ type: 'syn_stream', streamId: 3, associatedId: 0, priority: 0, slot: 0, flags: 0, headerBlock: await z.run(encodeHeaderBlock({ port: ['1'] })) });
    z.close();
    expect(await client.waitFor('GOAWAY', (f) => f.type === 'goaway')).toMatchObject({ status: GOAWAY.PROTOCOL_ERROR });
    await until('transport ended', () => ended);
    expect(String(closedWith)).toMatch(/header block/);
    expect(streams).toHaveLength(1);
  });

  it('SETTINGS are read (the initial window recorded), unknown control frames skipped', async () => {
    start();
    client.frame({ type: 'settings', flags: 0, entries: [{ flags: 0, id: 7, value: 1 << 20 }] });
    client.frame({ type: 'unknown', version: 3, controlType: 0x42, flags: 0, payload: Buffer.from('x') });
    client.frame({ type: 'ping', id: 1 });
    await client.waitFor('PING echo', (f) => f.type === 'ping');
    expect(session.peerInitialWindow).toBe(1 << 20);
    expect(session.isClosed).toBe(false);
  });
});
