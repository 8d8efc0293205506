/**
 * Feed dates as publishers write them: RFC 822 (RSS) with two- or four-digit years, named or
 * numeric zones, optional weekday and seconds, month names in several languages; ISO 8601 / W3C-DTF
 * (Atom, dc:date) down to a bare year-month; asctime. A date is a real calendar date between 1990
 * and 2200, or null, so a feed cannot place an item on February 30 or in year 1.
 */

const MONTHS: Record<string, number> = {};
const monthNames: string[][] = [
  ['jan', 'january', 'janeiro', 'enero', 'janvier', 'janv', 'januar', 'gennaio', 'gen', 'januari', 'ene', 'jän'],
  ['feb', 'february', 'fev', 'fevereiro', 'febrero', 'février', 'fevrier', 'févr', 'fevr', 'februar', 'febbraio', 'februari'],
  ['mar', 'march', 'março', 'marco', 'marzo', 'mars', 'märz', 'marz', 'mär', 'maart', 'mrt'],
  ['apr', 'april', 'abr', 'abril', 'avril', 'avr', 'aprile'],
  ['may', 'mai', 'maio', 'mayo', 'maggio', 'mag', 'mei'],
  ['jun', 'june', 'junho', 'junio', 'juin', 'juni', 'giugno', 'giu'],
  ['jul', 'july', 'julho', 'julio', 'juillet', 'juil', 'juli', 'luglio', 'lug'],
  ['aug', 'august', 'ago', 'agosto', 'août', 'aout', 'augustus'],
  ['sep', 'sept', 'september', 'set', 'setembro', 'septiembre', 'septembre', 'settembre'],
  ['oct', 'october', 'out', 'outubro', 'octubre', 'octobre', 'okt', 'oktober', 'ott', 'ottobre'],
  ['nov', 'november', 'novembro', 'noviembre', 'novembre'],
  ['dec', 'december', 'dez', 'dezembro', 'diciembre', 'dic', 'décembre', 'decembre', 'déc', 'dezember', 'dicembre'],
];
for (const [index, names] of monthNames.entries()) for (const name of names) MONTHS[name] = index + 1;

/** Offsets in minutes of the zone names feeds use (RFC 822's and common abbreviations). */
const ZONES: Record<string, number> = {
  z: 0,
  ut: 0,
  utc: 0,
  gmt: 0,
  wet: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  akst: -540,
  akdt: -480,
  hst: -600,
  ast: -240,
  adt: -180,
  nst: -210,
  ndt: -150,
  bst: 60,
  cet: 60,
  cest: 120,
  met: 60,
  mest: 120,
  west: 60,
  eet: 120,
  eest: 180,
  msk: 180,
  ist: 330,
  sgt: 480,
  hkt: 480,
  jst: 540,
  kst: 540,
  aest: 600,
  aedt: 660,
  acst: 570,
  awst: 480,
  nzst: 720,
  nzdt: 780,
};

const MIN_YEAR = 1990;
const MAX_YEAR = 2200;

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  /** Minutes east of UTC. */
  offset: number;
}

/** The offset of a zone token (`+0530`, `-03:00`, `EST`, `Z`); null when unknown. */
function readZone(token: string | undefined): number | null {
  if (token === undefined || token === '') return 0;
  const numeric = /^(?:gmt|utc)?([+-])(\d{1,2}):?(\d{2})?$/i.exec(token);
  if (numeric) {
    const hours = Number(numeric[2]);
    const minutes = Number(numeric[3] ?? 0);
    if (hours > 14 || minutes > 59) return null;
    return (numeric[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return ZONES[token.toLowerCase()] ?? null;
}

function toDate(p: Parts): Date | null {
  if (p.year < MIN_YEAR || p.year > MAX_YEAR || p.month < 1 || p.month > 12) return null;
  const daysInMonth = new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
  if (p.day < 1 || p.day > daysInMonth) return null;
  if (p.hour > 24 || p.minute > 59 || p.second > 60 || (p.hour === 24 && (p.minute > 0 || p.second > 0))) return null;
  const ms = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, Math.min(p.second, 59), p.ms) - p.offset * 60_000;
  return new Date(ms);
}

const ISO =
  /^(\d{4})(?:-?(\d{2})(?:-?(\d{2})(?:[T\s]+(\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

function parseIso(value: string): Date | null {
  const m = ISO.exec(value);
  if (!m) return null;
  const offset = readZone(m[8]);
  if (offset === null) return null;
  return toDate({
    year: Number(m[1]),
    month: Number(m[2] ?? 1),
    day: Number(m[3] ?? 1),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    ms: Math.round(Number(`0.${m[7] ?? '0'}`) * 1000),
    offset,
  });
}

const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/;

/** RFC 822 and its relatives, token by token: weekday, day, month name, year, time, zone in loose order. */
function parseWords(value: string): Date | null {
  const tokens = value
    .replace(/\([^)]*\)/g, ' ')
    .replace(/,/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  let day: number | null = null;
  // Two month names: the first was a weekday ("mar" is Tuesday in Spanish, March elsewhere).
  const months: number[] = [];
  let year: number | null = null;
  let time: RegExpExecArray | null = null;
  let offset: number | null = null;
  const numbers: string[] = [];
  for (const raw of tokens) {
    const token = raw.replace(/\.$/, '');
    const lower = token.toLowerCase();
    if (time === null && TIME.test(token)) {
      time = TIME.exec(token);
    } else if (time === null && /^\d{1,2}:\d{2}(?::\d{2})?[+-]\d{2}:?\d{2}$/.test(token)) {
      const split = token.search(/[+-]/);
      time = TIME.exec(token.slice(0, split));
      offset = readZone(token.slice(split));
    } else if (MONTHS[lower] !== undefined && months.length < 2) {
      months.push(MONTHS[lower]);
    } else if (/^\d{1,4}$/.test(token)) {
      numbers.push(token);
    } else if (time !== null && offset === null && readZone(token) !== null) {
      offset = readZone(token);
    } else if (/^[a-zà-ÿ]+$/i.test(token) && time === null && months.length === 0) {
      // A weekday (in any language) before the date.
      continue;
    } else if (/^[a-z]{1,5}$/i.test(token) && time !== null && offset === null) {
      // An unknown zone abbreviation: read as UTC rather than lose the date.
      offset = 0;
    } else {
      return null;
    }
  }
  const month = months.at(-1);
  if (month === undefined) return null;
  for (const n of numbers) {
    if (n.length === 4 && year === null) year = Number(n);
    else if (day === null && Number(n) >= 1 && Number(n) <= 31) day = Number(n);
    else if (year === null && n.length === 2) year = Number(n) < 50 ? 2000 + Number(n) : 1900 + Number(n);
    else return null;
  }
  if (day === null || year === null) return null;
  return toDate({
    year,
    month,
    day,
    hour: Number(time?.[1] ?? 0),
    minute: Number(time?.[2] ?? 0),
    second: Number(time?.[3] ?? 0),
    ms: time?.[4] ? Math.round(Number(`0.${time[4]}`) * 1000) : 0,
    offset: offset ?? 0,
  });
}

/** A feed's date string to its instant; null when it is no date this reader knows, or not a real one. */
export function parseFeedDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const trimmed = value.replace(/\s+/g, ' ').trim();
  if (trimmed === '') return null;
  return /^\d{4}/.test(trimmed) ? parseIso(trimmed) : parseWords(trimmed);
}
