const DAYS = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * Civil date from days since 1970-01-01 (proleptic Gregorian), without a Date object.
 * (The well-known "days from civil" inverse, in integer arithmetic.)
 */
function civil(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * RFC 5322 date-time (`Sun, 29 Nov 2026 04:05:06 +0100`) of an instant as seen at a zone
 * offset, in minutes east of UTC. The offset is applied to the instant, so the wall-clock
 * fields and the numeric zone always agree.
 *
 * @since 0.1.0
 */
export function formatDate(epochMs: number, offsetMinutes: number): string {
  const offset = Math.trunc(offsetMinutes);
  const local = Math.floor(epochMs / 1000) + offset * 60;
  const days = Math.floor(local / 86400);
  const secs = local - days * 86400;
  const { year, month, day } = civil(days);
  const weekday = DAYS[((days % 7) + 7) % 7]!;
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const zone = `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
  const time = `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}`;
  return `${weekday}, ${day} ${MONTHS[month - 1]} ${pad(year, 4)} ${time} ${zone}`;
}
