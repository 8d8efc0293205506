import { messageOf } from '../../core/errors.ts';
import type { AlertMessage } from '../message.ts';
import type { Channel } from './channel.ts';
import { deliverDiscord } from './discord.ts';
import { deliverEmail } from './email.ts';
import { cleanCause, failure, secretPartsOf, type DeliverOptions, type DeliveryOutcome } from './outcome.ts';
import { deliverSlack } from './slack.ts';
import { deliverWebhook } from './webhook.ts';

/**
 * One attempt to deliver `message` over `channel`. Never throws: every failure, ours included, comes
 * back as an outcome the delivery job can record and retry (or not).
 */
export async function deliver(channel: Channel, message: AlertMessage, options: DeliverOptions = {}): Promise<DeliveryOutcome> {
  try {
    switch (channel.kind) {
      case 'webhook':
        return await deliverWebhook(channel.url, message, options);
      case 'slack':
        return await deliverSlack(channel.url, message, options);
      case 'discord':
        return await deliverDiscord(channel.url, message, options);
      case 'email':
        return await deliverEmail(channel.address, message, options);
    }
  } catch (error) {
    // A bug of ours (a message that cannot be rendered): the same attempt would fail again.
    const secrets = [...('url' in channel ? secretPartsOf(channel.url) : []), ...(options.secret ? [options.secret] : [])];
    return failure(cleanCause(`could not deliver: ${messageOf(error)}`, secrets), false);
  }
}
