/**
 * A TCP proxy in front of the ClickHouse HTTP test endpoint that breaks connections at the transport boundary: it can
 * cut an INSERT while its body is on the wire (the store never runs it; the client sees a reset), which the endpoint's
 * own faults (after the insert ran) do not cover. Everything else is passed through byte for byte.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface FaultProxyCounters {
  connections: number;
  /** INSERT requests cut mid-body. */
  resets: number;
}

export class FaultProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private resetsLeft = 0;
  private bodyBytesBeforeReset = 0;
  readonly counters: FaultProxyCounters = { connections: 0, resets: 0 };
  port = 0;

  constructor(private readonly targetPort: () => number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((client) => this.handle(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** The next `times` INSERTs are cut after `bodyBytes` bytes of their body have been forwarded. */
  resetInsertsMidBody(times: number, bodyBytes = 16): void {
    this.resetsLeft = times;
    this.bodyBytesBeforeReset = bodyBytes;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(client: Socket): void {
    this.counters.connections++;
    const upstream = connect(this.targetPort(), '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('data', (data: Buffer) => client.write(data));
    // Bytes of the current cut-candidate body forwarded so far; undefined when no INSERT is being cut.
    let forwarded: number | undefined;
    client.on('data', (data: Buffer) => {
      if (forwarded === undefined && this.resetsLeft > 0 && /^POST [^\r\n]*query=INSERT/i.test(data.toString('latin1', 0, 512))) {
        this.resetsLeft--;
        forwarded = 0;
        const headerEnd = data.indexOf('\r\n\r\n');
        const bodyStart = headerEnd === -1 ? data.length : headerEnd + 4;
        upstream.write(data.subarray(0, bodyStart));
        data = data.subarray(bodyStart);
      }
      if (forwarded === undefined) {
        upstream.write(data);
        return;
      }
      const room = this.bodyBytesBeforeReset - forwarded;
      upstream.write(data.subarray(0, Math.max(0, room)));
      forwarded += data.length;
      if (forwarded >= this.bodyBytesBeforeReset) {
        this.counters.resets++;
        // A reset, not a clean close: both ends see the connection die in the middle of the request.
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }
    });
  }
}
