/** Counts calls per UTC day and refuses them past the limit; the count starts again at midnight UTC. */
export interface DailyBudget {
  tryConsume(): boolean;
  used(): number;
}

export function createDailyBudget(limit: number, now: () => Date = () => new Date()): DailyBudget {
  let day = '';
  let count = 0;
  const roll = (): void => {
    const today = now().toISOString().slice(0, 10);
    if (today !== day) {
      day = today;
      count = 0;
    }
  };
  return {
    tryConsume() {
      roll();
      if (count >= limit) return false;
      count++;
      return true;
    },
    used() {
      roll();
      return count;
    },
  };
}

/** The reason a budgeted call is refused once the day's calls are spent. */
export const BUDGET_EXHAUSTED = 'daily budget exhausted';
