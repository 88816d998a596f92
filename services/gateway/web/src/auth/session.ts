import type { components } from "../api/schema";

type TokenResponse = components["schemas"]["TokenResponse"];

interface Tokens {
  accessToken: string;
  /** Epoch milliseconds. */
  accessExpiresAt: number;
  refreshToken: string;
  /** The signed-in user's id (the identity's subject), for what the browser remembers per user. */
  userId: string;
}

export type SessionEnd = "signed-out" | "expired";

const STORAGE_KEY = "canopy.session";
/** Refresh this long before the access token expires, so no request carries a dying token. */
const EARLY_MS = 30_000;

/**
 * The signed-in session: the gateway's access token and single-use refresh token.
 *
 * Kept in sessionStorage (this tab only, gone when it closes). Every API request goes through
 * `fetch` below: it refreshes the pair shortly before the access token expires, and once more if
 * the gateway still answers 401 (a token revoked or expired meanwhile), then replays the request.
 * Refreshes are single-flight: a refresh token may be spent once only (the gateway ends the whole
 * session when a spent one comes back), so concurrent requests share one refresh.
 */
class Session {
  private tokens: Tokens | null = load();
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<(end: SessionEnd | null) => void>();

  get signedIn(): boolean {
    return this.tokens !== null;
  }

  get userId(): string | null {
    return this.tokens?.userId ?? null;
  }

  subscribe(listener: (end: SessionEnd | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(answer: TokenResponse): void {
    this.store(answer);
    this.emit(null);
  }

  /** Forget the tokens (the caller has told the gateway, or the session is dead anyway). */
  end(why: SessionEnd): void {
    this.tokens = null;
    sessionStorage.removeItem(STORAGE_KEY);
    this.emit(why);
  }

  readonly fetch = async (request: Request): Promise<Response> => {
    if (this.tokens && this.tokens.accessExpiresAt - Date.now() < EARLY_MS) await this.refresh();
    const replay = request.clone();
    const response = await fetch(this.authorize(request));
    if (response.status !== 401 || !this.tokens || isAuthRoute(request.url)) return response;
    if (!(await this.refresh())) return response;
    return fetch(this.authorize(replay));
  };

  private authorize(request: Request): Request {
    if (this.tokens) request.headers.set("Authorization", `Bearer ${this.tokens.accessToken}`);
    return request;
  }

  private refresh(): Promise<boolean> {
    this.refreshing ??= this.spendRefreshToken().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async spendRefreshToken(): Promise<boolean> {
    const spent = this.tokens?.refreshToken;
    if (!spent) return false;
    let response: Response;
    try {
      response = await fetch("/api/v1/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: spent }),
      });
    } catch {
      return false; // offline: keep the tokens, the next request tries again
    }
    if (!response.ok) {
      this.end("expired");
      return false;
    }
    this.store((await response.json()) as TokenResponse);
    return true;
  }

  private store(answer: TokenResponse): void {
    this.tokens = {
      accessToken: answer.access_token,
      accessExpiresAt: Date.now() + answer.expires_in * 1000,
      refreshToken: answer.refresh_token,
      userId: answer.user.id,
    };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(this.tokens));
  }

  private emit(end: SessionEnd | null): void {
    for (const listener of this.listeners) listener(end);
  }
}

function load(): Tokens | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

function isAuthRoute(url: string): boolean {
  const path = new URL(url, location.origin).pathname;
  return path === "/api/v1/auth/login" || path === "/api/v1/auth/refresh";
}

export const session = new Session();
