import { describe, expect, it } from 'vitest';
import { describeChannel, parseChannel } from './channel.ts';

const SLACK = 'https://hooks.slack.com/services/T0001/B0002/XyZsecretSlackTokena1B2';
const DISCORD = 'https://discord.com/api/webhooks/123456789012345678/secretDiscordToken-xY9z';

describe('parseChannel', () => {
  it.each([
    ['mailto:team@example.com', { kind: 'email', address: 'team@example.com' }],
    ['mailto:Team@EXAMPLE.com', { kind: 'email', address: 'Team@example.com' }],
    ['  mailto:team%2Bvibes@example.com ', { kind: 'email', address: 'team+vibes@example.com' }],
    [SLACK, { kind: 'slack', url: SLACK }],
    [DISCORD, { kind: 'discord', url: DISCORD }],
    ['https://discordapp.com/api/webhooks/1/tok', { kind: 'discord', url: 'https://discordapp.com/api/webhooks/1/tok' }],
    [
      'https://ptb.discord.com/api/v10/webhooks/1/tok?thread_id=9',
      { kind: 'discord', url: 'https://ptb.discord.com/api/v10/webhooks/1/tok?thread_id=9' },
    ],
    ['https://example.com/hooks/vibecheck', { kind: 'webhook', url: 'https://example.com/hooks/vibecheck' }],
    ['http://127.0.0.1:9000/in', { kind: 'webhook', url: 'http://127.0.0.1:9000/in' }],
    ['http://10.1.2.3/in', { kind: 'webhook', url: 'http://10.1.2.3/in' }],
    ['http://[::1]:8081/', { kind: 'webhook', url: 'http://[::1]:8081/' }],
    ['HTTPS://Example.COM/x', { kind: 'webhook', url: 'https://example.com/x' }],
  ])('reads %s', (url, channel) => {
    expect(parseChannel(url)).toEqual(channel);
  });

  it.each([
    ['', /channel: empty/],
    ['ftp://example.com/x', /unsupported scheme "ftp:"/],
    ['javascript:alert(1)', /unsupported scheme "javascript:"/],
    ['example.com/hook', /not a URL/],
    ['http://', /not a valid http URL/],
    ['mailto:', /mailto: needs an address/],
    ['mailto:not-an-address', /not a valid e-mail address/],
    ['mailto:a@example.com,b@example.com', /takes one address/],
    ['mailto:a@example.com?subject=hi', /no \?subject=/],
    ['mailto:a%ZZ@example.com', /broken %-escape/],
    ['http://hooks.slack.com/services/T/B/secretSlackToken', /Slack webhook URL must use https/],
    ['https://hooks.slack.com/workflows/T/A/secretSlackToken', /not a Slack incoming-webhook URL/],
    ['https://discord.com/channels/1/2', /not a Discord webhook URL/],
    ['http://discord.com/api/webhooks/1/secretDiscordToken', /Discord webhook URL must use https/],
  ])('refuses %j, naming the problem', (url, message) => {
    expect(() => parseChannel(url)).toThrow(message);
  });

  it('never echoes the URL (or its token) in an error', () => {
    for (const url of [
      'http://hooks.slack.com/services/T/B/secretSlackToken',
      'https://discord.com/api/webhooks/x/secretDiscordToken',
      'gopher://u:secretPassword@h/secretPath',
    ]) {
      expect(() => parseChannel(url)).toThrow();
      try {
        parseChannel(url);
      } catch (error) {
        expect((error as Error).message).not.toMatch(/secret/);
      }
    }
  });
});

describe('describeChannel', () => {
  it.each([
    [SLACK, 'slack https://hooks.slack.com/…/a1B2'],
    [DISCORD, 'discord https://discord.com/…/xY9z'],
    [
      'https://user:secretPassword@hooks.example.com:8443/in/secretPathToken?key=secretQuery#frag',
      'webhook https://hooks.example.com:8443/…/oken',
    ],
    ['http://127.0.0.1:9000/', 'webhook http://127.0.0.1:9000/'],
    ['mailto:team.alerts@example.com', 'email t***@example.com'],
    ['not a channel secretThing', 'invalid channel'],
  ])('shows %s as %s', (url, shown) => {
    expect(describeChannel(url)).toBe(shown);
  });

  it('never shows the token, the password, the query or the local part', () => {
    const shown = [
      SLACK,
      DISCORD,
      'https://bob:secretPassword@h.example/x/secretToken?sig=secretSig',
      'mailto:secret.person@example.com',
    ].map(describeChannel);
    for (const text of shown) expect(text).not.toMatch(/secret|bob|sig=/i);
  });
});
