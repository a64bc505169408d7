import holidayJp from '@holiday-jp/holiday_jp';

/**
 * Deadlines fall on working days: not a Saturday, a Sunday, a Japanese public
 * holiday (the @holiday-jp/holiday_jp calendar, kept current by its maintainers
 * through 2050), nor the year-end closing of 29 December to 3 January that
 * municipal ordinances (休日を定める条例) add. Dates are calendar days in Japan,
 * written YYYY-MM-DD.
 */
export type CalendarDate = string;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(value: unknown): value is CalendarDate {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export function isWorkingDay(date: CalendarDate): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  // Looked up by the day's own name, so the process's time zone cannot shift it.
  const monthDay = date.slice(5);
  const yearEnd = monthDay >= '12-29' || monthDay <= '01-03';
  return weekday !== 0 && weekday !== 6 && !yearEnd && !Object.hasOwn(holidayJp.holidays, date);
}

/** The working day `count` working days after (or, when negative, before) `date`. */
export function addWorkingDays(date: CalendarDate, count: number): CalendarDate {
  const step = count < 0 ? -1 : 1;
  let day = new Date(`${date}T00:00:00Z`);
  for (let remaining = Math.abs(count); remaining > 0; ) {
    day = new Date(day.getTime() + step * 86_400_000);
    if (isWorkingDay(day.toISOString().slice(0, 10))) remaining--;
  }
  return day.toISOString().slice(0, 10);
}

/** The calendar day in Japan of a moment. */
export function japanDate(moment: Date): CalendarDate {
  return new Date(moment.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

/** The first moment after a deadline day has ended in Japan: when unsubmitted work becomes overdue. */
export function endOfDay(date: CalendarDate): Date {
  return new Date(new Date(`${date}T00:00:00+09:00`).getTime() + 86_400_000);
}

/** The start of a day in Japan: when that day's reminders are sent. */
export function startOfDay(date: CalendarDate): Date {
  return new Date(`${date}T00:00:00+09:00`);
}
