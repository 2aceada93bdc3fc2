/** Public surface of the fake Artemis broker used by the drainer's tests. */
export { FakeArtemis, type FakeArtemisOptions } from './fake-artemis.js';
export type {
  AddressInfo,
  DeadLetter,
  DropReason,
  DroppedMessage,
  MessageRef,
  QueueInfo,
  RoutingType,
  StoredMessage,
} from './model.js';
export { dupIdBytes } from './dedup.js';
export { MANAGEMENT_ADDRESS, FQQN_SEPARATOR } from './routing.js';
