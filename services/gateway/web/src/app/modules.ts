import type { QueryClient } from "@tanstack/react-query";
import { lazy, type ComponentType, type LazyExoticComponent } from "react";

import type { Operation } from "../api/permissions";
import { enhancedListQuery } from "../api/queries";
import { session } from "../auth/session";
import { ignore } from "../ui/ignore";
import { readState, withRemembered } from "../inventory/listState";
import { siteStorageKey } from "./SiteProvider";

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
  /** Loads the screen's chunk (the component waits for it; called early, it is there sooner). */
  load: () => Promise<unknown>;
  /** Starts the screen's first request at page load, beside the session's own (app/startup). */
  prefetch?: (client: QueryClient) => void;
  /** Hidden from the menu (reached from another screen). */
  hidden?: boolean;
}

type Module = { default: ComponentType };

function screen(definition: Omit<Screen, "component" | "load"> & { load: () => Promise<Module> }): Screen {
  let loaded: Module | undefined;
  const load = () =>
    definition.load().then((module) => {
      loaded = module;
      return module;
    });
  // Once the chunk is here (app/startup.ts asks for it at page load), React gets it at once,
  // through a thenable that resolves synchronously: no fallback is shown, and React does not
  // hold the content back for its fallback throttle (300 ms after a fallback appears).
  const resolved = (module: Module) => ({ then: (done: (value: Module) => void) => done(module) });
  return {
    ...definition,
    load,
    component: lazy(() => (loaded ? (resolved(loaded) as unknown as Promise<Module>) : load())),
  };
}

export interface Area {
  label: string;
  screens: Screen[];
}

export const AREAS: Area[] = [
  {
    label: "Inventory",
    screens: [
      screen({
        path: "/inventory",
        label: "Batches",
        needs: "GET /api/v1/batches/enhanced",
        load: () => import("../inventory/InventoryPage"),
        prefetch: (client) => {
          // The list of the site last worked in, with the filters in the URL (or remembered).
          const siteId = localStorage.getItem(siteStorageKey(session.userId));
          const state = readState(withRemembered(new URLSearchParams(location.search)));
          if (siteId) client.query(enhancedListQuery(siteId, { ...state })).catch(ignore);
        },
      }),
      screen({
        path: "/inventory/intake",
        label: "Receive stock",
        needs: "POST /api/v1/batches/intake",
        load: () => import("../inventory/IntakePage"),
      }),
      screen({
        path: "/inventory/as-of",
        label: "Inventory as of",
        needs: "GET /api/v1/inventory/as-of",
        load: () => import("../inventory/AsOfPage"),
      }),
    ],
  },
  {
    label: "Reports",
    screens: [
      screen({
        path: "/reports/aging",
        label: "Aging",
        needs: "GET /api/v1/reports/aging",
        load: () => import("../reports/AgingPage"),
      }),
      screen({
        path: "/reports/profitability",
        label: "Profitability",
        needs: "GET /api/v1/reports/profitability",
        load: () => import("../reports/ProfitabilityPage"),
      }),
    ],
  },
  {
    label: "Compliance",
    screens: [
      screen({
        path: "/compliance/sync",
        label: "Sync dashboard",
        needs: "GET /api/v1/compliance/health",
        load: () => import("../compliance/SyncDashboardPage"),
      }),
      screen({
        path: "/compliance/sync-metrc",
        label: "Sync with Metrc",
        needs: "POST /api/v1/compliance/sync",
        load: () => import("../compliance/SyncWithMetrcPage"),
      }),
      screen({
        path: "/compliance/sync-log",
        label: "Sync log",
        needs: "GET /api/v1/compliance/sync-log",
        load: () => import("../compliance/SyncLogPage"),
      }),
      screen({
        path: "/compliance/reconciliation",
        label: "Reconciliation",
        needs: "GET /api/v1/compliance/licenses/{licenseNumber}/findings",
        load: () => import("../compliance/ReconciliationPage"),
      }),
      screen({
        path: "/compliance/notifications",
        label: "Notifications",
        needs: "GET /api/v1/compliance/notifications",
        load: () => import("../compliance/NotificationsPage"),
      }),
      screen({
        path: "/compliance/keys",
        label: "API keys",
        needs: "GET /api/v1/compliance/credentials",
        load: () => import("../compliance/KeysPage"),
      }),
      screen({
        path: "/compliance/rules",
        label: "Rules",
        needs: "GET /api/v1/compliance/rules/{siteId}",
        load: () => import("../compliance/RulesPage"),
      }),
    ],
  },
  {
    label: "Cultivation",
    screens: [
      screen({
        path: "/cultivation/plant-batches",
        label: "Plant batches",
        needs: "GET /api/v1/plant-batches",
        load: () => import("../cultivation/PlantBatchesPage"),
      }),
      screen({
        path: "/cultivation/plant-batches/new",
        label: "New plant batch",
        needs: "POST /api/v1/plant-batches",
        load: () => import("../cultivation/PlantBatchCreatePage"),
        hidden: true,
      }),
      screen({
        path: "/cultivation/plant-batches/:plantBatchId",
        label: "Plant batch",
        needs: "GET /api/v1/plant-batches/{plantBatchId}",
        load: () => import("../cultivation/PlantBatchPage"),
        hidden: true,
      }),
      screen({
        path: "/cultivation/plants",
        label: "Plants",
        needs: "GET /api/v1/plants",
        load: () => import("../cultivation/PlantsPage"),
      }),
      screen({
        path: "/cultivation/harvests",
        label: "Harvests",
        needs: "GET /api/v1/harvests",
        load: () => import("../cultivation/HarvestsPage"),
      }),
      screen({
        path: "/cultivation/harvests/new",
        label: "Record harvest",
        needs: "POST /api/v1/harvests",
        load: () => import("../cultivation/HarvestCreatePage"),
        hidden: true,
      }),
      screen({
        path: "/cultivation/harvests/:harvestId",
        label: "Harvest",
        needs: "GET /api/v1/harvests/{harvestId}",
        load: () => import("../cultivation/HarvestPage"),
        hidden: true,
      }),
    ],
  },
  {
    label: "Transfers",
    screens: [
      screen({
        path: "/transfers/outgoing",
        label: "Outgoing transfers",
        needs: "GET /api/v1/outgoing-transfers",
        load: () => import("../transfers/TransfersPage"),
      }),
      screen({
        path: "/transfers/outgoing/new",
        label: "New outgoing transfer",
        needs: "POST /api/v1/outgoing-transfers",
        load: () => import("../transfers/TransferCreatePage"),
        hidden: true,
      }),
      screen({
        path: "/transfers/outgoing/:transferId",
        label: "Outgoing transfer",
        needs: "GET /api/v1/outgoing-transfers/{transferId}",
        load: () => import("../transfers/TransferPage"),
        hidden: true,
      }),
      screen({
        path: "/transfers/incoming",
        label: "Incoming transfers",
        needs: "GET /api/v1/incoming-transfers",
        load: () => import("../transfers/IncomingTransfersPage"),
      }),
      screen({
        path: "/transfers/incoming/:transferId",
        label: "Incoming transfer",
        needs: "GET /api/v1/incoming-transfers/{transferId}",
        load: () => import("../transfers/IncomingTransferPage"),
        hidden: true,
      }),
      screen({
        path: "/transfers/incoming/:transferId/receive",
        label: "Receive incoming transfer",
        needs: "POST /api/v1/incoming-transfers/{transferId}/receive",
        load: () => import("../transfers/IncomingReceivePage"),
        hidden: true,
      }),
    ],
  },
];

export const SCREENS: Screen[] = AREAS.flatMap((area) => area.screens);
