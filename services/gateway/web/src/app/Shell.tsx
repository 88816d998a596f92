import { DropdownMenu } from "radix-ui";
import { Suspense, type ReactNode } from "react";
import { NavLink } from "react-router";

import { useAuth } from "../auth/AuthProvider";
import { Loading, Skeleton } from "../ui/states";
import { AREAS } from "./modules";
import { useSites } from "./SiteProvider";

/** The frame of every signed-in screen: skip link, header (menu, site, user), main area. */
export function Shell({ children }: { children: ReactNode }) {
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Canopy</span>
        <Menu />
        <div className="topbar-end">
          <SiteSwitcher />
          <UserMenu />
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Suspense
          fallback={
            <Loading label="Loading the screen">
              <Skeleton height="2rem" width="30%" />
            </Loading>
          }
        >
          {children}
        </Suspense>
      </main>
    </div>
  );
}

function Menu() {
  const { can } = useAuth();
  const areas = AREAS.map((area) => ({
    ...area,
    screens: area.screens.filter((screen) => !screen.hidden && can(screen.needs)),
  })).filter((area) => area.screens.length > 0);
  return (
    <nav aria-label="Main" className="menu">
      {areas.map((area) => (
        <div className="menu-area" key={area.label}>
          <span className="menu-area-label" id={`area-${area.label}`}>
            {area.label}
          </span>
          <ul aria-labelledby={`area-${area.label}`}>
            {area.screens.map((screen) => (
              <li key={screen.path}>
                <NavLink to={screen.path} end>
                  {screen.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}

function SiteSwitcher() {
  const { sites, site, choose, isLoading } = useSites();
  if (isLoading) return <Skeleton width="10rem" height="2rem" />;
  if (sites.length === 0) return <span className="muted">No sites</span>;
  return (
    <label className="site-switcher">
      <span>Site</span>
      <select value={site?.id ?? ""} onChange={(event) => choose(event.target.value)} data-testid="site-switcher">
        {sites.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name} ({s.licenseNumber})
          </option>
        ))}
      </select>
    </label>
  );
}

function UserMenu() {
  const { me, signOut } = useAuth();
  const name = me?.display_name ?? me?.subject ?? "Account";
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger className="button button-ghost" data-testid="user-menu">
        {name} ▾
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu-popover" align="end" sideOffset={4}>
          <DropdownMenu.Label className="menu-label">{me?.roles.join(", ") || "No roles"}</DropdownMenu.Label>
          <DropdownMenu.Separator className="menu-separator" />
          <DropdownMenu.Item className="menu-item" onSelect={() => void signOut()}>
            Sign out
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
