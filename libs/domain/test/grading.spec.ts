import { Direction, UBE_GRADING_RULE_V1, achievementRate, computeGrade, worstGrade } from '../src';

describe("Ube's grading rule v1", () => {
  it.each<[number, number, Direction, string]>([
    [3000, 2901, 'higher', 'mostly_achieved'],
    [4000, 4217, 'higher', 'achieved'],
    [1000, 285, 'higher', 'not_achieved'],
    [2610, 3387, 'lower', 'mostly_achieved'],
    [70, 87, 'higher', 'achieved'],
    [40000, 23140, 'higher', 'not_achieved'],
  ])('reproduces the seed row: target %p, actual %p, %s is better → %s', (target, actual, direction, grade) =>
    expect(computeGrade(UBE_GRADING_RULE_V1, target, actual, direction)?.grade).toBe(grade),
  );

  it.each<[number, number, Direction, string]>([
    [100, 100, 'higher', 'achieved'],
    [100, 99.99, 'higher', 'mostly_achieved'],
    [100, 75, 'higher', 'mostly_achieved'],
    [3, 2.25, 'higher', 'mostly_achieved'],
    [100, 74.99, 'higher', 'not_achieved'],
    [75, 100, 'lower', 'mostly_achieved'],
    [74.99, 100, 'lower', 'not_achieved'],
    [100, 100, 'lower', 'achieved'],
  ])('at the boundary: target %p, actual %p, %s is better → %s', (target, actual, direction, grade) =>
    expect(computeGrade(UBE_GRADING_RULE_V1, target, actual, direction)?.grade).toBe(grade),
  );

  it('names the rule and version it used', () =>
    expect(computeGrade(UBE_GRADING_RULE_V1, 10, 10, 'higher')).toEqual({
      grade: 'achieved',
      rate: 1,
      ruleId: 'ube-achievement-rate',
      ruleVersion: 1,
    }));

  it('leaves a rate without meaning to judgement', () => {
    expect(achievementRate(0, 5, 'higher')).toBeUndefined();
    expect(computeGrade(UBE_GRADING_RULE_V1, 0, 5, 'higher')).toBeUndefined();
    expect(computeGrade(UBE_GRADING_RULE_V1, 650, 0, 'lower')?.grade).toBe('achieved');
  });

  it('grades an item with several indicators by its weakest', () => {
    expect(worstGrade(['achieved', 'not_achieved', 'mostly_achieved'])).toBe('not_achieved');
    expect(worstGrade([])).toBeUndefined();
  });
});
