import { lazy, type ComponentType, type LazyExoticComponent } from "react";

import type { Operation } from "../api/permissions";

/**
 * Every screen of the application, in menu order. A screen is listed in the menu, and reachable,
 * only when the signed-in user may call the operation it stands on (the permission comes from the
 * gateway's OpenAPI document, generated into api/permissions.ts). Screens are loaded on first
 * visit (their own bundle chunk), so a new area (compliance, cultivation and transfers, reports)
 * is one more entry here and a folder of its own, and the main bundle does not grow with it.
 */
export interface Screen {
  path: string;
  label: string;
  /** The operation the screen cannot work without. */
  needs: Operation;
  component: LazyExoticComponent<ComponentType>;
  /** Hidden from the menu (reached from another screen). */
  hidden?: boolean;
}

export interface Area {
  label: string;
  screens: Screen[];
}

export const AREAS: Area[] = [
  {
    label: "Inventory",
    screens: [
      {
        path: "/inventory",
        label: "Batches",
        needs: "GET /api/v1/batches/enhanced",
        component: lazy(() => import("../inventory/InventoryPage")),
      },
      {
        path: "/inventory/intake",
        label: "Receive stock",
        needs: "POST /api/v1/batches/intake",
        component: lazy(() => import("../inventory/IntakePage")),
      },
      {
        path: "/inventory/as-of",
        label: "Inventory as of",
        needs: "GET /api/v1/inventory/as-of",
        component: lazy(() => import("../inventory/AsOfPage")),
      },
    ],
  },
  // Compliance (API keys, sync dashboard, sync log, reconciliation), cultivation and transfers,
  // and reports slot in here as areas when their gateway routes exist.
];

export const SCREENS: Screen[] = AREAS.flatMap((area) => area.screens);
