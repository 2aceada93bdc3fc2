/** BRIDGE_RECORD (28, §8.9): a core bridge created at runtime (2.28+). */
import { BufferReader } from '../binary/reader.js';
import { readNullableString } from '../binary/strings.js';
import { readNullableBool, readNullableDouble, readNullableInt, readNullableLong } from './nullable.js';
import { componentRoutingType, readTransformer, type ComponentRoutingType, type TransformerConfig } from './transformer.js';

export interface PersistedBridge {
  name: string | null;
  /** The broker keys persisted bridges by this name. */
  parentName: string | null;
  queueName: string | null;
  forwardingAddress: string | null;
  filter: string | null;
  discoveryGroupName: string | null;
  ha: boolean | null;
  retryInterval: bigint | null;
  retryIntervalMultiplier: number | null;
  initialConnectAttempts: number | null;
  reconnectAttempts: number | null;
  reconnectAttemptsOnSameNode: number | null;
  useDuplicateDetection: boolean | null;
  confirmationWindowSize: number | null;
  producerWindowSize: number | null;
  clientFailureCheckPeriod: bigint | null;
  user: string | null;
  password: string | null;
  connectionTTL: bigint | null;
  maxRetryInterval: bigint | null;
  minLargeMessageSize: number | null;
  callTimeout: bigint | null;
  concurrency: number | null;
  configurationManaged: boolean | null;
  routingType: ComponentRoutingType | null;
  transformer: TransformerConfig | null;
  staticConnectors: Array<string | null>;
  pendingAckTimeout: bigint | null;
  clientId: string | null;
}

export function decodeBridge(body: Buffer): PersistedBridge {
  const r = new BufferReader(body);
  const s = (): string | null => readNullableString(r);
  const name = s();
  const parentName = s();
  const queueName = s();
  const forwardingAddress = s();
  const filter = s();
  const discoveryGroupName = s();
  const ha = readNullableBool(r);
  const retryInterval = readNullableLong(r);
  const retryIntervalMultiplier = readNullableDouble(r);
  const initialConnectAttempts = readNullableInt(r);
  const reconnectAttempts = readNullableInt(r);
  const reconnectAttemptsOnSameNode = readNullableInt(r);
  const useDuplicateDetection = readNullableBool(r);
  const confirmationWindowSize = readNullableInt(r);
  const producerWindowSize = readNullableInt(r);
  const clientFailureCheckPeriod = readNullableLong(r);
  const user = s();
  const password = s();
  const connectionTTL = readNullableLong(r);
  const maxRetryInterval = readNullableLong(r);
  const minLargeMessageSize = readNullableInt(r);
  const callTimeout = readNullableLong(r);
  const concurrency = readNullableInt(r);
  const configurationManaged = readNullableBool(r);
  const routingType = componentRoutingType(r.u8());
  const transformer = readTransformer(r);
  const connectorCount = r.i32();
  // A negative count means "none" for the broker; each entry is at least one marker byte.
  const n = Math.max(0, connectorCount);
  r.need(n, 'bridge static connectors');
  const staticConnectors: Array<string | null> = [];
  for (let i = 0; i < n; i++) staticConnectors.push(s());
  const pendingAckTimeout = r.remaining > 0 ? readNullableLong(r) : null;
  const clientId = r.remaining > 0 ? s() : null;
  return {
    name,
    parentName,
    queueName,
    forwardingAddress,
    filter,
    discoveryGroupName,
    ha,
    retryInterval,
    retryIntervalMultiplier,
    initialConnectAttempts,
    reconnectAttempts,
    reconnectAttemptsOnSameNode,
    useDuplicateDetection,
    confirmationWindowSize,
    producerWindowSize,
    clientFailureCheckPeriod,
    user,
    password,
    connectionTTL,
    maxRetryInterval,
    minLargeMessageSize,
    callTimeout,
    concurrency,
    configurationManaged,
    routingType,
    transformer,
    staticConnectors,
    pendingAckTimeout,
    clientId,
  };
}
