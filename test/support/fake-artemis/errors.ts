/**
 * Failure texts the fake returns, shaped like Artemis' (the codes and wording of the doc's §4.1 and of
 * Artemis' message bundle). A management operation that throws one of these produces a failure reply whose
 * single JSON element is `message`.
 */
export class ManagementFailure extends Error {}

export const fail = {
  addressExists: (name: string) => new ManagementFailure(`AMQ229204: Address already exists: ${name}`),
  addressDoesNotExist: (name: string) => new ManagementFailure(`AMQ229203: Address Does Not Exist: ${name}`),
  queueExists: (name: string, address: string) =>
    new ManagementFailure(`AMQ229019: Queue ${name} already exists on address ${address}`),
  noSuchQueue: (name: string) => new ManagementFailure(`AMQ229017: Queue ${name} does not exist`),
  invalidFilter: (filter: string) => new ManagementFailure(`AMQ229020: Invalid filter: ${filter}`),
  cannotFindResource: (name: string) => new ManagementFailure(`AMQ229067: Cannot find resource with name ${name}`),
  noGetter: (attribute: string) => new ManagementFailure(`AMQ229068: no getter method for ${attribute}`),
  noOperation: (operation: string, arity: number) => new ManagementFailure(`AMQ229069: no operation ${operation}/${arity}`),
  addressHasBindings: (name: string) => new ManagementFailure(`AMQ229205: Address ${name} has bindings`),
  invalidRoutingTypeForAddress: (routingType: string, address: string, supported: string[]) =>
    new ManagementFailure(
      `AMQ229207: Can not create queue with routing type: ${routingType}, Supported routing types for address: ${address} are [${supported.join(', ')}]`,
    ),
  // Java's Enum.valueOf text, which is what Artemis lets through for a bad routing type string.
  noEnumConstant: (value: string) =>
    new ManagementFailure(`No enum constant org.apache.activemq.artemis.api.core.RoutingType.${value}`),
  queueNameMissing: () => new ManagementFailure('AMQ229066: Queue name is null'),
  routingTypeInUse: (routingType: string, address: string) =>
    new ManagementFailure(
      `AMQ229209: Can't remove routing type ${routingType}, queues exists for address: ${address}. Please delete queues before removing this routing type.`,
    ),
};

/** AMQP error conditions used on links and deliveries. */
export const conditions = {
  notFound: 'amqp:not-found',
  unauthorized: 'amqp:unauthorized-access',
  internal: 'amqp:internal-error',
  // Artemis rejects a delivery it could not route with this non-standard symbol.
  failed: 'failed',
} as const;
