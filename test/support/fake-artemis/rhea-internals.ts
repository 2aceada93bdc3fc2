/**
 * The few rhea internals the fake broker relies on, typed in one place so that a rhea upgrade that
 * moves them breaks here and nowhere else (rhea 3.0.x: lib/connection.js, lib/session.js, lib/link.js).
 */
import type { Socket } from 'node:net';
import rhea from 'rhea';
import type { Connection, Receiver, Sender, Session } from 'rhea';

/** A decoded AMQP value as rhea's Reader returns it (type name + value, lists/maps as arrays of Typed). */
export interface RawTyped {
  type: { name: string; typecode: number };
  value: unknown;
  descriptor?: RawTyped;
}

interface RheaReader {
  read(): RawTyped;
  remaining(): number;
  /** Byte offset of the next value. */
  position: number;
}

/** rhea's low-level decoder (present at run time, missing from its typings). */
export function newReader(buffer: Buffer): RheaReader {
  const ctor = (rhea.types as unknown as { Reader: new (b: Buffer) => RheaReader }).Reader;
  return new ctor(buffer);
}

/** A transfer frame as rhea hands it to Connection.on_transfer. */
export interface TransferFrame {
  channel: number;
  performative: { handle: number; more?: boolean; aborted?: boolean; message_format?: number };
  payload?: Buffer;
}

interface ConnectionGuts {
  _process(): void;
  socket?: Socket;
  /** rhea writes to the socket only while this is true. */
  socket_ready: boolean;
  on_transfer(frame: TransferFrame): void;
  remote_channel_map: Record<number, { remote: { handles: Record<number, Receiver | Sender> } } | undefined>;
  sasl_transport?: { username?: string; transports?: Record<number, { username?: string }> };
  local_channel_map: Record<number, Session>;
  /** rhea's heartbeat timers: a cut connection must not keep them (they hold the process ~30 s). */
  heartbeat_out?: NodeJS.Timeout;
  heartbeat_in?: NodeJS.Timeout;
}

export function guts(connection: Connection): ConnectionGuts {
  return connection as unknown as ConnectionGuts;
}

/** The TCP socket under a server-side connection. */
export function socketOf(connection: Connection): Socket | undefined {
  return guts(connection).socket;
}

/** The SASL user name the server side authenticated, if any. */
export function saslUser(connection: Connection): string | undefined {
  const t = guts(connection).sasl_transport;
  if (!t) return undefined;
  return t.username ?? t.transports?.[3]?.username;
}

/** Link state rhea keeps but does not type: current credit and the local attach being built. */
interface LinkGuts {
  credit: number;
  issue_flow: boolean;
  local: { attach: { snd_settle_mode?: number; rcv_settle_mode?: number; offered_capabilities?: string[] } };
  connection: Connection & { _register(): void };
  session: Session & { links: Record<string, Sender | Receiver> };
}

export function linkGuts(link: Sender | Receiver): LinkGuts {
  return link as unknown as LinkGuts;
}

/**
 * Set a receiver's link credit to exactly `credit` (AMQP lets the receiving side lower credit at any
 * time; rhea's public flow() can only add).
 */
export function setCredit(receiver: Receiver, credit: number): void {
  const g = linkGuts(receiver);
  g.credit = Math.max(0, credit);
  g.issue_flow = true;
  g.connection._register();
}

export function creditOf(link: Sender | Receiver): number {
  return linkGuts(link).credit;
}

/** All links (both roles) of a session. */
export function linksOf(session: Session): Array<Sender | Receiver> {
  return Object.values((session as unknown as { links: Record<string, Sender | Receiver> }).links);
}

/** Capabilities of a terminus as a string array (rhea gives a string, an array or nothing). */
export function capabilityList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map(String);
  return [String(value)];
}

/**
 * Write pending frames (dispositions, flows) now instead of on the next tick. rhea batches consecutive
 * dispositions into one range and, for a range that starts with a single delivery, does not check that the
 * next outcome is the same kind: an accepted followed by a rejected would go out as two accepts. Flushing
 * after each settlement keeps every outcome in its own frame.
 */
export function flushFrames(connection: Connection): void {
  guts(connection)._process();
}
