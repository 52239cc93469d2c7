/**
 * Test support: a local Socket Mode endpoint, so a Bolt app with `socketMode: true` can be driven
 * end to end without Slack. Pair it with the emulator: `emu.setSocketUrl(server.url)` makes
 * `apps.connections.open` hand this URL to the app's SocketModeClient.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface SocketEnvelope {
  type: 'events_api' | 'slash_commands' | 'interactive';
  payload: object;
  envelope_id?: string;
  accepts_response_payload?: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface SocketAck {
  envelope_id: string;
  payload?: unknown;
}

export interface SocketModeServer {
  url: string;
  /** Delivers an envelope to the connected app; resolves with the app's ack (rejects after `timeoutMs`). */
  send(envelope: SocketEnvelope, timeoutMs?: number): Promise<SocketAck>;
  /** Resolves once an app has connected and been sent `hello`. */
  connected(): Promise<void>;
  close(): Promise<void>;
}

export async function startSocketModeServer(): Promise<SocketModeServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const pendingAcks = new Map<string, (ack: SocketAck) => void>();
  let current: WebSocket | undefined;
  let onConnected: () => void = () => {};
  let connectedOnce = new Promise<void>((resolve) => (onConnected = resolve));

  wss.on('connection', (ws) => {
    current = ws;
    // Slack's first frame; the SocketModeClient treats itself as connected only after it.
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        connection_info: { app_id: 'A1' },
        debug_info: { host: 'local', approximate_connection_time: 3600 },
      }),
    );
    onConnected();
    ws.on('message', (data) => {
      let ack: unknown;
      try {
        ack = JSON.parse(String(data));
      } catch {
        return; // Slack ignores frames it cannot parse
      }
      const id = (ack as { envelope_id?: unknown }).envelope_id;
      if (typeof id === 'string') pendingAcks.get(id)?.(ack as SocketAck);
    });
    ws.on('close', () => {
      if (current !== ws) return;
      current = undefined;
      connectedOnce = new Promise<void>((resolve) => (onConnected = resolve));
    });
  });

  const { port } = wss.address() as AddressInfo;
  return {
    // Same shape as Slack's (wss://wss-primary.slack.com/link/?ticket=...), over plain ws on loopback.
    url: `ws://127.0.0.1:${port}/link/?ticket=${randomUUID()}&app_id=A1`,
    connected: () => connectedOnce,
    async send(envelope, timeoutMs = 5000) {
      await connectedOnce;
      const ws = current;
      if (!ws) throw new Error('Socket Mode server: the app disconnected');
      const envelope_id = envelope.envelope_id ?? randomUUID();
      const frame = { ...envelope, envelope_id, accepts_response_payload: envelope.accepts_response_payload ?? false };
      return new Promise<SocketAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          pendingAcks.delete(envelope_id);
          reject(new Error(`Socket Mode server: no ack for ${envelope.type} envelope ${envelope_id} within ${timeoutMs} ms`));
        }, timeoutMs);
        pendingAcks.set(envelope_id, (ack) => {
          clearTimeout(timer);
          pendingAcks.delete(envelope_id);
          resolve(ack);
        });
        ws.send(JSON.stringify(frame));
      });
    },
    async close() {
      // Bolt's app.stop() does not wait for the close handshake it starts, so finish it here: a
      // terminated socket would make the SocketModeClient log a WebSocket error. Terminate stragglers.
      await Promise.all(
        [...wss.clients].map(
          (client) =>
            new Promise<void>((resolve) => {
              if (client.readyState === client.CLOSED) return resolve();
              const timer = setTimeout(() => client.terminate(), 1000);
              client.once('close', () => {
                clearTimeout(timer);
                resolve();
              });
              if (client.readyState === client.OPEN) client.close(1000);
            }),
        ),
      );
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
