import { useRef, type KeyboardEvent } from "react";

/**
 * Focus goes back where it came from when a dialog closes. Radix returns it to its own Trigger
 * element; our dialogs are opened by ordinary buttons (a row's button, an action of the drawer),
 * so without this the focus falls to <body> and a keyboard user is lost. When the opener is
 * gone or disabled (the action no longer applies), `fallback` gets the focus instead.
 */
export function useReturnFocus(fallback: () => HTMLElement | null) {
  const opener = useRef<HTMLElement | null>(null);
  return {
    onOpenAutoFocus: () => {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    },
    onCloseAutoFocus: (event: Event) => {
      event.preventDefault();
      const target = opener.current;
      const usable = target !== null && target !== document.body && target.isConnected && !target.matches(":disabled");
      (usable ? target : fallback())?.focus();
    },
  };
}

export const mainArea = () => document.getElementById("main");
export const batchDrawer = () => document.querySelector<HTMLElement>("[data-testid=batch-drawer]") ?? mainArea();

/**
 * Escape closes the dialog it was pressed in, even while a toast is up: Radix gives Escape to
 * the topmost layer only, and each toast is one. Only for a key pressed inside this dialog's own
 * DOM (a dialog opened over it is portalled elsewhere, though React bubbles its events here).
 */
export function escapeCloses(close: () => void) {
  return (event: KeyboardEvent<HTMLElement>) => {
    if (event.key === "Escape" && event.currentTarget.contains(event.target as Node)) close();
  };
}
