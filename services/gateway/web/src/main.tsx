import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";

import { ApiError } from "./api/errors";
import { App } from "./app/App";
import { SiteProvider } from "./app/SiteProvider";
import { startLoading } from "./app/startup";
import { AuthProvider } from "./auth/AuthProvider";
import "./styles.css";
import { ToastProvider } from "./ui/toast";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // A refusal (4xx) will not change on a retry; a network failure or a 5xx may.
      retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
      refetchOnWindowFocus: false,
    },
  },
});

startLoading(queryClient);

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      {/* Without transitions: several controls (checkboxes, filters) are bound to the URL, and a
          controlled input updated inside a transition shows its old value until the transition
          commits, so a click on a busy machine looked like it did nothing. */}
      <BrowserRouter useTransitions={false}>
        <ToastProvider>
          <AuthProvider>
            <SiteProvider>
              <App />
            </SiteProvider>
          </AuthProvider>
        </ToastProvider>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
