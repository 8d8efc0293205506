import { describe, expect, it } from 'vitest';
import { createDailyBudget } from './daily-budget.ts';

describe('createDailyBudget', () => {
  it('refuses calls past the limit until the UTC day changes', () => {
    let clock = new Date('2025-06-10T10:00:00Z');
    const budget = createDailyBudget(2, () => clock);
    expect([budget.tryConsume(), budget.tryConsume(), budget.tryConsume()]).toEqual([true, true, false]);
    clock = new Date('2025-06-11T00:00:01Z');
    expect(budget.tryConsume()).toBe(true);
    expect(budget.used()).toBe(1);
  });
});
