/**
 * AWS's six-field cron expressions (`cron(Minutes Hours Day-of-month Month Day-of-week Year)`), as
 * AWS Backup plans and restore testing plans take them. Pure: no construct needed to test it.
 */

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One value of a cron field: a number within [min, max], or one of the names (1-based). */
function cronValue(token: string, min: number, max: number, names: readonly string[] = []): boolean {
  if (names.includes(token.toUpperCase())) return true;
  if (!/^\d{1,4}$/.test(token)) return false;
  const value = Number(token);
  return value >= min && value <= max;
}

/** A cron field: a comma list of `*`, values, ranges `a-b`, and steps `x/n`; `extra` matches the rest. */
function cronField(
  field: string,
  min: number,
  max: number,
  names: readonly string[] = [],
  extra: readonly RegExp[] = [],
): boolean {
  return field.split(',').every((item) => {
    if (extra.some((pattern) => pattern.test(item))) return true;
    const parts = item.split('/');
    if (parts.length > 2) return false;
    const [range, step] = parts;
    if (step !== undefined && !(/^\d{1,4}$/.test(step) && Number(step) >= 1)) return false;
    if (range === '*') return true;
    const bounds = range.split('-');
    return bounds.length <= 2 && bounds.every((bound) => cronValue(bound, min, max, names));
  });
}

/**
 * What is wrong with a cron expression in AWS's six-field form, or undefined. `hourly` adds AWS Backup's
 * minimum interval of one hour between runs: the minutes field must be a single minute.
 */
export function cronProblem(expression: string, hourly: boolean): string | undefined {
  const match = /^cron\((.*)\)$/.exec(expression.trim());
  const fields = match ? match[1].trim().split(/\s+/) : [];
  if (fields.length !== 6) {
    return "must be 'cron(Minutes Hours Day-of-month Month Day-of-week Year)' with six fields, such as 'cron(0 5 ? * * *)' (daily at 05:00).";
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return "must have '?' in exactly one of day-of-month and day-of-week, such as 'cron(0 5 ? * * *)' or 'cron(0 5 1 * ? *)'.";
  }
  const dayOfMonthExtra = [/^\?$/, /^L$/, /^LW$/, /^([1-9]|[12]\d|3[01])W$/, /^L-([1-9]|[12]\d|30)$/];
  const dayOfWeekExtra = [/^\?$/, /^L$/, /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)L$/i, /^[1-7]#[1-5]$/];
  const problems: [string, boolean][] = [
    ['minutes', cronField(minutes, 0, 59)],
    ['hours', cronField(hours, 0, 23)],
    ['day-of-month', cronField(dayOfMonth, 1, 31, [], dayOfMonthExtra)],
    ['month', cronField(month, 1, 12, MONTH_NAMES)],
    ['day-of-week', cronField(dayOfWeek, 1, 7, DAY_NAMES, dayOfWeekExtra)],
    ['year', cronField(year, 1970, 2199)],
  ];
  const bad = problems.find(([, ok]) => !ok);
  if (bad) {
    return `has an invalid ${bad[0]} field; minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT, year 1970-2199, with ',', '-', '*', '/'.`;
  }
  if (hourly && !/^\d{1,2}$/.test(minutes)) {
    return `runs more than once an hour (minutes field '${minutes}'); AWS Backup requires at least 60 minutes between backups: give a single minute, such as 'cron(0 * ? * * *)' for hourly.`;
  }
  return undefined;
}
