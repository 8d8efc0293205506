// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.ts';
import { connection } from './connection.ts';
import { useResource } from './use-resource.ts';

afterEach(() => {
  cleanup();
  // Ends any checking an unanswered request started.
  connection.markReachable();
});

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
      <p data-testid="stale">{String(resource.stale)}</p>
      <button type="button" onClick={resource.retry}>
        retry
      </button>
    </div>
  );
}

const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));

describe('useResource', () => {
  it("drops the previous window's data when the new window fails, instead of showing it under the new labels", async () => {
    const answers: Record<string, string | Error> = {
      '30d': 'thirty days of data',
      '90d': new ApiError(0, 'network', 'the server is not answering'),
    };
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

  it('says the data is stale when a reload of the same key fails, and not once it loads', async () => {
    const answers: Record<string, string | Error> = { '30d': 'thirty days of data' };
    render(<Probe resourceKey="30d" answers={answers} />);
    await settle();
    expect(screen.getByTestId('stale').textContent).toBe('false');
    answers['30d'] = new ApiError(0, 'network', 'no answer');
    act(() => screen.getByText('retry').click());
    await settle();
    expect(screen.getByTestId('stale').textContent).toBe('true');
    answers['30d'] = 'fresh data';
    act(() => screen.getByText('retry').click());
    await settle();
    expect(screen.getByTestId('stale').textContent).toBe('false');
    expect(screen.getByTestId('data').textContent).toBe('fresh data');
  });

  it('loads again by itself when the server comes back, but not after a refused request', async () => {
    const answers: Record<string, string | Error> = {
      a: new ApiError(0, 'network', 'no answer'),
      b: new ApiError(400, 'invalid', 'bad window'),
    };
    render(
      <>
        <Probe resourceKey="a" answers={answers} />
      </>,
    );
    await settle();
    expect(connection.get().reachable).toBe(false);
    answers.a = 'back again';
    act(() => connection.markReachable());
    await settle();
    expect(screen.getByTestId('data').textContent).toBe('back again');
    cleanup();

    let calls = 0;
    function Refused() {
      const resource = useResource('b', async () => {
        calls++;
        throw answers.b;
      });
      return <p data-testid="refused">{resource.error?.message ?? 'none'}</p>;
    }
    render(<Refused />);
    await settle();
    expect(connection.get().reachable).toBe(true);
    act(() => {
      connection.markUnreachable();
      connection.markReachable();
    });
    await settle();
    expect(calls).toBe(1);
    expect(screen.getByTestId('refused').textContent).toBe('bad window');
  });
});
