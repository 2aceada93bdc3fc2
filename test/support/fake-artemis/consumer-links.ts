/**
 * Links on which clients receive from the broker (the broker's sending end): which queue a source address
 * names (`addr::queue`, a queue name, an address, or a dynamic node), refusal with amqp:not-found.
 */
import type { Sender } from 'rhea';
import type { BrokerState } from './broker-state.js';
import type { Consumer, Dispatcher } from './consumers.js';
import { conditions } from './errors.js';
import type { QueueInfo } from './model.js';
import { capabilityList, linkGuts } from './rhea-internals.js';
import { capabilityRoutingType, splitFqqn } from './routing.js';

export class ConsumerLinks {
  private readonly open = new Map<Sender, Consumer>();

  constructor(
    private readonly state: BrokerState,
    private readonly dispatcher: Dispatcher,
    private readonly autoCreate: boolean,
    private readonly newName: () => string,
  ) {}

  attach(sender: Sender): void {
    const source = sender.source as { address?: string; dynamic?: boolean; capabilities?: unknown } | null;
    const capabilities = capabilityList(source?.capabilities);
    linkGuts(sender).local.attach.snd_settle_mode = sender.snd_settle_mode;
    let queue: QueueInfo | undefined;
    let ownsQueue = false;
    let address = source?.address ?? undefined;
    if (source?.dynamic) {
      // A temporary ANYCAST queue named by a UUID, returned in the attach; deleted with the link.
      address = this.newName();
      queue = this.state.createTemporaryQueue(address);
      ownsQueue = true;
    } else if (address) {
      const found = this.resolve(address, capabilities);
      queue = found?.queue;
      ownsQueue = found?.owns ?? false;
    }
    if (!queue) {
      sender.close({ condition: conditions.notFound, description: `AMQ119005: source address ${address ?? ''} does not exist` });
      return;
    }
    sender.set_source({ address, dynamic: source?.dynamic ?? false, capabilities } as never);
    const remoteTarget = sender.target as { address?: string } | null;
    sender.set_target({ address: remoteTarget?.address } as never);
    const consumer = this.dispatcher.add(sender, queue, { presettled: sender.snd_settle_mode === 1, ownsQueue });
    this.open.set(sender, consumer);
    this.dispatcher.pump(queue.name);
  }

  detach(sender: Sender, clean = false): void {
    const c = this.open.get(sender);
    if (!c) return;
    this.open.delete(sender);
    this.dispatcher.remove(c, clean);
  }

  /** Forget every consumer without touching the queues (the broker is going down). */
  reset(): void {
    this.open.clear();
  }

  private resolve(address: string, capabilities: string[]): { queue: QueueInfo; owns: boolean } | undefined {
    const { state } = this;
    const capType = capabilityRoutingType(capabilities);
    const fq = splitFqqn(address);
    if (fq) {
      const q = state.queues.get(fq.queue);
      if (q && q.address === fq.address) return { queue: q, owns: false };
      if (q || !this.autoCreate) return undefined;
      return {
        queue: state.createQueue(
          { name: fq.queue, address: fq.address, routingType: capType ?? 'MULTICAST', filter: null, durable: true, autoCreateAddress: true, temporary: false, given: {} },
          false,
          { autoCreated: true },
        ),
        owns: false,
      };
    }
    const byName = state.queues.get(address);
    if (byName) return { queue: byName, owns: false };
    const addr = state.addresses.get(address);
    if (addr) {
      const wantsMulticast = capType === 'MULTICAST' || (capType === undefined && !addr.routingTypes.has('ANYCAST'));
      if (wantsMulticast && addr.routingTypes.has('MULTICAST')) {
        // A plain receiver on a multicast address gets its own non-durable subscription queue.
        const q = state.createQueue(
          { name: this.newName(), address, routingType: 'MULTICAST', filter: null, durable: false, autoCreateAddress: false, temporary: true, given: {} },
          false,
        );
        return { queue: q, owns: true };
      }
    }
    if (!this.autoCreate) return undefined;
    return {
      queue: state.createQueue(
        { name: address, address, routingType: 'ANYCAST', filter: null, durable: true, autoCreateAddress: true, temporary: false, given: {} },
        false,
        { autoCreated: true },
      ),
      owns: false,
    };
  }
}
