import crypto from 'node:crypto';
import type { HubCommand, HubReply } from '../../../protocol/index.ts';
import type { EventBus } from '../bus.ts';
import type { Clock } from '../clock.ts';
import type { HearthEvents } from '../events.ts';
import type { HubBroker } from './broker.ts';

/** Commands a person may send: the protocol's command without its id (the server assigns one). */
export type CommandRequest = HubCommand extends infer C ? (C extends HubCommand ? Omit<C, 'id'> : never) : never;

/** What came of a command: the hub's reply, or that it did not answer in time. */
export type CommandOutcome = { answered: true; reply: HubReply; ms: number } | { answered: false; reason: 'not-connected' | 'timeout' };

/**
 * Sends commands to hubs and waits for their replies (matched by id on the
 * bus's 'hub.reply'), with a timeout on the injected clock. Used by the
 * installer's "which box is this?" (identify) and ping.
 */
export class HubCommands {
  private readonly waiting = new Map<string, { hubId: string; resolve: (r: HubReply) => void }>();

  constructor(
    private readonly broker: HubBroker,
    bus: EventBus<HearthEvents>,
    private readonly clock: Clock,
  ) {
    bus.on('hub.reply', ({ hubId, reply }) => {
      const w = this.waiting.get(reply.id);
      // A reply is taken only from the hub the command went to.
      if (w && w.hubId === hubId) {
        this.waiting.delete(reply.id);
        w.resolve(reply);
      }
    });
  }

  /** Send a command and wait up to timeoutMs for the hub's reply. */
  async send(hubId: string, request: CommandRequest, timeoutMs = 10_000): Promise<CommandOutcome> {
    if (!this.broker.isConnected(hubId)) return { answered: false, reason: 'not-connected' };
    const id = crypto.randomUUID().slice(0, 18);
    const started = this.clock.now();
    const reply = new Promise<HubReply | null>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.waiting.delete(id);
        resolve(null);
      }, timeoutMs);
      this.waiting.set(id, {
        hubId,
        resolve: (r) => {
          this.clock.clearTimeout(timer);
          resolve(r);
        },
      });
    });
    await this.broker.sendCommand(hubId, { ...request, id } as HubCommand);
    const r = await reply;
    return r ? { answered: true, reply: r, ms: this.clock.now() - started } : { answered: false, reason: 'timeout' };
  }
}
