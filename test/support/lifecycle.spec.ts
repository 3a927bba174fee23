import { expectLifecycle, lifecycleProblems } from './lifecycle';

const events = (...statuses: string[]) => statuses.map((s) => `payment.${s}`);

describe('lifecycle of an operation’s events', () => {
  it.each([
    [['accepted', 'approved'], 'approved'],
    [['accepted', 'pending', 'in_progress', 'approved'], 'approved'],
    [['accepted', 'unknown', 'pending', 'approved'], 'approved'],
    [['accepted', 'pending', 'cancelling', 'in_progress', 'approved'], 'approved'],
    [['accepted', 'pending', 'cancelling', 'expired'], 'expired'],
    [['accepted', 'rejected'], 'rejected'],
  ])('takes %j ending %s', (statuses, last) => {
    expect(lifecycleProblems(events(...statuses), 'payment', last)).toEqual([]);
    expect(expectLifecycle(events(...statuses), 'payment', last)).toEqual(statuses);
  });

  it.each([
    [['pending', 'approved'], 'approved', 'starts pending, not accepted'],
    [['accepted', 'pending'], 'approved', 'ends pending, not approved'],
    [['accepted', 'pending', 'approved'], 'rejected', 'ends approved, not rejected'],
    // Every status is one of the lifecycle, but not in an order it allows.
    [['accepted', 'in_progress', 'pending', 'approved'], 'approved', 'in_progress → pending is not an allowed transition'],
    [['accepted', 'pending', 'in_progress', 'pending', 'approved'], 'approved', 'repeats pending'],
    [['accepted', 'rejected', 'approved'], 'approved', 'has 2 final statuses (rejected, approved), not one'],
    [['accepted', 'rejected', 'approved'], 'approved', 'rejected → approved is not an allowed transition'],
    [['accepted', 'accepted', 'approved'], 'approved', 'accepted → accepted is not an allowed transition'],
    [['accepted', 'paid'], 'paid', 'paid is not a status'],
  ])('refuses %j ending %s: %s', (statuses, last, problem) => {
    expect(lifecycleProblems(events(...statuses), 'payment', last)).toContain(problem);
  });

  it('refuses another kind’s events and an empty list', () => {
    expect(lifecycleProblems(['payment.accepted', 'reversal.approved'], 'payment', 'approved')).toContain('reversal.approved is not a payment event');
    expect(lifecycleProblems([], 'payment', 'approved')).toEqual(
      expect.arrayContaining(['starts (nothing), not accepted', 'ends (nothing), not approved']),
    );
  });

  it('fails the test, naming the sequence, when the order is wrong', () => {
    expect(() => expectLifecycle(events('accepted', 'in_progress', 'pending', 'approved'), 'payment', 'approved')).toThrow(
      /in_progress → pending is not an allowed transition/,
    );
  });
});
