import { cronProblem } from '../../../constructs/backup/cron';

describe('cronProblem (AWS six-field cron, as AWS Backup takes it)', () => {
  it.each([
    ['daily at 05:00', 'cron(0 5 ? * * *)'],
    ['hourly', 'cron(0 * ? * * *)'],
    ['the first of the month', 'cron(0 5 1 * ? *)'],
    ['named days and months', 'cron(30 2 ? JAN-MAR MON-FRI *)'],
    ['the last day of the month', 'cron(0 5 L * ? *)'],
    ['the nearest weekday to the 15th', 'cron(0 5 15W * ? *)'],
    ['the second Tuesday', 'cron(0 5 ? * 3#2 *)'],
    ['every 6 hours, in a year range', 'cron(0 0/6 ? * * 2026-2030)'],
    ['surrounding whitespace', '  cron( 0 5 ? * * * )  '],
  ])('accepts %s', (_, expression) => {
    expect(cronProblem(expression, true)).toBeUndefined();
  });

  it.each([
    ['five fields', 'cron(0 5 ? * *)', /with six fields/],
    ['a rate expression', 'rate(1 hour)', /with six fields/],
    ['? in both day fields', 'cron(0 5 ? * ? *)', /'\?' in exactly one of day-of-month and day-of-week/],
    ['? in neither day field', 'cron(0 5 1 * MON *)', /'\?' in exactly one/],
    ['minute 60', 'cron(60 5 ? * * *)', /invalid minutes field/],
    ['hour 24', 'cron(0 24 ? * * *)', /invalid hours field/],
    ['day-of-month 32', 'cron(0 5 32 * ? *)', /invalid day-of-month field/],
    ['month 13', 'cron(0 5 1 13 ? *)', /invalid month field/],
    ['day-of-week 8', 'cron(0 5 ? * 8 *)', /invalid day-of-week field/],
    ['year 2200', 'cron(0 5 ? * * 2200)', /invalid year field/],
    ['a step of 0', 'cron(0 0/0 ? * * *)', /invalid hours field/],
  ])('refuses %s', (_, expression, problem) => {
    expect(cronProblem(expression, false)).toMatch(problem);
  });

  it('refuses more than one run an hour only where AWS Backup needs an hour between backups', () => {
    expect(cronProblem('cron(0/15 * ? * * *)', true)).toMatch(
      /runs more than once an hour \(minutes field '0\/15'\)/,
    );
    expect(cronProblem('cron(0,30 * ? * * *)', true)).toMatch(/runs more than once an hour/);
    expect(cronProblem('cron(0/15 * ? * * *)', false)).toBeUndefined();
  });
});
