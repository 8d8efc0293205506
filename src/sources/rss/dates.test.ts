import { describe, expect, it } from 'vitest';
import { parseFeedDate } from './dates.ts';

const iso = (value: string) => parseFeedDate(value)?.toISOString() ?? null;

describe('parseFeedDate', () => {
  it('reads RFC 822 with named and numeric zones, with or without weekday and seconds', () => {
    expect(iso('Sat, 08 Aug 2026 01:12:45 EST')).toBe('2026-08-08T06:12:45.000Z');
    expect(iso('Thu, 01 Jan 2004 19:48:21 GMT')).toBe('2004-01-01T19:48:21.000Z');
    expect(iso('Fri, 19 May 2017 21:05:02 +0530')).toBe('2017-05-19T15:35:02.000Z');
    expect(iso('07 Nov 2015 12:00:00 EST')).toBe('2015-11-07T17:00:00.000Z');
    expect(iso('Fri, 20 Feb 2015 09:51:15 UTC')).toBe('2015-02-20T09:51:15.000Z');
    expect(iso('Tue, 24 Nov 2026 16:30 -0500')).toBe('2026-11-24T21:30:00.000Z');
    expect(iso('Wed, 03 Jan 2018 13:47:00 GMT\r\n      ')).toBe('2018-01-03T13:47:00.000Z');
    expect(iso('Tue, 10 Mar 2020 13:00:00 +0100 (CET)')).toBe('2020-03-10T12:00:00.000Z');
  });

  it('reads two-digit years, an unknown zone as UTC, and asctime', () => {
    expect(iso('Thu, 01 Jan 04 19:48:21 GMT')).toBe('2004-01-01T19:48:21.000Z');
    expect(iso('Thu, 01 Jan 2004 19:48:21 XYZ')).toBe('2004-01-01T19:48:21.000Z');
    expect(iso('Thu Jan  1 19:48:21 2004')).toBe('2004-01-01T19:48:21.000Z');
  });

  it('reads month and day names in Portuguese, Spanish, French and German', () => {
    expect(iso('Seg, 24 Set 2018 19:42:40 -0300')).toBe('2018-09-24T22:42:40.000Z');
    expect(iso('mar, 24 sep 2018 10:00:00 +0200')).toBe('2018-09-24T08:00:00.000Z');
    expect(iso('lun., 3 déc. 2018 10:00:00 +0100')).toBe('2018-12-03T09:00:00.000Z');
    expect(iso('Mo, 01 Okt 2018 10:00:00 GMT')).toBe('2018-10-01T10:00:00.000Z');
  });

  it('reads ISO 8601 and W3C-DTF down to a year and month, a missing zone as UTC', () => {
    expect(iso('2026-08-08T01:12:45.5+02:00')).toBe('2026-08-07T23:12:45.500Z');
    expect(iso('2003-12-31T10:14:55Z')).toBe('2003-12-31T10:14:55.000Z');
    expect(iso('2015-06-01T23:49:41+02:00')).toBe('2015-06-01T21:49:41.000Z');
    expect(iso('2019-11-18 19:14:32 +0000')).toBe('2019-11-18T19:14:32.000Z');
    expect(iso('2003-12-31T10:14')).toBe('2003-12-31T10:14:00.000Z');
    expect(iso('2003-12-31')).toBe('2003-12-31T00:00:00.000Z');
    expect(iso('2003-12')).toBe('2003-12-01T00:00:00.000Z');
    expect(iso('20031231T101455Z')).toBe('2003-12-31T10:14:55.000Z');
  });

  it('refuses text, impossible calendar dates and implausible years rather than guess', () => {
    expect(parseFeedDate('yesterday')).toBeNull();
    expect(parseFeedDate('sometime last week')).toBeNull();
    expect(parseFeedDate('2026-02-30')).toBeNull();
    expect(parseFeedDate('Mon, 30 Feb 2026 10:00:00 GMT')).toBeNull();
    expect(parseFeedDate('2026-01-01T25:00:00Z')).toBeNull();
    expect(parseFeedDate('Tue, 01 Jan 1901 00:00:00 GMT')).toBeNull();
    expect(parseFeedDate('0001-01-01T00:00:00Z')).toBeNull();
    expect(parseFeedDate('1')).toBeNull();
    expect(parseFeedDate('Σαβ, 29 Μαΐ 2004 12:53:00 GMT')).toBeNull();
    expect(parseFeedDate('')).toBeNull();
    expect(parseFeedDate(null)).toBeNull();
  });
});
