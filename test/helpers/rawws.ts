/**
 * A bare WebSocket client for tests that must send what browsers and the `ws` client refuse to:
 * kubectl offers the subprotocol `SPDY/3.1+portforward.k8s.io`, which is not an RFC 6455 token.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { simAuth } from './http.js';

export interface RawWebSocket {
  /** the 101's Sec-WebSocket-Protocol */
  protocol: string;
  /** every data frame received: opcode 1 text, 2 binary, 0 continuation */
  frames: { opcode: number; data: Buffer }[];
  onData(cb: (data: Buffer) => void): void;
  sendBinary(data: Buffer): void;
  /** resolves with the close code the server sent (or 1006 when the connection just ended) */
  closed: Promise<number>;
  destroy(): void;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len])
    : len < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff])
      : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(len)); return b; })()]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([head, mask, body]);
}

/** An upgrade on a TCP connection (TLS for https/wss, as `user` of the fleet serving it: see simAuth). */
export function rawWebSocket(url: string, protocol: string, user?: string): Promise<RawWebSocket> {
  const u = new URL(url);
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  const auth = simAuth(url, user);
  const extra = Object.entries(auth.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return new Promise((resolve, reject) => {
    const hello = () => {
      socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`
        + `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Protocol: ${protocol}\r\n${extra}\r\n`);
    };
    const secure = u.protocol === 'https:' || u.protocol === 'wss:';
    const socket: net.Socket = secure
      ? tls.connect({ host: u.hostname, port: Number(u.port), ca: auth.ca, cert: auth.cert, key: auth.key }, hello)
      : net.connect(Number(u.port), u.hostname, hello);
    socket.on('error', reject);
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const frames: { opcode: number; data: Buffer }[] = [];
    const listeners: ((d: Buffer) => void)[] = [];
    let closeCode = 1006;
    let closedResolve!: (code: number) => void;
    const closed = new Promise<number>((r) => (closedResolve = r));
    socket.on('close', () => closedResolve(closeCode));
    const parse = () => {
      for (;;) {
        if (buf.length < 2) return;
        const opcode = buf[0] & 0x0f;
        let len = buf[1] & 0x7f;
        let at = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          at = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          at = 10;
        }
        if (buf.length < at + len) return;
        const data = buf.subarray(at, at + len);
        buf = buf.subarray(at + len);
        if (opcode === 8) {
          closeCode = data.length >= 2 ? data.readUInt16BE(0) : 1005;
          socket.end(frame(8, data.subarray(0, 2)));
        } else if (opcode === 9) socket.write(frame(10, data));
        else if (opcode <= 2) {
          frames.push({ opcode, data });
          for (const l of listeners) l(data);
        }
      }
    };
    socket.on('data', (b: Buffer) => {
      buf = Buffer.concat([buf, b]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        if (!/^HTTP\/1\.1 101 /.test(head)) return reject(Object.assign(new Error(head.split('\r\n')[0]), { head }));
        if (!head.includes(`\r\nSec-WebSocket-Accept: ${accept}`)) return reject(new Error(`bad Sec-WebSocket-Accept in\n${head}`));
        upgraded = true;
        resolve({
          protocol: /\r\nSec-WebSocket-Protocol: ([^\r]*)/i.exec(head)?.[1] ?? '',
          frames,
          onData: (cb) => listeners.push(cb),
          sendBinary: (data) => socket.write(frame(2, data)),
          closed,
          destroy: () => socket.destroy(),
        });
      }
      parse();
    });
  });
}
