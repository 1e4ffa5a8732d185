/**
 * A TCP proxy on 127.0.0.1 that resets connections (RST, as a dropped link or a load balancer
 * does), for fault tests. Two kinds, alternating: in the middle of a request (the server never
 * sees it whole) and after the server has answered (the work is done, the answer is lost, so the
 * client's retry meets documents that already exist).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ResetProxy {
  url: string;
  /** Resets done so far, by kind. */
  resets: { midRequest: number; afterResponse: number };
  close(): Promise<void>;
}

export interface ResetProxyOptions {
  /** Total resets to do (then it only forwards). */
  resets: number;
  /** Requests bodies larger than this get reset in the middle (bytes from the client). */
  midRequestAfterBytes?: number;
  /** Only requests whose first bytes match this are candidates (default: bulk requests). */
  match?: RegExp;
  /** One candidate request in this many is reset (default 3): intermittent, as real resets are. */
  every?: number;
}

export async function startResetProxy(target: string, options: ResetProxyOptions): Promise<ResetProxy> {
  const { hostname, port } = new URL(target);
  const resets = { midRequest: 0, afterResponse: 0 };
  const match = options.match ?? /^(POST|PUT) \/[^ ]*_bulk/;
  const sockets = new Set<Socket>();
  let turn = 0;
  let candidates = 0;
  const every = options.every ?? 3;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let seen = 0;
    let mode: 'none' | 'mid' | 'after' | undefined;
    const kill = () => {
      client.resetAndDestroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1', 0, 200);
      // A new request (also on a kept-alive connection): decide what happens to it.
      if (mode === undefined || /^(GET|POST|PUT|DELETE|HEAD) \//.test(head)) {
        const candidate = match.test(head) && resets.midRequest + resets.afterResponse < options.resets && candidates++ % every === 0;
        mode = candidate ? (turn++ % 2 === 0 ? 'mid' : 'after') : 'none';
        seen = 0;
      }
      seen += chunk.length;
      if (mode === 'mid' && seen > (options.midRequestAfterBytes ?? 20_000)) {
        // Forward part of this chunk only, then reset: the server gets a truncated request.
        upstream.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)), () => {
          resets.midRequest++;
          kill();
        });
        mode = 'none';
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (mode === 'after') {
        resets.afterResponse++;
        mode = 'none';
        kill(); // the server did the work; its answer never arrives
        return;
      }
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    resets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
