import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE, sampleAlert } from '../../../test/support/alert-messages.ts';
import { getFreePort } from '../../../test/support/free-port.ts';
import type { Channel } from './channel.ts';
import { deliver } from './deliver.ts';
import { closeMailTransports } from './email.ts';
import type { DeliveryOutcome } from './outcome.ts';

const USER = 'vibecheck-bot';
const PASSWORD = 'smtp-Pa55-Wq81zz';
const FROM = 'VibeCheck <alerts@vibes.example>';

interface Received {
  mail: ParsedMail;
  envelope: { from: string | false; to: string[] };
  user: string | undefined;
}

/** Per-recipient faults: an address whose local part names an SMTP code is refused with it. */
const FAULTS: Record<string, [number, string]> = {
  'busy@example.com': [451, 'Try again later'],
  'gone@example.com': [550, 'No such user here'],
};

let server: SMTPServer;
let port: number;
const received: Received[] = [];
const logins: Array<{ username: string | undefined; password: string | undefined }> = [];

beforeAll(async () => {
  server = new SMTPServer({
    // No TLS on a test socket: plain AUTH allowed, STARTTLS not offered.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push({ username: auth.username, password: auth.password ?? undefined });
      if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      const fault = FAULTS[address.address];
      if (fault) return callback(Object.assign(new Error(fault[1]), { responseCode: fault[0] }));
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({
            mail,
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : false,
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            user: typeof session.user === 'string' ? session.user : undefined,
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  closeMailTransports();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterEach(() => {
  received.length = 0;
  logins.length = 0;
});

const smtp = () => ({ url: `smtp://${USER}:${PASSWORD}@127.0.0.1:${port}`, from: FROM });
const to = (address: string): Channel => ({ kind: 'email', address });

function failed(outcome: DeliveryOutcome): Extract<DeliveryOutcome, { ok: false }> {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('e-mail over SMTP_URL', () => {
  it('sends the headline as subject, from SMTP_FROM, with HTML and plain-text parts, logging in with the URL credentials', async () => {
    const message = sampleAlert();
    const outcome = await deliver(to('team@example.com'), message, { smtp: smtp() });
    expect(outcome).toEqual({ ok: true, status: 250 });
    expect(received).toHaveLength(1);
    const { mail, envelope, user } = received[0]!;
    expect(logins).toEqual([{ username: USER, password: PASSWORD }]);
    expect(user).toBe(USER);
    expect(envelope).toEqual({ from: 'alerts@vibes.example', to: ['team@example.com'] });
    expect(mail.subject).toBe(message.headline);
    expect(mail.from?.value).toEqual([{ address: 'alerts@vibes.example', name: 'VibeCheck' }]);
    expect(mail.headers.get('x-vibecheck-delivery')).toBe(message.id);

    expect(mail.text).toContain(message.summary);
    expect(mail.text).toContain('Negative share: 18% -> 41%');
    expect(mail.text).toContain('https://news.ycombinator.com/item?id=41234567&p=2');
    expect(mail.text).toContain(`Open in VibeCheck: ${message.dashboardUrl}`);

    const html = String(mail.html);
    expect(html).toContain('<a href="https://news.ycombinator.com/item?id=41234567&amp;p=2">Claude Code keeps hitting the usage limit</a>');
    expect(html).toContain(`href="${message.dashboardUrl.replace(/&/g, '&amp;')}"`);
  });

  it('escapes every post-derived string in the HTML part', async () => {
    await deliver(to('team@example.com'), sampleAlert(), { smtp: smtp() });
    const html = String(received[0]!.mail.html);
    expect(html).not.toMatch(/<script|<img|<@U123>|<\/li><\/ul><img/);
    expect(html).toContain('Ignore this &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;@U123&gt; &lt;!channel&gt; @everyone');
    expect(html).toContain('&lt;/li&gt;&lt;/ul&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toContain(HOSTILE.url);
    // The plain-text part carries the text as written: a text part cannot run anything.
    expect(received[0]!.mail.text).toContain(HOSTILE.title);
  });

  it('gives a retry the same Message-ID, so a duplicate reads as the same mail', async () => {
    await deliver(to('team@example.com'), sampleAlert(), { smtp: smtp() });
    await deliver(to('team@example.com'), sampleAlert(), { smtp: smtp() });
    const ids = received.map((r) => r.mail.messageId);
    expect(ids[0]).toMatch(/^<alert-[0-9a-f]{32}@vibes\.example>$/);
    expect(ids[1]).toBe(ids[0]);
  });

  it('an SMTP 4xx is retryable, a 5xx permanent', async () => {
    expect(failed(await deliver(to('busy@example.com'), sampleAlert(), { smtp: smtp() }))).toMatchObject({ retryable: true, status: 451 });
    const gone = failed(await deliver(to('gone@example.com'), sampleAlert(), { smtp: smtp() }));
    expect(gone).toMatchObject({ retryable: false, status: 550, cause: expect.stringMatching(/^SMTP 550: .*No such user here/) });
    expect(received).toHaveLength(0);
  });

  it('wrong credentials are permanent, and the cause never holds the password', async () => {
    const url = `smtp://${USER}:wrong-Pa55word-xyz@127.0.0.1:${port}`;
    const outcome = failed(await deliver(to('team@example.com'), sampleAlert(), { smtp: { url, from: FROM } }));
    expect(outcome).toMatchObject({ retryable: false, status: 535 });
    expect(outcome.cause).not.toMatch(/wrong-Pa55word|Pa55-Wq81/);
  });

  it('a refused connection is retryable', async () => {
    const closed = await getFreePort();
    const outcome = failed(
      await deliver(to('team@example.com'), sampleAlert(), { smtp: { url: `smtp://${USER}:${PASSWORD}@127.0.0.1:${closed}`, from: FROM } }),
    );
    expect(outcome.retryable).toBe(true);
    expect(outcome.cause).toMatch(/^SMTP E\w+: .*ECONNREFUSED/);
    expect(outcome.cause).not.toContain(PASSWORD);
  });

  it('is a clear permanent failure when SMTP_URL is not set', async () => {
    expect(failed(await deliver(to('team@example.com'), sampleAlert(), {}))).toEqual({
      ok: false,
      retryable: false,
      cause: 'e-mail is off: SMTP_URL and SMTP_FROM are not set',
    });
  });
});
