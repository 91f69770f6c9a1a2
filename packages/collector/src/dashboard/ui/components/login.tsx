import { useState } from 'preact/hooks';

/** Asks for a read token; it is kept for this browser tab only (sessionStorage) and sent as a bearer token. */
export function Login({ failed, onSubmit }: { failed: boolean; onSubmit: (token: string) => void }) {
  const [token, setToken] = useState('');
  return (
    <div class="login">
      <form
        class="card login-card"
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim() !== '') onSubmit(token.trim());
        }}
      >
        <h1 class="brand">llm-cost</h1>
        <p class="muted">This dashboard needs a read token of the collector.</p>
        <label for="token">Read token</label>
        <input id="token" name="token" type="password" autocomplete="off" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        {failed ? <p class="error-text" role="alert">That token was not accepted.</p> : null}
        <button type="submit" class="primary">Open the dashboard</button>
        <p class="muted small">Kept in this tab only. Ingest tokens cannot open it.</p>
      </form>
    </div>
  );
}
