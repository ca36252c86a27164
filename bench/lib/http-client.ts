/**
 * A lean JSON client for load generation over loopback: node:http with keep-alive sockets,
 * one socket per request in flight. Lighter than fetch, so the load generator (on the other
 * core) disturbs the server's figures less. Refuses any host but 127.0.0.1.
 */
import { Agent, request } from 'node:http';
import { now } from './stats.ts';

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  /** From the request being written to the last byte of the response. */
  ms: number;
}

export function createJsonClient(baseUrl: string, maxSockets: number) {
  const base = new URL(baseUrl);
  if (base.hostname !== '127.0.0.1') throw new Error(`benchmarks talk to 127.0.0.1 only, not ${base.hostname}`);
  const agent = new Agent({ keepAlive: true, maxSockets });

  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const start = now();
      const req = request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method,
          path,
          headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const ms = now() - start;
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = text;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, ms });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  /**
   * Opens `maxSockets` keep-alive connections with one cheap GET each, all at once. Node 20's
   * libuv accepts one connection per event-loop turn (libuv/libuv#3696), so connections opened
   * while the server is busy wait for its queue to drain; phases start on open connections so
   * that they measure the requests, not that accept rate.
   */
  const warm = async (path: string) => {
    // After seconds of synchronous client work (blinding, finalizing), let the event loop read
    // what arrived meanwhile first: the server closes keep-alive sockets idle for 5 s, and a
    // request written on such a socket before its close is read ends in "socket hang up".
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(Array.from({ length: maxSockets }, () => send('GET', path)));
    const open = Object.values(agent.freeSockets).reduce((sum, list) => sum + (list?.length ?? 0), 0);
    if (open < maxSockets) throw new Error(`only ${open} of ${maxSockets} connections are open after warming`);
  };

  return Object.freeze({ send, warm, close: () => agent.destroy() });
}

export type JsonClient = ReturnType<typeof createJsonClient>;

/**
 * Runs `job` for indices 0..count-1 with exactly `inFlight` workers pulling the next index
 * (a closed loop: a new request starts as soon as one finishes). Returns the wall time in ms.
 */
export async function runClosedLoop(count: number, inFlight: number, job: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = now();
  const worker = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return now() - start;
}
