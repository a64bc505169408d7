/*
 * The auditor's date/time pickers (<input type="datetime-local">) are read as
 * Japan time, whatever the browser's own time zone.
 */
const JAPAN_OFFSET_MS = 9 * 60 * 60 * 1000;

/** A moment as a datetime-local value in Japan time, to the second. */
export function japanLocal(moment: Date = new Date()): string {
  return new Date(moment.getTime() + JAPAN_OFFSET_MS).toISOString().slice(0, 19);
}

/**
 * A datetime-local value (Japan time) as an ISO moment at the END of the second
 * shown: the picker cannot show milliseconds, and an auditor who picks 10:15:30
 * expects what was recorded during 10:15:30 to count.
 */
export function fromJapanLocal(value: string): string {
  const [date, time = '00:00'] = value.split('T');
  const seconds = time.length === 5 ? `${time}:00` : time.slice(0, 8);
  return new Date(`${date}T${seconds}.999+09:00`).toISOString();
}
