/**
 * Management over AMQP (§4.1): decode a request sent to `activemq.management`, pick the attribute or the
 * operation overload, and build the reply message (routed by the caller to the request's reply-to).
 */
import type { Message } from 'rhea';
import { fail, ManagementFailure } from './errors.js';
import { resolveResource, type ControlContext, type Method, type ParamType } from './management-controls.js';
import type { MessageInfo } from './message-info.js';

export interface ManagementRequest {
  resource: string | undefined;
  operation: string | undefined;
  attribute: string | undefined;
  /** The JSON-array body, or the reason it could not be read. */
  params: unknown[] | Error;
}

export interface ManagementResult {
  succeeded: boolean;
  /** The value to wrap as the single JSON array element; null/undefined means a null body. */
  result: unknown;
}

export function readRequest(message: Message | undefined): ManagementRequest {
  const props = (message?.application_properties ?? {}) as Record<string, unknown>;
  const text = (k: string) => (typeof props[k] === 'string' ? (props[k] as string) : undefined);
  let params: unknown[] | Error = [];
  const body = message?.body;
  // Only an amqp-value string is read (the broker sees the body as a core text body); a data section or
  // anything else reads as no parameters.
  if (typeof body === 'string' && body.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(body);
      params = Array.isArray(parsed) ? parsed : new Error(`Invalid JSON array: ${body}`);
    } catch (e) {
      params = new Error(`Invalid JSON array: ${(e as Error).message}`);
    }
  }
  return {
    resource: text('_AMQ_ResourceName'),
    operation: text('_AMQ_OperationName'),
    attribute: text('_AMQ_Attribute'),
    params,
  };
}

/** Whether a JSON value converts to the Java parameter type (JSON integers are Longs, narrowed to int). */
function accepts(type: ParamType, v: unknown): boolean {
  switch (type) {
    case 'String':
      return v === null || typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
    case 'long':
      return typeof v === 'number' && Number.isInteger(v);
    case 'double':
      return typeof v === 'number';
  }
}

function pickOverload(methods: Method[], name: string, args: unknown[]): Method | undefined {
  return methods.find((x) => x.name === name && x.params.length === args.length && x.params.every((t, i) => accepts(t, args[i])));
}

export function execute(ctx: ControlContext, req: ManagementRequest): ManagementResult {
  try {
    const resource = req.resource ?? '';
    const methods = resolveResource(ctx, resource);
    if (!methods) throw fail.cannotFindResource(resource);
    if (req.attribute !== undefined) {
      const a = req.attribute;
      const upper = a.charAt(0).toUpperCase() + a.slice(1);
      const getter = methods.find((x) => (x.name === `get${upper}` || x.name === `is${upper}`) && x.params.length === 0);
      if (!getter) throw fail.noGetter(a);
      return { succeeded: true, result: getter.invoke([]) };
    }
    if (req.params instanceof Error) throw req.params;
    const op = req.operation ?? '';
    const method = pickOverload(methods, op, req.params);
    if (!method) throw fail.noOperation(op, req.params.length);
    return { succeeded: true, result: method.invoke(req.params) };
  } catch (e) {
    const text = e instanceof ManagementFailure || e instanceof Error ? e.message : String(e);
    return { succeeded: false, result: text };
  }
}

/**
 * The reply as Artemis converts its core TEXT reply to AMQP: amqp-value string body `[result]` (null body
 * for a void/null result), `_AMQ_OperationSucceeded`, correlation-id = the request's correlation-id if set,
 * else its message-id, keeping the AMQP type of that id.
 */
export function buildReply(info: MessageInfo, outcome: ManagementResult): Message {
  const correlation = info.typedCorrelationId ?? info.typedMessageId;
  const reply: Message = {
    application_properties: { _AMQ_OperationSucceeded: outcome.succeeded },
    body: outcome.result === undefined || outcome.result === null ? null : JSON.stringify([outcome.result]),
  };
  if (info.replyTo !== undefined) reply.to = info.replyTo;
  if (correlation !== undefined) reply.correlation_id = correlation as unknown as Message['correlation_id'];
  return reply;
}
