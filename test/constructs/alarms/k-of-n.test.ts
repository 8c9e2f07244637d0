import { kOfNRule } from '../../../constructs/alarms/k-of-n';

describe('kOfNRule (the composite alarm rule "at least k of n in ALARM")', () => {
  const names = ['a', 'b', 'c'];

  it('is a plain OR for k = 1', () => {
    expect(kOfNRule(names, 1)).toBe('ALARM("a") OR ALARM("b") OR ALARM("c")');
  });

  it('is a plain AND for k = n', () => {
    expect(kOfNRule(names, 3)).toBe('ALARM("a") AND ALARM("b") AND ALARM("c")');
  });

  it('ORs every k-combination, in the order given, for 1 < k < n', () => {
    expect(kOfNRule(names, 2)).toBe(
      '(ALARM("a") AND ALARM("b")) OR (ALARM("a") AND ALARM("c")) OR (ALARM("b") AND ALARM("c"))',
    );
  });

  it('has C(4, 2) = 6 terms for 2 of 4', () => {
    expect(kOfNRule(['a', 'b', 'c', 'd'], 2).split(' OR ')).toHaveLength(6);
  });
});
