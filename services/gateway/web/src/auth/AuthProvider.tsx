import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, use, useEffect, useMemo, useState, type ReactNode } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { EVERY_SITE_OPERATIONS, OPERATION_PERMISSIONS, type Operation } from "../api/permissions";
import { meQuery } from "../api/queries";
import { session, type SessionEnd } from "./session";

interface Auth {
  signedIn: boolean;
  /** Why the last session ended, to say so on the sign-in page. */
  ended: SessionEnd | null;
  me: Schemas["MeView"] | undefined;
  meError: unknown;
  /** Whether the gateway would accept this operation from the signed-in user: their permissions
   * hold the one it requires, and a license-wide one (EVERY_SITE_OPERATIONS, `always`) needs
   * every site granted. One that is license-wide only `without siteId` is allowed: a user
   * without every site names their working site (see `everySite`). */
  can: (operation: Operation) => boolean;
  /** Granted every site (`*`): license-wide data is theirs to read without naming a site. */
  everySite: boolean;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [signedIn, setSignedIn] = useState(session.signedIn);
  const [ended, setEnded] = useState<SessionEnd | null>(null);

  useEffect(
    () =>
      session.subscribe((end) => {
        setSignedIn(session.signedIn);
        setEnded(end);
        if (end) queryClient.clear();
      }),
    [queryClient],
  );

  const me = useQuery({ ...meQuery, enabled: signedIn });

  const value = useMemo<Auth>(() => {
    const permissions = new Set(me.data?.permissions ?? []);
    const everySite = me.data?.sites.includes("*") ?? false;
    return {
      signedIn,
      ended,
      me: me.data,
      meError: me.error,
      can: (operation) => {
        const needed: string = OPERATION_PERMISSIONS[operation];
        if (needed === "none") return true;
        if (needed === "authenticated") return signedIn;
        if (EVERY_SITE_OPERATIONS[operation] === "always" && !everySite) return false;
        return permissions.has(needed);
      },
      everySite,
      signIn: async (email, password) => {
        session.start(await unwrap(api.POST("/api/v1/auth/login", { body: { email, password } })));
      },
      signOut: async () => {
        try {
          await api.POST("/api/v1/auth/logout");
        } finally {
          session.end("signed-out");
        }
      },
    };
  }, [signedIn, ended, me.data, me.error]);

  return <AuthContext value={value}>{children}</AuthContext>;
}

export function useAuth(): Auth {
  const auth = use(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthProvider");
  return auth;
}
