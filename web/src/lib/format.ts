/** Display helpers, and the one way the app writes dates and times:
 * - a flight's day and time are the airport's local ones, without an offset (docs/api.md): shown
 *   as written, never converted to the browser's zone: `Thu 4 Feb 2027`, `08:25`;
 * - a moment of ours (a payment deadline, a quote's expiry, a history entry) is absolute: shown in
 *   the traveler's own zone, named: `Thu 4 Feb 2027, 14:05 GMT`, `14:05 GMT`.
 * Written the same whatever the browser's language (a day and month in words, a 24-hour clock),
 * as the mails write them, so a page never mixes "Dec 6, 2026, 6:09 AM" with "Thu 4 Feb". */

/** One `Intl.NumberFormat` per currency and rounding: building one costs far more than using it
 * (V8 loads locale data each time), and a results page formats two prices per offer card. */
const formats = new Map<string, Intl.NumberFormat>();

function currencyFormat(currency: string, whole: boolean): Intl.NumberFormat {
  const key = `${currency}:${whole}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat("en", { style: "currency", currency, ...(whole ? { maximumFractionDigits: 0 } : {}) });
    formats.set(key, format);
  }
  return format;
}

let lastCurrency = "USD";

/** Builds the price format ahead of time (the currency last shown, else US dollars): while a
 * search waits for the airlines, not when their first offers are to be painted. */
export function warmMoney(): void {
  currencyFormat(lastCurrency, false).format(0);
}

export function money(amount: string, currency: string): string {
  try {
    const text = currencyFormat(currency, false).format(Number(amount));
    lastCurrency = currency; // a known one: `warmMoney` cannot throw
    return text;
  } catch {
    return `${amount} ${currency}`;
  }
}

/** ISO 8601 duration (`PT8H10M`, `P1DT2H`) in minutes. */
export function durationMinutes(iso: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!match) return 0;
  const [, days, hours, minutes] = match;
  return Number(days ?? 0) * 1440 + Number(hours ?? 0) * 60 + Number(minutes ?? 0);
}

export function duration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h}h ${String(m).padStart(2, "0")}m` : `${m}m`;
}

/** `2026-12-20T08:25:00` → `08:25` (local to the airport). */
export function localTime(stamp: string): string {
  return stamp.slice(11, 16);
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `2026-12-20…` → `Sun 20 Dec 2026` (the calendar date as written, no zone). */
export function localDate(stamp: string): string {
  const [y, mo, d] = stamp.slice(0, 10).split("-").map(Number);
  if (!y || !mo || !d) return stamp;
  const day = new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
  return `${DAYS[day]} ${d} ${MONTHS[mo - 1]} ${y}`;
}

/** `1991-12-26` → `26 Dec 1991`: a date that is no flight's day (a birth, a document's expiry),
 * worded as the flights' days are, without the weekday nobody looks up for those. */
export function dayWords(iso: string): string {
  const [y, mo, d] = iso.slice(0, 10).split("-").map(Number);
  if (!y || !mo || !d || mo > 12) return iso;
  return `${d} ${MONTHS[mo - 1]} ${y}`;
}

/** `21 Dec 2026`, a day as our mails word it (kernel/dates.py), → `2026-12-21`; else null. */
export function isoOfDayWords(words: string): string | null {
  const [, d = "", mon = "", y = ""] = /^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})$/.exec(words) ?? [];
  const month = MONTHS.indexOf(mon) + 1;
  return month ? `${y}-${String(month).padStart(2, "0")}-${d.padStart(2, "0")}` : null;
}

/** One formatter per zone (building one costs far more than using it): the parts of a moment. */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function inZone(instant: string, timeZone: string | undefined): { day: string; time: string; zone: string } | null {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) return null;
  const key = timeZone ?? "";
  let format = zoneFormats.get(key);
  if (!format) {
    // en-GB: a 24-hour clock and zone names such as GMT, BST, CET (else GMT+1), never "6:09 AM".
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    zoneFormats.set(key, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
    zone: parts.timeZoneName ?? "",
  };
}

/** A moment of ours (a deadline, a history entry) in the traveler's zone (`timeZone`: the
 * browser's unless given), saying which: `Thu 4 Feb 2027, 14:05 GMT`. A flight's times are the
 * airport's (`localDate`, `localTime`); an instant is the reader's. */
export function localMoment(instant: string, timeZone?: string): string {
  const parts = inZone(instant, timeZone);
  return parts ? `${localDate(parts.day)}, ${parts.time} ${parts.zone}`.trim() : instant;
}

/** A moment's time alone, in the traveler's zone, named: `14:05 GMT` (a quote or an offer held for
 * minutes: its day is today). */
export function momentTime(instant: string, timeZone?: string): string {
  const parts = inZone(instant, timeZone);
  return parts ? `${parts.time} ${parts.zone}`.trim() : instant;
}

/** Minutes between two local stamps at the same airport (a layover). */
export function minutesBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}Z`) - Date.parse(`${from}Z`)) / 60000);
}

export function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Calendar days from a local departure stamp to a local arrival stamp (1: the next day). */
export function daysLater(departing: string, arriving: string): number {
  return Math.round((Date.parse(arriving.slice(0, 10)) - Date.parse(departing.slice(0, 10))) / 86_400_000);
}

/** ` +1` when a flight lands on a later calendar day than it left (local dates), else "". */
export function dayShift(departing: string, arriving: string): string {
  const days = daysLater(departing, arriving);
  return days > 0 ? ` +${days}` : days < 0 ? ` ${days}` : "";
}

/** A price in whole units (`$549`), for the tight cells of the price calendar. */
export function moneyRounded(amount: string, currency: string): string {
  try {
    return currencyFormat(currency, true).format(Math.round(Number(amount)));
  } catch {
    return `${Math.round(Number(amount))} ${currency}`;
  }
}

/** The API's `detail` ("the flight leaves within 24 hours") as a sentence. */
export function sentence(detail: string): string {
  const text = detail.charAt(0).toUpperCase() + detail.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Who a price is for, by type: "2 adults, 1 infant". "3 passengers" hid that an infant on a lap
 * (no seat, a smaller fare) was one of them. */
export function travelerWords({ adults = 1, children = 0, infants = 0 }: { adults?: number; children?: number; infants?: number }): string {
  const counted: [number, string, string][] = [
    [adults, "adult", "adults"],
    [children, "child", "children"],
    [infants, "infant", "infants"],
  ];
  return counted
    .filter(([count]) => count > 0)
    .map(([count, one, many]) => `${count} ${count === 1 ? one : many}`)
    .join(", ");
}
