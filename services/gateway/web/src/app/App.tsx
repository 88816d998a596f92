import { Navigate, Route, Routes, useLocation } from "react-router";

import { EVERY_SITE_OPERATIONS, OPERATION_PERMISSIONS } from "../api/permissions";
import { useAuth } from "../auth/AuthProvider";
import LoginPage from "../auth/LoginPage";
import { AccessDenied, EmptyState, ErrorState, Loading, Skeleton } from "../ui/states";
import { SCREENS, type Screen } from "./modules";
import { Shell } from "./Shell";
import { useSites } from "./SiteProvider";

export function App() {
  const { signedIn } = useAuth();
  const location = useLocation();
  if (!signedIn) {
    return (
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname + location.search }} />} />
      </Routes>
    );
  }
  return (
    <Routes>
      {/* Just signed in: back to where the person was going. */}
      <Route path="/login" element={<Navigate to={(location.state as { from?: string } | null)?.from ?? "/"} replace />} />
      <Route path="*" element={<SignedIn />} />
    </Routes>
  );
}

function SignedIn() {
  const { me, meError } = useAuth();
  const sites = useSites();
  if (meError) {
    return (
      <Shell>
        <ErrorState error={meError} />
      </Shell>
    );
  }
  if (!me || sites.isLoading) {
    return (
      <Shell>
        <Loading label="Loading your account">
          <Skeleton height="2rem" width="30%" />
        </Loading>
      </Shell>
    );
  }
  return (
    <Shell>
      <Routes>
        <Route path="/" element={<Home />} />
        {SCREENS.map((screen) => (
          <Route key={screen.path} path={screen.path} element={<Guarded screen={screen} />} />
        ))}
        <Route
          path="*"
          element={
            <EmptyState title="Page not found" testId="page-not-found">
              <p>There is no screen at this address.</p>
            </EmptyState>
          }
        />
      </Routes>
    </Shell>
  );
}

function Home() {
  const { can } = useAuth();
  const first = SCREENS.find((screen) => can(screen.needs));
  if (!first) return <AccessDenied what="any screen" />;
  return <Navigate to={first.path} replace />;
}

function Guarded({ screen }: { screen: Screen }) {
  const { can, everySite, me } = useAuth();
  const { sites, error, refetch } = useSites();
  if (!can(screen.needs)) {
    // Refused for its sites alone: the roles hold the permission the screen's operation needs.
    const permitted = me?.permissions.includes(OPERATION_PERMISSIONS[screen.needs]) ?? false;
    const licenseWide = permitted && !everySite && EVERY_SITE_OPERATIONS[screen.needs] === "always";
    return <AccessDenied what={screen.label.toLowerCase()} licenseWide={licenseWide} />;
  }
  if (error) return <ErrorState error={error} onRetry={refetch} title="Your sites could not be loaded" />;
  if (sites.length === 0) {
    return (
      <EmptyState title="No sites yet" testId="no-sites">
        <p>You have not been granted any site, or none exists yet. An administrator creates sites and grants them.</p>
      </EmptyState>
    );
  }
  const Component = screen.component;
  return <Component />;
}
