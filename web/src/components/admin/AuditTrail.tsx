import { useQuery } from "@tanstack/react-query";
import { ErrorState } from "@/components/states";
import { Skeleton } from "@/components/ui/skeleton";
import { api } from "@/lib/api";
import { keys } from "@/lib/queries";
import { formatDate } from "@/lib/utils";

/** A user's moderation trail, newest first: who activated or deactivated them, when and why. */
export function AuditTrail({ userId }: { userId: string }) {
  const trail = useQuery({ queryKey: keys.adminUserAudit(userId), queryFn: ({ signal }) => api.adminUserAudit(userId, signal) });
  if (trail.isPending) return <Skeleton className="h-12" aria-label="Loading the account's history" />;
  if (trail.isError) return <ErrorState error={trail.error} onRetry={() => trail.refetch()} title="The history could not be loaded" />;
  if (trail.data.items.length === 0) return <p className="text-sm text-muted-foreground">No activations or deactivations yet.</p>;
  return (
    <ol className="grid max-h-48 gap-2 overflow-y-auto text-sm" aria-label="Account history" data-testid="audit-trail">
      {trail.data.items.map((entry) => (
        <li key={entry.id} className="rounded-md border px-3 py-2" data-testid="audit-entry">
          <p className="font-medium">
            {entry.action === "deactivate" ? "Deactivated" : "Reactivated"}{" "}
            <span className="font-normal text-muted-foreground">
              {formatDate(entry.at, true)} by {entry.actor_email ?? entry.actor_id}
            </span>
          </p>
          {entry.reason && <p className="whitespace-pre-line break-words">{entry.reason}</p>}
        </li>
      ))}
    </ol>
  );
}
