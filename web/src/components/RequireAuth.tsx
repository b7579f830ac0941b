import type { ReactNode } from "react";
import { Link, Navigate, useLocation } from "react-router";
import type { Role } from "@/lib/api/models";
import { useAuth } from "@/lib/auth";
import { EmptyState, PageLoading } from "./states";
import { Button } from "./ui/button";

/** Sends anonymous visitors to log in (and back afterwards); tells users of the wrong role why they can't enter. */
export function RequireAuth({ roles, children }: { roles?: Role[]; children: ReactNode }) {
  const { user, restoring } = useAuth();
  const location = useLocation();
  if (!user && restoring) return <PageLoading label="Restoring your session…" />;
  if (!user) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  if (roles && !roles.includes(user.role)) {
    return (
      <EmptyState
        title="This area isn't for your account"
        action={
          <Button asChild>
            <Link to="/">Go to the shop</Link>
          </Button>
        }
      >
        It is only available to {roles.join(" or ")} accounts. You are signed in as {user.email}.
      </EmptyState>
    );
  }
  return <>{children}</>;
}
