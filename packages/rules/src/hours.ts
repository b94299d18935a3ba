/** Business hours in the site's time zone, read with Intl (no clock of its own: `now` is given). */
import type { BusinessHours } from '@beckon/protocol';

const formats = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** the last answer per zone: the same for the whole of a clock minute (offsets are whole minutes), asked on every widget connect */
const lastZoned = new Map<string, { at: number; day: number; minute: number }>();

function zoned(timeZone: string, now: number): { day: number; minute: number } {
  const at = Math.floor(now / 60_000);
  const hit = lastZoned.get(timeZone);
  if (hit && hit.at === at) return hit;
  const z = { at, ...zonedNow(timeZone, now) };
  if (lastZoned.size > 500) lastZoned.clear();
  lastZoned.set(timeZone, z);
  return z;
}

function zonedNow(timeZone: string, now: number): { day: number; minute: number } {
  let f = formats.get(timeZone);
  if (!f) formats.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  let day = 1;
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(now)) {
    if (p.type === 'weekday') day = WEEKDAYS[p.value] ?? 1;
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { day, minute: hour * 60 + minute };
}

/** Open now? `from` > `to` means the hours run past midnight (e.g. 20:00–02:00). */
export function isOpen(h: BusinessHours, now: number): boolean {
  const { day, minute } = zoned(h.timeZone, now);
  const from = toMinutes(h.from);
  const to = toMinutes(h.to);
  if (from === to) return h.days.includes(day);
  if (from < to) return h.days.includes(day) && minute >= from && minute < to;
  const yesterday = day === 1 ? 7 : day - 1;
  return (h.days.includes(day) && minute >= from) || (h.days.includes(yesterday) && minute < to);
}

/** The next moment the answer of isOpen could change: the next `from`, `to` or midnight. */
export function nextHoursChange(h: BusinessHours, now: number): number {
  const { minute } = zoned(h.timeZone, now);
  const marks = [toMinutes(h.from), toMinutes(h.to), 1440];
  const ahead = Math.min(...marks.map((m) => (m > minute ? m - minute : m + 1440 - minute)));
  // to the start of that minute
  return (Math.floor(now / 60_000) + ahead) * 60_000;
}
