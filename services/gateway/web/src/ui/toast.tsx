import { Toast } from "radix-ui";
import { createContext, use, useCallback, useMemo, useState, type ReactNode } from "react";

type Tone = "success" | "error";

interface Item {
  id: number;
  tone: Tone;
  title: string;
  description?: string;
}

const ToastContext = createContext<((tone: Tone, title: string, description?: string) => void) | null>(null);

/** Toasts (Radix): success and error messages of actions, announced to screen readers. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<Item[]>([]);
  const push = useCallback((tone: Tone, title: string, description?: string) => {
    setItems((current) => [...current.slice(-3), { id: Date.now() + Math.random(), tone, title, description }]);
  }, []);
  const remove = (id: number) => setItems((current) => current.filter((item) => item.id !== id));
  return (
    <Toast.Provider swipeDirection="right" duration={6000}>
      <ToastContext value={push}>{children}</ToastContext>
      {items.map((item) => (
        <Toast.Root
          key={item.id}
          className={`toast toast-${item.tone}`}
          type={item.tone === "error" ? "foreground" : "background"}
          onOpenChange={(open) => {
            if (!open) remove(item.id);
          }}
          data-testid={`toast-${item.tone}`}
        >
          <Toast.Title className="toast-title">{item.title}</Toast.Title>
          {item.description && <Toast.Description className="toast-description">{item.description}</Toast.Description>}
          <Toast.Close className="toast-close" aria-label="Dismiss">
            ×
          </Toast.Close>
        </Toast.Root>
      ))}
      <Toast.Viewport className="toast-viewport" />
    </Toast.Provider>
  );
}

export function useToast() {
  const push = use(ToastContext);
  if (!push) throw new Error("useToast outside ToastProvider");
  return useMemo(
    () => ({
      success: (title: string, description?: string) => push("success", title, description),
      error: (title: string, description?: string) => push("error", title, description),
    }),
    [push],
  );
}
