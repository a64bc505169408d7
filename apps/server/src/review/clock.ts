/** The time, from one place: the workflow's deadlines and timers read it, tests set it. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
