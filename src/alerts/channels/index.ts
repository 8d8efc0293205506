/** Alert channels: a channel URL read and masked, and one alert message delivered over it. */
export { describeChannel, parseChannel, type Channel, type ChannelKind } from './channel.ts';
export { deliver } from './deliver.ts';
export { closeMailTransports, renderEmail } from './email.ts';
export { DEFAULT_TIMEOUT_MS, USER_AGENT, type DeliverOptions, type DeliveryOutcome } from './outcome.ts';
export {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  WEBHOOK_BODY_VERSION,
  WebhookBody,
  buildWebhookBody,
  signatureHeader,
  verifySignature,
} from './webhook.ts';
