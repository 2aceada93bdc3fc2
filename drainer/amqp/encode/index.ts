/** AMQP 1.0 encoding: values (TypedValue) and message sections. */
export { encodeAmqpValue, AmqpEncodeError } from './value.js';
export {
  Section,
  encodeSection,
  encodeHeader,
  encodeProperties,
  encodeAnnotations,
  encodeMessageAnnotations,
  encodeDeliveryAnnotations,
  encodeFooter,
  encodeApplicationProperties,
  encodeAmqpValueSection,
  encodeAmqpSequenceSection,
  encodeDataSection,
  encodeDataSectionHeader,
  encodeAmqpValueBinaryHeader,
  type HeaderFields,
  type PropertiesFields,
} from './sections.js';
export { readRawMapSection, buildMapSection, encodeMapEntry, keyText, type RawMapEntry, type RawMapSection } from './map-section.js';
