import { describe, expect, it } from 'vitest';
import { sampleAlert, samplePost } from '../../../test/support/alert-messages.ts';
import { buildSlackPayload, escapeSlack } from './slack.ts';

describe('escapeSlack', () => {
  it('escapes the three control characters and breaks broadcast words', () => {
    expect(escapeSlack('<@U1> & <!here> @here @channel @everyone a@example.com')).toBe(
      '&lt;@U1&gt; &amp; &lt;!here&gt; @\u200bhere @\u200bchannel @\u200beveryone a@example.com',
    );
  });
});

describe('buildSlackPayload', () => {
  it('leaves link targets intact (no zero-width space in a URL) while their text is escaped', () => {
    const post = samplePost({ title: 'Thread by @everyone <b>', url: 'https://social.example/@everyone/123?a=1&b=|2' });
    const text = JSON.stringify(buildSlackPayload(sampleAlert({ posts: [post] })).blocks);
    expect(text).toContain('<https://social.example/@everyone/123?a=1&amp;b=%7C2|Thread by @\u200beveryone &lt;b&gt;>');
  });
});
