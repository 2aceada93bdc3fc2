/**
 * The `activemq.management` address: takes a request delivery, checks the `manage` permission, runs it and
 * routes the reply to the request's reply-to like any other message.
 */
import rhea from 'rhea';
import type { Connection, Delivery, Message } from 'rhea';
import { conditions } from './errors.js';
import { buildReply, execute, readRequest } from './management.js';
import type { ControlContext } from './management-controls.js';
import { readMessageInfo } from './message-info.js';
import { MANAGEMENT_ADDRESS, splitFqqn, type Router } from './routing.js';
import { saslUser } from './rhea-internals.js';

export class ManagementEndpoint {
  constructor(
    private readonly ctx: ControlContext,
    private readonly router: Router,
    /** Users without the `manage` permission: their requests are rejected. */
    private readonly denyManage: ReadonlySet<string>,
  ) {}

  handle(connection: Connection, delivery: Delivery, raw: Buffer, message: Message | undefined): void {
    const user = saslUser(connection);
    if (user !== undefined && this.denyManage.has(user)) {
      delivery.reject({
        condition: conditions.unauthorized,
        description: `AMQ229032: User: ${user} does not have permission='MANAGE' on address ${MANAGEMENT_ADDRESS}`,
      });
      return;
    }
    const info = readMessageInfo(raw, Date.now());
    const result = execute(this.ctx, readRequest(message));
    // The request itself is accepted even when the operation failed.
    delivery.accept();
    if (info.replyTo === undefined) return;
    const reply = buildReply(info, result);
    const bytes = rhea.message.encode(reply);
    const fq = splitFqqn(info.replyTo);
    const target = fq
      ? { kind: 'fqqn' as const, routingAddress: info.replyTo, address: fq.address, queue: fq.queue }
      : { kind: 'address' as const, routingAddress: info.replyTo, address: info.replyTo };
    this.router.route(target, [], bytes, rhea.message.decode(bytes) as unknown as Message, 0);
  }
}
