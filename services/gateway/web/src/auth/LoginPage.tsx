import { useState, type SyntheticEvent } from "react";


import { ApiError, messageOf } from "../api/errors";
import { Field } from "../ui/Field";
import { useAuth } from "./AuthProvider";

export default function LoginPage() {
  const { signIn, ended } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // Signed in, the application's routes take the person where they were going.
      await signIn(email, password);
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.code === "INVALID_CREDENTIALS"
          ? "The email or the password is wrong."
          : messageOf(failure),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <form className="login-card" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Canopy</h1>
        {ended === "expired" && (
          <p className="notice" role="status">
            Your session has ended. Sign in again to go on.
          </p>
        )}
        {ended === "signed-out" && (
          <p className="notice" role="status">
            You are signed out.
          </p>
        )}
        <Field label="Email" required>
          {(control) => (
            <input {...control} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <Field label="Password" required>
          {(control) => (
            <input
              {...control}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button className="button button-primary" type="submit" disabled={busy || !email || !password}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
