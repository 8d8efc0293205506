import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';

/** Where a rule's alerts go, read from its channel URL (see interface.md, `alerts add --channel`). */
export type Channel =
  { kind: 'webhook'; url: string } | { kind: 'slack'; url: string } | { kind: 'discord'; url: string } | { kind: 'email'; address: string };

export type ChannelKind = Channel['kind'];

const SLACK_HOSTS = new Set(['hooks.slack.com']);
const SLACK_PATH = /^\/services\/[^/]+\/[^/]+\/[^/]+\/?$/;
const DISCORD_HOSTS = new Set([
  'discord.com',
  'discordapp.com',
  'ptb.discord.com',
  'canary.discord.com',
  'ptb.discordapp.com',
  'canary.discordapp.com',
]);
const DISCORD_PATH = /^\/api\/(?:v\d+\/)?webhooks\/\d+\/[^/]+\/?$/;
const EXPECTED = 'expected an http(s) URL (a generic webhook, or a Slack or Discord webhook URL) or mailto:ADDRESS';
const email = z.email();

function invalid(problem: string): never {
  throw new ValidationError(`channel: ${problem}`);
}

/**
 * Reads a channel URL. Errors name the problem without echoing the URL, which may carry a secret
 * (a Slack token, a Discord webhook token, a password).
 */
export function parseChannel(url: string): Channel {
  const text = url.trim();
  if (text === '') invalid(`empty; ${EXPECTED}`);
  if (/^mailto:/i.test(text)) return { kind: 'email', address: parseMailto(text.slice('mailto:'.length)) };

  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    invalid(scheme ? `unsupported scheme "${scheme}:"; ${EXPECTED}` : `not a URL; ${EXPECTED}`);
  }
  if (!URL.canParse(text)) invalid(`not a valid ${scheme} URL; ${EXPECTED}`);
  const parsed = new URL(text);
  if (!parsed.hostname) invalid(`the URL has no host; ${EXPECTED}`);

  if (SLACK_HOSTS.has(parsed.hostname)) {
    if (parsed.protocol !== 'https:') invalid('a Slack webhook URL must use https');
    if (!SLACK_PATH.test(parsed.pathname)) {
      invalid('not a Slack incoming-webhook URL (expected https://hooks.slack.com/services/T.../B.../...)');
    }
    return { kind: 'slack', url: parsed.href };
  }
  if (DISCORD_HOSTS.has(parsed.hostname)) {
    if (parsed.protocol !== 'https:') invalid('a Discord webhook URL must use https');
    if (!DISCORD_PATH.test(parsed.pathname)) {
      invalid('not a Discord webhook URL (expected https://discord.com/api/webhooks/ID/TOKEN)');
    }
    return { kind: 'discord', url: parsed.href };
  }
  // Loopback and private addresses are allowed on purpose: a self-hosted team's receiver often lives there.
  return { kind: 'webhook', url: parsed.href };
}

function parseMailto(rest: string): string {
  if (rest.includes('?')) invalid('mailto: takes one address and no ?subject= or other parameters');
  let address: string;
  try {
    address = decodeURIComponent(rest).trim();
  } catch {
    invalid('mailto: address has a broken %-escape');
  }
  if (address === '') invalid('mailto: needs an address (mailto:team@example.com)');
  if (/[,;]/.test(address)) invalid('mailto: takes one address; add one rule per recipient');
  if (!email.safeParse(address).success) invalid('mailto: address is not a valid e-mail address');
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}@${address.slice(at + 1).toLowerCase()}`;
}

/** The last four characters of the path's last segment (the token of a Slack or Discord URL). */
function pathTail(pathname: string): string {
  const last = pathname.split('/').filter(Boolean).at(-1);
  return last ? `/…/${last.slice(-4)}` : '/';
}

/**
 * A form of the channel safe to show in the API, the dashboard and logs: kind, host and the last four
 * characters of the path or token. Never the whole path, a query string, user:password or the local part.
 */
export function describeChannel(url: string): string {
  let channel: Channel;
  try {
    channel = parseChannel(url);
  } catch {
    return 'invalid channel';
  }
  if (channel.kind === 'email') {
    const at = channel.address.lastIndexOf('@');
    return `email ${channel.address.slice(0, 1)}***@${channel.address.slice(at + 1)}`;
  }
  const parsed = new URL(channel.url);
  return `${channel.kind} ${parsed.protocol}//${parsed.host}${pathTail(parsed.pathname)}`;
}
