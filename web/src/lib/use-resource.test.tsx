// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.ts';
import { useResource } from './use-resource.ts';

afterEach(cleanup);

/** Answers each key from `answers`: a string resolves, an Error rejects. */
function Probe({ resourceKey, answers }: { resourceKey: string; answers: Record<string, string | Error> }) {
  const resource = useResource(resourceKey, async () => {
    const answer = answers[resourceKey]!;
    if (answer instanceof Error) throw answer;
    return answer;
  });
  return (
    <div>
      <p data-testid="data">{resource.data ?? 'none'}</p>
      <p data-testid="error">{resource.error?.message ?? 'none'}</p>
      <button type="button" onClick={resource.retry}>
        retry
      </button>
    </div>
  );
}

const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));

describe('useResource', () => {
  it('drops the previous window\'s data when the new window fails, instead of showing it under the new labels', async () => {
    const answers: Record<string, string | Error> = { '30d': 'thirty days of data', '90d': new ApiError(0, 'network', 'the server is not answering') };
    const { rerender } = render(<Probe resourceKey="30d" answers={answers} />);
    await settle();
    expect(screen.getByTestId('data').textContent).toBe('thirty days of data');
    rerender(<Probe resourceKey="90d" answers={answers} />);
    await settle();
    expect(screen.getByTestId('error').textContent).toBe('the server is not answering');
    expect(screen.getByTestId('data').textContent).toBe('none');
  });

  it('keeps the data of the same key when a retry of it fails', async () => {
    const answers: Record<string, string | Error> = { '30d': 'thirty days of data' };
    render(<Probe resourceKey="30d" answers={answers} />);
    await settle();
    answers['30d'] = new ApiError(503, 'overloaded', 'busy');
    act(() => screen.getByText('retry').click());
    await settle();
    expect(screen.getByTestId('error').textContent).toBe('busy');
    expect(screen.getByTestId('data').textContent).toBe('thirty days of data');
  });
});
