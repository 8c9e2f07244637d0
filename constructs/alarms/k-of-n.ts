/**
 * The composite rule "at least k of these alarms are in ALARM": the OR of the AND of every
 * k-combination, in the order given. k = 1 is a plain OR, k = n a plain AND. With at most 4 members
 * of at most 255 characters, the longest rule (2 of 4) stays far below CloudWatch's 10240 characters.
 */
export function kOfNRule(alarmNames: readonly string[], k: number): string {
  const terms = combinations(alarmNames, k).map((names) =>
    names.map((name) => `ALARM("${name}")`).join(' AND '),
  );
  if (k === 1 || terms.length === 1) return terms.join(' OR ');
  return terms.map((term) => `(${term})`).join(' OR ');
}

function combinations<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  const result: T[][] = [];
  items.forEach((item, index) => {
    for (const rest of combinations(items.slice(index + 1), k - 1)) result.push([item, ...rest]);
  });
  return result;
}
