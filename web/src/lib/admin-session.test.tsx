// @vitest-environment jsdom
import { act, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.ts';
import { ADMIN_TOKEN_KEY, adminSession, createAdminSession, describeAdminFailure, useAdminToken } from './admin-session.ts';

afterEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});

describe('createAdminSession', () => {
  it('keeps the trimmed token in sessionStorage only, tells subscribers, and forgets it on sign-out', () => {
    const session = createAdminSession(sessionStorage);
    let changes = 0;
    session.subscribe(() => changes++);
    expect(session.token()).toBeNull();
    session.signIn('  tok-123  ');
    expect(session.token()).toBe('tok-123');
    expect(sessionStorage.getItem(ADMIN_TOKEN_KEY)).toBe('tok-123');
    expect(localStorage.length).toBe(0);
    session.signOut();
    expect(session.token()).toBeNull();
    expect(sessionStorage.getItem(ADMIN_TOKEN_KEY)).toBeNull();
    expect(changes).toBe(2);
  });

  it('refuses an empty token and keeps nothing', () => {
    const session = createAdminSession(sessionStorage);
    expect(() => session.signIn('   ')).toThrow(/empty/);
    expect(sessionStorage.length).toBe(0);
  });

  it('works in memory when the browser blocks storage', () => {
    const blocked = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('SecurityError');
      },
      removeItem: () => {
        throw new Error('SecurityError');
      },
    };
    const session = createAdminSession(blocked);
    session.signIn('tok');
    expect(session.token()).toBe('tok');
    session.signOut();
    expect(session.token()).toBeNull();
  });
});

describe('useAdminToken', () => {
  function Probe() {
    return <p>{useAdminToken() ?? 'signed out'}</p>;
  }

  it('re-renders on sign-in and sign-out', () => {
    render(<Probe />);
    expect(screen.getByText('signed out')).toBeTruthy();
    act(() => adminSession.signIn('tok-9'));
    expect(screen.getByText('tok-9')).toBeTruthy();
    act(() => adminSession.signOut());
    expect(screen.getByText('signed out')).toBeTruthy();
  });
});

describe('describeAdminFailure', () => {
  it('signs out on a refused token, keeping the reason until the next sign-in; other failures keep the token', () => {
    const session = createAdminSession(sessionStorage);
    session.signIn('tok-1');
    expect(describeAdminFailure(new ApiError(503, 'overloaded', 'busy'), 'fallback', session)).toBe('busy');
    expect(describeAdminFailure(new Error('boom'), 'fallback', session)).toBe('fallback');
    expect(session.token()).toBe('tok-1');
    expect(describeAdminFailure(new ApiError(403, 'forbidden', 'wrong admin token'), 'fallback', session)).toBeNull();
    expect([session.token(), session.refusal()]).toEqual([null, 'wrong admin token']);
    session.signIn('tok-2');
    expect(session.refusal()).toBeNull();
    session.signOut();
    expect(session.refusal()).toBeNull();
  });
});
