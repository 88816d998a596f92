import { Dialog } from "radix-ui";
import type { ReactNode } from "react";

import { batchDrawer, escapeCloses, useReturnFocus } from "./focus";

/** A modal dialog (Radix): focus trapped inside, Escape closes, focus returns to the opener. */
export function Modal({
  open,
  onOpenChange,
  title,
  description,
  children,
  testId,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  // Inside the batch drawer, focus falls back to the drawer; elsewhere to the main area.
  const focus = useReturnFocus(batchDrawer);
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="modal" data-testid={testId} {...focus} onKeyDown={escapeCloses(() => onOpenChange(false))}>
          <Dialog.Title className="modal-title">{title}</Dialog.Title>
          {description ? (
            <Dialog.Description className="modal-description">{description}</Dialog.Description>
          ) : (
            <Dialog.Description className="visually-hidden">{title}</Dialog.Description>
          )}
          {children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
