import { useId, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client.ts';
import { adminSession, useAdminRefusal, useAdminToken } from '../lib/admin-session.ts';

/**
 * Sign in with the admin token for this tab, or sign out. The token is checked against the server
 * first (an admin read that changes nothing) and kept only when accepted: a wrong one is not stored.
 * When a request refused the token and signed out, the form says why until the next sign-in.
 */
export function AdminSignIn({ check = api.checkAdminToken }: { check?: (token: string) => Promise<unknown> }) {
  const token = useAdminToken();
  const notice = useAdminRefusal();
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const inputId = useId();
  const errorId = useId();

  if (token) {
    return (
      <div className="admin-session" role="status">
        <span>Signed in as admin in this tab.</span>{' '}
        <button type="button" onClick={() => adminSession.signOut()}>
          Sign out
        </button>
      </div>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = draft.trim();
    if (!value) {
      setError('Enter the admin token (the ADMIN_TOKEN the server was started with).');
      return;
    }
    setChecking(true);
    setError(null);
    try {
      await check(value);
      adminSession.signIn(value);
      setDraft('');
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : 'The token could not be checked. Nothing was stored.');
    } finally {
      setChecking(false);
    }
  };

  return (
    <form className="admin-sign-in" onSubmit={(event) => void submit(event)} aria-label="Admin sign-in">
      <div className="field">
        <label htmlFor={inputId}>Admin token</label>
        <input
          id={inputId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={(error ?? notice) ? errorId : undefined}
        />
      </div>
      <button type="submit" disabled={checking}>
        {checking ? 'Checking…' : 'Sign in'}
      </button>
      <p className="muted admin-note">Kept in this tab only, until you sign out or close it.</p>
      {(error ?? notice) && (
        <p id={errorId} className="form-error" role="alert">
          {error ?? notice}
        </p>
      )}
    </form>
  );
}
